/**
 * Interop (groups, moderation and message options): the OFFICIAL web client (@rongcloud/imlib-v2 2.9.2 on
 * @rongcloud/engine 4.4.2) against our real server, groups managed through the Server API. Complements
 * official-client-group.test.ts (send/receive, offline sync, 22406, mentions) with mutes (22408), bans and their
 * whitelist, directed messages (`config.userIds`), group status messages, v1 read receipts with the sender's
 * `receiptResponse` tally, recall, and the echo to the sender's other device.
 */
import { randomBytes } from 'node:crypto';
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
