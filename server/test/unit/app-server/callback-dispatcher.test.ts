import { createAppConfig, createAppRegistry, type AppConfig, type ServerConfig } from '../../../src/config';
import type { ServerContext } from '../../../src/context';
import { createLogger } from '../../../src/log';
import { createTokenService } from '../../../src/services/auth-tokens';
import type { CallbackPost, CallbackRequest } from '../../../src/services/callbacks/callback-http';
import { CallbackDispatcher } from '../../../src/services/callbacks/callback-dispatcher';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store';
import type { Store } from '../../../src/store/store';

const FAST = { callbackRetryMs: '5', callbackRetryMaxMs: '20', messageRouteUrl: 'http://127.0.0.1:1/route', userStatusUrl: 'http://127.0.0.1:1/status' };

async function contextWith(apps: AppConfig[], store?: Store): Promise<ServerContext> {
  const registry = createAppRegistry(apps);
  const db = store ?? createSqliteStore({ file: ':memory:' });
  if (store === undefined) await db.migrate();
  const config: ServerConfig = { host: '127.0.0.1', port: 0, publicHosts: [], dataDir: '/none', dbFile: ':memory:', apps, devApp: false, logLevel: 'silent', apiClockSkewSeconds: 0 };
  return { config, store: db, apps: registry, tokens: createTokenService({ apps: registry, users: db.users }), clock: { now: () => Date.now() }, log: createLogger('silent') };
}

/** A fake App Server: records bodies per URL path, fails while `down` is true. */
function fakeAppServer(): { post: CallbackPost; seen: Map<string, string[]>; setDown(down: boolean): void; attempts: () => number } {
  const seen = new Map<string, string[]>();
  let down = false;
  let attempts = 0;
  const post: CallbackPost = async (_app, request: CallbackRequest) => {
    attempts++;
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (down) return { ok: false, error: 'connection refused' };
    const path = new URL(request.url).pathname;
    seen.set(path, [...(seen.get(path) ?? []), request.body]);
    return { ok: true, status: 200, text: '' };
  };
  return { post, seen, setDown: (value) => (down = value), attempts: () => attempts };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('CallbackDispatcher', () => {
  it('delivers each stream in order, retries a failing head without reordering, and empties the queue', async () => {
    const ctx = await contextWith([createAppConfig('k', 's', FAST)]);
    const server = fakeAppServer();
    const dispatcher = new CallbackDispatcher(ctx, server.post);
    dispatcher.start();
    server.setDown(true);
    for (let i = 0; i < 5; i++) dispatcher.enqueue({ appKey: 'k', kind: 'route', contentType: 'text/plain', body: `r${i}` });
    dispatcher.enqueue({ appKey: 'k', kind: 'userStatus', contentType: 'application/json', body: '[1]' });
    await until(() => server.attempts() >= 6, 'failed attempts');
    expect(server.seen.size).toBe(0);
    server.setDown(false);
    await until(() => (server.seen.get('/route')?.length ?? 0) === 5 && server.seen.has('/status'), 'delivery');
    expect(server.seen.get('/route')).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(await ctx.store.callbackQueue.size()).toBe(0);
    expect(dispatcher.stats.delivered).toBe(6);
    await dispatcher.close();
    await ctx.store.close();
  });

  it('keeps what was queued across a restart and delivers it from the next start', async () => {
    const app = createAppConfig('k', 's', FAST);
    const ctx = await contextWith([app]);
    const down = fakeAppServer();
    down.setDown(true);
    const first = new CallbackDispatcher(ctx, down.post);
    first.start();
    for (let i = 0; i < 3; i++) first.enqueue({ appKey: 'k', kind: 'route', contentType: 'text/plain', body: `m${i}` });
    await first.close();
    expect(await ctx.store.callbackQueue.size()).toBe(3);
    const up = fakeAppServer();
    const second = new CallbackDispatcher(await contextWith([app], ctx.store), up.post);
    second.start();
    await until(() => (up.seen.get('/route')?.length ?? 0) === 3, 'redelivery');
    expect(up.seen.get('/route')).toEqual(['m0', 'm1', 'm2']);
    await second.close();
    await ctx.store.close();
  });

  it('bounds the queue per app (oldest dropped) and drops streams whose URL is gone', async () => {
    const bounded = createAppConfig('k', 's', { ...FAST, callbackQueueMax: '3' });
    const noUrl = createAppConfig('n', 's', {});
    const ctx = await contextWith([bounded, noUrl]);
    const server = fakeAppServer();
    server.setDown(true);
    const dispatcher = new CallbackDispatcher(ctx, server.post);
    for (let i = 0; i < 5; i++) dispatcher.enqueue({ appKey: 'k', kind: 'route', contentType: 'text/plain', body: `b${i}` });
    dispatcher.enqueue({ appKey: 'n', kind: 'route', contentType: 'text/plain', body: 'orphan' });
    await until(() => dispatcher.stats.dropped >= 2, 'trim');
    dispatcher.start();
    await until(() => dispatcher.stats.dropped >= 3, 'orphan stream dropped');
    server.setDown(false);
    await until(() => (server.seen.get('/route')?.length ?? 0) === 3, 'delivery');
    expect(server.seen.get('/route')).toEqual(['b2', 'b3', 'b4']);
    await dispatcher.close();
    await ctx.store.close();
  });

  it('never posts an item twice when a queue read that predates its removal returns after its delivery', async () => {
    // PostgreSQL runs a `heads` read and the DELETE of the item just delivered on different pool
    // connections, so a read can return that item as the stream's head after its delivery finished.
    // Emulated at the store boundary: every `heads` answer arrives 30 ms after its (real) read.
    const store = createSqliteStore({ file: ':memory:' });
    await store.migrate();
    const queue = store.callbackQueue;
    const realHeads = queue.heads.bind(queue);
    queue.heads = async (now, limit) => {
      const rows = await realHeads(now, limit);
      await new Promise((resolve) => setTimeout(resolve, 30));
      return rows;
    };
    const ctx = await contextWith([createAppConfig('k', 's', FAST)], store);
    const seen: string[] = [];
    const post: CallbackPost = async (_app, request) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen.push(request.body);
      return { ok: true, status: 200, text: '' };
    };
    const dispatcher = new CallbackDispatcher(ctx, post);
    dispatcher.start();
    dispatcher.enqueue({ appKey: 'k', kind: 'route', contentType: 'text/plain', body: 'r0' });
    // r1 arrives while r0 is being posted: its pump reads the queue while r0 is still in it.
    await new Promise((resolve) => setTimeout(resolve, 40));
    dispatcher.enqueue({ appKey: 'k', kind: 'route', contentType: 'text/plain', body: 'r1' });
    await until(() => seen.includes('r1'), 'r1 delivered');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual(['r0', 'r1']);
    expect(await ctx.store.callbackQueue.size()).toBe(0);
    await dispatcher.close();
  });
});

