import type { CallbackKind, CallbackQueueRepository, NewCallback, QueuedCallback } from '../callback-queue-repository';
import type { AppKey } from '../store';
import type { SqliteDatabase } from './sqlite-database';

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

const INSERT_SQL = 'INSERT INTO callback_queue (app_key, kind, content_type, body, not_before, created_time) VALUES (?, ?, ?, ?, ?, ?)';
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

export class SqliteCallbackQueue implements CallbackQueueRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async enqueue(items: readonly NewCallback[], now: number, maxPerApp: number): Promise<number> {
    if (items.length === 0) return 0;
    return this.database.write(() => {
      const apps = new Set<string>();
      for (const item of items) {
        this.database.run(INSERT_SQL, item.appKey, item.kind, item.contentType, item.body, now, now);
        apps.add(item.appKey);
      }
      let dropped = 0;
      for (const appKey of apps) {
        const size = this.database.get<{ n: number }>(COUNT_APP_SQL, appKey)?.n ?? 0;
        if (size > maxPerApp) dropped += this.database.run(TRIM_SQL, appKey, size - Math.max(0, maxPerApp));
      }
      return dropped;
    });
  }

  async heads(now: number, limit: number): Promise<readonly QueuedCallback[]> {
    return this.database.all<QueueRow>(HEADS_SQL, now, Math.max(1, limit)).map(toQueued);
  }

  async nextDue(): Promise<number | undefined> {
    return this.database.get<{ t: number | null }>(NEXT_DUE_SQL)?.t ?? undefined;
  }

  async remove(id: number): Promise<void> {
    this.database.write(() => this.database.run(REMOVE_SQL, id));
  }

  async postpone(id: number, notBefore: number): Promise<void> {
    this.database.write(() => this.database.run(POSTPONE_SQL, notBefore, id));
  }

  async dropStream(appKey: AppKey, kind: CallbackKind): Promise<number> {
    return this.database.write(() => this.database.run(DROP_STREAM_SQL, appKey, kind));
  }

  async size(appKey?: AppKey): Promise<number> {
    const row = appKey === undefined ? this.database.get<{ n: number }>(COUNT_ALL_SQL) : this.database.get<{ n: number }>(COUNT_APP_SQL, appKey);
    return row?.n ?? 0;
  }
}
