/**
 * Chatroom rules under joins, blocks and KV writes racing on two nodes (PostgreSQL + Redis). A room's turn
 * (room-state.ts) serializes its joins and changes on one node only; each node checked its own copy of the room, and
 * the store's writes did not check the rules again. Each of these failed before (server QA pass of session 33):
 *
 * - chrmMaxMembers=5 with ten users joining at once through both nodes: 6–7 joins were acknowledged and listed.
 * - One room per user (chrmMulti off): two devices of a user joining two rooms at once through both nodes — each
 *   join left the other room and the user was in neither (2–6 of 15).
 * - chatroom/user/block/add through node 1 racing joins through node 2: after the block answered, the user was still
 *   a member and could send (a join that passed its block check landed after the block's removal); and node 1's copy
 *   of the room could take the user back from the join's signal when it crossed the block's removal there.
 * - An auto-delete KV key set through node 2 racing the user's kick (block) through node 1 outlived the kick.
 *
 * Now a join is checked again on the store once it is in (block mark; the earliest chrmMaxMembers members by join
 * time stay), the one-room rule keeps the room joined last by the store's join times, and an auto-delete key whose
 * writer is no longer a member by the store goes with the writer's other auto-delete keys; a join signal of a member
 * a node removed lately is applied only if the store still has the membership (room-signals.ts).
 */
import { decodeByName, encodeByName } from '../../../../src/internal';
import type { RawClient } from '../../../../test/support/raw-client';
import { serverApi } from '../../../../test/support/server-api-client';
import type { TestApp } from '../../../../test/support/server-launcher';
import { connectUser, uniqueId, upstream } from '../e2e-support';
import { clusterAvailable, skipClusterSuite, useCluster } from './cluster-support';

const ROOMS: TestApp = { key: 'lxclroomrace', secret: 'lxclroomracesecret', options: { multiDevice: true, maxSendRate: 100_000, chrmMaxMembers: 5, chrmMulti: 1 } };
const ONE_ROOM: TestApp = { key: 'lxclroomone', secret: 'lxclroomonesecret', options: { multiDevice: true, maxSendRate: 100_000 } };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const joinRoom = (c: RawClient, room: string) => c.query('joinChrm', room, encodeByName('ChrmInput', { nothing: 1 }));
const setKv = (c: RawClient, room: string, key: string) => c.query('setKV', room, encodeByName('SetChrmKV', { entry: { key, value: 'a', status: 1 } }));
const liveKeys = async (c: RawClient, room: string): Promise<string[]> =>
  decodeByName('ChrmKVOutput', (await c.query('pullKV', room, encodeByName('QueryChrmKV', { timestamp: 0 }))).payload)
    .entries.filter((e) => ((e.status ?? 0) & 4) === 0)
    .map((e) => e.key);

if (!clusterAvailable()) {
  skipClusterSuite('cluster chatroom races');
} else {
  const suite = useCluster({ nodes: 2, database: 'chatroomraces', apps: [ROOMS, ONE_ROOM] });
  const api = (node: number, app: TestApp) => serverApi(suite.cluster.node(node).url, app.key, app.secret);
  const at = (node: number, userId: string, app: TestApp = ROOMS): Promise<RawClient> =>
    connectUser(suite.cluster.node(node).url, app.key, api(node, app), userId, suite.clients);
  async function ok(node: number, path: string, form: Record<string, string | number | readonly string[]>, app: TestApp = ROOMS): Promise<Record<string, unknown>> {
    const response = await api(node, app).post<Record<string, unknown>>(path, form);
    expect({ path, code: response.body['code'] }).toEqual({ path, code: 200 });
    return response.body;
  }

  it('chrmMaxMembers=5 holds for ten users joining at once through both nodes', async () => {
    const problems: string[] = [];
    for (let round = 0; round < 4; round++) {
      const room = uniqueId('r');
      const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => at(i % 2, uniqueId('u'))));
      const acks = await Promise.all(clients.map((c) => joinRoom(c, room)));
      const joined = acks.filter((a) => a.status === 0).length;
      const refusedFull = acks.filter((a) => a.status === 23411).length;
      const total = Number((await ok(0, 'chatroom/user/query', { chatroomId: room, count: 100, order: 1 }))['total']);
      if (joined !== 5 || total !== 5 || refusedFull !== 5) problems.push(`round ${round}: ${joined} joined, ${refusedFull} full, total ${total}`);
      await Promise.all(clients.map((c) => c.close()));
    }
    expect(problems).toEqual([]);
  });

  it('one room per user: two devices joining two rooms at once through both nodes leave the user in exactly one', async () => {
    const problems: string[] = [];
    for (let round = 0; round < 15; round++) {
      const user = uniqueId('u');
      const [c0, c1] = [await at(0, user, ONE_ROOM), await at(1, user, ONE_ROOM)];
      const rooms = [uniqueId('r'), uniqueId('r')];
      const acks = await Promise.all([joinRoom(c0, rooms[0] as string), joinRoom(c1, rooms[1] as string)]);
      await sleep(200);
      const inRooms = await Promise.all(rooms.map(async (room) => (await ok(0, 'chatroom/user/exist', { chatroomId: room, userId: user }, ONE_ROOM))['isInChrm']));
      if (inRooms.filter((x) => x === true).length !== 1) problems.push(`round ${round}: joins ${acks.map((a) => a.status)}, member of ${inRooms}`);
      await c0.close();
      await c1.close();
    }
    expect(problems).toEqual([]);
  });

  it('chatroom/user/block/add through node 1 racing joins through node 2: once the block answered, the user is no member and cannot send through either node', async () => {
    const problems: string[] = [];
    for (let round = 0; round < 40; round++) {
      const room = uniqueId('r');
      await ok(0, 'chatroom/create', { [`chatroom[${room}]`]: room });
      const user = uniqueId('u');
      const client = await at(1, user);
      // The user's other device, on the node that takes the block: its copy of the room learns the join by a signal.
      const other = await at(0, user);
      const joins = Promise.all([0, 3, 6].map(async (delay) => {
        await sleep(delay);
        return joinRoom(client, room);
      }));
      await sleep(Math.random() * 6);
      await ok(0, 'chatroom/user/block/add', { chatroomId: room, userId: user, minute: 10 });
      const statuses = (await joins).map((j) => j.status);
      await sleep(100);
      const member = (await ok(0, 'chatroom/user/exist', { chatroomId: room, userId: user }))['isInChrm'];
      const send = await client.publish('chatMsg', room, upstream('RC:TxtMsg', { content: 'x' }));
      // The join's signal could cross the block's removal there and make the user a member of node 1's copy again.
      const sendThere = await other.publish('chatMsg', room, upstream('RC:TxtMsg', { content: 'y' }));
      if (member !== false || send.status === 0 || sendThere.status === 0) {
        problems.push(`round ${round}: joins ${statuses}, member ${member}, send ${send.status}, through the other node ${sendThere.status}`);
      }
      await client.close();
      await other.close();
    }
    expect(problems).toEqual([]);
  });

  it('auto-delete KV keys set through node 2 racing the writer\'s kick through node 1 do not outlive the kick', async () => {
    const problems: string[] = [];
    const watcher = await at(0, uniqueId('w'));
    for (let round = 0; round < 25; round++) {
      const room = uniqueId('r');
      await ok(0, 'chatroom/create', { [`chatroom[${room}]`]: room });
      await joinRoom(watcher, room);
      const user = uniqueId('a');
      const client = await at(1, user);
      await joinRoom(client, room);
      await sleep(260);
      const sets = Promise.all([0, 2, 4].map(async (delay, i) => {
        await sleep(delay);
        return setKv(client, room, `seat${i}`);
      }));
      await sleep(Math.random() * 5);
      await ok(0, 'chatroom/user/block/add', { chatroomId: room, userId: user, minute: 10 });
      const statuses = (await sets).map((s) => s.status);
      await sleep(200);
      const keys = await liveKeys(watcher, room);
      if (keys.length > 0) problems.push(`round ${round}: ${keys} left after the kick (sets ${statuses})`);
      await client.close();
    }
    expect(problems).toEqual([]);
  });

  it('control: an auto-delete key set through node 2 goes with a later kick through node 1', async () => {
    const watcher = await at(0, uniqueId('w'));
    const room = uniqueId('r');
    await ok(0, 'chatroom/create', { [`chatroom[${room}]`]: room });
    await joinRoom(watcher, room);
    const user = uniqueId('a');
    const client = await at(1, user);
    await joinRoom(client, room);
    expect((await setKv(client, room, 'seat')).status).toBe(0);
    expect(await liveKeys(watcher, room)).toEqual(['seat']);
    await ok(0, 'chatroom/user/block/add', { chatroomId: room, userId: user, minute: 10 });
    await sleep(200);
    expect(await liveKeys(watcher, room)).toEqual([]);
  });
}
