/**
 * Group commit for message appends, engine-agnostic: appends queued while the event loop is busy are
 * written by one `commit` call (one transaction, one WAL fsync on SQLite) and each caller's promise
 * settles only after that commit returned, so "resolved ⇒ durable" (the gateway PUBACKs after it) holds
 * exactly as with one transaction per message.
 *
 * Invariants
 * - Jobs reach `commit` in enqueue order, and batches never overlap (an async `commit` finishes before
 *   the next batch starts), so an engine that assigns clocks inside `commit` keeps them monotonic in
 *   call order — the same order the per-message path had.
 * - `commit` returns one outcome per job: a job that fails on its own (bad row) fails only its caller;
 *   if `commit` throws, nothing of the batch was committed and every caller of the batch is rejected.
 *
 * Scheduling: a batch starts at the end of the current event-loop turn (`setImmediate`), i.e. it holds
 * every append that arrived in that turn's I/O callbacks. Under heavy load the commit itself is the
 * linger: frames keep arriving while it runs and form the next batch, so the batch size follows the load.
 * At moderate load that alone makes batches of one or two messages, each paying a transaction, an fsync
 * and a hand-off to the writer thread (bench P1 at 5,000 msg/s offered: ≈ 150 µs of server CPU per
 * message against ≈ 50 at saturation). So while appends keep coming — the previous batch ended less than
 * `lingerWithinMs` ago — a batch smaller than `lingerBelow` waits up to `lingerMs` for more; after a quiet
 * spell the first append is committed at the end of its turn (no added latency for a lone message), and a
 * batch that reaches `lingerBelow` stops waiting. `maxBatch` bounds one transaction: 1024 by default, above
 * P1's 800 messages in flight so a slow fsync is paid once per turn, and ≈ 40 ms of SQLite work at most.
 */

export type AppendOutcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/** Writes `jobs` in one transaction; one outcome per job, in order. Throws when nothing was committed. */
export type CommitBatch<J, R> = (jobs: readonly J[]) => readonly AppendOutcome<R>[] | Promise<readonly AppendOutcome<R>[]>;

export interface AppendBatcherOptions {
  /** Most jobs per commit; reaching it flushes without waiting for the end of the turn. */
  readonly maxBatch: number;
  /** 0: flush at the end of the current event-loop turn; > 0: a small batch may wait up to this many ms for more jobs. */
  readonly lingerMs: number;
  /** A batch of this many jobs or more does not wait (it starts at the end of the turn). */
  readonly lingerBelow: number;
  /** A batch waits only if the previous one ended less than this many ms ago (Infinity: always). */
  readonly lingerWithinMs: number;
}

/**
 * 2 ms: at 5,000 private messages/s offered, server CPU 0.77 → 0.47 cores; at saturation (one core) ≈ 5 %
 * more throughput; a lone message is not delayed (bench/analysis/p1-private.md round 12).
 */
export const DEFAULT_APPEND_BATCHER_OPTIONS: AppendBatcherOptions = { maxBatch: 1024, lingerMs: 2, lingerBelow: 64, lingerWithinMs: 10 };

interface Pending<J, R> {
  readonly job: J;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

export class AppendBatcher<J, R> {
  private queue: Pending<J, R>[] = [];
  private scheduled: { cancel(): void } | undefined;
  /** The batch being committed by an async `commit`; the next one waits for it. */
  private inFlight: Promise<void> | undefined;
  private readonly options: AppendBatcherOptions;
  private batches = 0;
  private jobs = 0;
  /** When the last batch ended (performance.now()); appends after a quiet spell do not linger. */
  private lastBatchEnd = Number.NEGATIVE_INFINITY;
  /** Whether the scheduled start is a linger timer (not the end of the turn). */
  private lingering = false;

  constructor(
    private readonly commit: CommitBatch<J, R>,
    options: Partial<AppendBatcherOptions> = {},
  ) {
    this.options = { ...DEFAULT_APPEND_BATCHER_OPTIONS, ...options };
    if (!(this.options.maxBatch >= 1)) throw new RangeError('AppendBatcher: maxBatch must be ≥ 1');
  }

  /** Jobs queued and not yet handed to `commit`. */
  get pending(): number {
    return this.queue.length;
  }

  /** Commits so far and jobs they carried (average batch size = jobs / batches). */
  get stats(): { readonly batches: number; readonly jobs: number } {
    return { batches: this.batches, jobs: this.jobs };
  }

  enqueue(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.kick();
      else if (this.queue.length === this.options.lingerBelow && this.lingering) this.startAtEndOfTurn();
      else this.schedule();
    });
  }

  /** Commits everything queued now (and waits for a batch in flight); for close(). */
  async flush(): Promise<void> {
    this.cancelScheduled();
    while (this.inFlight !== undefined || this.queue.length > 0) {
      if (this.inFlight !== undefined) await this.inFlight;
      else this.kick();
    }
  }

  private schedule(): void {
    if (this.scheduled !== undefined || this.inFlight !== undefined) return;
    const { lingerMs, lingerBelow, lingerWithinMs } = this.options;
    const busy = lingerWithinMs === Number.POSITIVE_INFINITY || performance.now() - this.lastBatchEnd < lingerWithinMs;
    if (lingerMs > 0 && this.queue.length < lingerBelow && busy) {
      const timer = setTimeout(() => this.fire(), lingerMs);
      this.lingering = true;
      this.scheduled = { cancel: () => clearTimeout(timer) };
    } else {
      this.scheduleEndOfTurn();
    }
  }

  private scheduleEndOfTurn(): void {
    const immediate = setImmediate(() => this.fire());
    this.lingering = false;
    this.scheduled = { cancel: () => clearImmediate(immediate) };
  }

  /** A lingering batch that grew large enough: it starts at the end of this turn instead. */
  private startAtEndOfTurn(): void {
    this.cancelScheduled();
    this.scheduleEndOfTurn();
  }

  private fire(): void {
    this.scheduled = undefined;
    this.lingering = false;
    this.kick();
  }

  private cancelScheduled(): void {
    this.scheduled?.cancel();
    this.scheduled = undefined;
    this.lingering = false;
  }

  /** Starts a commit of up to maxBatch queued jobs unless one is in flight (it reschedules when done). */
  private kick(): void {
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    this.cancelScheduled();
    const batch = this.queue.length <= this.options.maxBatch ? this.queue : this.queue.slice(0, this.options.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
    this.batches += 1;
    this.jobs += batch.length;
    let outcomes: readonly AppendOutcome<R>[] | Promise<readonly AppendOutcome<R>[]>;
    try {
      outcomes = this.commit(batch.map((p) => p.job));
    } catch (error) {
      rejectAll(batch, error);
      this.afterBatch();
      return;
    }
    if (!(outcomes instanceof Promise)) {
      settle(batch, outcomes);
      this.afterBatch();
      return;
    }
    this.inFlight = outcomes.then(
      (done) => settle(batch, done),
      (error: unknown) => rejectAll(batch, error),
    ).finally(() => {
      this.inFlight = undefined;
      this.afterBatch();
    });
  }

  private afterBatch(): void {
    this.lastBatchEnd = performance.now();
    if (this.queue.length === 0) return;
    if (this.queue.length >= this.options.maxBatch) this.kick();
    else this.schedule();
  }
}

function rejectAll<J, R>(batch: readonly Pending<J, R>[], error: unknown): void {
  for (const pending of batch) pending.reject(error);
}

function settle<J, R>(batch: readonly Pending<J, R>[], outcomes: readonly AppendOutcome<R>[]): void {
  if (outcomes.length !== batch.length) {
    rejectAll(batch, new Error(`commit returned ${outcomes.length} outcomes for ${batch.length} jobs`));
    return;
  }
  for (let i = 0; i < batch.length; i++) {
    const pending = batch[i] as Pending<J, R>;
    const outcome = outcomes[i] as AppendOutcome<R>;
    if (outcome.ok) pending.resolve(outcome.value);
    else pending.reject(outcome.error);
  }
}
