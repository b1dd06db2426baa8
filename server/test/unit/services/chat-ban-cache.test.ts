/**
 * The per-node cache of `user/chat/fb` send bans (chat-bans.ts), on a real SQLite store and the in-process broker:
 * cached answers, invalidation on the changing node and on another node sharing the broker, the TTL bound when no
 * wake-up arrives, a list longer than it caches answered by the store, and the filter's statuses (20106 / 22408).
 */
import { MemoryBroker } from '../../../src/broker/memory-broker';
import { createAppConfig } from '../../../src/config';
import { ChatBanCache, chatBansChanged, chatBansFilter, MAX_CACHED_BANS, TTL_MS } from '../../../src/services/chat-bans';
import type { CandidateMessage } from '../../../src/services/message-filter-chain';
import { contextWith, memoryStore, settle } from './cache-test-support';

const APP = 'k';

function candidate(fromUserId: string, conversationType: number, targetId = 't'): CandidateMessage {
  return { appKey: APP, fromUserId, conversationType, targetId, objectName: 'RC:TxtMsg', content: new Uint8Array(0), directedTo: [], status: false, platform: 'web', sessionId: 's1' };
}

describe('ChatBanCache', () => {
  it('answers from the cache after one load and sees a change made through `changed` at once', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const cache = new ChatBanCache(contextWith([createAppConfig(APP, 's')], store, clock), new MemoryBroker());
    expect(cache.cached(APP, 'PERSON', 'a')).toBeUndefined();
    expect(await cache.isBanned(APP, 'PERSON', 'a')).toBe(false);
    expect(cache.cached(APP, 'PERSON', 'a')).toBe(false);

    await store.chatBans.set(APP, 'PERSON', ['a'], true, clock.t);
    // Written behind the cache's back: not seen until the TTL or an invalidation.
    expect(cache.cached(APP, 'PERSON', 'a')).toBe(false);
    await cache.changed(APP);
    expect(cache.cached(APP, 'PERSON', 'a')).toBeUndefined();
    expect(await cache.isBanned(APP, 'PERSON', 'a')).toBe(true);
    expect(cache.cached(APP, 'PERSON', 'a')).toBe(true);
    expect(await cache.isBanned(APP, 'GROUP', 'a')).toBe(false);
    await store.close();
  });

  it('bounds staleness by the TTL when no invalidation arrives', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const cache = new ChatBanCache(contextWith([createAppConfig(APP, 's')], store, clock));
    expect(await cache.isBanned(APP, 'GROUP', 'a')).toBe(false);
    await store.chatBans.set(APP, 'GROUP', ['a'], true, clock.t);
    clock.t += TTL_MS - 1;
    expect(cache.cached(APP, 'GROUP', 'a')).toBe(false);
    clock.t += 1;
    expect(cache.cached(APP, 'GROUP', 'a')).toBeUndefined();
    expect(await cache.isBanned(APP, 'GROUP', 'a')).toBe(true);
    await store.close();
  });

  it('drops an app\'s bans on another node sharing the broker', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const broker = new MemoryBroker();
    const apps = [createAppConfig(APP, 's'), createAppConfig('other', 's')];
    const nodeA = new ChatBanCache(contextWith(apps, store, clock), broker);
    const nodeB = new ChatBanCache(contextWith(apps, store, clock), broker);
    expect(await nodeB.isBanned(APP, 'PERSON', 'a')).toBe(false);
    expect(await nodeB.isBanned('other', 'PERSON', 'a')).toBe(false);
    await store.chatBans.set(APP, 'PERSON', ['a'], true, clock.t);
    await nodeA.changed(APP);
    await settle();
    expect(nodeB.cached(APP, 'PERSON', 'a')).toBeUndefined();
    expect(nodeB.cached('other', 'PERSON', 'a')).toBe(false);
    expect(await nodeB.isBanned(APP, 'PERSON', 'a')).toBe(true);
    await broker.close();
    await store.close();
  });

  it('does not cache a load that an invalidation overtook', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const cache = new ChatBanCache(contextWith([createAppConfig(APP, 's')], store, clock));
    const loading = cache.isBanned(APP, 'PERSON', 'a');
    await cache.changed(APP);
    expect(await loading).toBe(false);
    expect(cache.cached(APP, 'PERSON', 'a')).toBeUndefined();
    await store.close();
  });

  it('answers a ban list longer than it caches from the store', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const cache = new ChatBanCache(contextWith([createAppConfig(APP, 's')], store, clock));
    const many = Array.from({ length: MAX_CACHED_BANS + 1 }, (_, i) => `u${String(i).padStart(5, '0')}`);
    await store.chatBans.set(APP, 'PERSON', many, true, clock.t);
    expect(await cache.isBanned(APP, 'PERSON', 'u00000')).toBe(true);
    expect(await cache.isBanned(APP, 'PERSON', many[many.length - 1] as string)).toBe(true);
    expect(await cache.isBanned(APP, 'PERSON', 'zz')).toBe(false);
    expect(cache.cached(APP, 'PERSON', 'u00000')).toBeUndefined();
    await store.close();
  });
});

describe('send-ban filter', () => {
  it('refuses a PERSON-banned sender\'s private messages with 20106 and a GROUP-banned sender\'s group messages with 22408, synchronously once cached', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const broker = new MemoryBroker();
    const ctx = contextWith([createAppConfig(APP, 's')], store, clock);
    const filter = chatBansFilter(ctx, broker);
    await expect(Promise.resolve(filter.check(candidate('a', 1)))).resolves.toEqual({ action: 'pass' });

    await store.chatBans.set(APP, 'PERSON', ['a'], true, clock.t);
    await store.chatBans.set(APP, 'GROUP', ['b'], true, clock.t);
    await chatBansChanged(ctx, APP, broker);
    await expect(Promise.resolve(filter.check(candidate('a', 1)))).resolves.toMatchObject({ action: 'reject', status: 20106 });
    expect(filter.check(candidate('a', 1))).toMatchObject({ action: 'reject', status: 20106 });
    await expect(Promise.resolve(filter.check(candidate('b', 3)))).resolves.toMatchObject({ action: 'reject', status: 22408 });
    expect(filter.check(candidate('a', 3))).toEqual({ action: 'pass' });
    expect(filter.check(candidate('b', 1))).toEqual({ action: 'pass' });
    // Other conversation types are not concerned.
    for (const type of [4, 5, 6]) expect(filter.check(candidate('a', type))).toEqual({ action: 'pass' });
    await broker.close();
    await store.close();
  });
});
