/**
 * The engine-agnostic group-commit queue with an asynchronous commit (the shape a network database
 * would use): batches never overlap, jobs reach the commit in enqueue order, and outcomes settle each
 * caller separately.
 */
import { AppendBatcher, type AppendOutcome } from '../../../src/store/message-append-batcher';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AppendBatcher', () => {
  it('does not start a batch while one is in flight, and keeps enqueue order across batches', async () => {
    const seen: number[][] = [];
    let active = 0;
    let maxActive = 0;
    const batcher = new AppendBatcher<number, number>(async (jobs) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      seen.push([...jobs]);
      await tick();
      await tick();
      active -= 1;
      return jobs.map((job): AppendOutcome<number> => ({ ok: true, value: job * 10 }));
    });
    const first = [1, 2, 3].map((n) => batcher.enqueue(n));
    await tick();
    // The first batch is in flight: these wait for it and form the next one.
    const second = [4, 5].map((n) => batcher.enqueue(n));
    expect(await Promise.all([...first, ...second])).toEqual([10, 20, 30, 40, 50]);
    expect(seen).toEqual([[1, 2, 3], [4, 5]]);
    expect(maxActive).toBe(1);
    expect(batcher.stats).toEqual({ batches: 2, jobs: 5 });
  });

  it('settles each job by its own outcome, and rejects a whole batch whose commit threw', async () => {
    let calls = 0;
    const batcher = new AppendBatcher<string, string>(async (jobs) => {
      calls += 1;
      if (calls === 2) throw new Error('commit failed');
      return jobs.map((job): AppendOutcome<string> => (job === 'bad' ? { ok: false, error: new Error('bad row') } : { ok: true, value: job }));
    });
    const one = await Promise.allSettled(['a', 'bad', 'b'].map((j) => batcher.enqueue(j)));
    expect(one.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a', 'bad row', 'b']);
    const two = await Promise.allSettled(['c', 'd'].map((j) => batcher.enqueue(j)));
    expect(two.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.value))).toEqual(['commit failed', 'commit failed']);
    expect(await batcher.enqueue('e')).toBe('e');
  });

  it('flush() commits what is queued without waiting for the scheduled turn', async () => {
    const batcher = new AppendBatcher<number, number>((jobs) => jobs.map((job) => ({ ok: true, value: job })), { lingerMs: 60_000 });
    const pending = batcher.enqueue(7);
    expect(batcher.pending).toBe(1);
    await batcher.flush();
    expect(batcher.pending).toBe(0);
    expect(await pending).toBe(7);
  });

  describe('linger', () => {
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    const recording = (lingerWithinMs = 1000): { batcher: AppendBatcher<number, number>; seen: number[][] } => {
      const seen: number[][] = [];
      const batcher = new AppendBatcher<number, number>(
        (jobs) => {
          seen.push([...jobs]);
          return jobs.map((job) => ({ ok: true, value: job }));
        },
        { lingerMs: 200, lingerBelow: 4, lingerWithinMs },
      );
      return { batcher, seen };
    };

    it('the first append after a quiet spell starts at the end of its turn', async () => {
      const { batcher, seen } = recording();
      const started = performance.now();
      expect(await batcher.enqueue(1)).toBe(1);
      expect(performance.now() - started).toBeLessThan(150);
      expect(seen).toEqual([[1]]);
    });

    it('appends that keep coming wait up to lingerMs and share a batch', async () => {
      const { batcher, seen } = recording();
      await batcher.enqueue(1);
      // A batch just ended: the next append waits for company.
      const second = batcher.enqueue(2);
      await sleep(20);
      expect(seen).toEqual([[1]]);
      const third = batcher.enqueue(3);
      expect(await Promise.all([second, third])).toEqual([2, 3]);
      expect(seen).toEqual([[1], [2, 3]]);
    });

    it('a lingering batch that reaches lingerBelow starts at the end of the turn', async () => {
      const { batcher, seen } = recording();
      await batcher.enqueue(0);
      const started = performance.now();
      const jobs = [1, 2, 3, 4].map((n) => batcher.enqueue(n));
      expect(await Promise.all(jobs)).toEqual([1, 2, 3, 4]);
      expect(performance.now() - started).toBeLessThan(150);
      expect(seen).toEqual([[0], [1, 2, 3, 4]]);
    });

    it('after a quiet spell longer than lingerWithinMs, no wait again', async () => {
      const { batcher, seen } = recording(30);
      await batcher.enqueue(1);
      await sleep(60);
      const started = performance.now();
      await batcher.enqueue(2);
      expect(performance.now() - started).toBeLessThan(150);
      expect(seen).toEqual([[1], [2]]);
    });
  });

  it('refuses a non-positive maxBatch', () => {
    expect(() => new AppendBatcher<number, number>(() => [], { maxBatch: 0 })).toThrow(RangeError);
  });
});
