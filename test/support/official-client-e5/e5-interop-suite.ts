/**
 * The interop scenarios every engine 5.x official client (imlib-next) must pass against our server, side by
 * side with the official 2.9.2 client and our SDK. One server per test file; children reaped after every test.
 * `describeE5Interop('5.38')` / `('5.7')` is called from test/interop/e5-*.test.ts.
 */
import { ConversationType as Ours, TextMessage } from '../../../src/index';
import { call, ok, sdkUser } from '../../e2e/sdk-api-support';
import type { SdkUser } from '../../e2e/sdk-api-support';
import { serverApi } from '../server-api-client';
import { DEFAULT_TEST_APP } from '../server-launcher';
import { useInteropServer } from '../official-client/interop-fixture';
import { killAllE5Clients, launchE5Client } from './launch-e5-client';
import type { E5Client, E5Message, E5Version } from './launch-e5-client';

const PRIVATE = 1;
const GROUP = 3;
const CHATROOM = 4;

/**
 * Hosts the 5.x clients contact on their own, whatever server they are pointed at (PROTOCOL-E5.md §1.4):
 * nothing our navi or CMP answers can stop them. Any other non-loopback request is a failure.
 */
export const SELF_INITIATED_HOSTS: readonly string[] = ['dualstack-cloudcontrol.rong-edge.com'];

interface E5User {
  readonly client: E5Client;
  readonly userId: string;
}

const textOf = (m: E5Message): unknown => m.content.content;

export function describeE5Interop(version: E5Version): void {
  const fixture = useInteropServer();
  const live: SdkUser[] = [];
  afterEach(async () => {
    await killAllE5Clients();
    await Promise.all(live.splice(0).map((u) => u.im.disconnect()));
  });

  const launch = (name: string): Promise<E5Client> =>
    launchE5Client({ version, appKey: DEFAULT_TEST_APP.key, navi: fixture.server.url, label: `${name}-${version}` });
  const e5Online = async (name: string, userId = fixture.newUserId(name)): Promise<E5User> => {
    const client = await launch(name);
    const result = await client.connect(await fixture.tokenFor(userId));
    if (result.code !== 0 || result.data?.userId !== userId) throw new Error(`${name} connect: ${JSON.stringify(result)}\n${client.logs().slice(-4000)}`);
    return { client, userId };
  };
  const ours = async (name: string): Promise<SdkUser> => {
    const user = await sdkUser(fixture.server, DEFAULT_TEST_APP, name);
    await user.connect();
    live.push(user);
    return user;
  };
  const oursSend = (user: SdkUser, type: number, targetId: string, text: string): Promise<{ messageUId: string; sentTime: number }> =>
    ok(call<{ messageUId: string; sentTime: number }>((cb) => user.im.sendMessage(type, targetId, new TextMessage({ content: text }), cb)), `send ${text}`);
  const oursGot = (user: SdkUser, text: string): Promise<unknown> => user.next((m) => (m.content as { content?: string }).content === text);

  describe(`official imlib-next ${version} ↔ Lianxin server`, () => {
    it('connects through navi, exchanges private messages with a 2.9.2 client and our SDK, and reaches no foreign host our server could prevent', async () => {
      const e5 = await e5Online('e5');
      const official = await fixture.online('v2');
      const mine = await ours('ours');

      const toOfficial = await e5.client.sendText(PRIVATE, official.userId, 'e5 → 2.9.2');
      const atOfficial = await official.client.nextMessage((m) => m.content.content === 'e5 → 2.9.2');
      expect(atOfficial.messageUId).toBe(toOfficial.messageUId);
      expect(atOfficial.senderUserId).toBe(e5.userId);

      const fromOfficial = await official.client.sendText(PRIVATE, e5.userId, '2.9.2 → e5');
      if (!fromOfficial.ok) throw new Error(`2.9.2 send failed: ${JSON.stringify(fromOfficial)}`);
      const atE5 = await e5.client.nextMessage((m) => textOf(m) === '2.9.2 → e5');
      expect(atE5.messageUId).toBe(fromOfficial.value.messageUId);
      expect(atE5.senderUserId).toBe(official.userId);
      expect(atE5.conversationType).toBe(PRIVATE);

      const toOurs = await e5.client.sendText(PRIVATE, mine.userId, 'e5 → ours');
      await oursGot(mine, 'e5 → ours');
      const fromOurs = await oursSend(mine, Ours.PRIVATE, e5.userId, 'ours → e5');
      const atE5FromOurs = await e5.client.nextMessage((m) => textOf(m) === 'ours → e5');
      expect(atE5FromOurs.messageUId).toBe(fromOurs.messageUId);
      expect(atE5FromOurs.sentTime).toBe(fromOurs.sentTime);
      expect(toOurs.messageUId).not.toBe('');

      // Every connect-time topic got a reply the client could decode (PROTOCOL-E5.md §3.3-2).
      expect(e5.client.logs()).not.toMatch(/pb decode error|Missing at least one required field|unhandled|uncaught/);
      const foreign = (await e5.client.blocked()).filter((r) => !SELF_INITIATED_HOSTS.includes(new URL(r.url).hostname));
      expect(foreign).toEqual([]);
    });

    it('reports connect refusals and kicks with their codes (bad token 31004 on 5.38, kick 31010)', async () => {
      const refused = await launch('e5bad');
      const result = await refused.connect('not-a-token');
      if (version === '5.7') {
        // 5.7.3 treats any refusal as "try the next navigator" and always appends RongCloud's public ones,
        // so a refused token ends in 30007 after it was sent to those hosts (docs/migration.md).
        expect(result.code).toBe(30007);
        expect((await refused.blocked()).map((r) => new URL(r.url).hostname)).toEqual(['nav.cn.ronghub.com', 'nav2-cn.ronghub.com']);
      } else {
        expect(result.code).toBe(31004);
      }

      const userId = fixture.newUserId('e5kick');
      const first = await e5Online('e5kick1', userId);
      await e5Online('e5kick2', userId);
      await first.client.waitForStatus('DISCONNECT');
      expect(first.client.statuses.find((s) => s.status === 'DISCONNECT')?.code).toBe(31010);
    });

    it('sends and receives group messages with a 2.9.2 client and our SDK', async () => {
      const e5 = await e5Online('e5g');
      const official = await fixture.online('v2g');
      const mine = await ours('oursg');
      const groupId = fixture.newUserId('grp');
      const api = serverApi(fixture.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
      const created = await api.post('/group/create.json', { userId: [e5.userId, official.userId, mine.userId], groupId, groupName: 'e5 group' });
      expect(created.status).toBe(200);

      const sent = await e5.client.sendText(GROUP, groupId, 'e5 to group');
      expect((await official.client.nextMessage((m) => m.content.content === 'e5 to group')).messageUId).toBe(sent.messageUId);
      await oursGot(mine, 'e5 to group');
      const fromOurs = await oursSend(mine, Ours.GROUP, groupId, 'ours to group');
      const atE5 = await e5.client.nextMessage((m) => textOf(m) === 'ours to group');
      expect(atE5).toMatchObject({ conversationType: GROUP, targetId: groupId, senderUserId: mine.userId, messageUId: fromOurs.messageUId });
      const fromOfficial = await official.client.sendText(GROUP, groupId, 'v2 to group');
      if (!fromOfficial.ok) throw new Error('2.9.2 group send failed');
      expect((await e5.client.nextMessage((m) => textOf(m) === 'v2 to group')).senderUserId).toBe(official.userId);
    });

    it('syncs offline messages on connect, serves history, lists and removes the conversation', async () => {
      const mine = await ours('oursoff');
      const userId = fixture.newUserId('e5off');
      const first = await oursSend(mine, Ours.PRIVATE, userId, 'while offline 1');
      await oursSend(mine, Ours.PRIVATE, userId, 'while offline 2');
      const e5 = await e5Online('e5off', userId);
      const synced = await e5.client.nextMessage((m) => textOf(m) === 'while offline 1', 15_000);
      expect(synced.messageUId).toBe(first.messageUId);
      await e5.client.nextMessage((m) => textOf(m) === 'while offline 2');

      const history = await e5.client.ok<{ list: E5Message[]; hasMore: boolean }>(
        'getRemoteHistoryMessages', { conversationType: PRIVATE, targetId: mine.userId }, { timestamp: 0, count: 20, order: 0 });
      expect(history.list.map(textOf)).toEqual(['while offline 1', 'while offline 2']);
      // Paging forward (order 1) comes oldest first as well: the server sends 5.38 such pages oldest first (it reverses
      // order-0 pages only) and 5.7.3 newest first (it reverses every page).
      const newer = await e5.client.ok<{ list: E5Message[]; hasMore: boolean }>(
        'getRemoteHistoryMessages', { conversationType: PRIVATE, targetId: mine.userId }, { timestamp: synced.sentTime - 1, count: 20, order: 1 });
      expect(newer.list.map(textOf)).toEqual(['while offline 1', 'while offline 2']);

      const conversations = await e5.client.ok<Array<{ targetId: string; conversationType: number }>>('getConversationList', {});
      expect(conversations.map((c) => c.targetId)).toContain(mine.userId);
      await e5.client.ok('removeConversation', { conversationType: PRIVATE, targetId: mine.userId });
      const after = await e5.client.ok<Array<{ targetId: string }>>('getConversationList', {});
      expect(after.map((c) => c.targetId)).not.toContain(mine.userId);
      // The removal reached the server: a fresh page (no local cache) does not list it either.
      await e5.client.kill();
      const again = await e5Online('e5off2', userId);
      const fresh = await again.client.ok<Array<{ targetId: string }>>('getConversationList', {});
      expect(fresh.map((c) => c.targetId)).not.toContain(mine.userId);
    });

    it('recalls a message both ways', async () => {
      const e5 = await e5Online('e5r');
      const mine = await ours('oursr');
      const sent = await e5.client.sendText(PRIVATE, mine.userId, 'to be recalled');
      await oursGot(mine, 'to be recalled');
      await e5.client.ok('recallMessage', { conversationType: PRIVATE, targetId: mine.userId }, { messageUId: sent.messageUId, sentTime: sent.sentTime });
      // Our SDK, like 2.x, hands the app the recall command itself.
      const recalled = await mine.next((m) => m.objectName === 'RC:RcCmd');
      expect((recalled.content as { messageUId?: string }).messageUId).toBe(sent.messageUId);

      const mineSent = await oursSend(mine, Ours.PRIVATE, e5.userId, 'ours recalls this');
      await e5.client.nextMessage((m) => textOf(m) === 'ours recalls this');
      const original = { messageUId: mineSent.messageUId, sentTime: mineSent.sentTime, conversationType: Ours.PRIVATE, targetId: e5.userId, senderUserId: mine.userId, messageDirection: 1 };
      await ok(call((cb) => mine.im.sendRecallMessage(original as never, cb)), 'recall');
      // Without a local database (web) imlib-next hands the app the recall command as a message.
      const recall = await e5.client.nextMessage((m) => m.messageType === 'RC:RcCmd' || m.messageType === 'RC:RcNtf');
      expect(recall.content.messageUId).toBe(mineSent.messageUId);
    });

    it('joins a chatroom, receives its messages and reads and writes its KV', async () => {
      const e5 = await e5Online('e5c');
      const mine = await ours('oursc');
      const roomId = fixture.newUserId('room');
      await ok(call((cb) => mine.im.joinChatRoom(roomId, 0, cb)), 'ours join');
      await oursSend(mine, Ours.CHATROOM, roomId, 'before e5 joined');
      await e5.client.ok('joinChatRoom', roomId, { count: 10 });
      await e5.client.nextMessage((m) => textOf(m) === 'before e5 joined' && m.conversationType === CHATROOM, 15_000);
      await oursSend(mine, Ours.CHATROOM, roomId, 'after e5 joined');
      await e5.client.nextMessage((m) => textOf(m) === 'after e5 joined', 15_000);
      const fromE5 = await e5.client.sendText(CHATROOM, roomId, 'e5 in room');
      expect(fromE5.messageUId).not.toBe('');
      await oursGot(mine, 'e5 in room');

      await e5.client.ok('setChatRoomEntry', roomId, { key: 'k1', value: 'v1' });
      expect(await e5.client.ok('getChatRoomEntry', roomId, 'k1')).toBe('v1');
      const all = await e5.client.ok<Record<string, string>>('getAllChatRoomEntries', roomId);
      expect(all).toMatchObject({ k1: 'v1' });
      const oursValue = await ok(call<string>((cb) => mine.im.getChatroomEntry(roomId, 'k1', cb)), 'ours get entry');
      expect(oursValue).toBe('v1');
    });

    it('creates tags and tags a conversation', async () => {
      const e5 = await e5Online('e5t');
      const mine = await ours('ourst');
      await e5.client.sendText(PRIVATE, mine.userId, 'tag me');
      const tagId = `t${Date.now() % 100000}`;
      await e5.client.ok('addTag', { tagId, tagName: 'Work' });
      const tags = await e5.client.ok<Array<{ tagId: string; tagName: string }>>('getTags');
      expect(tags.map((t) => t.tagId)).toContain(tagId);
      await e5.client.ok('addConversationsToTag', tagId, [{ conversationType: PRIVATE, targetId: mine.userId }]);
      const onConversation = await e5.client.ok<Array<{ tagId: string }>>('getTagsFromConversation', { conversationType: PRIVATE, targetId: mine.userId });
      expect(onConversation.map((t) => t.tagId)).toContain(tagId);
    });

    it('receives stored and not-stored messages published side by side, all of them (5.7.3 moves its cursor to an s_msg)', async () => {
      const e5 = await e5Online('e5');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const bob = fixture.newUserId('bob');
      const api = serverApi(fixture.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
      const rounds = 20;
      for (let i = 0; i < rounds; i++) {
        await Promise.all([
          api.post('/message/private/publish.json', { fromUserId: bob, toUserId: e5.userId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `stored ${i}` }) }),
          new Promise((resolve) => setTimeout(resolve, i % 4)).then(() =>
            api.post('/message/private/publish.json', { fromUserId: bob, toUserId: e5.userId, objectName: 'App:Live', content: JSON.stringify({ n: i }), isPersisted: 0 })),
        ]);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      await e5.client.nextMessage((m) => textOf(m) === `stored ${rounds - 1}`);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const stored = e5.client.messages.filter((m) => m.messageType === 'RC:TxtMsg').map((m) => String(textOf(m)));
      expect([...stored].sort()).toEqual(Array.from({ length: rounds }, (_, i) => `stored ${i}`).sort());
      expect(e5.client.messages.filter((m) => m.messageType === 'App:Live')).toHaveLength(rounds);
    });
  });
}
