/**
 * Interop (groups): group messaging of the OFFICIAL RongCloud web client (@rongcloud/imlib-v2 2.9.2 on
 * @rongcloud/engine 4.4.2) against our real server; groups are created through the Server API as an App Server
 * would. LIANXIN_TRACE=1 prints every HTTP request and WebSocket frame the official clients exchange.
 */
import { randomBytes } from 'node:crypto';
import { ConversationType, MessageDirection } from '../support/official-client/official-message';
import type { OfficialClient } from '../support/official-client/launch-official-client';
import type { OfficialConversation, OfficialMessage } from '../support/official-client/official-message';
import { expectOk, useInteropServer } from '../support/official-client/interop-fixture';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP } from '../support/server-launcher';

const GROUP = ConversationType.GROUP;
const fx = useInteropServer();

async function createGroup(members: readonly string[]): Promise<string> {
  const groupId = `g${randomBytes(6).toString('hex')}`;
  const api = serverApi(fx.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
  const response = await api.post('/group/create.json', { userId: members, groupId, groupName: 'Interop group' });
  expect(response.body).toMatchObject({ code: 200 });
  return groupId;
}

async function sendGroupText(client: OfficialClient, groupId: string, text: string): Promise<OfficialMessage> {
  return expectOk(await client.sendText(GROUP, groupId, text), `group sendText(${text})`);
}

describe('official web client 2.9.2 ↔ Lianxin server: groups', () => {
  test('a group text reaches every other member, targeted at the group, with one uid and sentTime', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const carol = await fx.online('carol');
    const groupId = await createGroup([alice.userId, bob.userId, carol.userId]);

    const sent = await sendGroupText(alice.client, groupId, 'hello group');
    expect(sent).toMatchObject({ conversationType: GROUP, targetId: groupId, senderUserId: alice.userId, messageDirection: MessageDirection.SEND });
    for (const member of [bob, carol]) {
      const got = await member.client.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
      expect(got).toMatchObject({
        conversationType: GROUP,
        targetId: groupId,
        senderUserId: alice.userId,
        messageDirection: MessageDirection.RECEIVE,
        content: { content: 'hello group' },
        sentTime: sent.sentTime,
      });
    }
    await alice.client.settle(800);
    expect(alice.client.messages.filter((m) => m.messageUId === sent.messageUId)).toHaveLength(0);

    const history = await bob.client.call<OfficialMessage[]>('getHistoryMessages', GROUP, groupId, 0, 20, undefined, 0);
    expect(expectOk(history, 'group history').map((m) => [m.messageUId, m.senderUserId])).toEqual([[sent.messageUId, alice.userId]]);

    const list = expectOk(await carol.client.call<OfficialConversation[]>('getConversationList', null, 50), 'getConversationList');
    expect(list.find((c) => c.conversationType === GROUP && c.targetId === groupId)?.latestMessage).toMatchObject({
      messageUId: sent.messageUId,
      senderUserId: alice.userId,
    });
  });

  test('a member who was offline pulls the group messages on reconnect', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const groupId = await createGroup([alice.userId, bob.userId]);
    await bob.client.disconnect();
    const first = await sendGroupText(alice.client, groupId, 'while offline 1');
    const second = await sendGroupText(alice.client, groupId, 'while offline 2');

    expect(await bob.client.connect(bob.token)).toEqual({ ok: true, userId: bob.userId });
    for (const expected of [first, second]) {
      expect(await bob.client.nextMessage((m) => m.targetId === groupId, 10_000)).toMatchObject({
        messageUId: expected.messageUId,
        conversationType: GROUP,
        offLineMessage: true,
      });
    }
    await bob.client.settle(1_000);
    expect(bob.client.messages.filter((m) => m.targetId === groupId)).toHaveLength(2);
  });

  test('a non-member cannot send to the group: onError(22406 NOT_IN_GROUP)', async () => {
    const alice = await fx.online('alice');
    const outsider = await fx.online('outsider');
    const groupId = await createGroup([alice.userId]);
    const result = await outsider.client.sendText(GROUP, groupId, 'let me in');
    expect(result).toMatchObject({ ok: false, code: 22406 });
  });

  test('@mentions: the engine-injected mentionedInfo reaches the members', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const groupId = await createGroup([alice.userId, bob.userId]);
    const sent = expectOk(
      await alice.client.sendMessage(
        GROUP,
        groupId,
        { className: 'TextMessage', content: { content: '@bob look', mentionedInfo: { type: 2, userIdList: [bob.userId] } } },
        true,
      ),
      'mention send',
    );
    const got = await bob.client.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
    expect(got.content).toMatchObject({ content: '@bob look', mentionedInfo: { type: 2, userIdList: [bob.userId] } });
  });
});
