/**
 * Delivery of stored messages under load (issue #12, server/src/services/inbox-delivery.ts): a sender
 * hammers a receiver while the receiver keeps pulling; every message must arrive exactly once and in
 * sentTime order. A client that declares `directPush=1` (the bench thin client) gets most of them as direct
 * `s_msg` while it pulls every few ms; so does our SDK (it connects with `directPush=1` and holds pushes
 * while a pull round is in flight, src/client/services/sync.ts), which pulls mid-stream because its second
 * device's sends notify its sendbox, and reconnects twice.
 */
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import { createMemoryStorage } from '../../platforms/node/node-storage';
import { ConversationType, TextMessage } from '../../src/index';
import type { Message } from '../../src/index';
import { decodeFrame, decodeUtf8, encodeByName, encodeUtf8 } from '../../src/internal';
import type { KeyValueStorage } from '../../src/platform/platform-adapter';
import { InboxPuller, ThinClient, type PulledMessage } from '../../bench/lib/thin-client';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { call, delay, newUserId, ok, sdkUser, tokenFor, useSdkAdapter } from './sdk-api-support';
import type { SdkUser } from './sdk-api-support';

/** What one SDK device (keyed by its storage) saw on its sockets: connect URLs and s_msg pushes. */
interface SocketTap {
  readonly urls: string[];
  sMsg: number;
}
const taps = new Map<KeyValueStorage, SocketTap>();
useSdkAdapter(({ storage }) => {
  const adapter = createNodeAdapter(storage ? { storage } : {});
  if (!storage) return adapter;
  const tap: SocketTap = { urls: [], sMsg: 0 };
  taps.set(storage, tap);
  return {
    ...adapter,
    openSocket: (url, handlers, options) => {
      tap.urls.push(url);
      return adapter.openSocket(
        url,
        {
          ...handlers,
          onMessage: (data) => {
            const frame = decodeFrame(data, 'server');
            if (frame.kind === 'publish' && frame.topic === 's_msg') tap.sMsg += 1;
            handlers.onMessage(data);
          },
        },
        options,
      );
    },
  };
});

const APP: TestApp = { key: 'lxddapp', secret: 'lxddsecret', options: { multiDevice: true, maxSendRate: 1000 } };
const METRICS_TOKEN = 'direct-delivery-metrics';
const PRIVATE = ConversationType.PRIVATE;
const TOTAL = 240;
const WAVE = 8;
let server: RunningServer;
const users: SdkUser[] = [];

jest.setTimeout(120_000);

beforeAll(async () => {
  server = await startServer({ apps: [APP], env: { LIANXIN_METRICS_TOKEN: METRICS_TOKEN } });
});
afterAll(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
  await server?.stop();
});

async function online(name: string, options: Parameters<typeof sdkUser>[3] = {}): Promise<SdkUser> {
  const user = await sdkUser(server, APP, name, options);
  users.push(user);
  expect(await user.connect()).toBe(user.userId);
  return user;
}

function send(from: SdkUser, to: string, text: string): Promise<Message> {
  return ok(call<Message>((cb) => from.im.sendMessage(PRIVATE, to, new TextMessage({ content: text }), cb)), `send ${text}`);
}

async function framesOut(topic: string): Promise<number> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await response.text();
  const line = text.split('\n').find((l) => l.startsWith(`lianxin_frames_out_total{kind="publish",topic="${topic}"} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('a directPush client pulling every few ms while hammered: direct s_msg, every message exactly once, in order', async () => {
  const thin = async (name: string, direct: boolean): Promise<ThinClient> =>
    ThinClient.connect({ url: server.url, appKey: APP.key, token: await tokenFor(server, APP, newUserId(name)), ...(direct ? { lianxin: 'test' } : {}) });
  const sender = await thin('sender', false);
  const receiver = await thin('receiver', true);
  const got: PulledMessage[] = [];
  const puller = new InboxPuller(receiver, (messages) => got.push(...messages), true);
  puller.pull();
  await delay(200);
  const sMsgBefore = await framesOut('s_msg');
  const pulling = setInterval(() => puller.pull(), 3);
  const acks: number[] = [];
  try {
    for (let wave = 0; wave < TOTAL / WAVE; wave += 1) {
      const inFlight = Array.from({ length: WAVE }, (_, i) => {
        const payload = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: encodeUtf8(`{"content":"t${wave * WAVE + i}"}`), configFlag: 0 });
        return sender.publish('ppMsgP', receiver.userId, payload);
      });
      for (const ack of await Promise.all(inFlight)) acks.push(ack.status ?? -1);
    }
    for (let i = 0; i < 100 && got.length < TOTAL; i += 1) await delay(50);
  } finally {
    clearInterval(pulling);
  }
  expect(acks.every((status) => status === 0)).toBe(true);
  const texts = got.map((m) => (JSON.parse(decodeUtf8(m.content)) as { content: string }).content);
  expect(new Set(texts).size).toBe(TOTAL);
  expect(texts).toHaveLength(TOTAL);
  for (let i = 1; i < got.length; i += 1) expect((got[i] as PulledMessage).dataTime).toBeGreaterThan((got[i - 1] as PulledMessage).dataTime);
  expect(puller.pulls).toBeGreaterThan(20);
  expect((await framesOut('s_msg')) - sMsgBefore).toBeGreaterThan(TOTAL / 4);
  await Promise.all([sender.close(), receiver.close()]);
});

test('our SDK hammered while it pulls and reconnects: every message exactly once, in order', async () => {
  const alice = await online('alice');
  const storage = createMemoryStorage();
  const bob = await online('bob', { storage });
  const bobPhone = await online('bob', { userId: bob.userId, token: bob.token, storage: createMemoryStorage() });
  const sMsgBefore = await framesOut('s_msg');
  const sent: Message[] = [];
  for (let wave = 0; wave < TOTAL / WAVE; wave += 1) {
    const texts = Array.from({ length: WAVE }, (_, i) => `m${wave * WAVE + i}`);
    const inFlight = texts.map((text) => send(alice, bob.userId, text));
    // Bob's other device sends: bob's session gets an s_ntf for its sendbox and pulls during the stream.
    if (wave % 3 === 0) inFlight.push(send(bobPhone, alice.userId, `reply${wave}`));
    if (wave === 10 || wave === 20) {
      await bob.im.disconnect();
      await delay(50);
      expect(await bob.connect()).toBe(bob.userId);
    }
    for (const message of await Promise.all(inFlight)) if (message.senderUserId === alice.userId) sent.push(message);
  }
  expect(sent).toHaveLength(TOTAL);
  const last = sent.reduce((a, b) => (b.sentTime > a.sentTime ? b : a));
  await bob.next((m) => m.messageUId === last.messageUId, 30_000);
  await delay(500);

  const fromAlice = bob.received.map((r) => r.message).filter((m) => m.senderUserId === alice.userId && m.objectName === 'RC:TxtMsg');
  const uids = fromAlice.map((m) => m.messageUId);
  expect(new Set(uids).size).toBe(uids.length);
  expect(uids.length).toBe(TOTAL);
  const expected = [...sent].sort((a, b) => a.sentTime - b.sentTime).map((m) => m.messageUId);
  expect(uids).toEqual(expected);
  for (let i = 1; i < fromAlice.length; i += 1) {
    expect((fromAlice[i] as Message).sentTime).toBeGreaterThan((fromAlice[i - 1] as Message).sentTime);
  }
  // Our SDK declares directPush: most of the stream reached bob as direct s_msg, the rest through the
  // pulls around reconnects and sendbox notifications — and still exactly once, in order (above).
  const bobTap = taps.get(storage);
  expect(bobTap?.urls.length).toBe(3);
  expect(bobTap?.urls.every((url) => url.includes('&directPush=1'))).toBe(true);
  expect(bobTap?.sMsg).toBeGreaterThan(TOTAL / 2);
  expect((await framesOut('s_msg')) - sMsgBefore).toBeGreaterThan(TOTAL / 2);
});

test('our SDK across a reconnect with the same storage: each message once', async () => {
  const alice = await online('alice');
  const storage = createMemoryStorage();
  const bob = await online('bob', { storage });
  const first = await send(alice, bob.userId, 'direct');
  await bob.next((m) => m.messageUId === first.messageUId);
  await bob.im.disconnect();
  const offline = await send(alice, bob.userId, 'while offline');
  expect(await bob.connect()).toBe(bob.userId);
  await bob.next((m) => m.messageUId === offline.messageUId, 15_000);
  const after = await send(alice, bob.userId, 'after reconnect');
  await bob.next((m) => m.messageUId === after.messageUId);
  await delay(300);
  const got = bob.received.map((r) => r.message.messageUId);
  expect(got.filter((u) => u === first.messageUId)).toHaveLength(1);
  expect(got.filter((u) => u === offline.messageUId)).toHaveLength(1);
  expect(got.filter((u) => u === after.messageUId)).toHaveLength(1);
});
