/**
 * Recall of chatroom messages (PROTOCOL.md §9.9 `recallMsg` with an `RC:RcCmd` naming conversationType 4,
 * SERVER_API.md `message/recall` with conversationType 4): the original leaves every later `chrmPull` (the
 * shared page cache included), the join history and `qryCHMsg`; the `RC:RcCmd` reaches the members the way a
 * room message does (s_ntf type 2 + chrmPull). Only the sender (or an admin through the Server API) may recall.
 */
import { decodeByName, encodeByName } from '../../../src/internal';
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { connectUser, drain, joinOk, pull, roomNotify, send, text, uniqueId, up, type ChatroomTestEnv, type RoomPage } from './chatroom-support';

const APP: TestApp = { key: 'lxchrmrecall', secret: 'lxchrmsecret', options: { maxSendRate: 1000, chrmQuotaHigh: 100000 } };
const RECALL_REFUSED = 25101;

let server: RunningServer;
let env: ChatroomTestEnv;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
  env = { url: server.url, appKey: APP.key, api: serverApi(server.url, APP.key, APP.secret), clients };
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.stop();
});

const sentTimeOf = (ack: { date?: number; millisecond?: number }): number => (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
const bodies = (list: RoomPage['list']): string[] => list.map((m) => text(m.content));
const uids = (list: RoomPage['list']): string[] => list.map((m) => m.msgId ?? '');

async function sendOk(client: RawClient, roomId: string, content: string): Promise<{ uid: string; sentTime: number }> {
  const ack = await send(client, roomId, 'RC:TxtMsg', { content });
  if (ack.status !== 0 || ack.messageUId === undefined) throw new Error(`send ${content}: status ${ack.status}`);
  return { uid: ack.messageUId, sentTime: sentTimeOf(ack) };
}

/** A client recall: frame target = the caller's own id, the room is named in the RC:RcCmd content. */
function recall(client: RawClient, roomId: string, message: { uid: string; sentTime: number }) {
  const command = { conversationType: 4, targetId: roomId, messageUId: message.uid, sentTime: message.sentTime };
  return client.publish('recallMsg', client.connack.userId ?? '', up('RC:RcCmd', command, 0));
}

async function roomHistory(client: RawClient, roomId: string): Promise<RoomPage['list']> {
  const ack = await client.query('qryCHMsg', roomId, encodeByName('HistoryMsgInput', { targetId: roomId, time: 0, count: 50, order: 0 }));
  if (ack.status !== 0) throw new Error(`qryCHMsg: status ${ack.status}`);
  return decodeByName('HistoryMsgOuput', ack.payload).list;
}

it('a sender recalls its room message: members get the RC:RcCmd, later pulls and history lose the original', async () => {
  const room = uniqueId('r');
  const a = uniqueId('a');
  const [ca, cb] = [await connectUser(env, a), await connectUser(env, uniqueId('b'))] as [RawClient, RawClient];
  await joinOk(ca, room);
  const cursor = await joinOk(cb, room);
  const before = await sendOk(ca, room, 'before');
  const secret = await sendOk(ca, room, 'the secret');
  const seen = await drain(cb, room, cursor);
  expect(bodies(seen.list)).toEqual([JSON.stringify({ content: 'before' }), JSON.stringify({ content: 'the secret' })]);

  const notified = roomNotify(cb, room);
  const ack = await recall(ca, room, secret);
  expect(ack.status).toBe(0);
  expect(ack.messageUId).toBeDefined();
  expect(ack.messageUId).not.toBe(secret.uid);
  await notified;

  // The member that already had it gets the RC:RcCmd, from the sender, naming the original.
  const next = await drain(cb, room, seen.cursor);
  expect(next.list.map((m) => m.classname)).toEqual(['RC:RcCmd']);
  const command = next.list[0]!;
  expect(command.fromUserId).toBe(a);
  expect(command.msgId).toBe(ack.messageUId);
  expect(JSON.parse(text(command.content))).toEqual({ conversationType: 4, targetId: room, messageUId: secret.uid, sentTime: secret.sentTime });

  // Pulling again from the old cursor (the room's shared page) no longer serves the original.
  const replay = await drain(cb, room, cursor);
  expect(uids(replay.list)).toEqual([before.uid, ack.messageUId]);

  // A later joiner's join pull and the room history keep the rest without the original's content.
  const cc = await connectUser(env, uniqueId('c'));
  await joinOk(cc, room);
  const joined = await pull(cc, room, 0, 50);
  expect(joined.status).toBe(0);
  expect(uids(joined.list)).toEqual([before.uid, ack.messageUId]);
  expect(bodies(joined.list).some((b) => b.includes('the secret'))).toBe(false);
  const history = await roomHistory(cc, room);
  expect(uids(history)).not.toContain(secret.uid);
  expect(history.map((m) => m.msgId)).toContain(before.uid);
  expect(bodies(history).some((b) => b.includes('the secret'))).toBe(false);

  // Once recalled, it cannot be recalled again.
  expect((await recall(ca, room, secret)).status).toBe(RECALL_REFUSED);
});

it('a recall by a non-sender, of an unknown uid or naming another room is refused and changes nothing', async () => {
  const room = uniqueId('r');
  const otherRoom = uniqueId('o');
  const [ca, cb, cc] = [await connectUser(env, uniqueId('a')), await connectUser(env, uniqueId('b')), await connectUser(env, uniqueId('c'))] as [RawClient, RawClient, RawClient];
  await joinOk(ca, room);
  const cursor = await joinOk(cb, room);
  await joinOk(cc, otherRoom);
  const message = await sendOk(ca, room, 'mine');

  expect((await recall(cb, room, message)).status).toBe(RECALL_REFUSED);
  expect((await recall(ca, room, { uid: 'AAAA-BBBB-CCCC-DDDD', sentTime: message.sentTime })).status).toBe(RECALL_REFUSED);
  expect((await recall(ca, otherRoom, message)).status).toBe(RECALL_REFUSED);
  // Through the Server API the same: another user without isAdmin, or an unknown uid, is a 1002.
  const form = { conversationType: 4, targetId: room, messageUID: message.uid, sentTime: message.sentTime };
  expect((await env.api.post('message/recall', { ...form, fromUserId: cb.connack.userId ?? '' })).body['code']).toBe(1002);
  expect((await env.api.post('message/recall', { ...form, fromUserId: ca.connack.userId ?? '', messageUID: 'AAAA-BBBB-CCCC-DDDD' })).body['code']).toBe(1002);

  const page = await drain(cb, room, cursor);
  expect(uids(page.list)).toEqual([message.uid]);
  expect(uids(await roomHistory(cb, room))).toEqual([message.uid]);
});

it('the Server API recalls a room message (sender or isAdmin); members and the sender get the RC:RcCmd', async () => {
  const room = uniqueId('r');
  const a = uniqueId('a');
  const [ca, cb] = [await connectUser(env, a), await connectUser(env, uniqueId('b'))] as [RawClient, RawClient];
  const cursorA = await joinOk(ca, room);
  const cursorB = await joinOk(cb, room);
  const first = await sendOk(ca, room, 'first secret');
  const second = await sendOk(ca, room, 'second secret');
  const kept = await sendOk(cb, room, 'kept');

  const res = await env.api.post('message/recall', { fromUserId: a, conversationType: 4, targetId: room, messageUID: first.uid, sentTime: first.sentTime });
  expect({ status: res.status, code: res.body['code'] }).toEqual({ status: 200, code: 200 });
  // isAdmin: another user id recalls anyone's message.
  const admin = await env.api.post('message/recall', { fromUserId: 'someone-else', conversationType: 4, targetId: room, messageUID: second.uid, sentTime: second.sentTime, isAdmin: 1 });
  expect(admin.body['code']).toBe(200);
  expect((await env.api.post('message/recall', { fromUserId: a, conversationType: 4, targetId: room, messageUID: first.uid, sentTime: first.sentTime })).body['code']).toBe(1002);

  const member = await drain(cb, room, cursorB);
  expect(member.list.map((m) => m.classname)).toEqual(['RC:RcCmd', 'RC:RcCmd']);
  expect(member.list.map((m) => JSON.parse(text(m.content)).messageUId)).toEqual([first.uid, second.uid]);
  expect(member.list.every((m) => m.fromUserId === a)).toBe(true);
  // The sender did not make this recall: its own pulls include the RC:RcCmd (but still not its own messages).
  const sender = await drain(ca, room, cursorA);
  expect(sender.list.map((m) => m.classname)).toEqual(['RC:TxtMsg', 'RC:RcCmd', 'RC:RcCmd']);
  expect(sender.list[0]?.msgId).toBe(kept.uid);

  const history = await roomHistory(cb, room);
  expect(uids(history)).not.toContain(first.uid);
  expect(uids(history)).not.toContain(second.uid);
  expect(bodies(history).some((b) => b.includes('secret'))).toBe(false);
});

it('a recalled message leaves a truncated shared page too (more than one page behind)', async () => {
  const room = uniqueId('r');
  const [ca, cb, cc] = [await connectUser(env, uniqueId('a')), await connectUser(env, uniqueId('b')), await connectUser(env, uniqueId('c'))] as [RawClient, RawClient, RawClient];
  const cursor = await joinOk(ca, room);
  await joinOk(cb, room);
  await joinOk(cc, room);
  const sent: { uid: string; sentTime: number }[] = [];
  for (let i = 0; i < 110; i++) sent.push(await sendOk(ca, room, `n${i}`));
  const target = sent[5]!;

  const first = await pull(cb, room, cursor, 10);
  expect(first.finished).toBe(false);
  expect(uids(first.list)).toContain(target.uid);
  expect((await recall(ca, room, target)).status).toBe(0);

  // Same cursor after the recall: the kept truncated window is not served any more.
  const again = await pull(cc, room, cursor, 10);
  expect(again.finished).toBe(false);
  expect(uids(again.list)).not.toContain(target.uid);
  expect(uids(again.list)[0]).toBe(sent[0]!.uid);
  const all = await drain(cc, room, cursor);
  expect(uids(all.list).filter((u) => u !== target.uid)).toHaveLength(all.list.length);
  expect(all.list.filter((m) => m.classname === 'RC:TxtMsg')).toHaveLength(109);
  expect(all.list[all.list.length - 1]?.classname).toBe('RC:RcCmd');
});
