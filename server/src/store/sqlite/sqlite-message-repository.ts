import { AppendBatcher, type AppendBatcherOptions, type AppendOutcome } from '../message-append-batcher';
import type {
  AppKey,
  ConversationKey,
  Direction,
  HistoryPage,
  HistoryQuery,
  MessageRepository,
  NewMessage,
  RecallResult,
  StoredMessage,
  SyncPage,
  UserId,
} from '../store';
import type { SqliteDatabase } from './sqlite-database';
import { MESSAGE_COLUMNS, toStoredMessage, toSyncEntry } from '../rows';
import { planAppend, storedMessage, type AppendCommitted, type AppendJob } from './sqlite-append-job';
import { createAppendExecutor, type AppendExecutor } from './sqlite-append-writer';
import type { SqliteAppendWorker } from './sqlite-append-worker';
import type { EntryRow, MessageRow } from '../rows';
import { internName, REF } from './sqlite-names';
import { readSyncPage } from './sqlite-sync';
import { SyncTail } from './sqlite-sync-tail';
import { createEntryPacker } from './sqlite-entry-packer';
import { decodeSegment, encodeSegment, SEG, type SegmentRow } from './sqlite-entry-segments';
import { conversationEntries, conversationEntriesAfter, conversationRow, entryRow, ownerRef, rewriteSegment, segmentHolding } from './sqlite-owner-entries';

const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;
const SEGMENT_CODEC = { encodeSegment, decodeSegment };

const MESSAGE_BY_UID_SQL = `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.app_key = ? AND m.uid = ?`;
const RECALL_SQL = 'UPDATE messages SET recalled = 1 WHERE id = ?';
const LAST_SENT_TIME_SQL = 'SELECT last_sent_time AS t FROM app_clocks WHERE app_key = ?';
// A node sharing the file with others (not its sole writer) reserves in the file; the writer times appends after
// both columns (sqlite-append-writer.ts). Kept apart from last_sent_time, the newest stored message's time.
const RESERVE_TIME_SQL = `INSERT INTO app_clocks (app_key, last_sent_time, reserved_time) VALUES (?, 0, ?)
  ON CONFLICT (app_key) DO UPDATE SET reserved_time = MAX(reserved_time, excluded.reserved_time)`;
// Both names are interned first (internName), so the subqueries find them.
const CLEAR_SQL = `INSERT INTO conversations (owner_ref, type, target_ref, updated_time, listed, cleared_up_to)
  VALUES (${REF}, ?, ${REF}, 0, 0, ?)
  ON CONFLICT (owner_ref, type, target_ref) DO UPDATE SET cleared_up_to = MAX(cleared_up_to, excluded.cleared_up_to)`;
const MESSAGE_ID_SQL = 'SELECT id, sent_time FROM messages WHERE app_key = ? AND uid = ?';
// Written with the message by the append writer (group messages and SYSTEM broadcasts; migration 013's table).
const RECIPIENTS_SQL = `SELECT n.name AS owner
  FROM group_recipients r JOIN json_each(r.owners) j JOIN names n ON n.id = j.value
  WHERE r.message_id = (SELECT id FROM messages WHERE app_key = ? AND uid = ?)
  ORDER BY n.name`;
const PRUNE_SQL = 'DELETE FROM messages WHERE sent_time < ?';
// Segments wholly before the window; the entries of one that straddles it name pruned messages and are
// skipped when read (migration 013).
const PRUNE_SEGMENTS_SQL = 'DELETE FROM entry_segments WHERE last_time < ?';

export interface SqliteMessageRepositoryOptions {
  /** Randomness for uids, [0, 1) like Math.random. */
  readonly random: () => number;
  /** Group commit of appends (message-append-batcher.ts); defaults: up to 1024 per commit, flushed each event-loop turn. */
  readonly groupCommit?: Partial<AppendBatcherOptions>;
  /** Commits batches on this writer thread; absent: on the caller's thread, with the main connection. */
  readonly worker?: SqliteAppendWorker;
  /** Pending entries that make the writer move them (createAppendExecutor). */
  readonly moveAtRows: number;
  /** The file's only writer (SqliteStoreOptions.soleWriter): sync tails (sqlite-sync-tail.ts) and the writer's held pending rows. */
  readonly soleWriter: boolean;
}

/**
 * Appends are group-committed: those queued in one event-loop turn share one BEGIN IMMEDIATE … COMMIT
 * (one WAL fsync with synchronous=FULL) and each resolves after that COMMIT, so the PUBACK still follows
 * durability. A message that fails rolls back alone (clock included) and rejects only its caller (see
 * sqlite-append-writer.ts). Messages are written in call order, so sentTime stays strictly increasing in
 * the order `append` was called, as with one transaction per message. With a writer thread the commit runs
 * there (sqlite-append-worker.ts) while the next batch gathers here; batches still never overlap.
 */
export class SqliteMessageRepository implements MessageRepository {
  private readonly batcher: AppendBatcher<NewMessage, StoredMessage>;
  private readonly random: () => number;
  private readonly worker: SqliteAppendWorker | undefined;
  /** Inline executor, prepared on first use (the tables exist only after migrate()). */
  private executor: AppendExecutor | undefined;
  private readonly moveAtRows: number;
  private readonly tail: SyncTail | undefined;
  private readonly soleWriter: boolean;
  /**
   * Sole writer: per app, the greatest time reserved (reserveTime; one number per app). Instead of writing the
   * clock row, the next appends are timed after it (planAppend's `now` raised to it + 1): no I/O on the send path.
   */
  private readonly reserved = new Map<AppKey, number>();

  constructor(
    private readonly database: SqliteDatabase,
    options: SqliteMessageRepositoryOptions,
  ) {
    this.random = options.random;
    this.worker = options.worker;
    this.moveAtRows = options.moveAtRows;
    this.tail = options.soleWriter ? new SyncTail() : undefined;
    this.soleWriter = options.soleWriter;
    this.batcher = new AppendBatcher((batch) => this.commitBatch(batch), options.groupCommit);
  }

  /** Not `async`: the batcher's promise is handed back as is (no extra promise and ticks per message). */
  append(message: NewMessage): Promise<StoredMessage> {
    if ((message.flags & 1) === 0) return Promise.reject(new Error('append: only persisted messages (flags & 1) are stored'));
    return this.batcher.enqueue(message);
  }

  /** Commits every queued append now; the store calls it before closing the database. */
  async flush(): Promise<void> {
    await this.batcher.flush();
  }

  /** flush(), then stops the writer thread if there is one. */
  async close(): Promise<void> {
    await this.batcher.flush();
    await this.worker?.close();
  }

  /** Pulls answered from the sync tails (sqlite-sync-tail.ts), for diagnostics and tests. */
  get syncTailHits(): number {
    return this.tail?.hits ?? 0;
  }

  /** Group-commit counters (batches, messages) for diagnostics and tests. */
  get groupCommitStats(): { readonly batches: number; readonly jobs: number } {
    return this.batcher.stats;
  }

  private commitBatch(batch: readonly NewMessage[]): AppendOutcome<StoredMessage>[] | Promise<AppendOutcome<StoredMessage>[]> {
    const reserved = this.reserved;
    const jobs = batch.map((message) => planAppend(message, this.random, reserved.size === 0 ? undefined : reserved.get(message.appKey)));
    const tail = this.tail;
    const toStored = (outcomes: readonly AppendOutcome<AppendCommitted>[]): AppendOutcome<StoredMessage>[] =>
      outcomes.map((outcome, i) => {
        if (!outcome.ok) return outcome;
        const stored = storedMessage(batch[i] as NewMessage, outcome.value);
        if (tail !== undefined) {
          for (const [owner, direction, , , mentioned] of (jobs[i] as AppendJob).entries) {
            tail.appended(stored.appKey, owner, stored, direction as Direction, mentioned === 1);
          }
        }
        return { ok: true, value: stored };
      });
    if (this.worker !== undefined) {
      // A batch whose outcome is unknown may have committed entries no tail heard of.
      return this.worker.commit(jobs).then(toStored, (error: unknown) => {
        tail?.clear();
        throw error;
      });
    }
    const executor = this.inlineExecutor();
    let committed: AppendOutcome<AppendCommitted>[];
    try {
      committed = executor.append(jobs);
    } catch (error) {
      tail?.clear();
      throw error;
    }
    const outcomes = toStored(committed);
    try {
      executor.moveIfDue();
    } catch {
      // The batch is committed either way; its entries stay pending and the next move tries again (a reader
      // that asks for one sees the error).
    }
    return outcomes;
  }

  private inlineExecutor(): AppendExecutor {
    this.executor ??= createAppendExecutor(this.database.db, this.moveAtRows, createEntryPacker(this.database.db, SEGMENT_CODEC, this.soleWriter));
    return this.executor;
  }

  /**
   * Resolves once every entry of an append already answered — of `owner` only, when given — is packed in a segment
   * and its conversation rows are written (createAppendExecutor's move, on the writer thread when there is
   * one). Every reader or writer of per-owner rows but the inbox pull (which reads the unpacked ones too, after
   * its own `settleForPull` as the file's only writer) calls it first: with its owner when it reads one owner's
   * rows, so the others' stay pending for a move that writes each page once for many rows.
   */
  settle(appKey?: AppKey, owner?: UserId): Promise<void> {
    const one = appKey !== undefined && owner !== undefined ? { appKey, userId: owner } : undefined;
    if (this.worker !== undefined) return this.worker.move(one);
    this.inlineExecutor().move(one?.appKey, one?.userId);
    return Promise.resolve();
  }

  /** Packs the owner's unpacked entries; resolves with the newest message id on file then (createAppendExecutor's move). */
  private settleForPull(appKey: AppKey, owner: UserId): Promise<number> {
    if (this.worker !== undefined) return this.worker.settleOwner(appKey, owner);
    return Promise.resolve(this.inlineExecutor().move(appKey, owner, false));
  }

  /** At open, before any writer thread runs: moves what a previous process left pending, on the main connection. */
  movePendingNow(): void {
    createAppendExecutor(this.database.db, this.moveAtRows, createEntryPacker(this.database.db, SEGMENT_CODEC, false)).move();
  }

  async sync(
    appKey: AppKey,
    owner: UserId,
    inboxAfter: number,
    sendboxAfter: number | null,
    limit: number,
    notBefore: number,
  ): Promise<SyncPage> {
    const tail = this.tail;
    if (tail === undefined) return readSyncPage(this.database, appKey, owner, inboxAfter, sendboxAfter, limit, notBefore);
    const known = tail.page(appKey, owner, inboxAfter, sendboxAfter, limit, notBefore);
    if (known !== undefined) return known;
    // As the file's only writer, the owner's unpacked entries are packed first (nothing to do, and no
    // transaction, when the writer holds none of them): the read then looks for derived entries only in
    // messages newer than that, instead of in every message above the derived floor (sqlite-sync.ts).
    const packedThrough = await this.settleForPull(appKey, owner);
    const page = readSyncPage(this.database, appKey, owner, inboxAfter, sendboxAfter, limit, notBefore, packedThrough);
    // A finished page holds every entry above where each direction was read; later appends follow.
    if (!page.hasMore) {
      tail.started(appKey, owner, page, Math.max(inboxAfter, notBefore - 1), sendboxAfter === null ? null : Math.max(sendboxAfter, notBefore - 1));
    }
    return page;
  }

  /** A stored message changed or went (recall, expansion, prune): what the tails hold may differ from the store. */
  forgetSyncTails(): void {
    this.tail?.clear();
  }

  async lastSentTime(appKey: AppKey): Promise<number> {
    return this.database.get<{ t: number }>(LAST_SENT_TIME_SQL, appKey)?.t ?? 0;
  }

  reserveTime(appKey: AppKey, time: number): Promise<void> {
    const t = Math.ceil(time);
    if (!this.soleWriter) {
      this.database.run(RESERVE_TIME_SQL, appKey, t);
    } else if ((this.reserved.get(appKey) ?? Number.NEGATIVE_INFINITY) < t) {
      this.reserved.set(appKey, t);
    }
    return Promise.resolve();
  }

  async get(appKey: AppKey, uid: string): Promise<StoredMessage | undefined> {
    const row = this.database.get<MessageRow>(MESSAGE_BY_UID_SQL, appKey, uid);
    return row === undefined ? undefined : toStoredMessage(row);
  }

  /**
   * Visible = not deleted by the owner, not recalled, above the owner's clear watermark. The conversation's
   * entries come newest first along its chain of segments (sqlite-owner-entries.ts), from the segment holding
   * the page's bound when the conversation is there; a newer page scans the owner's segments forward from its
   * bound, or walks the chain down to it when the conversation is sparse there.
   */
  async history(query: HistoryQuery): Promise<HistoryPage> {
    const { appKey, owner, conversation } = query;
    const count = Math.max(0, Math.floor(query.count));
    await this.settle(appKey, owner);
    return this.database.read(() => {
      const db = this.database;
      const ownerKey = ownerRef(db, appKey, owner);
      const targetKey = ownerRef(db, appKey, conversation.targetId);
      if (ownerKey === undefined || targetKey === undefined) return { messages: [], hasMore: false };
      const row = conversationRow(db, ownerKey, conversation.type, targetKey);
      if (row === undefined) return { messages: [], hasMore: false };
      const cleared = row.cleared_up_to;
      const visible = (entry: SegmentRow): EntryRow | undefined => {
        if (entry[SEG.deleted] !== 0) return undefined;
        const found = entryRow(db, entry);
        return found === undefined || found.recalled !== 0 ? undefined : found;
      };
      const rows: EntryRow[] = [];
      if (query.order === 0) {
        const before = query.time === 0 ? NO_UPPER_BOUND : query.time;
        for (const entry of conversationEntries(db, ownerKey, conversation.type, targetKey, row.updated_time, { from: before })) {
          const time = entry[SEG.sentTime];
          if (time <= cleared) break;
          if (time >= before) continue;
          const found = visible(entry);
          if (found !== undefined) rows.push(found);
          if (rows.length > count) break;
        }
      } else {
        const after = Math.max(cleared, query.time);
        // Forward over the owner's segments while the conversation is dense there; else back along its chain.
        let complete = true;
        for (const entry of conversationEntriesAfter(db, ownerKey, conversation.type, targetKey, after)) {
          if (entry === null) {
            complete = false;
            break;
          }
          const found = visible(entry);
          if (found !== undefined) rows.push(found);
          if (rows.length > count) break;
        }
        if (!complete) {
          rows.length = 0;
          const newer: SegmentRow[] = [];
          for (const entry of conversationEntries(db, ownerKey, conversation.type, targetKey, row.updated_time)) {
            if (entry[SEG.sentTime] <= after) break;
            newer.push(entry);
          }
          for (let i = newer.length - 1; i >= 0 && rows.length <= count; i--) {
            const found = visible(newer[i] as SegmentRow);
            if (found !== undefined) rows.push(found);
          }
        }
      }
      const page = rows.slice(0, count).map(toSyncEntry);
      if (query.order === 1) page.reverse();
      return { messages: page, hasMore: rows.length > count };
    });
  }

  async recipientsOf(appKey: AppKey, uid: string): Promise<readonly UserId[]> {
    // Written in the message's own commit: every answered append is there, nothing to move first.
    return this.database.all<{ owner: string }>(RECIPIENTS_SQL, appKey, uid).map((row) => row.owner);
  }

  async recall(appKey: AppKey, uid: string, by: UserId): Promise<RecallResult> {
    return this.database.write((): RecallResult => {
      const row = this.database.get<MessageRow>(MESSAGE_BY_UID_SQL, appKey, uid);
      if (row === undefined) return { ok: false, reason: 'not-found' };
      if (row.from_user_id !== by) return { ok: false, reason: 'not-sender' };
      if (row.recalled !== 0) return { ok: false, reason: 'already-recalled' };
      this.database.run(RECALL_SQL, row.id);
      this.forgetSyncTails();
      return { ok: true, message: toStoredMessage({ ...row, recalled: 1 }) };
    });
  }

  async deleteForOwner(appKey: AppKey, owner: UserId, conversation: ConversationKey, uids: readonly string[]): Promise<void> {
    await this.settle(appKey, owner);
    const db = this.database;
    db.write(() => {
      const ownerKey = ownerRef(db, appKey, owner);
      const targetKey = ownerRef(db, appKey, conversation.targetId);
      if (ownerKey === undefined || targetKey === undefined) return;
      for (const uid of new Set(uids)) {
        const message = db.get<{ id: number; sent_time: number }>(MESSAGE_ID_SQL, appKey, uid);
        if (message === undefined) continue;
        const record = segmentHolding(db, ownerKey, message.sent_time);
        if (record === undefined || record.last_time < message.sent_time) continue;
        const segment = decodeSegment(record.data);
        let changed = false;
        for (const row of segment.rows) {
          if (row[SEG.messageId] === message.id && row[SEG.convType] === conversation.type && row[SEG.targetRef] === targetKey && row[SEG.deleted] === 0) {
            row[SEG.deleted] = 1;
            changed = true;
          }
        }
        if (!changed) continue;
        const previous = new Map(segment.conversations.map((c) => [`${c.type}:${c.targetRef}`, c.prevTime]));
        rewriteSegment(db, ownerKey, record.first_time, encodeSegment(segment.rows, (type, target) => previous.get(`${type}:${target}`) ?? 0));
      }
    });
  }

  async clearHistory(appKey: AppKey, owner: UserId, conversation: ConversationKey, upTo: number): Promise<void> {
    await this.settle(appKey, owner);
    this.database.write(() => {
      internName(this.database, appKey, owner);
      internName(this.database, appKey, conversation.targetId);
      this.database.run(CLEAR_SQL, appKey, owner, conversation.type, appKey, conversation.targetId, upTo);
    });
  }

  async prune(before: number): Promise<number> {
    await this.settle();
    this.forgetSyncTails();
    return this.database.write(() => {
      const pruned = this.database.run(PRUNE_SQL, before);
      this.database.run(PRUNE_SEGMENTS_SQL, before);
      return pruned;
    });
  }
}
