/**
 * Chatrooms across a Redis outage (two nodes on PostgreSQL + Redis). The room signals other nodes mirror (joins,
 * leaves, destruction) are pub/sub messages, lost while Redis is down; the store keeps the truth. Once Redis is
 * back every node must serve the room as the store has it:
 * - a join made on node 1 and a quit made on node 2 during the outage: node 2 lets the joiner pull and send, node 1
 *   refuses the one who quit (23406);
 * - a room destroyed through node 1 during the outage: node 2 refuses pulls (23410) and its members get the
 *   RoomDestroyed command;
 * - a room first loaded on node 2 during the outage (its subscription failed): node 2's member is woken by a
 *   message sent on node 1.
 */
import type { RawClient } from '../../../../test/support/raw-client';
import type { TestApp } from '../../../../test/support/server-launcher';
import { eventually, joinOk, pull, quit, roomCommand, roomNotify, send, sleep, uniqueId } from '../chatroom-support';
import { clusterAvailable, skipClusterSuite, useCluster } from './cluster-support';

const APP: TestApp = { key: 'lxcloutage', secret: 'lxcloutagesecret', options: { multiDevice: false, maxSendRate: 1000 } };

if (!clusterAvailable()) {
  skipClusterSuite('cluster chatrooms across a Redis outage');
} else {
  const suite = useCluster({ nodes: 2, database: 'chrmoutage', apps: [APP] });
  const connect = (i: number, userId: string): Promise<RawClient> => suite.connect(i, APP.key, userId);
  const ready = async (i: number): Promise<boolean> => (await fetch(`${suite.cluster.node(i).url}/readyz`)).status === 200;

  /** Runs `during` with redis-server down, then waits until both nodes are ready again. */
  async function outage(during: () => Promise<void>): Promise<void> {
    await suite.cluster.redis.halt();
    await eventually(async () => !(await ready(0)) && !(await ready(1)), 10_000, 'both nodes to see the outage');
    await during();
    await suite.cluster.redis.resume();
    await eventually(async () => (await ready(0)) && (await ready(1)), 15_000, 'both nodes ready again');
  }

  afterEach(async () => {
    // A test that failed inside the outage must not leave Redis down for the next one.
    await suite.cluster.redis.resume().catch(() => undefined);
  });

  it('a join on node 1 and a quit on node 2 made during the outage are seen by the other node once Redis is back', async () => {
    const room = uniqueId('jq');
    const [stay, joiner, leaver] = [uniqueId('s'), uniqueId('j'), uniqueId('l')];
    const s1 = await connect(0, stay);
    const l2 = await connect(1, leaver);
    const j1 = await connect(0, joiner);
    await joinOk(s1, room);
    await joinOk(l2, room);
    await outage(async () => {
      await joinOk(j1, room);
      expect((await quit(l2, room)).status).toBe(0);
    });
    // The joiner moves to node 2 (its session on node 1 is kicked): a member there too.
    const j2 = await connect(1, joiner);
    await eventually(async () => (await pull(j2, room, 0, 10)).status === 0, 5000, 'the joiner to be a member on node 2');
    expect((await send(j2, room, 'RC:TxtMsg', { content: 'after the outage' })).status).toBe(0);
    // The one who quit moves to node 1: not a member there any more.
    const l1 = await connect(0, leaver);
    await eventually(async () => (await pull(l1, room, 0, 10)).status === 23406, 5000, 'the leaver to be out of the room on node 1');
    expect((await send(l1, room, 'RC:TxtMsg', { content: 'not a member' })).status).toBe(23406);
  }, 60_000);

  it('a room destroyed through node 1 during the outage is gone on node 2 once Redis is back', async () => {
    const room = uniqueId('d');
    const a1 = await connect(0, uniqueId('a'));
    const b2 = await connect(1, uniqueId('b'));
    await joinOk(a1, room);
    await joinOk(b2, room);
    const seen = b2.received.length;
    await outage(async () => {
      expect((await suite.cluster.api(0).post('/chatroom/destroy.json', { chatroomId: room })).status).toBe(200);
    });
    await roomCommand(b2, room, 4, 5000);
    expect(b2.received.length).toBeGreaterThan(seen);
    expect((await pull(b2, room, 0, 10)).status).toBe(23410);
  }, 60_000);

  it('a room first loaded on node 2 during the outage gets the signals of node 1 once Redis is back', async () => {
    const room = uniqueId('l');
    const a1 = await connect(0, uniqueId('a'));
    const b2 = await connect(1, uniqueId('b'));
    await joinOk(a1, room);
    await outage(async () => {
      // Node 2 loads the room now: its subscription to the room's topic cannot be made.
      await joinOk(b2, room);
    });
    let woken = false;
    for (let attempt = 0; attempt < 5 && !woken; attempt++) {
      expect((await send(a1, room, 'RC:TxtMsg', { content: `after the outage ${attempt}` })).status).toBe(0);
      woken = await roomNotify(b2, room, 1000).then(() => true, () => false);
      if (!woken) await sleep(200);
    }
    expect(woken).toBe(true);
  }, 60_000);
}
