import { ClockReservations } from '../../../src/store/postgres/pg-clock-reservations';

/** A `write` whose round trips complete when the test says, in any order (as a connection pool may). */
function pendingWrites() {
  const calls: { appKey: string; time: number; finish: (value?: number) => void; fail: (error: Error) => void }[] = [];
  const write = (appKey: string, time: number): Promise<number> =>
    new Promise((resolve, reject) => calls.push({ appKey, time, finish: (value) => resolve(value ?? time), fail: reject }));
  return { calls, write };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('ClockReservations (PostgreSQL not-stored message times)', () => {
  it('resolves the reservations of an app in the order made, one statement in flight, the waiting ones sent as one with their greatest time', async () => {
    const known = new Map<string, number>();
    const { calls, write } = pendingWrites();
    const reservations = new ClockReservations(known, write);
    const order: string[] = [];
    const track = (name: string, done: Promise<void>): Promise<void> => done.then(() => void order.push(name));
    const all = [track('m1', reservations.reserve('app', 100)), track('m2', reservations.reserve('app', 130)), track('m3', reservations.reserve('app', 120)), track('m4', reservations.reserve('app', 90))];
    await flush();
    expect(calls.map((c) => c.time)).toEqual([100]);
    calls[0]?.finish();
    await flush();
    // m2..m4 waited together: one statement with the greatest of their times.
    expect(calls.map((c) => c.time)).toEqual([100, 130]);
    expect(order).toEqual(['m1']);
    const m5 = track('m5', reservations.reserve('app', 125));
    calls[1]?.finish();
    await Promise.all([...all, m5]);
    // m5 was made while the second statement ran; its time was covered by then: no third statement.
    expect(calls).toHaveLength(2);
    expect(order).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(known.get('app')).toBe(130);
    await flush();
    expect(reservations.busy).toBe(0);
  });

  it('needs no statement at or below what the clock is known to have reached; other apps do not wait for each other', async () => {
    const known = new Map<string, number>([['a', 500]]);
    const { calls, write } = pendingWrites();
    const reservations = new ClockReservations(known, write);
    await reservations.reserve('a', 499.5);
    expect(calls).toHaveLength(0);
    const b = reservations.reserve('b', 10);
    const a = reservations.reserve('a', 600);
    await flush();
    expect(calls.map((c) => [c.appKey, c.time])).toEqual([['b', 10], ['a', 600]]);
    calls[1]?.finish(700); // the clock was already past: what the statement returns is what is known
    await a;
    expect(known.get('a')).toBe(700);
    calls[0]?.finish();
    await b;
    await flush();
    expect(reservations.busy).toBe(0);
  });

  it('a failed statement fails the reservations it carried, and the next ones still go', async () => {
    const known = new Map<string, number>();
    const { calls, write } = pendingWrites();
    const reservations = new ClockReservations(known, write);
    const first = reservations.reserve('app', 1);
    const second = reservations.reserve('app', 2);
    await flush();
    calls[0]?.fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await flush();
    expect(calls.map((c) => c.time)).toEqual([1, 2]);
    calls[1]?.finish();
    await expect(second).resolves.toBeUndefined();
    await flush();
    expect(reservations.busy).toBe(0);
  });
});
