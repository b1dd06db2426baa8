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

  it('refuses a non-positive maxBatch', () => {
    expect(() => new AppendBatcher<number, number>(() => [], { maxBatch: 0 })).toThrow(RangeError);
  });
});
