/**
 * Inbox wake-ups across a Redis outage (two nodes on PostgreSQL + Redis). A message sent on node 1 while Redis is
 * down is stored and acknowledged, but its `s_ntf` to the recipient on node 2 is lost with the broker. Once Redis
 * is back, node 2 tells its sessions to pull (an inbox `s_ntf`), so the recipient gets the message without
 * waiting for the next one (the official clients pull on `s_ntf` only).
 *
 * When only node 1's own broker link is down (or still reconnecting after node 2 already woke its sessions), node 2
 * has nothing to wake for: node 1 keeps the wake-up it could not publish and publishes it once its link is back.
 */
import { decodeByName, type PublishFrame } from '../../../../src/internal';
import { isPush, uniqueId, upstream, waitFor } from '../e2e-support';
import { clusterAvailable, CLUSTER_APP, inboxTexts, skipClusterSuite, useCluster } from './cluster-support';

if (!clusterAvailable()) {
  skipClusterSuite('cluster inbox wake-ups across a Redis outage');
} else {
  const suite = useCluster({ nodes: 2, database: 'inboxoutage', brokerRefusable: [0] });
  const ready = async (i: number): Promise<boolean> => (await fetch(`${suite.cluster.node(i).url}/readyz`)).status === 200;

  afterEach(async () => {
    suite.cluster.allowBroker(0);
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

  it('messages stored on node 1 while only its own broker link is down reach their recipients on node 2 once that link is back', async () => {
    const [a, b, c] = [uniqueId('a'), uniqueId('b'), uniqueId('c')];
    const group = uniqueId('g');
    expect((await suite.cluster.api(1).post('group/create', { userId: [a, c], groupId: group, groupName: 'G' })).status).toBe(200);
    const ca = await suite.connect(0, CLUSTER_APP.key, a);
    const cb = await suite.connect(1, CLUSTER_APP.key, b);
    const cc = await suite.connect(1, CLUSTER_APP.key, c);
    suite.cluster.refuseBroker(0);
    await waitFor(async () => !(await ready(0)), 10_000, 'node 1 to lose its broker');
    expect(await ready(1)).toBe(true);
    const seen = [cb.received.length, cc.received.length];
    const [toB, toGroup] = [
      await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: 'private, node 1 cut off' })),
      await ca.publish('pgMsgP', group, upstream('RC:TxtMsg', { content: 'group, node 1 cut off' })),
    ];
    expect([toB.status, toGroup.status]).toEqual([0, 0]);
    // Long enough for node 1's Redis client to fail the queued publishes (it gives up after its second attempt to
    // reconnect) rather than send them on the reconnect.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    suite.cluster.allowBroker(0);
    await waitFor(() => ready(0), 15_000, 'node 1 ready again');
    for (const [i, client, ack] of [[0, cb, toB], [1, cc, toGroup]] as const) {
      const sentTime = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
      const ntf = await client.nextFrame<PublishFrame>((f) => isPush('s_ntf')(f) && client.received.findIndex((r) => r.frame === f) >= (seen[i] ?? 0), 5000);
      expect(Number(decodeByName('NotifyMsg', ntf.payload).time)).toBeGreaterThanOrEqual(sentTime);
    }
    expect(await inboxTexts(cb)).toEqual([`${a}:private, node 1 cut off`]);
    expect(await inboxTexts(cc)).toEqual([`${a}:group, node 1 cut off`]);
  }, 60_000);
}
