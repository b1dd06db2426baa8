/**
 * Inbox wake-ups across a Redis outage (two nodes on PostgreSQL + Redis). A message sent on node 1 while Redis is
 * down is stored and acknowledged, but its `s_ntf` to the recipient on node 2 is lost with the broker. Once Redis
 * is back, node 2 tells its sessions to pull (an inbox `s_ntf`), so the recipient gets the message without
 * waiting for the next one (the official clients pull on `s_ntf` only).
 */
import { decodeByName, type PublishFrame } from '../../../../src/internal';
import { isPush, uniqueId, upstream, waitFor } from '../e2e-support';
import { clusterAvailable, CLUSTER_APP, inboxTexts, skipClusterSuite, useCluster } from './cluster-support';

if (!clusterAvailable()) {
  skipClusterSuite('cluster inbox wake-ups across a Redis outage');
} else {
  const suite = useCluster({ nodes: 2, database: 'inboxoutage' });
  const ready = async (i: number): Promise<boolean> => (await fetch(`${suite.cluster.node(i).url}/readyz`)).status === 200;

  afterEach(async () => {
    await suite.cluster.redis.resume().catch(() => undefined);
  });

  it('a recipient on node 2 is told to pull once Redis is back, and its pull holds the message sent during the outage', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await suite.connect(0, CLUSTER_APP.key, a);
    const cb = await suite.connect(1, CLUSTER_APP.key, b);
    await suite.cluster.redis.halt();
    await waitFor(async () => !(await ready(0)) && !(await ready(1)), 10_000, 'both nodes to see the outage');
    const ack = await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'during the outage' }));
    expect(ack.status).toBe(0);
    const sentTime = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
    const seen = cb.received.length;
    await suite.cluster.redis.resume();
    await waitFor(async () => (await ready(0)) && (await ready(1)), 15_000, 'both nodes ready again');
    const ntf = await cb.nextFrame<PublishFrame>((f) => isPush('s_ntf')(f) && cb.received.findIndex((r) => r.frame === f) >= seen, 5000);
    expect(Number(decodeByName('NotifyMsg', ntf.payload).time)).toBeGreaterThanOrEqual(sentTime);
    expect(await inboxTexts(cb)).toEqual([`${a}:during the outage`]);
  }, 60_000);
}
