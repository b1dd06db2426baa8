/**
 * Conversation tags and conversation status with our SDK against the real server (issue #7; seed 会话标签):
 * every tag API and limit, with two devices of one user — tag listeners fire on the OTHER device only, a fresh
 * device (empty storage) sees everything — plus top/DND in getConversationList on a fresh device.
 */
import { createMemoryStorage } from '../../platforms/node/node-storage';
import { ConversationType, ErrorCode, TextMessage } from '../../src/index';
import type { IConversation, Message } from '../../src/index';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, delay, ok, sdkUser } from './sdk-api-support';
import type { SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxtagsapp', secret: 'lxtagssecret', options: { multiDevice: true, maxSendRate: 1000 } };
const PRIVATE = ConversationType.PRIVATE;
const GROUP = ConversationType.GROUP;
let server: RunningServer;
const users: SdkUser[] = [];

jest.setTimeout(60_000);

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
});

async function online(name: string, options: Parameters<typeof sdkUser>[3] = {}): Promise<SdkUser> {
  const user = await sdkUser(server, APP, name, options);
  users.push(user);
  expect(await user.connect()).toBe(user.userId);
  return user;
}

/** A second device (own storage) of `user`. */
function device(user: SdkUser, name: string, storage = createMemoryStorage()): Promise<SdkUser> {
  return online(name, { userId: user.userId, token: user.token, storage });
}

function send(from: SdkUser, to: string, text: string): Promise<Message> {
  return ok(call<Message>((cb) => from.im.sendMessage(PRIVATE, to, new TextMessage({ content: text }), cb)), `send ${text}`);
}

interface TagInfo {
  tagId: string;
  tagName: string;
  conversationCount: number;
  createdTime: number;
}

const tagList = (u: SdkUser): Promise<TagInfo[]> => ok(call<TagInfo[]>((cb) => u.im.getTagList(cb)), 'getTagList');

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !done(value); i += 1) {
    await delay(100);
    value = await read();
  }
  if (!done(value)) throw new Error(`${what}: still ${JSON.stringify(value)}`);
  return value;
}

function listenTags(user: SdkUser): { tags: number; conversationTags: number } {
  const counts = { tags: 0, conversationTags: 0 };
  user.client.setTagListener({ onChanged: () => (counts.tags += 1) });
  user.client.setConversationTagListener({ onChanged: () => (counts.conversationTags += 1) });
  return counts;
}

describe('tag definitions', () => {
  test('create, update, remove sync to my other device, whose tag listener fires (never on the device that made the change)', async () => {
    const phone = await sdkUser(server, APP, 'alice');
    users.push(phone);
    const phoneHeard = listenTags(phone);
    await phone.connect();
    const web = await device(phone, 'alice-web');
    const webHeard = listenTags(web);

    // getTagList waits for the web device's first settings pull: changes made after it are what its listener reports.
    expect(await tagList(web)).toEqual([]);
    expect(await tagList(phone)).toEqual([]);
    await ok(call((cb) => phone.im.createTag({ tagId: 'work', tagName: 'Work' }, cb)), 'createTag work');
    await ok(call((cb) => phone.im.createTag({ tagId: 'home', tagName: '家' }, cb)), 'createTag home');
    const mine = await tagList(phone);
    expect(mine.map((t) => [t.tagId, t.tagName, t.conversationCount])).toEqual([['work', 'Work', 0], ['home', '家', 0]]);
    expect(mine[0]?.createdTime).toBeGreaterThan(0);

    const synced = await until(() => tagList(web), (l) => l.length === 2, 'web tag list');
    expect(synced.map((t) => [t.tagId, t.tagName])).toEqual([['work', 'Work'], ['home', '家']]);
    await until(async () => webHeard.tags, (n) => n > 0, 'web tag listener');
    await delay(300);
    // The phone made those changes: its listener stayed silent.
    expect(phoneHeard.tags).toBe(0);
    const webHeardBefore = webHeard.tags;

    await ok(call((cb) => web.im.updateTag({ tagId: 'work', tagName: 'Office' }, cb)), 'updateTag');
    await until(() => tagList(phone), (l) => l.some((t) => t.tagName === 'Office'), 'rename on phone');
    await ok(call((cb) => web.im.removeTag('home', cb)), 'removeTag');
    await until(() => tagList(phone), (l) => l.length === 1, 'removal on phone');
    expect((await tagList(web)).map((t) => t.tagId)).toEqual(['work']);
    await until(async () => phoneHeard.tags, (n) => n >= 1, 'phone tag listener');
    await delay(300);
    // …and now the web made them: only the phone heard.
    expect(webHeard.tags).toBe(webHeardBefore);
    expect(await call((cb) => web.im.updateTag({ tagId: 'nope', tagName: 'x' }, cb))).toMatchObject({ ok: false, code: ErrorCode.TAG_NOT_EXIST });
    expect(await call((cb) => web.im.removeTag('nope', cb))).toMatchObject({ ok: false, code: ErrorCode.TAG_NOT_EXIST });
  });

  test('limits: 20 tags per user (26004), tagId ≤ 10 and tagName ≤ 15 characters (33003, never a throw)', async () => {
    const alice = await online('alice');
    for (let i = 0; i < 20; i += 1) await ok(call((cb) => alice.im.createTag({ tagId: `t${i}`, tagName: `Tag ${i}` }, cb)), `createTag ${i}`);
    expect(await call((cb) => alice.im.createTag({ tagId: 't20', tagName: 'one too many' }, cb))).toMatchObject({ ok: false, code: 26004 });
    // Renaming an existing tag still works at the limit.
    await ok(call((cb) => alice.im.createTag({ tagId: 't0', tagName: 'renamed' }, cb)), 'rename at limit');
    expect(await tagList(alice)).toHaveLength(20);
    expect(await call((cb) => alice.im.createTag({ tagId: 'x'.repeat(11), tagName: 'n' }, cb))).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    expect(await call((cb) => alice.im.createTag({ tagId: 'y', tagName: '名'.repeat(16) }, cb))).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    await ok(call((cb) => alice.im.removeTag('t1', cb)), 'remove one');
    await ok(call((cb) => alice.im.createTag({ tagId: 'x'.repeat(10), tagName: '名'.repeat(15) }, cb)), 'max lengths');
  });
});

describe('tags on conversations', () => {
  test('add, list by tag, top in tag, unread by tag, remove; the other device hears it on the conversation tag listener', async () => {
    const alice = await online('alice');
    const aliceWeb = await device(alice, 'alice-web');
    const webHeard = listenTags(aliceWeb);
    const aliceHeard = listenTags(alice);
    const bob = await online('bob');
    const carol = await online('carol');
    const m1 = await send(bob, alice.userId, 'from bob');
    await delay(5);
    const m2 = await send(carol, alice.userId, 'from carol 1');
    await send(carol, alice.userId, 'from carol 2');
    await alice.next((m) => m.messageUId === m1.messageUId);
    await alice.next((m) => m.content['content'] === 'from carol 2');
    await aliceWeb.next((m) => m.content['content'] === 'from carol 2');

    await ok(call((cb) => alice.im.createTag({ tagId: 'friends', tagName: 'Friends' }, cb)), 'createTag');
    await ok(call((cb) => alice.im.createTag({ tagId: 'vip', tagName: 'VIP' }, cb)), 'createTag vip');
    const bobConv = { type: PRIVATE, targetId: bob.userId };
    const carolConv = { type: PRIVATE, targetId: carol.userId };
    await ok(call((cb) => alice.im.addTagForConversations('friends', [bobConv, carolConv], cb)), 'addTagForConversations');
    await ok(call((cb) => alice.im.addTagForConversations('vip', [carolConv], cb)), 'add vip');
    expect(await call((cb) => alice.im.addTagForConversations('nope', [bobConv], cb))).toMatchObject({ ok: false, code: ErrorCode.TAG_NOT_EXIST });
    expect((await tagList(alice)).map((t) => [t.tagId, t.conversationCount])).toEqual([['friends', 2], ['vip', 1]]);
    expect(await ok(call((cb) => alice.im.getTagsForConversation(carolConv, cb)), 'tags of carol')).toEqual([
      expect.objectContaining({ tagId: 'friends', tagName: 'Friends', isTop: false }),
      expect.objectContaining({ tagId: 'vip', tagName: 'VIP', isTop: false }),
    ]);

    // By tag: newest first; pinned in the tag first.
    type InTag = IConversation & { isTopInTag: boolean };
    const byTag = await ok(call<InTag[]>((cb) => alice.im.getConversationListByTag('friends', 10, 0, cb)), 'by tag');
    expect(byTag.map((c) => [c.targetId, c.isTopInTag, c.unreadMessageCount])).toEqual([[carol.userId, false, 2], [bob.userId, false, 1]]);
    expect(byTag[0]?.latestMessage?.messageUId).not.toBe(m2.messageUId);
    expect(await call((cb) => alice.im.setConversationStatusInTag('vip', bobConv, { isTop: true }, cb))).toMatchObject({ ok: false, code: ErrorCode.NO_TAG_IN_CONVER });
    await ok(call((cb) => alice.im.setConversationStatusInTag('friends', bobConv, { isTop: true }, cb)), 'top in tag');
    const pinned = await ok(call<InTag[]>((cb) => alice.im.getConversationListByTag('friends', 10, 0, cb)), 'by tag pinned');
    expect(pinned.map((c) => [c.targetId, c.isTopInTag])).toEqual([[bob.userId, true], [carol.userId, false]]);
    // Paging by the latest message time.
    const older = await ok(call<InTag[]>((cb) => alice.im.getConversationListByTag('friends', 10, m2.sentTime, cb)), 'older page');
    expect(older.map((c) => c.targetId)).toEqual([bob.userId]);
    expect(await ok(call<InTag[]>((cb) => alice.im.getConversationListByTag('friends', 1, 0, cb)), 'count 1')).toHaveLength(1);
    // The in-tag top is not the global top.
    const list = await ok(call<IConversation[]>((cb) => alice.im.getConversationList(cb, null)), 'list');
    expect(list.find((c) => c.targetId === bob.userId)?.isTop).toBe(false);

    expect(await ok(call<number>((cb) => alice.im.getUnreadCountByTag('friends', true, cb)), 'unread by tag')).toBe(3);
    expect(await ok(call<number>((cb) => alice.im.getUnreadCountByTag('vip', true, cb)), 'unread vip')).toBe(2);
    await ok(call((cb) => alice.im.setConversationStatus(PRIVATE, carol.userId, { notificationStatus: 1 }, cb)), 'mute carol');
    expect(await ok(call<number>((cb) => alice.im.getUnreadCountByTag('friends', false, cb)), 'unread by tag no muted')).toBe(1);

    // The other device: same tags and tops after the conversation tag listener fired.
    await until(async () => webHeard.conversationTags, (n) => n > 0, 'web conversation tag listener');
    const webPinned = await until(
      () => ok(call<InTag[]>((cb) => aliceWeb.im.getConversationListByTag('friends', 10, 0, cb)), 'web by tag'),
      (l) => l.length === 2 && l[0]?.isTopInTag === true,
      'web by tag',
    );
    expect(webPinned.map((c) => c.targetId)).toEqual([bob.userId, carol.userId]);
    await delay(300);
    expect(aliceHeard.conversationTags).toBe(0);
    const webHeardBefore = webHeard.conversationTags;

    await ok(call((cb) => aliceWeb.im.removeTagsForConversation(carolConv, ['friends', 'vip'], cb)), 'removeTagsForConversation');
    await ok(call((cb) => aliceWeb.im.removeTagForConversations('friends', [bobConv], cb)), 'removeTagForConversations');
    expect(await ok(call((cb) => aliceWeb.im.getTagsForConversation(carolConv, cb)), 'web tags of carol')).toEqual([]);
    await until(() => tagList(alice), (l) => l.every((t) => t.conversationCount === 0), 'counts on alice');
    expect(aliceHeard.conversationTags).toBeGreaterThan(0);
    await delay(300);
    expect(webHeard.conversationTags).toBe(webHeardBefore);
    expect(await ok(call<InTag[]>((cb) => alice.im.getConversationListByTag('friends', 10, 0, cb)), 'empty')).toEqual([]);
  });

  test('1000 conversations per call and per tag (34013); groups and system conversations can be tagged, chatrooms cannot', async () => {
    const alice = await online('alice');
    await ok(call((cb) => alice.im.createTag({ tagId: 'big', tagName: 'Big' }, cb)), 'createTag');
    const many = (from: number, n: number): Array<{ type: number; targetId: string }> => Array.from({ length: n }, (_, i) => ({ type: PRIVATE, targetId: `peer-${from + i}` }));
    expect(await call((cb) => alice.im.addTagForConversations('big', many(0, 1001), cb))).toMatchObject({ ok: false, code: ErrorCode.CONVER_OUT_LIMIT_ERROR });
    await ok(call((cb) => alice.im.addTagForConversations('big', many(0, 999), cb)), '999');
    await ok(call((cb) => alice.im.addTagForConversations('big', [{ type: GROUP, targetId: 'g-1' }], cb)), 'the 1000th');
    expect(await call((cb) => alice.im.addTagForConversations('big', many(5000, 1), cb))).toMatchObject({ ok: false, code: ErrorCode.CONVER_OUT_LIMIT_ERROR });
    // Re-adding a conversation already in the tag is not a new one.
    await ok(call((cb) => alice.im.addTagForConversations('big', many(0, 1), cb)), 're-add');
    expect((await tagList(alice))[0]?.conversationCount).toBe(1000);
    await ok(call((cb) => alice.im.createTag({ tagId: 'sys', tagName: 'Sys' }, cb)), 'createTag sys');
    await ok(call((cb) => alice.im.addTagForConversations('sys', [{ type: ConversationType.SYSTEM, targetId: 'notice' }], cb)), 'system');
    expect(await call((cb) => alice.im.addTagForConversations('sys', [{ type: ConversationType.CHATROOM, targetId: 'room' }], cb))).toMatchObject({ ok: false, code: 34012 });
    // A fresh install of the same user gets every tag and link back.
    const reinstalled = await device(alice, 'alice-reinstalled');
    expect((await tagList(reinstalled)).map((t) => [t.tagId, t.conversationCount])).toEqual([['big', 1000], ['sys', 1]]);
    expect(await call((cb) => alice.im.addTagForConversations('big', [{ targetId: 'x' }] as never, cb))).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
  });
});

describe('conversation status', () => {
  test('top and DND are stored on the server: a fresh device lists them; the other device hears the change', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const m = await send(bob, alice.userId, 'pin me');
    await alice.next((x) => x.messageUId === m.messageUId);
    const web = await device(alice, 'alice-web');
    const changes: unknown[] = [];
    web.client.setConversationStatusListener({ onChanged: (list: unknown[]) => changes.push(...list) });
    await ok(call((cb) => alice.im.setConversationStatus(PRIVATE, bob.userId, { isTop: true, notificationStatus: 1 }, cb)), 'set');
    await until(async () => changes.length, (n) => n > 0, 'status listener');
    expect(changes[0]).toMatchObject({ conversationType: PRIVATE, targetId: bob.userId, isTop: true, notificationStatus: 1 });

    // A device that never saw anything lists the stored state on its first getConversationList.
    const fresh = await device(alice, 'alice-fresh');
    const list = await ok(call<IConversation[]>((cb) => fresh.im.getConversationList(cb, null)), 'fresh list');
    expect(list.find((c) => c.targetId === bob.userId)).toMatchObject({ isTop: true, notificationStatus: 1 });
    await ok(call((cb) => fresh.im.setConversationStatus(PRIVATE, bob.userId, { isTop: false }, cb)), 'unpin');
    const back = await until(
      () => ok(call<IConversation[]>((cb) => alice.im.getConversationList(cb, null)), 'list'),
      (l) => l.find((c) => c.targetId === bob.userId)?.isTop === false,
      'unpinned on alice',
    );
    expect(back.find((c) => c.targetId === bob.userId)?.notificationStatus).toBe(1);
  });
});
