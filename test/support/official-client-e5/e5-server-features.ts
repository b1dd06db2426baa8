/**
 * The engine 5.x features beyond the 2.x API, against the official clients: server-side unread
 * (`serverSaveUnread`, 5.38 only), chatroom batch KV (`setKVS`/`delKVS`, 5.7.3 and 5.38) and read receipts
 * V5 (5.38), each next to a 2.9.2 client or our SDK. `describeE5ServerFeatures('5.38')` / `('5.7')` is called
 * from test/interop/e5-server-features-*.test.ts.
 */
import { ConversationType as Ours, TextMessage } from '../../../src/index';
import { call, ok, sdkUser } from '../../e2e/sdk-api-support';
import type { SdkUser } from '../../e2e/sdk-api-support';
import { serverApi } from '../server-api-client';
import { DEFAULT_TEST_APP } from '../server-launcher';
import type { TestApp } from '../server-launcher';
import { MULTI_DEVICE_APP, useInteropServer } from '../official-client/interop-fixture';
import { killAllE5Clients, launchE5Client } from './launch-e5-client';
import type { E5Client, E5Message, E5Version } from './launch-e5-client';
import { SELF_INITIATED_HOSTS } from './e5-interop-suite';

const PRIVATE = 1;
const GROUP = 3;

/** Server-side unread and read receipts V5 on, several devices per user. */
export const E5_FEATURES_APP: TestApp = {
  key: 'lxe5features',
  secret: 'lxe5featuressecret',
  options: { serverSaveUnread: true, multiDevice: true, e5ReadReceipts: 'v5' },
};

/** Read receipts V4 (navi grpRRVer 3 on /v2/navi.json). */
export const E5_RECEIPTS_V4_APP: TestApp = { key: 'lxe5rrv4', secret: 'lxe5rrv4secret', options: { e5ReadReceipts: 'v4' } };

/** SERVER_RECORD_UNREAD_COUNT_ENABLED_FORBIDDEN: 5.38 refuses local unread clearing when the server keeps it. */
const UNREAD_CLEAR_FORBIDDEN = 34435;

interface E5User {
  readonly client: E5Client;
  readonly userId: string;
}

const textOf = (m: E5Message): unknown => m.content.content;

/** Polls `probe` until it returns `expected` (bounded), then returns the last value seen. */
async function eventually<T>(probe: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe();
  }
  return last;
}

export function describeE5ServerFeatures(version: E5Version): void {
  const fixture = useInteropServer([DEFAULT_TEST_APP, MULTI_DEVICE_APP, E5_FEATURES_APP, E5_RECEIPTS_V4_APP]);
  const live: SdkUser[] = [];
  afterEach(async () => {
    await killAllE5Clients();
    await Promise.all(live.splice(0).map((u) => u.im.disconnect()));
  });

  const e5Online = async (name: string, app: TestApp, userId = fixture.newUserId(name)): Promise<E5User> => {
    const client = await launchE5Client({ version, appKey: app.key, navi: fixture.server.url, label: `${name}-${version}` });
    const result = await client.connect(await fixture.tokenFor(userId, app));
    if (result.code !== 0 || result.data?.userId !== userId) throw new Error(`${name} connect: ${JSON.stringify(result)}\n${client.logs().slice(-4000)}`);
    return { client, userId };
  };
  const ours = async (name: string, app: TestApp): Promise<SdkUser> => {
    const user = await sdkUser(fixture.server, app, name);
    await user.connect();
    live.push(user);
    return user;
  };
  const oursSend = (user: SdkUser, type: number, targetId: string, text: string): Promise<{ messageUId: string; sentTime: number }> =>
    ok(call<{ messageUId: string; sentTime: number }>((cb) => user.im.sendMessage(type, targetId, new TextMessage({ content: text }), cb)), `send ${text}`);
  const expectNoForeignHosts = async (client: E5Client): Promise<void> => {
    expect(client.logs()).not.toMatch(/pb decode error|Missing at least one required field|unhandled|uncaught/);
    const foreign = (await client.blocked()).filter((r) => !SELF_INITIATED_HOSTS.includes(new URL(r.url).hostname));
    expect(foreign).toEqual([]);
  };

  describe(`official imlib-next ${version}: engine 5.x server features`, () => {
    if (version === '5.38') {
      it('announces the opt-ins: serverSaveUnread to every navi path, V4/V5 receipts on /v2/navi.json only', async () => {
        const navi = async (app: TestApp, path: 'v1' | 'v2'): Promise<Record<string, unknown>> => {
          const token = await fixture.tokenFor(fixture.newUserId('navi'), app);
          if (path === 'v2') {
            const response = await fetch(`${fixture.server.url}/v2/navi.json?cloud=0`, {
              method: 'POST',
              headers: { 'RC-Appkey': app.key, 'Content-Type': 'Application/x-www-form-urlencoded' },
              body: `token=${encodeURIComponent(token)}&v=5.38.0&platfrom=browser`,
            });
            return (await response.json()) as Record<string, unknown>;
          }
          const text = await (await fetch(`${fixture.server.url}/navi.js?appId=${app.key}&token=${encodeURIComponent(token)}&callBack=getServerEndpoint&v=2.9.2`)).text();
          return JSON.parse(/^getServerEndpoint\((.*)\);$/s.exec(text)?.[1] ?? '{}') as Record<string, unknown>;
        };
        expect(await navi(E5_FEATURES_APP, 'v2')).toMatchObject({ serverSaveUnread: 1, grpRRVer: 4 });
        expect(await navi(E5_FEATURES_APP, 'v1')).toMatchObject({ serverSaveUnread: 1, grpRRVer: 0 });
        expect(await navi(E5_RECEIPTS_V4_APP, 'v2')).toMatchObject({ grpRRVer: 3 });
        const plain = await navi(DEFAULT_TEST_APP, 'v2');
        expect(plain.grpRRVer).toBe(0);
        expect(plain.serverSaveUnread).toBeUndefined();
      });

      it('serverSaveUnread: unread comes from the server on every device and on a fresh install', async () => {
        const sender = await ours('unreadfrom', E5_FEATURES_APP);
        const userId = fixture.newUserId('unreadto');
        const conversation = { conversationType: PRIVATE, targetId: sender.userId };
        const unreadOf = (client: E5Client): Promise<number> => client.ok<number>('getUnreadCount', conversation);

        const deviceA = await e5Online('unreadA', E5_FEATURES_APP, userId);
        for (const text of ['u1', 'u2', 'u3']) await oursSend(sender, Ours.PRIVATE, userId, text);
        await deviceA.client.nextMessage((m) => textOf(m) === 'u3');
        expect(await eventually(() => unreadOf(deviceA.client), 3)).toBe(3);

        const deviceB = await e5Online('unreadB', E5_FEATURES_APP, userId);
        expect(await eventually(() => unreadOf(deviceB.client), 3)).toBe(3);

        // With server unread on, 5.38 refuses the local clear and reads through the server instead.
        expect((await deviceA.client.call('clearMessagesUnreadStatus', conversation)).code).toBe(UNREAD_CLEAR_FORBIDDEN);
        await deviceA.client.ok('markRemoteConversationAsRead', conversation);
        expect(await unreadOf(deviceA.client)).toBe(0);
        expect(await eventually(() => unreadOf(deviceB.client), 0)).toBe(0);

        for (const text of ['u4', 'u5']) await oursSend(sender, Ours.PRIVATE, userId, text);
        await deviceB.client.nextMessage((m) => textOf(m) === 'u5');
        expect(await eventually(() => unreadOf(deviceB.client), 2)).toBe(2);

        // A fresh install pulls all five messages again; counting them locally would say 5, the server says 2.
        const fresh = await e5Online('unreadC', E5_FEATURES_APP, userId);
        for (const text of ['u1', 'u2', 'u3', 'u4', 'u5']) await fresh.client.nextMessage((m) => textOf(m) === text, 15_000);
        expect(await eventually(() => unreadOf(fresh.client), 2)).toBe(2);
        expect(await fresh.client.ok<number>('getTotalUnreadCount')).toBe(2);
        const list = await fresh.client.ok<Array<{ targetId: string; unreadMessageCount: number }>>('getConversationList', {});
        expect(list.find((c) => c.targetId === sender.userId)?.unreadMessageCount).toBe(2);
        await expectNoForeignHosts(fresh.client);
      });

      it('serverSaveUnread: a read on our SDK reaches an online 5.38 device at once and a new one on connect; 2.9.2 keeps its local unread', async () => {
        const userId = fixture.newUserId('mixedto');
        const official = await fixture.online('mixedv2', {}, E5_FEATURES_APP);
        const online = await e5Online('mixede5a', E5_FEATURES_APP, userId);
        const mine = await sdkUser(fixture.server, E5_FEATURES_APP, 'mixedours', { userId });
        await mine.connect();
        live.push(mine);
        const conversation = { conversationType: PRIVATE, targetId: official.userId };
        const fromOfficial = await official.client.sendText(PRIVATE, userId, 'from 2.9.2');
        if (!fromOfficial.ok) throw new Error('2.9.2 send failed');
        await mine.next((m) => (m.content as { content?: string }).content === 'from 2.9.2');
        await online.client.nextMessage((m) => textOf(m) === 'from 2.9.2');
        expect(await eventually(() => online.client.ok<number>('getUnreadCount', conversation), 1)).toBe(1);
        // Our SDK clears (lxReadPos): the server's read position moves and the online 5.38 device is told.
        await ok(call((cb) => mine.im.clearUnreadCount(Ours.PRIVATE, official.userId, cb)), 'ours clear');
        expect(await eventually(() => online.client.ok<number>('getUnreadCount', conversation), 0)).toBe(0);
        const e5 = await e5Online('mixede5b', E5_FEATURES_APP, userId);
        await e5.client.nextMessage((m) => textOf(m) === 'from 2.9.2', 15_000);
        expect(await eventually(() => e5.client.ok<number>('getUnreadCount', conversation), 0)).toBe(0);
        // The 2.9.2 client of the same app still counts locally and is unaffected by the navi flag.
        const back = await e5.client.sendText(PRIVATE, official.userId, 'from e5');
        expect((await official.client.nextMessage((m) => m.content.content === 'from e5')).messageUId).toBe(back.messageUId);
        const v2Unread = await official.client.call<number>('getUnreadCount', PRIVATE, userId);
        expect(v2Unread).toMatchObject({ ok: true, value: 1 });
        await expectNoForeignHosts(online.client);
      });

      it('read receipts V5: group and private reads are counted and listed; a 2.9.2 member of the group keeps working', async () => {
        const app = E5_FEATURES_APP;
        const sender = await e5Online('rr5s', app);
        const reader = await e5Online('rr5r', app);
        const official = await fixture.online('rr5v2', {}, app);
        const groupId = fixture.newUserId('rr5g');
        const api = serverApi(fixture.server.url, app.key, app.secret);
        expect((await api.post('/group/create.json', { userId: [sender.userId, reader.userId, official.userId], groupId, groupName: 'rr5' })).status).toBe(200);
        const group = { conversationType: GROUP, targetId: groupId };

        const sent = await sender.client.sendText(GROUP, groupId, 'read me v5');
        await reader.client.nextMessage((m) => textOf(m) === 'read me v5');
        await official.client.nextMessage((m) => m.content.content === 'read me v5');
        await reader.client.ok('sendReadReceiptResponseV5', group, [sent.messageUId]);

        const info = await sender.client.ok<Array<Record<string, unknown>>>('getMessageReadReceiptInfoV5', group, [sent.messageUId]);
        expect(info).toEqual([expect.objectContaining({ messageUId: sent.messageUId, readCount: 1, unreadCount: 1, totalCount: 2 })]);
        const readers = await sender.client.ok<{ users: Array<{ userId: string; timestamp: number }>; totalCount: number }>(
          'getMessagesReadReceiptUsersByPageV5', group, sent.messageUId, { pageCount: 10 });
        expect(readers.users.map((u) => u.userId)).toEqual([reader.userId]);
        expect(readers.totalCount).toBe(1);
        const unread = await sender.client.ok<{ users: Array<{ userId: string }> }>(
          'getMessagesReadReceiptUsersByPageV5', group, sent.messageUId, { pageCount: 10, readStatus: 1 });
        expect(unread.users.map((u) => u.userId)).toEqual([official.userId]);
        const byUsers = await sender.client.ok<{ users: Array<{ userId: string }> }>('getMessagesReadReceiptByUsersV5', group, sent.messageUId, [reader.userId, official.userId]);
        expect(byUsers.users.map((u) => u.userId).sort()).toEqual([official.userId, reader.userId].sort());

        const privateSent = await sender.client.sendText(PRIVATE, reader.userId, 'private v5');
        await reader.client.nextMessage((m) => textOf(m) === 'private v5');
        const before = await sender.client.ok<Array<Record<string, unknown>>>('getMessageReadReceiptInfoV5', { conversationType: PRIVATE, targetId: reader.userId }, [privateSent.messageUId]);
        expect(before).toEqual([expect.objectContaining({ readCount: 0, unreadCount: 1, totalCount: 1 })]);
        await reader.client.ok('sendReadReceiptResponseV5', { conversationType: PRIVATE, targetId: sender.userId }, [privateSent.messageUId]);
        const after = await sender.client.ok<Array<Record<string, unknown>>>('getMessageReadReceiptInfoV5ByIdentifiers', [
          { identifier: { conversationType: PRIVATE, targetId: reader.userId }, messageUId: privateSent.messageUId },
          { identifier: group, messageUId: sent.messageUId },
        ]);
        expect(after).toEqual([
          expect.objectContaining({ messageUId: privateSent.messageUId, readCount: 1, unreadCount: 0 }),
          expect.objectContaining({ messageUId: sent.messageUId, readCount: 1, unreadCount: 1 }),
        ]);

        const fromOfficial = await official.client.sendText(GROUP, groupId, 'v2 after receipts');
        if (!fromOfficial.ok) throw new Error('2.9.2 group send failed');
        await sender.client.nextMessage((m) => textOf(m) === 'v2 after receipts');
        await expectNoForeignHosts(sender.client);
      });

      it('read receipts V4: the sender gets MESSAGE_READ_RECEIPT_V4 and can query readers; a 2.9.2 sender keeps working', async () => {
        const app = E5_RECEIPTS_V4_APP;
        const sender = await e5Online('rr4s', app);
        const reader = await e5Online('rr4r', app);
        const official = await fixture.online('rr4v2', {}, app);
        const groupId = fixture.newUserId('rr4g');
        const api = serverApi(fixture.server.url, app.key, app.secret);
        expect((await api.post('/group/create.json', { userId: [sender.userId, reader.userId, official.userId], groupId, groupName: 'rr4' })).status).toBe(200);
        const group = { conversationType: GROUP, targetId: groupId };

        const first = await sender.client.sendText(GROUP, groupId, 'v4 one');
        const second = await sender.client.sendText(GROUP, groupId, 'v4 two');
        await reader.client.nextMessage((m) => textOf(m) === 'v4 two');
        await reader.client.ok('sendReadReceiptMessageV4', group, second.messageUId, first.messageUId);
        const event = await sender.client.waitForEvent((e) => e.name === 'MESSAGE_READ_RECEIPT_V4' && JSON.stringify(e.data).includes(second.messageUId));
        expect(JSON.stringify(event.data)).toContain('"readedCount":1');

        const receipt = await sender.client.ok<{ list: Array<{ userId: string; readTime: number }>; totalCount: number; readCount: number }>('getMessageReadReceiptV4', group, first.messageUId);
        expect(receipt).toMatchObject({ totalCount: 2, readCount: 1 });
        expect(receipt.list.map((u) => u.userId)).toEqual([reader.userId]);
        const batch = await sender.client.ok<Array<{ messageUId: string; readedCount: number; totalCount: number }>>('batchGetMessageReadReceiptInfoV4', group, [first.messageUId, second.messageUId]);
        expect(batch.map((b) => [b.messageUId, b.readedCount, b.totalCount])).toEqual([[first.messageUId, 1, 2], [second.messageUId, 1, 2]]);

        const privateSent = await sender.client.sendText(PRIVATE, reader.userId, 'v4 private');
        await reader.client.nextMessage((m) => textOf(m) === 'v4 private');
        await reader.client.ok('sendReadReceiptMessageV4', { conversationType: PRIVATE, targetId: sender.userId }, privateSent.messageUId);
        const privateEvent = await sender.client.waitForEvent((e) => e.name === 'MESSAGE_READ_RECEIPT_V4' && JSON.stringify(e.data).includes('privateReadReceipt'));
        expect(JSON.stringify(privateEvent.data)).toContain(`"endMsgTime":${privateSent.sentTime}`);

        // A 2.9.2 member's message read with V4: the 2.9.2 sender gets the RC:RSMsg too and keeps working.
        const fromOfficial = await official.client.sendText(GROUP, groupId, 'v2 in v4 group');
        if (!fromOfficial.ok) throw new Error('2.9.2 group send failed');
        await reader.client.nextMessage((m) => textOf(m) === 'v2 in v4 group');
        await reader.client.ok('sendReadReceiptMessageV4', group, fromOfficial.value.messageUId);
        const again = await sender.client.sendText(GROUP, groupId, 'after v2 receipt');
        expect((await official.client.nextMessage((m) => m.content.content === 'after v2 receipt')).messageUId).toBe(again.messageUId);
        // 2.9.2 has no V4 receipts: it hands the app the notification as an UnknownMessage (docs/COMPATIBILITY.md).
        const notices = official.client.messages.filter((m) => m.messageType === 'UnknownMessage');
        expect(notices.map((m) => JSON.stringify(m.content))).toEqual([expect.stringContaining(`"msgId":"${fromOfficial.value.messageUId}"`)]);
        await expectNoForeignHosts(sender.client);
      });
    }

    it('sets and removes several chatroom entries at once, with partial success 23428 and the 10-entry limit 23429', async () => {
      const e5 = await e5Online('kvs', DEFAULT_TEST_APP);
      const mine = await ours('kvsours', DEFAULT_TEST_APP);
      const roomId = fixture.newUserId('kvroom');
      await ok(call((cb) => mine.im.joinChatRoom(roomId, 0, cb)), 'ours join');
      await e5.client.ok('joinChatRoom', roomId, { count: 0 });
      // Our SDK answers from its KV copy, which follows the server's s_cmd → pullKV a moment after the change.
      const oursEntry = async (key: string): Promise<string | number> => {
        const result = await call<string>((cb) => mine.im.getChatroomEntry(roomId, key, cb));
        return result.ok ? result.value : result.code;
      };
      const expectOurs = async (key: string, expected: string | number): Promise<void> => {
        expect(await eventually(() => oursEntry(key), expected, 5_000)).toBe(expected);
      };

      await e5.client.ok('setChatRoomEntries', roomId, { entries: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] });
      await expectOurs('a', '1');
      await expectOurs('b', '2');

      // A key set by someone else is refused (23424) while the rest of the batch goes through.
      await ok(call((cb) => mine.im.setChatroomEntry(roomId, { key: 'c', value: 'ours' }, cb)), 'ours set c');
      const partial = await e5.client.call<Array<{ key: string; errorCode: number }>>('setChatRoomEntries', roomId, { entries: [{ key: 'c', value: 'x' }, { key: 'd', value: '4' }] });
      expect(partial.code).toBe(23428);
      // 5.7.3 hands the app the server's errorKeys; 5.38 keeps them internal (it drops the refused keys locally).
      if (version === '5.7') expect(partial.data).toEqual([{ key: 'c', errorCode: 23424 }]);
      await expectOurs('c', 'ours');
      await expectOurs('d', '4');
      const all = await e5.client.ok<Record<string, string>>('getAllChatRoomEntries', roomId);
      // 5.38 does not update its own KV copy from a partially successful batch (docs/COMPATIBILITY.md).
      expect(all).toMatchObject(version === '5.7' ? { a: '1', b: '2', d: '4' } : { a: '1', b: '2' });

      const eleven = Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
      expect((await e5.client.call('setChatRoomEntries', roomId, { entries: eleven })).code).toBe(23429);

      // Both versions take key strings (5.7.3's typings say `{key}` objects, but its code maps strings to them).
      const removeArg = (keys: string[]): unknown => ({ entries: keys });
      await e5.client.ok('removeChatRoomEntries', roomId, removeArg(['a', 'b']));
      await expectOurs('a', 23427);
      await expectOurs('b', 23427);
      const partialRemove = await e5.client.call('removeChatRoomEntries', roomId, removeArg(['c', 'd']));
      expect(partialRemove.code).toBe(23428);
      await expectOurs('c', 'ours');
      await expectOurs('d', 23427);
      await expectNoForeignHosts(e5.client);
    });
  });
}
