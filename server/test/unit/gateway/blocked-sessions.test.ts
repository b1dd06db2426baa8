/**
 * The re-check of blocks after a broker reconnect (server/src/gateway/blocked-sessions.ts): this node's sessions of
 * users the store lists as blocked are disconnected with reason 2; only apps with a session here are read, page by
 * page, at most maxPages. And the periodic look at the blocks made since the previous look (BlockRecheck), on a
 * real SQLite store.
 */
import { BLOCK_RECHECK_SKEW_MS, BlockRecheck, DISCONNECT_BLOCK, kickBlockedSessions, type BlockedListing } from '../../../src/gateway/blocked-sessions';
import { SessionRegistry, type LocalSession } from '../../../src/gateway/session-registry';
import type { UserEvent } from '../../../src/gateway/user-event';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store';

function session(appKey: string, userId: string, n: number, got: Map<string, UserEvent[]>): LocalSession {
  const sessionId = `n.${appKey}.${userId}.${n}`;
  const info = { sessionId, appKey, userId, platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1 };
  return { info, deliver: (event: UserEvent) => got.set(sessionId, [...(got.get(sessionId) ?? []), event]) } as unknown as LocalSession;
}

describe('kickBlockedSessions', () => {
  it('kicks every local session of a blocked user, reading each app with a session here page by page', async () => {
    const got = new Map<string, UserEvent[]>();
    const registry = new SessionRegistry<LocalSession>();
    for (const [app, user, n] of [['k', 'b1', 1], ['k', 'b1', 2], ['k', 'free', 1], ['k', 'b3', 1], ['j', 'b1', 1]] as const) registry.add(session(app, user, n, got));
    const blocked: Record<string, string[]> = { k: ['a0', 'b1', 'b2', 'b3', 'b4'], j: [], unused: ['x'] };
    const reads: string[] = [];
    const listing: BlockedListing = {
      blocked: (appKey, now, offset, limit) => {
        reads.push(`${appKey}@${offset}`);
        expect(now).toBe(123);
        return Promise.resolve((blocked[appKey] ?? []).slice(offset, offset + limit).map((userId) => ({ userId })));
      },
    };
    expect(await kickBlockedSessions(registry, listing, 123, { pageSize: 2, maxPages: 10 })).toBe(3);
    expect([...got.keys()].sort()).toEqual(['n.k.b1.1', 'n.k.b1.2', 'n.k.b3.1']);
    expect(got.get('n.k.b3.1')).toEqual([{ kind: 'kick', reason: DISCONNECT_BLOCK }]);
    expect(reads.sort()).toEqual(['j@0', 'k@0', 'k@2', 'k@4']);
  });

  it('reads at most maxPages per app', async () => {
    const registry = new SessionRegistry<LocalSession>();
    registry.add(session('k', 'u', 1, new Map()));
    let reads = 0;
    const listing: BlockedListing = {
      blocked: (_appKey, _now, offset, limit) => {
        reads += 1;
        return Promise.resolve(Array.from({ length: limit }, (_, i) => ({ userId: `x${offset + i}` })));
      },
    };
    expect(await kickBlockedSessions(registry, listing, 1, { pageSize: 10, maxPages: 3 })).toBe(0);
    expect(reads).toBe(3);
  });
});

describe('BlockRecheck', () => {
  it('kicks the sessions of users blocked since the previous look (reaching back for clock skew) and still blocked', async () => {
    const store = await createSqliteStore({ file: ':memory:' });
    await store.migrate();
    try {
      const T = 1_700_000_000_000;
      const clock = { t: T };
      const got = new Map<string, UserEvent[]>();
      const registry = new SessionRegistry<LocalSession>();
      for (const user of ['old', 'skewed', 'fresh', 'lifted', 'free']) {
        await store.users.upsert('k', user, {}, T);
        registry.add(session('k', user, 1, got));
      }
      const recheck = new BlockRecheck(registry, store.userLists, () => clock.t);
      // Before the first look's window: blocked long before this node started looking.
      await store.users.setBlockedUntil('k', 'old', T + 3_600_000, T - BLOCK_RECHECK_SKEW_MS - 1);
      // Timed by a node whose clock is 30 s behind.
      await store.users.setBlockedUntil('k', 'skewed', T + 3_600_000, T - 30_000);
      clock.t = T + 1_000;
      await store.users.setBlockedUntil('k', 'fresh', T + 3_600_000, clock.t);
      await store.users.setBlockedUntil('k', 'lifted', T + 3_600_000, clock.t);
      await store.users.setBlockedUntil('k', 'lifted', 0, 0);
      clock.t = T + 2_000;
      expect(await recheck.run()).toBe(2);
      expect([...got.keys()].sort()).toEqual(['n.k.fresh.1', 'n.k.skewed.1']);
      expect(got.get('n.k.fresh.1')).toEqual([{ kind: 'kick', reason: DISCONNECT_BLOCK }]);
      // The next look reaches back from the previous one (these fake sessions stay; real ones are gone by then, and a
      // blocked user cannot connect again), the one after that no longer sees these blocks.
      clock.t = T + 2_000 + BLOCK_RECHECK_SKEW_MS + 5_000;
      expect(await recheck.run()).toBe(2);
      clock.t += 1_000;
      expect(await recheck.run()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('reads nothing while this node has no session, and one look at a time', async () => {
    const registry = new SessionRegistry<LocalSession>();
    let reads = 0;
    let release!: () => void;
    const listing = {
      blockedSince: () => {
        reads += 1;
        return new Promise<[]>((resolve) => (release = () => resolve([])));
      },
    };
    const recheck = new BlockRecheck(registry, listing, () => 1);
    expect(await recheck.run()).toBe(0);
    expect(reads).toBe(0);
    registry.add(session('k', 'u', 1, new Map()));
    const first = recheck.run();
    expect(await recheck.run()).toBe(0);
    release();
    expect(await first).toBe(0);
    expect(reads).toBe(1);
  });
});
