import { AppendBatcher, type AppendBatcherOptions } from '../message-append-batcher';
import type {
  AppKey,
  ConversationKey,
  HistoryPage,
  HistoryQuery,
  MessageRepository,
  NewMessage,
  RecallResult,
  StoredMessage,
  SyncPage,
  UserId,
} from '../store';
import { Direction } from '../store';
// Row shapes and mappers are engine-independent (same column names and 0/1 flags in both schemas).
import { ENTRY_SELECT, MESSAGE_COLUMNS, toStoredMessage, toSyncEntry } from '../rows';
import type { EntryRow, MessageRow } from '../rows';
import type { PgDatabase, PgQueryable } from './pg-database';
import { PgAppendWriter } from './pg-append-writer';
import { ClockReservations } from './pg-clock-reservations';
import { readPgSyncPage } from './pg-sync';

const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

const MESSAGE_BY_UID_SQL = `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.app_key = ? AND m.uid = ?`;
const LOCK_BY_UID_SQL = `${MESSAGE_BY_UID_SQL} FOR UPDATE`;
const RECALL_SQL = 'UPDATE messages SET recalled = 1 WHERE id = ?';
const LAST_SENT_TIME_SQL = 'SELECT last_sent_time AS t FROM app_clocks WHERE app_key = ?';
// Kept apart from last_sent_time (the newest stored message's time); the row is created when missing, as the
// append writer's ENSURE_CLOCKS does. Returns what the clock has reached: appends are timed after both columns.
const RESERVE_TIME_SQL = `INSERT INTO app_clocks (app_key, last_sent_time, reserved_time) VALUES (?, 0, ?)
  ON CONFLICT (app_key) DO UPDATE SET reserved_time = GREATEST(app_clocks.reserved_time, EXCLUDED.reserved_time)
  RETURNING GREATEST(last_sent_time, reserved_time) AS t`;
const CLEARED_SQL = 'SELECT cleared_up_to AS t FROM conversations WHERE app_key = ? AND owner = ? AND type = ? AND target_id = ?';
const CLEAR_SQL = `INSERT INTO conversations (app_key, owner, type, target_id, updated_time, listed, cleared_up_to)
  VALUES (?, ?, ?, ?, 0, 0, ?)
  ON CONFLICT (app_key, owner, type, target_id) DO UPDATE SET cleared_up_to = GREATEST(conversations.cleared_up_to, EXCLUDED.cleared_up_to)`;
const DELETE_FOR_OWNER_SQL = `UPDATE entries SET deleted = 1
  WHERE message_id IN (SELECT id FROM messages WHERE app_key = ? AND uid = ANY(?::text[]))
    AND owner = ? AND conv_type = ? AND conv_target = ?`;
const PRUNE_SQL = 'DELETE FROM messages WHERE sent_time < ?';
const RECIPIENTS_SQL = `SELECT e.owner FROM entries e
  WHERE e.message_id = (SELECT id FROM messages WHERE app_key = ? AND uid = ?) AND e.direction = ${Direction.Receive}
  ORDER BY e.owner`;

const VISIBLE = `${ENTRY_SELECT}
  WHERE e.app_key = ? AND e.owner = ? AND e.conv_type = ? AND e.conv_target = ?
    AND e.sent_time > ? AND e.sent_time < ? AND e.deleted = 0 AND m.recalled = 0`;
const OLDER_SQL = `${VISIBLE} ORDER BY e.sent_time DESC LIMIT ?`;
const NEWER_SQL = `${VISIBLE} ORDER BY e.sent_time ASC LIMIT ?`;

export interface PgMessageRepositoryOptions {
  /** Randomness for uids, [0, 1) like Math.random. */
  readonly random: () => number;
  /** Group commit of appends (message-append-batcher.ts); defaults: up to 1024 per commit, flushed each event-loop turn. */
  readonly groupCommit?: Partial<AppendBatcherOptions>;
}

/**
 * Appends are group-committed (pg-append-writer.ts): those queued while a batch is in flight, or within
 * one event-loop turn, are written by one autocommit statement that locks each app's clock row once, and
 * each resolves after that COMMIT (so the PUBACK still follows durability). The clock row is the per-app
 * serialization point across all nodes: its lock is held until COMMIT, so appends of one app commit in
 * sentTime order and a reader never sees sentTime n+1 committed while n is still in flight (sync cursors
 * never skip a message). It is never held across client round trips on the fast path (P7: one statement
 * per step inside BEGIN…COMMIT made `Lock:transactionid` the dominant wait). A failing batch is retried
 * with a SAVEPOINT per message, so a bad message fails alone. Batches never overlap and are written in
 * call order, so sentTime stays strictly increasing in the order `append` was called on this node.
 */
export class PgMessageRepository implements MessageRepository {
  private readonly batcher: AppendBatcher<NewMessage, StoredMessage>;
  /**
   * Per app, a value the shared clock is known to have reached (this node's appends and reservations; the clock
   * never goes back), so reserveTime skips the round trip at or below it.
   */
  private readonly knownClock = new Map<AppKey, number>();
  /** Not-stored messages' clock reservations, in order per app (pg-clock-reservations.ts). */
  private readonly reservations: ClockReservations;

  constructor(
    private readonly database: PgDatabase,
    options: PgMessageRepositoryOptions,
  ) {
    const writer = new PgAppendWriter(database, options.random, this.knownClock);
    this.reservations = new ClockReservations(this.knownClock, (appKey, t) =>
      database.get<{ t: string | number }>(RESERVE_TIME_SQL, appKey, t).then((row) => (row === undefined ? t : Number(row.t))),
    );
    this.batcher = new AppendBatcher((batch) => writer.commit(batch), options.groupCommit);
  }

  /** Not `async`: the batcher's promise is handed back as is (no extra promise and ticks per message). */
  append(message: NewMessage): Promise<StoredMessage> {
    if ((message.flags & 1) === 0) return Promise.reject(new Error('append: only persisted messages (flags & 1) are stored'));
    return this.batcher.enqueue(message);
  }

  /** Commits every queued append now; the store calls it before closing the pool. */
  async flush(): Promise<void> {
    await this.batcher.flush();
  }

  /** Group-commit counters (batches, messages) for diagnostics and tests. */
  get groupCommitStats(): { readonly batches: number; readonly jobs: number } {
    return this.batcher.stats;
  }

  async sync(appKey: AppKey, owner: UserId, inboxAfter: number, sendboxAfter: number | null, limit: number, notBefore: number): Promise<SyncPage> {
    return readPgSyncPage(this.database, appKey, owner, inboxAfter, sendboxAfter, limit, notBefore);
  }

  async lastSentTime(appKey: AppKey): Promise<number> {
    const row = await this.database.get<{ t: string | number }>(LAST_SENT_TIME_SQL, appKey);
    return row === undefined ? 0 : Number(row.t);
  }

  reserveTime(appKey: AppKey, time: number): Promise<void> {
    return this.reservations.reserve(appKey, time);
  }

  async get(appKey: AppKey, uid: string): Promise<StoredMessage | undefined> {
    const row = await this.database.get<MessageRow>(MESSAGE_BY_UID_SQL, appKey, uid);
    return row === undefined ? undefined : toStoredMessage(row);
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    const { appKey, owner, conversation } = query;
    const count = Math.max(0, Math.floor(query.count));
    return this.database.read(async (q) => {
      const cleared = await clearedUpTo(q, appKey, owner, conversation);
      const rows =
        query.order === 0
          ? await q.all<EntryRow>(OLDER_SQL, appKey, owner, conversation.type, conversation.targetId, cleared,
              query.time === 0 ? NO_UPPER_BOUND : query.time, count + 1)
          : await q.all<EntryRow>(NEWER_SQL, appKey, owner, conversation.type, conversation.targetId,
              Math.max(cleared, query.time), NO_UPPER_BOUND, count + 1);
      const page = rows.slice(0, count).map(toSyncEntry);
      if (query.order === 1) page.reverse();
      return { messages: page, hasMore: rows.length > count };
    });
  }

  async recipientsOf(appKey: AppKey, uid: string): Promise<readonly UserId[]> {
    return (await this.database.all<{ owner: string }>(RECIPIENTS_SQL, appKey, uid)).map((row) => row.owner);
  }

  async recall(appKey: AppKey, uid: string, by: UserId): Promise<RecallResult> {
    return this.database.tx(async (q): Promise<RecallResult> => {
      const row = await q.get<MessageRow>(LOCK_BY_UID_SQL, appKey, uid);
      if (row === undefined) return { ok: false, reason: 'not-found' };
      if (row.from_user_id !== by) return { ok: false, reason: 'not-sender' };
      if (row.recalled !== 0) return { ok: false, reason: 'already-recalled' };
      await q.run(RECALL_SQL, row.id);
      return { ok: true, message: toStoredMessage({ ...row, recalled: 1 }) };
    });
  }

  async deleteForOwner(appKey: AppKey, owner: UserId, conversation: ConversationKey, uids: readonly string[]): Promise<void> {
    if (uids.length === 0) return;
    await this.database.run(DELETE_FOR_OWNER_SQL, appKey, [...new Set(uids)], owner, conversation.type, conversation.targetId);
  }

  async clearHistory(appKey: AppKey, owner: UserId, conversation: ConversationKey, upTo: number): Promise<void> {
    await this.database.run(CLEAR_SQL, appKey, owner, conversation.type, conversation.targetId, upTo);
  }

  async prune(before: number): Promise<number> {
    return this.database.run(PRUNE_SQL, before);
  }
}

async function clearedUpTo(q: PgQueryable, appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<number> {
  return (await q.get<{ t: number }>(CLEARED_SQL, appKey, owner, conversation.type, conversation.targetId))?.t ?? 0;
}
