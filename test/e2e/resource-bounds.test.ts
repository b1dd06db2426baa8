/**
 * Resource bounds over long-running use: each probe drives N short-lived uses of one kind against a real
 * server process (loopback) and measures what stays behind:
 *  - server: heapUsed after a forced full GC over the server's inspector (bench/lib/server-profiler.ts), the
 *    `lianxin_connections` gauge;
 *  - SDK (this process): heapUsed after a full GC, active handles, keys and bytes of the adapter's storage.
 * Growth is measured on the second of two equal legs after a warm-up, so one-off caches and JIT do not count.
 * The bounds (bytes retained per use) sit well below what keeping one session, room, member or timer per use
 * would cost (≥ 1 KB) and above the noise of a GC'd heap over a few hundred uses.
 *
 * GC in this process without `node --expose-gc` for the whole run: the flag is set at run time and `gc` taken
 * from a fresh V8 context (exposeGc below), so `npm test` runs this suite like any other.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import type { KeyValueStorage } from '../../src/platform/platform-adapter';
import { createRongIMLib, LogLevel } from '../../src/index';
import type { IMClient, Message, RongIMClientStatic } from '../../src/index';
import { connectInspector, INSPECT_ENV, type InspectorSession } from '../../bench/lib/server-profiler';
import { connectRaw } from '../support/raw-client';
import { connectComet } from '../support/comet-raw-client';
import { serverApi, type ServerApiClient } from '../support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../support/server-launcher';
import { upstream } from '../../server/test/e2e/e2e-support';

jest.setTimeout(120_000);

/**
 * No Server API limits in the way: RongCloud's default for message/chatroom/publish (100/s) refuses a fast
 * loop's publishes with 1008, and `rate.*` only covers endpoints without a default of their own.
 */
const NO_LIMITS = { maxSendRate: 1_000_000, 'rate.*': 'off', 'rate.message/chatroom/publish': 'off', 'rate.statusmessage/private/publish': 'off' } as const;
const APP: TestApp = { key: 'lxbounds', secret: 'lxboundssecret', options: NO_LIMITS };
/** Chatrooms destroyed 400 ms after they were last active (the sweeper then runs every 100 ms). */
const IDLE_APP: TestApp = { key: 'lxboundsidle', secret: 'lxboundsidlesecret', options: { ...NO_LIMITS, chrmIdleDestroyMs: 400 } };
const STAMP = Date.now().toString(36);
let server: RunningServer;
let inspector: InspectorSession;
let api: ServerApiClient;
let idleApi: ServerApiClient;

beforeAll(async () => {
  server = await startServer({ apps: [APP, IDLE_APP], env: { ...INSPECT_ENV, LIANXIN_COMET_HOLD_MS: '300', LIANXIN_COMET_EXPIRY_MS: '600' } });
  inspector = await connectInspector(server);
  await inspector.call('HeapProfiler.enable');
  api = serverApi(server.url, APP.key, APP.secret);
  idleApi = serverApi(server.url, IDLE_APP.key, IDLE_APP.secret);
});

afterAll(async () => {
  inspector?.close();
  await server?.stop();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** This process's full GC, whether or not node was started with --expose-gc. */
function exposeGc(): () => void {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = exposeGc();

/**
 * The server's heapUsed after two full GCs (weak references and finalizers free more on the second): the least
 * of three readings 50 ms apart, as localHeap.
 */
async function serverHeap(): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    if (i > 0) await sleep(50);
    await inspector.call('HeapProfiler.collectGarbage');
    await inspector.call('HeapProfiler.collectGarbage');
    const r = (await inspector.call('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true })) as { result: { value: number } };
    least = Math.min(least, r.result.value);
  }
  return least;
}

/**
 * This process's heapUsed after full GCs: the least of three readings 50 ms apart, so garbage that is still
 * reachable for a moment (a socket's read buffer, a settling promise chain) does not count as retained.
 */
async function localHeap(): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    if (i > 0) await sleep(50);
    gc();
    gc();
    least = Math.min(least, process.memoryUsage().heapUsed);
  }
  return least;
}

/**
 * The server's live Maps and Sets of at least `min` entries (every one, found with Runtime.queryObjects), largest
 * first, as `size  first key => first value`: where a leak is kept (printed when a server bound fails).
 */
async function serverCollections(min = 50): Promise<string> {
  const rows: Array<[number, string]> = [];
  for (const ctor of ['Map', 'Set']) {
    const proto = (await inspector.call('Runtime.evaluate', { expression: `${ctor}.prototype` })) as { result: { objectId: string } };
    const found = (await inspector.call('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId })) as { objects: { objectId: string } };
    const listed = (await inspector.call('Runtime.callFunctionOn', {
      objectId: found.objects.objectId,
      functionDeclaration: `function () { const out = []; this.forEach((m) => { try { if (m.size < ${min}) return; const k = m.keys().next().value; const v = m.values().next().value; const ks = typeof k === 'object' ? (k === null ? 'null' : (k.constructor?.name ?? 'obj')) : String(k).slice(0, 60); const vs = v && typeof v === 'object' ? (v.constructor?.name ?? 'obj') + '{' + Object.keys(v).slice(0, 6).join(',') + '}' : typeof v; out.push([m.size, '${ctor} ' + ks + ' => ' + vs]); } catch {} }); return JSON.stringify(out); }`,
      returnByValue: true,
    })) as { result: { value: string } };
    rows.push(...(JSON.parse(listed.result.value) as Array<[number, string]>));
    await inspector.call('Runtime.releaseObjectGroup', { objectGroup: 'console' }).catch(() => undefined);
  }
  return rows.sort((a, b) => b[0] - a[0]).slice(0, 20).map(([n, what]) => `${n}\t${what.replace(/\u0000/g, '␀')}`).join('\n');
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  let sum = 0;
  for (const l of text.split('\n')) if (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) sum += Number(l.split(' ').pop());
  return sum;
}

async function ok<T extends { code: number }>(client: ServerApiClient, path: string, form: Record<string, string | readonly string[]>): Promise<T> {
  const r = await client.post<T>(path, form);
  if (r.body.code !== 200) throw new Error(`${path}: ${r.text}`);
  return r.body;
}

async function token(userId: string, client: ServerApiClient = api): Promise<string> {
  return (await ok<{ code: number; token: string }>(client, 'user/getToken', { userId, name: userId, portraitUri: '' })).token;
}

/** Runs `op(i)` for i in [from, from+n) with `concurrency` in flight, bounded by `deadlineMs`. */
async function drive(from: number, n: number, concurrency: number, op: (i: number) => Promise<void>, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  let next = from;
  const stop = from + n;
  const worker = async (): Promise<void> => {
    while (next < stop) {
      if (Date.now() > end) throw new Error(`drive: deadline after ${next - from}/${n}`);
      const i = next++;
      await op(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

interface Growth {
  readonly perOpFirst: number;
  readonly perOpSecond: number;
}

/** Warm-up, then two legs of n uses; bytes retained per use on each leg. */
async function measure(label: string, warm: number, n: number, run: (from: number, count: number) => Promise<void>, probe: () => Promise<number> | number, settle: () => Promise<void> = async () => undefined): Promise<Growth> {
  await run(0, warm);
  await settle();
  const m0 = await probe();
  await run(warm, n);
  await settle();
  const m1 = await probe();
  await run(warm + n, n);
  await settle();
  const m2 = await probe();
  const g = { perOpFirst: (m1 - m0) / n, perOpSecond: (m2 - m1) / n };
  process.stdout.write(`[bounds] ${label}: base ${(m0 / 1e6).toFixed(2)} MB, +${((m1 - m0) / 1e3).toFixed(0)} KB, +${((m2 - m1) / 1e3).toFixed(0)} KB over ${n} uses each → ${g.perOpFirst.toFixed(0)} / ${g.perOpSecond.toFixed(0)} B/use\n`);
  return g;
}

/** The server retained less than `bound` bytes per use on the second leg; else fails naming its largest collections. */
async function expectServerBound(g: Growth, bound: number): Promise<void> {
  if (g.perOpSecond < bound) return;
  throw new Error(`server retained ${g.perOpSecond.toFixed(0)} B per use (bound ${bound}); largest collections:\n${await serverCollections()}`);
}

// ---------------------------------------------------------------------------------------------- SDK helpers

interface CountingStorage extends KeyValueStorage {
  keys(): number;
  bytes(): number;
}

function countingStorage(): CountingStorage {
  const map = new Map<string, string>();
  return {
    get: async (k) => map.get(k),
    set: async (k, v) => void map.set(k, v),
    remove: async (k) => void map.delete(k),
    keys: () => map.size,
    bytes: () => [...map].reduce((s, [k, v]) => s + k.length + v.length, 0),
  };
}

interface Sdk {
  readonly userId: string;
  readonly im: IMClient;
  readonly client: RongIMClientStatic;
  readonly storage: CountingStorage;
  readonly received: Message[];
  typingEvents: number;
  /** Resolves with the first received message `match` accepts from now on; rejects after `ms`. */
  next(match: (m: Message) => boolean, ms: number): Promise<Message>;
  connect(): Promise<void>;
}

async function sdk(name: string, app: TestApp = APP): Promise<Sdk> {
  const userId = `${name}-${STAMP}`;
  const t = await token(userId, app === APP ? api : idleApi);
  const storage = countingStorage();
  const { RongIMClient } = createRongIMLib(createNodeAdapter({ storage }));
  RongIMClient.init(app.key, null, { navi: server.url, logLevel: LogLevel.NONE });
  const waiters = new Set<(m: Message) => void>();
  const user: Sdk = {
    userId,
    im: RongIMClient.getInstance(),
    client: RongIMClient,
    storage,
    received: [],
    typingEvents: 0,
    next: (match, ms) =>
      new Promise<Message>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error('no matching message'));
        }, ms);
        const check = (m: Message): void => {
          if (!match(m)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(m);
        };
        waiters.add(check);
      }),
    connect: () =>
      new Promise<void>((resolve, reject) => {
        void RongIMClient.connect(t, { onSuccess: () => resolve(), onTokenIncorrect: () => reject(new Error('token')), onError: (c: number) => reject(new Error(`connect ${c}`)) });
      }),
  };
  RongIMClient.setOnReceiveMessageListener({
    onReceived: (m: Message) => {
      // Kept only while a probe needs them: the list itself would be retained growth.
      for (const w of [...waiters]) w(m);
    },
  });
  RongIMClient.setConnectionStatusListener({ onChanged: () => undefined });
  RongIMClient.setTypingStatusListener({ onChanged: () => void (user.typingEvents += 1) } as never);
  return user;
}

function cb<T = unknown>(invoke: (callback: { onSuccess: (v?: T) => void; onError: (code: number) => void }) => void, ms = 15_000): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('callback not called')), ms);
    invoke({
      onSuccess: (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      onError: (code) => {
        clearTimeout(timer);
        reject(new Error(`error ${code}`));
      },
    });
  });
}

// =============================================================================================== SERVER

describe('server: per-session / per-id / per-room state after many short-lived uses', () => {
  test('connect / publish / disconnect of 2×800 distinct users: no session left, nothing retained per user', async () => {
    const sessionsBefore = await metric('lianxin_connections');
    const cycle = async (i: number): Promise<void> => {
      const client = await connectRaw({ url: server.url, appKey: APP.key, token: await token(`cyc-${STAMP}-${i}`) });
      await client.publish('ppMsgP', `peer-${STAMP}-${i}`, upstream('RC:TxtMsg', { content: `m${i}` }), { qos: 1 });
      await client.close();
    };
    const g = await measure('server connect/publish/disconnect distinct users', 150, 800, (from, n) => drive(from, n, 16, cycle), serverHeap, () => sleep(300));
    expect(await metric('lianxin_connections')).toBe(sessionsBefore);
    await expectServerBound(g, 1000);
  });

  test('Server API calls naming 2×1000 distinct user ids (checkOnline, status publish to offline users) retain nothing per id', async () => {
    const op = async (i: number): Promise<void> => {
      const u = `api-${STAMP}-${i}`;
      await ok(api, 'user/checkOnline', { userId: u });
      await ok(api, 'statusmessage/private/publish', { fromUserId: `apis-${STAMP}-${i}`, toUserId: u, objectName: 'RC:TypSts', content: JSON.stringify({ typingContentType: 'RC:TxtMsg' }) });
    };
    const g = await measure('server api distinct ids', 200, 1000, (from, n) => drive(from, n, 16, op), serverHeap, () => sleep(200));
    await expectServerBound(g, 600);
  });

  test('comet sessions abandoned without closing (2×200) expire and leave nothing behind', async () => {
    const sessionsBefore = await metric('lianxin_connections');
    const op = async (i: number): Promise<void> => {
      const c = await connectComet({ url: server.url, appKey: APP.key, token: await token(`comet-${STAMP}-${i}`), poll: false });
      expect(c.connectReply['status']).toBe(0);
    };
    const settle = async (): Promise<void> => {
      const end = Date.now() + 15_000;
      while ((await metric('lianxin_connections')) > sessionsBefore && Date.now() < end) await sleep(100);
    };
    const g = await measure('server comet abandoned', 50, 200, (from, n) => drive(from, n, 8, op), serverHeap, settle);
    expect(await metric('lianxin_connections')).toBe(sessionsBefore);
    await expectServerBound(g, 1500);
  });

  test('2×400 chatrooms joined, a message each, quit, then destroyed by the Server API: nothing retained per room', async () => {
    const me = await sdk('room-server');
    await me.connect();
    const op = async (i: number): Promise<void> => {
      const room = `r-${STAMP}-${i}`;
      await cb((c) => me.im.joinChatRoom(room, 0, c));
      await ok(api, 'message/chatroom/publish', { fromUserId: `rs-${STAMP}`, toChatroomId: room, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x' }) });
      await cb((c) => me.im.quitChatRoom(room, c));
    };
    const run = async (from: number, n: number): Promise<void> => {
      await drive(from, n, 1, op);
      for (let at = from; at < from + n; at += 100) {
        await ok(api, 'chatroom/destroy', { chatroomId: Array.from({ length: Math.min(100, from + n - at) }, (_, k) => `r-${STAMP}-${at + k}`) });
      }
    };
    const g = await measure('server chatroom join/msg/quit + api destroy', 50, 400, run, serverHeap, () => sleep(1000));
    await me.im.disconnect();
    await expectServerBound(g, 1500);
  });

  test('2×400 chatrooms joined, a message each, quit, then idle-destroyed: nothing retained per destroyed room', async () => {
    const me = await sdk('room-idle', IDLE_APP);
    await me.connect();
    const op = async (i: number): Promise<void> => {
      const room = `ri-${STAMP}-${i}`;
      await cb((c) => me.im.joinChatRoom(room, 0, c));
      await ok(idleApi, 'message/chatroom/publish', { fromUserId: `ris-${STAMP}`, toChatroomId: room, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x' }) });
      await cb((c) => me.im.quitChatRoom(room, c));
    };
    let last = 0;
    const settle = async (): Promise<void> => {
      // The leg's last rooms destroyed (the oldest went first), then the destroy's own work done.
      const end = Date.now() + 15_000;
      for (;;) {
        const body = await ok<{ code: number; chatRooms?: unknown[] }>(idleApi, 'chatroom/query', { chatroomId: Array.from({ length: 20 }, (_, k) => `ri-${STAMP}-${last - 1 - k}`) });
        if ((body.chatRooms ?? []).length === 0) break;
        if (Date.now() > end) throw new Error(`rooms not destroyed: ${JSON.stringify(body).slice(0, 200)}`);
        await sleep(100);
      }
      await sleep(1000);
    };
    const run = async (from: number, n: number): Promise<void> => {
      await drive(from, n, 1, op);
      last = from + n;
    };
    const g = await measure('server chatroom join/msg/quit + idle destroy', 50, 400, run, serverHeap, settle);
    await me.im.disconnect();
    // What stays per destroyed room: ChatroomDistribution's cache entry (≈ 200 B; bounded, cleared wholesale at
    // 10,000 rooms, chatroom-distribution.ts), within the bound.
    await expectServerBound(g, 1500);
  });
});

// =============================================================================================== SDK

describe('SDK: one long-lived client', () => {
  test('2×600 chatroom join / message / quit cycles: every message delivered, nothing retained per room in the client', async () => {
    const me = await sdk('room-client');
    await me.connect();
    const handles0 = process.getActiveResourcesInfo().length;
    const missed: number[] = [];
    const op = async (i: number): Promise<void> => {
      const room = `c-${STAMP}-${i}`;
      await cb((c) => me.im.joinChatRoom(room, 0, c));
      // Published after the join's success answer: delivered to this member (count 0: nothing earlier).
      const delivered = me.next((m) => m.targetId === room, 3000).catch(() => void missed.push(i));
      await ok(api, 'message/chatroom/publish', { fromUserId: `cs-${STAMP}`, toChatroomId: room, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'x'.repeat(200) }) });
      await delivered;
      await cb((c) => me.im.quitChatRoom(room, c));
    };
    const g = await measure('sdk chatroom join/msg/quit', 100, 600, (from, n) => drive(from, n, 1, op), localHeap, () => sleep(300));
    const handles1 = process.getActiveResourcesInfo().length;
    process.stdout.write(`[bounds] sdk chatroom: storage ${me.storage.keys()} keys ${me.storage.bytes()} B; handles ${handles0} → ${handles1}\n`);
    await me.im.disconnect();
    expect(missed).toEqual([]);
    expect(handles1).toBeLessThanOrEqual(handles0 + 2);
    expect(me.storage.bytes()).toBeLessThan(4000);
    // ≈ 150–450 B/use measured (a leg's JIT and allocator state, ≈ 150–300 KB whatever its length); a room state
    // kept per room (pull state, its uid set, the KV copy) would be ≥ 1 KB.
    expect(g.perOpSecond).toBeLessThan(800);
  });

  test('2×100 disconnect / connect cycles of one client leave no handles, listeners or heap behind', async () => {
    const me = await sdk('recon');
    await me.connect();
    const resources0 = process.getActiveResourcesInfo().length;
    const op = async (): Promise<void> => {
      await me.im.disconnect();
      await me.connect();
    };
    const g = await measure('sdk disconnect/connect', 30, 100, (from, n) => drive(from, n, 1, op), localHeap, () => sleep(100));
    const resources1 = process.getActiveResourcesInfo().length;
    process.stdout.write(`[bounds] sdk reconnect: resources ${resources0} → ${resources1}; storage ${me.storage.keys()} keys ${me.storage.bytes()} B\n`);
    await me.im.disconnect();
    expect(resources1).toBeLessThanOrEqual(resources0 + 2);
    expect(me.storage.bytes()).toBeLessThan(4000);
    expect(g.perOpSecond).toBeLessThan(2000);
  });

  test('typing statuses from 2×800 distinct senders expire and retain nothing', async () => {
    const me = await sdk('typing');
    await me.connect();
    const op = async (i: number): Promise<void> => {
      await ok(api, 'statusmessage/private/publish', { fromUserId: `typ-${STAMP}-${i}`, toUserId: me.userId, objectName: 'RC:TypSts', content: JSON.stringify({ typingContentType: 'RC:TxtMsg' }) });
    };
    // Typing entries expire after 2 s (checked every 500 ms).
    const g = await measure('sdk typing distinct senders', 200, 800, (from, n) => drive(from, n, 8, op), localHeap, () => sleep(2600));
    process.stdout.write(`[bounds] sdk typing: events ${me.typingEvents}, storage ${me.storage.keys()} keys ${me.storage.bytes()} B\n`);
    await me.im.disconnect();
    expect(me.typingEvents).toBeGreaterThanOrEqual(1800);
    // The receive dedupe memory persisted (RecentUids, capped at 2,000 uids ≈ 44 KB): bounded, not per sender.
    expect(me.storage.bytes()).toBeLessThan(60_000);
    expect(g.perOpSecond).toBeLessThan(400);
  });
});
