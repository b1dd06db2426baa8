/**
 * Admission of bursty per-connection work (WebSocket upgrades, pullMsg reads) into the event loop a
 * slice at a time. In a reconnect storm thousands of upgrades or pulls become ready in the same
 * poll phase; run back to back they blocked the loop for seconds (issue #13: 3–4.5 s stalls at
 * 10,000 clients), so `/healthz`, navi and accept() waited behind them and the listen queue
 * overflowed. Here a turn of the loop runs admitted work until it has taken `budgetMs`; what comes
 * after waits, in arrival order, for the next turns (setImmediate: timers and I/O run in between).
 * Invariants: tasks run in the order they were offered; a task offered while others wait never
 * overtakes them; an idle server runs every task synchronously (no added latency).
 */
import { performance } from 'node:perf_hooks';

export class TurnAdmission {
  private readonly waiting: (() => void)[] = [];
  private head = 0;
  /** performance.now() at which the current turn's admitted work started; undefined = no turn open. */
  private turnStartedAt: number | undefined;
  private drainScheduled = false;
  /** Tasks that had to wait for a later turn (exposed for tests and diagnostics). */
  deferred = 0;

  constructor(readonly budgetMs = 15) {}

  /** Tasks waiting for a later turn. */
  get backlog(): number {
    return this.waiting.length - this.head;
  }

  /** Runs `task` now if this turn has budget left and nothing waits, else in a later turn. */
  run(task: () => void): void {
    if (this.backlog === 0 && this.withinBudget()) {
      task();
      return;
    }
    this.deferred++;
    this.waiting.push(task);
    this.scheduleDrain();
  }

  /**
   * Runs `work` like `run` and settles with it. The synchronous part of `work` (up to its first real
   * await) counts against the turn's budget, so expensive synchronous steps — a store read — must
   * come before any await in it; a bare "wait for admission" promise would let the whole batch of
   * admitted continuations run together in one microtask drain, unbudgeted.
   */
  schedule<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.run(() => {
        work().then(resolve, reject);
      });
    });
  }

  private withinBudget(): boolean {
    const now = performance.now();
    if (this.turnStartedAt === undefined) {
      // A new turn: it ends at this iteration's check phase, where setImmediate callbacks run.
      this.turnStartedAt = now;
      setImmediate(() => {
        if (!this.drainScheduled) this.turnStartedAt = undefined;
      });
      return true;
    }
    return now - this.turnStartedAt < this.budgetMs;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.drainScheduled = false;
    const started = performance.now();
    this.turnStartedAt = started;
    while (this.backlog > 0 && performance.now() - started < this.budgetMs) {
      const task = this.waiting[this.head] as () => void;
      this.waiting[this.head] = noop;
      this.head++;
      try {
        task();
      } catch (error) {
        // A task owns its errors; one that throws anyway must not strand the ones behind it.
        process.emitWarning(`admitted task failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    if (this.backlog > 0) {
      this.scheduleDrain();
    } else {
      this.waiting.length = 0;
      this.head = 0;
      // Caught up: the next work (next poll phase) opens a fresh turn with a full budget.
      this.turnStartedAt = undefined;
    }
  }
}

function noop(): void {}

/**
 * The process's one event loop, shared by every gateway and handler in it: the budget is per turn of
 * the loop, so one instance must see all the bursty work.
 */
export const eventLoopAdmission = new TurnAdmission();
