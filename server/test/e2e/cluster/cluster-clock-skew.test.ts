/**
 * A cluster whose nodes' wall clocks disagree (docs/SCALING.md: message times come from the app's shared clock,
 * not-stored ones included). Four nodes on one PostgreSQL + Redis, each started with a
 * preload that shifts Date by a constant offset: n1 0, n2 +30 s, n3 −30 s, n4 +1.5 s. Clients connect to a node's own
 * port to target it. Each concern uses its own app, so the per-app message clock of one test does not leak into another.
 */
import net from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeByName, encodeByName, type PublishFrame } from '../../../../src/internal';
import { connectRaw, type RawClient } from '../../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../../test/support/server-api-client';
import { REPO_ROOT, startSingleServer, type RunningServer, type TestApp } from '../../../../test/support/server-launcher';
import { startPostgres, type RunningPostgres } from '../../../../test/support/engines/postgres-server';
import { startRedis, type RunningRedis } from '../../../../test/support/engines/redis-server';
import { startBalancer, type RunningBalancer } from '../../../../test/support/engines/tcp-balancer';
import { launchOfficialClient, killAllOfficialClients } from '../../../../test/support/official-client/launch-official-client';
import { isPush, tokenFor, uniqueId, upstream, waitFor } from '../e2e-support';
import { joinOk, pull as roomPull } from '../chatroom-support';
import { clusterAvailable, skipClusterSuite } from './cluster-support';

const SKEWS = [0, 30_000, -30_000, 1_500];
const app = (name: string, options: Record<string, string | number | boolean> = {}): TestApp => ({
  key: `lxsk${name}`,
  secret: `lxsk${name}secret`,
  options: { multiDevice: true, maxSendRate: 1000, ...options },
});
const ORDER = app('order');
const ROOM = app('room');
const ROOM15 = app('roomb');
const TRANS = app('trans');
const TRANS15 = app('transb');
const TRANSCTL = app('transc');
const RECALL = app('recall', { recallWindowMs: 5000 });
const READ = app('read');
const BLOCK = app('block');
const APPS = [ORDER, ROOM, ROOM15, TRANS, TRANS15, TRANSCTL, RECALL, READ, BLOCK];


const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const say = (content: string, flags = 3): Uint8Array => upstream('RC:TxtMsg', { content }, flags);
const contentOf = (m: { content: Uint8Array }): string => (JSON.parse(Buffer.from(m.content).toString('utf8')) as { content?: string }).content ?? '';

interface SwitchProxy {
  port: number;
  target: number;
  offline: boolean;
  reset(): void;
  close(): Promise<void>;
}

async function startSwitchProxy(target: number): Promise<SwitchProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (proxy.offline) {
      client.destroy();
      return;
    }
    const up = net.connect(proxy.target, '127.0.0.1');
    client.pipe(up);
    up.pipe(client);
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        up.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: SwitchProxy = {
    port: (server.address() as net.AddressInfo).port,
    target,
    offline: false,
    reset: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: async () => {
      proxy.reset();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

if (!clusterAvailable()) {
  skipClusterSuite('clock skew');
} else {
  jest.setTimeout(120_000);
  let pg: RunningPostgres;
  let redis: RunningRedis;
  let lb: RunningBalancer;
  let proxy: SwitchProxy;
  const nodes: RunningServer[] = [];
  const clients: RawClient[] = [];

  beforeAll(async () => {
    const preload = join(REPO_ROOT, 'test', 'support', 'shifted-clock.cjs');
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    const storeUrl = await pg.createDatabase('clockskew');
    lb = await startBalancer();
    proxy = await startSwitchProxy(0);
    for (let i = 0; i < SKEWS.length; i++) {
      const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(preload).href}`.trim();
      const node = await startSingleServer({
        apps: APPS,
        args: [
          '--store', storeUrl, '--broker', redis.url, '--node-id', `n${i + 1}`,
          // n1 advertises the switchable proxy (the official client's CMP host); the others the balancer.
          ...(i === 0 ? ['--public-host', `127.0.0.1:${proxy.port}`] : ['--public-url', lb.url]),
        ],
        env: { LX_CLOCK_OFFSET_MS: String(SKEWS[i]), NODE_OPTIONS: nodeOptions },
        startTimeoutMs: 60_000,
      });
      nodes.push(node);
    }
    proxy.target = nodes[0]!.port;
    lb.setBackends(nodes.map((n) => ({ host: n.host, port: n.port })));
    await lb.check();
  }, 240_000);

  afterEach(async () => {
    await killAllOfficialClients();
    await Promise.all(clients.splice(0).map((c) => c.close()));
    if (proxy !== undefined) {
      proxy.offline = false;
      proxy.target = nodes[0]?.port ?? 0;
    }
  });

  afterAll(async () => {
    await killAllOfficialClients();
    await proxy?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await lb?.stop();
    await redis?.stop();
    await pg?.stop();
  }, 60_000);

  const api = (a: TestApp, i: number): ServerApiClient => serverApi(nodes[i]!.url, a.key, a.secret);
  const connect = async (a: TestApp, i: number, userId: string, sdkVer?: string): Promise<RawClient> => {
    const client = await connectRaw({ url: nodes[i]!.url, appKey: a.key, token: await tokenFor(api(a, i), userId), ...(sdkVer ? { sdkVer } : {}) });
    clients.push(client);
    expect(client.connack.status).toBe(0);
    expect(client.connack.sessionId?.startsWith(`n${i + 1}.`)).toBe(true);
    return client;
  };
  const pullFrom = async (client: RawClient, syncTime: number) => {
    const res = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }), { timeoutMs: 15_000 });
    expect(res.status).toBe(0);
    const out = decodeByName('DownStreamMessages', res.payload);
    return { list: out.list, syncTime: Number(out.syncTime), finished: out.finished };
  };

  it('sanity: the nodes really run skewed clocks (PUBACK time of a not-stored send)', async () => {
    const times: number[] = [];
    const peer = uniqueId('peer');
    for (let i = 0; i < SKEWS.length; i++) {
      const c = await connect(ORDER, i, uniqueId(`s${i}`));
      const before = Date.now();
      const ack = await c.publish('ppMsgP', peer, upstream('RC:TypSts', { typingContentType: 'RC:TxtMsg' }, 0));
      expect(ack.status).toBe(0);
      const t = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
      times.push(t - before);
    }
    for (let i = 0; i < SKEWS.length; i++) expect(Math.abs((times[i] ?? 0) - (SKEWS[i] ?? 0))).toBeLessThan(1000);
  });

  it('private messages sent alternately through +30 s, −30 s, +1.5 s and 0 nodes reach a recipient (incremental pulls) all, once, in send order, strictly increasing times', async () => {
    const bob = uniqueId('bob');
    const rx = await connect(ORDER, 0, bob);
    const senders = await Promise.all([1, 2, 3, 0].map((i) => connect(ORDER, i, uniqueId(`al${i}`))));
    const got: string[] = [];
    const times: number[] = [];
    let cursor = (await pullFrom(rx, 0)).syncTime;
    const sent: string[] = [];
    for (let k = 0; k < 24; k++) {
      const s = senders[k % senders.length]!;
      const ack = await s.publish('ppMsgP', bob, say(`m${k}`));
      expect(ack.status).toBe(0);
      sent.push(`m${k}`);
      if (k % 3 === 2) {
        for (let p = 0; p < 10; p++) {
          const page = await pullFrom(rx, cursor);
          for (const m of page.list) {
            got.push(contentOf(m));
            times.push(Number(m.dataTime));
          }
          cursor = page.syncTime;
          if (page.finished !== false) break;
        }
      }
    }
    expect(got).toEqual(sent);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    // History (server API) of the conversation is in the same order.
    const full = await pullFrom(rx, 0);
    expect(full.list.map(contentOf)).toEqual(sent);
  });

  it('chatroom messages sent through skewed nodes are pulled incrementally by a member on another node: none skipped, in order', async () => {
    const roomId = uniqueId('room');
    expect((await api(ROOM, 0).post('/chatroom/create.json', { [`chatroom[${roomId}]`]: roomId })).status).toBe(200);
    const member = await connect(ROOM, 0, uniqueId('mem'), '2.9.2');
    await joinOk(member, roomId);
    let cursor = (await roomPull(member, roomId, 0, 10)).syncTime;
    const senders = await Promise.all([1, 2, 3].map(async (i) => {
      const c = await connect(ROOM, i, uniqueId(`rs${i}`), '2.9.2');
      await joinOk(c, roomId);
      return c;
    }));
    const sent: string[] = [];
    const got: string[] = [];
    for (let k = 0; k < 18; k++) {
      const ack = await senders[k % 3]!.publish('chatMsg', roomId, say(`r${k}`));
      expect(ack.status).toBe(0);
      sent.push(`r${k}`);
      if (k % 2 === 1) {
        for (let p = 0; p < 10; p++) {
          const page = await roomPull(member, roomId, cursor, 10);
          expect(page.status).toBe(0);
          got.push(...page.list.map(contentOf));
          cursor = page.syncTime;
          if (page.finished !== false) break;
        }
      }
    }
    expect(got).toEqual(sent);
  });

  /**
   * The join pull (syncTime 0) is "the latest `count` messages + everything since joinTime" (room-pull.ts): joinTime
   * is the joining node's wall clock, room messages are timed by the room clock (the appending node's wall clock
   * at least). Joined through a node 30 s ahead, the live part since joinTime is empty; what was sent between the
   * join and the first pull (beyond the `count` history) is behind the cursor the join pull answers with.
   */
  const joinThenPull = async (a: TestApp, joinNode: number, sendNode: number): Promise<{ sent: string[]; got: string[] }> => {
    const roomId = uniqueId('jr');
    expect((await api(a, 0).post('/chatroom/create.json', { [`chatroom[${roomId}]`]: roomId })).status).toBe(200);
    const sender = await connect(a, sendNode, uniqueId('snd'), '2.9.2');
    await joinOk(sender, roomId);
    for (let k = 0; k < 5; k++) expect((await sender.publish('chatMsg', roomId, say(`old${k}`))).status).toBe(0);
    const member = await connect(a, joinNode, uniqueId('late'), '2.9.2');
    await joinOk(member, roomId);
    // Live traffic after the join, before the member's first pull (the member is notified of it; E4 pulls once joined).
    const sent: string[] = [];
    for (let k = 0; k < 12; k++) {
      expect((await sender.publish('chatMsg', roomId, say(`live${k}`))).status).toBe(0);
      sent.push(`live${k}`);
    }
    const first = await roomPull(member, roomId, 0, 10);
    expect(first.status).toBe(0);
    const got = first.list.map(contentOf);
    // Continue from the cursor the server gave, as a client does.
    let cursor = first.syncTime;
    for (let p = 0; p < 10 && first.finished !== false; p++) {
      const page = await roomPull(member, roomId, cursor, 10);
      got.push(...page.list.map(contentOf));
      cursor = page.syncTime;
      if (page.finished !== false) break;
    }
    return { sent, got: got.filter((t) => t.startsWith('live')) };
  };

  it('control: a member joining through the 0-skew node gets every live message sent after its join', async () => {
    const { sent, got } = await joinThenPull(ROOM, 0, 0);
    expect(got).toEqual(sent);
  });

  it('a chatroom member joining through a node 30 s ahead still gets the live messages sent (through a 0-skew node) between its join and its first pull (the join moves the room clock)', async () => {
    const { sent, got } = await joinThenPull(ROOM, 1, 0);
    expect(got).toEqual(sent);
  });

  it('the same with +1.5 s of skew on the joining node', async () => {
    const { sent, got } = await joinThenPull(ROOM15, 3, 0);
    expect(got).toEqual(sent);
  });

  /**
   * The official 2.9.2 client (engine 4.4.2) moves its inbox cursor to a pushed not-stored message's time. A node
   * ahead stamps it in the future, so it moves the app's shared clock to that time before delivering it: stored
   * messages sent after it (real time) through other nodes are timed after it. Otherwise, with the client offline
   * and back on another node (the pull-mark hand-over is same-node only), its pull from that cursor would skip them.
   */
  const transientThenOffline = async (a: TestApp, transientNode: number, storedNode: number, reconnectNode: number): Promise<number> => {
    proxy.target = nodes[0]!.port;
    const client = await launchOfficialClient({ appKey: a.key, navi: nodes[0]!.url, label: 'official', trace: true });
    const userId = uniqueId('alice');
    const bob = uniqueId('bob');
    const token = await tokenFor(api(a, 0), userId);
    expect(await client.connect(token)).toEqual({ ok: true, userId });
    await client.waitForLog(/pullMsg success/, 10_000);
    await client.settle(300);
    const live = await api(a, transientNode).post<{ code: number }>('/message/private/publish.json', {
      fromUserId: bob, toUserId: userId, objectName: 'App:Live', content: JSON.stringify({ n: 1 }), isPersisted: 0,
    });
    expect(live.body.code).toBe(200);
    await waitFor(() => client.messages.some((m) => m.objectName === 'App:Live'), 10_000, 'the not-stored message');
    // Offline: the socket drops and reconnects are refused for a moment.
    const statusesBefore = client.statuses.length;
    proxy.offline = true;
    proxy.reset();
    const stored = await api(a, storedNode).post<{ code: number }>('/message/private/publish.json', {
      fromUserId: bob, toUserId: userId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'while offline' }),
    });
    expect(stored.body.code).toBe(200);
    // Back online, on another node.
    proxy.target = nodes[reconnectNode]!.port;
    proxy.offline = false;
    await waitFor(() => client.statuses.slice(statusesBefore).at(-1) === 0, 40_000, 'the reconnect');
    const count = (): number => client.messages.filter((m) => m.objectName === 'RC:TxtMsg').length;
    await waitFor(() => count() > 0, 8_000, 'the stored message').catch(() => undefined);
    await client.settle(500);
    return count();
  };

  it('control: 2.9.2 client, not-stored message through the 0-skew node, offline, a stored one, back on another node: received once', async () => {
    expect(await transientThenOffline(TRANSCTL, 0, 0, 2)).toBe(1);
  });

  it('2.9.2 client, not-stored message through the +30 s node, offline, a stored one through the 0-skew node, back on another node: received once (the not-stored message moved the app clock)', async () => {
    expect(await transientThenOffline(TRANS, 1, 0, 2)).toBe(1);
  });

  it('the same with the not-stored message through the +1.5 s node', async () => {
    expect(await transientThenOffline(TRANS15, 3, 0, 2)).toBe(1);
  });

  it('2.9.2 client, a stored message, then a not-stored one through the −30 s node, then another stored one: each stored message received once', async () => {
    const a = TRANSCTL;
    proxy.target = nodes[0]!.port;
    const client = await launchOfficialClient({ appKey: a.key, navi: nodes[0]!.url, label: 'official', trace: true });
    const userId = uniqueId('dup');
    const bob = uniqueId('dupb');
    expect(await client.connect(await tokenFor(api(a, 0), userId))).toEqual({ ok: true, userId });
    await client.waitForLog(/pullMsg success/, 10_000);
    await client.settle(300);
    const post = (i: number, body: Record<string, unknown>) => api(a, i).post<{ code: number }>('/message/private/publish.json', { fromUserId: bob, toUserId: userId, ...body });
    const texts = (): string[] => client.messages.filter((m) => m.objectName === 'RC:TxtMsg').map((m) => (m.content as { content?: string }).content ?? '');
    expect((await post(0, { objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'first' }) })).body.code).toBe(200);
    await waitFor(() => texts().includes('first'), 10_000, 'first');
    await client.settle(300);
    expect((await post(2, { objectName: 'App:Live', content: JSON.stringify({ n: 2 }), isPersisted: 0 })).body.code).toBe(200);
    await waitFor(() => client.messages.some((m) => m.objectName === 'App:Live'), 10_000, 'the not-stored message');
    expect((await post(0, { objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'second' }) })).body.code).toBe(200);
    await waitFor(() => texts().includes('second'), 10_000, 'second').catch(() => undefined);
    await client.settle(800);
    expect(texts()).toEqual(['first', 'second']);
  });

  it('recall window (5 s) — a message sent through the 0-skew node, recall asked through the −30 s / +30 s nodes', async () => {
    const alice = uniqueId('ra');
    const bob = uniqueId('rb');
    const a0 = await connect(RECALL, 0, alice);
    const recallThrough = async (i: number, uid: string, sentTime: number): Promise<number> => {
      const c = await connect(RECALL, i, alice);
      const content = { conversationType: 1, targetId: bob, messageUId: uid, sentTime };
      const ack = await c.publish('recallMsg', alice, upstream('RC:RcCmd', content, 0));
      return ack.status ?? -1;
    };
    const fresh = await a0.publish('ppMsgP', bob, say('to recall'));
    const freshTime = (fresh.date ?? 0) * 1000 + (fresh.millisecond ?? 0);
    // Within the window by real time, refused by the +30 s node (window shortened by the skew): reported, not asserted.
    const viaFast = await recallThrough(1, fresh.messageUId ?? '', freshTime);
    const old = await a0.publish('ppMsgP', bob, say('old'));
    await sleep(6000);
    const viaSlow = await recallThrough(2, old.messageUId ?? '', (old.date ?? 0) * 1000 + (old.millisecond ?? 0));
    console.log(`recall: fresh via +30 s node status ${viaFast}; 6 s old via −30 s node status ${viaSlow}`);
    expect([viaFast, viaSlow].every((s) => typeof s === 'number')).toBe(true);
  });

  it('read-status sync (lxReadPos) through a node behind the app clock still covers the newest message', async () => {
    const alice = uniqueId('rda');
    const bob = uniqueId('rdb');
    const s = await connect(READ, 1, bob); // +30 s: pushes the app clock ahead
    const ack = await s.publish('ppMsgP', alice, say('read me'));
    expect(ack.status).toBe(0);
    const t = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
    const r = await connect(READ, 2, alice); // −30 s node
    const res = await r.query('lxReadPos', alice, encodeByName('ReadPositionReq', { since: 0, items: [{ type: 1, targetId: bob, readTime: t }] }));
    expect(res.status).toBe(0);
    const out = decodeByName('ReadPositionOutput', res.payload);
    const item = out.items.find((i) => i.targetId === bob);
    expect(Number(item?.readTime)).toBe(t);
  });

  it('user/block for 1 minute made through the −30 s node: refused there; measured on the +30 s node', async () => {
    const u = uniqueId('blk');
    const token = await tokenFor(api(BLOCK, 0), u);
    expect((await api(BLOCK, 2).post<{ code: number }>('/user/block.json', { userId: u, minute: 1 })).body.code).toBe(200);
    const onSame = await connectRaw({ url: nodes[2]!.url, appKey: BLOCK.key, token });
    const onFast = await connectRaw({ url: nodes[1]!.url, appKey: BLOCK.key, token });
    clients.push(onSame, onFast);
    console.log(`block made on −30 s node for 1 min: CONNACK on that node ${onSame.connack.status}, on the +30 s node ${onFast.connack.status}`);
    // Refused where it was made; on a node 60 s ahead of it the 1-minute block has already run out (window degraded
    // by the skew, reported, not asserted).
    expect(onSame.connack.status).not.toBe(0);
  });

  it('an s_ntf time from a node ahead is reached by the next pull answer (no E4 pull loop)', async () => {
    const bob = uniqueId('nb');
    const rx = await connect(ORDER, 2, bob, '2.9.2'); // −30 s node
    const tx = await connect(ORDER, 1, uniqueId('na')); // +30 s node
    await pullFrom(rx, 0);
    const ack = await tx.publish('ppMsgP', bob, say('ntf'));
    expect(ack.status).toBe(0);
    const frame = await rx.nextFrame<PublishFrame>(isPush('s_ntf'), 10_000);
    const ntf = decodeByName('NotifyMsg', frame.payload);
    const page = await pullFrom(rx, 0);
    expect(page.syncTime).toBeGreaterThanOrEqual(Number(ntf.time));
  });
}
