/**
 * Chatroom moderation notices (Server API `needNotify`, docs/server-api-coverage.md "Chatroom moderation notices")
 * next to the official clients: imlib-next 5.38 turns `RC:ChrmBanMsg` / `RC:ChrmBlockMsg` into its chatroom events
 * `chatroomNotifyBan` / `chatroomNotifyBlock` (a ban pulled as a room message; a block pushed to the blocked user,
 * who is out of the room by then); 2.9.2 and our SDK, which have no such events, hand them to the app as an
 * `UnknownMessage` of the room, the same for both.
 */
import { ConversationType as Ours } from '../../src/index';
import { call, ok, sdkUser } from '../e2e/sdk-api-support';
import type { SdkUser } from '../e2e/sdk-api-support';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP } from '../support/server-launcher';
import { expectOk, useInteropServer } from '../support/official-client/interop-fixture';
import { killAllE5Clients, launchE5Client } from '../support/official-client-e5/launch-e5-client';
import type { E5Client, ListenerEvent } from '../support/official-client-e5/launch-e5-client';

const CHATROOM = 4;
const MINUTE_MS = 60_000;

interface BanEvent { chatroomId: string; banType: number; durationTime: number; operateTime: number; userIdList: string[]; extra: string }
interface BlockEvent { chatroomId: string; operateType: number; durationTime: number; operateTime: number; userIdList: string[]; extra: string }

const banOf = (e: ListenerEvent): BanEvent | undefined => (e.name === 'CHATROOM' ? (e.data as { chatroomNotifyBan?: BanEvent } | undefined)?.chatroomNotifyBan : undefined);
const blockOf = (e: ListenerEvent): BlockEvent | undefined => (e.name === 'CHATROOM' ? (e.data as { chatroomNotifyBlock?: BlockEvent } | undefined)?.chatroomNotifyBlock : undefined);

describe('official imlib-next 5.38: chatroom moderation notices', () => {
  const fixture = useInteropServer();
  const live: SdkUser[] = [];
  afterEach(async () => {
    await killAllE5Clients();
    await Promise.all(live.splice(0).map((u) => u.im.disconnect()));
  });

  const e5Online = async (name: string): Promise<{ client: E5Client; userId: string }> => {
    const userId = fixture.newUserId(name);
    const client = await launchE5Client({ version: '5.38', appKey: DEFAULT_TEST_APP.key, navi: fixture.server.url, label: `${name}-5.38` });
    const result = await client.connect(await fixture.tokenFor(userId));
    if (result.code !== 0) throw new Error(`${name} connect: ${JSON.stringify(result)}\n${client.logs().slice(-4000)}`);
    return { client, userId };
  };

  it('5.38 gets chatroomNotifyBan and chatroomNotifyBlock (blocked itself: pushed, out of the room); 2.9.2 and our SDK an UnknownMessage alike', async () => {
    const api = serverApi(fixture.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
    const post = async (path: string, form: Record<string, string | number | string[]>): Promise<void> => {
      const res = await api.post<{ code: number }>(path, form);
      expect({ path, code: res.body.code }).toEqual({ path, code: 200 });
    };
    const roomId = fixture.newUserId('room');
    const e5 = await e5Online('e5n');
    const e5Other = await e5Online('e5o');
    const official = await fixture.onlineSynced('v2n');
    const mine = await sdkUser(fixture.server, DEFAULT_TEST_APP, 'oursn');
    live.push(mine);
    await mine.connect();
    await e5.client.ok('joinChatRoom', roomId, { count: 0 });
    await e5Other.client.ok('joinChatRoom', roomId, { count: 0 });
    expectOk(await official.client.call('joinChatRoom', roomId, 0), 'official join');
    await ok(call((cb) => mine.im.joinChatRoom(roomId, 0, cb)), 'ours join');

    // A ban notice: every member pulls it.
    await post('/chatroom/user/gag/add.json', { chatroomId: roomId, userId: mine.userId, minute: 10, needNotify: 'true', extra: 'be nice' });
    const ban = banOf(await e5.client.waitForEvent((e) => banOf(e) !== undefined, 15_000));
    expect(ban).toEqual({ chatroomId: roomId, banType: 1, durationTime: 10 * MINUTE_MS, operateTime: expect.any(Number), userIdList: [mine.userId], extra: 'be nice' });
    // Not a message to the 5.38 app.
    expect(e5.client.messages.filter((m) => m.messageType === 'RC:ChrmBanMsg' || m.messageType === 'UnknownMessage')).toEqual([]);
    const atOfficial = await official.client.nextMessage((m) => m.objectName === 'RC:ChrmBanMsg', 15_000);
    const atOurs = await mine.next((m) => m.objectName === 'RC:ChrmBanMsg', 15_000);
    const banContent = { message: { content: { chatroomId: roomId, operateType: 1, durationTime: 10 * MINUTE_MS, operateTime: ban?.operateTime, userList: [mine.userId], extra: 'be nice' }, objectName: 'RC:ChrmBanMsg' }, messageName: 'UnknownMessage' };
    expect(atOfficial).toMatchObject({ conversationType: CHATROOM, targetId: roomId, messageType: 'UnknownMessage', content: banContent });
    expect(atOurs).toMatchObject({ conversationType: Ours.CHATROOM, targetId: roomId, messageType: 'UnknownMessage', content: banContent });
    expect(atOurs.messageUId).toBe(atOfficial.messageUId);

    // A block notice: the blocked ones (out of the room) are pushed it, the other member pulls it.
    await post('/chatroom/user/block/add.json', { chatroomId: roomId, userId: [e5.userId, official.userId, mine.userId], minute: 5, needNotify: 'true' });
    const expectedBlock = { chatroomId: roomId, operateType: 1, durationTime: 5 * MINUTE_MS, operateTime: expect.any(Number), userIdList: [e5.userId, official.userId, mine.userId], extra: '' };
    expect(blockOf(await e5.client.waitForEvent((e) => blockOf(e) !== undefined, 15_000))).toEqual(expectedBlock);
    expect(blockOf(await e5Other.client.waitForEvent((e) => blockOf(e) !== undefined, 15_000))).toEqual(expectedBlock);
    const blockedOfficial = await official.client.nextMessage((m) => m.objectName === 'RC:ChrmBlockMsg', 15_000);
    const blockedOurs = await mine.next((m) => m.objectName === 'RC:ChrmBlockMsg', 15_000);
    for (const m of [blockedOfficial, blockedOurs] as Array<{ conversationType: number; targetId: string; messageType: string; content: unknown }>) {
      expect(m).toMatchObject({ conversationType: CHATROOM, targetId: roomId, messageType: 'UnknownMessage', content: { message: { objectName: 'RC:ChrmBlockMsg', content: { operateType: 1, userList: [e5.userId, official.userId, mine.userId] } } } });
    }
    // Nothing of it in our SDK's conversation list (a room is never a conversation there, as with 2.9.2).
    const conversations = await ok(call<Array<{ conversationType: number }>>((cb) => mine.im.getConversationList(cb, null, 50)), 'ours conversations');
    expect(conversations.filter((c) => c.conversationType === Ours.CHATROOM)).toEqual([]);
    expect(e5.client.logs()).not.toMatch(/pb decode error|unhandled|uncaught/);

    // Deblock reaches 5.38 though it no longer tracks the room.
    await post('/chatroom/user/block/rollback.json', { chatroomId: roomId, userId: e5.userId, needNotify: 'true', extra: 'welcome back' });
    const deblock = await e5.client.waitForEvent((e) => blockOf(e)?.operateType === 0, 15_000);
    expect(blockOf(deblock)).toEqual({ chatroomId: roomId, operateType: 0, durationTime: 0, operateTime: expect.any(Number), userIdList: [e5.userId], extra: 'welcome back' });
    await e5.client.ok('joinChatRoom', roomId, { count: 0 });
  });
});
