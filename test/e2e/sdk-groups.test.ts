/**
 * Groups through our SDK's public API against the real server process, groups managed through the
 * Server API like an App Server does (issue #5): a group of three with one member offline (send,
 * receive, offline sync, history, conversation list), refusals reaching onError unchanged (22406 not a
 * member, 22408 gagged / banned unless whitelisted), status messages, @ALL / @PART and the
 * conversation's `hasMentioned` (also after recalls), directed messages, read-status sync to one's own devices, and read
 * receipts — v1 messages with the sender's `receiptResponse` tally, and v2 (`rrMsg` / `rrList`) on an
 * app whose navi says `grpRRVer: 1`.
 */
import {
  ConversationType,
  ErrorCode,
  MentionedInfo,
  MentionedType,
  MessageDirection,
  ReadReceiptRequestMessage,
  ReadReceiptResponseMessage,
  SyncReadStatusMessage,
  TextMessage,
  TypingStatusMessage,
} from '../../src/index';
import type { IConversation, Message } from '../../src/index';
import { createMemoryStorage } from '../../platforms/node/node-storage';
import type { KeyValueStorage } from '../../src/platform/platform-adapter';
import { serverApi } from '../support/server-api-client';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, delay, newUserId, ok, sdkUser } from './sdk-api-support';
import type { CallResult, SdkUser } from './sdk-api-support';

const GROUP = ConversationType.GROUP;
const APP: TestApp = { key: 'lxsdkgrp', secret: 'lxsdkgrpsecret', options: { multiDevice: true, maxSendRate: 1000 } };
const V2: TestApp = { key: 'lxsdkgrpv2', secret: 'lxsdkgrpsecret', options: { multiDevice: true, maxSendRate: 1000, groupReceiptV2: true } };

let server: RunningServer;
const users: SdkUser[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP, V2] });
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
});

async function post(path: string, form: Record<string, string | number | readonly string[]>, app: TestApp = APP): Promise<void> {
  const res = await serverApi(server.url, app.key, app.secret).post(path, form);
  expect({ path, body: res.body }).toMatchObject({ path, body: { code: 200 } });
}

/** A user, not yet connected (offline until `connect()`). */
async function user(name: string, app: TestApp = APP, userId?: string): Promise<SdkUser> {
  const created = await sdkUser(server, app, name, userId === undefined ? {} : { userId });
  users.push(created);
  return created;
}

async function online(name: string, app: TestApp = APP, userId?: string): Promise<SdkUser> {
  const created = await user(name, app, userId);
  expect(await created.connect()).toBe(created.userId);
  return created;
}

/** Online on `storage` (the device's); `as` = the same user again (a reload). */
async function stored(name: string, storage: KeyValueStorage, as?: SdkUser): Promise<SdkUser> {
  const created = await sdkUser(server, APP, name, as ? { userId: as.userId, token: as.token, storage } : { storage });
  users.push(created);
  expect(await created.connect()).toBe(created.userId);
  return created;
}

async function group(members: readonly SdkUser[], app: TestApp = APP): Promise<string> {
  const groupId = newUserId('g');
  await post('/group/create.json', { userId: members.map((m) => m.userId), groupId, groupName: 'Team' }, app);
  return groupId;
}

function send(from: SdkUser, groupId: string, msg: unknown, ...rest: unknown[]): Promise<CallResult<Message>> {
  return call<Message>((cb) => (from.im.sendMessage as (...a: unknown[]) => void)(GROUP, groupId, msg, cb, ...rest));
}

async function sendOk(from: SdkUser, groupId: string, text: string): Promise<Message> {
  return ok(send(from, groupId, new TextMessage({ content: text })), `send ${text}`);
}

const textOf = (m: Message): unknown => m.content['content'];
const groupTexts = (u: SdkUser, groupId: string): unknown[] =>
  u.received.filter((r) => r.message.conversationType === GROUP && r.message.targetId === groupId && r.message.objectName === 'RC:TxtMsg').map((r) => textOf(r.message));

function conversation(u: SdkUser, groupId: string): Promise<IConversation | null> {
  return ok(call<IConversation | null>((cb) => u.im.getConversation(GROUP, groupId, cb)), 'getConversation');
}

async function history(u: SdkUser, groupId: string): Promise<unknown[]> {
  const list = await ok(call<Message[]>((cb) => u.im.getHistoryMessages(GROUP, groupId, 0, 20, cb)), 'getHistoryMessages');
  return list.map(textOf);
}

describe('group messages', () => {
  test('three members, one offline: live delivery, offline sync, history and the conversation list', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const carol = await user('carol');
    const groupId = await group([alice, bob, carol]);
    const sent = await sendOk(alice, groupId, 'hello team');
    expect(sent).toMatchObject({ conversationType: GROUP, targetId: groupId, senderUserId: alice.userId, messageDirection: MessageDirection.SEND });
    expect(sent.messageUId).not.toBe('');
    const atBob = await bob.next((m) => m.messageUId === sent.messageUId);
    expect(atBob).toMatchObject({ conversationType: GROUP, targetId: groupId, senderUserId: alice.userId, messageDirection: MessageDirection.RECEIVE, sentTime: sent.sentTime });
    await sendOk(bob, groupId, 'hi alice');
    await alice.next((m) => textOf(m) === 'hi alice');

    expect(await carol.connect()).toBe(carol.userId);
    await carol.next((m) => textOf(m) === 'hi alice');
    expect(groupTexts(carol, groupId)).toEqual(['hello team', 'hi alice']);
    expect(carol.received.every((r) => r.message.offLineMessage)).toBe(true);
    expect(await history(carol, groupId)).toEqual(['hello team', 'hi alice']);
    const entry = await conversation(carol, groupId);
    expect(entry).toMatchObject({ conversationType: GROUP, targetId: groupId, unreadMessageCount: 2, hasMentioned: false });
    expect(entry?.latestMessage?.content).toMatchObject({ content: 'hi alice' });
  });

  test('22406 for non-members and former members; the failed message comes with the code', async () => {
    const [alice, outsider] = [await online('alice'), await online('outsider')];
    const groupId = await group([alice]);
    const refused = await send(outsider, groupId, new TextMessage({ content: 'let me in' }));
    expect(refused).toMatchObject({ ok: false, code: ErrorCode.NOT_IN_GROUP });
    if (!refused.ok) expect(refused.data).toMatchObject({ targetId: groupId, messageUId: '' });
    await sendOk(alice, groupId, 'still in');
    await post('/group/quit.json', { userId: alice.userId, groupId });
    expect(await send(alice, groupId, new TextMessage({ content: 'gone' }))).toMatchObject({ ok: false, code: ErrorCode.NOT_IN_GROUP });
  });

  test('22408 for a gagged member and in a banned group, unless whitelisted', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const groupId = await group([alice, bob]);
    const text = (from: SdkUser, body: string): Promise<CallResult<Message>> => send(from, groupId, new TextMessage({ content: body }));
    await post('/group/user/gag/add.json', { userId: alice.userId, groupId, minute: 10 });
    expect(await text(alice, 'gagged')).toMatchObject({ ok: false, code: ErrorCode.FORBIDDEN_IN_GROUP });
    expect(await text(bob, 'bob is fine')).toMatchObject({ ok: true });
    await post('/group/user/gag/rollback.json', { userId: alice.userId, groupId });
    expect(await text(alice, 'ungagged')).toMatchObject({ ok: true });

    await post('/group/ban/add.json', { groupId });
    await post('/group/user/ban/whitelist/add.json', { groupId, userId: bob.userId });
    expect(await text(alice, 'banned')).toMatchObject({ ok: false, code: ErrorCode.FORBIDDEN_IN_GROUP });
    expect(await text(bob, 'whitelisted')).toMatchObject({ ok: true });
    await post('/group/ban/rollback.json', { groupId });
    expect(await text(alice, 'unbanned')).toMatchObject({ ok: true });
    await bob.next((m) => textOf(m) === 'unbanned');
    expect(groupTexts(bob, groupId)).toEqual(['ungagged', 'unbanned']);
  });

  test('status messages go to online members only (pgMsgS, no uid, time 0)', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const carol = await user('carol');
    const groupId = await group([alice, bob, carol]);
    const status = await ok(send(alice, groupId, new TextMessage({ content: 'ephemeral' }), false, null, null, null, { isStatusMessage: true }), 'status send');
    expect(status).toMatchObject({ messageUId: '', sentTime: 0 });
    await bob.next((m) => textOf(m) === 'ephemeral');
    const typing = await ok(send(alice, groupId, new TypingStatusMessage({ typingContentType: 'RC:TxtMsg', data: '' })), 'typing');
    expect(typing.messageUId).toBe('');
    await carol.connect();
    await sendOk(alice, groupId, 'persisted');
    await carol.next((m) => textOf(m) === 'persisted');
    expect(groupTexts(carol, groupId)).toEqual(['persisted']);
    expect(await history(bob, groupId)).toEqual(['persisted']);
  });
});

describe('mentions, directed messages, read-status sync', () => {
  test('@ALL flags every recipient, @PART only the listed ones; never the sender; the flag clears with the count', async () => {
    const [alice, bob, carol] = [await online('alice'), await online('bob'), await online('carol')];
    const groupId = await group([alice, bob, carol]);
    const all = new TextMessage({ content: '@all hi', mentionedInfo: new MentionedInfo(MentionedType.ALL, [], '') });
    await ok(send(alice, groupId, all, true), '@all');
    for (const u of [bob, carol]) await u.next((m) => textOf(m) === '@all hi');
    for (const u of [bob, carol]) expect(await conversation(u, groupId)).toMatchObject({ hasMentioned: true });
    expect(await conversation(alice, groupId)).toMatchObject({ hasMentioned: false });
    const atBob = await bob.next((m) => textOf(m) === '@all hi');
    expect(atBob.content['mentionedInfo']).toMatchObject({ type: MentionedType.ALL });

    for (const u of [bob, carol]) await ok(call((cb) => u.im.clearUnreadCount(GROUP, groupId, cb)), 'clearUnreadCount');
    const part = new TextMessage({ content: '@carol', mentionedInfo: new MentionedInfo(MentionedType.PART, [carol.userId], '') });
    await ok(send(alice, groupId, part, true), '@carol');
    for (const u of [bob, carol]) await u.next((m) => textOf(m) === '@carol');
    const flagged = await conversation(carol, groupId);
    // Seen failing twice in full CI runs only (hasMentioned false); the SDK's log says what carol went through.
    if (flagged?.hasMentioned !== true) {
      const got = carol.received.map((r) => `${String(textOf(r.message))}@${r.message.sentTime}`);
      throw new Error(`carol not flagged: ${JSON.stringify(flagged)}; received ${JSON.stringify(got)}\n${carol.logs.slice(-80).join('\n')}`);
    }
    expect(await conversation(bob, groupId)).toMatchObject({ hasMentioned: false });

    // Without isMentioned the same content flags nobody.
    for (const u of [bob, carol]) await ok(call((cb) => u.im.clearUnreadCount(GROUP, groupId, cb)), 'clearUnreadCount');
    const quiet = new TextMessage({ content: 'not an @', mentionedInfo: new MentionedInfo(MentionedType.ALL, [], '') });
    await ok(send(alice, groupId, quiet, false), 'quiet');
    await carol.next((m) => textOf(m) === 'not an @');
    expect(await conversation(carol, groupId)).toMatchObject({ hasMentioned: false });
  });

  test('the @ flag follows the unread @ messages: recalling one of two keeps it, recalling the last clears it while a plain message stays unread', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const groupId = await group([alice, bob]);
    const at = (text: string): unknown => new TextMessage({ content: text, mentionedInfo: new MentionedInfo(MentionedType.PART, [bob.userId], '') });
    const first = await ok(send(alice, groupId, at('@bob 1'), true), '@bob 1');
    const second = await ok(send(alice, groupId, at('@bob 2'), true), '@bob 2');
    const plain = await sendOk(alice, groupId, 'plain');
    await bob.next((m) => m.messageUId === plain.messageUId);
    expect(await conversation(bob, groupId)).toMatchObject({ unreadMessageCount: 3, hasMentioned: true });
    for (const [recalled, hasMentioned] of [[first, true], [second, false]] as const) {
      await ok(call((cb) => alice.im.sendRecallMessage(recalled, cb)), 'recall');
      await bob.next((m) => m.objectName === 'RC:RcCmd' && m.content['messageUId'] === recalled.messageUId);
      expect(await conversation(bob, groupId)).toMatchObject({ unreadMessageCount: recalled === first ? 2 : 1, hasMentioned });
    }
  });

  test('a message sent right after a clear keeps its count and @ (the read position is the newest stored message, not a clock reading)', async () => {
    // Was lost ~1 round in 10: a send in the same millisecond as the clear counted as read (read-position-horizon.test.ts).
    const [alice, carol] = [await online('alice'), await online('carol')];
    const groupId = await group([alice, carol]);
    const missed: string[] = [];
    for (let i = 0; i < 100; i += 1) {
      await ok(call((cb) => carol.im.clearUnreadCount(GROUP, groupId, cb)), 'clearUnreadCount');
      const text = `@carol ${i}`;
      await ok(send(alice, groupId, new TextMessage({ content: text, mentionedInfo: new MentionedInfo(MentionedType.PART, [carol.userId], '') }), true), text);
      await carol.next((m) => textOf(m) === text);
      const entry = await conversation(carol, groupId);
      if (entry?.hasMentioned !== true || entry.unreadMessageCount !== 1) missed.push(`${text}: ${JSON.stringify({ hasMentioned: entry?.hasMentioned, unread: entry?.unreadMessageCount })}`);
    }
    expect(missed).toEqual([]);
  });

  test('directed messages (config.userIds, 9th or 8th argument) reach only the listed members, in sync and history', async () => {
    const [alice, bob, carol] = [await online('alice'), await online('bob'), await online('carol')];
    const groupId = await group([alice, bob, carol]);
    await ok(send(alice, groupId, new TextMessage({ content: 'for bob' }), false, null, null, null, { userIds: [bob.userId] }), 'directed 9th');
    await ok(send(alice, groupId, new TextMessage({ content: 'for bob again' }), false, null, null, { userIds: [bob.userId] }), 'directed 8th');
    await sendOk(alice, groupId, 'for all');
    await carol.next((m) => textOf(m) === 'for all');
    await bob.next((m) => textOf(m) === 'for all');
    expect(groupTexts(bob, groupId)).toEqual(['for bob', 'for bob again', 'for all']);
    expect(groupTexts(carol, groupId)).toEqual(['for all']);
    expect(await history(carol, groupId)).toEqual(['for all']);
    expect(await history(bob, groupId)).toEqual(['for bob', 'for bob again', 'for all']);
  });

  test("RC:SRSMsg goes to the sender's own other devices only and clears their count", async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const groupId = await group([alice, bob]);
    const alice2 = await online('alice2', APP, alice.userId);
    const last = await sendOk(bob, groupId, 'unread');
    await alice2.next((m) => m.messageUId === last.messageUId);
    expect(await ok(call<number>((cb) => alice2.im.getUnreadCount(GROUP, groupId, cb)), 'unread')).toBe(1);
    await ok(send(alice, groupId, new SyncReadStatusMessage({ lastMessageSendTime: last.sentTime })), 'SRS');
    await alice2.next((m) => m.objectName === 'RC:SRSMsg');
    expect(await ok(call<number>((cb) => alice2.im.getUnreadCount(GROUP, groupId, cb)), 'unread')).toBe(0);
    await delay(200);
    expect(bob.received.filter((r) => r.message.objectName === 'RC:SRSMsg')).toEqual([]);
  });
});

describe('read receipts', () => {
  test('v1: requests reach the members; their responses are tallied per message at the sender', async () => {
    const [alice, bob, carol] = [await online('alice'), await online('bob'), await online('carol')];
    const groupId = await group([alice, bob, carol]);
    const sent = await sendOk(alice, groupId, 'read me');
    await ok(send(alice, groupId, new ReadReceiptRequestMessage({ messageUId: sent.messageUId })), 'request');
    for (const u of [bob, carol]) await u.next((m) => m.objectName === 'RC:RRReqMsg');
    const first = await ok(call<Message | null>((cb) => bob.im.sendReceiptResponse(GROUP, groupId, cb)), 'bob responds');
    expect(first).toMatchObject({ objectName: 'RC:RRRspMsg', content: { receiptMessageDic: { [alice.userId]: [sent.messageUId] } } });
    const one = await alice.next((m) => m.objectName === 'RC:RRRspMsg' && m.senderUserId === bob.userId);
    expect(one.receiptResponse).toEqual({ [sent.messageUId]: 1 });
    await ok(call((cb) => carol.im.sendReceiptResponse(GROUP, groupId, cb)), 'carol responds');
    const two = await alice.next((m) => m.objectName === 'RC:RRRspMsg' && m.senderUserId === carol.userId);
    expect(two.receiptResponse).toEqual({ [sent.messageUId]: 2 });
    // Nothing pending any more: null; and a response never reaches the other responder.
    expect(await ok(call((cb) => bob.im.sendReceiptResponse(GROUP, groupId, cb)), 'again')).toBeNull();
    expect(bob.received.filter((r) => r.message.objectName === 'RC:RRRspMsg')).toEqual([]);
    // v2 calls need navi grpRRVer=1.
    expect(await call((cb) => bob.im.sendReadReceiptMessage([sent.messageUId], groupId, cb))).toMatchObject({ ok: false, code: ErrorCode.READ_RECEIPT_ERROR });
    expect(await call((cb) => alice.im.getMessageReader(sent.messageUId, groupId, cb))).toMatchObject({ ok: false, code: ErrorCode.READ_RECEIPT_ERROR });
  });

  test('v1 survives a reload (kept in the device storage as R292 keeps it in localStorage): a request received before is answered after, counts continue', async () => {
    const bobStorage = createMemoryStorage();
    const aliceStorage = createMemoryStorage();
    const alice = await stored('alice', aliceStorage);
    const [bob, carol] = [await stored('bob', bobStorage), await online('carol')];
    const groupId = await group([alice, bob, carol]);
    const sent = await sendOk(alice, groupId, 'read me later');
    await ok(send(alice, groupId, new ReadReceiptRequestMessage({ messageUId: sent.messageUId })), 'request');
    await bob.next((m) => m.objectName === 'RC:RRReqMsg');
    await carol.next((m) => m.objectName === 'RC:RRReqMsg');
    await ok(call((cb) => carol.im.sendReceiptResponse(GROUP, groupId, cb)), 'carol responds');
    expect((await alice.next((m) => m.objectName === 'RC:RRRspMsg')).receiptResponse).toEqual({ [sent.messageUId]: 1 });

    // Both reload: a new SDK instance on the same device storage.
    await bob.im.disconnect();
    await alice.im.disconnect();
    await delay(200);
    const bob2 = await stored('bob', bobStorage, bob);
    const alice2 = await stored('alice', aliceStorage, alice);
    const response = await ok(call<Message | null>((cb) => bob2.im.sendReceiptResponse(GROUP, groupId, cb)), 'bob responds after the reload');
    expect(response).toMatchObject({ objectName: 'RC:RRRspMsg', content: { receiptMessageDic: { [alice.userId]: [sent.messageUId] } } });
    const counted = await alice2.next((m) => m.objectName === 'RC:RRRspMsg' && m.senderUserId === bob.userId);
    expect(counted.receiptResponse).toEqual({ [sent.messageUId]: 2 });
    expect(await ok(call((cb) => bob2.im.sendReceiptResponse(GROUP, groupId, cb)), 'nothing left')).toBeNull();
  });

  test('v2 (navi grpRRVer=1): readers through rrMsg/rrList; the v1 response message is refused with 35003', async () => {
    const [alice, bob, carol] = [await online('alice', V2), await online('bob', V2), await online('carol', V2)];
    expect(alice.im.getNavi()).toMatchObject({ grpRRVer: 1 });
    const groupId = await group([alice, bob, carol], V2);
    const sent = await sendOk(alice, groupId, 'v2');
    await bob.next((m) => m.messageUId === sent.messageUId);
    expect(await call((cb) => bob.im.sendReadReceiptMessage([sent.messageUId], groupId, cb))).toMatchObject({ ok: true });
    expect(await call((cb) => carol.im.sendReadReceiptMessage([sent.messageUId], groupId, cb))).toMatchObject({ ok: true });
    const readers = await ok(call<{ totalMemberCount: number; list: Array<{ userId: string; readTime: number }> }>((cb) => alice.im.getMessageReader(sent.messageUId, groupId, cb)), 'readers');
    expect(readers.totalMemberCount).toBe(3);
    expect(readers.list.map((r) => r.userId)).toEqual([bob.userId, carol.userId]);
    expect(readers.list.every((r) => r.readTime >= sent.sentTime)).toBe(true);

    const v1 = new ReadReceiptResponseMessage({ receiptMessageDic: { [alice.userId]: [sent.messageUId] } });
    expect(await send(bob, groupId, v1)).toMatchObject({ ok: false, code: ErrorCode.READ_RECEIPT_ERROR });
    expect(await call((cb) => bob.im.sendReceiptResponse(GROUP, groupId, cb))).toMatchObject({ ok: false, code: ErrorCode.READ_RECEIPT_ERROR });
    const outsider = await online('outsider', V2);
    expect(await call((cb) => outsider.im.sendReadReceiptMessage([sent.messageUId], groupId, cb))).toMatchObject({ ok: false, code: ErrorCode.NOT_IN_GROUP });
    expect(await call((cb) => bob.im.sendReadReceiptMessage([], groupId, cb))).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
  });
});
