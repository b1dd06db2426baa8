/**
 * The one seam between the SDK core and a host (browser, Node, mini-programs). Only I/O lives
 * here: sockets, HTTP, key/value storage, time and lifecycle signals. Everything pure (UTF-8,
 * base64, protobuf, framing) is in src/codec and src/protocol so it is written and tested once.
 *
 * Adapters are injected per client instance (`createEngine({ platform })`), never registered
 * globally, so two clients with different hosts or fake clocks can live in one process.
 */
import type { PendingUpload, Thumbnail, ThumbnailOptions, UploadRequest, UploadSource } from './upload-request';

export type { PendingUpload, Thumbnail, ThumbnailOptions, UploadRequest, UploadSource, UploadSourceKind } from './upload-request';

/** For logs only: the core never branches on it (use `capabilities` instead). */
export type PlatformName =
  | 'browser'
  | 'node'
  | 'wechat'
  | 'toutiao'
  | 'baidu'
  | 'alipay'
  | 'uniapp'
  | (string & {});

export interface PlatformAdapter {
  readonly name: PlatformName;
  readonly capabilities: PlatformCapabilities;
  /** Never calls a handler synchronously from inside `openSocket` itself. */
  openSocket(url: string, handlers: SocketHandlers, options?: SocketOptions): PlatformSocket;
  request(request: HttpRequest): PendingRequest;
  readonly storage: KeyValueStorage;
  readonly clock: Clock;
  readonly lifecycle: LifecycleEvents;
  /** Multipart upload with progress (./upload-request). Optional: the upload helper reports 39002 without it. */
  upload?(request: UploadRequest): PendingUpload;
  /** A JPEG thumbnail of an image the host can decode (browser canvas, `wx.compressImage`…). Optional. */
  createThumbnail?(source: UploadSource, options: ThumbnailOptions): Promise<Thumbnail>;
}

export interface PlatformCapabilities {
  /** wx ≥ 1.7.0: 5; `my.connectSocket` without `multiple: true`: 1. Reconnects close the old socket first when 1. */
  readonly maxConcurrentSockets: number;
  /** ArrayBuffer frames over the socket. */
  readonly binaryFrames: boolean;
  /**
   * `false`: `request` sends string bodies only and rejects a byte body (reason 'network') instead of
   * sending it mangled — Baidu's `swan.request` turns any non-string `data` into a String. Absent
   * means byte bodies go out unchanged. The core POSTs strings only (comet).
   */
  readonly binaryRequestBodies?: boolean;
}

/**
 * One handlers object per socket. Contract every adapter must keep (adapter.contract.ts checks it):
 * `onOpen` at most once; `onClose` exactly once per socket, also after a failed open or a local
 * `close()`; nothing is delivered after `onClose`. `onError` may precede `onClose`.
 */
export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: Uint8Array): void;
  onClose(code: number, reason: string): void;
  onError(error: Error): void;
}

export interface SocketOptions {
  readonly protocols?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
}

export interface PlatformSocket {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  readonly responseType: 'bytes' | 'text';
  readonly timeoutMs: number;
}

/** Any HTTP status resolves; only transport failures, timeouts and aborts reject. */
export interface HttpResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | string;
}

/**
 * `response` rejects with an `HttpRequestError` (./http-request-error) whose `reason` tells
 * timeout, abort and network failures apart. `abort()` after settlement is a no-op.
 */
export interface PendingRequest {
  readonly response: Promise<HttpResponse>;
  abort(): void;
}

/** Async from day one: mini-program and some WebView storages are async. */
export interface KeyValueStorage {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  remove(key: string): Promise<void>;
}

export type TimerId = unknown;

/** Injected so tests can run on fake time. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

export type Unsubscribe = () => void;

/** Hosts without an event return a no-op Unsubscribe and never call the listener. */
export interface LifecycleEvents {
  onNetworkChange(listener: (online: boolean) => void): Unsubscribe;
  onForeground(listener: () => void): Unsubscribe;
  onBackground(listener: () => void): Unsubscribe;
}
