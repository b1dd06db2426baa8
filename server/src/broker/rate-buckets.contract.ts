/**
 * Contract every RateBuckets engine passes (memory in the unit project, Redis against a real
 * redis-server). `connect(n)` returns n engines sharing one backend (n "nodes").
 */
import type { RateBuckets } from './rate-buckets';

export interface RateBucketsContractHooks {
  connect(count: number): Promise<RateBuckets[]>;
  /** Lets `ms` pass for the engines (real time for Redis, a fake clock for memory). */
  advance(ms: number): Promise<void>;
}

export function rateBucketsContract(name: string, hooks: RateBucketsContractHooks): void {
  describe(`RateBuckets contract: ${name}`, () => {
    let engines: RateBuckets[] = [];
    let run = 0;
    const key = (k: string): string => `${name}-${run}-${k}`;
    const engine = (i: number): RateBuckets => {
      const e = engines[i];
      if (!e) throw new Error(`no engine ${i}`);
      return e;
    };

    beforeEach(async () => {
      run += 1;
      engines = await hooks.connect(2);
    });
    afterEach(async () => {
      await Promise.all(engines.map((e) => e.close()));
    });

    it('a new bucket is full; takes are all-or-nothing', async () => {
      expect(await engine(0).take(key('a'), 3, 5, 60_000)).toBe(true);
      expect(await engine(0).take(key('a'), 3, 5, 60_000)).toBe(false);
      expect(await engine(0).take(key('a'), 2, 5, 60_000)).toBe(true);
      expect(await engine(0).take(key('a'), 1, 5, 60_000)).toBe(false);
      expect(await engine(0).take(key('b'), 5, 5, 60_000)).toBe(true);
    });

    it('refunds give tokens back, never above the limit', async () => {
      expect(await engine(0).take(key('r'), 4, 4, 60_000)).toBe(true);
      await engine(0).refund(key('r'), 2, 4, 60_000);
      expect(await engine(0).take(key('r'), 2, 4, 60_000)).toBe(true);
      expect(await engine(0).take(key('r'), 1, 4, 60_000)).toBe(false);
      await engine(0).refund(key('r'), 100, 4, 60_000);
      expect(await engine(0).take(key('r'), 5, 4, 60_000)).toBe(false);
      expect(await engine(0).take(key('r'), 4, 4, 60_000)).toBe(true);
    });

    it('refills at limit per window', async () => {
      expect(await engine(0).take(key('f'), 10, 10, 1000)).toBe(true);
      expect(await engine(0).take(key('f'), 1, 10, 1000)).toBe(false);
      await hooks.advance(600);
      // ~6 tokens back after 600 ms of a 10-per-second bucket (a slow machine may add a few).
      expect(await engine(0).take(key('f'), 5, 10, 1000)).toBe(true);
      expect(await engine(0).take(key('f'), 5, 10, 1000)).toBe(false);
    });

    it('engines on one backend share buckets: the limit holds across nodes', async () => {
      let taken = 0;
      const attempts = Array.from({ length: 20 }, (_, i) => engine(i % 2).take(key('shared'), 1, 10, 60_000));
      for (const ok of await Promise.all(attempts)) if (ok) taken += 1;
      expect(taken).toBe(10);
    });
  });
}
