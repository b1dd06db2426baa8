/**
 * Contract every PresenceRegistry engine must pass. `connect(n)` returns n registries on one
 * shared backend; `advance(ms)` moves the backend's clock (a fake clock for memory, a real wait
 * for Redis), so TTLs in this suite are small.
 */
import type { PresenceRegistry, SessionRef } from './presence';

export interface PresenceContractHooks {
  connect(count: number): Promise<PresenceRegistry[]>;
  advance(ms: number): Promise<void>;
  teardown?(): Promise<void>;
}

const ref = (sessionId: string, nodeId = 'n1', platform = 'web'): SessionRef => ({
  nodeId,
  sessionId,
  platform,
  clientKind: 'E4',
  transport: 'websocket',
  connectedAt: 1_600_000_000_000,
});

const ids = (refs: readonly SessionRef[]): string[] => refs.map((r) => r.sessionId).sort();

export function presenceContract(name: string, hooks: PresenceContractHooks): void {
  describe(`PresenceRegistry contract: ${name}`, () => {
    let regs: PresenceRegistry[] = [];
    const get = (i: number): PresenceRegistry => {
      const r = regs[i];
      if (!r) throw new Error(`no registry ${i}`);
      return r;
    };

    beforeEach(async () => {
      regs = await hooks.connect(2);
    });
    afterEach(async () => {
      for (const r of regs) await r.close();
      await hooks.teardown?.();
    });

    it('returns nothing for an unknown user', async () => {
      expect(await get(0).sessionsOf('k', 'nobody')).toEqual([]);
    });

    it('sees sessions added by any node, with their fields', async () => {
      await get(0).add('k', 'u1', ref('s1', 'n1', 'web'), 10_000);
      await get(1).add('k', 'u1', ref('s2', 'n2', 'miniprogram'), 10_000);
      const seen = await get(0).sessionsOf('k', 'u1');
      expect(ids(seen)).toEqual(['s1', 's2']);
      expect(seen.find((s) => s.sessionId === 's2')).toEqual(ref('s2', 'n2', 'miniprogram'));
    });

    it('scopes by app key and user id', async () => {
      await get(0).add('k1', 'u1', ref('s1'), 10_000);
      await get(0).add('k2', 'u1', ref('s2'), 10_000);
      await get(0).add('k1', 'u2', ref('s3'), 10_000);
      expect(ids(await get(1).sessionsOf('k1', 'u1'))).toEqual(['s1']);
      expect(ids(await get(1).sessionsOf('k2', 'u1'))).toEqual(['s2']);
    });

    it('removes one session and keeps the others; removing twice is harmless', async () => {
      await get(0).add('k', 'u1', ref('s1'), 10_000);
      await get(0).add('k', 'u1', ref('s2'), 10_000);
      await get(1).remove('k', 'u1', 's1');
      await get(1).remove('k', 'u1', 's1');
      await get(1).remove('k', 'nobody', 's1');
      expect(ids(await get(0).sessionsOf('k', 'u1'))).toEqual(['s2']);
    });

    it('expires entries after their TTL unless refreshed', async () => {
      await get(0).add('k', 'u1', ref('stale'), 200);
      await get(0).add('k', 'u1', ref('fresh'), 200);
      await hooks.advance(120);
      await get(0).add('k', 'u1', ref('fresh'), 200);
      await hooks.advance(120);
      expect(ids(await get(1).sessionsOf('k', 'u1'))).toEqual(['fresh']);
      await hooks.advance(250);
      expect(await get(1).sessionsOf('k', 'u1')).toEqual([]);
    });

    it('re-adding a session replaces its entry', async () => {
      await get(0).add('k', 'u1', ref('s1', 'n1', 'web'), 10_000);
      await get(0).add('k', 'u1', ref('s1', 'n1', 'uniapp'), 10_000);
      const seen = await get(1).sessionsOf('k', 'u1');
      expect(seen).toHaveLength(1);
      expect(seen[0]?.platform).toBe('uniapp');
    });
  });
}
