/**
 * Cross-node consistency on a 3-node cluster (PostgreSQL + Redis), as SCALING.md §7 and OPERATIONS.md promise:
 * single-device kicks (also of two logins in the same millisecond), multi-device echoes, group and chatroom mutes
 * made through another node, token expiry and blocks, message order of concurrent senders on two nodes, chatroom
 * state seen from every node, console app changes, and a node killed with SIGKILL.
 */
import { decodeByName, encodeByName, type DisconnectFrame, type PublishFrame } from '../../../../src/internal';
import { connectRaw, type RawClient } from '../../../../test/support/raw-client';
import { serverApi } from '../../../../test/support/server-api-client';
import type { TestApp } from '../../../../test/support/server-launcher';
import { isPush, tokenFor, uniqueId, upstream, waitFor } from '../e2e-support';
import { encodeByName as enc } from '../../../../src/internal';
import { info as roomInfo, joinOk, pull as roomPull, quit as roomQuit, send as sendRoom } from '../chatroom-support';
import { clusterAvailable, skipClusterSuite, useCluster } from './cluster-support';

const SINGLE: TestApp = { key: 'lxconsingle', secret: 'lxconsinglesecret', options: { multiDevice: false, maxSendRate: 1000 } };
const MULTI: TestApp = { key: 'lxconmulti', secret: 'lxconmultisecret', options: { multiDevice: true, maxSendRate: 1000 } };

const say = (content: string): Uint8Array => upstream('RC:TxtMsg', { content });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sentTime = (ack: { date?: number | null; millisecond?: number | null }): number => (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
const disconnects = (c: RawClient): DisconnectFrame[] => c.frames.filter((f) => f.kind === 'disconnect') as DisconnectFrame[];

if (!clusterAvailable()) {
  skipClusterSuite('cluster consistency');
} else {
  jest.setTimeout(120_000);
  const suite = useCluster({ nodes: 3, database: 'consistency', apps: [SINGLE, MULTI] });
  const api = (app: TestApp, i = 0) => serverApi(suite.cluster.node(i).url, app.key, app.secret);
  const connect = async (app: TestApp, i: number, userId: string): Promise<RawClient> => {
    const client = await connectRaw({ url: suite.cluster.node(i).url, appKey: app.key, token: await tokenFor(api(app, i), userId) });
    suite.clients.push(client);
    expect(client.connack.status).toBe(0);
    // The session id names the node that owns it.
    expect(client.connack.sessionId?.startsWith(`n${i + 1}.`)).toBe(true);
    return client;
  };
  const pullInbox = async (client: RawClient) => {
    const res = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }), { timeoutMs: 15_000 });
    expect(res.status).toBe(0);
    return decodeByName('DownStreamMessages', res.payload).list;
  };

  describe('multi-device kick across nodes', () => {
    it('single-device: a login on node 2 kicks the node-1 session exactly once; node 3 then kicks node 2; the newest survives and works', async () => {
      const u = uniqueId('sd');
      const peer = uniqueId('peer');
      const first = await connect(SINGLE, 0, u);
      await first.ping();
      const second = await connect(SINGLE, 1, u);
      await second.ping();
      const kick1 = await first.nextFrame<DisconnectFrame>((f) => f.kind === 'disconnect', 10_000);
      expect(kick1.reason).toBe(1);
      await first.closed;
      const third = await connect(SINGLE, 2, u);
      await third.ping();
      const kick2 = await second.nextFrame<DisconnectFrame>((f) => f.kind === 'disconnect', 10_000);
      expect(kick2.reason).toBe(1);
      await sleep(1500);
      expect(disconnects(first)).toHaveLength(1);
      expect(disconnects(second)).toHaveLength(1);
      expect(disconnects(third)).toHaveLength(0);
      expect(third.isClosed).toBe(false);
      // The survivor receives from a peer on node 1 and sends.
      const cp = await connect(SINGLE, 0, peer);
      const ack = await cp.publish('ppMsgP', u, say('to the survivor'));
      expect(ack.status).toBe(0);
      await third.nextFrame(isPush('s_ntf'), 10_000);
      expect((await pullInbox(third)).map((m) => m.msgId)).toEqual([ack.messageUId]);
      expect((await third.publish('ppMsgP', peer, say('from the survivor'))).status).toBe(0);
      expect((await api(SINGLE, 1).post<{ status: string }>('user/checkOnline', { userId: u })).body.status).toBe('1');
    });

    it('single-device: two logins of one user arriving at the same time on two nodes leave exactly one session (10 rounds)', async () => {
      const token = async (u: string): Promise<string> => tokenFor(api(SINGLE), u);
      const outcomes: string[] = [];
      for (let round = 0; round < 10; round++) {
        const u = uniqueId('race');
        const t = await token(u);
        const [a, b] = await Promise.all([0, 1].map((i) => connectRaw({ url: suite.cluster.node(i).url, appKey: SINGLE.key, token: t })));
        suite.clients.push(a as RawClient, b as RawClient);
        await Promise.all([a, b].map((c) => c?.ping().catch(() => undefined)));
        await sleep(2500);
        const alive = [a, b].filter((c) => c !== undefined && !c.isClosed && disconnects(c).length === 0).length;
        outcomes.push(`${round}:${alive}`);
        await Promise.all([a, b].map((c) => c?.close()));
      }
      expect(outcomes.filter((o) => !o.endsWith(':1'))).toEqual([]);
    });

    it('multi-device: web sessions on two nodes both stay; a message reaches both; a send on one is echoed to the other', async () => {
      const [u, peer] = [uniqueId('md'), uniqueId('mdp')];
      const d1 = await connect(MULTI, 0, u);
      await d1.ping();
      const d2 = await connect(MULTI, 1, u);
      await d2.ping();
      await sleep(2000);
      expect(disconnects(d1)).toEqual([]);
      expect(d1.isClosed).toBe(false);
      const cp = await connect(MULTI, 2, peer);
      const ack = await cp.publish('ppMsgP', u, say('to both devices'));
      expect(ack.status).toBe(0);
      for (const d of [d1, d2]) {
        await d.nextFrame(isPush('s_ntf'), 10_000);
        expect((await pullInbox(d)).map((m) => m.msgId)).toEqual([ack.messageUId]);
      }
      const sent = await d1.publish('ppMsgP', peer, say('echo me'));
      expect(sent.status).toBe(0);
      const echo = await d2.nextFrame<PublishFrame>((f) => f.kind === 'publish' && (f as PublishFrame).topic === 'ppMsgP', 10_000);
      expect(echo.targetId).toBe(peer);
    });

    it('multi-device: a quit on node 1 keeps the user in the room while her device on node 2 is logged in', async () => {
      const u = uniqueId('mq');
      const other = uniqueId('mqo');
      const room = uniqueId('mqroom');
      const d1 = await connect(MULTI, 0, u);
      const d2 = await connect(MULTI, 1, u);
      const o = await connect(MULTI, 2, other);
      await joinOk(d1, room);
      await joinOk(d2, room);
      await joinOk(o, room);
      expect((await roomQuit(d1, room)).status).toBe(0);
      await sleep(500);
      const members = await api(MULTI, 2).post<{ users?: { id: string }[] }>('/chatroom/user/query.json', { chatroomId: room, count: 10, order: 1 });
      expect((members.body.users ?? []).map((x) => x.id).sort()).toEqual([u, other].sort());
      const ack = await sendRoom(o, room, 'RC:TxtMsg', { content: 'still there?' });
      expect(ack.status).toBe(0);
      await waitFor(async () => (await roomPull(d2, room, 0, 10)).list.some((m) => m.msgId === ack.messageUId), 10_000, 'd2 pulls the room message');
      const counted = await roomInfo(o, room, 10, 1);
      expect(counted.output?.userTotalNums).toBe(2);
    });
  });

  describe('Server API on one node, sessions on another', () => {
    it('group/ban/add through node 1 refuses the next group send on node 2; group/user/gag/add through node 3 refuses a member on node 1', async () => {
      const [a, b, g] = [uniqueId('ga'), uniqueId('gb'), uniqueId('g')];
      expect((await api(SINGLE, 2).post('group/create', { userId: [a, b], groupId: g, groupName: 'G' })).body.code).toBe(200);
      const ca = await connect(SINGLE, 1, a);
      const cb = await connect(SINGLE, 0, b);
      expect((await ca.publish('pgMsgP', g, say('before'))).status).toBe(0);
      expect((await api(SINGLE, 0).post('group/ban/add', { groupId: g })).body.code).toBe(200);
      expect((await ca.publish('pgMsgP', g, say('muted group'))).status).not.toBe(0);
      expect((await api(SINGLE, 1).post('group/ban/rollback', { groupId: g })).body.code).toBe(200);
      expect((await ca.publish('pgMsgP', g, say('after'))).status).toBe(0);
      expect((await api(SINGLE, 2).post('group/user/gag/add', { groupId: g, userId: b, minute: 10 })).body.code).toBe(200);
      expect((await cb.publish('pgMsgP', g, say('gagged'))).status).not.toBe(0);
      expect((await ca.publish('pgMsgP', g, say('a still talks'))).status).toBe(0);
    });

    it('chatroom/user/ban/add (global) through node 1 refuses the member on node 2 at once; the whole-room mute through node 3 too', async () => {
      const room = uniqueId('banroom');
      const [a, b] = [uniqueId('cba'), uniqueId('cbb')];
      const ca = await connect(SINGLE, 1, a);
      const cb = await connect(SINGLE, 2, b);
      await joinOk(ca, room);
      await joinOk(cb, room);
      expect((await sendRoom(ca, room, 'RC:TxtMsg', { content: 'hi' })).status).toBe(0);
      expect((await api(SINGLE, 0).post('/chatroom/user/ban/add.json', { userId: a, minute: 10 })).body.code).toBe(200);
      expect((await sendRoom(ca, room, 'RC:TxtMsg', { content: 'banned' })).status).toBe(23408);
      expect((await sendRoom(cb, room, 'RC:TxtMsg', { content: 'b fine' })).status).toBe(0);
      expect((await api(SINGLE, 2).post('/chatroom/ban/add.json', { chatroomId: room })).body.code).toBe(200);
      expect((await sendRoom(cb, room, 'RC:TxtMsg', { content: 'room muted' })).status).toBe(23408);
    });

    it('user/token/expire through node 1: the session on node 2 stays connected; the old token is refused on node 3 (CONNACK 10)', async () => {
      const u = uniqueId('te');
      const t = await tokenFor(api(SINGLE), u);
      const live = await connectRaw({ url: suite.cluster.node(1).url, appKey: SINGLE.key, token: t });
      suite.clients.push(live);
      expect(live.connack.status).toBe(0);
      await sleep(20);
      expect((await api(SINGLE, 0).post('user/token/expire', { userId: u, time: Date.now() })).body.code).toBe(200);
      const again = await connectRaw({ url: suite.cluster.node(2).url, appKey: SINGLE.key, token: t });
      suite.clients.push(again);
      expect(again.connack.status).toBe(10);
      await live.ping();
      expect(live.isClosed).toBe(false);
    });

    it('user/block through node 3 kicks (DISCONNECT 2) both devices on nodes 1 and 2 within 2 s; a reconnect is refused', async () => {
      const u = uniqueId('blk');
      const d1 = await connect(MULTI, 0, u);
      const d2 = await connect(MULTI, 1, u);
      const started = Date.now();
      expect((await api(MULTI, 2).post('user/block', { userId: u, minute: 5 })).body.code).toBe(200);
      for (const d of [d1, d2]) {
        const frame = await d.nextFrame<DisconnectFrame>((f) => f.kind === 'disconnect', 5000);
        expect(frame.reason).toBe(2);
      }
      expect(Date.now() - started).toBeLessThan(2000);
      const again = await connectRaw({ url: suite.cluster.node(2).url, appKey: MULTI.key, token: await tokenFor(api(MULTI), u) });
      suite.clients.push(again);
      expect(again.connack.status).not.toBe(0);
    });
  });

  describe('ordering across nodes', () => {
    it('group senders on two nodes sending at once: the recipient on node 3 gets every message, sentTime strictly increasing, uids distinct', async () => {
      const [x, y, r, g] = [uniqueId('ox'), uniqueId('oy'), uniqueId('or'), uniqueId('og')];
      expect((await api(SINGLE).post('group/create', { userId: [x, y, r], groupId: g, groupName: 'O' })).body.code).toBe(200);
      const cx = await connect(SINGLE, 0, x);
      const cy = await connect(SINGLE, 1, y);
      const cr = await connect(SINGLE, 2, r);
      const burst = async (c: RawClient, who: string) => Promise.all(Array.from({ length: 25 }, (_, i) => c.publish('pgMsgP', g, say(`${who}${i}`), { timeoutMs: 20_000 })));
      const [ax, ay] = await Promise.all([burst(cx, 'x'), burst(cy, 'y')]);
      expect([...ax, ...ay].every((a) => a.status === 0)).toBe(true);
      const acked = [...ax, ...ay].map((a) => a.messageUId);
      let list: Awaited<ReturnType<typeof pullInbox>> = [];
      await waitFor(async () => (list = await pullInbox(cr)).length >= 50, 20_000, 'all 50 in r\'s inbox');
      const times = list.map((m) => Number(m.dataTime));
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
      expect(new Set(list.map((m) => m.msgId)).size).toBe(50);
      expect(new Set(list.map((m) => m.msgId))).toEqual(new Set(acked));
      // Per sender, the order of its acks is the order in the inbox.
      const order = (who: string) => list.filter((m) => m.fromUserId === who).map((m) => m.msgId);
      expect(order(x)).toEqual(ax.map((a) => a.messageUId));
      expect(order(y)).toEqual(ay.map((a) => a.messageUId));
      const ackTimes = [...ax, ...ay].map(sentTime);
      expect(new Set(ackTimes).size).toBe(50);
    });
  });

  describe('chatroom state seen from each node', () => {
    it('members joined on three nodes: every node counts the same; a quit on node 2 is counted everywhere; KV set on node 1 is pulled on node 3', async () => {
      const room = uniqueId('cnt');
      const users = [uniqueId('c0'), uniqueId('c1'), uniqueId('c2')];
      const cs = [await connect(SINGLE, 0, users[0] ?? ''), await connect(SINGLE, 1, users[1] ?? ''), await connect(SINGLE, 2, users[2] ?? '')];
      for (const c of cs) await joinOk(c, room);
      for (const c of cs) expect((await roomInfo(c, room, 10, 1)).output?.userTotalNums).toBe(3);
      expect((await roomQuit(cs[1] as RawClient, room)).status).toBe(0);
      await waitFor(async () => (await roomInfo(cs[0] as RawClient, room, 10, 1)).output?.userTotalNums === 2, 5000, 'count 2 on node 1');
      expect((await roomInfo(cs[2] as RawClient, room, 10, 1)).output?.userTotalNums).toBe(2);
      const set = await (cs[0] as RawClient).query('setKV', room, enc('SetChrmKV', { entry: { key: 'title', value: 'Live!' } }));
      expect(set.status).toBe(0);
      const kv = await (cs[2] as RawClient).query('pullKV', room, enc('QueryChrmKV', { timestamp: 0 }));
      expect(kv.status).toBe(0);
      expect(JSON.stringify(decodeByName('ChrmKVOutput', kv.payload))).toContain('Live!');
      // The quitter on node 2 no longer pulls.
      expect((await roomPull(cs[1] as RawClient, room, 0, 10)).status).toBe(23406);
    });
  });

  describe('admin console on one node', () => {
    it('an app created through node 1\'s console is accepted on node 2; disabling it disconnects its session on node 2 within the refresh (5 s)', async () => {
      const password = (await suite.cluster.node(0).stderrMatch(/console admin password: (\S+)/))[1] ?? '';
      const H = { 'content-type': 'application/json', 'x-lianxin-console': '1' };
      const login = await fetch(`${suite.cluster.node(0).url}/console/api/login`, { method: 'POST', headers: H, body: JSON.stringify({ password }) });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const post = async (path: string, body: unknown = {}) => {
        const res = await fetch(`${suite.cluster.node(0).url}${path}`, { method: 'POST', headers: { ...H, cookie }, body: JSON.stringify(body) });
        return { status: res.status, json: (await res.json()) as Record<string, unknown> };
      };
      const created = await post('/console/api/apps', { name: 'Hunt', options: { multiDevice: '0' } });
      expect(created.status).toBe(200);
      const appKey = String(created.json['appKey']);
      const appSecret = String(created.json['appSecret']);
      const app: TestApp = { key: appKey, secret: appSecret };
      let token = '';
      await waitFor(async () => {
        const r = await api(app, 1).post<{ code: number; token: string }>('user/getToken', { userId: 'cu', name: 'cu', portraitUri: '' });
        token = r.body.token;
        return r.body.code === 200;
      }, 8000, 'node 2 to know the new app');
      const live = await connectRaw({ url: suite.cluster.node(1).url, appKey, token });
      suite.clients.push(live);
      expect(live.connack.status).toBe(0);
      const started = Date.now();
      expect((await post(`/console/api/apps/${appKey}/disable`)).status).toBe(200);
      const frame = await live.nextFrame<DisconnectFrame>((f) => f.kind === 'disconnect', 8000);
      expect(frame.reason).toBe(3);
      expect(Date.now() - started).toBeLessThan(7000);
      await waitFor(async () => {
        const c = await connectRaw({ url: suite.cluster.node(2).url, appKey, token });
        suite.clients.push(c);
        return c.connack.status !== 0;
      }, 8000, 'node 3 to refuse the disabled app');
    });
  });

  describe('node loss', () => {
    it('kill -9 of node 3: its user reconnects on node 2, gets what was sent meanwhile, is not refused or kicked; room membership holds', async () => {
      const [u, p] = [uniqueId('kx'), uniqueId('kp')];
      const room = uniqueId('kroom');
      const cu = await connect(SINGLE, 2, u);
      await cu.ping();
      const cp = await connect(SINGLE, 0, p);
      await joinOk(cu, room);
      await joinOk(cp, room);
      const before = await cp.publish('ppMsgP', u, say('before the crash'));
      expect(before.status).toBe(0);
      suite.cluster.node(2).proc.kill('SIGKILL');
      await cu.closed;
      await suite.cluster.rebalance();
      const during = await cp.publish('ppMsgP', u, say('while reconnecting'));
      expect(during.status).toBe(0);
      const again = await connect(SINGLE, 1, u);
      await again.ping();
      expect((await pullInbox(again)).map((m) => m.msgId)).toEqual([before.messageUId, during.messageUId]);
      await joinOk(again, room);
      const ack = await sendRoom(cp, room, 'RC:TxtMsg', { content: 'room after crash' });
      expect(ack.status).toBe(0);
      await waitFor(async () => (await roomPull(again, room, 0, 10)).list.some((m) => m.msgId === ack.messageUId), 10_000, 'room message on node 2');
      expect((await roomInfo(cp, room, 10, 1)).output?.userTotalNums).toBe(2);
      await sleep(1500);
      expect(disconnects(again)).toEqual([]);
      expect((await api(SINGLE, 0).post<{ status: string }>('user/checkOnline', { userId: u })).body.status).toBe('1');
      await suite.cluster.startNode(2);
    }, 180_000);
  });
}
