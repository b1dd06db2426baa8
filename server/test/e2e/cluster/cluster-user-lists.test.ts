/**
 * Blacklist / whitelist changes reach every node at once (user-relation-cache.ts): two nodes on PostgreSQL +
 * Redis, the sender on node 2 whose cache already holds the recipient's (empty) lists, the change made through
 * node 1's Server API — the very next send on node 2 is refused (405), and allowed again after the removal,
 * without waiting for the cache's TTL. While node 1's own Redis link is down the change still answers 200 and
 * applies on node 1 at once; node 2, which the wake-up cannot reach, applies it within its cache's TTL (5 s).
 */
import { connectUser, uniqueId, upstream, waitFor } from '../e2e-support';
import { CLUSTER_APP, clusterAvailable, skipClusterSuite, useCluster } from './cluster-support';

const APP = CLUSTER_APP;

if (!clusterAvailable()) {
  skipClusterSuite('cluster user lists');
} else {
  const suite = useCluster({ nodes: 2, database: 'userlists', apps: [APP], brokerRefusable: [0] });
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

  it('a blacklist change made on node 1 while its broker link is down answers 200, applies on node 1 at once and on node 2 within the TTL', async () => {
    const [far, near, b] = [uniqueId('far'), uniqueId('near'), uniqueId('b')];
    const cFar = await connectUser(suite.cluster.node(1).url, APP.key, suite.cluster.api(1), far, clients);
    const cNear = await connectUser(suite.cluster.node(0).url, APP.key, suite.cluster.api(0), near, clients);
    await connectUser(suite.cluster.node(0).url, APP.key, suite.cluster.api(0), b, clients);
    const send = async (from: typeof cFar, text: string): Promise<number> => (await from.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: text }))).status ?? -1;
    // Loads b's lists into both nodes' caches.
    expect(await send(cFar, 'before')).toBe(0);
    expect(await send(cNear, 'before')).toBe(0);
    const ready = async (): Promise<boolean> => (await fetch(`${suite.cluster.node(0).url}/readyz`)).status === 200;
    suite.cluster.refuseBroker(0);
    try {
      await waitFor(async () => !(await ready()), 10_000, 'node 1 to lose its broker');
      const add = await suite.cluster.api(0).post<{ code: number }>('user/blacklist/add', { userId: b, blackUserId: [far, near] });
      expect({ status: add.status, code: add.body.code }).toEqual({ status: 200, code: 200 });
      expect(await send(cNear, 'blocked here')).toBe(405);
      // Generous: the TTL is 5 s.
      const refusedThere = async (): Promise<boolean> => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return (await send(cFar, 'blocked there')) === 405;
      };
      await waitFor(refusedThere, 10_000, 'node 2 to refuse');
    } finally {
      suite.cluster.allowBroker(0);
    }
    await waitFor(ready, 15_000, 'node 1 ready again');
  }, 60_000);
}
