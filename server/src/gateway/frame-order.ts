/**
 * The order a session handles its PUBLISH/QUERY frames in. A frame waits for every earlier frame to be
 * answered, except a frame of a pipelined topic (TopicRouter.pipelined: a send whose handler does its
 * order-sensitive step — the store append — before its first wait), which waits only until every earlier
 * frame is past that step. A client's window of sends then reaches the store's group commit together,
 * still appended in arrival order (issue #12 P1), while a query right behind them sees all of them.
 *
 * Kept with counters and a FIFO of the frames that wait, not a chain of promises: a frame that can start
 * at once costs nothing here, an asynchronous one a single continuation on its handler's promise (bench P1
 * round 13: the promise chain was ≈ 10 % of what the event loop allocated per message) — the only one per
 * frame: the runner's own check of the outcome (did the handler answer, did it fail) runs in it too
 * (FrameRunner.frameSettled), and a frame is held as the runner's item, not as a closure.
 */

/** What handles the frames (the session): FrameOrder starts each admitted item through it, in order. */
export interface FrameRunner<T> {
  /**
   * Starts `item`'s handler: the handler's promise when it is asynchronous (it may reject), undefined when the
   * item is done already (answered, or failed and answered for).
   */
  runFrame(item: T): Promise<unknown> | undefined;
  /**
   * The promise runFrame returned for `item` settled: fulfilled, or rejected (`failed`) with `error`. Runs in that
   * promise's continuation, before any frame that waits for `item` starts.
   */
  frameSettled(item: T, failed: boolean, error: unknown): void;
}

/** A frame admitted behind others, not started yet. */
interface Waiting<T> {
  readonly pipelined: boolean;
  readonly item: T;
  readonly seq: number;
}

/** A `pending` promise: settles once every frame admitted up to `seq` is answered. */
interface Barrier {
  readonly seq: number;
  /** Frames admitted up to `seq` and not answered yet. */
  left: number;
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

/** The runner is passed with each frame rather than kept: an order costs no field for it (P2 memory). */
export class FrameOrder<T> {
  /** Frames admitted so far (each frame's sequence number is the count at its admission). */
  private admitted = 0;
  /** Started frames not answered yet. */
  private running = 0;
  /** Started frames not past their order-sensitive step yet (a subset of `running`). */
  private unpassed = 0;
  /** Admitted frames that have not started, in arrival order (from `head`). */
  private waiting: Waiting<T>[] | undefined;
  private head = 0;
  /** Inside `pump`: a frame answered synchronously does not pump again. */
  private pumping = false;
  /** Requested `pending` promises not settled yet (rare: shutdown and tests). */
  private barriers: Barrier[] | undefined;
  /** The handler running right now called deferOrder(). */
  private deferred = false;

  /** Settles once every frame admitted so far is answered (undefined: nothing pending). */
  get pending(): Promise<void> | undefined {
    const unanswered = this.running + this.waitingCount();
    if (unanswered === 0) return undefined;
    const barriers = (this.barriers ??= []);
    const last = barriers[barriers.length - 1];
    if (last !== undefined && last.seq === this.admitted) return last.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((settle) => {
      resolve = settle;
    });
    barriers.push({ seq: this.admitted, left: unanswered, promise, resolve });
    return promise;
  }

  /** The running handler waits before its order-sensitive step (SessionPort.deferOrder): later frames wait for its answer. */
  deferOrder(): void {
    this.deferred = true;
  }

  /**
   * Runs `item` through `runner` now when nothing it must follow is pending (no microtask: an idle session
   * answers a synchronous handler within the call), otherwise once that is done. One session, one runner.
   */
  admit(pipelined: boolean, item: T, runner: FrameRunner<T>): void {
    const seq = ++this.admitted;
    if (this.waitingCount() === 0 && this.mayStart(pipelined)) {
      this.start(pipelined, item, seq, runner);
      return;
    }
    (this.waiting ??= []).push({ pipelined, item, seq });
  }

  private waitingCount(): number {
    return this.waiting === undefined ? 0 : this.waiting.length - this.head;
  }

  /** Every started frame is answered (or, for a pipelined frame, past its order-sensitive step). */
  private mayStart(pipelined: boolean): boolean {
    return pipelined ? this.unpassed === 0 : this.running === 0;
  }

  private start(pipelined: boolean, item: T, seq: number, runner: FrameRunner<T>): void {
    this.deferred = false;
    const done = runner.runFrame(item);
    if (done === undefined) {
      this.answered(seq);
      return;
    }
    const passed = pipelined && !this.deferred;
    this.running++;
    if (!passed) this.unpassed++;
    void done.then(
      () => this.settled(item, seq, passed, runner, false, undefined),
      (error: unknown) => this.settled(item, seq, passed, runner, true, error),
    );
  }

  /** A started frame's promise settled: the runner's check, then the frames waiting for it may start. */
  private settled(item: T, seq: number, passed: boolean, runner: FrameRunner<T>, failed: boolean, error: unknown): void {
    try {
      runner.frameSettled(item, failed, error);
    } finally {
      this.running--;
      if (!passed) this.unpassed--;
      this.answered(seq);
      this.pump(runner);
    }
  }

  /** Starts the waiting frames, in order, while the first of them may start. */
  private pump(runner: FrameRunner<T>): void {
    const waiting = this.waiting;
    if (this.pumping || waiting === undefined) return;
    this.pumping = true;
    try {
      while (this.head < waiting.length) {
        const next = waiting[this.head] as Waiting<T>;
        if (!this.mayStart(next.pipelined)) break;
        this.head++;
        this.start(next.pipelined, next.item, next.seq, runner);
      }
    } finally {
      this.pumping = false;
      if (this.head === waiting.length) {
        this.waiting = undefined;
        this.head = 0;
      }
    }
  }

  private answered(seq: number): void {
    const barriers = this.barriers;
    if (barriers === undefined) return;
    let settled = 0;
    for (const barrier of barriers) {
      if (seq <= barrier.seq && --barrier.left === 0) {
        barrier.resolve();
        settled++;
      }
    }
    if (settled === 0) return;
    const open = barriers.filter((barrier) => barrier.left > 0);
    this.barriers = open.length > 0 ? open : undefined;
  }
}
