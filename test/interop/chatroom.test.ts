/**
 * Interop (chatrooms): the OFFICIAL RongCloud web client (@rongcloud/imlib-v2 2.9.2 on @rongcloud/engine
 * 4.4.2) against our server process — join with history, member info, room messages both ways (no echo of
 * one's own), room history, errors, and KV attributes with notifications, ownership, force and removal.
 */
import type { TestApp } from '../support/server-launcher';
import { ConversationType, MessageDirection } from '../support/official-client/official-message';
import type { OfficialMessage } from '../support/official-client/official-message';
import { delay, expectOk, useInteropServer } from '../support/official-client/interop-fixture';
import type { OnlineUser } from '../support/official-client/interop-fixture';

const CHATROOM = ConversationType.CHATROOM;
const APP: TestApp = { key: 'lxinteropchrm', secret: 'lxinteropsecret', options: { maxSendRate: 100 } };
const fx = useInteropServer([APP]);

async function sendRoomText(user: OnlineUser, room: string, content: string): Promise<OfficialMessage> {
  return expectOk(await user.client.sendText(CHATROOM, room, content), `sendText(${content})`);
}

/** getChatroomEntry reads the client's KV cache, which the server updates through s_cmd → pullKV. */
async function entryEventually(user: OnlineUser, room: string, key: string, wanted: string | undefined): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = await user.client.call<string>('getChatroomEntry', room, key);
    const value = result.ok ? result.value : undefined;
    if (value === wanted) return;
    if (Date.now() > deadline) throw new Error(`${key} is ${JSON.stringify(result)}, expected ${String(wanted)}`);
    await delay(100);
  }
}

/**
 * Requests the client has sent on its socket and not yet seen answered, from its trace (`trace: true`):
 * engine 4.4.2 logs `websocket send -> messageId: N` for every PUBLISH/QUERY and `recv ack -> messageId: N`
 * for its answer (id 0 is the ping).
 */
function requestsInFlight(logs: string): string[] {
  const open = new Set<string>();
  for (const [, what, id] of logs.matchAll(/(websocket send|recv ack) -> messageId: (\d+)/g)) {
    if (id === undefined || id === '0') continue;
    if (what === 'websocket send') open.add(id);
    else open.delete(id);
  }
  return [...open];
}

/** Resolves once every request the client sent has been answered (bounded). */
async function untilNothingInFlight(user: OnlineUser, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (requestsInFlight(user.client.logs()).length > 0) {
    if (Date.now() > deadline) throw new Error(`requests ${requestsInFlight(user.client.logs()).join(',')} still unanswered`);
    await delay(20);
  }
}

describe('official web client 2.9.2 ↔ Lianxin server: chatrooms', () => {
  test('join with history, member info, room messages to the others only, room history, quit', async () => {
    const room = fx.newUserId('room');
    const alice = await fx.online('alice', {}, APP);
    const bob = await fx.online('bob', {}, APP);
    expectOk(await alice.client.call('joinChatRoom', room, 0), 'alice joinChatRoom');
    expectOk(await bob.client.call('joinChatRoom', room, 0), 'bob joinChatRoom');

    const info = expectOk(await alice.client.call<{ userTotalNums: number; userInfos: { id: string; time: number }[] }>('getChatRoomInfo', room, 10, 1), 'getChatRoomInfo');
    expect(info.userTotalNums).toBe(2);
    expect(info.userInfos.map((u) => u.id)).toEqual([alice.userId, bob.userId]);

    const sent: OfficialMessage[] = [];
    for (let i = 0; i < 4; i++) sent.push(await sendRoomText(alice, room, `round ${i}`));
    expect(sent[0]).toMatchObject({ conversationType: CHATROOM, targetId: room, messageDirection: MessageDirection.SEND });
    for (const message of sent) {
      const atBob = await bob.client.nextMessage((m) => m.messageUId === message.messageUId, 10_000);
      expect(atBob).toMatchObject({
        conversationType: CHATROOM, targetId: room, senderUserId: alice.userId, messageDirection: MessageDirection.RECEIVE,
        content: { content: message.content['content'] }, sentTime: message.sentTime,
      });
    }
    const reply = await sendRoomText(bob, room, 'hi alice');
    expect((await alice.client.nextMessage((m) => m.messageUId === reply.messageUId, 10_000)).senderUserId).toBe(bob.userId);
    await alice.client.settle(500);
    // Nobody receives their own room messages back.
    expect(alice.client.messages.filter((m) => m.senderUserId === alice.userId)).toEqual([]);
    expect(bob.client.messages.filter((m) => m.senderUserId === bob.userId)).toEqual([]);

    // A late joiner asking for 3 messages gets the latest 3.
    const carol = await fx.online('carol', {}, APP);
    expectOk(await carol.client.call('joinChatRoom', room, 3), 'carol joinChatRoom');
    await carol.client.settle(500, 10_000);
    expect(carol.client.messages.map((m) => m.content['content'])).toEqual(['round 2', 'round 3', 'hi alice']);

    const history = await carol.client.call<OfficialMessage[]>('getChatRoomHistoryMessages', room, 2, 0);
    expect(expectOk(history, 'getChatRoomHistoryMessages').map((m) => m.content['content']).sort()).toEqual(['hi alice', 'round 3']);

    expectOk(await bob.client.call('quitChatRoom', room), 'quitChatRoom');
    const refused = await bob.client.sendText(CHATROOM, room, 'after quit');
    expect(refused).toMatchObject({ ok: false, code: 23406 });
  });

  test('after a connection loss the client re-joins by itself and catches up on what it missed', async () => {
    const room = fx.newUserId('rejoin');
    const alice = await fx.online('alice', {}, APP);
    const bob = await fx.online('bob', { trace: true }, APP);
    expectOk(await alice.client.call('joinChatRoom', room, 0), 'alice joinChatRoom');
    expectOk(await bob.client.call('joinChatRoom', room, 0), 'bob joinChatRoom');
    expect(bob.client.logs()).not.toContain('joinChrmR');
    // joinChatRoom resolves on the join answer; the client then sends chrmPull and pullKV. Engine 4.4.2 keeps a
    // request sent on a socket that is then lost pending for its 30 s request timeout, and while that chrmPull
    // is pending it neither pulls after the re-join nor acts on the room's s_ntf. Under load those answers
    // can take longer than the drop below, so the connection is lost only once nothing is in flight.
    await untilNothingInFlight(bob);
    await bob.client.dropSockets();
    await delay(200);
    const meanwhile = await sendRoomText(alice, room, 'while you were away');
    // Reconnect (every 5 s) then joinChrmR with the remembered count, then a pull from the old cursor.
    const got = await bob.client.nextMessage((m) => m.messageUId === meanwhile.messageUId, 20_000);
    expect(got).toMatchObject({ conversationType: CHATROOM, targetId: room, senderUserId: alice.userId, sentTime: meanwhile.sentTime });
    const after = await sendRoomText(alice, room, 'and after');
    await bob.client.nextMessage((m) => m.messageUId === after.messageUId, 10_000);
    await bob.client.settle(500);
    expect(bob.client.messages.filter((m) => m.messageUId === meanwhile.messageUId)).toHaveLength(1);
    expect(bob.client.logs()).toContain('joinChrmR');
  });

  test('KV attributes: set with notification, others\' keys need force, removal reaches others, errors', async () => {
    const room = fx.newUserId('kvroom');
    const alice = await fx.online('alice', {}, APP);
    const bob = await fx.online('bob', {}, APP);
    expectOk(await alice.client.call('joinChatRoom', room, 0), 'alice joinChatRoom');
    expectOk(await bob.client.call('joinChatRoom', room, 0), 'bob joinChatRoom');

    expectOk(await alice.client.call('setChatroomEntry', room, { key: 'title', value: 'Live', isSendNotification: true, notificationExtra: 'x' }), 'setChatroomEntry');
    await entryEventually(bob, room, 'title', 'Live');
    const note = await bob.client.nextMessage((m) => m.objectName === 'RC:chrmKVNotiMsg', 10_000);
    expect(note).toMatchObject({ conversationType: CHATROOM, targetId: room, senderUserId: alice.userId, content: { key: 'title', value: 'Live', extra: 'x', type: 1 } });
    expect(expectOk(await alice.client.call<Record<string, string>>('getAllChatroomEntries', room), 'getAllChatroomEntries')).toEqual({ title: 'Live' });

    const notOwner = await bob.client.call('setChatroomEntry', room, { key: 'title', value: 'Mine' });
    expect(notOwner).toMatchObject({ ok: false, code: 23424 });
    expectOk(await bob.client.call('forceSetChatroomEntry', room, { key: 'title', value: 'Forced' }), 'forceSetChatroomEntry');
    await entryEventually(alice, room, 'title', 'Forced');

    expectOk(await bob.client.call('removeChatroomEntry', room, { key: 'title' }), 'removeChatroomEntry');
    await entryEventually(alice, room, 'title', undefined);
    const missing = await alice.client.call('getChatroomEntry', room, 'title');
    expect(missing).toMatchObject({ ok: false, code: 23427 });
    const gone = await alice.client.call('forceRemoveChatroomEntry', room, { key: 'title' });
    expect(gone).toMatchObject({ ok: false, code: 23427 });

    // Auto-delete entries go with their owner.
    expectOk(await alice.client.call('setChatroomEntry', room, { key: 'seat', value: 'A', isAutoDelete: true }), 'auto-delete entry');
    await entryEventually(bob, room, 'seat', 'A');
    expectOk(await alice.client.call('quitChatRoom', room), 'alice quits');
    await entryEventually(bob, room, 'seat', undefined);
  });
});
