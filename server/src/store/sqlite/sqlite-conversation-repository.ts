import type { AppKey, ConversationKey, ConversationRepository, ConversationSummary, UserId } from '../store';
import type { SqliteDatabase } from './sqlite-database';
import { ENTRY_SELECT, toSyncEntry } from '../rows';
import type { EntryRow } from '../rows';

const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

interface ConversationRow {
  readonly type: number;
  readonly target_id: string;
  readonly updated_time: number;
  readonly cleared_up_to: number;
}

// Keyset paging backwards along conversations_recent; (type, target_id) break ties so that a batch boundary
// never skips a row, and ordering by the full index key needs no sort step.
const RECENT_SQL = `SELECT type, target_id, updated_time, cleared_up_to FROM conversations
  WHERE app_key = ? AND owner = ? AND listed = 1 AND (updated_time, type, target_id) < (?, ?, ?)
  ORDER BY updated_time DESC, type DESC, target_id DESC LIMIT ?`;
const LATEST_SQL = `${ENTRY_SELECT}
  WHERE e.app_key = ? AND e.owner = ? AND e.conv_type = ? AND e.conv_target = ?
    AND e.sent_time > ? AND e.deleted = 0 AND m.recalled = 0
  ORDER BY e.sent_time DESC LIMIT 1`;
const REMOVE_SQL = 'UPDATE conversations SET listed = 0 WHERE app_key = ? AND owner = ? AND type = ? AND target_id = ?';

export class SqliteConversationRepository implements ConversationRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async list(appKey: AppKey, owner: UserId, count: number, before: number): Promise<readonly ConversationSummary[]> {
    const wanted = Math.max(0, Math.floor(count));
    if (wanted === 0) return [];
    return this.database.read(() => {
      const result: ConversationSummary[] = [];
      // Conversations whose messages are all hidden (recalled, deleted, cleared, pruned) are skipped, so a
      // batch may yield fewer than wanted: keep reading until enough or exhausted.
      // (before, -∞, '') as an exclusive upper bound selects exactly updated_time < before.
      let cursor = { time: before > 0 ? before : NO_UPPER_BOUND, type: Number.MIN_SAFE_INTEGER, targetId: '' };
      for (;;) {
        const batch = this.database.all<ConversationRow>(
          RECENT_SQL, appKey, owner, cursor.time, cursor.type, cursor.targetId, wanted,
        );
        for (const row of batch) {
          const latest = this.database.get<EntryRow>(LATEST_SQL, appKey, owner, row.type, row.target_id, row.cleared_up_to);
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
        cursor = { time: last.updated_time, type: last.type, targetId: last.target_id };
      }
    });
  }

  async remove(appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<void> {
    this.database.write(() => {
      this.database.run(REMOVE_SQL, appKey, owner, conversation.type, conversation.targetId);
    });
  }
}
