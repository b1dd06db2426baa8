import { performance } from 'node:perf_hooks';
import { TurnAdmission } from '../../../src/gateway/turn-admission';

const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // burn the turn's budget
  }
};
const nextTimer = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('TurnAdmission', () => {
  it('runs work at once while the turn has budget', () => {
    const admission = new TurnAdmission(50);
    const ran: number[] = [];
    admission.run(() => ran.push(1));
    admission.run(() => ran.push(2));
    expect(ran).toEqual([1, 2]);
    expect(admission.deferred).toBe(0);
  });

  it('defers work past the budget to later turns, in order, letting timers run in between', async () => {
    const admission = new TurnAdmission(5);
    const ran: number[] = [];
    let timerRanAt = -1;
    setTimeout(() => {
      timerRanAt = ran.length;
    }, 0);
    for (let i = 0; i < 20; i++) {
      admission.run(() => {
        ran.push(i);
        busy(2);
      });
    }
    expect(ran.length).toBeLessThan(20);
    expect(admission.backlog).toBe(20 - ran.length);
    for (let i = 0; i < 50 && ran.length < 20; i++) await nextTimer();
    expect(ran).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // The timer got the loop before the burst was done: no turn ran it all.
    expect(timerRanAt).toBeGreaterThan(0);
    expect(timerRanAt).toBeLessThan(20);
    expect(admission.backlog).toBe(0);
  });

  it('schedule() runs the synchronous part of the work inside the budget, after deferred work, and settles with it', async () => {
    const admission = new TurnAdmission(1);
    const order: string[] = [];
    admission.run(() => order.push('first'));
    busy(2);
    admission.run(() => order.push('second'));
    const result = admission.schedule(async () => {
      order.push('scheduled');
      busy(2);
      return 42;
    });
    expect(order).toEqual(['first']);
    await expect(result).resolves.toBe(42);
    expect(order).toEqual(['first', 'second', 'scheduled']);
    await expect(admission.schedule(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
  });

  it('caps the synchronous work of scheduled tasks per turn', async () => {
    const admission = new TurnAdmission(5);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    busy(6);
    admission.run(() => undefined);
    await Promise.all(
      Array.from({ length: 30 }, () =>
        admission.schedule(async () => {
          busy(1);
        }),
      ),
    );
    clearInterval(timer);
    // 30 ms of work at ≤ ~5 ms a turn: the interval ran between the turns.
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it('a throwing task does not strand the ones behind it', async () => {
    const admission = new TurnAdmission(1);
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    admission.run(() => undefined);
    busy(2);
    admission.run(() => {
      throw new Error('boom');
    });
    let after = false;
    admission.run(() => {
      after = true;
    });
    for (let i = 0; i < 20 && !after; i++) await nextTimer();
    expect(after).toBe(true);
    warn.mockRestore();
  });
});
