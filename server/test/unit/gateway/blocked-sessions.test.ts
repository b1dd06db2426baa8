/**
 * The re-check of blocks after a broker reconnect (server/src/gateway/blocked-sessions.ts): this node's sessions of
 * users the store lists as blocked are disconnected with reason 2; only apps with a session here are read, page by
 * page, at most maxPages.
 */
import { DISCONNECT_BLOCK, kickBlockedSessions, type BlockedListing } from '../../../src/gateway/blocked-sessions';
import { SessionRegistry, type LocalSession } from '../../../src/gateway/session-registry';
import type { UserEvent } from '../../../src/gateway/user-event';

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
