/**
 * Drop-in shape check against the OFFICIAL client: `@rongcloud/imlib-v2` 2.9.2 is loaded in this Node
 * process (with the few browser globals it touches at import shimmed here) and every exported enum
 * value, every `RongIMClient` static and every `getInstance()` method name must exist in ours with the
 * same value / kind. Extra names on our side (later additions the seed documents) are allowed.
 */
import * as ours from '../../src/index';
import { idlePlatform } from './api/idle-platform';

type Lib = Record<string, unknown>;

const SHIMMED = ['window', 'localStorage', 'sessionStorage'] as const;
let official: Lib;

beforeAll(async () => {
  const g = globalThis as Record<string, unknown>;
  const memory = new Map<string, string>();
  const storage = {
    getItem: (k: string) => memory.get(k) ?? null,
    setItem: (k: string, v: string) => void memory.set(k, String(v)),
    removeItem: (k: string) => void memory.delete(k),
    clear: () => memory.clear(),
    key: () => null,
    length: 0,
  };
  g['window'] = g;
  g['localStorage'] = storage;
  g['sessionStorage'] = storage;
  official = (await import('@rongcloud/imlib-v2')) as unknown as Lib;
});

afterAll(() => {
  const g = globalThis as Record<string, unknown>;
  for (const name of SHIMMED) delete g[name];
});

const ENUMS = [
  'ConnectionStatus',
  'ConversationType',
  'ErrorCode',
  'FileType',
  'LogLevel',
  'MessageDirection',
  'ReceivedStatus',
  'UploadMethod',
  'SentStatus',
  'GetChatRoomType',
  'MentionedType',
  'VoIPMediaType',
  'ConnectionState',
] as const;

/** name → value pairs of an enum-like object (TypeScript numeric enums also map value → name). */
function members(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (Number.isNaN(Number(k))) out[k] = v;
  return out;
}

test.each(ENUMS)('enum %s: every official name exists with the same value', (name) => {
  const theirs = members(official[name]);
  const mine = members((ours as Record<string, unknown>)[name]);
  expect(Object.keys(theirs).length).toBeGreaterThan(1);
  for (const [key, value] of Object.entries(theirs)) expect([key, mine[key]]).toEqual([key, value]);
});

test('every official export exists (enums, classes, RongIMClient via the factory)', () => {
  const exported = new Set(Object.keys(ours));
  exported.add('RongIMClient'); // supplied by createRongIMLib in each platform entry
  const missing = Object.keys(official).filter((name) => !exported.has(name));
  // ChannelClient is only reachable through getChannel(), which is Electron/C++-only (returns null on Web).
  expect(missing).toEqual(['ChannelClient']);
});

test('every official RongIMClient static exists with the same kind, plus the seed additions', () => {
  const { RongIMClient } = ours.createRongIMLib(idlePlatform());
  const mine = RongIMClient as unknown as Record<string, unknown>;
  const theirs = official['RongIMClient'] as Record<string, unknown>;
  for (const [name, value] of Object.entries(theirs)) expect([name, typeof mine[name]]).toEqual([name, typeof value]);
  for (const name of ['onConnectionStatusChange', 'setPullOfflineFinished', 'setMessageBlockedListener', 'setChatRoomStatusListener']) {
    expect([name, typeof mine[name]]).toEqual([name, 'function']);
  }
  expect(mine['MessageType']).toEqual(theirs['MessageType']);
});

test('every official getInstance() method exists, plus the seed additions', () => {
  const { RongIMClient } = ours.createRongIMLib(idlePlatform());
  expect(RongIMClient.getInstance()).toBeUndefined();
  RongIMClient.init('shape-app', null, { navi: 'http://127.0.0.1:1' });
  const instance = RongIMClient.getInstance() as unknown as Record<string, unknown>;
  const officialMethods = Object.getOwnPropertyNames((official['IMClient'] as { prototype: object }).prototype).filter(
    (name) => name !== 'constructor' && name !== 'assertCPPMode',
  );
  expect(officialMethods.length).toBeGreaterThanOrEqual(106);
  const missing = officialMethods.filter((name) => typeof instance[name] !== 'function');
  expect(missing).toEqual([]);
  for (const name of ['clearAllUnreadCount', 'setChatRoomEntries', 'removeChatRoomEntries', 'clearTotalUnreadCount']) {
    expect([name, typeof instance[name]]).toEqual([name, 'function']);
  }
});

test('message classes: same MessageType/ObjectName statics and instance fields as the official ones', () => {
  const classes = Object.keys(official).filter((name) => name.endsWith('Message') && name !== 'Message');
  expect(classes.length).toBeGreaterThanOrEqual(25);
  for (const name of classes) {
    const Theirs = official[name] as { new (c: object): Record<string, unknown>; ObjectName: string; MessageType: string };
    const Mine = (ours as Record<string, unknown>)[name] as { new (c: object): Record<string, unknown>; ObjectName: string; MessageType: string };
    expect([name, Mine.ObjectName]).toEqual([name, Theirs.ObjectName]);
    // The official SyncReadStatusMessage reports messageType 'lastMessageSendTime' (a bug); we use the class name.
    expect([name, Mine.MessageType]).toEqual([name, name === 'SyncReadStatusMessage' ? name : Theirs.MessageType]);
    const mine = new Mine({ a: 1 });
    expect(Object.keys(mine).sort()).toEqual(Object.keys(new Theirs({ a: 1 })).sort());
    expect(mine['content']).toEqual({ a: 1 });
  }
});

test('MessageTag takes (isCounted, isPersited); MentionedInfo takes (type, userIdList, mentionedContent)', () => {
  const Tag = official['MessageTag'] as new (a: boolean, b: boolean) => object;
  const Info = official['MentionedInfo'] as new (t: number, l: string[], c: string) => object;
  expect({ ...new ours.MessageTag(true, false) }).toEqual({ ...new Tag(true, false) });
  expect({ ...new ours.MentionedInfo(ours.MentionedType.PART, ['u1'], 'hi') }).toEqual({ ...new Info(2, ['u1'], 'hi') });
});

test('Message has the official 18-argument constructor', () => {
  const Theirs = official['Message'] as new (...args: unknown[]) => object;
  const args = [1, 't', 's', { content: 'x' }, 'RC:TxtMsg', 'TextMessage', 7, 'UID', 1, false, 30, 123, 0, 124, true, { k: 'v' }, undefined, false];
  const mine = new (ours.Message as unknown as new (...a: unknown[]) => object)(...args);
  expect(mine).toMatchObject({ ...new Theirs(...args) });
});
