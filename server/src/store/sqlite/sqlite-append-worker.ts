import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AppendOutcome } from '../message-append-batcher';
import { packJobs, unpackJobs } from './sqlite-append-pack';
import type { AppendCommitted, AppendJob } from './sqlite-append-job';
import { createAppendExecutor } from './sqlite-append-writer';
import { decodeSegment, encodeSegment } from './sqlite-entry-segments';
import { createEntryPacker } from './sqlite-entry-packer';
import { SqliteCheckpointer, WRITER_AUTOCHECKPOINT_PAGES } from './sqlite-checkpointer';
import { SQLITE_PRAGMAS } from './sqlite-database';

/** What the writer thread answers: a batch's outcomes, a move's acknowledgement, or the error that failed either. */
interface WorkerReply {
  readonly outcomes?: unknown[];
  /** Entries pending after the batch (a move may follow it in the thread). */
  readonly pending?: number;
  readonly moved?: true;
  /** After a move: the newest message id on file (createAppendExecutor's move). */
  readonly through?: number;
  readonly error?: unknown;
}

/**
 * The group commit's writer thread: a `worker_threads` worker with its own better-sqlite3 connection to the
 * same file runs each batch (createAppendExecutor: BEGIN IMMEDIATE … COMMIT, the WAL fsync, and any WAL
 * auto-checkpoint) while the event loop keeps serving frames and reads on the main connection — WAL lets
 * readers proceed during a write, and a reader started after the COMMIT returned sees it. The caller's
 * promise settles on the worker's answer, which is sent only after COMMIT returned, so "resolved ⇒
 * durable" (PUBACK after commit) is unchanged.
 *
 * The worker is evaluated from source (`eval: true`) rather than loaded from a file, so it runs the same
 * way under tsx, a compiled build and jest's CommonJS transform: the executor's own source text plus a
 * bootstrap requiring better-sqlite3 by the path resolved here. Batches never overlap (the batcher waits
 * for one answer before the next batch), answers come back in order. The worker is unref'd between
 * batches, so an idle store does not keep the process alive, and ref'd while a batch is in flight.
 * The thread also moves the pending entries (migration 012): a step after answering a batch once they are
 * due, and all of them or one owner's when a reader asks (`move`), in order with the batches. On Linux a
 * second, low-priority thread keeps the WAL checkpointed (sqlite-checkpointer.ts) and the writer's own
 * auto-checkpoint is only its safety net.
 */
export class SqliteAppendWorker {
  private worker: Worker | undefined;
  private checkpointer: SqliteCheckpointer | undefined;
  private readonly waiting: { resolve(reply: WorkerReply): void; reject(error: unknown): void }[] = [];
  private closed = false;
  /** Whether entries may be pending in the thread: set by a batch that wrote some, cleared when a move is asked for. */
  private maybePending = true;
  private moving: Promise<void> | undefined;

  private constructor(
    private readonly file: string,
    private readonly driver: string,
    private readonly moveAtRows: number,
    private readonly soleWriter: boolean,
  ) {}

  /** A writer thread for `file`, or undefined when it cannot run here (in-memory database, driver not resolvable). */
  static forFile(file: string, moveAtRows: number, soleWriter: boolean): SqliteAppendWorker | undefined {
    if (file === '' || file === ':memory:' || file.startsWith('file:')) return undefined;
    const driver = resolveDriver();
    return driver === undefined ? undefined : new SqliteAppendWorker(path.resolve(file), driver, moveAtRows, soleWriter);
  }

  commit(jobs: readonly AppendJob[]): Promise<AppendOutcome<AppendCommitted>[]> {
    const packed = packJobs(jobs);
    return this.ask(packed, [packed.numbers.buffer, packed.bytes.buffer]).then((reply) => {
      if ((reply.pending ?? 0) > 0) this.maybePending = true;
      return unpackOutcomes(reply.outcomes ?? []);
    });
  }

  /**
   * Moves the pending entries (createAppendExecutor's move) after the batches already handed over — all of
   * them, or one owner's — and resolves once they are packed in `entry_segments`. Answers at once when no batch wrote any
   * since the last move of all. A caller that comes while a move of all is under way shares it: every batch
   * answered before that caller came was handed over before the move was asked for (answers come back in
   * order), so that move covers it.
   */
  move(owner?: { readonly appKey: string; readonly userId: string }): Promise<void> {
    if (this.moving !== undefined) return this.moving;
    if (!this.maybePending || this.closed) return Promise.resolve();
    if (owner !== undefined) return this.ask({ move: [owner.appKey, owner.userId, true] }, []).then(() => undefined);
    this.maybePending = false;
    const moving = this.ask({ move: [] }, []).then(
      () => {
        this.moving = undefined;
      },
      (error: unknown) => {
        this.moving = undefined;
        this.maybePending = true;
        throw error;
      },
    );
    this.moving = moving;
    return moving;
  }

  /**
   * Moves one owner's unpacked entries after the batches already handed over, always asking the thread, and
   * resolves with the newest message id on file then: every entry of the owner in a message up to it is packed
   * (what a pull needs to read derived entries from later messages only, sqlite-sync.ts).
   */
  settleOwner(appKey: string, userId: string): Promise<number> {
    return this.ask({ move: [appKey, userId, false] }, []).then((reply) => reply.through ?? 0);
  }

  private ask(message: unknown, transfer: ArrayBuffer[]): Promise<WorkerReply> {
    if (this.closed) return Promise.reject(new Error('append writer closed'));
    const worker = this.start();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      worker.ref();
      worker.postMessage(message, transfer);
    });
  }

  /** Stops the threads (after the batch in flight, which the batcher's flush() awaited already). */
  async close(): Promise<void> {
    this.closed = true;
    const checkpointer = this.checkpointer;
    this.checkpointer = undefined;
    await checkpointer?.close();
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      // Held until it has closed its connection, or an idle process could exit first.
      worker.ref();
      worker.postMessage('close');
    });
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    if (SqliteCheckpointer.supported()) this.checkpointer ??= SqliteCheckpointer.start(this.file, this.driver);
    const pragmas = this.checkpointer !== undefined ? [...SQLITE_PRAGMAS, `wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`] : SQLITE_PRAGMAS;
    const worker = new Worker(workerSource(), {
      eval: true,
      workerData: { file: this.file, driver: this.driver, pragmas, moveAtRows: this.moveAtRows, soleWriter: this.soleWriter },
    });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const waiter = this.waiting.shift();
      if (this.waiting.length === 0) worker.unref();
      if (waiter === undefined) return;
      if (reply.error === undefined) waiter.resolve(reply);
      else waiter.reject(toError(reply.error));
    });
    const fail = (error: unknown): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`append writer exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** The worker answers [sentTime, uid] per committed job and [-1, error] per failed one, flat. */
function unpackOutcomes(flat: readonly unknown[]): AppendOutcome<AppendCommitted>[] {
  const outcomes: AppendOutcome<AppendCommitted>[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const sentTime = flat[i] as number;
    outcomes.push(sentTime >= 0 ? { ok: true, value: { sentTime, uid: flat[i + 1] as string } } : { ok: false, error: toError(flat[i + 1]) });
  }
  return outcomes;
}

/**
 * Errors cross the thread as { message, code } (better-sqlite3's SqliteError is not one of the error types
 * structured clone keeps) and become an Error with the driver's `code` here.
 */
function toError(sent: unknown): Error {
  const { message, code } = (sent ?? {}) as { message?: unknown; code?: unknown };
  const error = new Error(typeof message === 'string' ? message : 'append writer failed');
  return typeof code === 'string' ? Object.assign(error, { code }) : error;
}

/** better-sqlite3's entry file, resolved the way this process resolves packages; undefined if it is not found. */
function resolveDriver(): string | undefined {
  const bases = [path.join(process.cwd(), 'index.js'), process.argv[1]];
  for (const base of bases) {
    if (base === undefined) continue;
    try {
      return createRequire(base).resolve('better-sqlite3');
    } catch {
      // try the next base
    }
  }
  return undefined;
}

/**
 * `__name` is the helper some TypeScript transforms (tsx/esbuild keepNames) call inside function bodies;
 * the executor's text may contain such calls, so the worker defines it as the identity.
 */
function workerSource(): string {
  return `'use strict';
var __name = function (target) { return target; };
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
for (const pragma of workerData.pragmas) db.pragma(pragma);
const encodeSegment = ${encodeSegment.toString()};
const decodeSegment = ${decodeSegment.toString()};
const createEntryPacker = ${createEntryPacker.toString()};
const createAppendExecutor = ${createAppendExecutor.toString()};
const unpackJobs = ${unpackJobs.toString()};
const plain = (error) => ({ message: String(error && error.message !== undefined ? error.message : error), code: error && typeof error.code === 'string' ? error.code : undefined });
let execute;
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    if (execute === undefined) execute = createAppendExecutor(db, workerData.moveAtRows, createEntryPacker(db, { encodeSegment, decodeSegment }, workerData.soleWriter));
    if (Array.isArray(message.move)) {
      parentPort.postMessage({ moved: true, through: execute.move(message.move[0], message.move[1], message.move[2] !== false) });
      return;
    }
    const outcomes = [];
    for (const outcome of execute.append(unpackJobs(message))) {
      if (outcome.ok) outcomes.push(outcome.value.sentTime, outcome.value.uid);
      else outcomes.push(-1, plain(outcome.error));
    }
    parentPort.postMessage({ outcomes, pending: execute.pendingRows() });
  } catch (error) {
    parentPort.postMessage({ error: plain(error) });
    return;
  }
  // After the answer, so the batch's PUBACKs do not wait for it. A move that fails leaves the entries pending;
  // the next move (due, or asked for by a reader, who then sees the error) tries again.
  try {
    execute.moveIfDue();
  } catch {
    // kept pending, see above
  }
});
`;
}
