import { MAX_MESSAGE_ID, PendingRequests, type Settlement } from '../../../src/client/pending-requests';
import { FakeClock } from '../../support/fake-clock';

describe('PendingRequests', () => {
  it('allocates 1, 2, 3 … and resolves by messageId', () => {
    const clock = new FakeClock();
    const pending = new PendingRequests<string>(clock);
    const results: Array<[number, Settlement<string>]> = [];
    const ids = [0, 1, 2].map(() => {
      const id: number | undefined = pending.add((s) => results.push([id ?? 0, s]));
      if (id === undefined) throw new Error('no id');
      return id;
    });
    expect(ids).toEqual([1, 2, 3]);
    expect(pending.resolve(2, 'two')).toBe(true);
    expect(pending.resolve(2, 'again')).toBe(false);
    expect(pending.resolve(99, 'none')).toBe(false);
    expect(results).toEqual([[2, { ok: true, value: 'two' }]]);
    expect(pending.size).toBe(2);
  });

  it('wraps 65535 → 1 and skips ids that are still pending', () => {
    const clock = new FakeClock();
    const pending = new PendingRequests<number>(clock);
    const first = pending.add(() => undefined); // 1 stays pending
    expect(first).toBe(1);
    pending.add(() => undefined); // 2 stays pending
    for (let i = 3; i <= MAX_MESSAGE_ID; i++) {
      const id = pending.add(() => undefined);
      expect(id).toBe(i);
      pending.resolve(i, 0);
    }
    // 65535 was the last; 1 and 2 are still in flight → next free is 3.
    expect(pending.add(() => undefined)).toBe(3);
    pending.resolve(1, 0);
    pending.resolve(2, 0);
    pending.resolve(3, 0);
    expect(pending.add(() => undefined)).toBe(4);
    expect(pending.has(0)).toBe(false);
  });

  it('returns undefined when every id is in flight', () => {
    const pending = new PendingRequests<number>(new FakeClock());
    for (let i = 0; i < MAX_MESSAGE_ID; i++) pending.add(() => undefined);
    let called = false;
    expect(pending.add(() => (called = true))).toBeUndefined();
    expect(called).toBe(false);
  });

  it('times out after 30 s with code -1, and a late ack does not match', () => {
    const clock = new FakeClock();
    const pending = new PendingRequests<string>(clock);
    const seen: Settlement<string>[] = [];
    const id = pending.add((s) => seen.push(s));
    clock.tick(29_999);
    expect(seen).toEqual([]);
    clock.tick(1);
    expect(seen).toEqual([{ ok: false, code: -1 }]);
    expect(pending.resolve(id ?? 0, 'late')).toBe(false);
    expect(seen).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejectAll fails everything once and clears the timers', () => {
    const clock = new FakeClock();
    const pending = new PendingRequests<string>(clock, 5_000);
    const seen: Settlement<string>[] = [];
    pending.add((s) => seen.push(s));
    pending.add((s) => seen.push(s));
    pending.rejectAll(30011);
    clock.tick(10_000);
    expect(seen).toEqual([
      { ok: false, code: 30011 },
      { ok: false, code: 30011 },
    ]);
    expect(pending.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
