/**
 * The SDK when the host's storage misbehaves, on the Node, browser, wx, my and uni adapters: writes or reads that
 * throw or reject (quota exceeded, Safari private mode, a full 10 MB wx store, my.setStorageSync {success:false}),
 * corrupted or foreign values under the SDK's keys (truncated JSON, wrong types, an older layout, server times far
 * ahead), storage cleared while connected, two users one after another on one instance and two tabs of one user.
 * The SDK keeps working (connect, send, receive, sync, unread, tags, read-position sync), at worst without
 * persistence, never shows one user's data to another, never loses or repeats a message. Found failing before their
 * fixes: a user's state still loading when the app logged out and connected another user became that user's session;
 * stored times ahead of the server (an inbox cursor, unread read times, a status version) hid messages, counts and
 * other devices' changes; a stored pending read position without a type, or a tag link `null`, broke its sync for
 * good; the browser storage threw synchronously where its contract is a rejection.
 */
import WebSocket from 'ws';
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import { createMemoryStorage } from '../../platforms/node/node-storage';
import { createBrowserAdapter } from '../../platforms/browser/browser-adapter';
import type { BrowserHost, HostStorage } from '../../platforms/browser/browser-host';
import { createWechatAdapter } from '../../platforms/wechat/wechat-adapter';
import { createAlipayAdapter } from '../../platforms/alipay/alipay-adapter';
import { createUniappAdapter } from '../../platforms/uniapp/uniapp-adapter';
import { ConversationType, TextMessage } from '../../src/index';
import type { IConversation, Message } from '../../src/index';
import type { KeyValueStorage, PlatformAdapter } from '../../src/platform/platform-adapter';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { SimulatedDevice, createMySimulator, createUniSimulator, createWxSimulator } from '../support/host-simulators';
import { call, delay, newUserId, ok, sdkUser, tokenFor, useSdkAdapter } from './sdk-api-support';
import type { SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxhuntstore', secret: 'lxhuntstoresecret', options: { maxSendRate: 1000, multiDevice: true } };
const PRIVATE = ConversationType.PRIVATE;
let server: RunningServer;
const users: SdkUser[] = [];
const devices: SimulatedDevice[] = [];

jest.setTimeout(60_000);

/** Adapter chosen per test through `nextAdapter`. Default: node adapter over the given storage. */
let nextAdapter: ((storage: KeyValueStorage | undefined) => PlatformAdapter) | undefined;
useSdkAdapter(({ storage }) => (nextAdapter ? nextAdapter(storage) : createNodeAdapter(storage ? { storage } : {})));

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
});
afterAll(async () => {
  for (const d of devices) d.shutdown();
  await server?.stop();
});
afterEach(async () => {
  nextAdapter = undefined;
  for (const user of users.splice(0)) await user.im.disconnect().catch(() => undefined);
});

async function make(name: string, options: Parameters<typeof sdkUser>[3] = {}): Promise<SdkUser> {
  const user = await sdkUser(server, APP, name, options);
  users.push(user);
  return user;
}
async function online(name: string, options: Parameters<typeof sdkUser>[3] = {}): Promise<SdkUser> {
  const user = await make(name, options);
  expect(await user.connect()).toBe(user.userId);
  return user;
}

function send(from: SdkUser, to: string, text: string): Promise<Message> {
  return ok(call<Message>((cb) => from.im.sendMessage(PRIVATE, to, new TextMessage({ content: text }), cb)), `send ${text}`);
}
const unread = (u: SdkUser, targetId: string): Promise<number> => ok(call<number>((cb) => u.im.getUnreadCount(PRIVATE, targetId, cb)), 'getUnreadCount');
const total = (u: SdkUser): Promise<number> => ok(call<number>((cb) => u.im.getTotalUnreadCount(cb)), 'getTotalUnreadCount');
const list = (u: SdkUser): Promise<IConversation[]> => ok(call<IConversation[]>((cb) => u.im.getConversationList(cb, null)), 'getConversationList');
const text = (m: Message): string => String((m.content as { content?: unknown }).content);

async function settles<T>(read: () => Promise<T>, want: T, what: string): Promise<void> {
  let value = await read();
  for (let i = 0; i < 60 && JSON.stringify(value) !== JSON.stringify(want); i += 1) {
    await delay(100);
    value = await read();
  }
  expect({ what, value }).toEqual({ what, value: want });
}

/** A memory storage whose behaviour the test changes. */
interface Faulty extends KeyValueStorage {
  readonly map: Map<string, string>;
  failSet: boolean;
  failGet: boolean;
  syncThrow: boolean;
  gate: ((key: string) => Promise<void> | undefined) | undefined;
}
function faulty(): Faulty {
  const map = new Map<string, string>();
  const s: Faulty = {
    map,
    failSet: false,
    failGet: false,
    syncThrow: false,
    gate: undefined,
    get(key) {
      if (s.failGet) {
        if (s.syncThrow) throw new Error('SecurityError: read denied');
        return Promise.reject(new Error('read denied'));
      }
      const g = s.gate?.(key);
      if (g) return g.then(() => map.get(key));
      return Promise.resolve(map.get(key));
    },
    set(key, value) {
      if (s.failSet) {
        if (s.syncThrow) throw new Error('QuotaExceededError');
        return Promise.reject(new Error('QuotaExceededError'));
      }
      map.set(key, value);
      return Promise.resolve();
    },
    remove(key) {
      if (s.failSet && s.syncThrow) throw new Error('remove denied');
      map.delete(key);
      return Promise.resolve();
    },
  };
  return s;
}

/** bob -> alice round trip, unread and list; alice -> bob send. */
async function basicWorks(alice: SdkUser, bob: SdkUser, tag: string): Promise<void> {
  await send(bob, alice.userId, `${tag}-1`);
  expect(text(await alice.next((m) => text(m) === `${tag}-1`))).toBe(`${tag}-1`);
  await settles(() => unread(alice, bob.userId), 1, 'unread');
  await settles(() => total(alice), 1, 'total');
  const l = await list(alice);
  expect(l.map((c) => c.targetId)).toContain(bob.userId);
  await send(alice, bob.userId, `${tag}-back`);
  await bob.next((m) => text(m) === `${tag}-back`);
  expect(await ok(call<boolean>((cb) => alice.im.clearUnreadCount(PRIVATE, bob.userId, cb)), 'clear')).toBe(true);
  expect(await unread(alice, bob.userId)).toBe(0);
}

describe('node adapter: failing storage', () => {
  test('every write rejects: connect/send/receive/unread work and the failure is logged', async () => {
    const store = faulty();
    store.failSet = true;
    const alice = await online('alice', { storage: store });
    const bob = await online('bob');
    await basicWorks(alice, bob, 'wfail');
    await delay(300);
    expect(alice.logs.some((l) => /storage write failed/.test(l))).toBe(true);
  });

  test('every read rejects: connect/send/receive/unread work and the failure is logged', async () => {
    const store = faulty();
    store.failGet = true;
    const alice = await online('alice', { storage: store });
    const bob = await online('bob');
    await basicWorks(alice, bob, 'rfail');
    expect(alice.logs.some((l) => /storage read failed/.test(l))).toBe(true);
  });

  test('storage methods throwing synchronously (not a rejected promise) never break the SDK', async () => {
    const store = faulty();
    store.failSet = true;
    store.failGet = true;
    store.syncThrow = true;
    const alice = await online('alice', { storage: store });
    const bob = await online('bob');
    await basicWorks(alice, bob, 'syncthrow');
  });

  test('writes fail, then work again: the state persisted afterwards is whole (reload sees unread)', async () => {
    const store = faulty();
    store.failSet = true;
    const alice = await online('alice', { storage: store });
    const bob = await online('bob');
    await send(bob, alice.userId, 'pre-1');
    await alice.next((m) => text(m) === 'pre-1');
    await delay(300);
    store.failSet = false;
    await send(bob, alice.userId, 'pre-2');
    await alice.next((m) => text(m) === 'pre-2');
    await settles(() => unread(alice, bob.userId), 2, 'unread live');
    await alice.im.disconnect();
    await delay(300);
    const again = await online('alice2', { storage: store, userId: alice.userId, token: alice.token });
    await settles(() => unread(again, bob.userId), 2, 'unread after reload');
    await delay(500);
    expect(again.received.map((r) => text(r.message)).filter((t) => t.startsWith('pre-'))).toEqual([]);
  });
});

/** Values under alice's SDK keys before she connects. */
function seeded(userId: string, values: Record<string, string>): Faulty {
  const store = faulty();
  for (const [name, value] of Object.entries(values)) {
    if (name.startsWith('transport')) store.map.set(name, value);
    else store.map.set(`lx-${name}-${APP.key}-${userId}`, value);
  }
  return store;
}
const STORE_KEYS = ['inbox', 'sendbox', 'seen', 'unread', 'conversation-status', 'tags', 'read-positions', 'receipts'];

async function readPositionProbe(stored: string | undefined): Promise<void> {
    const userId = newUserId('alice');
    const token = await tokenFor(server, APP, userId);
    const store = seeded(userId, stored === undefined ? {} : { 'read-positions': stored });
    const phone = await online('alice', { storage: store, userId, token });
    const pad = await online('alice-pad', { userId, token });
    const bob = await online('bob');
    await send(bob, userId, 'rp-1');
    await phone.next((m) => text(m) === 'rp-1');
    await pad.next((m) => text(m) === 'rp-1');
    await settles(() => unread(pad, bob.userId), 1, 'pad unread');
    // the phone reads the conversation: the pad must follow (server read position)
    expect(await ok(call<boolean>((cb) => phone.im.clearUnreadCount(PRIVATE, bob.userId, cb)), 'clear')).toBe(true);
    await settles(() => unread(pad, bob.userId), 0, 'pad unread after phone read');
    expect(phone.logs.filter((l) => /read position/.test(l))).toEqual([]);
  }

async function statusProbe(stored: string | undefined): Promise<void> {
    const userId = newUserId('alice');
    const token = await tokenFor(server, APP, userId);
    const store = seeded(userId, stored === undefined ? {} : { 'conversation-status': stored });
    const alice = await online('alice', { storage: store, userId, token });
    const pad = await online('alice-pad', { userId, token });
    const bob = await online('bob');
    await send(bob, userId, 'st-1');
    await alice.next((m) => text(m) === 'st-1');
    await ok(call((cb) => pad.im.setConversationStatus(PRIVATE, bob.userId, { isTop: true }, cb)), 'setConversationStatus');
    await alice.im.disconnect();
    await alice.connect();
    await settles(async () => (await list(alice)).find((c) => c.targetId === bob.userId)?.isTop === true, true, 'isTop from other device');
  }

describe('node adapter: corrupted / foreign stored values', () => {
  test('truncated JSON under every key: works as with empty storage', async () => {
    const userId = newUserId('alice');
    const token = await tokenFor(server, APP, userId);
    const values: Record<string, string> = { [`transport-preference:${APP.key}`]: '{"kind":"com' };
    for (const k of STORE_KEYS) values[k] = '{"a":[1,2';
    const alice = await online('alice', { storage: seeded(userId, values), userId, token });
    const bob = await online('bob');
    await basicWorks(alice, bob, 'trunc');
  });

  test('wrong-typed values under every key: connect, receive, unread, list, tags work', async () => {
    const userId = newUserId('alice');
    const token = await tokenFor(server, APP, userId);
    const bobId = newUserId('bob');
    const values: Record<string, string> = {
      inbox: '"123"',
      sendbox: 'null',
      seen: '[1,null,{"x":1},"dup-uid"]',
      unread: JSON.stringify({ [`1_${bobId}`]: { u: 'x', t: 1 }, '*': { u: [], t: 'x' }, '1_zz': { u: [[1, 2], null, ['a']], t: 0, hm: true, m: 7, o: 'x' }, '1_yy': null }),
      'conversation-status': JSON.stringify({ version: 'x', items: [{ conversationType: '1', targetId: 5, isTop: 'yes', notificationStatus: 'x' }, null] }),
      tags: JSON.stringify({ version: 1, tags: [{ tagId: 't1' }, null, 5], byTag: { t1: [5, null] } }),
      'read-positions': JSON.stringify({ version: 1, pending: [null, 5], pendingAll: 1 }),
      receipts: JSON.stringify({ pending: [['a', 'b', 'c', 1e15], null], responded: [['u', 1e15, [1, 2]], 5] }),
    };
    const alice = await online('alice', { storage: seeded(userId, values), userId, token });
    const bob = await online('bob', { userId: bobId, token: await tokenFor(server, APP, bobId) });
    await basicWorks(alice, bob, 'types');
    await ok(call((cb) => alice.im.getTagList(cb)), 'getTagList');
    await ok(call((cb) => alice.im.getTagsForConversation({ type: PRIVATE, targetId: bob.userId }, cb)), 'getTagsForConversation');
  });

  test('a stored tag-links record (older layout) with a null/non-object link does not break tag sync and getTagList', async () => {
    const userId = newUserId('alice');
    const token = await tokenFor(server, APP, userId);
    const store = seeded(userId, { tags: JSON.stringify({ version: 0, tags: [], links: { '1_someone': [null] } }) });
    const alice = await online('alice', { storage: store, userId, token });
    await delay(300);
    // a tag created on her other device reaches this one (settings sync)
    const pad = await online('alice-pad', { userId, token });
    await ok(call((cb) => pad.im.createTag({ tagId: 'work', tagName: 'Work' }, cb)), 'createTag');
    await alice.im.disconnect();
    await alice.connect();
    let tags: Array<{ tagId: string }> = [];
    for (let i = 0; i < 30 && !tags.some((t) => t.tagId === 'work'); i += 1) {
      await delay(100);
      tags = await ok(call<Array<{ tagId: string }>>((cb) => alice.im.getTagList(cb)), 'getTagList');
    }
    expect({ tags: tags.map((t) => t.tagId), failures: alice.logs.filter((l) => /tagId/.test(l)) }).toEqual({ tags: ['work'], failures: [] });
  });

  test('control: read positions follow from one device to another with clean storage', () => readPositionProbe(undefined));

  test('a stored pending read position without a conversation type (older layout) does not block read-position sync forever', () =>
    readPositionProbe(JSON.stringify({ version: 0, pending: [{ targetId: 'old', readTime: 1 }], pendingAll: 0 })));

  test('a stored inbox cursor in the future (foreign/older value) does not hide offline messages', async () => {
    const userId = newUserId('alice');
    const token = await tokenFor(server, APP, userId);
    const future = Date.now() + 365 * 24 * 3600 * 1000;
    const store = seeded(userId, { inbox: String(future), sendbox: String(future) });
    const bob = await online('bob');
    const alice = await make('alice', { storage: store, userId, token });
    await send(bob, alice.userId, 'while-offline');
    await alice.connect();
    expect(text(await alice.next((m) => text(m) === 'while-offline', 5000))).toBe('while-offline');
  });

  test('a stored unread floor in the future (foreign/older value) does not hide new unread messages', async () => {
    const userId = newUserId('alice');
    const token = await tokenFor(server, APP, userId);
    const future = Date.now() + 365 * 24 * 3600 * 1000;
    const store = seeded(userId, { unread: JSON.stringify({ '*': { u: [], hm: false, t: future } }) });
    const alice = await online('alice', { storage: store, userId, token });
    const bob = await online('bob');
    await send(bob, userId, 'floor-1');
    await alice.next((m) => text(m) === 'floor-1');
    await settles(() => unread(alice, bob.userId), 1, 'unread with future floor');
  });

  test('a stored per-conversation read time in the future does not hide new unread messages of that conversation', async () => {
    const userId = newUserId('alice');
    const token = await tokenFor(server, APP, userId);
    const bobId = newUserId('bob');
    const future = Date.now() + 365 * 24 * 3600 * 1000;
    const store = seeded(userId, { unread: JSON.stringify({ [`1_${bobId}`]: { u: [], hm: false, t: future } }) });
    const alice = await online('alice', { storage: store, userId, token });
    const bob = await online('bob', { userId: bobId, token: await tokenFor(server, APP, bobId) });
    await send(bob, userId, 'conv-t-1');
    await alice.next((m) => text(m) === 'conv-t-1');
    await settles(() => unread(alice, bob.userId), 1, 'unread with future read time');
  });

  test('control: another device\'s isTop reaches this one after reconnect (clean storage)', () => statusProbe(undefined));

  test('a stored conversation-status version far ahead does not block another device\'s isTop after reconnect', () =>
    statusProbe(JSON.stringify({ version: Date.now() + 365 * 24 * 3600 * 1000, items: [] })));

  test('a stored seen-uid list of another user/foreign uids does not drop new messages', async () => {
    const userId = newUserId('alice');
    const token = await tokenFor(server, APP, userId);
    const store = seeded(userId, { seen: JSON.stringify(Array.from({ length: 3000 }, (_, i) => `X${i}`)) });
    const alice = await online('alice', { storage: store, userId, token });
    const bob = await online('bob');
    await basicWorks(alice, bob, 'seen');
  });

  test('a future transport preference (comet pinned far ahead) still connects', async () => {
    const userId = newUserId('alice');
    const token = await tokenFor(server, APP, userId);
    const store = seeded(userId, { [`transport-preference:${APP.key}`]: JSON.stringify({ kind: 'comet', expiresAt: 8.64e15 }) });
    const alice = await online('alice', { storage: store, userId, token });
    const bob = await online('bob');
    await basicWorks(alice, bob, 'pref');
  });
});

describe('user switch on one instance / one device', () => {
  test('logout then another user: no unread, list or draft of the first; first user gets hers back', async () => {
    const storage = createMemoryStorage();
    const carol = await online('carol');
    const alice = await online('alice', { storage });
    await send(carol, alice.userId, 'for-alice');
    await alice.next((m) => text(m) === 'for-alice');
    await settles(() => total(alice), 1, 'alice total');
    alice.im.saveTextMessageDraft(PRIVATE, carol.userId, 'alice draft');
    await alice.im.logout();
    const bobId = newUserId('bob');
    const bobToken = await tokenFor(server, APP, bobId);
    const bob = await new Promise<string>((resolve, reject) =>
      alice.client.connect(bobToken, { onSuccess: resolve, onTokenIncorrect: () => reject(new Error('tok')), onError: (c) => reject(new Error(String(c))) }),
    );
    expect(bob).toBe(bobId);
    await delay(500);
    expect(await total(alice)).toBe(0);
    expect(await unread(alice, carol.userId)).toBe(0);
    expect((await list(alice)).map((c) => c.targetId)).toEqual([]);
    expect(alice.im.getTextMessageDraft(PRIVATE, carol.userId) ?? '').toBe('');
    await alice.im.logout();
    await new Promise<string>((resolve, reject) =>
      alice.client.connect(alice.token, { onSuccess: resolve, onTokenIncorrect: () => reject(new Error('tok')), onError: (c) => reject(new Error(String(c))) }),
    );
    await settles(() => unread(alice, carol.userId), 1, 'alice unread back');
  });

  test('logout while the first user is still connecting (slow storage) does not leak her session into the next user', async () => {
    const storage = faulty();
    const aliceId = newUserId('alice');
    const aliceToken = await tokenFor(server, APP, aliceId);
    // alice has 3 unread from carol, persisted on this device
    const carol = await online('carol');
    storage.map.set(`lx-unread-${APP.key}-${aliceId}`, JSON.stringify({ [`1_${carol.userId}`]: { u: [['U1', 1], ['U2', 2], ['U3', 3]], hm: false, t: 0 } }));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let aliceReading!: () => void;
    const readingStarted = new Promise<void>((r) => (aliceReading = r));
    storage.gate = (key) => {
      if (!key.endsWith(aliceId)) return undefined;
      aliceReading();
      return released;
    };
    const app = await make('app', { storage, userId: aliceId, token: aliceToken });
    const aliceResult = new Promise<string>((resolve) =>
      app.client.connect(aliceToken, { onSuccess: (u) => resolve(`ok ${u}`), onTokenIncorrect: () => resolve('tok'), onError: (c) => resolve(`err ${c}`) }),
    );
    await readingStarted;
    await app.im.logout();
    const bobId = newUserId('bob');
    const bobToken = await tokenFor(server, APP, bobId);
    const bobConnected = await new Promise<string>((resolve, reject) =>
      app.client.connect(bobToken, { onSuccess: resolve, onTokenIncorrect: () => reject(new Error('tok')), onError: (c) => reject(new Error(String(c))) }),
    );
    expect(bobConnected).toBe(bobId);
    release();
    await Promise.race([aliceResult, delay(2000)]);
    await delay(300);
    expect(app.im.getCurrentUserId()).toBe(bobId);
    expect({ bobTotal: await total(app), bobCarol: await unread(app, carol.userId) }).toEqual({ bobTotal: 0, bobCarol: 0 });
    // and bob's own messages are counted in bob's store
    await send(carol, bobId, 'for-bob');
    await app.next((m) => text(m) === 'for-bob');
    await settles(() => total(app), 1, 'bob total after one message');
  });
});

describe('more user switch and file storage', () => {
  test('node file storage with a truncated JSON file: SDK works', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'hunt-store-'));
    const file = join(dir, 'store.json');
    writeFileSync(file, '{"lx-inbox-');
    nextAdapter = () => createNodeAdapter({ storageFile: file });
    const alice = await online('alice');
    nextAdapter = undefined;
    const bob = await online('bob');
    await basicWorks(alice, bob, 'file');
  });
});

describe('two instances of one user on one storage (two tabs)', () => {
  test('tab A clears, tab B writes its older unread record: a reload still shows the conversation read', async () => {
    const storage = createMemoryStorage();
    const bob = await online('bob');
    const carol = await online('carol');
    const a = await online('alice-a', { storage });
    const b = await online('alice-b', { storage, userId: a.userId, token: a.token });
    await send(bob, a.userId, 'tab-1');
    await a.next((m) => text(m) === 'tab-1');
    await b.next((m) => text(m) === 'tab-1');
    await delay(300);
    expect(await ok(call<boolean>((cb) => a.im.clearUnreadCount(PRIVATE, bob.userId, cb)), 'clear')).toBe(true);
    await delay(300);
    await send(carol, a.userId, 'tab-2');
    await b.next((m) => text(m) === 'tab-2');
    await delay(400);
    await a.im.disconnect();
    await b.im.disconnect();
    await delay(300);
    const c = await online('alice-c', { storage, userId: a.userId, token: a.token });
    await settles(() => unread(c, bob.userId), 0, 'bob read after reload');
    await settles(() => unread(c, carol.userId), 1, 'carol unread after reload');
  });
});

function wxDevice(): { device: SimulatedDevice; adapter: (patch?: (host: Record<string, unknown>) => void) => PlatformAdapter } {
  const device = new SimulatedDevice();
  devices.push(device);
  return {
    device,
    adapter: (patch) => {
      const host = { ...(createWxSimulator({}, device).host as unknown as Record<string, unknown>) };
      patch?.(host);
      return createWechatAdapter(host as never);
    },
  };
}

describe('wx: host storage limits and clears', () => {
  test('storage full (10 MB of other data): everything works, no host misuse', async () => {
    const { device, adapter } = wxDevice();
    const big = 'x'.repeat(1000 * 1000);
    for (let i = 0; i < 10; i += 1) device.storage.set(`other${i}`, JSON.stringify(big));
    nextAdapter = () => adapter();
    const alice = await online('alice');
    nextAdapter = undefined;
    const bob = await online('bob');
    await basicWorks(alice, bob, 'wxfull');
    expect(device.misuse).toEqual([]);
    expect(alice.statuses.filter((s) => s !== 0 && s !== 1)).toEqual([]);
  });

  test('wx.setStorageSync always throws, getStorageSync throws: SDK works', async () => {
    const { device, adapter } = wxDevice();
    nextAdapter = () =>
      adapter((host) => {
        host.setStorageSync = () => {
          throw new Error('setStorageSync:fail exceed storage max size');
        };
        host.getStorageSync = () => {
          throw new Error('getStorageSync:fail');
        };
        host.removeStorageSync = () => {
          throw new Error('removeStorageSync:fail');
        };
      });
    const alice = await online('alice');
    nextAdapter = undefined;
    const bob = await online('bob');
    await basicWorks(alice, bob, 'wxthrow');
    expect(device.misuse).toEqual([]);
  });

  test('wx.getStorageSync returns foreign raw values (strings, numbers, official-SDK-like objects) under our keys', async () => {
    const { device, adapter } = wxDevice();
    const userId = newUserId('alice');
    const token = await tokenFor(server, APP, userId);
    const odd = [JSON.stringify('{"x":1}'), '12345', JSON.stringify({ lianxin: 5 }), JSON.stringify({ lianxin: '{"u":' }), JSON.stringify([1, 2]), 'null'];
    STORE_KEYS.forEach((k, i) => device.storage.set(`lianxin:lx-${k}-${APP.key}-${userId}`, odd[i % odd.length] as string));
    nextAdapter = () => adapter();
    const alice = await online('alice', { userId, token });
    nextAdapter = undefined;
    const bob = await online('bob');
    await basicWorks(alice, bob, 'wxodd');
  });

  test('wx.clearStorageSync while connected: receive/unread keep working; a reload re-delivers nothing', async () => {
    const { device, adapter } = wxDevice();
    nextAdapter = () => adapter();
    const alice = await online('alice');
    nextAdapter = undefined;
    const bob = await online('bob');
    await send(bob, alice.userId, 'c-1');
    await alice.next((m) => text(m) === 'c-1');
    await delay(400);
    device.storage.clear();
    await send(bob, alice.userId, 'c-2');
    await alice.next((m) => text(m) === 'c-2');
    await settles(() => unread(alice, bob.userId), 2, 'unread after clear');
    await delay(400);
    await alice.im.disconnect();
    await delay(200);
    nextAdapter = () => adapter();
    const again = await online('alice-reload', { userId: alice.userId, token: alice.token });
    nextAdapter = undefined;
    await send(bob, alice.userId, 'c-3');
    await again.next((m) => text(m) === 'c-3');
    await delay(500);
    expect(again.received.map((r) => text(r.message))).toEqual(['c-3']);
    await settles(() => unread(again, bob.userId), 3, 'unread after reload');
  });

  test('wx.clearStorageSync while connected, then reconnect on the same instance: no duplicates', async () => {
    const { device, adapter } = wxDevice();
    nextAdapter = () => adapter();
    const alice = await online('alice');
    nextAdapter = undefined;
    const bob = await online('bob');
    for (let i = 1; i <= 3; i += 1) await send(bob, alice.userId, `r-${i}`);
    await alice.next((m) => text(m) === 'r-3');
    device.storage.clear();
    device.dropConnections();
    await delay(500);
    await send(bob, alice.userId, 'r-4');
    await alice.next((m) => text(m) === 'r-4', 15_000);
    await delay(500);
    expect(alice.received.map((r) => text(r.message))).toEqual(['r-1', 'r-2', 'r-3', 'r-4']);
    await settles(() => unread(alice, bob.userId), 4, 'unread');
  });

  test('a big unread record on a nearly full wx store (parts refused half-way) keeps the previous record whole', async () => {
    const { device, adapter } = wxDevice();
    nextAdapter = () => adapter();
    const alice = await online('alice');
    nextAdapter = undefined;
    const bob = await online('bob');
    for (let i = 1; i <= 5; i += 1) await send(bob, alice.userId, `p-${i}`);
    await alice.next((m) => text(m) === 'p-5');
    await delay(400);
    // fill the store so the next writes are refused
    let n = 0;
    while (device.storageBytesWith(`fill${n}`, JSON.stringify('y'.repeat(900_000))) < 10 * 1024 * 1024) {
      device.storage.set(`fill${n}`, JSON.stringify('y'.repeat(900_000)));
      n += 1;
    }
    device.storage.set('filltail', JSON.stringify('z'.repeat(Math.max(0, 10 * 1024 * 1024 - device.storageBytesWith('filltail', '""') - 10))));
    await send(bob, alice.userId, 'p-6');
    await alice.next((m) => text(m) === 'p-6');
    await settles(() => unread(alice, bob.userId), 6, 'unread live on full store');
    await delay(400);
    await alice.im.disconnect();
    nextAdapter = () => adapter();
    const again = await online('alice-reload', { userId: alice.userId, token: alice.token });
    nextAdapter = undefined;
    await delay(800);
    const n2 = await unread(again, bob.userId);
    // at least the persisted 5 (the 6th may be lost with storage) — never fewer, never garbage
    expect(n2 === 5 || n2 === 6).toBe(true);
    expect(device.misuse).toEqual([]);
  });
});

describe('alipay / uni: refused writes', () => {
  test('my.setStorageSync returning {success:false}: SDK works', async () => {
    const device = new SimulatedDevice();
    devices.push(device);
    nextAdapter = () => {
      const host = { ...(createMySimulator({}, device).host as unknown as Record<string, unknown>) };
      host.setStorageSync = () => ({ success: false, error: 15, errorMessage: 'full' });
      return createAlipayAdapter(host as never);
    };
    const alice = await online('alice');
    nextAdapter = undefined;
    const bob = await online('bob');
    await basicWorks(alice, bob, 'myfalse');
    await delay(300);
    expect(alice.logs.some((l) => /storage write failed/.test(l))).toBe(true);
  });

  test('my.getStorageSync throwing and returning odd shapes: SDK works', async () => {
    const device = new SimulatedDevice();
    devices.push(device);
    let i = 0;
    nextAdapter = () => {
      const host = { ...(createMySimulator({}, device).host as unknown as Record<string, unknown>) };
      host.getStorageSync = () => {
        i += 1;
        if (i % 3 === 0) throw new Error('getStorageSync fail');
        return i % 3 === 1 ? undefined : { data: '{"lianxin":' };
      };
      return createAlipayAdapter(host as never);
    };
    const alice = await online('alice');
    nextAdapter = undefined;
    const bob = await online('bob');
    await basicWorks(alice, bob, 'myodd');
  });

  test('uni.setStorageSync throwing (App): SDK works', async () => {
    const device = new SimulatedDevice();
    devices.push(device);
    nextAdapter = () => {
      const host = { ...(createUniSimulator('app', {}, device).host as unknown as Record<string, unknown>) };
      host.setStorageSync = () => {
        throw new Error('setStorageSync:fail');
      };
      return createUniappAdapter(host as never);
    };
    const alice = await online('alice');
    nextAdapter = undefined;
    const bob = await online('bob');
    await basicWorks(alice, bob, 'unithrow');
  });
});

describe('browser adapter: localStorage misbehaving', () => {
  function browserWin(local: HostStorage | (() => HostStorage)): BrowserHost {
    const win: Record<string, unknown> = {
      WebSocket,
      fetch: globalThis.fetch.bind(globalThis),
      AbortController,
      setTimeout: (cb: () => void, ms: number) => setTimeout(cb, ms),
      clearTimeout: (id: unknown) => clearTimeout(id as NodeJS.Timeout),
    };
    Object.defineProperty(win, 'localStorage', { get: typeof local === 'function' ? local : () => local });
    return win as unknown as BrowserHost;
  }
  function mapStorage(): HostStorage & { map: Map<string, string>; failSet: boolean; failGet: boolean; failRemove: boolean } {
    const map = new Map<string, string>();
    const s = {
      map,
      failSet: false,
      failGet: false,
      failRemove: false,
      getItem: (k: string) => {
        if (s.failGet) throw new Error('SecurityError');
        return map.get(k) ?? null;
      },
      setItem: (k: string, v: string) => {
        if (s.failSet) {
          const e = new Error('QuotaExceededError');
          e.name = 'QuotaExceededError';
          throw e;
        }
        map.set(k, v);
      },
      removeItem: (k: string) => {
        if (s.failRemove) throw new Error('SecurityError');
        map.delete(k);
      },
    };
    return s;
  }

  test('quota exceeded after connect: SDK works', async () => {
    const local = mapStorage();
    nextAdapter = () => createBrowserAdapter(browserWin(local));
    const alice = await online('alice');
    nextAdapter = undefined;
    local.failSet = true;
    const bob = await online('bob');
    await basicWorks(alice, bob, 'bquota');
  });

  test('localStorage getItem/removeItem start throwing (storage disabled mid-session): SDK works', async () => {
    const local = mapStorage();
    nextAdapter = () => createBrowserAdapter(browserWin(local));
    const alice = await online('alice');
    nextAdapter = undefined;
    local.failGet = true;
    local.failSet = true;
    local.failRemove = true;
    const bob = await online('bob');
    await basicWorks(alice, bob, 'bthrow');
    // and a reconnect (reads storage again) works
    await alice.im.disconnect();
    await alice.connect();
    await send(bob, alice.userId, 'bthrow-2');
    await alice.next((m) => text(m) === 'bthrow-2');
  });

  test('browser KeyValueStorage honours its async contract: a throwing getItem/removeItem rejects, never throws synchronously', async () => {
    const local = mapStorage();
    const adapter = createBrowserAdapter(browserWin(local));
    local.failGet = true;
    local.failRemove = true;
    const outcomes: string[] = [];
    for (const run of [() => adapter.storage.get('k'), () => adapter.storage.remove('k')]) {
      try {
        outcomes.push(await run().then(() => 'resolved', () => 'rejected'));
      } catch {
        outcomes.push('sync throw');
      }
    }
    expect(outcomes).toEqual(['rejected', 'rejected']);
  });

  test('Safari private mode (setItem throws from the start): memory storage, SDK works', async () => {
    const local = mapStorage();
    local.failSet = true;
    nextAdapter = () => createBrowserAdapter(browserWin(local));
    const alice = await online('alice');
    nextAdapter = undefined;
    const bob = await online('bob');
    await basicWorks(alice, bob, 'bprivate');
  });

  test('localStorage.clear() while connected: unread kept, reload re-delivers nothing', async () => {
    const local = mapStorage();
    nextAdapter = () => createBrowserAdapter(browserWin(local));
    const alice = await online('alice');
    nextAdapter = undefined;
    const bob = await online('bob');
    await send(bob, alice.userId, 'l-1');
    await alice.next((m) => text(m) === 'l-1');
    await delay(400);
    local.map.clear();
    await send(bob, alice.userId, 'l-2');
    await alice.next((m) => text(m) === 'l-2');
    await settles(() => unread(alice, bob.userId), 2, 'unread after clear');
    await delay(400);
    await alice.im.disconnect();
    nextAdapter = () => createBrowserAdapter(browserWin(local));
    const again = await online('alice-reload', { userId: alice.userId, token: alice.token });
    nextAdapter = undefined;
    await send(bob, alice.userId, 'l-3');
    await again.next((m) => text(m) === 'l-3');
    await delay(500);
    expect(again.received.map((r) => text(r.message))).toEqual(['l-3']);
  });
});
