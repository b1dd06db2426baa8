import { Worker } from 'node:worker_threads';

/** How often the checkpoint thread copies the WAL back into the database file. */
export const CHECKPOINT_EVERY_MS = 50;
/**
 * The writer's own WAL auto-checkpoint while a checkpoint thread runs: a safety net, not the mechanism. A
 * passive checkpoint from another connection copies every frame but cannot rewind the WAL while the writer
 * keeps a transaction open (the writer rewinds it when a transaction starts on a fully copied WAL), so under
 * sustained writes the WAL file grows until the writer's auto-checkpoint at this size (≈ 160 MB of 4 KB
 * pages), which finds the frames already copied and rewinds it.
 */
export const WRITER_AUTOCHECKPOINT_PAGES = 40_000;
/** The thread's nice value: it runs when the event loop and the writer leave the core idle. */
const CHECKPOINT_NICE = 19;

/**
 * A thread that keeps the WAL checkpointed in the background, so the writer's COMMITs do not stop for a
 * checkpoint of 10,000 pages (SQLite's auto-checkpoint runs inside the COMMIT that crosses the threshold,
 * and every batch behind it waits). It has its own connection and runs `wal_checkpoint(PASSIVE)` every
 * CHECKPOINT_EVERY_MS: passive checkpoints never take the write lock, so the writer is not blocked and a
 * low-priority thread cannot hold it up. At nice 19 (a per-thread attribute on Linux) it gets the core when
 * the event loop and the writer leave it idle. Bench P1 round 12, eight alternated pairs: p99 at 10,000 msg/s
 * offered lower in every pair (median 78 vs 93 ms), throughput at saturation on one core +1.6 %.
 *
 * Linux only: elsewhere `setpriority` on the calling thread would lower the whole process, so there is no
 * thread and the writer keeps SQLite's usual auto-checkpoint.
 */
export class SqliteCheckpointer {
  /** Settles when the thread has exited, whenever that is (close(), or a failure at start). */
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  static supported(): boolean {
    return process.platform === 'linux';
  }

  /** Starts the thread on `file` (resolved path) with the better-sqlite3 entry `driver`. */
  static start(file: string, driver: string): SqliteCheckpointer {
    const worker = new Worker(checkpointerSource(), {
      eval: true,
      workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS, nice: CHECKPOINT_NICE },
    });
    // The thread never keeps the process alive; close() holds it until its connection is closed.
    worker.unref();
    // A checkpoint that fails (disk full, I/O) leaves the WAL to the writer's auto-checkpoint; the thread
    // itself only exits on close().
    worker.on('error', () => undefined);
    return new SqliteCheckpointer(worker);
  }

  /** Stops the thread after closing its connection (at once if it already exited). */
  close(): Promise<void> {
    this.worker.ref();
    this.worker.postMessage('close');
    return this.exited;
  }
}

function checkpointerSource(): string {
  return `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
try {
  require('node:os').setPriority(workerData.nice);
} catch {
  // not allowed here: the thread then runs at the process's priority
}
const Database = require(workerData.driver);
const db = new Database(workerData.file);
// Never wait for a lock: a checkpoint that cannot run now runs on the next tick.
db.pragma('busy_timeout = 0');
db.pragma('wal_autocheckpoint = 0');
let timer;
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or failed: the next tick tries again
  }
  timer = setTimeout(tick, workerData.everyMs);
};
timer = setTimeout(tick, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;
}
