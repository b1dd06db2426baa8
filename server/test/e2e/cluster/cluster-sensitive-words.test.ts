/**
 * Sensitive-word changes reach every node at once (services/sensitive-words.ts): two nodes on PostgreSQL + Redis.
 * A node caches an app's words and a Server API change drops every node's copy through the broker; the cache's
 * 5 s bound only covers a lost wake-up. The sender is on node 2, whose cache already holds the app's words, and
 * each change is made through node 1's Server API: the very next send on node 2 sees it — within 1 s of the send
 * that (re)loaded node 2's copy, so the test fails if only the 5 s bound made it work. A block word refuses the
 * message (21501) and the recipient on node 1 gets nothing; a replace word is replaced for it; a removed word no
 * longer blocks.
 */
import type { RawClient } from '../../../../test/support/raw-client';
import type { TestApp } from '../../../../test/support/server-launcher';
import { uniqueId, upstream, waitFor } from '../e2e-support';
import { clusterAvailable, inboxTexts, skipClusterSuite, useCluster } from './cluster-support';

/** Its own app: no other suite's send has loaded its words on either node. */
const APP: TestApp = { key: 'lxclswords', secret: 'lxclswordssecret', options: { multiDevice: false, maxSendRate: 1000 } };
/** Well below the cache's bound (sensitive-words.ts CACHE_MS, 5 s). */
const AT_ONCE_MS = 1000;

if (!clusterAvailable()) {
  skipClusterSuite('cluster sensitive words');
} else {
  const suite = useCluster({ nodes: 2, database: 'swords', apps: [APP] });

  const connect = (i: number, userId: string): Promise<RawClient> => suite.connect(i, APP.key, userId);

  /** A Server API change through node 1. */
  async function change(path: string, form: Record<string, string | readonly string[]>): Promise<void> {
    const response = await suite.cluster.api(0).post(path, form);
    expect({ path, status: response.status, body: response.body }).toEqual({ path, status: 200, body: { code: 200 } });
  }

  it('a word added or removed through node 1 applies to the next send on node 2', async () => {
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    const ca = await connect(1, a);
    const cb = await connect(0, b);
    const send = async (content: string): Promise<number> => (await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content }))).status ?? -1;

    // The app's first text message on node 2 loads its (empty) word list into node 2's cache.
    let loaded = Date.now();
    expect(await send('hello forbidden')).toBe(0);
    await change('sensitiveword/add', { word: 'forbidden' });
    // Refused, and node 2's copy reloaded by this very send.
    const blockedAt = Date.now();
    expect(await send('still forbidden?')).toBe(21501);
    expect(Date.now() - loaded).toBeLessThan(AT_ONCE_MS);

    loaded = blockedAt;
    await change('sensitiveword/add', { word: 'darn', replaceWord: '****' });
    const replacedAt = Date.now();
    expect(await send('oh DARN')).toBe(0);
    expect(Date.now() - loaded).toBeLessThan(AT_ONCE_MS);
    // b, on node 1, never got the blocked message and gets the replaced text.
    await waitFor(async () => (await inboxTexts(cb)).length >= 2, 10_000, 'b\'s inbox');
    expect(await inboxTexts(cb)).toEqual([`${a}:hello forbidden`, `${a}:oh ****`]);

    loaded = replacedAt;
    await change('sensitiveword/delete', { word: 'forbidden' });
    expect(await send('forbidden is fine now')).toBe(0);
    expect(Date.now() - loaded).toBeLessThan(AT_ONCE_MS);

    const expected = [`${a}:hello forbidden`, `${a}:oh ****`, `${a}:forbidden is fine now`];
    await waitFor(async () => (await inboxTexts(cb)).length >= expected.length, 10_000, 'b\'s inbox');
    expect(await inboxTexts(cb)).toEqual(expected);
  });
}
