import type { AppKey, ConversationKey, UserId } from '../store';
import type { UnreadCount, UnreadCountRepository, UnreadPage } from '../unread-count-repository';
import { afterParams, FLOOR_SQL, POSITION_SQL, unreadFromRow, unreadStatements } from '../unread-count-sql';
import type { FirstUnreadRow, UnreadRow } from '../unread-count-sql';
import type { SqliteDatabase } from './sqlite-database';
import { REF } from './sqlite-names';

/*
 * unread-count-sql.ts's statements over migration 011's integer keys (same parameters and results as in
 * PostgreSQL, but one conversation's target is named by app key and id): the owner's names row `o` first
 * (unique), then its inbox entries by `entries_sync` (owner_ref, direction, sent_time) — or `entries_history`
 * for one conversation — each probing its message, its target's names row `t`, its read position and its
 * conversation row by primary key.
 */
const { list: LIST_INBOX_SQL, one: ONE_CONVERSATION_SQL, first: FIRST_UNREAD_SQL } = unreadStatements({
  inboxFrom: `FROM names o
  JOIN entries e ON e.owner_ref = o.id
  JOIN names t ON t.id = e.conv_target_ref
  JOIN messages m ON m.id = e.message_id
  LEFT JOIN read_positions rp ON rp.app_key = o.app_key AND rp.owner = o.name AND rp.conversation_type = e.conv_type AND rp.target_id = t.name
  LEFT JOIN conversations c ON c.owner_ref = e.owner_ref AND c.type = e.conv_type AND c.target_ref = e.conv_target_ref
  WHERE o.app_key = ? AND o.name = ? AND e.direction = 2 AND e.sent_time >= ? AND e.sent_time <= ?`,
  owner: 'o.name',
  target: 't.name',
  targetKey: 'e.conv_target_ref',
  oneTarget: `e.conv_target_ref = ${REF}`,
});

/** Read-only: every call is one read transaction (one snapshot of entries and positions). */
export class SqliteUnreadCountRepository implements UnreadCountRepository {
  constructor(
    private readonly database: SqliteDatabase,
    /** Moves the owner's pending entries (SqliteMessageRepository.settle); called before every read here. */
    private readonly settle: (appKey?: AppKey, owner?: UserId) => Promise<void>,
  ) {}

  async listInbox(appKey: AppKey, owner: UserId, upTo: number, notBefore: number, limit: number, after?: ConversationKey): Promise<UnreadPage> {
    await this.settle(appKey, owner);
    const db = this.database;
    return db.read(() => {
      const floor = this.floor(appKey, owner);
      const rows = db.all<UnreadRow>(LIST_INBOX_SQL, floor, floor, floor, appKey, owner, notBefore, upTo, ...afterParams(after), Math.max(1, limit) + 1);
      const items = rows.slice(0, Math.max(1, limit)).map((row) => this.withFirst(appKey, owner, floor, upTo, notBefore, row));
      const last = items[items.length - 1];
      return rows.length > items.length && last !== undefined ? { items, next: last.conversation } : { items };
    });
  }

  async unreadOf(appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[], upTo: number, notBefore: number): Promise<readonly UnreadCount[]> {
    await this.settle(appKey, owner);
    const db = this.database;
    return db.read(() => {
      const floor = this.floor(appKey, owner);
      return conversations.map((conversation) => {
        const row = db.get<UnreadRow>(ONE_CONVERSATION_SQL, floor, floor, floor, appKey, owner, notBefore, upTo, conversation.type, appKey, conversation.targetId);
        if (row !== undefined) return this.withFirst(appKey, owner, floor, upTo, notBefore, row);
        const own = db.get<{ read_time: number }>(POSITION_SQL, appKey, owner, conversation.type, conversation.targetId)?.read_time ?? 0;
        return { conversation: { type: conversation.type, targetId: conversation.targetId }, readTime: Math.max(own, floor), count: 0, mentionCount: 0 };
      });
    });
  }

  private withFirst(appKey: AppKey, owner: UserId, floor: number, upTo: number, notBefore: number, row: UnreadRow): UnreadCount {
    if (row.first_time === null) return unreadFromRow(row, floor, undefined);
    const first = this.database.get<FirstUnreadRow>(FIRST_UNREAD_SQL, appKey, owner, notBefore, upTo, floor, row.conv_type, appKey, row.conv_target, row.first_time);
    return unreadFromRow(row, floor, first);
  }

  private floor(appKey: AppKey, owner: UserId): number {
    return this.database.get<{ read_time: number }>(FLOOR_SQL, appKey, owner)?.read_time ?? 0;
  }
}
