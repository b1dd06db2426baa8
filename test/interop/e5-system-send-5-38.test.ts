/**
 * SYSTEM-conversation sends (API_CHECKLIST rule 87: clients may send them since 2.9.8) next to the official
 * imlib-next 5.38.0: our SDK sends on `pbMsgP`, the topic 5.38's send-topic map names for SYSTEM, and the 5.38
 * user gets the message in its SYSTEM conversation; 5.38 itself sends only its read-status sync there (every
 * other SYSTEM send it refuses client-side with 20109), which our server acks. 5.7.3 has no such topic.
 */
import { ConversationType, TextMessage } from '../../src/index';
import type { Message } from '../../src/index';
import { call, ok, sdkUser } from '../e2e/sdk-api-support';
import type { SdkUser } from '../e2e/sdk-api-support';
import { DEFAULT_TEST_APP } from '../support/server-launcher';
import { useInteropServer } from '../support/official-client/interop-fixture';
import { killAllE5Clients, launchE5Client } from '../support/official-client-e5/launch-e5-client';

const SYSTEM = 6;

describe('official imlib-next 5.38: SYSTEM-conversation messages', () => {
  const fixture = useInteropServer();
  const live: SdkUser[] = [];
  afterEach(async () => {
    await killAllE5Clients();
    await Promise.all(live.splice(0).map((u) => u.im.disconnect()));
  });

  it('our SDK sends one to a 5.38 user, who gets it in its SYSTEM conversation; 5.38 syncs that conversation\'s read status on pbMsgP', async () => {
    const e5Id = fixture.newUserId('e5sys');
    const client = await launchE5Client({ version: '5.38', appKey: DEFAULT_TEST_APP.key, navi: fixture.server.url, label: 'e5sys-5.38' });
    expect((await client.connect(await fixture.tokenFor(e5Id))).code).toBe(0);
    const mine = await sdkUser(fixture.server, DEFAULT_TEST_APP, 'ours');
    live.push(mine);
    await mine.connect();

    const sent = await ok(call<Message>((cb) => mine.im.sendMessage(ConversationType.SYSTEM, e5Id, new TextMessage({ content: 'system to 5.38' }), cb)), 'system send');
    const atE5 = await client.nextMessage((m) => m.messageUId === sent.messageUId);
    expect(atE5).toMatchObject({ conversationType: SYSTEM, targetId: mine.userId, senderUserId: mine.userId, content: { content: 'system to 5.38' } });
    // 5.38 refuses every other SYSTEM send client-side (20109); its read-status sync (RC:SRSMsg) goes out on pbMsgP
    // and needs the server's PUBACK to succeed.
    expect(await client.call('clearMessagesUnreadStatus', { conversationType: SYSTEM, targetId: mine.userId })).toMatchObject({ code: 0 });
  });
});
