/**
 * A clean-history with time 0 ("everything stored") hides up to the app's clock — the newest stored
 * sentTime — not up to the cleaning node's wall clock. In a cluster a node whose clock runs ahead would
 * otherwise hide messages that another node (clock behind) stores after the clean; on one node, a message
 * stored in the same millisecond right after it. Real SQLite store, a clock the test sets per "node".
 */
import { createAppConfig } from '../../../src/config';
import { cleanHistory } from '../../../src/services/conversations';
import { APP, T0, privateMessage } from '../../../src/store/contract/contract-support';
import type { Store } from '../../../src/store/store';
import { contextWith, memoryStore } from './cache-test-support';

let store: Store;
beforeEach(async () => {
  store = await memoryStore();
});
afterEach(async () => {
  await store.close();
});

const visibleTo = async (owner: string, peer: string): Promise<string[]> =>
  (await store.messages.history({ appKey: APP, owner, conversation: { type: 1, targetId: peer }, time: 0, count: 20, order: 0 })).messages.map((e) => e.message.uid);

test('a clean made on a node whose clock is ahead does not hide what a node behind stores after it', async () => {
  const clock = { t: T0 };
  const ctx = contextWith([createAppConfig(APP, 's')], store, clock);
  const before = await store.messages.append(privateMessage('a', 'b', { now: T0 }));
  clock.t = T0 + 100; // the cleaning node's clock
  await cleanHistory(ctx, APP, 'b', { type: 1, targetId: 'a' }, 0);
  const after = await store.messages.append(privateMessage('a', 'b', { now: T0 + 50 })); // stored by a node 100 ms behind
  expect(after.sentTime).toBe(T0 + 50);
  expect(await visibleTo('b', 'a')).toEqual([after.uid]);
  expect(await visibleTo('a', 'b')).toEqual([after.uid, before.uid]);
});

test('a given time past the newest stored message (a client clock ahead) hides nothing stored later', async () => {
  const clock = { t: T0 };
  const ctx = contextWith([createAppConfig(APP, 's')], store, clock);
  const before = await store.messages.append(privateMessage('a', 'b', { now: T0 }));
  await cleanHistory(ctx, APP, 'b', { type: 1, targetId: 'a' }, T0 + 60_000);
  const after = await store.messages.append(privateMessage('a', 'b', { now: T0 + 10 }));
  expect(await visibleTo('b', 'a')).toEqual([after.uid]);
  expect(await visibleTo('a', 'b')).toEqual([after.uid, before.uid]);
});

test('time 0 hides everything stored, also messages timed ahead of the wall clock (a burst runs the app clock ahead)', async () => {
  const clock = { t: T0 };
  const ctx = contextWith([createAppConfig(APP, 's')], store, clock);
  for (let i = 0; i < 3; i++) await store.messages.append(privateMessage('a', 'b', { now: T0 + 500 }));
  await cleanHistory(ctx, APP, 'b', { type: 1, targetId: 'a' }, 0);
  expect(await visibleTo('b', 'a')).toEqual([]);
});

test('a clean with nothing stored in the app is a no-op; a given time is used as is', async () => {
  const clock = { t: T0 };
  const ctx = contextWith([createAppConfig(APP, 's')], store, clock);
  await cleanHistory(ctx, APP, 'b', { type: 1, targetId: 'a' }, 0);
  const first = await store.messages.append(privateMessage('a', 'b', { now: T0 + 10 }));
  const second = await store.messages.append(privateMessage('a', 'b', { now: T0 + 20 }));
  expect(await visibleTo('b', 'a')).toEqual([second.uid, first.uid]);
  await cleanHistory(ctx, APP, 'b', { type: 1, targetId: 'a' }, first.sentTime);
  expect(await visibleTo('b', 'a')).toEqual([second.uid]);
});
