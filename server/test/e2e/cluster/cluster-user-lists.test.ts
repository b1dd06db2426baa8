/**
 * Blacklist / whitelist changes reach every node at once (user-relation-cache.ts): two nodes on PostgreSQL +
 * Redis, the sender on node 2 whose cache already holds the recipient's (empty) lists, the change made through
 * node 1's Server API — the very next send on node 2 is refused (405), and allowed again after the removal,
 * without waiting for the cache's TTL.
 */
import { connectUser, uniqueId, upstream } from '../e2e-support';
import { CLUSTER_APP, clusterAvailable, skipClusterSuite, useCluster } from './cluster-support';

const APP = CLUSTER_APP;

if (!clusterAvailable()) {
  skipClusterSuite('cluster user lists');
} else {
  const suite = useCluster({ nodes: 2, database: 'userlists', apps: [APP] });
  const { clients } = suite;

  it('a blacklist change made on node 1 applies to the next send on node 2', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connectUser(suite.cluster.node(1).url, APP.key, suite.cluster.api(), a, clients);
    await connectUser(suite.cluster.node(0).url, APP.key, suite.cluster.api(), b, clients);
    const send = async (text: string): Promise<number> => (await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: text }))).status ?? -1;
    // Loads b's lists into node 2's cache.
    expect(await send('before')).toBe(0);
    const add = await suite.cluster.api(0).post<{ code: number }>('user/blacklist/add', { userId: b, blackUserId: [a] });
    expect(add.body.code).toBe(200);
    expect(await send('blocked')).toBe(405);
    const remove = await suite.cluster.api(0).post<{ code: number }>('user/blacklist/remove', { userId: b, blackUserId: a });
    expect(remove.body.code).toBe(200);
    expect(await send('after')).toBe(0);
  });
}
