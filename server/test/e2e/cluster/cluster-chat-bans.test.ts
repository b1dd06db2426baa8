/**
 * Per-user send bans across nodes (`user/chat/fb/set`, services/chat-bans.ts): two nodes on PostgreSQL + Redis.
 * A node caches an app's bans per kind and the change drops every node's copy through the broker; the cache's
 * TTL (5 s) only bounds a lost wake-up. So a ban made through one node's Server API must apply to the very next
 * send on the other node, whose cache already holds the app's (empty) list — well within the TTL, which the test
 * asserts (1 s from the send that loaded the cache to the refused one), so it fails if only the TTL made it work.
 *
 * - PERSON, set through node 1: A on node 2 is refused with 20106, its recipient on node 1 gets nothing, A's
 *   group sends still go; node 2's querylist lists A; lifted through node 2, A sends again.
 * - GROUP, set through node 2: B on node 1 is refused with 22408, its private sends still go.
 */
import type { RawClient } from '../../../../test/support/raw-client';
import type { TestApp } from '../../../../test/support/server-launcher';
import { uniqueId, upstream, waitFor } from '../e2e-support';
import { clusterAvailable, inboxTexts, skipClusterSuite, useCluster } from './cluster-support';

/** Its own app: no other suite's send has loaded its bans on either node. */
const APP: TestApp = { key: 'lxclchatban', secret: 'lxclchatbansecret', options: { multiDevice: false, maxSendRate: 1000 } };
/** Well below the caches' TTL (chat-bans.ts TTL_MS, 5 s). */
const AT_ONCE_MS = 1000;

const say = (content: string): Uint8Array => upstream('RC:TxtMsg', { content });

if (!clusterAvailable()) {
  skipClusterSuite('cluster chat bans');
} else {
  const suite = useCluster({ nodes: 2, database: 'chatbans', apps: [APP] });

  const connect = (i: number, userId: string): Promise<RawClient> => suite.connect(i, APP.key, userId);

  async function ok<T = Record<string, unknown>>(node: number, path: string, form: Record<string, string | number | readonly string[]>): Promise<T & { code: number }> {
    const response = await suite.cluster.api(node).post<T & { code: number }>(path, form);
    expect({ node, path, status: response.status, code: response.body.code }).toEqual({ node, path, status: 200, code: 200 });
    return response.body;
  }

  const status = async (client: RawClient, topic: 'ppMsgP' | 'pgMsgP', targetId: string, content: string): Promise<number> =>
    (await client.publish(topic, targetId, say(content))).status ?? -1;

  it('PERSON set through node 1 refuses the next private send on node 2 at once (20106); lifted through node 2', async () => {
    const [a, b, g] = [uniqueId('a'), uniqueId('b'), uniqueId('g')];
    const ca = await connect(1, a);
    const cb = await connect(0, b);
    await ok(0, 'group/create', { userId: [a, b], groupId: g, groupName: 'G' });

    // The app's first private send on node 2 loads its (empty) PERSON list into node 2's cache.
    const loaded = Date.now();
    expect(await status(ca, 'ppMsgP', b, 'before')).toBe(0);
    await ok(0, 'user/chat/fb/set', { userId: a, state: 1, type: 'PERSON' });
    expect(await status(ca, 'ppMsgP', b, 'banned')).toBe(20106);
    // Node 2's cached list was dropped by node 1's wake-up, not by the TTL.
    expect(Date.now() - loaded).toBeLessThan(AT_ONCE_MS);

    expect(await status(ca, 'pgMsgP', g, 'group is fine')).toBe(0);
    expect(await ok<{ total: number; users: string[] }>(1, 'user/chat/fb/querylist', { type: 'PERSON' })).toEqual({ code: 200, total: 1, users: [a] });
    expect(await ok(1, 'user/chat/fb/querylist', { type: 'GROUP' })).toEqual({ code: 200, total: 0, users: [] });
    // b is not banned: its send from node 1 reaches a.
    expect(await status(cb, 'ppMsgP', a, 'b is not banned')).toBe(0);

    await ok(1, 'user/chat/fb/set', { userId: a, state: 0, type: 'PERSON' });
    expect(await status(ca, 'ppMsgP', b, 'after')).toBe(0);
    expect(await ok(0, 'user/chat/fb/querylist', { type: 'PERSON' })).toEqual({ code: 200, total: 0, users: [] });
    // The refused message reached nobody: b, on node 1, holds everything else a sent.
    const expected = [`${a}:before`, `${a}:group is fine`, `${a}:after`];
    await waitFor(async () => (await inboxTexts(cb)).length >= expected.length, 10_000, 'b\'s inbox');
    expect(await inboxTexts(cb)).toEqual(expected);
  });

  it('GROUP set through node 2 refuses the next group send on node 1 at once (22408), not private sends', async () => {
    const [a, b, g] = [uniqueId('a'), uniqueId('b'), uniqueId('g')];
    const ca = await connect(1, a);
    const cb = await connect(0, b);
    await ok(1, 'group/create', { userId: [a, b], groupId: g, groupName: 'G' });

    // The app's first group send on node 1 loads its (empty) GROUP list into node 1's cache.
    const loaded = Date.now();
    expect(await status(cb, 'pgMsgP', g, 'before')).toBe(0);
    await ok(1, 'user/chat/fb/set', { userId: b, state: 1, type: 'GROUP' });
    expect(await status(cb, 'pgMsgP', g, 'banned')).toBe(22408);
    expect(Date.now() - loaded).toBeLessThan(AT_ONCE_MS);

    expect(await status(cb, 'ppMsgP', a, 'private is fine')).toBe(0);
    expect(await status(ca, 'pgMsgP', g, 'a is not banned')).toBe(0);
    expect(await ok(0, 'user/chat/fb/querylist', { type: 'GROUP' })).toEqual({ code: 200, total: 1, users: [b] });

    await ok(0, 'user/chat/fb/set', { userId: b, state: 0, type: 'GROUP' });
    expect(await status(cb, 'pgMsgP', g, 'after')).toBe(0);
    const expected = [`${b}:before`, `${b}:private is fine`, `${b}:after`];
    await waitFor(async () => (await inboxTexts(ca)).filter((m) => m.startsWith(`${b}:`)).length >= expected.length, 10_000, 'a\'s inbox');
    expect((await inboxTexts(ca)).filter((m) => m.startsWith(`${b}:`))).toEqual(expected);
  });
}
