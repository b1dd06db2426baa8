/**
 * Page side of the PlatformAdapter proxy (test/support/page-adapter-proxy.ts): bundled with esbuild
 * into an IIFE and run inside real Chromium, where it creates real `createBrowserAdapter` instances
 * over the page's own WebSocket, fetch/XMLHttpRequest, localStorage, timers and window/document
 * events. Node drives it with `__lianxinHarness.<op>(…)` calls; everything the adapter reports
 * flows back through the exposed `__lianxinEmit(seq, event)` binding, numbered so Node can replay
 * the events in exactly the order the page produced them.
 *
 * Binary data crosses the page boundary as base64 (btoa/atob of the page, not the SDK's codec, so
 * the harness does not depend on the code it checks). Written without DOM types: the repo's Node
 * tsconfig type-checks it.
 */
import { createBrowserAdapter } from '../../../platforms/browser/browser-adapter';
import type { BrowserHost } from '../../../platforms/browser/browser-host';
import { HttpRequestError } from '../../../src/platform/http-request-error';
import type { HttpRequest, PendingRequest, PlatformAdapter, PlatformSocket, TimerId, Unsubscribe } from '../../../src/platform/platform-adapter';

/**
 * Which host the adapter gets: the real `window`; a window without fetch (XMLHttpRequest path);
 * a window without WebSocket; a window whose `localStorage` getter throws (sandboxed iframes).
 */
export type HostVariant = 'window' | 'xhr-only' | 'no-websocket' | 'hostile-storage';
export type LifecycleKind = 'network' | 'foreground' | 'background';

export type HarnessEvent =
  | { readonly kind: 'open'; readonly socket: number }
  | { readonly kind: 'message'; readonly socket: number; readonly data: string }
  | { readonly kind: 'close'; readonly socket: number; readonly code: number; readonly reason: string }
  | { readonly kind: 'error'; readonly socket: number; readonly message: string }
  | {
      readonly kind: 'response';
      readonly request: number;
      readonly status: number;
      readonly headers: Record<string, string>;
      readonly text: string | null;
      readonly base64: string | null;
    }
  | { readonly kind: 'failure'; readonly request: number; readonly reason: string; readonly message: string; readonly isHttpRequestError: boolean }
  | { readonly kind: 'result'; readonly call: number; readonly value: string | null; readonly error: string | null }
  | { readonly kind: 'timer'; readonly timer: number }
  | { readonly kind: 'lifecycle'; readonly subscription: number; readonly value: string };

export interface SerializedRequest {
  readonly method: HttpRequest['method'];
  readonly url: string;
  readonly headers: Record<string, string> | null;
  readonly text: string | null;
  readonly base64: string | null;
  readonly responseType: HttpRequest['responseType'];
  readonly timeoutMs: number;
}

export interface AdapterHarness {
  createAdapter(adapter: number, variant: HostVariant, storagePrefix: string | null): { name: string; maxConcurrentSockets: number; binaryFrames: boolean };
  openSocket(adapter: number, socket: number, url: string, protocols: string[] | null): void;
  send(socket: number, base64: string): void;
  closeSocket(socket: number, code: number | null, reason: string | null): void;
  request(adapter: number, request: number, serialized: SerializedRequest): void;
  abort(request: number): void;
  storage(adapter: number, call: number, op: 'get' | 'set' | 'remove', key: string, value: string | null): void;
  setTimer(adapter: number, timer: number, ms: number): void;
  clearTimer(adapter: number, timer: number): void;
  subscribe(adapter: number, subscription: number, kind: LifecycleKind): void;
  unsubscribe(subscription: number): void;
  now(adapter: number): number;
}

interface PageGlobals {
  btoa(data: string): string;
  atob(data: string): string;
  __lianxinEmit?: (seq: number, event: HarnessEvent) => unknown;
  __lianxinHarness?: AdapterHarness;
  __lianxinHarnessLoaded?: number;
}

const page = globalThis as unknown as PageGlobals & BrowserHost & Record<string, unknown>;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return page.btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = page.atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

let seq = 0;
function emit(event: HarnessEvent): void {
  seq += 1;
  void page.__lianxinEmit?.(seq, event);
}

/** A window look-alike made of the page's real objects, with `drop` left out and `overrides` applied. */
function windowLike(drop: readonly string[], overrides: PropertyDescriptorMap = {}): BrowserHost {
  const host: Record<string, unknown> = {
    WebSocket: page.WebSocket,
    fetch: (url: string, init: unknown) => (page.fetch as unknown as (u: string, i: unknown) => unknown)(url, init),
    AbortController: page.AbortController,
    XMLHttpRequest: page.XMLHttpRequest,
    document: page.document,
    navigator: page.navigator,
    setTimeout: (callback: () => void, ms: number) => page.setTimeout(callback, ms),
    clearTimeout: (id: unknown) => page.clearTimeout(id),
    addEventListener: (type: string, listener: () => void) => page.addEventListener?.(type, listener),
    removeEventListener: (type: string, listener: () => void) => page.removeEventListener?.(type, listener),
  };
  Object.defineProperty(host, 'localStorage', { get: () => page.localStorage, configurable: true, enumerable: true });
  for (const name of drop) delete host[name];
  Object.defineProperties(host, overrides);
  return host as unknown as BrowserHost;
}

function hostFor(variant: HostVariant): BrowserHost | undefined {
  switch (variant) {
    case 'window':
      return undefined; // createBrowserAdapter's own default: the global window
    case 'xhr-only':
      return windowLike(['fetch', 'AbortController']);
    case 'no-websocket':
      return windowLike(['WebSocket']);
    case 'hostile-storage':
      return windowLike([], {
        localStorage: {
          get() {
            throw new Error('SecurityError: localStorage is disabled');
          },
        },
      });
  }
}

const adapters = new Map<number, PlatformAdapter>();
const sockets = new Map<number, PlatformSocket>();
const requests = new Map<number, PendingRequest>();
const timers = new Map<number, TimerId>();
const subscriptions = new Map<number, Unsubscribe>();

function adapterOf(id: number): PlatformAdapter {
  const adapter = adapters.get(id);
  if (adapter === undefined) throw new Error(`harness: no adapter ${id}`);
  return adapter;
}

const harness: AdapterHarness = {
  createAdapter(id, variant, storagePrefix) {
    const host = hostFor(variant);
    const options = storagePrefix === null ? {} : { storagePrefix };
    const adapter = host === undefined ? createBrowserAdapter(undefined, options) : createBrowserAdapter(host, options);
    adapters.set(id, adapter);
    return { name: adapter.name, ...adapter.capabilities };
  },
  openSocket(id, socket, url, protocols) {
    const handlers = {
      onOpen: () => emit({ kind: 'open', socket }),
      onMessage: (data: Uint8Array) => emit({ kind: 'message', socket, data: toBase64(data) }),
      onClose: (code: number, reason: string) => emit({ kind: 'close', socket, code, reason }),
      onError: (error: Error) => emit({ kind: 'error', socket, message: error.message }),
    };
    sockets.set(socket, adapterOf(id).openSocket(url, handlers, protocols === null ? undefined : { protocols }));
  },
  send(socket, base64) {
    sockets.get(socket)?.send(fromBase64(base64));
  },
  closeSocket(socket, code, reason) {
    sockets.get(socket)?.close(code ?? undefined, reason ?? undefined);
  },
  request(id, request, s) {
    const body = s.text !== null ? { body: s.text } : s.base64 !== null ? { body: fromBase64(s.base64) } : {};
    const pending = adapterOf(id).request({
      method: s.method,
      url: s.url,
      ...(s.headers === null ? {} : { headers: s.headers }),
      ...body,
      responseType: s.responseType,
      timeoutMs: s.timeoutMs,
    });
    requests.set(request, pending);
    pending.response.then(
      (res) =>
        emit({
          kind: 'response',
          request,
          status: res.status,
          headers: { ...res.headers },
          text: typeof res.body === 'string' ? res.body : null,
          base64: res.body instanceof Uint8Array ? toBase64(res.body) : null,
        }),
      (error: unknown) =>
        emit({
          kind: 'failure',
          request,
          reason: error instanceof HttpRequestError ? error.reason : '',
          message: error instanceof Error ? error.message : String(error),
          isHttpRequestError: error instanceof HttpRequestError,
        }),
    );
  },
  abort(request) {
    requests.get(request)?.abort();
  },
  storage(id, call, op, key, value) {
    const { storage } = adapterOf(id);
    const done = op === 'get' ? storage.get(key) : op === 'set' ? storage.set(key, value ?? '').then(() => undefined) : storage.remove(key).then(() => undefined);
    done.then(
      (result) => emit({ kind: 'result', call, value: result ?? null, error: null }),
      (error: unknown) => emit({ kind: 'result', call, value: null, error: error instanceof Error ? error.message : String(error) }),
    );
  },
  setTimer(id, timer, ms) {
    timers.set(timer, adapterOf(id).clock.setTimeout(() => emit({ kind: 'timer', timer }), ms));
  },
  clearTimer(id, timer) {
    adapterOf(id).clock.clearTimeout(timers.get(timer));
  },
  subscribe(id, subscription, kind) {
    const { lifecycle } = adapterOf(id);
    const report = (value: string) => () => emit({ kind: 'lifecycle', subscription, value });
    const off =
      kind === 'network'
        ? lifecycle.onNetworkChange((online) => report(online ? 'online' : 'offline')())
        : kind === 'foreground'
          ? lifecycle.onForeground(report('foreground'))
          : lifecycle.onBackground(report('background'));
    subscriptions.set(subscription, off);
  },
  unsubscribe(subscription) {
    subscriptions.get(subscription)?.();
    subscriptions.delete(subscription);
  },
  now(id) {
    return adapterOf(id).clock.now();
  },
};

page.__lianxinHarness = harness;
page.__lianxinHarnessLoaded = Date.now();
