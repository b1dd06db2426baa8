/**
 * Edges of tags, expansion, multi-device, unread, history and the conversation list in our SDK against the real
 * server (API_CHECKLIST §3): argument checks (33003, never a throw), paging ends, removal and persistence across
 * devices and reloads.
 */
import { createMemoryStorage } from '../../platforms/node/node-storage';
import { ConversationType, ErrorCode, MessageTag, TextMessage } from '../../src/index';
import type { IConversation, Message } from '../../src/index';
import { serverApi } from '../support/server-api-client';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, delay, ok, sdkUser } from './sdk-api-support';
import type { SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxfeatedges', secret: 'lxfeatedgessecret', options: { multiDevice: true, maxSendRate: 1000 } };
const PRIVATE = ConversationType.PRIVATE;
const GROUP = ConversationType.GROUP;
const SYSTEM = ConversationType.SYSTEM;
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

function device(user: SdkUser, name: string, storage = createMemoryStorage()): Promise<SdkUser> {
  return online(name, { userId: user.userId, token: user.token, storage });
}

function send(from: SdkUser, to: string, text: string, type: number = PRIVATE): Promise<Message> {
  return ok(call<Message>((cb) => from.im.sendMessage(type, to, new TextMessage({ content: text }), cb)), `send ${text}`);
}

function texts(list: readonly Message[]): unknown[] {
  return list.map((m) => m.content['content']);
}

async function post(path: string, form: Record<string, string | number | readonly string[]>): Promise<unknown> {
  const res = await serverApi(server.url, APP.key, APP.secret).post<{ code: number }>(path, form);
  if (res.body.code !== 200) throw new Error(`${path}: ${res.text}`);
  return res.body;
}

/** onError code, 'onSuccess', or 'threw …'. */
async function outcomeOf(invoke: (cb: { onSuccess: (...a: unknown[]) => void; onError: (code: number, data?: unknown) => void }) => void): Promise<unknown> {
  try {
    const result = await call(invoke, 5000);
    return result.ok ? 'onSuccess' : result.code;
  } catch (error) {
    return `threw ${String(error)}`;
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, tries = 60): Promise<T> {
  let value = await read();
  for (let i = 0; i < tries && !done(value); i += 1) {
    await delay(100);
    value = await read();
  }
  if (!done(value)) throw new Error(`${what}: still ${JSON.stringify(value)}`);
  return value;
}

const list = (u: SdkUser, types: number[] | null = null, count?: number): Promise<IConversation[]> =>
  ok(call<IConversation[]>((cb) => u.im.getConversationList(cb, types, count)), 'getConversationList');
const unread = (u: SdkUser, type: number, id: string): Promise<number> => ok(call<number>((cb) => u.im.getUnreadCount(type, id, cb)), 'getUnreadCount');
const total = (u: SdkUser, types?: number[], muted?: boolean): Promise<number> => ok(call<number>((cb) => u.im.getTotalUnreadCount(cb, types, muted)), 'total');

describe('argument validation', () => {
  test('history / list / unread bad arguments report 33003, never throw', async () => {
    const alice = await online('alice');
    const im = alice.im as unknown as Record<string, (...a: unknown[]) => void>;
    const o = (fn: string, ...args: unknown[]) => outcomeOf((cb) => im[fn]!.apply(alice.im, args.map((a) => (a === 'CB' ? cb : a))));
    const results = {
      histCount0: await o('getHistoryMessages', PRIVATE, 'x', 0, 0, 'CB'),
      histCount21: await o('getHistoryMessages', PRIVATE, 'x', 0, 21, 'CB'),
      histCountStr: await o('getHistoryMessages', PRIVATE, 'x', 0, '5', 'CB'),
      histTsStr: await o('getHistoryMessages', PRIVATE, 'x', '0', 5, 'CB'),
      histTsNeg: await o('getHistoryMessages', PRIVATE, 'x', -5, 5, 'CB'),
      histOrder2: await o('getHistoryMessages', PRIVATE, 'x', 0, 5, 'CB', undefined, 2),
      histType: await o('getHistoryMessages', 'private', 'x', 0, 5, 'CB'),
      histTarget: await o('getHistoryMessages', PRIVATE, '', 0, 5, 'CB'),
      listCount0: await o('getConversationList', 'CB', null, 0),
      listCountStr: await o('getConversationList', 'CB', null, '5'),
      listTypesStr: await o('getConversationList', 'CB', 'all'),
      totalTypes: await o('getTotalUnreadCount', 'CB', 1),
      totalMuted: await o('getTotalUnreadCount', 'CB', [1], 'yes'),
      unreadType: await o('getUnreadCount', 99, 'x', 'CB'),
      unreadTarget: await o('getUnreadCount', PRIVATE, 5, 'CB'),
      clearUnreadTarget: await o('clearUnreadCount', PRIVATE, null, 'CB'),
      removeConvType: await o('removeConversation', '1', 'x', 'CB'),
      statusDnd0: await o('setConversationStatus', PRIVATE, 'x', { notificationStatus: 0 }, 'CB'),
      statusTopStr: await o('setConversationStatus', PRIVATE, 'x', { isTop: 'true' }, 'CB'),
      deleteEmpty: await o('deleteRemoteMessages', PRIVATE, 'x', [], 'CB'),
      deleteNoTime: await o('deleteRemoteMessages', PRIVATE, 'x', [{ messageUId: 'A', messageDirection: 1 }], 'CB'),
      clearRemoteTs: await o('clearRemoteHistoryMessages', { conversationType: PRIVATE, targetId: 'x', timestamp: 'now' }, 'CB'),
      clearRemoteNoParams: await o('clearRemoteHistoryMessages', null, 'CB'),
    };
    expect(results).toEqual(Object.fromEntries(Object.keys(results).map((k) => [k, ErrorCode.BIZ_ERROR_INVALID_PARAMETER])));
    // A chatroom is a valid type for remote history (qryCHMsg, as 2.9.2): the server's answer for a room that does not exist.
    expect(await o('getHistoryMessages', ConversationType.CHATROOM, 'room', 0, 5, 'CB')).toBe(ErrorCode.RC_CHATROOM_NOT_EXIST);
  });

  test('tag and expansion bad arguments report 33003, never throw', async () => {
    const alice = await online('alice');
    const im = alice.im as unknown as Record<string, (...a: unknown[]) => void>;
    const o = (fn: string, ...args: unknown[]) => outcomeOf((cb) => im[fn]!.apply(alice.im, args.map((a) => (a === 'CB' ? cb : a))));
    const conv = { type: PRIVATE, targetId: 'x' };
    const results = {
      createNull: await o('createTag', null, 'CB'),
      createEmptyName: await o('createTag', { tagId: 'a', tagName: '' }, 'CB'),
      createNumId: await o('createTag', { tagId: 5, tagName: 'n' }, 'CB'),
      updateLongName: await o('updateTag', { tagId: 'a', tagName: 'x'.repeat(16) }, 'CB'),
      removeEmpty: await o('removeTag', '', 'CB'),
      addNotArray: await o('addTagForConversations', 'a', conv, 'CB'),
      addBadType: await o('addTagForConversations', 'a', [{ type: 'private', targetId: 'x' }], 'CB'),
      addNoTarget: await o('addTagForConversations', 'a', [{ type: PRIVATE }], 'CB'),
      removeTagsNotArray: await o('removeTagsForConversation', conv, 'a', 'CB'),
      tagsForBad: await o('getTagsForConversation', { type: PRIVATE }, 'CB'),
      byTagCount0: await o('getConversationListByTag', 'a', 0, 0, 'CB'),
      byTagStartStr: await o('getConversationListByTag', 'a', 10, 'now', 'CB'),
      unreadByTagStr: await o('getUnreadCountByTag', 'a', 'yes', 'CB'),
      inTagNoTop: await o('setConversationStatusInTag', 'a', conv, {}, 'CB'),
      inTagTopStr: await o('setConversationStatusInTag', 'a', conv, { isTop: 'yes' }, 'CB'),
      expNotObject: await o('updateMessageExpansion', 'k=v', { conversationType: PRIVATE, targetId: 'x', messageUId: 'U', canIncludeExpansion: true }, 'CB'),
      expNoMessage: await o('updateMessageExpansion', { k: 'v' }, null, 'CB'),
      expValueNum: await o('updateMessageExpansion', { k: 5 }, { conversationType: PRIVATE, targetId: 'x', messageUId: 'U', canIncludeExpansion: true }, 'CB'),
      expRemoveNotArray: await o('removeMessageExpansionForKey', 'k', { conversationType: PRIVATE, targetId: 'x', messageUId: 'U', canIncludeExpansion: true }, 'CB'),
      expRemoveNoMessage: await o('removeMessageExpansionForKey', ['k'], undefined, 'CB'),
    };
    expect(results).toEqual(Object.fromEntries(Object.keys(results).map((k) => [k, ErrorCode.BIZ_ERROR_INVALID_PARAMETER])));
  });
});

describe('history', () => {
  test('hasMore is false when the page holds exactly the remaining messages; count 20 is accepted; group history', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    for (let i = 1; i <= 3; i += 1) await send(alice, bob.userId, `e${i}`);
    const page = await call<Message[]>((cb) => alice.im.getHistoryMessages(PRIVATE, bob.userId, 0, 3, cb));
    expect(page.ok && texts(page.value)).toEqual(['e1', 'e2', 'e3']);
    expect(page.ok && page.args[1]).toBe(false);
    const twenty = await call<Message[]>((cb) => alice.im.getHistoryMessages(PRIVATE, bob.userId, 0, 20, cb));
    expect(twenty.ok && texts(twenty.value)).toEqual(['e1', 'e2', 'e3']);
    expect(twenty.ok && twenty.args[1]).toBe(false);
    // Forward from 0: nothing is newer than "now".
    const fwd = await call<Message[]>((cb) => alice.im.getHistoryMessages(PRIVATE, bob.userId, 0, 5, cb, undefined, 1));
    expect(fwd.ok).toBe(true);
  });
});

type InTag = IConversation & { isTopInTag: boolean };
interface ConvTag { tagId: string; tagName?: string; isTop: boolean }

describe('tags: removal and persistence', () => {
  test('removing a tag drops it from its conversations on both devices; re-creating it starts empty', async () => {
    const alice = await online('alice');
    const web = await device(alice, 'alice-web');
    const bob = await online('bob');
    const m = await send(bob, alice.userId, 'hi');
    await alice.next((x) => x.messageUId === m.messageUId);
    const bobConv = { type: PRIVATE, targetId: bob.userId };
    await ok(call((cb) => alice.im.createTag({ tagId: 'work', tagName: 'Work' }, cb)), 'create');
    await ok(call((cb) => alice.im.createTag({ tagId: 'home', tagName: 'Home' }, cb)), 'create home');
    await ok(call((cb) => alice.im.addTagForConversations('work', [bobConv], cb)), 'add');
    await ok(call((cb) => alice.im.addTagForConversations('home', [bobConv], cb)), 'add home');
    await until(() => ok(call<ConvTag[]>((cb) => web.im.getTagsForConversation(bobConv, cb)), 'web tags'), (l) => l.length === 2, 'web sees tags');
    await ok(call((cb) => alice.im.removeTag('work', cb)), 'removeTag');
    const mine = await ok(call<ConvTag[]>((cb) => alice.im.getTagsForConversation(bobConv, cb)), 'tags after remove');
    const onWeb = await until(() => ok(call<ConvTag[]>((cb) => web.im.getTagsForConversation(bobConv, cb)), 'web tags'), (l) => !l.some((t) => t.tagId === 'work') || l.length === 1, 'web drops', 40).catch(() => undefined);
    const webNow = await ok(call<ConvTag[]>((cb) => web.im.getTagsForConversation(bobConv, cb)), 'web tags');
    expect({ mine: mine.map((t) => t.tagId), web: webNow.map((t) => t.tagId) }).toEqual({ mine: ['home'], web: ['home'] });
    expect(onWeb).toBeDefined();
    expect(await ok(call<number>((cb) => alice.im.getUnreadCountByTag('work', true, cb)), 'unread removed')).toBe(0);
    expect(await ok(call<InTag[]>((cb) => alice.im.getConversationListByTag('work', 10, 0, cb)), 'by removed tag')).toEqual([]);
    await ok(call((cb) => alice.im.createTag({ tagId: 'work', tagName: 'Work 2' }, cb)), 're-create');
    const relist = await ok(call<Array<{ tagId: string; conversationCount: number }>>((cb) => alice.im.getTagList(cb)), 'list');
    expect(relist.find((t) => t.tagId === 'work')?.conversationCount).toBe(0);
    expect(await ok(call<InTag[]>((cb) => alice.im.getConversationListByTag('work', 10, 0, cb)), 'by re-created tag')).toEqual([]);
  });

  test('tags, their conversations and in-tag top survive a reload (new SDK instance, same storage) and show on a fresh device', async () => {
    const storage = createMemoryStorage();
    const alice = await online('alice', { storage });
    const bob = await online('bob');
    const m = await send(bob, alice.userId, 'hi');
    await alice.next((x) => x.messageUId === m.messageUId);
    const bobConv = { type: PRIVATE, targetId: bob.userId };
    await ok(call((cb) => alice.im.createTag({ tagId: 'a', tagName: 'A' }, cb)), 'create');
    await ok(call((cb) => alice.im.addTagForConversations('a', [bobConv], cb)), 'add');
    await ok(call((cb) => alice.im.setConversationStatusInTag('a', bobConv, { isTop: true }, cb)), 'top in tag');
    await alice.im.disconnect();
    const reloaded = await online('alice', { storage, userId: alice.userId, token: alice.token });
    const fresh = await device(alice, 'alice-fresh');
    for (const [name, u] of [['reloaded', reloaded], ['fresh', fresh]] as const) {
      const tags = await ok(call<Array<{ tagId: string; tagName: string; conversationCount: number }>>((cb) => u.im.getTagList(cb)), `${name} list`);
      expect([name, tags.map((t) => [t.tagId, t.tagName, t.conversationCount])]).toEqual([name, [['a', 'A', 1]]]);
      const conv = await ok(call<ConvTag[]>((cb) => u.im.getTagsForConversation(bobConv, cb)), `${name} tags`);
      expect([name, conv]).toEqual([name, [expect.objectContaining({ tagId: 'a', tagName: 'A', isTop: true })]]);
      const byTag = await ok(call<InTag[]>((cb) => u.im.getConversationListByTag('a', 10, 0, cb)), `${name} by tag`);
      expect([name, byTag.map((c) => [c.targetId, c.isTopInTag, c.unreadMessageCount])]).toEqual([name, [[bob.userId, true, name === 'reloaded' ? 1 : 1]]]);
    }
  });
});

describe('conversations across devices', () => {
  test('a recalled message is no longer the latest message of the conversation (2.9.6), on both sides and my other device', async () => {
    const alice = await online('alice');
    const aliceWeb = await device(alice, 'alice-web');
    const bob = await online('bob');
    const m1 = await send(alice, bob.userId, 'keep');
    await delay(5);
    const m2 = await send(alice, bob.userId, 'oops');
    await bob.next((x) => x.messageUId === m2.messageUId);
    await aliceWeb.next((x) => x.messageUId === m2.messageUId);
    await ok(call((cb) => alice.im.sendRecallMessage(m2, cb)), 'recall');
    await bob.next((x) => x.objectName === 'RC:RcCmd');
    await aliceWeb.next((x) => x.objectName === 'RC:RcCmd').catch(() => undefined);
    const latest = async (u: SdkUser, peer: string) => (await list(u)).find((c) => c.targetId === peer)?.latestMessage;
    const seen = {
      bob: (await latest(bob, alice.userId))?.objectName,
      alice: (await latest(alice, bob.userId))?.objectName,
      aliceWeb: (await latest(aliceWeb, bob.userId))?.objectName,
    };
    // Never the recalled text message.
    expect([(await latest(bob, alice.userId))?.messageUId, (await latest(alice, bob.userId))?.messageUId, (await latest(aliceWeb, bob.userId))?.messageUId]).not.toContain(m2.messageUId);
    expect(seen).toEqual({ bob: 'RC:RcCmd', alice: 'RC:RcCmd', aliceWeb: 'RC:RcCmd' });
    expect(m1.messageUId).not.toBe(m2.messageUId);
  });

  test('getConversationList: types filter and count; unread of group/system/private by type', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const groupId = `g-${alice.userId}`;
    await post('/group/create.json', { userId: [alice.userId, bob.userId], groupId, groupName: 'G' });
    const p = await send(bob, alice.userId, 'p1');
    const g = await send(bob, groupId, 'g1', GROUP);
    await post('/message/system/publish.json', { fromUserId: 'sys', toUserId: alice.userId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 's1' }) });
    await alice.next((x) => x.messageUId === p.messageUId);
    await alice.next((x) => x.messageUId === g.messageUId);
    await alice.next((x) => x.conversationType === SYSTEM);
    expect((await list(alice)).map((c) => c.conversationType).sort()).toEqual([PRIVATE, GROUP, SYSTEM].sort());
    expect((await list(alice, [GROUP])).map((c) => c.targetId)).toEqual([groupId]);
    expect((await list(alice, [PRIVATE, SYSTEM])).map((c) => c.conversationType).sort()).toEqual([PRIVATE, SYSTEM].sort());
    expect(await total(alice)).toBe(3);
    expect(await total(alice, [GROUP])).toBe(1);
    expect(await total(alice, [PRIVATE, GROUP])).toBe(2);
    expect(await total(alice, [SYSTEM])).toBe(1);
    expect(await unread(alice, SYSTEM, 'sys')).toBe(1);
    expect(await ok(call<number>((cb) => alice.im.getConversationUnreadCount([GROUP, SYSTEM], cb)), 'by types')).toBe(2);
    await ok(call((cb) => alice.im.setConversationStatus(GROUP, groupId, { notificationStatus: 1 }, cb)), 'mute group');
    expect(await total(alice, [GROUP])).toBe(0);
    expect(await total(alice, [GROUP], true)).toBe(1);
    expect(await total(alice)).toBe(2);
  });

  test('custom types: not counted (isCounted false) and not stored (isPersited false) do not count; stored-not-counted is the latest message', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    for (const u of [alice, bob]) {
      u.client.registerMessageType('HuntNoCount', 'LX:NoCount', new MessageTag(false, true), []);
      u.client.registerMessageType('HuntStatus', 'LX:Status', new MessageTag(false, false), []);
    }
    const ctor = (u: SdkUser, t: string) => (u.client.RegisterMessage as Record<string, new (c: unknown) => unknown>)[t]!;
    const nc = await ok(call<Message>((cb) => bob.im.sendMessage(PRIVATE, alice.userId, new (ctor(bob, 'HuntNoCount'))({ a: 1 }) as never, cb)), 'nc');
    await ok(call<Message>((cb) => bob.im.sendMessage(PRIVATE, alice.userId, new (ctor(bob, 'HuntStatus'))({ b: 1 }) as never, cb)), 'st');
    await alice.next((x) => x.messageUId === nc.messageUId);
    await delay(300);
    expect(await unread(alice, PRIVATE, bob.userId)).toBe(0);
    const conv = (await list(alice)).find((c) => c.targetId === bob.userId);
    expect(conv?.latestMessage?.messageUId).toBe(nc.messageUId);
    expect(conv?.latestMessage?.messageType).toBe('HuntNoCount');
  });
});

describe('expansion and multi-device messages', () => {
  test('expansion changed by the receiver: the sender and the receiver\'s other device hear it, the changer does not; history follows removals', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const bobWeb = await device(bob, 'bob-web');
    const heard: Record<string, unknown[]> = { alice: [], bob: [], bobWeb: [] };
    for (const [name, u] of [['alice', alice], ['bob', bob], ['bobWeb', bobWeb]] as const) {
      u.client.setMessageExpansionListener({ onUpdated: (d: unknown) => heard[name]!.push(['u', d]), onDeleted: (d: unknown) => heard[name]!.push(['d', d]) });
    }
    const sent = await ok(call<Message>((cb) => alice.im.sendMessage(PRIVATE, bob.userId, new TextMessage({ content: 'x' }), cb, false, undefined, undefined, undefined, { canIncludeExpansion: true, expansion: { a: '1' } } as never)), 'send');
    const atBob = await bob.next((m) => m.messageUId === sent.messageUId);
    expect(atBob).toMatchObject({ canIncludeExpansion: true, expansion: { a: '1' } });
    await ok(call((cb) => bob.im.updateMessageExpansion({ b: '2' }, atBob, cb)), 'update');
    await until(async () => heard['alice']!.length + heard['bobWeb']!.length, (n) => n >= 2, 'listeners');
    await ok(call((cb) => bob.im.removeMessageExpansionForKey(['a'], atBob, cb)), 'remove');
    await until(async () => heard['alice']!.length + heard['bobWeb']!.length, (n) => n >= 4, 'listeners 2');
    await delay(300);
    expect(heard['bob']).toEqual([]);
    expect(heard['alice']).toEqual([
      ['u', { messageUId: sent.messageUId, expansion: { b: '2' } }],
      ['d', { messageUId: sent.messageUId, deletedKeys: ['a'] }],
    ]);
    expect(heard['bobWeb']).toEqual(heard['alice']);
    const hist = await call<Message[]>((cb) => alice.im.getHistoryMessages(PRIVATE, bob.userId, 0, 5, cb));
    expect(hist.ok && hist.value.find((m) => m.messageUId === sent.messageUId)?.expansion).toEqual({ b: '2' });
    const hist2 = await call<Message[]>((cb) => bobWeb.im.getHistoryMessages(PRIVATE, alice.userId, 0, 5, cb));
    expect(hist2.ok && hist2.value.find((m) => m.messageUId === sent.messageUId)?.expansion).toEqual({ b: '2' });
    // RC:MsgExMsg is never a message, never counted, never the latest message.
    for (const u of [alice, bob, bobWeb]) expect(u.received.some((r) => r.message.objectName === 'RC:MsgExMsg')).toBe(false);
    expect(await unread(alice, PRIVATE, bob.userId)).toBe(0);
    expect((await list(alice))[0]?.latestMessage?.messageUId).toBe(sent.messageUId);
  });

  test('my message sent on one device: the other device lists it as latest (SEND), counts nothing', async () => {
    const alice = await online('alice');
    const web = await device(alice, 'alice-web');
    const bob = await online('bob');
    const m = await send(alice, bob.userId, 'mine');
    const copy = await web.next((x) => x.messageUId === m.messageUId);
    expect(copy).toMatchObject({ messageDirection: 1, senderUserId: alice.userId, targetId: bob.userId });
    expect(await unread(web, PRIVATE, bob.userId)).toBe(0);
    expect(await total(web)).toBe(0);
    const c = (await list(web)).find((x) => x.targetId === bob.userId);
    expect(c).toMatchObject({ unreadMessageCount: 0, latestMessage: { messageUId: m.messageUId, messageDirection: 1 } });
  });
});

describe('unread persistence', () => {
  test('offline messages are counted once; a reload (same storage) and a reconnect keep the count; a clear survives the reload', async () => {
    const storage = createMemoryStorage();
    const alice = await online('alice', { storage });
    const bob = await online('bob');
    await alice.im.disconnect();
    for (let i = 0; i < 3; i += 1) await send(bob, alice.userId, `o${i}`);
    const back = await online('alice', { storage, userId: alice.userId, token: alice.token });
    await back.next((m) => m.content['content'] === 'o2');
    expect(await unread(back, PRIVATE, bob.userId)).toBe(3);
    await back.im.disconnect();
    const again = await online('alice', { storage, userId: alice.userId, token: alice.token });
    await delay(300);
    expect(await unread(again, PRIVATE, bob.userId)).toBe(3);
    expect(await total(again)).toBe(3);
    await ok(call((cb) => again.im.clearUnreadCount(PRIVATE, bob.userId, cb)), 'clear');
    await again.im.disconnect();
    const third = await online('alice', { storage, userId: alice.userId, token: alice.token });
    await delay(300);
    expect(await unread(third, PRIVATE, bob.userId)).toBe(0);
    const conv = (await list(third)).find((c) => c.targetId === bob.userId);
    expect(conv?.unreadMessageCount).toBe(0);
  });

  test('group and system history page like private history', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const groupId = `g-${alice.userId}`;
    await post('/group/create.json', { userId: [alice.userId, bob.userId], groupId, groupName: 'G' });
    for (let i = 1; i <= 3; i += 1) await send(bob, groupId, `g${i}`, GROUP);
    const g = await call<Message[]>((cb) => alice.im.getHistoryMessages(GROUP, groupId, 0, 2, cb));
    expect(g.ok && [texts(g.value), g.args[1]]).toEqual([['g2', 'g3'], true]);
    expect(g.ok && g.value[0]).toMatchObject({ conversationType: GROUP, targetId: groupId, senderUserId: bob.userId, messageDirection: 2 });
    for (let i = 1; i <= 2; i += 1) await post('/message/system/publish.json', { fromUserId: 'sys2', toUserId: alice.userId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `s${i}` }) });
    await until(async () => (await call<Message[]>((cb) => alice.im.getHistoryMessages(SYSTEM, 'sys2', 0, 5, cb))), (r) => r.ok && r.value.length === 2, 'system history');
    const s = await call<Message[]>((cb) => alice.im.getHistoryMessages(SYSTEM, 'sys2', 0, 5, cb));
    expect(s.ok && texts(s.value)).toEqual(['s1', 's2']);
    expect(s.ok && s.value[0]).toMatchObject({ conversationType: SYSTEM, targetId: 'sys2', senderUserId: 'sys2' });
  });

  test('clearRemoteHistoryMessages with timestamp 0 clears everything up to now', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    await send(alice, bob.userId, 'c1');
    await send(bob, alice.userId, 'c2');
    await delay(5);
    await ok(call((cb) => alice.im.clearRemoteHistoryMessages({ conversationType: PRIVATE, targetId: bob.userId, timestamp: 0 }, cb)), 'clear');
    const h = await call<Message[]>((cb) => alice.im.getHistoryMessages(PRIVATE, bob.userId, 0, 20, cb));
    expect(h.ok && h.value).toEqual([]);
    expect(h.ok && h.args[1]).toBe(false);
  });
});

describe('status, tags and paging details', () => {
  test('setting only isTop keeps DND (and vice versa): this device, the other device, a fresh device', async () => {
    const alice = await online('alice');
    const web = await device(alice, 'alice-web');
    const bob = await online('bob');
    const m = await send(bob, alice.userId, 'x');
    await web.next((x) => x.messageUId === m.messageUId);
    await ok(call((cb) => alice.im.setConversationStatus(PRIVATE, bob.userId, { notificationStatus: 1 }, cb)), 'dnd');
    await delay(20);
    await ok(call((cb) => alice.im.setConversationStatus(PRIVATE, bob.userId, { isTop: true }, cb)), 'top');
    const of = async (u: SdkUser) => {
      const c = (await list(u)).find((x) => x.targetId === bob.userId);
      return [c?.isTop, c?.notificationStatus];
    };
    expect(await of(alice)).toEqual([true, 1]);
    await until(() => of(web), (v) => v[0] === true, 'web top');
    expect(await of(web)).toEqual([true, 1]);
    const fresh = await device(alice, 'alice-fresh');
    expect(await of(fresh)).toEqual([true, 1]);
    await ok(call((cb) => web.im.setConversationStatus(PRIVATE, bob.userId, { notificationStatus: 2 }, cb)), 'undnd');
    await until(() => of(alice), (v) => v[1] === 2, 'alice undnd');
    expect(await of(alice)).toEqual([true, 2]);
    expect(await total(alice)).toBe(1);
  });

  test('forward paging with count 1 returns the next message; backward count 1 from a time returns the previous one', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    const sent: Message[] = [];
    for (let i = 1; i <= 4; i += 1) {
      sent.push(await send(alice, bob.userId, `f${i}`));
      await delay(3);
    }
    const h = async (ts: number, count: number, order: 0 | 1) => {
      const r = await call<Message[]>((cb) => alice.im.getHistoryMessages(PRIVATE, bob.userId, ts, count, cb, undefined, order));
      return r.ok ? [texts(r.value), r.args[1]] : r.code;
    };
    expect({
      fwd1: await h(sent[0]!.sentTime, 1, 1),
      fwd2: await h(sent[1]!.sentTime, 2, 1),
      back1: await h(sent[2]!.sentTime, 1, 0),
      fwdLast: await h(sent[3]!.sentTime, 5, 1),
    }).toEqual({ fwd1: [['f2'], true], fwd2: [['f3', 'f4'], false], back1: [['f2'], true], fwdLast: [[], false] });
  });

  test('tagging a conversation twice counts it once; renaming keeps the order by creation', async () => {
    const alice = await online('alice');
    const bobConv = { type: PRIVATE, targetId: 'someone' };
    await ok(call((cb) => alice.im.createTag({ tagId: 't1', tagName: 'One' }, cb)), 'c1');
    await delay(5);
    await ok(call((cb) => alice.im.createTag({ tagId: 't2', tagName: 'Two' }, cb)), 'c2');
    await ok(call((cb) => alice.im.addTagForConversations('t1', [bobConv], cb)), 'add');
    await ok(call((cb) => alice.im.addTagForConversations('t1', [bobConv, bobConv], cb)), 'add again');
    await ok(call((cb) => alice.im.updateTag({ tagId: 't1', tagName: 'Uno' }, cb)), 'rename');
    const tags = await ok(call<Array<{ tagId: string; tagName: string; conversationCount: number }>>((cb) => alice.im.getTagList(cb)), 'list');
    expect(tags.map((t) => [t.tagId, t.tagName, t.conversationCount])).toEqual([['t1', 'Uno', 1], ['t2', 'Two', 0]]);
    expect(await ok(call<ConvTag[]>((cb) => alice.im.getTagsForConversation(bobConv, cb)), 'tags')).toEqual([expect.objectContaining({ tagId: 't1', tagName: 'Uno' })]);
  });
});

describe('misc', () => {
  test('clearCache drops drafts and cached conversations; large list counts and empty type lists work', async () => {
    const alice = await online('alice');
    const bob = await online('bob');
    await send(bob, alice.userId, 'x');
    expect(alice.im.saveTextMessageDraft(PRIVATE, bob.userId, 'draft')).toBe(true);
    expect((await list(alice, [], 5000)).map((c) => c.targetId)).toEqual([bob.userId]);
    (alice.im as unknown as { clearCache(): void }).clearCache();
    expect(alice.im.getTextMessageDraft(PRIVATE, bob.userId)).toBeUndefined();
  });
});
