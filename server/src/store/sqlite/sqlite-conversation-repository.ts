import type { AppKey, ConversationKey, ConversationRepository, ConversationSummary, UserId } from '../store';
import type { SqliteDatabase } from './sqlite-database';
import { toSyncEntry } from '../rows';
import { SEG } from './sqlite-entry-segments';
import { conversationEntries, entryRow, ownerRef, SegmentCache } from './sqlite-owner-entries';
import type { EntryRow } from '../rows';
import { REF } from './sqlite-names';

const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

interface ConversationRow {
  readonly type: number;
  readonly target_ref: number;
  readonly target_id: string;
  readonly updated_time: number;
  readonly cleared_up_to: number;
}

// Keyset paging backwards along conversations_recent; (type, target_ref) break ties so that a batch boundary
// never skips a row, and ordering by the full index key needs no sort step. The target's name by its ref.
const RECENT_SQL = `SELECT c.type, c.target_ref, n.name AS target_id, c.updated_time, c.cleared_up_to
  FROM conversations c JOIN names n ON n.id = c.target_ref
  WHERE c.owner_ref = ? AND c.listed = 1 AND (c.updated_time, c.type, c.target_ref) < (?, ?, ?)
  ORDER BY c.updated_time DESC, c.type DESC, c.target_ref DESC LIMIT ?`;
// The same index forwards (listAfter): oldest first, (type, target_ref) ascending within one time.
const EARLIEST_SQL = `SELECT c.type, c.target_ref, n.name AS target_id, c.updated_time, c.cleared_up_to
  FROM conversations c JOIN names n ON n.id = c.target_ref
  WHERE c.owner_ref = ? AND c.listed = 1 AND (c.updated_time, c.type, c.target_ref) > (?, ?, ?)
  ORDER BY c.updated_time ASC, c.type ASC, c.target_ref ASC LIMIT ?`;
const ONE_SQL = `SELECT c.type, c.target_ref, n.name AS target_id, c.updated_time, c.cleared_up_to
  FROM conversations c JOIN names n ON n.id = c.target_ref
  WHERE c.owner_ref = ? AND c.type = ? AND c.target_ref = ${REF} AND c.listed = 1`;
const REMOVE_SQL = `UPDATE conversations SET listed = 0 WHERE owner_ref = ${REF} AND type = ? AND target_ref = ${REF}`;

export class SqliteConversationRepository implements ConversationRepository {
  constructor(
    private readonly database: SqliteDatabase,
    /** Moves the owner's pending entries (SqliteMessageRepository.settle); called before every read or write here. */
    private readonly settle: (appKey?: AppKey, owner?: UserId) => Promise<void>,
  ) {}

  async list(appKey: AppKey, owner: UserId, count: number, before: number): Promise<readonly ConversationSummary[]> {
    // (before, -∞, -∞) as an exclusive upper bound selects exactly updated_time < before.
    const from = { time: before > 0 ? before : NO_UPPER_BOUND, type: Number.MIN_SAFE_INTEGER, targetRef: Number.MIN_SAFE_INTEGER };
    return this.page(appKey, owner, count, RECENT_SQL, from);
  }

  async listAfter(appKey: AppKey, owner: UserId, count: number, after: number): Promise<readonly ConversationSummary[]> {
    // (after, +∞, +∞) as an exclusive lower bound selects exactly updated_time > after.
    const from = { time: Math.max(0, after), type: Number.MAX_SAFE_INTEGER, targetRef: Number.MAX_SAFE_INTEGER };
    return this.page(appKey, owner, count, EARLIEST_SQL, from);
  }

  /** Keyset walk along conversations_recent from the exclusive bound `from`, in the direction `sql` reads. */
  private async page(appKey: AppKey, owner: UserId, count: number, sql: string, from: { time: number; type: number; targetRef: number }): Promise<readonly ConversationSummary[]> {
    const wanted = Math.max(0, Math.floor(count));
    if (wanted === 0) return [];
    await this.settle(appKey, owner);
    return this.database.read(() => {
      const result: ConversationSummary[] = [];
      const segments = new SegmentCache();
      const ref = ownerRef(this.database, appKey, owner);
      if (ref === undefined) return result;
      // Conversations whose messages are all hidden (recalled, deleted, cleared, pruned) are skipped, so a
      // batch may yield fewer than wanted: keep reading until enough or exhausted.
      let cursor = from;
      for (;;) {
        const batch = this.database.all<ConversationRow>(sql, ref, cursor.time, cursor.type, cursor.targetRef, wanted);
        for (const row of batch) {
          const latest = this.latest(ref, row, segments);
          if (latest === undefined) continue;
          result.push({
            conversation: { type: row.type, targetId: row.target_id },
            latest: toSyncEntry(latest),
            updatedTime: row.updated_time,
          });
          if (result.length === wanted) return result;
        }
        const last = batch[batch.length - 1];
        if (batch.length < wanted || last === undefined) return result;
        cursor = { time: last.updated_time, type: last.type, targetRef: last.target_ref };
      }
    });
  }

  async summariesOf(appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[]): Promise<readonly ConversationSummary[]> {
    if (conversations.length === 0) return [];
    await this.settle(appKey, owner);
    return this.database.read(() => {
      const result: ConversationSummary[] = [];
      const ref = ownerRef(this.database, appKey, owner);
      if (ref === undefined) return result;
      const segments = new SegmentCache();
      const seen = new Set<string>();
      for (const conversation of conversations) {
        const key = `${conversation.type}:${conversation.targetId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const row = this.database.get<ConversationRow>(ONE_SQL, ref, conversation.type, appKey, conversation.targetId);
        const latest = row === undefined ? undefined : this.latest(ref, row, segments);
        if (row === undefined || latest === undefined) continue;
        result.push({ conversation: { type: row.type, targetId: row.target_id }, latest: toSyncEntry(latest), updatedTime: row.updated_time });
      }
      return result;
    });
  }

  /** The conversation's newest visible entry: along its chain (sqlite-owner-entries.ts), above the clear mark. */
  private latest(owner: number, row: ConversationRow, segments: SegmentCache): EntryRow | undefined {
    for (const entry of conversationEntries(this.database, owner, row.type, row.target_ref, row.updated_time, { cache: segments })) {
      if (entry[SEG.sentTime] <= row.cleared_up_to) return undefined;
      if (entry[SEG.deleted] !== 0) continue;
      const found = entryRow(this.database, entry);
      if (found !== undefined && found.recalled === 0) return found;
    }
    return undefined;
  }

  async remove(appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<void> {
    await this.settle(appKey, owner);
    this.database.write(() => {
      this.database.run(REMOVE_SQL, appKey, owner, conversation.type, appKey, conversation.targetId);
    });
  }
}
