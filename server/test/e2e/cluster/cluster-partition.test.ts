/**
 * A partition, healed (issue #11 fault tests): node 3 is cut off PostgreSQL and Redis while its clients
 * stay connected to it, then the partition heals. The cut is a black-holing TCP proxy (silence: nothing
 * is closed or reset, as in a real partition; test/support/engines/tcp-proxy.ts) rather than network
 * namespaces, so it runs wherever the other cluster tests run. Under load from SDK users through the
 * balancer: node 3's /readyz reports the cut (its broker health probe stops getting PONGs, its store
 * read times out), the balancer stops sending it new clients, and after the heal every acked message
 * is delivered exactly once in per-conversation order.
 */
import { waitFor } from '../e2e-support';
import { printStats, ringLoad, type RingLoad } from './cluster-load';
import { CLUSTER_APP, clusterAvailable, connectionsOn, skipClusterSuite, startCluster, type Cluster } from './cluster-support';

if (!clusterAvailable()) {
  skipClusterSuite('cluster partition test');
} else {
  let cluster: Cluster;
  let load: RingLoad | undefined;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3, database: 'partition', partitionable: [2] });
  }, 180_000);

  afterAll(async () => {
    load?.disconnect();
    await cluster?.stop();
  }, 60_000);

  it('node 3 cut off PostgreSQL and Redis, then healed: readyz reports it, nothing acked is lost, duplicated or reordered', async () => {
    load = await ringLoad({ ...cluster.node(0), url: cluster.lb.url }, CLUSTER_APP, 6);
    const l = load;
    const progress = async (n: number, what: string, timeoutMs = 20_000): Promise<void> => {
      const [a0, r0] = [l.acked(), l.received()];
      await waitFor(() => l.acked() >= a0 + n && l.received() >= r0 + n, timeoutMs, what);
    };
    const ready = async (): Promise<number> => fetch(`${cluster.node(2).url}/readyz`).then((r) => r.status, () => 0);
    l.start();
    await progress(30, 'traffic before the partition');
    // Some of the ring's users are on the node being cut off (the balancer spreads them round robin).
    expect(await connectionsOn(cluster.node(2))).toBeGreaterThan(0);
    cluster.partition(2);
    const cutAt = Date.now();
    await waitFor(async () => (await ready()) === 503, 10_000, 'node 3 readyz to report the partition');
    process.stderr.write(`[cluster fault] partition: node 3 /readyz failed ${Date.now() - cutAt} ms after the cut\n`);
    await waitFor(() => cluster.lb.healthy().every((b) => b.port !== cluster.node(2).port), 5000, 'the balancer to drop node 3');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    cluster.heal(2);
    await waitFor(async () => (await ready()) === 200, 15_000, 'node 3 ready again');
    await progress(30, 'traffic after the heal', 30_000);
    await l.stop();
    await l.nudge();
    const stats = await l.verify(30_000);
    printStats('partition of node 3 (PostgreSQL + Redis), healed', stats);
    expect(stats).toMatchObject({ lost: 0, duplicated: 0, reordered: 0 });
  }, 120_000);
}
