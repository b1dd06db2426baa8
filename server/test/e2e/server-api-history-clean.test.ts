/**
 * `conversation/message/history/clean` (SERVER_API.md §2.2) against the real server: the owner's remote history of
 * one conversation loses every message up to `msgTimestamp` (all so far when absent), exactly as after the owner's
 * client cleaned it (`qryPMsg` / `qryGMsg` pages and the v3 query agree); other participants keep theirs, later
 * messages stay visible, and bad input is 1002. For a chatroom (conversationType 4) the room's shared history is
 * cleared for every member: pulls (the room's kept pages included), a joiner's history, `qryCHMsg` and the v3 query.
 */
import { decodeByName, encodeByName } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';
import { drain, joinOk, pull, send } from './chatroom-support';
import { connectUser, text, uniqueId, upstream } from './e2e-support';

let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];

async function ok(path: string, form: Record<string, string | number | readonly string[]>): Promise<void> {
  const response = await api.post(path, form);
  expect({ path, status: response.status, code: response.body['code'] }).toEqual({ path, status: 200, code: 200 });
}

const connect = (userId: string): Promise<RawClient> => connectUser(server.url, DEFAULT_TEST_APP.key, api, userId, clients);
const say = (content: string): Uint8Array => upstream('RC:TxtMsg', { content });

/** The texts of a client's remote history of one conversation (`qryPMsg` / `qryGMsg`), oldest first. */
async function history(client: RawClient, topic: 'qryPMsg' | 'qryGMsg', targetId: string): Promise<string[]> {
  const ack = await client.query(topic, client.connack.userId ?? '', encodeByName('HistoryMsgInput', { targetId, time: 0, count: 100, order: 0 }));
  expect(ack.status).toBe(0);
  return decodeByName('HistoryMsgOuput', ack.payload).list.map((m) => (JSON.parse(text(m.content)) as { content: string }).content).reverse();
}

/** The message times of `owner`'s private conversation with `peer` (v3 query), oldest first. */
async function times(owner: string, peer: string): Promise<number[]> {
  const response = await api.postJson<{ data: { msgTime: number }[] }>('v3/message/private/query', { userId: owner, targetId: peer, startTime: 0, endTime: Date.now() + 60_000 });
  return response.body.data.map((m) => m.msgTime);
}

/** The texts of a room's history (`qryCHMsg`), oldest first. */
async function roomHistory(client: RawClient, roomId: string): Promise<string[]> {
  const ack = await client.query('qryCHMsg', roomId, encodeByName('HistoryMsgInput', { targetId: roomId, time: 0, count: 50, order: 0 }));
  expect(ack.status).toBe(0);
  return decodeByName('HistoryMsgOuput', ack.payload).list.map((m) => (JSON.parse(text(m.content)) as { content: string }).content).reverse();
}

/** The texts of a room's v3 query, oldest first. */
async function roomQuery(userId: string, roomId: string): Promise<string[]> {
  const response = await api.postJson<{ code: number; data: { content: string }[] }>('v3/message/chatroom/query', { userId, targetId: roomId, startTime: 0, endTime: Date.now() + 60_000 });
  expect(response.body.code).toBe(200);
  return response.body.data.map((m) => (JSON.parse(m.content) as { content: string }).content);
}

/** The texts of room messages as a client received them. */
const texts = (list: readonly { classname?: string | null; content: Uint8Array }[]): string[] =>
  list.filter((m) => m.classname === 'RC:TxtMsg').map((m) => (JSON.parse(text(m.content)) as { content: string }).content);

async function roomSay(client: RawClient, roomId: string, content: string): Promise<number> {
  const ack = await send(client, roomId, 'RC:TxtMsg', { content });
  expect(ack.status).toBe(0);
  return (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
}

beforeAll(async () => {
  server = await startServer({ apps: [{ ...DEFAULT_TEST_APP, options: { multiDevice: true } }] });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

describe('conversation/message/history/clean', () => {
  it('clears the owner\'s private history up to msgTimestamp for every device of the owner, not the peer\'s', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connect(a);
    const cb = await connect(b);
    for (const content of ['m1', 'm2', 'm3']) expect((await ca.publish('ppMsgP', b, say(content))).status).toBe(0);
    const [, t2] = await times(a, b);
    expect(await history(ca, 'qryPMsg', b)).toEqual(['m1', 'm2', 'm3']);

    await ok('conversation/message/history/clean', { conversationType: 1, fromUserId: a, targetId: b, msgTimestamp: t2 as number });
    expect(await history(ca, 'qryPMsg', b)).toEqual(['m3']);
    // Another device of a's reads the same; so does the v3 query; b's history is untouched.
    expect(await history(await connect(a), 'qryPMsg', b)).toEqual(['m3']);
    expect(await times(a, b)).toHaveLength(1);
    expect(await history(cb, 'qryPMsg', a)).toEqual(['m1', 'm2', 'm3']);

    // Without msgTimestamp: everything so far; a later message is visible again.
    await ok('conversation/message/history/clean', { conversationType: '1', fromUserId: a, targetId: b });
    expect(await history(ca, 'qryPMsg', b)).toEqual([]);
    expect((await cb.publish('ppMsgP', a, say('m4'))).status).toBe(0);
    expect(await history(ca, 'qryPMsg', b)).toEqual(['m4']);
  });

  it('treats a future msgTimestamp as now (later messages stay visible) and clears a member\'s group history only', async () => {
    const [a, b, g] = [uniqueId('a'), uniqueId('b'), uniqueId('g')];
    const ca = await connect(a);
    const cb = await connect(b);
    await ok('group/create', { userId: [a, b], groupId: g, groupName: 'G' });
    expect((await ca.publish('pgMsgP', g, say('g1'))).status).toBe(0);
    await ok('conversation/message/history/clean', { conversationType: 3, fromUserId: b, targetId: g, msgTimestamp: Date.now() + 3_600_000 });
    expect(await history(cb, 'qryGMsg', g)).toEqual([]);
    expect((await ca.publish('pgMsgP', g, say('g2'))).status).toBe(0);
    expect(await history(cb, 'qryGMsg', g)).toEqual(['g2']);
    expect(await history(ca, 'qryGMsg', g)).toEqual(['g1', 'g2']);
  });

  it('clears a chatroom\'s history up to msgTimestamp for every member: pulls, kept pages, join history, qryCHMsg, v3 query', async () => {
    const [a, b, room] = [uniqueId('a'), uniqueId('b'), uniqueId('r')];
    await ok('chatroom/create', { [`chatroom[${room}]`]: 'Room' });
    const ca = await connect(a);
    const cb = await connect(b);
    await joinOk(ca, room);
    const cursor = await joinOk(cb, room);
    await roomSay(ca, room, 'c1');
    const t2 = await roomSay(ca, room, 'c2');
    await roomSay(ca, room, 'c3');
    // b's pull keeps the room's shared page from this cursor.
    expect(texts((await drain(cb, room, cursor)).list)).toEqual(['c1', 'c2', 'c3']);
    expect(await roomHistory(cb, room)).toEqual(['c1', 'c2', 'c3']);

    // The operator (fromUserId) need not be a member: the room's history is cleared for everyone.
    await ok('conversation/message/history/clean', { conversationType: 4, fromUserId: uniqueId('operator'), targetId: room, msgTimestamp: t2 });
    expect(texts((await drain(cb, room, cursor)).list)).toEqual(['c3']);
    expect(await roomHistory(cb, room)).toEqual(['c3']);
    expect(await roomQuery(b, room)).toEqual(['c3']);
    const cc = await connect(uniqueId('c'));
    await joinOk(cc, room);
    const joined = await pull(cc, room, 0, 50);
    expect(joined.status).toBe(0);
    expect(texts(joined.list)).toEqual(['c3']);

    // A future msgTimestamp counts as now: everything so far goes, a later message stays.
    await ok('conversation/message/history/clean', { conversationType: '4', fromUserId: a, targetId: room, msgTimestamp: Date.now() + 3_600_000 });
    expect(texts((await drain(cb, room, cursor)).list)).toEqual([]);
    await roomSay(ca, room, 'c4');
    expect(texts((await drain(cb, room, cursor)).list)).toEqual(['c4']);
    expect(await roomHistory(cc, room)).toEqual(['c4']);
    // Without msgTimestamp: everything so far, the message just sent included.
    await ok('conversation/message/history/clean', { conversationType: 4, fromUserId: a, targetId: room });
    expect(await roomHistory(cc, room)).toEqual([]);
    expect(await roomQuery(b, room)).toEqual([]);
    const cd = await connect(uniqueId('d'));
    await joinOk(cd, room);
    expect(texts((await pull(cd, room, 0, 50)).list)).toEqual([]);

    // An unknown room is 1002, as for the other chatroom endpoints.
    const unknown = await api.post('conversation/message/history/clean', { conversationType: 4, fromUserId: a, targetId: uniqueId('nosuchroom') });
    expect({ status: unknown.status, code: unknown.body['code'] }).toEqual({ status: 400, code: 1002 });
  });

  it('answers 1002 for bad input', async () => {
    const good = { conversationType: 1, fromUserId: 'u1', targetId: 'u2', msgTimestamp: 0 };
    const bad: Array<Record<string, string | number>> = [
      { ...good, conversationType: 2 },
      { ...good, conversationType: 'private' },
      { targetId: 'u2', conversationType: 1 },
      { fromUserId: 'u1', conversationType: 1 },
      { fromUserId: 'u1', targetId: 'u2' },
      { ...good, fromUserId: 'bad id' },
      { ...good, msgTimestamp: 'yesterday' },
      { ...good, msgTimestamp: -5 },
    ];
    for (const form of bad) {
      const response = await api.post('conversation/message/history/clean', form);
      expect({ form, status: response.status, code: response.body['code'] }).toEqual({ form, status: 400, code: 1002 });
    }
  });
});
