/**
 * Our SDK takes stored messages as direct `s_msg` pushes (directPush=1, server/src/services/inbox-delivery.ts).
 * A node pushes a message only when the session has every earlier entry the node knows of, but in a cluster
 * another node may have stored an older entry for the same inbox; it announces it with an `s_ntf` through the
 * broker, whose time (one wake-up per burst) can be newer than the push. When the SDK moved its pull cursor to
 * a pushed time, that older entry was skipped for good: 2 of 3,000 messages went missing in the cluster run of
 * test/e2e/sdk-unread-many-conversations.test.ts. Made deterministic here by holding node 1's wake-ups back
 * (its Redis link refused): t1 stored on node 1, t2 pushed by node 2, t3 stored on node 1.
 */
import { createMemoryStorage } from '../../../../platforms/node/node-storage';
import type { Message } from '../../../../src/index';
import { sdkUser, type SdkUser } from '../../../../test/e2e/sdk-api-support';
import { waitFor } from '../e2e-support';
import { clusterAvailable, CLUSTER_APP, skipClusterSuite, useCluster } from './cluster-support';

const textOf = (m: Message): string => (m.content as { content?: string }).content ?? '';
const texts = (user: SdkUser): string[] => user.received.map((r) => textOf(r.message));

if (!clusterAvailable()) {
  skipClusterSuite('SDK pull cursor after direct pushes in a cluster');
} else {
  const suite = useCluster({ nodes: 2, database: 'sdkpushcursor', brokerRefusable: [0] });
  const ready = async (i: number): Promise<boolean> => (await fetch(`${suite.cluster.node(i).url}/readyz`)).status === 200;
  const users: SdkUser[] = [];

  afterEach(async () => {
    for (const user of users.splice(0)) user.im.disconnect();
    suite.cluster.allowBroker(0);
    await waitFor(() => ready(0), 15_000, 'node 1 ready again');
    await suite.cluster.rebalance();
  });

  const publish = async (node: number, to: string, content: string): Promise<void> => {
    const sent = await suite.cluster.api(node).post('message/private/publish', { fromUserId: 'peer', toUserId: to, objectName: 'RC:TxtMsg', content: JSON.stringify({ content }) });
    expect(sent.status).toBe(200);
  };

  /**
   * Node 1's broker link refused (the balancer then sends the SDK to node 2); t1 stored through node 1, t2
   * through node 2 (which pushes it at once), t3 through node 1. Returns once the SDK has t2.
   */
  const interleave = async (storage = createMemoryStorage()): Promise<SdkUser> => {
    suite.cluster.refuseBroker(0);
    await waitFor(async () => !(await ready(0)), 10_000, 'node 1 to lose its broker');
    await suite.cluster.rebalance();
    const me = await sdkUser(suite.cluster.node(1), CLUSTER_APP, 'me', { storage });
    users.push(me);
    await me.connect();
    await waitFor(() => me.offlineFinished > 0, 10_000, 'the first pull');
    await publish(0, me.userId, 't1');
    await publish(1, me.userId, 't2');
    // Only node 2 can have delivered it: node 1's wake-ups cannot leave it.
    await me.next((m) => textOf(m) === 't2');
    await publish(0, me.userId, 't3');
    return me;
  };

  it('an entry another node stored before a pushed one arrives with the wake-up that node sends later', async () => {
    const me = await interleave();
    // Node 1 publishes its one kept wake-up (for t3) once its link is back.
    suite.cluster.allowBroker(0);
    await me.next((m) => textOf(m) === 't3', 20_000);
    await waitFor(() => texts(me).includes('t1'), 5000, `t1 too; got ${JSON.stringify(texts(me))}`);
    expect([...texts(me)].sort()).toEqual(['t1', 't2', 't3']);
  }, 90_000);

  it('the app reloaded before that wake-up came pulls the older entry, and not the pushed one again', async () => {
    const storage = createMemoryStorage();
    const me = await interleave(storage);
    me.im.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 100)); // the write-behind flush of the cursors and seen uids
    // Node 1's link is still refused: only the reloaded app's own first pull can bring t1.
    const again = await sdkUser(suite.cluster.node(1), CLUSTER_APP, 'me', { storage, userId: me.userId, token: me.token });
    users.push(again);
    await again.connect();
    await waitFor(() => again.offlineFinished > 0, 10_000, 'the first pull after the reload');
    expect([...texts(again)].sort()).toEqual(['t1', 't3']);
  }, 90_000);
}
