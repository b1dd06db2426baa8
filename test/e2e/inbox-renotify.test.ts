/**
 * Inbox re-notify (issue #13, server/src/gateway/inbox-renotify.ts): a session that was sent `s_ntf` and has
 * not pulled up to its time within the re-notify delay gets the `s_ntf` again — at most MAX_RENOTIFY (3)
 * times until its next pull answer — and a session that pulls when notified never gets an extra one.
 * The server runs with a 500 ms delay (LIANXIN_RENOTIFY_MS; the default is 35 s) so this takes seconds.
 */
import { decodeByName, encodeByName, type Frame, type PublishFrame } from '../../src/internal';
import { connectRaw, type RawClient } from '../support/raw-client';
import { startServer, type RunningServer, type TestApp } from '../support/server-launcher';
import { delay, newUserId, tokenFor } from './sdk-api-support';

jest.setTimeout(60_000);

const APP: TestApp = { key: 'lxrenotify', secret: 'lxrenotifysecret', options: { maxSendRate: 1000 } };
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

async function online(name: string): Promise<{ client: RawClient; userId: string }> {
  const userId = newUserId(name);
  const client = await connectRaw({ url: server.url, appKey: APP.key, token: await tokenFor(server, APP, userId) });
  raws.push(client);
  expect(client.connack.status).toBe(0);
  return { client, userId };
}

const isInboxNotify = (f: Frame): f is PublishFrame => f.kind === 'publish' && f.topic === 's_ntf';

function notifyTime(frame: PublishFrame): number {
  const msg = decodeByName('NotifyMsg', frame.payload) as { type: number; time: number | { toNumber(): number } };
  expect(msg.type).toBe(1);
  return typeof msg.time === 'number' ? msg.time : msg.time.toNumber();
}

/** Every inbox s_ntf the client has received so far (claimed or not). */
function notifications(client: RawClient): PublishFrame[] {
  return client.frames.filter(isInboxNotify);
}

async function sendText(from: RawClient, to: string, text: string): Promise<void> {
  const content = new Uint8Array(Buffer.from(JSON.stringify({ content: text })));
  const ack = await from.publish('ppMsgP', to, encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content, configFlag: 0 }));
  expect(ack.status).toBe(0);
}

async function pull(client: RawClient, syncTime: number): Promise<{ syncTime: number; count: number }> {
  const answer = await client.query('pullMsg', '', encodeByName('SyncRequestMsg', { syncTime, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
  expect(answer.status).toBe(0);
  const page = decodeByName('DownStreamMessages', answer.payload) as { list: unknown[]; syncTime: number | { toNumber(): number } };
  return { syncTime: typeof page.syncTime === 'number' ? page.syncTime : page.syncTime.toNumber(), count: page.list.length };
}

/** Resolves once the client holds `count` inbox notifications (bounded by `timeoutMs`). */
async function untilNotifications(client: RawClient, count: number, timeoutMs: number): Promise<PublishFrame[]> {
  const until = Date.now() + timeoutMs;
  while (notifications(client).length < count && Date.now() < until) await delay(20);
  return notifications(client);
}

test('an ignored s_ntf is sent again after the delay, at most 3 times until the next pull', async () => {
  const alice = await online('alice');
  const bob = await online('bob');
  await sendText(alice.client, bob.userId, 'one');
  const [first] = await untilNotifications(bob.client, 1, 5_000);
  expect(first).toBeDefined();
  const firstAt = Date.now();
  const time = notifyTime(first as PublishFrame);

  // Bob ignores it: the same notification comes back after the delay, then twice more, then no more.
  const again = await untilNotifications(bob.client, 2, 5_000);
  expect(again).toHaveLength(2);
  expect(Date.now() - firstAt).toBeGreaterThanOrEqual(RENOTIFY_MS / 2);
  expect(notifyTime(again[1] as PublishFrame)).toBe(time);
  const all = await untilNotifications(bob.client, 4, 10_000);
  expect(all.map(notifyTime)).toEqual([time, time, time, time]);
  await delay(RENOTIFY_MS * 4);
  expect(notifications(bob.client)).toHaveLength(4);

  // The pull answer covers it; from then on Bob pulls whenever notified and gets nothing extra.
  const page = await pull(bob.client, 0);
  expect(page.count).toBe(1);
  expect(page.syncTime).toBeGreaterThanOrEqual(time);
  let cursor = page.syncTime;
  for (const text of ['two', 'three']) {
    const before = notifications(bob.client).length;
    await sendText(alice.client, bob.userId, text);
    await untilNotifications(bob.client, before + 1, 5_000);
    const next = await pull(bob.client, cursor);
    expect(next.count).toBe(1);
    cursor = next.syncTime;
  }
  // (On a very slow machine a pull may take longer than the delay and draw one repeat before its answer;
  // after the answer there is nothing left to repeat.)
  const settled = notifications(bob.client).length;
  await delay(RENOTIFY_MS * 3);
  expect(notifications(bob.client)).toHaveLength(settled);

  // After that pull the session is watched again: a new ignored notification is repeated once more.
  await sendText(alice.client, bob.userId, 'four');
  const renewed = await untilNotifications(bob.client, settled + 2, 5_000);
  expect(renewed).toHaveLength(settled + 2);
  expect(notifyTime(renewed[settled + 1] as PublishFrame)).toBe(notifyTime(renewed[settled] as PublishFrame));
});

test('a notification the session has already pulled past is not repeated', async () => {
  const alice = await online('carol');
  const bob = await online('dave');
  // The pull is sent right behind the send: its answer covers the message whether the s_ntf comes before or after it.
  await sendText(alice.client, bob.userId, 'raced');
  const page = await pull(bob.client, 0);
  expect(page.count).toBe(1);
  const seen = await untilNotifications(bob.client, 1, 5_000);
  for (const frame of seen) expect(notifyTime(frame)).toBeLessThanOrEqual(page.syncTime);
  await delay(RENOTIFY_MS * 3);
  expect(notifications(bob.client)).toHaveLength(seen.length);
});
