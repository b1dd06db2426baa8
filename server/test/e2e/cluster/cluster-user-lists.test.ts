/**
 * Blacklist / whitelist changes reach every node at once (user-relation-cache.ts): two nodes on PostgreSQL +
 * Redis, the sender on node 2 whose cache already holds the recipient's (empty) lists, the change made through
 * node 1's Server API — the very next send on node 2 is refused (405), and allowed again after the removal,
 * without waiting for the cache's TTL.
 */
import { connectUser, uniqueId, upstream } from '../e2e-support';
import type { RawClient } from '../../../../test/support/raw-client';
import { CLUSTER_APP, clusterAvailable, skipClusterSuite, startCluster, type Cluster } from './cluster-support';

const APP = CLUSTER_APP;

if (!clusterAvailable()) {
  skipClusterSuite('cluster user lists');
} else {
  let cluster: Cluster;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, database: 'userlists', apps: [APP] });
  }, 180_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('a blacklist change made on node 1 applies to the next send on node 2', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connectUser(cluster.node(1).url, APP.key, cluster.api(), a, clients);
    await connectUser(cluster.node(0).url, APP.key, cluster.api(), b, clients);
    const send = async (text: string): Promise<number> => (await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: text }))).status ?? -1;
    // Loads b's lists into node 2's cache.
    expect(await send('before')).toBe(0);
    const add = await cluster.api(0).post<{ code: number }>('user/blacklist/add', { userId: b, blackUserId: [a] });
    expect(add.body.code).toBe(200);
    expect(await send('blocked')).toBe(405);
    const remove = await cluster.api(0).post<{ code: number }>('user/blacklist/remove', { userId: b, blackUserId: a });
    expect(remove.body.code).toBe(200);
    expect(await send('after')).toBe(0);
  });
}
