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
const REMOVE_SQL = 'DELETE FROM callback_queue WHERE id = ?';
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

export class PgCallbackQueue implements CallbackQueueRepository {
  constructor(private readonly database: PgDatabase) {}

  async enqueue(items: readonly NewCallback[], now: number, maxPerApp: number): Promise<number> {
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
    return (await this.database.all<QueueRow>(HEADS_SQL, now, Math.max(1, limit))).map(toQueued);
  }

  async nextDue(): Promise<number | undefined> {
    return (await this.database.get<{ t: number | null }>(NEXT_DUE_SQL))?.t ?? undefined;
  }

  async remove(id: number): Promise<void> {
    await this.database.run(REMOVE_SQL, id);
  }

  async postpone(id: number, notBefore: number): Promise<void> {
    await this.database.run(POSTPONE_SQL, notBefore, id);
  }

  async dropStream(appKey: AppKey, kind: CallbackKind): Promise<number> {
    return this.database.run(DROP_STREAM_SQL, appKey, kind);
  }

  async size(appKey?: AppKey): Promise<number> {
    const row = appKey === undefined
      ? await this.database.get<{ n: number }>(COUNT_ALL_SQL)
      : await this.database.get<{ n: number }>(COUNT_APP_SQL, appKey);
    return row?.n ?? 0;
  }
}
