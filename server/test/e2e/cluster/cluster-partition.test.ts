/**
 * A partition between nodes, healed (issue #11 fault tests), made with network namespaces: node 3 runs
 * in its own namespace (netns.ts), joined to the root namespace by a data link (its PostgreSQL and Redis
 * connections, hence everything it shares with nodes 1 and 2) and a client link (the balancer and its
 * clients). The partition sets the data link down: node 3's packets are dropped, nothing is closed or
 * reset, and its clients stay connected to it. Under load from SDK users through the balancer: node 3's
 * /readyz reports the cut (its broker health probe stops getting PONGs, its store read times out), the
 * balancer stops sending it new clients, and after the heal every acked message is delivered exactly
 * once in per-conversation order.
 *
 * Namespaces need root and iproute2. Without them the test says so loudly and makes the same cut with
 * black-holing TCP proxies (test/support/engines/tcp-proxy.ts) instead; it never passes silently.
 */
import { warnSkipped } from '../../../../test/support/engines/redis-server';
import { waitFor } from '../e2e-support';
import { printStats, ringLoad, type RingLoad } from './cluster-load';
import { CLUSTER_APP, clusterAvailable, connectionsOn, skipClusterSuite, startCluster, type Cluster } from './cluster-support';
import { createIsolatedHost, netnsUnavailable, sweepStale, type IsolatedHost } from './netns';

if (!clusterAvailable()) {
  skipClusterSuite('cluster partition test');
} else {
  let cluster: Cluster;
  let load: RingLoad | undefined;
  let host: IsolatedHost | undefined;
  let how = 'network namespace, data link down';

  beforeAll(async () => {
    const unavailable = netnsUnavailable();
    if (unavailable === undefined) {
      sweepStale();
      host = createIsolatedHost();
      cluster = await startCluster({ nodes: 3, database: 'partition', isolated: { node: 2, host } });
    } else {
      how = 'TCP black-hole proxies (FALLBACK: no network namespaces)';
      warnSkipped('partition made with network namespaces — falling back to TCP black-hole proxies', `network namespaces unavailable: ${unavailable}`);
      cluster = await startCluster({ nodes: 3, database: 'partition', partitionable: [2] });
    }
  }, 180_000);

  afterAll(async () => {
    load?.disconnect();
    try {
      await cluster?.stop();
    } finally {
      host?.remove();
    }
  }, 60_000);

  it('node 3 cut off PostgreSQL, Redis and the other nodes, then healed: readyz reports it, nothing acked is lost, duplicated or reordered', async () => {
    // Node 3 listens on its namespace's client link only (the launcher parsed its `listening on` line).
    if (host !== undefined) expect(cluster.node(2).host).toBe(host.nodeAddress);
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
    process.stderr.write(`[cluster fault] partition (${how}): node 3 /readyz failed ${Date.now() - cutAt} ms after the cut\n`);
    await waitFor(() => cluster.lb.healthy().every((b) => b.port !== cluster.node(2).port), 5000, 'the balancer to drop node 3');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    cluster.heal(2);
    await waitFor(async () => (await ready()) === 200, 15_000, 'node 3 ready again');
    await progress(30, 'traffic after the heal', 30_000);
    await l.stop();
    await l.nudge();
    const stats = await l.verify(30_000);
    printStats(`partition of node 3 (${how}), healed`, stats);
    expect(stats).toMatchObject({ lost: 0, duplicated: 0, reordered: 0 });
  }, 120_000);
}
