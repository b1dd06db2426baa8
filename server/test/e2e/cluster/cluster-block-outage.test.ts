/**
 * `user/block` across broker outages (two nodes on PostgreSQL + Redis; node 1's Redis link can be refused on its
 * own). The store is the truth: a block stored while the kick cannot be published answers 200, and the blocked
 * user's session on the other node is disconnected (DISCONNECT 2) once the broker is back:
 * - node 1's own link down (node 2 never loses Redis, so nothing there re-reads): node 1 publishes the kick again
 *   once its link is back;
 * - Redis down for both, node 1 gone before Redis returns (its pending kick with it): node 2 re-checks its
 *   sessions' users against the store's blocks when its broker reconnects.
 * The blocked user's session on node 1 itself is disconnected at once, broker or not; a kick kept for a retry is
 * dropped if the user is unblocked before it goes out.
 */
import { connectRaw } from '../../../../test/support/raw-client';
import { tokenFor, uniqueId, upstream, waitFor } from '../e2e-support';
import { clusterAvailable, CLUSTER_APP, kickedForBlock, skipClusterSuite, useCluster } from './cluster-support';

if (!clusterAvailable()) {
  skipClusterSuite('cluster user/block across broker outages');
} else {
  // The periodic re-check of recent blocks (cluster-block-recheck.test.ts) is pushed out of these tests' way: they
  // assert what the publish path and the reconnect scan do, and when.
  const suite = useCluster({ nodes: 2, database: 'blockoutage', brokerRefusable: [0], env: { LIANXIN_BLOCK_RECHECK_MS: '3600000' } });
  const ready = async (i: number): Promise<boolean> => (await fetch(`${suite.cluster.node(i).url}/readyz`)).status === 200;

  async function refusedForBlock(i: number, userId: string): Promise<void> {
    const token = await tokenFor(suite.cluster.api(i), userId);
    const again = await connectRaw({ url: suite.cluster.node(i).url, appKey: CLUSTER_APP.key, token });
    suite.clients.push(again);
    expect(again.connack.status).toBe(9);
  }

  afterEach(async () => {
    suite.cluster.allowBroker(0);
    await suite.cluster.redis.resume().catch(() => undefined);
  });

  it('a block through node 1 while its broker link is down answers 200; the session on node 2 is kicked once the link is back, the one on node 1 at once', async () => {
    const [far, near] = [uniqueId('far'), uniqueId('near')];
    const c2 = await suite.connect(1, CLUSTER_APP.key, far);
    const c1 = await suite.connect(0, CLUSTER_APP.key, near);
    suite.cluster.refuseBroker(0);
    await waitFor(async () => !(await ready(0)), 10_000, 'node 1 to lose its broker');
    expect(await ready(1)).toBe(true);
    const res = await suite.cluster.api(0).post('user/block', { userId: [far, near], minute: 5 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 200 });
    await kickedForBlock(c1, 5000);
    expect(c2.isClosed).toBe(false);
    suite.cluster.allowBroker(0);
    await waitFor(() => ready(0), 15_000, 'node 1 ready again');
    await kickedForBlock(c2, 5000);
    await refusedForBlock(1, far);
    expect((await suite.cluster.api(1).post('user/unblock', { userId: [far, near] })).status).toBe(200);
  }, 60_000);

  it('a kick kept for a retry is not sent once the user is unblocked (a BLOCK disconnect tells the client not to reconnect)', async () => {
    const far = uniqueId('far');
    const c2 = await suite.connect(1, CLUSTER_APP.key, far);
    suite.cluster.refuseBroker(0);
    await waitFor(async () => !(await ready(0)), 10_000, 'node 1 to lose its broker');
    expect((await suite.cluster.api(0).post('user/block', { userId: far, minute: 5 })).status).toBe(200);
    expect((await suite.cluster.api(1).post('user/unblock', { userId: far })).status).toBe(200);
    suite.cluster.allowBroker(0);
    await waitFor(() => ready(0), 15_000, 'node 1 ready again');
    // The kept kick is tried on node 1's reconnect and then every second: three tries' time.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(c2.frames.some((f) => f.kind === 'disconnect')).toBe(false);
    await c2.ping();
    expect(c2.isClosed).toBe(false);
  }, 60_000);

  it('in a long outage (20 s) Server API calls that publish answer at once: no wait for the Redis client to give up; the kick still lands once the link is back', async () => {
    const [far, other, third] = [uniqueId('far'), uniqueId('other'), uniqueId('third')];
    const c2 = await suite.connect(1, CLUSTER_APP.key, far);
    suite.cluster.refuseBroker(0);
    await waitFor(async () => !(await ready(0)), 10_000, 'node 1 to lose its broker');
    // ioredis fails its offline queue every second reconnect attempt, up to ~4 s apart after a while: each publish
    // waited for that, and user/block publishes one kick per user in turn.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const started = Date.now();
    const calls: [string, Record<string, string | number | readonly string[]>][] = [
      ['user/block', { userId: [far, other, third], minute: 5 }],
      ['user/blacklist/add', { userId: other, blackUserId: [third] }],
      ['user/whitelist/remove', { userId: other, whiteUserId: [third] }],
      ['sensitiveword/add', { word: uniqueId('w') }],
      ['user/chat/fb/set', { userId: third, state: 1, type: 'PERSON' }],
    ];
    for (const [path, form] of calls) {
      const res = await suite.cluster.api(0).post<{ code: number }>(path, form);
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 200, code: 200 });
    }
    // Generous: they answered in milliseconds; waiting on the client's queue took seconds per publish.
    expect(Date.now() - started).toBeLessThan(4000);
    suite.cluster.allowBroker(0);
    await waitFor(() => ready(0), 15_000, 'node 1 ready again');
    await kickedForBlock(c2, 5000);
    expect((await suite.cluster.api(1).post('user/unblock', { userId: [far, other, third] })).status).toBe(200);
  }, 90_000);

  it('in a long outage (20 s) a client send on node 1 is acknowledged at once: the send filters\' caches do not wait for the Redis client to refuse their subscribe', async () => {
    const [sender, recipient] = [uniqueId('sender'), uniqueId('recipient')];
    const c1 = await suite.connect(0, CLUSTER_APP.key, sender);
    await suite.connect(1, CLUSTER_APP.key, recipient);
    suite.cluster.refuseBroker(0);
    await waitFor(async () => !(await ready(0)), 10_000, 'node 1 to lose its broker');
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    // The app's first send on node 1: the blacklist, sensitive-word and chat-ban caches each subscribe to the
    // app's invalidation topic before their first read, and each subscribe waited up to ~4 s in the client's queue.
    const started = Date.now();
    const ack = await c1.publish('ppMsgP', recipient, upstream('RC:TxtMsg', { content: 'in the outage' }), { timeoutMs: 15_000 });
    expect(ack.status).toBe(0);
    // Generous: acknowledged in milliseconds once the subscribes fail at once.
    expect(Date.now() - started).toBeLessThan(3000);
  }, 90_000);

  it('a block stored during a Redis outage by a node that is gone before Redis returns still kicks the session on node 2', async () => {
    const far = uniqueId('far');
    const c2 = await suite.connect(1, CLUSTER_APP.key, far);
    await suite.cluster.redis.halt();
    await waitFor(async () => !(await ready(0)) && !(await ready(1)), 10_000, 'both nodes to see the outage');
    expect((await suite.cluster.api(0).post('user/block', { userId: far, minute: 5 })).status).toBe(200);
    await suite.cluster.node(0).stop();
    suite.cluster.nodes[0] = undefined;
    await suite.cluster.redis.resume();
    await waitFor(() => ready(1), 15_000, 'node 2 ready again');
    await kickedForBlock(c2, 5000);
    await refusedForBlock(1, far);
    await suite.cluster.startNode(0);
  }, 90_000);
}
