/**
 * Chatroom re-notify (issue #13, server/src/services/chatrooms/room-renotify.ts): an online member that was
 * sent a room `s_ntf{type:2}` and has not pulled up to its time within the re-notify delay gets it again —
 * at most MAX_RENOTIFY (3) times until its next chrmPull answer — while a member that pulls when notified
 * never gets an extra one. This is what lets engine 4.4.2, stuck on a chrmPull sent on a dropped
 * connection, get the message of a room that has gone quiet. The server runs with a 500 ms delay
 * (LIANXIN_RENOTIFY_MS; the default is 35 s) so this takes seconds.
 */
import { decodeByName, type Frame, type PublishFrame } from '../../src/internal';
import { joinOk, pull, send } from '../../server/test/e2e/chatroom-support';
import { connectRaw, type RawClient } from '../support/raw-client';
import { startServer, type RunningServer, type TestApp } from '../support/server-launcher';
import { delay, newUserId, tokenFor } from './sdk-api-support';

jest.setTimeout(60_000);

const APP: TestApp = { key: 'lxroomrenotify', secret: 'lxroomrenotifysecret', options: { maxSendRate: 1000 } };
const RENOTIFY_MS = 500;
let server: RunningServer;
const raws: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP], env: { LIANXIN_RENOTIFY_MS: String(RENOTIFY_MS) } });
});
afterAll(async () => {
  await Promise.allSettled(raws.map((r) => r.close()));
  await server?.stop();
});

async function online(name: string): Promise<RawClient> {
  const client = await connectRaw({ url: server.url, appKey: APP.key, token: await tokenFor(server, APP, newUserId(name)) });
  raws.push(client);
  expect(client.connack.status).toBe(0);
  return client;
}

interface RoomNotify {
  readonly type: number;
  readonly time: number;
  readonly chrmId: string;
}

function decodeNotify(frame: PublishFrame): RoomNotify {
  const msg = decodeByName('NotifyMsg', frame.payload) as { type: number; time: number | { toNumber(): number }; chrmId?: string | null };
  return { type: msg.type, time: typeof msg.time === 'number' ? msg.time : msg.time.toNumber(), chrmId: msg.chrmId ?? '' };
}

/** Every room s_ntf for `roomId` the client has received so far (claimed or not). */
function notifications(client: RawClient, roomId: string): RoomNotify[] {
  return client.frames
    .filter((f: Frame): f is PublishFrame => f.kind === 'publish' && f.topic === 's_ntf')
    .map(decodeNotify)
    .filter((n) => n.type === 2 && n.chrmId === roomId);
}

/** Resolves once the client holds `count` room notifications (bounded by `timeoutMs`). */
async function untilNotifications(client: RawClient, roomId: string, count: number, timeoutMs: number): Promise<RoomNotify[]> {
  const until = Date.now() + timeoutMs;
  while (notifications(client, roomId).length < count && Date.now() < until) await delay(20);
  return notifications(client, roomId);
}

async function sendOk(client: RawClient, roomId: string, text: string): Promise<void> {
  const ack = await send(client, roomId, 'RC:TxtMsg', { content: text });
  expect(ack.status).toBe(0);
}

/** Joins and pulls the join history, as the clients do; returns the cursor. */
async function enter(client: RawClient, roomId: string): Promise<number> {
  await joinOk(client, roomId);
  const page = await pull(client, roomId, 0, 10);
  expect(page.status).toBe(0);
  return page.syncTime;
}

test('an ignored room s_ntf is sent again after the delay, at most 3 times until the next chrmPull answer', async () => {
  const roomId = `renotify${Date.now().toString(36)}`;
  const alice = await online('alice');
  const bob = await online('bob');
  await enter(alice, roomId);
  const joined = await enter(bob, roomId);

  await sendOk(alice, roomId, 'one');
  const [first] = await untilNotifications(bob, roomId, 1, 5_000);
  expect(first).toBeDefined();
  const firstAt = Date.now();
  const { time } = first as RoomNotify;

  // Bob ignores it (a stuck chrmPull): the same notification comes back after the delay, twice more, then no more.
  const again = await untilNotifications(bob, roomId, 2, 5_000);
  expect(again).toHaveLength(2);
  expect(Date.now() - firstAt).toBeGreaterThanOrEqual(RENOTIFY_MS / 2);
  const all = await untilNotifications(bob, roomId, 4, 10_000);
  expect(all.map((n) => n.time)).toEqual([time, time, time, time]);
  await delay(RENOTIFY_MS * 4);
  expect(notifications(bob, roomId)).toHaveLength(4);

  // The pull answer covers it; from then on Bob pulls whenever notified and gets nothing extra.
  const page = await pull(bob, roomId, joined, 50);
  expect(page.list).toHaveLength(1);
  expect(page.syncTime).toBeGreaterThanOrEqual(time);
  let cursor = page.syncTime;
  for (const text of ['two', 'three']) {
    const before = notifications(bob, roomId).length;
    await sendOk(alice, roomId, text);
    await untilNotifications(bob, roomId, before + 1, 5_000);
    const next = await pull(bob, roomId, cursor, 50);
    expect(next.list).toHaveLength(1);
    cursor = next.syncTime;
  }
  // (On a very slow machine a pull may take longer than the delay and draw one repeat before its answer;
  // after the answer there is nothing left to repeat.)
  const settled = notifications(bob, roomId).length;
  await delay(RENOTIFY_MS * 3);
  expect(notifications(bob, roomId)).toHaveLength(settled);

  // After that pull the member is watched again: a new ignored notification is repeated once more.
  await sendOk(alice, roomId, 'four');
  const renewed = await untilNotifications(bob, roomId, settled + 2, 5_000);
  expect(renewed).toHaveLength(settled + 2);
  expect((renewed[settled + 1] as RoomNotify).time).toBe((renewed[settled] as RoomNotify).time);
});

test('a member that pulls when notified never gets a repeat, and neither does the sender', async () => {
  const roomId = `renotifyok${Date.now().toString(36)}`;
  const alice = await online('carol');
  const bob = await online('dave');
  await enter(alice, roomId);
  let cursor = await enter(bob, roomId);
  for (let i = 0; i < 4; i++) {
    const before = notifications(bob, roomId).length;
    await sendOk(alice, roomId, `m${i}`);
    await untilNotifications(bob, roomId, before + 1, 5_000);
    const page = await pull(bob, roomId, cursor, 50);
    expect(page.list.length).toBeGreaterThanOrEqual(1);
    cursor = page.syncTime;
  }
  const settled = notifications(bob, roomId).length;
  await delay(RENOTIFY_MS * 3);
  expect(notifications(bob, roomId)).toHaveLength(settled);
  // Alice only sent: she was never notified of her own messages, so there is nothing to repeat.
  expect(notifications(alice, roomId)).toHaveLength(0);
});
