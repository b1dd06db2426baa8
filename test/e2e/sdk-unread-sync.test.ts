/**
 * Unread counts that agree on every device (issue #7, beyond RongCloud): the server keeps each user's read
 * position per conversation (`lxReadPos`, docs/PROTOCOL-NOTES.md), moved by clearUnreadCount,
 * clearAllUnreadCount and SyncReadStatusMessage from any device; our SDK reconciles on connect and when told.
 * Devices are independent SDK instances with their own storage (a reload keeps it, a reinstall starts empty).
 */
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import { createMemoryStorage } from '../../platforms/node/node-storage';
import { ConversationType, createRongIMLib, SyncReadStatusMessage, TextMessage } from '../../src/index';
import type { IConversation, Message } from '../../src/index';
import type { KeyValueStorage } from '../../src/platform/platform-adapter';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, delay, ok, sdkUser } from './sdk-api-support';
import type { SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxunreadapp', secret: 'lxunreadsecret', options: { multiDevice: true, maxSendRate: 1000 } };
const PRIVATE = ConversationType.PRIVATE;
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

function device(user: SdkUser, name: string, storage: KeyValueStorage = createMemoryStorage()): Promise<SdkUser> {
  return online(name, { userId: user.userId, token: user.token, storage });
}

function send(from: SdkUser, to: string, text: string): Promise<Message> {
  return ok(call<Message>((cb) => from.im.sendMessage(PRIVATE, to, new TextMessage({ content: text }), cb)), `send ${text}`);
}

const unread = (u: SdkUser, targetId: string): Promise<number> => ok(call<number>((cb) => u.im.getUnreadCount(PRIVATE, targetId, cb)), 'getUnreadCount');
const total = (u: SdkUser): Promise<number> => ok(call<number>((cb) => u.im.getTotalUnreadCount(cb)), 'getTotalUnreadCount');

/** Polls until `read` gives `want` (sync and reconcile run in the background after a connect). */
async function settlesTo(read: () => Promise<number>, want: number, what: string): Promise<void> {
  let value = await read();
  for (let i = 0; i < 100 && value !== want; i += 1) {
    await delay(100);
    value = await read();
  }
  expect({ what, value }).toEqual({ what, value: want });
}

async function sendMany(from: SdkUser, to: string, n: number, prefix: string): Promise<Message[]> {
  const sent: Message[] = [];
  for (let i = 0; i < n; i += 1) sent.push(await send(from, to, `${prefix}${i}`));
  return sent;
}

describe('server-synced unread counts', () => {
  test('A receives 5, B clears: A counts 0 after reconnecting; a fresh device C shows the right counts', async () => {
    const storageA = createMemoryStorage();
    const peer = await online('peer');
    const a = await online('user', { storage: storageA });
    const b = await device(a, 'user-b');
    const five = await sendMany(peer, a.userId, 5, 'm');
    const last = five[4] as Message;
    await a.next((m) => m.messageUId === last.messageUId);
    await b.next((m) => m.messageUId === last.messageUId);
    expect(await unread(a, peer.userId)).toBe(5);
    expect(await total(a)).toBe(5);
    expect(await unread(b, peer.userId)).toBe(5);

    await a.im.disconnect();
    await ok(call((cb) => b.im.clearUnreadCount(PRIVATE, peer.userId, cb)), 'B clears');
    expect(await unread(b, peer.userId)).toBe(0);

    // A comes back with its storage (its local counts still say 5) and reconciles.
    const aAgain = await device(a, 'user-a-again', storageA);
    await settlesTo(() => unread(aAgain, peer.userId), 0, 'A after reconnect');
    await settlesTo(() => total(aAgain), 0, 'A total');

    // A fresh install pulls all five from the server and still counts none; new messages count everywhere.
    const c = await device(a, 'user-c');
    await settlesTo(async () => c.offlineFinished, 1, 'C synced');
    await settlesTo(() => unread(c, peer.userId), 0, 'C right after install');
    const two = await sendMany(peer, a.userId, 2, 'n');
    await c.next((m) => m.messageUId === two[1]?.messageUId);
    for (const d of [aAgain, b, c]) await settlesTo(() => unread(d, peer.userId), 2, 'two new ones');
    const list = await ok(call<IConversation[]>((cb) => c.im.getConversationList(cb, [PRIVATE])), 'C list');
    expect(list.find((x) => x.targetId === peer.userId)?.unreadMessageCount).toBe(2);
  });

  test('a clear while the others are online reaches them at once; clearAllUnreadCount clears every conversation everywhere', async () => {
    const p1 = await online('p1');
    const p2 = await online('p2');
    const a = await online('user');
    const b = await device(a, 'user-b');
    const x = await send(p1, a.userId, 'x');
    const y = await send(p2, a.userId, 'y');
    for (const d of [a, b]) {
      await d.next((m) => m.messageUId === x.messageUId);
      await d.next((m) => m.messageUId === y.messageUId);
    }
    expect(await total(a)).toBe(2);
    await ok(call((cb) => a.im.clearUnreadCount(PRIVATE, p1.userId, cb)), 'clear p1');
    await settlesTo(() => unread(b, p1.userId), 0, 'B p1 while online');
    expect(await unread(b, p2.userId)).toBe(1);

    await send(p1, a.userId, 'x2');
    await settlesTo(() => total(b), 2, 'B total with x2');
    await ok(call((cb) => b.im.clearAllUnreadCount(cb)), 'clearAll on B');
    expect(await total(b)).toBe(0);
    await settlesTo(() => total(a), 0, 'A total after clearAll elsewhere');
    const fresh = await device(a, 'user-fresh');
    await settlesTo(async () => fresh.offlineFinished, 1, 'fresh synced');
    await settlesTo(() => total(fresh), 0, 'fresh total');
    // Later messages count again.
    const z = await send(p2, a.userId, 'z');
    await fresh.next((m) => m.messageUId === z.messageUId);
    await settlesTo(() => total(fresh), 1, 'fresh after z');
    await settlesTo(() => total(a), 1, 'A after z');
  });

  test('a SyncReadStatusMessage moves the server position too: a fresh install counts only what is after it', async () => {
    const peer = await online('peer');
    const a = await online('user');
    const sent = await sendMany(peer, a.userId, 3, 's');
    await a.next((m) => m.messageUId === sent[2]?.messageUId);
    // Read up to the second message, announced the RongCloud way (no clearUnreadCount on this device).
    await ok(call((cb) => a.im.sendMessage(PRIVATE, peer.userId, new SyncReadStatusMessage({ lastMessageSendTime: (sent[1] as Message).sentTime }), cb)), 'srs');
    const fresh = await device(a, 'user-fresh');
    await settlesTo(async () => fresh.offlineFinished, 1, 'fresh synced');
    await settlesTo(() => unread(fresh, peer.userId), 1, 'fresh: only the third is unread');
    await delay(200);
    expect(await unread(fresh, peer.userId)).toBe(1);
  });

  test('a clear made while the server is unreachable is kept and sent on the next connect', async () => {
    const storageB = createMemoryStorage();
    const peer = await online('peer');
    const a = await online('user');
    const b = await device(a, 'user-b', storageB);
    const m = await send(peer, a.userId, 'offline clear');
    await b.next((x) => x.messageUId === m.messageUId);
    await a.next((x) => x.messageUId === m.messageUId);
    await b.im.disconnect();
    await ok(call((cb) => b.im.clearUnreadCount(PRIVATE, peer.userId, cb)), 'clear while disconnected');
    expect(await unread(b, peer.userId)).toBe(0);
    await delay(300);
    expect(await unread(a, peer.userId)).toBe(1);
    await device(a, 'user-b-again', storageB);
    await settlesTo(() => unread(a, peer.userId), 0, 'A once B reconnected');
  });

  test("an offline clear is sent read up to what that device had counted, not its clock's estimate of the server time", async () => {
    const peer = await online('peer');
    const a = await online('user');
    // Device B's clock jumps 2 minutes ahead after it connected (its server-time estimate is then 2 min off).
    let skew = 0;
    const clock = { now: () => Date.now() + skew, setTimeout: (f: () => void, ms: number) => setTimeout(f, ms), clearTimeout: (id: unknown) => clearTimeout(id as NodeJS.Timeout) };
    const { RongIMClient } = createRongIMLib(createNodeAdapter({ storage: createMemoryStorage(), clock }));
    RongIMClient.init(APP.key, null, { navi: server.url });
    const b = RongIMClient.getInstance();
    const connectB = (): Promise<string> =>
      new Promise<string>((resolve, reject) => {
        void RongIMClient.connect(a.token, { onSuccess: resolve, onTokenIncorrect: () => reject(new Error('token')), onError: (code) => reject(new Error(String(code))) });
      });
    const countB = (): Promise<number> => ok(call<number>((cb) => b.getUnreadCount(PRIVATE, peer.userId, cb)), 'B count');
    try {
      await connectB();
      const seen = await send(peer, a.userId, 'seen on B');
      await a.next((x) => x.messageUId === seen.messageUId);
      await settlesTo(countB, 1, 'B counted the first');
      await b.disconnect();
      skew = 120_000;
      await ok(call((cb) => b.clearUnreadCount(PRIVATE, peer.userId, cb)), 'B clears offline');
      const unseen = await send(peer, a.userId, 'after the clear, never seen by B');
      await a.next((x) => x.messageUId === unseen.messageUId);
      expect(await unread(a, peer.userId)).toBe(2);
      await connectB();
      // B's clear reaches the server: A's first is read, the later one is not.
      await settlesTo(() => unread(a, peer.userId), 1, 'A after B sent its clear');
      await delay(300);
      expect(await unread(a, peer.userId)).toBe(1);
      await settlesTo(countB, 1, 'B counts the one it had not seen');
    } finally {
      await b.disconnect();
    }
  });

  test('a read-status sync "up to" a time ahead of the server (a 5.x device clock) does not make later messages read', async () => {
    const peer = await online('peer');
    const a = await online('user');
    const b = await device(a, 'user-b');
    const first = await send(peer, a.userId, 'read on A');
    await b.next((x) => x.messageUId === first.messageUId);
    await ok(call((cb) => a.im.sendMessage(PRIVATE, peer.userId, new SyncReadStatusMessage({ lastMessageSendTime: Date.now() + 3_600_000 }), cb)), 'SRS ahead');
    await b.next((x) => x.objectName === 'RC:SRSMsg');
    await settlesTo(() => unread(b, peer.userId), 0, 'B cleared by the sync');
    const later = await send(peer, a.userId, 'sent after the sync');
    await b.next((x) => x.messageUId === later.messageUId);
    await delay(300);
    expect(await unread(b, peer.userId)).toBe(1);
    // A fresh install agrees (the server's position is capped at what was stored).
    const c = await device(a, 'user-c');
    await settlesTo(async () => c.offlineFinished, 1, 'C synced');
    await settlesTo(() => unread(c, peer.userId), 1, 'C counts the later one');
  });

  test('over the comet transport too: a comet device clears, a WebSocket device follows', async () => {
    const peer = await online('peer');
    const a = await online('user');
    const m = await send(peer, a.userId, 'comet');
    await a.next((x) => x.messageUId === m.messageUId);
    const { RongIMClient } = createRongIMLib(createNodeAdapter({ storage: createMemoryStorage() }));
    RongIMClient.init(APP.key, null, { navi: server.url, connectionType: 'comet' });
    const comet = RongIMClient.getInstance();
    try {
      await new Promise<string>((resolve, reject) => {
        void RongIMClient.connect(a.token, { onSuccess: resolve, onTokenIncorrect: () => reject(new Error('token')), onError: (code) => reject(new Error(String(code))) });
      });
      await settlesTo(() => ok(call<number>((cb) => comet.getUnreadCount(PRIVATE, peer.userId, cb)), 'comet count'), 1, 'comet device counted it');
      await ok(call((cb) => comet.clearUnreadCount(PRIVATE, peer.userId, cb)), 'comet clear');
      await settlesTo(() => unread(a, peer.userId), 0, 'websocket device');
    } finally {
      await comet.disconnect();
    }
  });
});
