/**
 * Contract every PlatformAdapter must pass (run once per host by test/platforms/<host>-adapter.test.ts):
 * sockets against a real local WebSocket echo server, HTTP against a real local server, storage,
 * clock and lifecycle. The servers are started on the Node side by test/platforms/contract-servers.ts
 * (this file stays free of Node imports so it can also run inside a browser test page).
 *
 * Server behaviour the cases rely on (paths under `wsUrl`):
 *   /echo      echoes every message back as binary, except a message whose bytes spell
 *              `close:<code>:<reason>` (ASCII), which makes the server close with that code and reason
 *   /reject    refuses the upgrade with HTTP 403
 * HTTP routes under `httpUrl`: GET /text → "héllo wörld", GET /bytes → bytes 0..255,
 * POST /echo → request body back (content-type application/octet-stream), GET /status/<n> → status n,
 * GET /slow → never answers, GET /headers → request headers as JSON.
 */
import type { PlatformAdapter, PlatformSocket, SocketHandlers } from '../src/platform/platform-adapter';
import { HttpRequestError } from '../src/platform/http-request-error';

export interface AdapterContractEnv {
  /** `ws://127.0.0.1:<port>` without a path. */
  readonly wsUrl: string;
  /** `http://127.0.0.1:<port>` without a path. */
  readonly httpUrl: string;
  /** `127.0.0.1:<port>` (host:port, no scheme) where nothing listens: connections are refused. */
  readonly deadUrl: string;
}

export interface AdapterContractOptions {
  /** Two adapters from `makeAdapter` share storage (browser localStorage, Node file storage). */
  readonly sharedStorage?: boolean;
}

interface SocketLog {
  readonly events: string[];
  readonly messages: Uint8Array[];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  nextMessage(): Promise<Uint8Array>;
}

function recordSocket(): { handlers: SocketHandlers; log: SocketLog } {
  const events: string[] = [];
  const messages: Uint8Array[] = [];
  let waiters: Array<(m: Uint8Array) => void> = [];
  let onOpen: () => void = () => undefined;
  let onClose: (v: { code: number; reason: string }) => void = () => undefined;
  const opened = new Promise<void>((resolve) => (onOpen = resolve));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClose = resolve));
  const handlers: SocketHandlers = {
    onOpen() {
      events.push('open');
      onOpen();
    },
    onMessage(data) {
      events.push('message');
      messages.push(data);
      const w = waiters;
      waiters = [];
      for (const fn of w) fn(data);
    },
    onClose(code, reason) {
      events.push(`close:${code}`);
      onClose({ code, reason });
    },
    onError() {
      events.push('error');
    },
  };
  return {
    handlers,
    log: {
      events,
      messages,
      opened,
      closed,
      nextMessage: () => new Promise<Uint8Array>((resolve) => waiters.push(resolve)),
    },
  };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const textEncoder = new TextEncoder();

export function describeAdapterContract(
  name: string,
  makeAdapter: () => PlatformAdapter,
  env: () => AdapterContractEnv,
  options: AdapterContractOptions = {},
): void {
  describe(`PlatformAdapter contract: ${name}`, () => {
    describe('openSocket', () => {
      let adapter: PlatformAdapter;
      const open: PlatformSocket[] = [];
      beforeEach(() => {
        adapter = makeAdapter();
      });
      afterEach(() => {
        for (const s of open.splice(0)) s.close();
      });

      const connect = (path: string) => {
        const { handlers, log } = recordSocket();
        const socket = adapter.openSocket(`${env().wsUrl}${path}`, handlers);
        open.push(socket);
        return { socket, log };
      };

      it('never calls a handler synchronously from openSocket', () => {
        const { log } = connect('/echo');
        const bad = recordSocket();
        open.push(adapter.openSocket(`ws://${env().deadUrl}/x`, bad.handlers));
        expect(log.events).toEqual([]);
        expect(bad.log.events).toEqual([]);
      });

      it('opens once and round-trips binary frames byte for byte', async () => {
        const { socket, log } = connect('/echo');
        await log.opened;
        const all = Uint8Array.from({ length: 256 }, (_, i) => i);
        const reply = log.nextMessage();
        socket.send(all);
        expect(Array.from(await reply)).toEqual(Array.from(all));
        const big = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
        const bigReply = log.nextMessage();
        socket.send(big);
        const got = await bigReply;
        expect(got.byteLength).toBe(big.byteLength);
        expect(got.every((b, i) => b === big[i])).toBe(true);
        expect(log.events.filter((e) => e === 'open')).toHaveLength(1);
      });

      it('keeps message order and delivers each frame separately', async () => {
        const { socket, log } = connect('/echo');
        await log.opened;
        for (let i = 1; i <= 20; i++) socket.send(Uint8Array.of(i, i));
        while (log.messages.length < 20) await log.nextMessage();
        expect(log.messages.map((m) => Array.from(m))).toEqual(Array.from({ length: 20 }, (_, i) => [i + 1, i + 1]));
      });

      it('reports the server close code and reason, exactly once', async () => {
        const { socket, log } = connect('/echo');
        await log.opened;
        socket.send(textEncoder.encode('close:4001:kicked'));
        const closed = await log.closed;
        expect(closed).toEqual({ code: 4001, reason: 'kicked' });
        await delay(50);
        expect(log.events.filter((e) => e.startsWith('close'))).toHaveLength(1);
      });

      it('local close reports onClose once and delivers nothing afterwards', async () => {
        const { socket, log } = connect('/echo');
        await log.opened;
        socket.send(Uint8Array.of(1));
        socket.close(1000, 'bye');
        socket.close();
        socket.send(Uint8Array.of(2));
        await log.closed;
        await delay(50);
        const afterClose = log.events.slice(log.events.findIndex((e) => e.startsWith('close')) + 1);
        expect(afterClose).toEqual([]);
        expect(log.events.filter((e) => e.startsWith('close'))).toHaveLength(1);
      });

      it('closing before open still ends with one onClose and no onOpen', async () => {
        const { socket, log } = connect('/echo');
        socket.close();
        await log.closed;
        await delay(50);
        expect(log.events).not.toContain('open');
        expect(log.events.filter((e) => e.startsWith('close'))).toHaveLength(1);
      });

      it('a refused connection ends in onClose without onOpen', async () => {
        const { handlers, log } = recordSocket();
        open.push(adapter.openSocket(`ws://${env().deadUrl}/websocket`, handlers));
        const { code } = await log.closed;
        expect(code).not.toBe(1000);
        expect(log.events).not.toContain('open');
      });

      it('a rejected upgrade ends in onClose without onOpen', async () => {
        const { log } = connect('/reject');
        await log.closed;
        expect(log.events).not.toContain('open');
      });

      it('two sockets are independent', async () => {
        if (adapter.capabilities.maxConcurrentSockets < 2) return;
        const a = connect('/echo');
        const b = connect('/echo');
        await Promise.all([a.log.opened, b.log.opened]);
        const ra = a.log.nextMessage();
        const rb = b.log.nextMessage();
        a.socket.send(Uint8Array.of(0xaa));
        b.socket.send(Uint8Array.of(0xbb));
        expect(Array.from(await ra)).toEqual([0xaa]);
        expect(Array.from(await rb)).toEqual([0xbb]);
        a.socket.close();
        await a.log.closed;
        const rb2 = b.log.nextMessage();
        b.socket.send(Uint8Array.of(0xcc));
        expect(Array.from(await rb2)).toEqual([0xcc]);
      });
    });

    describe('request', () => {
      it('GET text decodes UTF-8 and exposes lower-case headers', async () => {
        const res = await makeAdapter().request({ method: 'GET', url: `${env().httpUrl}/text`, responseType: 'text', timeoutMs: 5_000 })
          .response;
        expect(res.status).toBe(200);
        expect(res.body).toBe('héllo wörld');
        expect(res.headers['x-contract']).toBe('yes');
      });

      it('GET bytes returns the exact bytes', async () => {
        const res = await makeAdapter().request({ method: 'GET', url: `${env().httpUrl}/bytes`, responseType: 'bytes', timeoutMs: 5_000 })
          .response;
        expect(res.body).toBeInstanceOf(Uint8Array);
        expect(Array.from(res.body as Uint8Array)).toEqual(Array.from({ length: 256 }, (_, i) => i));
      });

      it('POST sends string and byte bodies unchanged (byte bodies: refused where the host sends only strings)', async () => {
        const adapter = makeAdapter();
        const text = await adapter.request({
          method: 'POST',
          url: `${env().httpUrl}/echo`,
          headers: { 'content-type': 'text/plain' },
          body: '{"a":"中文"}',
          responseType: 'text',
          timeoutMs: 5_000,
        }).response;
        expect(text.body).toBe('{"a":"中文"}');
        const bytes = Uint8Array.of(0, 255, 128, 7);
        const bin = adapter.request({ method: 'POST', url: `${env().httpUrl}/echo`, body: bytes, responseType: 'bytes', timeoutMs: 5_000 }).response;
        if (adapter.capabilities.binaryRequestBodies === false) {
          const error = await bin.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(HttpRequestError);
          expect((error as HttpRequestError).reason).toBe('network');
          expect((error as HttpRequestError).message).toMatch(/string bodies only/);
          return;
        }
        expect(Array.from((await bin).body as Uint8Array)).toEqual([0, 255, 128, 7]);
      });

      it('sends request headers', async () => {
        const res = await makeAdapter().request({
          method: 'GET',
          url: `${env().httpUrl}/headers`,
          headers: { 'x-lianxin': 'contract' },
          responseType: 'text',
          timeoutMs: 5_000,
        }).response;
        expect((JSON.parse(res.body as string) as Record<string, string>)['x-lianxin']).toBe('contract');
      });

      it('resolves (does not reject) on HTTP error statuses', async () => {
        const res = await makeAdapter().request({ method: 'GET', url: `${env().httpUrl}/status/404`, responseType: 'text', timeoutMs: 5_000 })
          .response;
        expect(res.status).toBe(404);
        expect(res.body).toBe('status 404');
      });

      it('rejects with reason "timeout" after timeoutMs', async () => {
        const started = Date.now();
        const pending = makeAdapter().request({ method: 'GET', url: `${env().httpUrl}/slow`, responseType: 'text', timeoutMs: 300 });
        const error = await pending.response.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(HttpRequestError);
        expect((error as HttpRequestError).reason).toBe('timeout');
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      });

      it('abort() rejects with reason "aborted"; abort after settle is a no-op', async () => {
        const adapter = makeAdapter();
        const pending = adapter.request({ method: 'GET', url: `${env().httpUrl}/slow`, responseType: 'text', timeoutMs: 10_000 });
        setTimeout(() => pending.abort(), 50);
        const error = await pending.response.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect((error as HttpRequestError).reason).toBe('aborted');
        const done = adapter.request({ method: 'GET', url: `${env().httpUrl}/text`, responseType: 'text', timeoutMs: 5_000 });
        const res = await done.response;
        done.abort();
        expect(res.status).toBe(200);
      });

      it('rejects with reason "network" when nothing listens', async () => {
        const error = await makeAdapter()
          .request({ method: 'GET', url: `http://${env().deadUrl}/ping`, responseType: 'text', timeoutMs: 5_000 })
          .response.then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(HttpRequestError);
        expect((error as HttpRequestError).reason).toBe('network');
      });
    });

    describe('storage', () => {
      it('get/set/remove round-trip, overwrite and isolate keys', async () => {
        const { storage } = makeAdapter();
        const key = `contract-${Math.random()}`;
        expect(await storage.get(key)).toBeUndefined();
        await storage.set(key, 'v1 中文 😀');
        await storage.set(`${key}-other`, 'x');
        expect(await storage.get(key)).toBe('v1 中文 😀');
        await storage.set(key, '');
        expect(await storage.get(key)).toBe('');
        await storage.remove(key);
        await storage.remove(key);
        expect(await storage.get(key)).toBeUndefined();
        expect(await storage.get(`${key}-other`)).toBe('x');
      });

      it('concurrent writes all land', async () => {
        const { storage } = makeAdapter();
        const base = `c-${Math.random()}`;
        await Promise.all(Array.from({ length: 10 }, (_, i) => storage.set(`${base}-${i}`, String(i))));
        const values = await Promise.all(Array.from({ length: 10 }, (_, i) => storage.get(`${base}-${i}`)));
        expect(values).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
      });

      it(options.sharedStorage === true ? 'persists across adapter instances' : 'keeps instances apart', async () => {
        const key = `p-${Math.random()}`;
        await makeAdapter().storage.set(key, 'kept');
        const seen = await makeAdapter().storage.get(key);
        expect(seen).toBe(options.sharedStorage === true ? 'kept' : undefined);
      });
    });

    describe('clock and lifecycle', () => {
      it('now() tracks wall time and timers fire in order; clearTimeout cancels', async () => {
        const { clock } = makeAdapter();
        expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1_000);
        const fired: string[] = [];
        const start = clock.now();
        clock.setTimeout(() => fired.push('b'), 60);
        clock.setTimeout(() => fired.push('a'), 10);
        const cancelled = clock.setTimeout(() => fired.push('never'), 30);
        clock.clearTimeout(cancelled);
        // Until the last timer fired (bounded): a host in another process (Chromium) may run late under load.
        // The cancelled one was due before it, so by then it would have fired too.
        for (let waited = 0; !fired.includes('b') && waited < 5_000; waited += 25) await delay(25);
        expect(fired).toEqual(['a', 'b']);
        expect(clock.now() - start).toBeGreaterThanOrEqual(60);
      });

      it('lifecycle subscriptions return callable unsubscribes', () => {
        const { lifecycle, capabilities } = makeAdapter();
        for (const off of [
          lifecycle.onNetworkChange(() => undefined),
          lifecycle.onForeground(() => undefined),
          lifecycle.onBackground(() => undefined),
        ]) {
          expect(typeof off).toBe('function');
          off();
        }
        expect(capabilities.maxConcurrentSockets).toBeGreaterThanOrEqual(1);
        expect(typeof capabilities.binaryFrames).toBe('boolean');
        expect(['undefined', 'boolean']).toContain(typeof capabilities.binaryRequestBodies);
      });
    });
  });
}
