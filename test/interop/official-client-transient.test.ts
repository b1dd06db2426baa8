/**
 * Interop: messages that are not stored, beside stored ones, reaching the official client 2.9.2 (engine 4.4.2).
 * Engine 4.4.2 reads a pushed `s_msg`'s time as its inbox cursor and queues a multi-device echo's time while it
 * pulls (PROTOCOL.md §5.4, §5.5, §8.3); the server holds such messages while the client pulls, answers a pull whose
 * cursor an `s_msg` moved from where the session's pulls reached, and makes every finished answer reach the echo
 * times it wrote (server/src/gateway/transient-hold.ts). Without that the client lost stored messages
 * published beside not-stored ones, dropped the not-stored ones that arrived during a pull, and pulled in a tight
 * loop after an echo that arrived during a pull.
 */
import { serverApi } from '../support/server-api-client';
import { delay, MULTI_DEVICE_APP, useInteropServer } from '../support/official-client/interop-fixture';
import { DEFAULT_TEST_APP } from '../support/server-launcher';

const fx = useInteropServer([DEFAULT_TEST_APP, MULTI_DEVICE_APP]);
const ROUNDS = 30;

test('stored and not-stored messages published side by side all arrive, each once', async () => {
  const alice = await fx.online('alice');
  await alice.client.settle(300);
  const bob = fx.newUserId('bob');
  const api = serverApi(fx.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
  const startedAt = Date.now();
  for (let i = 0; i < ROUNDS; i++) {
    await Promise.all([
      api.post('/message/private/publish.json', { fromUserId: bob, toUserId: alice.userId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `stored ${i}` }) }),
      delay(i % 4).then(() => api.post('/message/private/publish.json', { fromUserId: bob, toUserId: alice.userId, objectName: 'App:Live', content: JSON.stringify({ n: i }), isPersisted: 0 })),
    ]);
    await delay(30);
  }
  const expected = Array.from({ length: ROUNDS }, (_, i) => `stored ${i}`);
  const stored = (): string[] => alice.client.messages.filter((m) => m.objectName === 'RC:TxtMsg').map((m) => (m.content as { content: string }).content);
  for (let waited = 0; waited < 10_000 && stored().length < ROUNDS; waited += 100) await delay(100);
  await alice.client.settle(300);
  expect([...stored()].sort()).toEqual([...expected].sort());
  const live = alice.client.messages.filter((m) => m.objectName === 'App:Live').map((m) => (m.content as { n?: number }).n ?? (m.content as { message?: { content?: { n?: number } } }).message?.content?.n);
  expect([...live].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: ROUNDS }, (_, i) => i));
  // They keep their own time (2.9.2 counts a read receipt response only if it is from today, for one).
  expect(alice.client.messages.filter((m) => m.objectName === 'App:Live' && m.sentTime < startedAt - 1000)).toEqual([]);
});

test('echoes of not-stored messages next to stored ones: shown on the other device, no pull loop', async () => {
  const laptop = await fx.online('alice', { trace: true }, MULTI_DEVICE_APP);
  await laptop.client.waitForLog(/pullMsg success/, 10_000);
  const bob = fx.newUserId('bob');
  const api = serverApi(fx.server.url, MULTI_DEVICE_APP.key, MULTI_DEVICE_APP.secret);
  const pulls = (): number => (laptop.client.logs().match(/pullMsg success/g) ?? []).length;
  const before = pulls();
  const startedAt = Date.now();
  for (let i = 0; i < ROUNDS; i++) {
    await Promise.all([
      api.post('/message/private/publish.json', { fromUserId: bob, toUserId: laptop.userId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `stored ${i}` }) }),
      delay(i % 5).then(() => api.post('/statusmessage/private/publish.json', { fromUserId: laptop.userId, toUserId: bob, objectName: 'App:Live', content: JSON.stringify({ n: i }), isIncludeSender: 1 })),
    ]);
    await delay(50);
  }
  await delay(1000);
  const afterRounds = pulls();
  await delay(1000);
  // One pull per stored message (give or take a notification's extra round), none while nothing happens.
  expect(afterRounds - before).toBeLessThanOrEqual(2 * ROUNDS);
  expect(pulls()).toBe(afterRounds);
  expect(laptop.client.messages.filter((m) => m.objectName === 'RC:TxtMsg')).toHaveLength(ROUNDS);
  const echoes = laptop.client.messages.filter((m) => m.objectName === 'App:Live' && m.senderUserId === laptop.userId);
  expect(echoes).toHaveLength(ROUNDS);
  // With their own time (2.9.2 registers an echoed read receipt request only if it is from today).
  expect(echoes.filter((m) => m.sentTime < startedAt - 1000)).toEqual([]);
});

test('not-stored messages published while the client pulls a backlog of several pages all arrive, the backlog once', async () => {
  const BACKLOG = 650; // four pages of SYNC_PAGE_SIZE (200): three truncated answers the client pulls on after
  const LIVE = 40;
  const carolId = fx.newUserId('carol');
  const bob = fx.newUserId('bob');
  const api = serverApi(fx.server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
  for (let i = 0; i < BACKLOG; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, k) =>
        api.post('/message/private/publish.json', { fromUserId: bob, toUserId: carolId, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: `backlog ${i + k}` }) }),
      ),
    );
  }
  const carol = await fx.online('carol', {}, DEFAULT_TEST_APP, carolId);
  // Published while the client pulls its backlog page by page (the client is connected: every one must arrive).
  for (let n = 0; n < LIVE; n++) {
    await api.post('/message/private/publish.json', { fromUserId: bob, toUserId: carolId, objectName: 'App:Live', content: JSON.stringify({ n }), isPersisted: 0 });
    await delay(5);
  }
  const stored = (): string[] => carol.client.messages.filter((m) => m.objectName === 'RC:TxtMsg').map((m) => (m.content as { content: string }).content);
  for (let waited = 0; waited < 20_000 && stored().length < BACKLOG; waited += 100) await delay(100);
  await carol.client.settle(500);
  expect(stored()).toHaveLength(BACKLOG);
  expect(new Set(stored()).size).toBe(BACKLOG);
  const live = carol.client.messages
    .filter((m) => m.objectName === 'App:Live')
    .map((m) => (m.content as { n?: number }).n ?? (m.content as { message?: { content?: { n?: number } } }).message?.content?.n);
  expect([...live].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: LIVE }, (_, i) => i));
});
