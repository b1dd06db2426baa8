/**
 * The slice of `my` (Alipay mini-programs) the adapter uses, typed structurally. Follows the
 * Alipay open-platform API docs (opendocs.alipay.com/mini/api) and their typings (@mini-types/my):
 * my.connectSocket — with `multiple: true` it returns a SocketTask (at most 5), without it the one
 * global socket driven by my.sendSocketMessage / my.closeSocket({ code, reason }) / my.onSocket*
 * (a second connect closes the existing global socket and opens the new one); frames are text or
 * base64 text flagged `isBuffer` (received frames may also be ArrayBuffer); my.request (`headers`,
 * response `status`/`headers`, failures `{ error, errorMessage }` — error 19 is an HTTP error status,
 * typed as `{ error: 19, errorMessage: 'http status error' }` only (some clients add `status`/`headers`/
 * `data`), 13 a timeout, 9 an abort; `dataType` 'json' | 'text' | 'base64' | 'arraybuffer');
 * my.getStorageSync({ key }) → `{ data }` (null for a missing key) / setStorageSync({ key, data }),
 * which reports a refused write (200 KB per key, 10 MB in total) by RETURNING `{ success: false, error,
 * errorMessage }` rather than throwing / removeStorageSync({ key }) → `{ success: true }`;
 * my.onNetworkStatusChange, my.onAppShow / onAppHide and their off*; my.uploadFile (`fileName` is
 * the field name, `fileType` image | video | audio is required) → UploadTask with onProgressUpdate.
 *
 * Kept structural (not `Pick<typeof my, …>`) so dist/alipay.d.ts needs no typings package.
 * alipay-typings.check.ts (tsconfig.alipay.json) proves the published typings,
 * `@mini-types/alipay`, satisfy it apart from the members it narrows — each with its reason there.
 */
import type { LifecycleHost } from '../shared/host-lifecycle';
import type { HostCloseResult, HostMessageResult, HostSocketTask } from '../shared/task-socket';

export interface AlipayFailResult {
  readonly error?: number;
  readonly errorMessage?: string;
  /** my.request error 19 (HTTP error) on clients that add them: the response itself. */
  readonly status?: number;
  readonly headers?: unknown;
  readonly data?: unknown;
}

export interface AlipayStorageResult {
  readonly success?: boolean;
  readonly error?: number;
  readonly errorMessage?: string;
}

export interface AlipayConnectSocketOptions {
  url: string;
  header?: Record<string, string>;
  /** true: return a SocketTask (several sockets); absent: the single global socket. */
  multiple?: boolean;
  success?(result: unknown): void;
  fail?(result: AlipayFailResult): void;
  complete?(result: unknown): void;
}

export interface AlipaySendSocketMessageOptions {
  /** Text, or base64 of binary data with `isBuffer: true`. */
  data: string;
  isBuffer?: boolean;
  success?(result: unknown): void;
  fail?(result: AlipayFailResult): void;
}

export interface AlipayRequestSuccessResult {
  readonly data: unknown;
  readonly status: number;
  readonly headers?: unknown;
}

export interface AlipayRequestOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  data?: string | ArrayBuffer;
  timeout: number;
  dataType: 'json' | 'text' | 'base64' | 'arraybuffer';
  success?(result: AlipayRequestSuccessResult): void;
  fail?(result: AlipayFailResult): void;
  complete?(result: unknown): void;
}

export interface AlipayUploadFileOptions {
  url: string;
  filePath: string;
  /** Field name of the file part (wx calls it `name`). */
  fileName: string;
  /** Required by my.uploadFile. */
  fileType: 'image' | 'video' | 'audio';
  header?: Record<string, string>;
  formData?: Record<string, string>;
  success?(result: { readonly data: unknown; readonly statusCode: number; readonly header?: unknown }): void;
  fail?(result: AlipayFailResult): void;
  complete?(result: unknown): void;
}

export interface AlipayUploadTask {
  abort(): void;
  onProgressUpdate?(listener: (result: { readonly progress: number; readonly totalBytesSent: number; readonly totalBytesExpectedToSend: number }) => void): void;
}

export interface AlipayHost extends LifecycleHost {
  connectSocket(options: AlipayConnectSocketOptions): HostSocketTask | undefined;
  sendSocketMessage(options: AlipaySendSocketMessageOptions): void;
  closeSocket(options?: { code?: number; reason?: string; success?(result: unknown): void; fail?(result: AlipayFailResult): void }): void;
  /** The open event carries no argument (as @mini-types/alipay types it). */
  onSocketOpen(listener: () => void): void;
  onSocketMessage(listener: (result: HostMessageResult) => void): void;
  onSocketClose(listener: (result: HostCloseResult) => void): void;
  onSocketError(listener: (result: unknown) => void): void;
  offSocketOpen?(listener?: () => void): void;
  offSocketMessage?(listener?: (result: HostMessageResult) => void): void;
  offSocketClose?(listener?: (result: HostCloseResult) => void): void;
  offSocketError?(listener?: (result: unknown) => void): void;
  request(options: AlipayRequestOptions): { abort(): void };
  uploadFile?(options: AlipayUploadFileOptions): AlipayUploadTask | undefined;
  getStorageSync(options: { key: string }): { readonly data?: unknown } | undefined;
  /** `{ success: false, error?, errorMessage? }` when the write was refused (the typings' return value). */
  setStorageSync(options: { key: string; data: unknown }): AlipayStorageResult | void;
  removeStorageSync(options: { key: string }): unknown;
}

/** my.connectSocket({ multiple: true }): at most 5 SocketTasks. */
export const ALIPAY_MAX_SOCKETS = 5;
