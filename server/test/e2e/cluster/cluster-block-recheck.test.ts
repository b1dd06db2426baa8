/**
 * `user/block` when the node that took the call loses only its own Redis link and dies before it comes back: its
 * kept kick dies with it, and the other node's link never dropped, so no broker reconnect makes it re-read the
 * blocks. Each node therefore looks every LIANXIN_BLOCK_RECHECK_MS for the blocks made since its last look
 * (server/src/gateway/blocked-sessions.ts) and disconnects its own sessions of those users (DISCONNECT 2).
 * Two nodes on PostgreSQL + Redis; node 1's Redis link can be refused on its own; a 500 ms re-check here.
 */
import { connectRaw } from '../../../../test/support/raw-client';
import { tokenFor, uniqueId, waitFor } from '../e2e-support';
import { clusterAvailable, CLUSTER_APP, kickedForBlock, skipClusterSuite, useCluster } from './cluster-support';

if (!clusterAvailable()) {
  skipClusterSuite('cluster re-check of recent blocks');
} else {
  const suite = useCluster({ nodes: 2, database: 'blockrecheck', brokerRefusable: [0], env: { LIANXIN_BLOCK_RECHECK_MS: '500' } });
  const ready = async (i: number): Promise<boolean> => (await fetch(`${suite.cluster.node(i).url}/readyz`)).status === 200;

  it('a block taken by a node that loses its own link and dies still disconnects the session on the other node; other users stay', async () => {
    const [far, bystander] = [uniqueId('far'), uniqueId('by')];
    const blocked = await suite.connect(1, CLUSTER_APP.key, far);
    const other = await suite.connect(1, CLUSTER_APP.key, bystander);
    suite.cluster.refuseBroker(0);
    await waitFor(async () => !(await ready(0)), 10_000, 'node 1 to lose its broker');
    expect(await ready(1)).toBe(true);
    const res = await suite.cluster.api(0).post('user/block', { userId: far, minute: 5 });
    expect(res.body).toMatchObject({ code: 200 });
    // Node 1 is gone with its kept kick; node 2's link never dropped.
    suite.cluster.node(0).kill9();
    await suite.cluster.node(0).exited;
    suite.cluster.nodes[0] = undefined;
    await kickedForBlock(blocked, 5000);
    const again = await connectRaw({ url: suite.cluster.node(1).url, appKey: CLUSTER_APP.key, token: await tokenFor(suite.cluster.api(1), far) });
    suite.clients.push(again);
    expect(again.connack.status).toBe(9);
    // Several looks later the other user's session is still there.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await other.ping();
    expect(other.isClosed).toBe(false);
    expect((await suite.cluster.api(1).post('user/unblock', { userId: far })).status).toBe(200);
    suite.cluster.allowBroker(0);
    await suite.cluster.startNode(0);
  }, 90_000);
}
