/**
 * The per-node cache of blacklists/whitelists behind the private-send rule (user-relation-cache.ts), on a real
 * SQLite store and the in-process broker: cached answers, invalidation on the changing node and on another node
 * sharing the broker, the TTL bound when no wake-up arrives, long lists answered by the store, and the rule's
 * statuses (405 / 407) through `privateSendStatus` and the filter.
 */
import { MemoryBroker } from '../../../src/broker/memory-broker';
import { createAppConfig } from '../../../src/config';
import type { CandidateMessage } from '../../../src/services/message-filter-chain';
import { MAX_CACHED_MEMBERS, TTL_MS, UserRelationCache } from '../../../src/services/user-relation-cache';
import { privateSendStatus, userListsChanged, userRelationsFilter } from '../../../src/services/user-relations';
import { contextWith, memoryStore, settle } from './cache-test-support';

const APP = 'k';

function candidate(fromUserId: string, targetId: string, conversationType = 1): CandidateMessage {
  return { appKey: APP, fromUserId, conversationType, targetId, objectName: 'RC:TxtMsg', content: new Uint8Array(0), directedTo: [], status: false, platform: 'web', sessionId: 's1' };
}

describe('UserRelationCache', () => {
  it('answers from the cache after one load and sees a change made through `changed` at once', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const ctx = contextWith([createAppConfig(APP, 's')], store, clock);
    const cache = new UserRelationCache(ctx, new MemoryBroker());
    expect(cache.cached(APP, 'b', 'black', 'a')).toBeUndefined();
    expect(await cache.contains(APP, 'b', 'black', 'a')).toBe(false);
    expect(cache.cached(APP, 'b', 'black', 'a')).toBe(false);
    expect(cache.size).toBe(1);

    await store.userLists.add(APP, 'b', 'black', ['a'], clock.t);
    // Written behind the cache's back: not seen until the TTL or an invalidation.
    expect(cache.cached(APP, 'b', 'black', 'a')).toBe(false);
    await cache.changed(APP, 'b');
    expect(cache.cached(APP, 'b', 'black', 'a')).toBeUndefined();
    expect(await cache.contains(APP, 'b', 'black', 'a')).toBe(true);
    expect(cache.cached(APP, 'b', 'black', 'a')).toBe(true);
    await store.close();
  });

  it('bounds staleness by the TTL when no invalidation arrives', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const cache = new UserRelationCache(contextWith([createAppConfig(APP, 's')], store, clock));
    expect(await cache.contains(APP, 'b', 'white', 'a')).toBe(false);
    await store.userLists.add(APP, 'b', 'white', ['a'], clock.t);
    clock.t += TTL_MS - 1;
    expect(cache.cached(APP, 'b', 'white', 'a')).toBe(false);
    clock.t += 1;
    expect(cache.cached(APP, 'b', 'white', 'a')).toBeUndefined();
    expect(await cache.contains(APP, 'b', 'white', 'a')).toBe(true);
    await store.close();
  });

  it('drops an owner on another node sharing the broker, and only that owner', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const broker = new MemoryBroker();
    const apps = [createAppConfig(APP, 's')];
    const nodeA = new UserRelationCache(contextWith(apps, store, clock), broker);
    const nodeB = new UserRelationCache(contextWith(apps, store, clock), broker);
    expect(await nodeB.contains(APP, 'b', 'black', 'a')).toBe(false);
    expect(await nodeB.contains(APP, 'c', 'black', 'a')).toBe(false);
    await store.userLists.add(APP, 'b', 'black', ['a'], clock.t);
    await nodeA.changed(APP, 'b');
    await settle();
    expect(nodeB.cached(APP, 'b', 'black', 'a')).toBeUndefined();
    expect(nodeB.cached(APP, 'c', 'black', 'a')).toBe(false);
    expect(await nodeB.contains(APP, 'b', 'black', 'a')).toBe(true);
    await broker.close();
    await store.close();
  });

  it('does not cache a load that an invalidation overtook', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const cache = new UserRelationCache(contextWith([createAppConfig(APP, 's')], store, clock));
    const loading = cache.contains(APP, 'b', 'black', 'a');
    await cache.changed(APP, 'b');
    expect(await loading).toBe(false);
    expect(cache.cached(APP, 'b', 'black', 'a')).toBeUndefined();
    await store.close();
  });

  it('answers a list longer than it caches from the store', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const cache = new UserRelationCache(contextWith([createAppConfig(APP, 's')], store, clock));
    const many = Array.from({ length: MAX_CACHED_MEMBERS + 1 }, (_, i) => `u${String(i).padStart(4, '0')}`);
    await store.userLists.add(APP, 'b', 'black', many, clock.t);
    expect(await cache.contains(APP, 'b', 'black', 'u0000')).toBe(true);
    expect(await cache.contains(APP, 'b', 'black', many[many.length - 1] as string)).toBe(true);
    expect(await cache.contains(APP, 'b', 'black', 'zz')).toBe(false);
    expect(cache.cached(APP, 'b', 'black', 'u0000')).toBeUndefined();
    await store.close();
  });
});

describe('private send rule through the cache', () => {
  it('refuses a blacklisted sender with 405 and, in whitelist mode, an unlisted one with 407, synchronously once cached', async () => {
    const clock = { t: 1000 };
    const store = await memoryStore();
    const broker = new MemoryBroker();
    const app = createAppConfig(APP, 's');
    const ctx = contextWith([{ ...app, appServer: { whitelistMode: true } }], store, clock);
    const filter = userRelationsFilter(ctx, broker);

    expect(await privateSendStatus(ctx, APP, 'a', 'b', broker)).toBe(407);
    await store.userLists.add(APP, 'b', 'white', ['a'], clock.t);
    await userListsChanged(ctx, APP, 'b', broker);
    expect(await privateSendStatus(ctx, APP, 'a', 'b', broker)).toBe(0);
    expect(filter.check(candidate('a', 'b'))).toEqual({ action: 'pass' });

    await store.userLists.add(APP, 'b', 'black', ['a'], clock.t);
    await userListsChanged(ctx, APP, 'b', broker);
    await expect(Promise.resolve(filter.check(candidate('a', 'b')))).resolves.toMatchObject({ action: 'reject', status: 405 });
    expect(filter.check(candidate('a', 'b'))).toMatchObject({ action: 'reject', status: 405 });
    // Groups and messages to oneself are not concerned.
    expect(filter.check(candidate('a', 'b', 3))).toEqual({ action: 'pass' });
    expect(await privateSendStatus(ctx, APP, 'b', 'b', broker)).toBe(0);
    await broker.close();
    await store.close();
  });
});
