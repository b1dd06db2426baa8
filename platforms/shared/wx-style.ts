/**
 * The API family wx, tt, swan and uni share: `connectSocket` → SocketTask with ArrayBuffer frames,
 * `request` → RequestTask with `statusCode`/`header` and `errMsg` failures, positional
 * `get/set/removeStorageSync(key, data)`. Per-host differences are the `quirks` (the `dataType`
 * value that turns JSON parsing off, socket limit) and the host types in platforms/<host>/.
 *
 * `connectSocket` and `request` always get `success`/`fail`/`complete`: uni-app returns the
 * SocketTask/RequestTask only when a callback is passed (a Promise otherwise), and some hosts
 * report a failed call only through `fail`.
 */
import type { SocketOptions } from '../../src/platform/platform-adapter';
import { exactArrayBuffer } from './host-data';
import type { LifecycleHost } from './host-lifecycle';
import type { HostRequestOutcome, HostRequestSpec, HostRequestStarter } from './host-request';
import type { HostUploadStarter } from './host-upload';
import type { SyncStore } from './host-storage';
import { messageOf, type HostSocketTask, type SocketDialect } from './task-socket';

export interface WxStyleFailResult {
  readonly errMsg?: string;
  /** wx/tt */
  readonly errno?: number;
  readonly errNo?: number;
  /** swan */
  readonly errCode?: number;
}

export interface WxStyleConnectSocketOptions {
  url: string;
  header?: Record<string, string>;
  protocols?: string[];
  success?(result: unknown): void;
  fail?(result: WxStyleFailResult): void;
  complete?(result: unknown): void;
}

export interface WxStyleRequestSuccessResult {
  readonly data: unknown;
  readonly statusCode: number;
  readonly header?: unknown;
}

export interface WxStyleRequestOptions {
  url: string;
  method: 'GET' | 'POST';
  header: Record<string, string>;
  data?: string | ArrayBuffer;
  /** Anything but `'json'` leaves the body unparsed (wx documents `其他`, tt `string`). */
  dataType: string;
  responseType: 'text' | 'arraybuffer';
  timeout: number;
  success?(result: WxStyleRequestSuccessResult): void;
  fail?(result: WxStyleFailResult): void;
  complete?(result: unknown): void;
}

export interface WxStyleRequestTask {
  abort(): void;
}

export interface WxStyleUploadFileOptions {
  url: string;
  filePath: string;
  /** Field name of the file part. */
  name: string;
  header?: Record<string, string>;
  formData?: Record<string, string>;
  timeout?: number;
  success?(result: WxStyleUploadSuccessResult): void;
  fail?(result: WxStyleFailResult): void;
  complete?(result: unknown): void;
}

export interface WxStyleUploadSuccessResult {
  readonly data: unknown;
  readonly statusCode: number;
  readonly header?: unknown;
}

export interface UploadProgressResult {
  readonly progress: number;
  readonly totalBytesSent: number;
  readonly totalBytesExpectedToSend: number;
}

export interface WxStyleUploadTask {
  abort(): void;
  onProgressUpdate?(listener: (result: UploadProgressResult) => void): void;
}

/** The members of `wx`/`tt`/`swan`/`uni` the adapters use. */
export interface WxStyleHost extends LifecycleHost {
  connectSocket(options: WxStyleConnectSocketOptions): HostSocketTask;
  request(options: WxStyleRequestOptions): WxStyleRequestTask;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
  removeStorageSync(key: string): void;
  /** Multipart upload of a local file (`tempFilePath`); absent on hosts without it. */
  uploadFile?(options: WxStyleUploadFileOptions): WxStyleUploadTask;
}

export interface WxStyleQuirks {
  /** The `dataType` that disables JSON parsing of the response body. */
  readonly rawDataType: string;
}

/** `request:fail timeout` and friends; everything else is a network failure. */
export function failureOf(result: WxStyleFailResult | undefined): HostRequestOutcome {
  const message = messageOf(result);
  return { kind: /time ?out/i.test(message) ? 'timeout' : 'network', message };
}

export function wxStyleSocket(host: WxStyleHost): SocketDialect {
  return {
    connect(url: string, options: SocketOptions | undefined, fail: (message: string) => void) {
      return host.connectSocket({
        url,
        ...(options?.headers === undefined ? {} : { header: { ...options.headers } }),
        ...(options?.protocols === undefined ? {} : { protocols: [...options.protocols] }),
        success: () => undefined,
        fail: (result) => fail(messageOf(result)),
        complete: () => undefined,
      });
    },
    encode: (data) => ({ data: exactArrayBuffer(data) }),
  };
}

export function wxStyleRequest(host: WxStyleHost, quirks: WxStyleQuirks): HostRequestStarter {
  return (spec: HostRequestSpec, done) =>
    host.request({
      url: spec.url,
      method: spec.method,
      header: spec.headers,
      ...(spec.body === undefined ? {} : { data: spec.body }),
      dataType: quirks.rawDataType,
      responseType: spec.responseType,
      timeout: spec.timeoutMs,
      success: (result) => done({ kind: 'response', status: result.statusCode, headers: result.header, data: result.data }),
      fail: (result) => done(failureOf(result)),
      complete: () => undefined,
    });
}

export function wxStyleStore(host: WxStyleHost): SyncStore {
  return {
    get: (key) => host.getStorageSync(key),
    set: (key, value) => host.setStorageSync(key, value),
    remove: (key) => host.removeStorageSync(key),
  };
}

export function wxStyleUpload(host: WxStyleHost): HostUploadStarter | undefined {
  if (typeof host.uploadFile !== 'function') return undefined;
  return (spec, done, progress) => {
    const task = host.uploadFile?.({
      url: spec.url,
      filePath: spec.filePath,
      name: spec.fileField,
      header: spec.headers,
      formData: spec.fields,
      timeout: spec.timeoutMs,
      success: (result) => done({ kind: 'response', status: result.statusCode, headers: result.header, data: result.data }),
      fail: (result) => done(failureOf(result)),
      complete: () => undefined,
    });
    task?.onProgressUpdate?.((result) => progress(result.totalBytesSent, result.totalBytesExpectedToSend));
    return task;
  };
}
