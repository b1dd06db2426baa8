/**
 * The bound on uploads that stage a file before their token is known (files/tokenless-uploads.ts):
 * caps in all and per address, waiting in arrival order, refusal after the wait or beyond the queue.
 */
import { TokenlessUploads } from '../../../src/files/tokenless-uploads';

const LIMITS = { total: 3, perAddress: 2, waitMs: 1000, maxWaiting: 2 };

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('TokenlessUploads', () => {
  it('admits up to the per-address cap, then makes that address wait while others still get in', async () => {
    const gate = new TokenlessUploads(LIMITS);
    const a1 = await gate.enter('a');
    const a2 = await gate.enter('a');
    expect(a1).toBeDefined();
    expect(a2).toBeDefined();
    let a3: (() => void) | undefined;
    const waiting = gate.enter('a').then((release) => (a3 = release));
    const b1 = await gate.enter('b');
    expect(b1).toBeDefined();
    expect(gate.inProgress).toBe(3);
    await Promise.resolve();
    expect(a3).toBeUndefined();
    a1?.();
    a1?.(); // releasing twice frees one slot only
    await waiting;
    expect(a3).toBeDefined();
    expect(gate.inProgress).toBe(3);
  });

  it('refuses after waitMs, and at once beyond maxWaiting', async () => {
    const gate = new TokenlessUploads(LIMITS);
    for (const address of ['a', 'b', 'c']) expect(await gate.enter(address)).toBeDefined();
    const first = gate.enter('d');
    const second = gate.enter('e');
    expect(await gate.enter('f')).toBeUndefined();
    jest.advanceTimersByTime(1000);
    expect(await first).toBeUndefined();
    expect(await second).toBeUndefined();
    expect(gate.inProgress).toBe(3);
  });

  it('admits waiters in arrival order when the total frees up', async () => {
    const gate = new TokenlessUploads({ ...LIMITS, maxWaiting: 10 });
    const held = await Promise.all(['a', 'b', 'c'].map((address) => gate.enter(address)));
    const order: string[] = [];
    const waits = ['d', 'e'].map((address) => gate.enter(address).then((release) => (order.push(address), release)));
    held[2]?.();
    held[1]?.();
    const [d, e] = await Promise.all(waits);
    expect(order).toEqual(['d', 'e']);
    expect(d).toBeDefined();
    expect(e).toBeDefined();
    d?.();
    e?.();
    held[0]?.();
    expect(gate.inProgress).toBe(0);
  });
});
