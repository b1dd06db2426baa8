/**
 * Node side of the page-proxy PlatformAdapter: each `PlatformAdapter` it hands out is a thin
 * forwarder to a real `createBrowserAdapter` instance living in a Chromium page
 * (browser-pages/adapter-harness.ts), so platforms/adapter.contract.ts — written for Node/jest —
 * checks the browser adapter in a real browser with no duplicated assertions.
 *
 * Invariants that keep the proxy faithful:
 *   - commands reach the page in call order (one promise chain of `page.evaluate` calls), so
 *     `open → send → close` keeps its order as in an app;
 *   - events come back in the order the page emitted them (sequence numbers, replayed in order),
 *     and nothing is filtered or synthesised here: every handler call is a page-side call;
 *   - only `clock.now()` is answered on the Node side (a synchronous API cannot wait for the page):
 *     the page's `adapter.clock.now()` is sampled at attach time and the offset applied.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { HttpRequestError, type HttpFailureReason } from '../../src/platform/http-request-error';
import type { HttpResponse, PlatformAdapter, PlatformSocket, SocketHandlers, TimerId } from '../../src/platform/platform-adapter';
import type { AdapterHarness, HarnessEvent, HostVariant, LifecycleKind, SerializedRequest } from './browser-pages/adapter-harness';
import { REPO_ROOT } from './server-launcher';

export type { HostVariant } from './browser-pages/adapter-harness';

/** Bundles browser-pages/adapter-harness.ts (+ the browser adapter it imports) as one IIFE. */
export async function buildAdapterHarness(): Promise<string> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, 'test', 'support', 'browser-pages', 'adapter-harness.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no output for the adapter harness');
  return output.text;
}

export interface PageAdapterOptions {
  readonly variant?: HostVariant;
  readonly storagePrefix?: string;
}

export interface PageAdapters {
  readonly page: Page;
  /** A PlatformAdapter backed by a fresh `createBrowserAdapter` in the page. */
  create(options?: PageAdapterOptions): PlatformAdapter;
  /** Resolves once every queued command has run in the page (rejects with the first failure). */
  settled(): Promise<void>;
  /** Injects the harness again after a reload; adapters created before it are gone. */
  reinject(): Promise<void>;
}

type Op = keyof AdapterHarness;
type Call = <K extends Op>(op: K, ...args: Parameters<AdapterHarness[K]>) => Promise<ReturnType<AdapterHarness[K]>>;

const binary = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const unbinary = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

export async function attachPageAdapters(page: Page, harnessSource: string): Promise<PageAdapters> {
  const socketHandlers = new Map<number, SocketHandlers>();
  const requestWaiters = new Map<number, { resolve: (r: HttpResponse) => void; reject: (e: unknown) => void }>();
  const callWaiters = new Map<number, { resolve: (v: string | undefined) => void; reject: (e: unknown) => void }>();
  const timerCallbacks = new Map<number, () => void>();
  const lifecycleListeners = new Map<number, (value: string) => void>();
  let nextId = 0;
  const id = (): number => ++nextId;

  // ---- events, replayed in the page's emission order
  let expected = 1;
  const early = new Map<number, HarnessEvent>();
  const dispatch = (event: HarnessEvent): void => {
    switch (event.kind) {
      case 'open':
        socketHandlers.get(event.socket)?.onOpen();
        return;
      case 'message':
        socketHandlers.get(event.socket)?.onMessage(unbinary(event.data));
        return;
      case 'error':
        socketHandlers.get(event.socket)?.onError(new Error(event.message));
        return;
      case 'close':
        socketHandlers.get(event.socket)?.onClose(event.code, event.reason);
        return;
      case 'response': {
        const waiter = requestWaiters.get(event.request);
        requestWaiters.delete(event.request);
        waiter?.resolve({ status: event.status, headers: event.headers, body: event.text ?? unbinary(event.base64 ?? '') });
        return;
      }
      case 'failure': {
        const waiter = requestWaiters.get(event.request);
        requestWaiters.delete(event.request);
        // The page checked `instanceof HttpRequestError`; a plain Error there stays a plain Error here.
        waiter?.reject(event.isHttpRequestError ? new HttpRequestError(event.reason as HttpFailureReason, event.message) : new Error(event.message));
        return;
      }
      case 'result': {
        const waiter = callWaiters.get(event.call);
        callWaiters.delete(event.call);
        if (event.error !== null) waiter?.reject(new Error(event.error));
        else waiter?.resolve(event.value ?? undefined);
        return;
      }
      case 'timer': {
        const callback = timerCallbacks.get(event.timer);
        timerCallbacks.delete(event.timer);
        callback?.();
        return;
      }
      case 'lifecycle':
        lifecycleListeners.get(event.subscription)?.(event.value);
        return;
    }
  };
  await page.exposeFunction('__lianxinEmit', (seq: number, event: HarnessEvent) => {
    early.set(seq, event);
    for (let next = early.get(expected); next !== undefined; next = early.get(expected)) {
      early.delete(expected);
      expected += 1;
      dispatch(next);
    }
  });

  // ---- commands, in call order. Calls made in one synchronous stretch on the Node side run in
  // one task in the page (one evaluate per batch), as they would in an app: `openSocket()` then
  // `close()` must reach the socket before it can open, not one round trip later.
  interface Command {
    readonly op: Op;
    readonly args: unknown[];
    resolve(value: unknown): void;
    reject(error: unknown): void;
  }
  let batch: Command[] = [];
  let scheduled = false;
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  const runBatch = async (): Promise<void> => {
    scheduled = false;
    const commands = batch;
    batch = [];
    try {
      const results = await page.evaluate(
        (list) => {
          const h = (globalThis as unknown as { __lianxinHarness: Record<string, (...a: unknown[]) => unknown> }).__lianxinHarness;
          return list.map(([name, values]) => {
            try {
              return { ok: true, value: h[name]?.(...values) };
            } catch (error) {
              return { ok: false, value: error instanceof Error ? error.message : String(error) };
            }
          });
        },
        commands.map((c): [string, unknown[]] => [c.op, c.args]),
      );
      commands.forEach((c, i) => {
        const result = results[i];
        if (result?.ok === true) c.resolve(result.value);
        else {
          const error = new Error(`harness ${c.op} failed in the page: ${String(result?.value)}`);
          failure ??= error;
          c.reject(error);
        }
      });
    } catch (error) {
      failure ??= error;
      for (const c of commands) c.reject(error);
    }
  };
  const call: Call = (op, ...args) =>
    new Promise((resolve, reject) => {
      batch.push({ op, args, resolve: resolve as (value: unknown) => void, reject });
      if (scheduled) return;
      scheduled = true;
      chain = chain.then(runBatch);
    });
  const fire = <K extends Op>(op: K, ...args: Parameters<AdapterHarness[K]>): void => {
    // A throw inside the page is a contract breach the waiting test would only see as a timeout.
    void call(op, ...args).catch((error: unknown) => console.error(`page adapter: ${String(op)} failed`, error));
  };

  let clockOffset = 0;
  let probed: { name: string; maxConcurrentSockets: number; binaryFrames: boolean } | undefined;
  const inject = async (): Promise<void> => {
    expected = 1;
    early.clear();
    await page.addScriptTag({ content: harnessSource });
    const probe = id();
    const before = Date.now();
    probed = await call('createAdapter', probe, 'window', null);
    const pageNow = await call('now', probe);
    clockOffset = pageNow - Math.round((before + Date.now()) / 2);
  };
  await inject();

  const create = (options: PageAdapterOptions = {}): PlatformAdapter => {
    const adapter = id();
    fire('createAdapter', adapter, options.variant ?? 'window', options.storagePrefix ?? null);
    const storageCall = (op: 'get' | 'set' | 'remove', key: string, value: string | null): Promise<string | undefined> =>
      new Promise((resolve, reject) => {
        const c = id();
        callWaiters.set(c, { resolve, reject });
        call('storage', adapter, c, op, key, value).catch(reject);
      });
    const subscribe = (kind: LifecycleKind, listener: (value: string) => void): (() => void) => {
      const subscription = id();
      lifecycleListeners.set(subscription, listener);
      fire('subscribe', adapter, subscription, kind);
      return () => fire('unsubscribe', subscription);
    };
    if (probed === undefined) throw new Error('adapter harness not injected');
    return {
      // What the page's adapter reports (the same for every browser adapter instance).
      name: probed.name,
      capabilities: { maxConcurrentSockets: probed.maxConcurrentSockets, binaryFrames: probed.binaryFrames },
      openSocket(url, handlers, socketOptions): PlatformSocket {
        const socket = id();
        socketHandlers.set(socket, handlers);
        fire('openSocket', adapter, socket, url, socketOptions?.protocols === undefined ? null : [...socketOptions.protocols]);
        return {
          send: (data) => fire('send', socket, binary(data)),
          close: (code, reason) => fire('closeSocket', socket, code ?? null, reason ?? null),
        };
      },
      request(request) {
        const r = id();
        const serialized: SerializedRequest = {
          method: request.method,
          url: request.url,
          headers: request.headers === undefined ? null : { ...request.headers },
          text: typeof request.body === 'string' ? request.body : null,
          base64: request.body instanceof Uint8Array ? binary(request.body) : null,
          responseType: request.responseType,
          timeoutMs: request.timeoutMs,
        };
        const response = new Promise<HttpResponse>((resolve, reject) => {
          requestWaiters.set(r, { resolve, reject });
          call('request', adapter, r, serialized).catch(reject);
        });
        return { response, abort: () => fire('abort', r) };
      },
      storage: {
        get: (key) => storageCall('get', key, null),
        set: (key, value) => storageCall('set', key, value).then(() => undefined),
        remove: (key) => storageCall('remove', key, null).then(() => undefined),
      },
      clock: {
        now: () => Date.now() + clockOffset,
        setTimeout(callback, ms): TimerId {
          const timer = id();
          timerCallbacks.set(timer, callback);
          fire('setTimer', adapter, timer, ms);
          return timer;
        },
        clearTimeout(timer) {
          if (typeof timer === 'number') fire('clearTimer', adapter, timer);
        },
      },
      lifecycle: {
        onNetworkChange: (listener) => subscribe('network', (value) => listener(value === 'online')),
        onForeground: (listener) => subscribe('foreground', () => listener()),
        onBackground: (listener) => subscribe('background', () => listener()),
      },
    };
  };

  return {
    page,
    create,
    async settled() {
      await chain;
      if (failure !== undefined) throw failure;
    },
    reinject: inject,
  };
}
