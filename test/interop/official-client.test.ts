/**
 * Interop (messaging): the OFFICIAL RongCloud web client (@rongcloud/imlib-v2 2.9.2 on @rongcloud/engine 4.4.2),
 * loaded unmodified in child processes (one "browser tab" each, see test/support/official-client), against our
 * real server process. LIANXIN_TRACE=1 prints every HTTP request and WebSocket frame the official clients exchange.
 */
import { ConnectionStatus, ConversationType, MessageDirection } from '../support/official-client/official-message';
import type { OfficialConversation, OfficialMessage } from '../support/official-client/official-message';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP } from '../support/server-launcher';
import {
  delay,
  expectOk,
  privateHistory,
  sendTextOk,
  texts,
  useInteropServer,
} from '../support/official-client/interop-fixture';

const PRIVATE = ConversationType.PRIVATE;
const fx = useInteropServer();

describe('official web client 2.9.2 ↔ Lianxin server: messaging', () => {
  test('connects through navi, /ping and the WebSocket and reports CONNECTING then CONNECTED', async () => {
    const { client, userId } = await fx.online('alice');
    expect(client.statuses.slice(0, 2)).toEqual([ConnectionStatus.CONNECTING, ConnectionStatus.CONNECTED]);
    const current = await client.callSync<string>('getCurrentUserId');
    expect(current).toEqual({ ok: true, value: userId, args: [userId] });
  });

  test('private text messages travel both ways with identical uid and sentTime on both sides', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');

    const sent = await sendTextOk(alice.client, bob.userId, 'hello bob');
    expect(sent).toMatchObject({
      conversationType: PRIVATE,
      targetId: bob.userId,
      senderUserId: alice.userId,
      messageDirection: MessageDirection.SEND,
      objectName: 'RC:TxtMsg',
      content: { content: 'hello bob' },
    });
    expect(sent.messageUId).toEqual(expect.any(String));
    expect(sent.messageUId.length).toBeGreaterThan(0);
    expect(sent.sentTime).toBeGreaterThan(0);

    const atBob = await bob.client.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
    expect(atBob).toMatchObject({
      conversationType: PRIVATE,
      targetId: alice.userId,
      senderUserId: alice.userId,
      messageDirection: MessageDirection.RECEIVE,
      objectName: 'RC:TxtMsg',
      messageType: 'TextMessage',
      content: { content: 'hello bob' },
      sentTime: sent.sentTime,
      offLineMessage: false,
    });

    const reply = await sendTextOk(bob.client, alice.userId, 'hi alice 你好 😀');
    const atAlice = await alice.client.nextMessage((m) => m.messageUId === reply.messageUId, 10_000);
    expect(atAlice).toMatchObject({
      conversationType: PRIVATE,
      targetId: bob.userId,
      senderUserId: bob.userId,
      messageDirection: MessageDirection.RECEIVE,
      content: { content: 'hi alice 你好 😀' },
      sentTime: reply.sentTime,
    });
    expect(reply.sentTime).toBeGreaterThan(sent.sentTime);

    // Nobody gets their own message back and nothing is delivered twice.
    await bob.client.settle(800);
    expect(alice.client.messages.filter((m) => m.messageUId === sent.messageUId)).toHaveLength(0);
    expect(bob.client.messages.filter((m) => m.messageUId === sent.messageUId)).toHaveLength(1);
    expect(bob.client.messages.filter((m) => m.messageUId === reply.messageUId)).toHaveLength(0);
  });

  test('a reconnecting client receives exactly the messages sent while it was offline, in order, once', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    await bob.client.disconnect();
    await bob.client.waitForStatus(ConnectionStatus.DISCONNECTED, 5_000);

    const sent: OfficialMessage[] = [];
    for (const text of ['offline 1', 'offline 2', 'offline 3']) sent.push(await sendTextOk(alice.client, bob.userId, text));

    const again = await bob.client.connect(bob.token);
    expect(again).toEqual({ ok: true, userId: bob.userId });
    for (const expected of sent) {
      const got = await bob.client.nextMessage((m) => m.senderUserId === alice.userId, 10_000);
      expect(got).toMatchObject({
        messageUId: expected.messageUId,
        sentTime: expected.sentTime,
        content: expected.content,
        messageDirection: MessageDirection.RECEIVE,
        targetId: alice.userId,
        offLineMessage: true,
      });
    }
    await bob.client.settle(1_500);
    const fromAlice = bob.client.messages.filter((m) => m.senderUserId === alice.userId);
    expect(fromAlice.map((m) => m.messageUId)).toEqual(sent.map((m) => m.messageUId));
  }, 60_000);

  test('a first login on a fresh page (empty localStorage) pulls the messages that waited for it', async () => {
    const alice = await fx.online('alice');
    const bobId = fx.newUserId('bob');
    const bobToken = await fx.tokenFor(bobId);
    const sent: OfficialMessage[] = [];
    for (const text of ['waiting 1', 'waiting 2']) sent.push(await sendTextOk(alice.client, bobId, text));

    const bob = await fx.launch('bob');
    expect(await bob.connect(bobToken)).toEqual({ ok: true, userId: bobId });
    for (const expected of sent) {
      const got = await bob.nextMessage((m) => m.senderUserId === alice.userId, 10_000);
      expect(got).toMatchObject({ messageUId: expected.messageUId, sentTime: expected.sentTime, offLineMessage: true });
    }
    await bob.settle(1_000);
    expect(bob.messages.filter((m) => m.senderUserId === alice.userId)).toHaveLength(sent.length);
  });

  test('a page reload with the stored sync cursors receives no message twice', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const first = await sendTextOk(alice.client, bob.userId, 'before reload');
    await bob.client.nextMessage((m) => m.messageUId === first.messageUId, 10_000);
    await bob.client.settle(500);
    const saved = await bob.client.storage();
    await bob.client.kill();

    const second = await sendTextOk(alice.client, bob.userId, 'during reload');
    const reloaded = await fx.launch('bob-reloaded', { localStorage: saved });
    expect(await reloaded.connect(bob.token)).toEqual({ ok: true, userId: bob.userId });
    const got = await reloaded.nextMessage((m) => m.senderUserId === alice.userId, 10_000);
    expect(got).toMatchObject({ messageUId: second.messageUId, content: { content: 'during reload' } });
    await reloaded.settle(1_500);
    expect(reloaded.messages.map((m) => m.messageUId)).toEqual([second.messageUId]);
  });

  test('after a network drop the client reconnects by itself and gets what was sent meanwhile', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    // connect() resolves before the connect-time pullMsg is answered. If the socket dies with that pull in
    // flight, engine 4.4.2 keeps it pending until its 30 s request timeout and sends NO pullMsg after the
    // automatic reconnect (observed on the wire), so a message sent meanwhile would only arrive ~30 s later.
    // A query round trip first makes sure the initial sync is done (the server answers in order).
    expectOk(await bob.client.call('getConversationList', null, 10), 'getConversationList');
    const statusesBefore = bob.client.statuses.length;
    await bob.client.dropSockets();
    const meanwhile = await sendTextOk(alice.client, bob.userId, 'while you were away');

    const got = await bob.client.nextMessage((m) => m.messageUId === meanwhile.messageUId, 20_000);
    expect(got).toMatchObject({ senderUserId: alice.userId, content: { content: 'while you were away' }, sentTime: meanwhile.sentTime });
    const later = bob.client.statuses.slice(statusesBefore);
    expect(later).toContain(ConnectionStatus.CONNECTED);
    expect(later[0]).not.toBe(ConnectionStatus.CONNECTED);

    const after = await sendTextOk(alice.client, bob.userId, 'and after');
    await bob.client.nextMessage((m) => m.messageUId === after.messageUId, 10_000);
    await bob.client.settle(800);
    expect(bob.client.messages.filter((m) => m.messageUId === meanwhile.messageUId)).toHaveLength(1);
  }, 45_000);

  test('remote history pages backwards (order 0) and forwards (order 1) by sentTime', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const sent: OfficialMessage[] = [];
    for (let i = 1; i <= 5; i += 1) sent.push(await sendTextOk(alice.client, bob.userId, `h${i}`));
    const [m1, m2, m3, m4, m5] = sent as [OfficialMessage, OfficialMessage, OfficialMessage, OfficialMessage, OfficialMessage];

    // timestamp 0 = now; order 0 = older than timestamp; the app sees each page oldest first.
    const page1 = await privateHistory(alice.client, bob.userId, 0, 2, 0);
    expect(texts(page1.list)).toEqual(['h4', 'h5']);
    expect(page1.hasMore).toBe(true);
    expect(page1.list.map((m) => [m.messageUId, m.sentTime, m.messageDirection, m.senderUserId, m.targetId])).toEqual(
      [m4, m5].map((m) => [m.messageUId, m.sentTime, MessageDirection.SEND, alice.userId, bob.userId]),
    );
    const page2 = await privateHistory(alice.client, bob.userId, m4.sentTime, 2, 0);
    expect(texts(page2.list)).toEqual(['h2', 'h3']);
    expect(page2.hasMore).toBe(true);
    const page3 = await privateHistory(alice.client, bob.userId, m2.sentTime, 2, 0);
    expect(texts(page3.list)).toEqual(['h1']);
    expect(page3.hasMore).toBe(false);

    // order 1 = newer than timestamp.
    const forward1 = await privateHistory(alice.client, bob.userId, m1.sentTime, 2, 1);
    expect(texts(forward1.list)).toEqual(['h2', 'h3']);
    expect(forward1.hasMore).toBe(true);
    const forward2 = await privateHistory(alice.client, bob.userId, m3.sentTime, 3, 1);
    expect(texts(forward2.list)).toEqual(['h4', 'h5']);
    expect(forward2.hasMore).toBe(false);

    // The receiver sees the same conversation from its side.
    const atBob = await privateHistory(bob.client, alice.userId, 0, 20, 0);
    expect(atBob.list.map((m) => m.messageUId)).toEqual(sent.map((m) => m.messageUId));
    expect(atBob.list.every((m) => m.messageDirection === MessageDirection.RECEIVE && m.senderUserId === alice.userId)).toBe(true);
    expect(atBob.hasMore).toBe(false);

    // The count=1, timestamp=0 edge case (the client asks for 2 and trims) yields the newest message.
    const newest = await privateHistory(alice.client, bob.userId, 0, 1, 0);
    expect(newest.list.map((m) => m.messageUId)).toEqual([m5.messageUId]);
  });

  test('conversation list holds the latest message per conversation, newest first; removeConversation drops one', async () => {
    const alice = await fx.online('alice');
    const bobId = fx.newUserId('bob');
    const carolId = fx.newUserId('carol');
    await fx.tokenFor(bobId);
    await fx.tokenFor(carolId);

    await sendTextOk(alice.client, bobId, 'to bob 1');
    const lastToBob = await sendTextOk(alice.client, bobId, 'to bob 2');
    const lastToCarol = await sendTextOk(alice.client, carolId, 'to carol');

    const list = expectOk(await alice.client.call<OfficialConversation[]>('getConversationList', null, 100), 'getConversationList');
    const mine = list.filter((c) => c.targetId === bobId || c.targetId === carolId);
    expect(mine.map((c) => c.targetId)).toEqual([carolId, bobId]);
    const sentTimes = list.map((c) => c.latestMessage?.sentTime ?? 0);
    expect([...sentTimes].sort((a, b) => b - a)).toEqual(sentTimes);
    const [carolConversation, bobConversation] = mine as [OfficialConversation, OfficialConversation];
    expect(carolConversation).toMatchObject({ conversationType: PRIVATE, targetId: carolId });
    expect(carolConversation.latestMessage).toMatchObject({
      messageUId: lastToCarol.messageUId,
      sentTime: lastToCarol.sentTime,
      content: { content: 'to carol' },
      messageDirection: MessageDirection.SEND,
    });
    expect(bobConversation.latestMessage).toMatchObject({
      messageUId: lastToBob.messageUId,
      sentTime: lastToBob.sentTime,
      content: { content: 'to bob 2' },
    });

    expectOk(await alice.client.call('removeConversation', PRIVATE, carolId), 'removeConversation');
    const after = expectOk(await alice.client.call<OfficialConversation[]>('getConversationList', null, 100), 'getConversationList');
    expect(after.map((c) => c.targetId)).toContain(bobId);
    expect(after.map((c) => c.targetId)).not.toContain(carolId);
  });

  test('recall: the peer receives RecallCommandMessage and history no longer shows the message', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const keep = await sendTextOk(alice.client, bob.userId, 'stays');
    const oops = await sendTextOk(alice.client, bob.userId, 'oops');
    await bob.client.nextMessage((m) => m.messageUId === oops.messageUId, 10_000);

    const recall = await alice.client.call<OfficialMessage>('sendRecallMessage', oops);
    const command = expectOk(recall, 'sendRecallMessage');
    expect(command).toMatchObject({ objectName: 'RC:RcCmd', messageType: 'RecallCommandMessage' });

    const atBob = await bob.client.nextMessage((m) => m.objectName === 'RC:RcCmd', 10_000);
    expect(atBob).toMatchObject({
      messageType: 'RecallCommandMessage',
      conversationType: PRIVATE,
      targetId: alice.userId,
      senderUserId: alice.userId,
      content: { messageUId: oops.messageUId, conversationType: PRIVATE },
    });

    for (const [client, peer] of [[alice.client, bob.userId], [bob.client, alice.userId]] as const) {
      const { list } = await privateHistory(client, peer, 0, 20, 0);
      expect(list.map((m) => m.messageUId)).not.toContain(oops.messageUId);
      expect(list.map((m) => m.messageUId)).toContain(keep.messageUId);
    }
  });

  test('deleteRemoteMessages removes exactly the given messages from the caller’s history', async () => {
    const alice = await fx.online('alice');
    const bobId = fx.newUserId('bob');
    await fx.tokenFor(bobId);
    const sent: OfficialMessage[] = [];
    for (const text of ['d1', 'd2', 'd3']) sent.push(await sendTextOk(alice.client, bobId, text));
    const victim = sent[1] as OfficialMessage;

    expectOk(
      await alice.client.call('deleteRemoteMessages', PRIVATE, bobId, [
        { messageUId: victim.messageUId, sentTime: victim.sentTime, messageDirection: victim.messageDirection },
      ]),
      'deleteRemoteMessages',
    );
    const { list } = await privateHistory(alice.client, bobId, 0, 20, 0);
    expect(texts(list)).toEqual(['d1', 'd3']);
  });

  test('clearRemoteHistoryMessages removes everything sent before the timestamp', async () => {
    const alice = await fx.online('alice');
    const bobId = fx.newUserId('bob');
    await fx.tokenFor(bobId);
    const sent: OfficialMessage[] = [];
    for (const text of ['c1', 'c2', 'c3']) {
      sent.push(await sendTextOk(alice.client, bobId, text));
      await delay(15);
    }
    const cut = (sent[1] as OfficialMessage).sentTime + 1;
    expect((sent[2] as OfficialMessage).sentTime).toBeGreaterThan(cut);

    expectOk(
      await alice.client.call('clearRemoteHistoryMessages', { conversationType: PRIVATE, targetId: bobId, timestamp: cut }),
      'clearRemoteHistoryMessages',
    );
    const { list } = await privateHistory(alice.client, bobId, 0, 20, 0);
    expect(texts(list)).toEqual(['c3']);
  });

  test('messages published through the Server API reach the official client (private and system)', async () => {
    const bob = await fx.online('bob');
    const api = serverApi(fx.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
    const fromUserId = fx.newUserId('app-server');

    const privateReply = await api.post<{ code: number }>('/message/private/publish.json', {
      fromUserId,
      toUserId: bob.userId,
      objectName: 'RC:TxtMsg',
      content: JSON.stringify({ content: 'from the app server', extra: 'x' }),
    });
    expect(privateReply.body).toMatchObject({ code: 200 });
    expect(await bob.client.nextMessage((m) => m.senderUserId === fromUserId && m.conversationType === PRIVATE, 10_000)).toMatchObject({
      targetId: fromUserId,
      objectName: 'RC:TxtMsg',
      messageDirection: MessageDirection.RECEIVE,
      content: { content: 'from the app server', extra: 'x' },
    });

    const systemReply = await api.post<{ code: number }>('/message/system/publish.json', {
      fromUserId,
      toUserId: bob.userId,
      objectName: 'RC:TxtMsg',
      content: JSON.stringify({ content: 'system notice' }),
    });
    expect(systemReply.body).toMatchObject({ code: 200 });
    expect(await bob.client.nextMessage((m) => m.conversationType === ConversationType.SYSTEM, 10_000)).toMatchObject({
      targetId: fromUserId,
      senderUserId: fromUserId,
      content: { content: 'system notice' },
    });
  });

  test('Server API sends with isIncludeSender=1 that are not stored reach the online sender as its own messages', async () => {
    const alice = await fx.onlineSynced('alice');
    const bob = await fx.online('bob');
    const api = serverApi(fx.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
    for (const path of ['/message/private/publish.json', '/statusmessage/private/publish.json']) {
      const reply = await api.post<{ code: number }>(path, {
        fromUserId: alice.userId, toUserId: bob.userId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: path }), isPersisted: 0, isIncludeSender: 1,
      });
      expect(reply.body).toMatchObject({ code: 200 });
      // The multi-device echo (PROTOCOL.md §5.5): a message this user sent, to bob.
      expect(await alice.client.nextMessage((m) => (m.content as { content?: string }).content === path, 10_000)).toMatchObject({
        conversationType: PRIVATE,
        targetId: bob.userId,
        senderUserId: alice.userId,
        messageDirection: MessageDirection.SEND,
      });
    }
  });

  test('a typing status (status message) reaches the online peer and is never stored', async () => {
    const alice = await fx.online('alice');
    // Past its first sync: 2.9.2 drops a status message that arrives during it (interop-fixture.ts).
    const bob = await fx.onlineSynced('bob');
    const typing = await alice.client.call('sendTypingStatusMessage', PRIVATE, bob.userId, 'RC:TxtMsg');
    expect(typing.ok).toBe(true);
    // No typing listener is set in the driver, so 2.9.2 hands the status message to the message listener.
    expect(await bob.client.nextMessage((m) => m.objectName === 'RC:TypSts', 10_000)).toMatchObject({
      senderUserId: alice.userId,
      targetId: alice.userId,
      content: { typingContentType: 'RC:TxtMsg' },
    });
    const marker = await sendTextOk(alice.client, bob.userId, 'after typing');
    await bob.client.nextMessage((m) => m.messageUId === marker.messageUId, 10_000);
    const { list } = await privateHistory(bob.client, alice.userId, 0, 20, 0);
    expect(list.map((m) => m.objectName)).toEqual(['RC:TxtMsg']);
  });

  test('sendMessage positional arguments: push text/data and config (silent, expansion) reach the receiver', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const sent = expectOk(
      await alice.client.sendMessage(
        PRIVATE,
        bob.userId,
        { className: 'TextMessage', content: { content: 'with options' } },
        false,
        'push text',
        'push data',
        undefined,
        { disableNotification: true, canIncludeExpansion: true, expansion: { k1: 'v1' } },
      ),
      'sendMessage with options',
    );
    expect(sent).toMatchObject({ disableNotification: true, canIncludeExpansion: true });
    const received = await bob.client.nextMessage((m) => m.messageUId === sent.messageUId, 10_000);
    expect(received).toMatchObject({
      content: { content: 'with options' },
      disableNotification: true,
      canIncludeExpansion: true,
      expansion: { k1: 'v1' },
    });

    // Expansion updates travel as RC:MsgExMsg and surface as expansion events, not as messages.
    expectOk(await alice.client.call('updateMessageExpansion', { k2: 'v2' }, sent), 'updateMessageExpansion');
    const updated = await bob.client.waitForExpansion((e) => e.kind === 'updated' && e.info.messageUId === sent.messageUId, 10_000);
    expect(updated.info.expansion).toEqual({ k2: 'v2' });
    expectOk(await alice.client.call('removeMessageExpansionForKey', ['k1'], sent), 'removeMessageExpansionForKey');
    const deleted = await bob.client.waitForExpansion((e) => e.kind === 'deleted' && e.info.messageUId === sent.messageUId, 10_000);
    expect(deleted.info.deletedKeys).toEqual(['k1']);
    expect(bob.client.messages.filter((m) => m.objectName === 'RC:MsgExMsg')).toHaveLength(0);
  });
});

