/**
 * The durable callback queue on PostgreSQL with two nodes: both nodes enqueue and both dispatch, yet
 * every routed message reaches the App Server exactly once and in each node's order (each stream is owned by one
 * node through an advisory lock, pg-callback-queue.ts); when the owning node is killed, the other one
 * takes the stream over and nothing is lost.
 */
import type { RawClient } from '../../../../test/support/raw-client';
import type { TestApp } from '../../../../test/support/server-launcher';
import { AppServerReceiver } from '../app-server-receiver';
import { connectUser, uniqueId, upstream, waitFor } from '../e2e-support';
import { CLUSTER_APP, clusterAvailable, skipClusterSuite, startCluster, type Cluster } from './cluster-support';

if (!clusterAvailable()) {
  skipClusterSuite('cluster callback queue');
} else {
  const receiver = new AppServerReceiver({ [CLUSTER_APP.key]: CLUSTER_APP.secret });
  let cluster: Cluster;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    await receiver.start();
    const app: TestApp = { ...CLUSTER_APP, options: { ...CLUSTER_APP.options, messageRouteUrl: receiver.encodedUrl('/route'), callbackRetryMs: 50, callbackRetryMaxMs: 200 } };
    cluster = await startCluster({ nodes: 2, database: 'callbacks', apps: [app] });
  }, 120_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await cluster?.stop();
    await receiver.kill();
  }, 60_000);

  const routedUids = (): string[] => receiver.on('/route').map((r) => new URLSearchParams(r.body).get('msgUID') ?? '');

  it('two dispatching nodes post each routed message once, in order per node; a killed owner hands its stream over', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const on1 = await connectUser(cluster.node(0).url, CLUSTER_APP.key, cluster.api(0), a, clients);
    const on2 = await connectUser(cluster.node(1).url, CLUSTER_APP.key, cluster.api(1), b, clients);
    const uids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const [from, to] = i % 2 === 0 ? [on1, b] : [on2, a];
      const ack = await from.publish('ppMsgP', to, upstream('RC:TxtMsg', { content: `m${i}` }));
      expect(ack.status).toBe(0);
      uids.push(ack.messageUId ?? '');
    }
    await waitFor(() => uids.every((u) => routedUids().includes(u)), 20_000, 'every message routed');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const got = routedUids().filter((u) => uids.includes(u));
    // Exactly once; in send order per node (each node enqueues in its own order; across nodes the
    // order of two sends that close together is whichever enqueue committed first).
    expect([...got].sort()).toEqual([...uids].sort());
    expect(got.filter((u) => uids.indexOf(u) % 2 === 0)).toEqual(uids.filter((_u, i) => i % 2 === 0));
    expect(got.filter((u) => uids.indexOf(u) % 2 === 1)).toEqual(uids.filter((_u, i) => i % 2 === 1));

    // kill -9 node 1 (it may own the stream) and keep sending through node 2.
    cluster.node(0).kill9();
    await cluster.node(0).exited;
    cluster.nodes[0] = undefined;
    const later: string[] = [];
    for (let i = 0; i < 10; i++) {
      const ack = await on2.publish('ppMsgP', a, upstream('RC:TxtMsg', { content: `after ${i}` }));
      expect(ack.status).toBe(0);
      later.push(ack.messageUId ?? '');
    }
    await waitFor(() => later.every((u) => routedUids().includes(u)), 20_000, 'messages routed by the surviving node');
    const all = routedUids();
    for (const uid of [...uids, ...later]) expect(all.filter((u) => u === uid)).toHaveLength(1);
  }, 90_000);
}
