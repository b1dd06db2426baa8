/**
 * Shared `chrmPull` pages behind a truncated window (room-page-cache.ts): members more than a page behind
 * all get the same first page from the same cursor — unchanged by messages appended after it was read —
 * continue from its last message to the rest, and the sender of messages in the window gets them left out
 * without skipping anyone else's (PROTOCOL.md §8.7, U20).
 */
import type { RawClient } from '../../../test/support/raw-client';
import { serverApi } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { connectUser, joinOk, pull, send, text, uniqueId, type ChatroomTestEnv } from './chatroom-support';

const APP: TestApp = { key: 'lxchrmpages', secret: 'lxchrmsecret', options: { maxSendRate: 1000, chrmQuotaHigh: 100000 } };

let server: RunningServer;
let env: ChatroomTestEnv;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
  env = { url: server.url, appKey: APP.key, api: serverApi(server.url, APP.key, APP.secret), clients };
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.stop();
});

const contents = (page: { list: readonly { content: Uint8Array }[] }): string[] => page.list.map((m) => JSON.parse(text(m.content)).content as string);

it('a truncated page is shared by cursor, survives later appends, and continues to every message', async () => {
  const room = uniqueId('r');
  const [ca, cb, cc, cd] = await Promise.all(['a', 'b', 'c', 'd'].map((p) => connectUser(env, uniqueId(p))));
  const cursor = await joinOk(ca as RawClient, room);
  for (const client of [cb, cc, cd] as RawClient[]) await joinOk(client, room);
  // d sends some of the first page's messages, a all the others.
  for (let i = 0; i < 130; i++) await send(i % 10 === 3 ? (cd as RawClient) : (ca as RawClient), room, 'RC:TxtMsg', { content: `n${i}` });
  const expected = Array.from({ length: 130 }, (_, i) => `n${i}`);

  const first = await pull(cb as RawClient, room, cursor, 10);
  expect(first.finished).toBe(false);
  expect(contents(first)).toEqual(expected.slice(0, 100));
  expect(first.syncTime).toBe(Number(first.list[99]?.dataTime));

  await send(ca as RawClient, room, 'RC:TxtMsg', { content: 'late' });
  // Same cursor after an append: the same window, the same continuation point.
  const again = await pull(cc as RawClient, room, cursor, 10);
  expect(again.finished).toBe(false);
  expect(again.syncTime).toBe(first.syncTime);
  expect(again.list.map((m) => m.msgId)).toEqual(first.list.map((m) => m.msgId));

  // The sender of some of the window's messages gets the others, and continues from the same point.
  const own = await pull(cd as RawClient, room, cursor, 10);
  expect(own.finished).toBe(false);
  expect(own.syncTime).toBe(first.syncTime);
  expect(contents(own)).toEqual(expected.slice(0, 100).filter((_, i) => i % 10 !== 3));

  for (const client of [cb, cc] as RawClient[]) {
    const rest = await pull(client, room, first.syncTime, 10);
    expect(rest.finished).toBeUndefined();
    expect(contents(rest)).toEqual([...expected.slice(100), 'late']);
  }
  const ownRest = await pull(cd as RawClient, room, own.syncTime, 10);
  expect(contents(ownRest)).toEqual([...expected.slice(100).filter((_, i) => (i + 100) % 10 !== 3), 'late']);
});
