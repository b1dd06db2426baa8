/**
 * Deterministic `Clock` for tests: time only moves when the test says so. Timers fire in due-time
 * order, ties in scheduling order; a timer scheduled while ticking fires in the same tick when it
 * falls due inside the window (setTimeout(0) inside a callback runs before `tick` returns).
 */
import type { Clock, TimerId } from '../../src/platform/platform-adapter';

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerId {
    const id = this.nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.timers.push({ id, due: this.current + delay, callback });
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Delay until the earliest timer, or undefined when none is scheduled. */
  nextDelay(): number | undefined {
    const next = this.earliest();
    return next === undefined ? undefined : next.due - this.current;
  }

  /**
   * The device clock is set forward (or back, `ms` < 0) by `ms`: now() jumps, timers keep their remaining delay
   * (hosts run timers on a monotonic clock) and none fires.
   */
  jump(ms: number): void {
    this.current += ms;
    this.timers = this.timers.map((t) => ({ ...t, due: t.due + ms }));
  }

  /** Advances time by `ms`, firing due timers synchronously. */
  tick(ms: number): void {
    const end = this.current + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      const next = this.earliest();
      if (next === undefined || next.due > end) break;
      this.fire(next);
    }
    this.current = end;
  }

  /**
   * Like `tick`, but lets promise continuations run after each timer (and once before and after),
   * so async code driven by timers makes progress the way it would on a real event loop.
   */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    await flushMicrotasks();
    for (let guard = 0; guard < 100_000; guard++) {
      const next = this.earliest();
      if (next === undefined || next.due > end) break;
      this.fire(next);
      await flushMicrotasks();
    }
    this.current = end;
    await flushMicrotasks();
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (best === undefined || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    }
    return best;
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((t) => t.id !== timer.id);
    if (timer.due > this.current) this.current = timer.due;
    timer.callback();
  }
}

/** Runs queued promise continuations (several rounds, for chained awaits). */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
