/**
 * Our SDK and the official RongIMLib 2.9.2 client, connected at the same time as two different users
 * of one Lianxin server, exchange messages both ways — and each side sees the other's message exactly
 * as its own SDK would present it (same uid and sentTime on both sides, right direction and sender).
 */
import { ConversationType, MessageDirection, TextMessage } from '../../src/index';
import { call, ok, sdkUser } from '../e2e/sdk-api-support';
import { DEFAULT_TEST_APP } from '../support/server-launcher';
import { useInteropServer } from '../support/official-client/interop-fixture';

const fixture = useInteropServer();

describe('our SDK and the official 2.9.2 client side by side', () => {
  it('exchange private text messages both ways with the same uid and sentTime on both sides', async () => {
    const official = await fixture.online('official');
    const ours = await sdkUser(fixture.server, DEFAULT_TEST_APP, 'ours');
    await ours.connect();
    try {
      // ours → official
      const sent = await ok(call<{ messageUId: string; sentTime: number }>((cb) =>
        ours.im.sendMessage(ConversationType.PRIVATE, official.userId, new TextMessage({ content: 'hello from lianxin' }), cb)), 'send');
      const atOfficial = await official.client.nextMessage((m) => m.content.content === 'hello from lianxin');
      expect(atOfficial.messageUId).toBe(sent.messageUId);
      expect(atOfficial.sentTime).toBe(sent.sentTime);
      expect(atOfficial.senderUserId).toBe(ours.userId);
      expect(atOfficial.targetId).toBe(ours.userId);
      expect(atOfficial.messageDirection).toBe(MessageDirection.RECEIVE);
      expect(atOfficial.objectName).toBe('RC:TxtMsg');

      // official → ours
      const reply = await official.client.sendText(ConversationType.PRIVATE, ours.userId, 'hello from rongcloud');
      if (!reply.ok) throw new Error(`official send failed: ${reply.code}`);
      const atOurs = await ours.next((m) => (m.content as { content?: string }).content === 'hello from rongcloud');
      expect(atOurs.messageUId).toBe(reply.value.messageUId);
      expect(atOurs.sentTime).toBe(reply.value.sentTime);
      expect(atOurs.senderUserId).toBe(official.userId);
      expect(atOurs.targetId).toBe(official.userId);
      expect(atOurs.messageDirection).toBe(MessageDirection.RECEIVE);
      expect(atOurs.conversationType).toBe(ConversationType.PRIVATE);
      expect(atOurs.objectName).toBe('RC:TxtMsg');

      // Both see the same two-message conversation in their remote history.
      const oursHistory = await ok(call<unknown[]>((cb) => ours.im.getHistoryMessages(ConversationType.PRIVATE, official.userId, 0, 20, cb)), 'history');
      expect(oursHistory).toHaveLength(2);
      const officialHistory = await official.client.call<{ messageUId: string }[]>('getHistoryMessages', ConversationType.PRIVATE, ours.userId, 0, 20);
      if (!officialHistory.ok) throw new Error(`official history failed: ${officialHistory.code}`);
      expect(officialHistory.value.map((m) => m.messageUId).sort()).toEqual([sent.messageUId, reply.value.messageUId].sort());
    } finally {
      await ours.im.disconnect();
    }
  });
});
