/**
 * Interop (chatrooms): the OFFICIAL RongCloud web client (@rongcloud/imlib-v2 2.9.2 on @rongcloud/engine 4.4.2)
 * joining, messaging in, querying and leaving chatrooms on our real server (rooms are created on first join,
 * the default app policy). LIANXIN_TRACE=1 prints every HTTP request and WebSocket frame.
 */
import { randomBytes } from 'node:crypto';
import { ConversationType, MessageDirection } from '../support/official-client/official-message';
import type { OfficialClient } from '../support/official-client/launch-official-client';
import type { OfficialMessage } from '../support/official-client/official-message';
import { delay, expectOk, useInteropServer } from '../support/official-client/interop-fixture';

const CHATROOM = ConversationType.CHATROOM;
const fx = useInteropServer();

function newRoomId(): string {
  return `r${randomBytes(6).toString('hex')}`;
}

async function join(client: OfficialClient, roomId: string, count: number): Promise<void> {
  expectOk(await client.call('joinChatRoom', roomId, count), `joinChatRoom(${roomId}, ${count})`);
}

async function sendRoomText(client: OfficialClient, roomId: string, text: string): Promise<OfficialMessage> {
  return expectOk(await client.sendText(CHATROOM, roomId, text), `chatroom sendText(${text})`);
}

/** Chatroom KV reads come from the client's local cache, filled by pullKV after a join or an s_cmd notice. */
async function entryEventually(client: OfficialClient, roomId: string, key: string, expected: string): Promise<unknown> {
  let last: unknown;
  for (let attempt = 0; attempt < 30; attempt += 1) {
    const result = await client.call<string>('getChatroomEntry', roomId, key);
    last = result;
    if (result.ok && result.value === expected) return result.value;
    await delay(200);
  }
  return last;
}

describe('official web client 2.9.2 ↔ Lianxin server: chatrooms', () => {
  test('members get room messages live, a late joiner gets the last N on join, nobody gets its own back', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const roomId = newRoomId();
    await join(alice.client, roomId, 0);
    await join(bob.client, roomId, 0);

    const sent: OfficialMessage[] = [];
    for (const text of ['room 1', 'room 2', 'room 3']) sent.push(await sendRoomText(alice.client, roomId, text));
    for (const expected of sent) {
      expect(await bob.client.nextMessage((m) => m.targetId === roomId, 10_000)).toMatchObject({
        conversationType: CHATROOM,
        targetId: roomId,
        senderUserId: alice.userId,
        messageDirection: MessageDirection.RECEIVE,
        messageUId: expected.messageUId,
        sentTime: expected.sentTime,
        content: expected.content,
      });
    }

    const carol = await fx.online('carol');
    await join(carol.client, roomId, 2);
    const first = await carol.client.nextMessage((m) => m.targetId === roomId, 10_000);
    const second = await carol.client.nextMessage((m) => m.targetId === roomId, 10_000);
    expect([first.messageUId, second.messageUId]).toEqual([sent[1]?.messageUId, sent[2]?.messageUId]);

    const info = expectOk(
      await carol.client.call<{ userTotalNums: number; userInfos: { id: string; time: number }[] }>('getChatRoomInfo', roomId, 10, 1),
      'getChatRoomInfo',
    );
    expect(info.userTotalNums).toBe(3);
    expect(info.userInfos.map((u) => u.id).sort()).toEqual([alice.userId, bob.userId, carol.userId].sort());

    await alice.client.settle(800);
    expect(alice.client.messages.filter((m) => m.targetId === roomId)).toHaveLength(0);
    expect(bob.client.messages.filter((m) => m.targetId === roomId)).toHaveLength(3);
  });

  test('after quitChatRoom a former member no longer receives the room messages', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const roomId = newRoomId();
    await join(alice.client, roomId, 0);
    await join(bob.client, roomId, 0);
    expectOk(await bob.client.call('quitChatRoom', roomId), 'quitChatRoom');

    const after = await sendRoomText(alice.client, roomId, 'are you there?');
    await bob.client.settle(1_500);
    expect(bob.client.messages.filter((m) => m.messageUId === after.messageUId)).toHaveLength(0);
    // Sending into a room one has left is refused with 23406 NOT_IN_CHATROOM.
    expect(await bob.client.sendText(CHATROOM, roomId, 'let me talk')).toMatchObject({ ok: false, code: 23406 });
  });

  test('chatroom KV: an attribute set by one member becomes readable by another', async () => {
    const alice = await fx.online('alice');
    const bob = await fx.online('bob');
    const roomId = newRoomId();
    await join(alice.client, roomId, 0);
    await join(bob.client, roomId, 0);

    expectOk(await alice.client.call('setChatroomEntry', roomId, { key: 'topic', value: 'interop' }), 'setChatroomEntry');
    expect(await entryEventually(bob.client, roomId, 'topic', 'interop')).toBe('interop');
    const all = expectOk(await bob.client.call<Record<string, string>>('getAllChatroomEntries', roomId), 'getAllChatroomEntries');
    expect(all).toMatchObject({ topic: 'interop' });
  });
});
