import type pg from 'pg';
import type { CallbackKind, CallbackQueueRepository, NewCallback, QueuedCallback } from '../callback-queue-repository';
import type { AppKey } from '../store';
import type { PgDatabase } from './pg-database';

interface QueueRow {
  readonly id: number;
  readonly app_key: string;
  readonly kind: string;
  readonly content_type: string;
  readonly body: string;
  readonly attempts: number;
  readonly not_before: number;
  readonly created_time: number;
}

// Per-app serialization of enqueues across nodes: ids come from a sequence when the row is inserted, so
// without it a later id could commit first and be delivered as a stream head before an earlier one.
// Holding the app's lock from id assignment to COMMIT keeps each app's ids committed in id order (and
// its size exact for the trim).
const LOCK_APP_SQL = "SELECT pg_advisory_xact_lock(hashtext('lianxin-callback-queue'), hashtext(?))";
// One statement for the batch; WITH ORDINALITY keeps the caller's order, which is the id order.
const INSERT_SQL = `INSERT INTO callback_queue (app_key, kind, content_type, body, not_before, created_time)
  SELECT u.app_key, u.kind, u.content_type, u.body, ?, ?
  FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS u(app_key, kind, content_type, body, n)
  ORDER BY u.n`;
const COUNT_APP_SQL = 'SELECT COUNT(*) AS n FROM callback_queue WHERE app_key = ?';
const COUNT_ALL_SQL = 'SELECT COUNT(*) AS n FROM callback_queue';
const TRIM_SQL = 'DELETE FROM callback_queue WHERE id IN (SELECT id FROM callback_queue WHERE app_key = ? ORDER BY id LIMIT ?)';
/** The head of a stream is its smallest id; only heads are ever delivered, which keeps each stream in order. */
const HEADS = 'SELECT MIN(id) AS id FROM callback_queue GROUP BY app_key, kind';
const HEADS_SQL = `SELECT q.* FROM callback_queue q JOIN (${HEADS}) h ON q.id = h.id WHERE q.not_before <= ? ORDER BY q.id LIMIT ?`;
const NEXT_DUE_SQL = `SELECT MIN(q.not_before) AS t FROM callback_queue q JOIN (${HEADS}) h ON q.id = h.id`;
const POSTPONE_SQL = 'UPDATE callback_queue SET attempts = attempts + 1, not_before = ? WHERE id = ?';
const DROP_STREAM_SQL = 'DELETE FROM callback_queue WHERE app_key = ? AND kind = ?';

function toQueued(row: QueueRow): QueuedCallback {
  return {
    id: row.id,
    appKey: row.app_key,
    kind: row.kind as CallbackKind,
    contentType: row.content_type,
    body: row.body,
    attempts: row.attempts,
    notBefore: row.not_before,
    createdTime: row.created_time,
  };
}

/*
 * Several nodes, one queue: each stream (app + kind) is delivered by ONE node at a time, or its head
 * would be posted once per node. A node owns a stream while it holds a session-level advisory lock on
 * it, taken with pg_try_advisory_lock on a connection kept for that purpose: `heads` only returns the
 * heads of streams this node owns (claiming unowned ones as it meets them) and skips streams another
 * node owns. The lock lives as long as the owner's connection, so a node that dies (kill -9, network
 * loss) releases its streams without any timeout, and another node takes them over at its next pump.
 * A node releases a stream once it has emptied it, so the next node that enqueues to it (and pumps)
 * can claim it; while a due head belongs to another node, `nextDue` answers "in FOREIGN_POLL_MS" so
 * this node looks again shortly (that covers an item enqueued here just as the owner let go, and an
 * owner that died). The key includes the schema so tenants of one database (tests) never contend.
 * Delivery stays at-least-once: a head posted just before its owner died is posted again by the next
 * owner.
 */
const STREAM_KEY = "hashtext('lianxin-callback-stream'), hashtext(current_schema() || chr(31) || $1 || chr(31) || $2)";
const TRY_LOCK_SQL = `SELECT pg_try_advisory_lock(${STREAM_KEY}) AS ok`;
const UNLOCK_SQL = `SELECT pg_advisory_unlock(${STREAM_KEY}) AS ok`;
const REMOVE_RETURNING_SQL = 'DELETE FROM callback_queue WHERE id = ? RETURNING app_key, kind';
const STILL_QUEUED_SQL = 'SELECT 1 AS found FROM callback_queue WHERE id = ?';
const STREAM_EMPTY_SQL = 'SELECT NOT EXISTS (SELECT 1 FROM callback_queue WHERE app_key = ? AND kind = ?) AS empty';
const DUE_HEADS_SQL = `SELECT q.app_key, q.kind, q.not_before FROM callback_queue q JOIN (${'SELECT MIN(id) AS id FROM callback_queue GROUP BY app_key, kind'}) h ON q.id = h.id ORDER BY q.not_before LIMIT 100`;
/** How soon to look again at due heads that another node owns. */
export const FOREIGN_POLL_MS = 1000;

export class PgCallbackQueue implements CallbackQueueRepository {
  /** Streams (app NUL kind) this node holds the lock of, on `lockClient`. */
  private readonly owned = new Set<string>();
  private lockClient: pg.PoolClient | undefined;
  private enqueues: Promise<unknown> = Promise.resolve();

  constructor(private readonly database: PgDatabase) {}

  /** Releases the stream locks (closing their connection); the store calls it before ending the pool. */
  release(): void {
    this.dropLocks(false);
  }

  private dropLocks(broken: boolean): void {
    const client = this.lockClient;
    this.lockClient = undefined;
    this.owned.clear();
    // Destroying the connection releases every session lock it held at once.
    client?.release(broken ? new Error('lock connection lost') : true);
  }

  /** The lock connection, checked alive: a lost one took our locks with it, so ownership starts over. */
  private async locks(): Promise<pg.PoolClient> {
    if (this.lockClient !== undefined) {
      try {
        await this.lockClient.query('SELECT 1');
        return this.lockClient;
      } catch {
        this.dropLocks(true);
      }
    }
    const client = await this.database.pool.connect();
    client.on('error', () => {
      if (this.lockClient === client) this.dropLocks(true);
    });
    this.lockClient = client;
    return client;
  }

  private async owns(appKey: string, kind: string): Promise<boolean> {
    const key = `${appKey}\u0000${kind}`;
    if (this.owned.has(key)) return true;
    const client = await this.locks();
    const result = await client.query<{ ok: boolean }>(TRY_LOCK_SQL, [appKey, kind]);
    if (result.rows[0]?.ok !== true) return false;
    this.owned.add(key);
    return true;
  }

  /**
   * Enqueues of this node run one after another, in call order: two overlapping transactions on two pool
   * connections could otherwise take the app lock (and so their ids) in the opposite order, and a later
   * event would be delivered first.
   */
  enqueue(items: readonly NewCallback[], now: number, maxPerApp: number): Promise<number> {
    const run = this.enqueues.then(() => this.enqueueNow(items, now, maxPerApp));
    this.enqueues = run.catch(() => undefined);
    return run;
  }

  private async enqueueNow(items: readonly NewCallback[], now: number, maxPerApp: number): Promise<number> {
    if (items.length === 0) return 0;
    // Locks in one global order (sorted app keys) so that two batches spanning the same apps cannot deadlock.
    const apps = [...new Set(items.map((item) => item.appKey))].sort();
    return this.database.tx(async (q) => {
      for (const appKey of apps) await q.run(LOCK_APP_SQL, appKey);
      await q.run(
        INSERT_SQL,
        now,
        now,
        items.map((item) => item.appKey),
        items.map((item) => item.kind),
        items.map((item) => item.contentType),
        items.map((item) => item.body),
      );
      let dropped = 0;
      for (const appKey of apps) {
        const size = (await q.get<{ n: number }>(COUNT_APP_SQL, appKey))?.n ?? 0;
        if (size > maxPerApp) dropped += await q.run(TRIM_SQL, appKey, size - Math.max(0, maxPerApp));
      }
      return dropped;
    });
  }

  async heads(now: number, limit: number): Promise<readonly QueuedCallback[]> {
    const rows = await this.database.all<QueueRow>(HEADS_SQL, now, Math.max(1, limit));
    const mine: QueuedCallback[] = [];
    for (const row of rows) {
      const held = this.owned.has(`${row.app_key}\u0000${row.kind}`);
      if (!(await this.owns(row.app_key, row.kind))) continue;
      // Claimed just now: the heads were read before the lock, and the owner that let go of it may have
      // delivered and removed this very row since (it releases a stream only once it emptied it).
      if (!held && (await this.database.get<{ found: number }>(STILL_QUEUED_SQL, row.id)) === undefined) continue;
      mine.push(toQueued(row));
    }
    return mine;
  }

  async nextDue(): Promise<number | undefined> {
    const rows = await this.database.all<{ app_key: string; kind: string; not_before: number }>(DUE_HEADS_SQL);
    if (rows.length === 0) return undefined;
    const now = Date.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const row of rows) {
      // Ascending: the first head not due yet bounds every later one.
      if (row.not_before > now) return Math.min(earliest, row.not_before);
      if (await this.owns(row.app_key, row.kind)) return row.not_before;
      earliest = Math.min(earliest, now + FOREIGN_POLL_MS);
    }
    return earliest === Number.POSITIVE_INFINITY ? (await this.database.get<{ t: number | null }>(NEXT_DUE_SQL))?.t ?? undefined : earliest;
  }

  async remove(id: number): Promise<void> {
    const row = await this.database.get<{ app_key: string; kind: string }>(REMOVE_RETURNING_SQL, id);
    if (row !== undefined) await this.releaseIfEmpty(row.app_key, row.kind);
  }

  /** Lets go of an emptied stream, so whichever node enqueues to it next can deliver it. */
  private async releaseIfEmpty(appKey: string, kind: string): Promise<void> {
    const key = `${appKey}\u0000${kind}`;
    const client = this.lockClient;
    if (!this.owned.has(key) || client === undefined) return;
    const empty = await this.database.get<{ empty: boolean }>(STREAM_EMPTY_SQL, appKey, kind);
    if (empty?.empty !== true) return;
    this.owned.delete(key);
    await client.query(UNLOCK_SQL, [appKey, kind]).catch(() => this.dropLocks(true));
  }

  async postpone(id: number, notBefore: number): Promise<void> {
    await this.database.run(POSTPONE_SQL, notBefore, id);
  }

  async dropStream(appKey: AppKey, kind: CallbackKind): Promise<number> {
    const dropped = await this.database.run(DROP_STREAM_SQL, appKey, kind);
    await this.releaseIfEmpty(appKey, kind);
    return dropped;
  }

  async size(appKey?: AppKey): Promise<number> {
    const row = appKey === undefined
      ? await this.database.get<{ n: number }>(COUNT_ALL_SQL)
      : await this.database.get<{ n: number }>(COUNT_APP_SQL, appKey);
    return row?.n ?? 0;
  }
}
