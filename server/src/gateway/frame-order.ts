/**
 * The order a session handles its PUBLISH/QUERY frames in. A frame waits for every earlier frame to be
 * answered (`queue`), except a frame of a pipelined topic (TopicRouter.pipelined: a send whose handler does its
 * order-sensitive step — the store append — before its first wait), which waits only until every earlier
 * frame is past that step (`gate`). A client's window of sends then reaches the store's group commit together,
 * still appended in arrival order (issue #12 P1), while a query right behind them sees all of them.
 */

/** Runs one frame's handler: its answer's promise, undefined when answered synchronously. Never rejects. */
export type FrameRun = () => Promise<void> | undefined;

export class FrameOrder {
  /** Settles once every frame admitted so far is answered; undefined when all are. */
  private queue: Promise<void> | undefined;
  /**
   * Settles once every frame so far is past its order-sensitive step — a pipelined one once its handler
   * returned without deferring its order, any other once answered; undefined when all are.
   */
  private gate: Promise<void> | undefined;
  /** The handler running right now called deferOrder(). */
  private deferred = false;

  /** Settles once every frame admitted so far is answered (undefined: nothing pending). */
  get pending(): Promise<void> | undefined {
    return this.queue;
  }

  /** The running handler waits before its order-sensitive step (SessionPort.deferOrder): later frames wait for its answer. */
  deferOrder(): void {
    this.deferred = true;
  }

  /**
   * Runs `run` now when nothing it must follow is pending (no microtask: an idle session answers a
   * synchronous handler within the call), otherwise once that is done.
   */
  admit(pipelined: boolean, run: FrameRun): void {
    const wait = pipelined ? this.gate : this.queue;
    let done: Promise<void> | undefined;
    let passed: Promise<void> | undefined;
    if (wait === undefined) {
      this.deferred = false;
      done = run();
      passed = pipelined && !this.deferred ? undefined : done;
    } else {
      let handled: Promise<void> | undefined;
      // Settles once this frame is past its order-sensitive step (returning `handled` waits for its answer).
      passed = wait.then(() => {
        this.deferred = false;
        handled = run();
        return pipelined && !this.deferred ? undefined : handled;
      });
      done = passed.then(() => handled);
    }
    if (passed !== undefined) {
      const gate = passed;
      this.gate = gate;
      void gate.then(() => {
        if (this.gate === gate) this.gate = undefined;
      });
    }
    if (done === undefined) return;
    const all = this.queue === undefined ? done : Promise.all([this.queue, done]).then(() => undefined);
    this.queue = all;
    void all.then(() => {
      if (this.queue === all) this.queue = undefined;
    });
  }
}
