/**
 * The slice of a browser `window` the browser adapter uses, typed structurally so the adapter
 * compiles without the DOM lib and tests can pass a stand-in window. Everything is optional:
 * the adapter degrades (XHR instead of fetch, memory instead of localStorage, no lifecycle).
 */
export interface HostEventTarget {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface HostWebSocket {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}
export type HostWebSocketConstructor = new (url: string, protocols?: string | string[]) => HostWebSocket;

export interface HostAbortSignal {
  readonly aborted: boolean;
}
export interface HostAbortController {
  readonly signal: HostAbortSignal;
  abort(): void;
}

export interface HostFetchResponse {
  readonly status: number;
  readonly headers: { forEach(callback: (value: string, name: string) => void): void };
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}
export type HostFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | Uint8Array; signal: HostAbortSignal; cache?: string },
) => Promise<HostFetchResponse>;

export interface HostXMLHttpRequest {
  responseType: string;
  timeout: number;
  readonly status: number;
  readonly response: unknown;
  readonly responseText: string;
  onload: (() => void) | null;
  onerror: (() => void) | null;
  ontimeout: (() => void) | null;
  onabort: (() => void) | null;
  open(method: string, url: string, async: boolean): void;
  setRequestHeader(name: string, value: string): void;
  getAllResponseHeaders(): string;
  send(body?: string | ArrayBufferView | null): void;
  abort(): void;
}

export interface HostStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface BrowserHost extends Partial<HostEventTarget> {
  readonly WebSocket?: HostWebSocketConstructor;
  readonly fetch?: HostFetch;
  readonly AbortController?: new () => HostAbortController;
  readonly XMLHttpRequest?: new () => HostXMLHttpRequest;
  /** Reading it may throw (sandboxed iframes, some private modes). */
  readonly localStorage?: HostStorage;
  readonly document?: HostEventTarget & { readonly visibilityState?: string };
  readonly navigator?: { readonly onLine?: boolean };
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}
