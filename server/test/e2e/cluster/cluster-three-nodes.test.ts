/**
 * The full e2e set against a 3-node cluster (issue #11): three server processes on loopback sharing one
 * PostgreSQL and one Redis, an L4 balancer in front. Clients are placed on chosen nodes (raw CMP
 * clients connect to a node directly) so every path crosses nodes: private, group and chatroom
 * delivery, offline sync, recall, multi-device kick, online status, comet polls landing on a node that
 * does not own the session, our SDK and the official imlib-v2 client through the balancer.
 */
import { decodeByName, encodeByName, type PublishFrame } from '../../../../src/internal';
import type { RawClient } from '../../../../test/support/raw-client';
import { connectComet } from '../../../../test/support/comet-raw-client';
import { CometRawClient } from '../../../../test/support/comet-raw-client';
import { killAllOfficialClients, launchOfficialClient } from '../../../../test/support/official-client/launch-official-client';
import { call, ok, sdkUser } from '../../../../test/e2e/sdk-api-support';
import { TextMessage, type Message } from '../../../../src/index';
import { connectUser, isPush, tokenFor, uniqueId, upstream, waitFor } from '../e2e-support';
import { drain as drainRoom, joinOk, roomCommand, roomNotify, send as sendRoom, info as roomInfo, pull as roomPull } from '../chatroom-support';
import { serverApi } from '../../../../test/support/server-api-client';
import { CLUSTER_APP, clusterAvailable, metricsOf, metricValue, skipClusterSuite, startCluster, type Cluster } from './cluster-support';

const APP = CLUSTER_APP;
/** Chatroom auto-kick after 2 missed messages: a member online on another node must not count as offline. */
const KICK_APP = { key: 'lxkickapp', secret: 'lxkicksecret', options: { chrmKickMissed: 2, maxSendRate: 1000 } };

if (!clusterAvailable()) {
  skipClusterSuite('cluster e2e (3 nodes)');
} else {
  let cluster: Cluster;
  const clients: RawClient[] = [];
  const url = (i: number): string => cluster.node(i).url;
  const connect = async (i: number, userId: string): Promise<RawClient> => {
    const client = await connectUser(url(i), APP.key, cluster.api(), userId, clients);
    if (client.connack.status !== 0) throw new Error(`connect ${userId} on node ${i}: CONNACK ${client.connack.status}`);
    // The session id names the node that owns it.
    expect(client.connack.sessionId?.startsWith(`n${i + 1}.`)).toBe(true);
    return client;
  };
  const pullIds = async (client: RawClient): Promise<{ ids: string[]; names: string[] }> => {
    const res = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
    expect(res.status).toBe(0);
    const list = decodeByName('DownStreamMessages', res.payload).list;
    return { ids: list.map((m) => m.msgId ?? ''), names: list.map((m) => m.classname ?? '') };
  };
  const sentTime = (ack: { date?: number | null; millisecond?: number | null }): number => (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);

  beforeAll(async () => {
    // Short comet holds keep the comet test quick (a held poll answers `[]` after 2 s).
    cluster = await startCluster({ nodes: 3, database: 'three', apps: [APP, KICK_APP], env: { LIANXIN_COMET_HOLD_MS: '2000' } });
  }, 180_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await killAllOfficialClients();
  });

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  describe('cluster: 3 nodes on PostgreSQL + Redis', () => {
    it('private messages cross nodes and every node syncs the same inbox; offline messages sync on any node', async () => {
      const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
      const ca = await connect(0, a);
      const cb = await connect(1, b);
      const ack = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'n1 → n2' }));
      expect(ack.status).toBe(0);
      const ntf = await cb.nextFrame<PublishFrame>(isPush('s_ntf'));
      expect(Number(decodeByName('NotifyMsg', ntf.payload).time)).toBe(sentTime(ack));
      expect((await pullIds(cb)).ids).toEqual([ack.messageUId]);
      // c is offline: three messages from node 2, then c connects on node 3 and syncs them in order.
      const acks = [];
      for (let i = 0; i < 3; i++) acks.push(await cb.publish('ppMsgP', c, upstream('RC:TxtMsg', { content: `offline ${i}` })));
      expect(acks.map((x) => x.status)).toEqual([0, 0, 0]);
      const cc = await connect(2, c);
      expect((await pullIds(cc)).ids).toEqual(acks.map((x) => x.messageUId));
    });

    it('group messages reach members on the two other nodes', async () => {
      const [a, b, c] = [uniqueId('ga'), uniqueId('gb'), uniqueId('gc')];
      const group = uniqueId('g');
      expect((await cluster.api(2).post('group/create', { userId: [a, b, c], groupId: group, groupName: 'G' })).status).toBe(200);
      const [ca, cb, cc] = [await connect(0, a), await connect(1, b), await connect(2, c)];
      const ack = await ca.publish('pgMsgP', group, upstream('RC:TxtMsg', { content: 'to the group' }));
      expect(ack.status).toBe(0);
      for (const member of [cb, cc]) {
        await member.nextFrame(isPush('s_ntf'));
        expect((await pullIds(member)).ids).toEqual([ack.messageUId]);
      }
    });

    it('recall on node 1 reaches the peer on node 3 (the RC:RcCmd is in its sync)', async () => {
      const [a, b] = [uniqueId('ra'), uniqueId('rb')];
      const ca = await connect(0, a);
      const cb = await connect(2, b);
      const ack = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'oops' }));
      await cb.nextFrame(isPush('s_ntf'));
      const recall = await ca.publish('recallMsg', a, upstream('RC:RcCmd', { conversationType: 1, targetId: b, messageUId: ack.messageUId, sentTime: sentTime(ack) }, 0));
      expect(recall.status).toBe(0);
      await waitFor(async () => (await pullIds(cb)).names.includes('RC:RcCmd'), 5000, 'RC:RcCmd on node 3');
    });

    it('a second login on node 3 kicks the session on node 1; the Server API on node 2 sees who is online', async () => {
      const u = uniqueId('k');
      const api2 = cluster.api(1);
      expect((await api2.post<{ status: string }>('user/checkOnline', { userId: u })).body.status).toBe('0');
      const first = await connect(0, u);
      expect((await api2.post<{ status: string }>('user/checkOnline', { userId: u })).body.status).toBe('1');
      await connect(2, u);
      const frame = await first.nextFrame((f) => f.kind === 'disconnect');
      expect((frame as { reason?: number }).reason).toBe(1);
    });

    it('chatroom: one publish per room per flush; members on every node are woken and pull; a blocked member stops receiving everywhere', async () => {
      const room = uniqueId('room');
      const users = [uniqueId('m0'), uniqueId('m1'), uniqueId('m2'), uniqueId('m3')];
      // Two members on node 2, one each on nodes 1 and 3.
      const members = [await connect(0, users[0] ?? ''), await connect(1, users[1] ?? ''), await connect(1, users[2] ?? ''), await connect(2, users[3] ?? '')];
      const cursors: number[] = [];
      for (const m of members) cursors.push((await joinOk(m, room)) > 0 ? 0 : 0);
      const [sender, ...others] = members as [RawClient, ...RawClient[]];
      // Membership is the same seen from any node.
      const counted = await roomInfo(others[2] as RawClient, room, 10, 1);
      expect(counted.output?.userTotalNums).toBe(4);

      const before = metricValue(await metricsOf(cluster.node(0)), 'lianxin_broker_published_total', '{topic="chatroom",result="ok"}');
      const ack = await sendRoom(sender, room, 'RC:TxtMsg', { content: 'hello room' });
      expect(ack.status).toBe(0);
      for (const m of others) {
        await roomNotify(m, room);
        const got = await drainRoom(m, room, cursors[0] ?? 0);
        expect(got.list.map((x) => x.msgId)).toContain(ack.messageUId);
      }
      const after = metricValue(await metricsOf(cluster.node(0)), 'lianxin_broker_published_total', '{topic="chatroom",result="ok"}');
      // 3 remote members on 2 nodes, one message: one publish on the room topic, not one per member.
      expect(after - before).toBe(1);

      // Block the member on node 3 through the Server API of node 2: it leaves the room on every node.
      const blocked = others[2] as RawClient;
      expect((await cluster.api(1).post('/chatroom/user/block/add.json', { chatroomId: room, userId: users[3] ?? '', minute: 10 })).status).toBe(200);
      await waitFor(async () => (await roomPull(blocked, room, 0, 10)).status === 23406, 5000, 'blocked member out of the room');
      const seen = blocked.received.length;
      expect((await sendRoom(sender, room, 'RC:TxtMsg', { content: 'after the block' })).status).toBe(0);
      await (others[0] as RawClient).nextFrame((f) => isPush('s_ntf')(f), 5000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const late = blocked.received.slice(seen).filter((r) => r.frame.kind === 'publish' && (r.frame as PublishFrame).topic === 's_ntf');
      expect(late).toEqual([]);
      const remaining = await roomInfo(sender, room, 10, 1);
      expect(remaining.output?.userTotalNums).toBe(3);
    });

    it('chatroom auto-kick: a member online on another node stays, a member offline everywhere is kicked', async () => {
      const room = uniqueId('kroom');
      const kickApi = serverApi(url(0), KICK_APP.key, KICK_APP.secret);
      const join = async (i: number, userId: string): Promise<RawClient> => {
        const client = await connectUser(url(i), KICK_APP.key, kickApi, userId, clients);
        await joinOk(client, room);
        return client;
      };
      const [s, on, off] = [uniqueId('ks'), uniqueId('kon'), uniqueId('koff')];
      const sender = await join(0, s);
      const online = await join(1, on);
      const leaving = await join(1, off);
      await leaving.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (let i = 0; i < 4; i++) expect((await sendRoom(sender, room, 'RC:TxtMsg', { content: `m${i}` })).status).toBe(0);
      await roomNotify(online, room);
      const members = async (): Promise<string[]> => {
        const res = await kickApi.post<{ users?: { id: string }[] }>('/chatroom/user/query.json', { chatroomId: room, count: 10, order: 1 });
        return (res.body.users ?? []).map((u) => u.id).sort();
      };
      await waitFor(async () => !(await members()).includes(off), 5000, 'the offline member to be kicked');
      expect(await members()).toEqual([s, on].sort());
      expect((await roomPull(online, room, 0, 10)).status).toBe(0);
    });

    it('chatroom KV changes and room destruction reach members on the other nodes', async () => {
      const room = uniqueId('kvroom');
      const [a, b, c] = [await connect(0, uniqueId('kva')), await connect(1, uniqueId('kvb')), await connect(2, uniqueId('kvc'))];
      for (const m of [a, b, c]) await joinOk(m, room);
      const set = await a.query('setKV', room, encodeByName('SetChrmKV', { entry: { key: 'title', value: 'Live!' } }));
      expect(set.status).toBe(0);
      // KvChanged (s_cmd type 2) on nodes 2 and 3, not to the writer.
      const [kb, kc] = [await roomCommand(b, room, 2), await roomCommand(c, room, 2)];
      expect(kb.time).toBe(kc.time);
      // Destroyed through the Server API of node 2: RoomDestroyed (s_cmd type 4) on nodes 1 and 3.
      expect((await cluster.api(1).post('/chatroom/destroy.json', { chatroomId: room })).status).toBe(200);
      await roomCommand(a, room, 4);
      await roomCommand(c, room, 4);
      expect((await roomPull(c, room, 0, 10)).status).toBe(23410);
    });

    it('comet: polls and upstream POSTs landing on nodes that do not own the session are relayed to its owner', async () => {
      const [a, b] = [uniqueId('ca'), uniqueId('cb')];
      const token = await tokenFor(cluster.api(), b);
      const owner = await connectComet({ url: url(0), appKey: APP.key, token, poll: false });
      expect(owner.connectReply['status']).toBe(0);
      expect(owner.sessionId.startsWith('n1.')).toBe(true);
      // The same session, as seen through a balancer without affinity: polls on node 2, POSTs on node 3.
      const viaTwo = new CometRawClient({ url: url(1), appKey: APP.key, token });
      viaTwo.sessionId = owner.sessionId;
      viaTwo.startPolling();
      const ca = await connect(2, a);
      const ack = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'to comet' }));
      expect(ack.status).toBe(0);
      await viaTwo.nextSignal((s) => s.topic === 's_ntf', 10_000);
      const viaThree = new CometRawClient({ url: url(2), appKey: APP.key, token });
      viaThree.sessionId = owner.sessionId;
      const reply = await viaThree.query('pullMsg', b, { syncTime: 0, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 });
      expect(reply[0]?.status).toBe(0);
      expect(JSON.stringify(reply[0]?.data ?? '')).toContain(ack.messageUId ?? 'missing');
      await ca.close();
      await viaTwo.stopPolling().catch(() => undefined);
    }, 40_000);

    it('our SDK and the official imlib-v2 client, both through the balancer, talk across nodes', async () => {
      const lbServer = { ...cluster.node(0), url: cluster.lb.url };
      const ours = await sdkUser(lbServer, APP, 'ours');
      await ours.connect();
      const officialId = uniqueId('official');
      const official = await launchOfficialClient({ appKey: APP.key, navi: cluster.lb.url });
      const connected = await official.connect(await tokenFor(cluster.api(), officialId));
      expect(connected.ok).toBe(true);
      const sent = await official.sendText(1, ours.userId, 'from the official client');
      expect(sent.ok).toBe(true);
      const got = await ours.next((m) => m.senderUserId === officialId);
      expect((got.content as { content?: string }).content).toBe('from the official client');
      await ok(call<Message>((cb) => ours.im.sendMessage(1, officialId, new TextMessage({ content: 'from our SDK' }), cb)), 'send from our SDK');
      const back = await official.nextMessage((m) => m.senderUserId === ours.userId, 15_000);
      expect(JSON.stringify(back.content)).toContain('from our SDK');
      // The balancer spread the two connections over different nodes (round robin).
      expect([...cluster.lb.routed.values()].filter((n) => n > 0).length).toBeGreaterThan(1);
      ours.im.disconnect();
    }, 60_000);
  });
}
