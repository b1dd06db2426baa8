/**
 * Interop (groups, moderation and message options): the OFFICIAL web client (@rongcloud/imlib-v2 2.9.2 on
 * @rongcloud/engine 4.4.2) against our real server, groups managed through the Server API. Complements
 * official-client-group.test.ts (send/receive, offline sync, 22406, mentions) with mutes (22408), bans and their
 * whitelist, directed messages (`config.userIds`), group status messages, v1 read receipts with the sender's
 * `receiptResponse` tally, recall, and the echo to the sender's other device. Side by side with our SDK: the @
 * state after a recall, and the typing listener's reports.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { MentionedInfo, MentionedType, TextMessage } from '../../src/index';
import type { IConversation, Message } from '../../src/index';
import { call, ok, sdkUser } from '../e2e/sdk-api-support';
import type { SdkUser } from '../e2e/sdk-api-support';
import { ConversationType, MessageDirection } from '../support/official-client/official-message';
import type { OfficialClient } from '../support/official-client/launch-official-client';
import type { OfficialMessage } from '../support/official-client/official-message';
import { delay, expectOk, MULTI_DEVICE_APP, useInteropServer } from '../support/official-client/interop-fixture';
import { serverApi } from '../support/server-api-client';
import type { Form } from '../support/server-api-client';
import { DEFAULT_TEST_APP } from '../support/server-launcher';
import type { TestApp } from '../support/server-launcher';

const GROUP = ConversationType.GROUP;
/** navi grpRRVer=1: the official client's group read receipts v2 (sendReadReceiptMessage / getMessageReader). */
const RECEIPT_V2_APP: TestApp = { key: 'lxreceiptapp', secret: 'lxreceiptsecret', options: { groupReceiptV2: true } };
const fx = useInteropServer([DEFAULT_TEST_APP, MULTI_DEVICE_APP, RECEIPT_V2_APP]);

async function admin(path: string, form: Form, app: TestApp = DEFAULT_TEST_APP): Promise<void> {
  const response = await serverApi(fx.server.url, app.key, app.secret).post(path, form);
  expect({ path, body: response.body }).toMatchObject({ body: { code: 200 } });
}

async function createGroup(members: readonly string[], app: TestApp = DEFAULT_TEST_APP): Promise<string> {
  const groupId = `g${randomBytes(6).toString('hex')}`;
  await admin('group/create', { userId: members, groupId, groupName: 'Interop' }, app);
  return groupId;
}

async function sendGroupText(client: OfficialClient, groupId: string, text: string): Promise<OfficialMessage> {
  return expectOk(await client.sendText(GROUP, groupId, text), `group sendText(${text})`);
}

describe('official web client 2.9.2 ↔ Lianxin server: group moderation and options', () => {
  test('a gagged member or a banned group gets onError(22408 FORBIDDEN_IN_GROUP); the whitelist lets a member speak', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const groupId = await createGroup([alice.userId, bob.userId]);

    await admin('group/user/gag/add', { userId: alice.userId, groupId, minute: 5 });
    expect(await alice.client.sendText(GROUP, groupId, 'muted')).toMatchObject({ ok: false, code: 22408 });
    await admin('group/user/gag/rollback', { userId: alice.userId, groupId });
    const freed = await sendGroupText(alice.client, groupId, 'free again');

    await admin('group/ban/add', { groupId });
    await admin('group/user/ban/whitelist/add', { groupId, userId: bob.userId });
    expect(await alice.client.sendText(GROUP, groupId, 'banned')).toMatchObject({ ok: false, code: 22408 });
    const whitelisted = await sendGroupText(bob.client, groupId, 'whitelisted');

    expect(await bob.client.nextMessage((m) => m.targetId === groupId, 10_000)).toMatchObject({ messageUId: freed.messageUId });
    expect(await alice.client.nextMessage((m) => m.targetId === groupId, 10_000)).toMatchObject({ messageUId: whitelisted.messageUId, senderUserId: bob.userId });
    await bob.client.settle(800);
    expect(bob.client.messages.filter((m) => m.targetId === groupId)).toHaveLength(1);
  });

  // RongIMClient.sendMessage(type, target, msg, callback, isMentioned, pushContent, pushData, methodType, config):
  // config is the 9th argument (methodType, deprecated, is ignored).
  test('a directed message (config.userIds) reaches only the listed member', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const carol = await fx.online('carol');
    const groupId = await createGroup([alice.userId, bob.userId, carol.userId]);

    const directed = expectOk(
      await alice.client.sendMessage(GROUP, groupId, { className: 'TextMessage', content: { content: 'just bob' } }, false, '', '', null, { userIds: [bob.userId] }),
      'directed send',
    );
    const everyone = await sendGroupText(alice.client, groupId, 'everyone');
    expect(await bob.client.nextMessage((m) => m.targetId === groupId, 10_000)).toMatchObject({ messageUId: directed.messageUId, content: { content: 'just bob' } });
    expect(await carol.client.nextMessage((m) => m.targetId === groupId, 10_000)).toMatchObject({ messageUId: everyone.messageUId });
    await carol.client.settle(800);
    expect(carol.client.messages.map((m) => m.messageUId)).not.toContain(directed.messageUId);

    const history = expectOk(await carol.client.call<OfficialMessage[]>('getHistoryMessages', GROUP, groupId, 0, 20, undefined, 0), 'carol history');
    expect(history.map((m) => m.messageUId)).toEqual([everyone.messageUId]);
  });

  test('a group status message reaches the online members only', async () => {
    const alice = await fx.online('alice');
    // Past its first sync: 2.9.2 drops a status message that arrives during it (interop-fixture.ts).
    const bob = await fx.onlineSynced('bob');
    const carolId = fx.newUserId('carol');
    await fx.tokenFor(carolId);
    const groupId = await createGroup([alice.userId, bob.userId, carolId]);

    const status = await alice.client.sendMessage(
      GROUP,
      groupId,
      { className: 'TextMessage', content: { content: 'status only' } },
      false,
      '',
      '',
      null,
      { isStatusMessage: true },
    );
    expect(status.ok).toBe(true);
    expect(await bob.client.nextMessage((m) => m.targetId === groupId, 10_000)).toMatchObject({ content: { content: 'status only' }, senderUserId: alice.userId });

    const carol = await fx.online('carol', {}, DEFAULT_TEST_APP, carolId);
    await carol.client.settle(1_000);
    expect(carol.client.messages.filter((m) => m.targetId === groupId)).toEqual([]);
  });

  test('read receipts v1: members answer a ReadReceiptRequestMessage and the sender sees receiptResponse count up', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const carol = await fx.online('carol');
    const groupId = await createGroup([alice.userId, bob.userId, carol.userId]);

    const sent = await sendGroupText(alice.client, groupId, 'please read');
    for (const member of [bob, carol]) await member.client.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
    expectOk(await alice.client.sendMessage(GROUP, groupId, { className: 'ReadReceiptRequestMessage', content: { messageUId: sent.messageUId } }), 'receipt request');
    for (const member of [bob, carol]) {
      const request = await member.client.nextMessage((m) => m.objectName === 'RC:RRReqMsg', 10_000);
      expect(request).toMatchObject({ targetId: groupId, senderUserId: alice.userId, content: { messageUId: sent.messageUId } });
    }

    expectOk(await bob.client.call('sendReceiptResponse', GROUP, groupId), 'bob sendReceiptResponse');
    const first = await alice.client.nextMessage((m) => m.objectName === 'RC:RRRspMsg', 10_000);
    expect(first).toMatchObject({ senderUserId: bob.userId, receiptResponse: { [sent.messageUId]: 1 } });
    // Give bob's 200 ms response timer time to finish before carol answers.
    await delay(300);
    expectOk(await carol.client.call('sendReceiptResponse', GROUP, groupId), 'carol sendReceiptResponse');
    const second = await alice.client.nextMessage((m) => m.objectName === 'RC:RRRspMsg', 10_000);
    expect(second).toMatchObject({ senderUserId: carol.userId, receiptResponse: { [sent.messageUId]: 2 } });
  });

  test('read receipts v2: sendReadReceiptMessage records the reader, getMessageReader lists it (only with grpRRVer=1)', async () => {
    const alice = await fx.online('alice', {}, RECEIPT_V2_APP);
    const bob = await fx.online('bob', {}, RECEIPT_V2_APP);
    const groupId = await createGroup([alice.userId, bob.userId], RECEIPT_V2_APP);
    const sent = await sendGroupText(alice.client, groupId, 'v2 receipt');
    await bob.client.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
    const before = Date.now();
    expectOk(await bob.client.call('sendReadReceiptMessage', [sent.messageUId], groupId), 'sendReadReceiptMessage');
    const readers = expectOk(
      await alice.client.call<{ totalMemberCount: number; list: { userId: string; readTime: number }[] }>('getMessageReader', sent.messageUId, groupId),
      'getMessageReader',
    );
    expect(readers.totalMemberCount).toBe(2);
    expect(readers.list.map((r) => r.userId)).toEqual([bob.userId]);
    expect(readers.list[0]!.readTime).toBeGreaterThanOrEqual(before - 1000);

    // Default app: navi grpRRVer=0, so the client itself refuses v2 (35003 READ_RECEIPT_ERROR).
    const carol = await fx.online('carol');
    expect(await carol.client.call('sendReadReceiptMessage', [sent.messageUId], groupId)).toMatchObject({ ok: false, code: 35003 });
  });

  test('recall in a group: members receive RecallCommandMessage and history drops the message', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const groupId = await createGroup([alice.userId, bob.userId]);
    const keep = await sendGroupText(alice.client, groupId, 'stays');
    const oops = await sendGroupText(alice.client, groupId, 'oops');
    await bob.client.nextMessage((m) => m.messageUId === oops.messageUId, 10_000);

    const command = expectOk(await alice.client.call<OfficialMessage>('sendRecallMessage', oops), 'sendRecallMessage');
    expect(command).toMatchObject({ objectName: 'RC:RcCmd', conversationType: GROUP, targetId: groupId });
    expect(await bob.client.nextMessage((m) => m.objectName === 'RC:RcCmd', 10_000)).toMatchObject({
      conversationType: GROUP,
      targetId: groupId,
      senderUserId: alice.userId,
      content: { messageUId: oops.messageUId, conversationType: GROUP },
    });
    const history = expectOk(await bob.client.call<OfficialMessage[]>('getHistoryMessages', GROUP, groupId, 0, 20, undefined, 0), 'history');
    expect(history.map((m) => m.messageUId)).toContain(keep.messageUId);
    expect(history.map((m) => m.messageUId)).not.toContain(oops.messageUId);
  });

  test('the sender\'s other device gets its group message as SEND, once', async () => {
    const laptop = await fx.online('alice', {}, MULTI_DEVICE_APP);
    const phone = await fx.online('alice-phone', {}, MULTI_DEVICE_APP, laptop.userId);
    const bob = await fx.online('bob', {}, MULTI_DEVICE_APP);
    const groupId = await createGroup([laptop.userId, bob.userId], MULTI_DEVICE_APP);

    const sent = await sendGroupText(laptop.client, groupId, 'from the laptop');
    const echoed = await phone.client.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
    expect(echoed).toMatchObject({ conversationType: GROUP, targetId: groupId, senderUserId: laptop.userId, messageDirection: MessageDirection.SEND, sentTime: sent.sentTime });
    await bob.client.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
    await phone.client.settle(800);
    expect(phone.client.messages.filter((m) => m.messageUId === sent.messageUId)).toHaveLength(1);
  });
});

const ours: SdkUser[] = [];
afterEach(async () => {
  for (const u of ours.splice(0)) await u.im.disconnect();
});

async function oursOnline(name: string, app: TestApp, userId?: string): Promise<SdkUser> {
  const u = await sdkUser(fx.server, app, name, userId === undefined ? {} : { userId });
  ours.push(u);
  expect(await u.connect()).toBe(u.userId);
  return u;
}

function oursSend(from: SdkUser, groupId: string, msg: unknown, ...rest: unknown[]): Promise<Message> {
  return ok(call<Message>((cb) => (from.im.sendMessage as (...a: unknown[]) => void)(GROUP, groupId, msg, cb, ...rest)), 'sendMessage');
}

/** The 2.9.2 engine's stored state of a group conversation (`{c: unread, hm: hasMentioned, m: mentionedInfo, t}`). */
function officialConversationState(storage: Record<string, string>, groupId: string): Record<string, unknown> | undefined {
  for (const [key, value] of Object.entries(storage)) {
    if (!key.includes('con-')) continue;
    const parsed = JSON.parse(value) as Record<string, Record<string, unknown>>;
    if (parsed[`3_${groupId}`] !== undefined) return parsed[`3_${groupId}`];
  }
  return undefined;
}

/**
 * A 2.9.2 page (the unmodified official SDK on the interop browser shims) connected as a user, with a typing status
 * listener; the launcher's child sets none, so this one is started here.
 */
async function officialTypingWatcher(token: string, app: TestApp): Promise<{ events: unknown[]; stop: () => void }> {
  const globals = path.resolve(__dirname, '../support/official-client/browser-globals.cjs');
  const script = `
    const { installBrowserGlobals } = require(${JSON.stringify(globals)});
    installBrowserGlobals({});
    const RongIMLib = require('@rongcloud/imlib-v2');
    RongIMLib.RongIMClient.init(${JSON.stringify(app.key)}, null, { navi: ${JSON.stringify(fx.server.url)}, logLevel: 4 });
    RongIMLib.RongIMClient.setConnectionStatusListener({ onChanged: () => {} });
    RongIMLib.RongIMClient.setOnReceiveMessageListener({ onReceived: () => {} });
    RongIMLib.RongIMClient.setTypingStatusListener({ onChanged: (list) => process.stdout.write('TYPING ' + JSON.stringify(list) + '\\n') });
    RongIMLib.RongIMClient.connect(${JSON.stringify(token)}, {
      onSuccess: () => process.stdout.write('CONNECTED\\n'),
      onTokenIncorrect: () => process.stdout.write('FAILED\\n'),
      onError: (code) => process.stdout.write('FAILED ' + code + '\\n'),
    });`;
  const child = spawn(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
  const events: unknown[] = [];
  let buffer = '';
  let connected: (ok: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => (connected = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('TYPING ')) events.push(JSON.parse(line.slice(7)));
      else if (line.startsWith('CONNECTED')) connected(true);
      else if (line.startsWith('FAILED')) connected(false);
      newline = buffer.indexOf('\n');
    }
  });
  child.on('exit', () => connected(false));
  const stop = (): void => {
    child.kill('SIGKILL');
  };
  const timer = setTimeout(() => connected(false), 20_000);
  const okConnected = await ready;
  clearTimeout(timer);
  if (!okConnected) {
    stop();
    throw new Error('the official typing watcher could not connect');
  }
  return { events, stop };
}

describe('our SDK and the official 2.9.2 client side by side in a group', () => {
  // API_CHECKLIST §11 (E442 conversation manager): "@ tracking: group isMentioned messages that include me (or ALL)
  // set hasMentioned + mentionedInfo.userIdList (of senders); a group recall removes the sender from that list".
  // Bob's 2.9.2 device (same user, multi-device app) drops its stored @ state (`hm`/`m` in localStorage
  // RCV4-con-<appKey>-<userId>) when alice recalls her only @ message; our device of bob must clear hasMentioned
  // too, although a plain message stays unread.
  test('recalling the only @ message clears hasMentioned even when other messages stay unread (2.9.2 clears its @ state)', async () => {
    const alice = await oursOnline('alice', MULTI_DEVICE_APP);
    const bobOfficial = await fx.online('bob', {}, MULTI_DEVICE_APP);
    const bob = await oursOnline('bob-ours', MULTI_DEVICE_APP, bobOfficial.userId);
    const groupId = await createGroup([alice.userId, bob.userId], MULTI_DEVICE_APP);
    const at = await oursSend(alice, groupId, new TextMessage({ content: '@bob', mentionedInfo: new MentionedInfo(MentionedType.PART, [bob.userId], '') }), true);
    const plain = await oursSend(alice, groupId, new TextMessage({ content: 'plain' }));
    await bob.next((m) => m.messageUId === plain.messageUId);
    await bobOfficial.client.nextMessage((m) => m.messageUId === plain.messageUId);
    const conversationOf = (): Promise<IConversation | null> => ok(call<IConversation | null>((cb) => bob.im.getConversation(GROUP, groupId, cb)), 'getConversation');
    expect(await conversationOf()).toMatchObject({ unreadMessageCount: 2, hasMentioned: true });
    expect(officialConversationState(await bobOfficial.client.storage(), groupId)).toMatchObject({ c: 2, hm: true });

    await ok(call((cb) => alice.im.sendRecallMessage(at, cb)), 'recall');
    await bob.next((m) => m.objectName === 'RC:RcCmd');
    await bobOfficial.client.nextMessage((m) => m.objectName === 'RC:RcCmd');
    const official = officialConversationState(await bobOfficial.client.storage(), groupId);
    expect(official).toMatchObject({ c: 1 });
    expect(official?.['hm']).toBeUndefined(); // 2.9.2: the @ state is gone
    expect(await conversationOf()).toMatchObject({ unreadMessageCount: 1, hasMentioned: false });
  });

  // 2.9.2 (engine 4.4.2): a typing message from a user already typing the same type only refreshes the entry's
  // timestamp; the listener is called from the 500 ms check with the conversations whose list CHANGED
  // (API_CHECKLIST §11 "Typing": "listener called with changed conversations every 500 ms"). The same three typing
  // messages, 300 ms apart, give both SDKs two calls: alice starts, alice stops.
  test('typing: a refresh of the same typing state is not reported again (2.9.2 reports start and stop only)', async () => {
    const alice = await oursOnline('alice', MULTI_DEVICE_APP);
    const bob = await oursOnline('bob-ours', MULTI_DEVICE_APP);
    const groupId = await createGroup([alice.userId, bob.userId], MULTI_DEVICE_APP);
    const official = await officialTypingWatcher(await fx.tokenFor(bob.userId, MULTI_DEVICE_APP), MULTI_DEVICE_APP);
    try {
      const events: unknown[] = [];
      bob.client.setTypingStatusListener({ onChanged: (list: unknown) => events.push(JSON.parse(JSON.stringify(list))) });
      await delay(500);
      for (let i = 0; i < 3; i += 1) {
        await ok(call((cb) => alice.im.sendTypingStatusMessage(GROUP, groupId, 'RC:TxtMsg', cb)), 'typing');
        await delay(300);
      }
      await delay(3000);
      const usersIn = (changed: unknown): unknown => (changed as Array<{ targetId: string; list: Array<{ userId: string }> }>).find((c) => c.targetId === groupId)?.list.map((u) => u.userId);
      expect(official.events.map(usersIn)).toEqual([[alice.userId], []]);
      expect(events.map(usersIn)).toEqual(official.events.map(usersIn));
    } finally {
      official.stop();
    }
  });
});
