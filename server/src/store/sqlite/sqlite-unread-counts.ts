import type { AppKey, ConversationKey, UserId } from '../store';
import type { UnreadCount, UnreadCountRepository, UnreadPage } from '../unread-count-repository';
import { afterParams, FLOOR_SQL, POSITION_SQL, unreadFromRow } from '../unread-count-sql';
import type { FirstUnreadRow, UnreadRow } from '../unread-count-sql';
import type { SqliteDatabase } from './sqlite-database';
import { REF } from './sqlite-names';

/*
 * unread-count-sql.ts's statements over migration 011's integer keys (same parameters, same results): the
 * owner's names row `o` first (unique), then its inbox entries by `entries_sync` (owner_ref, direction,
 * sent_time) — or `entries_history` for one conversation — each probing its message, its target's names row
 * `t`, its read position and its conversation row by primary key. Conversations are ordered and paged by
 * (type, target name), as in PostgreSQL.
 */

/** One inbox entry is unread (parameter: the owner's floor). */
const IS_UNREAD = `e.deleted = 0 AND m.recalled = 0 AND (m.flags & 2) <> 0 AND m.from_user_id <> o.name
    AND e.sent_time > ? AND e.sent_time > COALESCE(rp.read_time, 0) AND e.sent_time > COALESCE(c.cleared_up_to, 0)`;

/** Parameters: app_key, owner, notBefore, upTo. */
const INBOX_FROM = `FROM names o
  JOIN entries e ON e.owner_ref = o.id
  JOIN names t ON t.id = e.conv_target_ref
  JOIN messages m ON m.id = e.message_id
  LEFT JOIN read_positions rp ON rp.app_key = o.app_key AND rp.owner = o.name AND rp.conversation_type = e.conv_type AND rp.target_id = t.name
  LEFT JOIN conversations c ON c.owner_ref = e.owner_ref AND c.type = e.conv_type AND c.target_ref = e.conv_target_ref
  WHERE o.app_key = ? AND o.name = ? AND e.direction = 2 AND e.sent_time >= ? AND e.sent_time <= ?`;

/** Parameters: floor ×3. */
const AGGREGATES = `e.conv_type AS conv_type, t.name AS conv_target,
  SUM(CASE WHEN ${IS_UNREAD} THEN 1 ELSE 0 END) AS cnt,
  SUM(CASE WHEN ${IS_UNREAD} AND e.mentioned <> 0 THEN 1 ELSE 0 END) AS mentions,
  MIN(CASE WHEN ${IS_UNREAD} THEN e.sent_time END) AS first_time,
  MAX(COALESCE(rp.read_time, 0)) AS read_time`;

/** floor ×3, app_key, owner, notBefore, upTo, after.type ×2, after.targetId, limit. */
const LIST_INBOX_SQL = `SELECT ${AGGREGATES} ${INBOX_FROM}
    AND (e.conv_type > ? OR (e.conv_type = ? AND t.name > ?))
  GROUP BY e.conv_type, e.conv_target_ref ORDER BY e.conv_type, t.name LIMIT ?`;

/** floor ×3, app_key, owner, notBefore, upTo, type, app_key, targetId. */
const ONE_CONVERSATION_SQL = `SELECT ${AGGREGATES} ${INBOX_FROM}
    AND e.conv_type = ? AND e.conv_target_ref = ${REF}
  GROUP BY e.conv_type, e.conv_target_ref`;

/** app_key, owner, notBefore, upTo, floor, type, app_key, targetId, first_time. */
const FIRST_UNREAD_SQL = `SELECT m.uid AS uid, m.sent_time AS sent_time, m.object_name AS object_name ${INBOX_FROM}
    AND ${IS_UNREAD} AND e.conv_type = ? AND e.conv_target_ref = ${REF} AND e.sent_time = ?
  LIMIT 1`;

/** Read-only: every call is one read transaction (one snapshot of entries and positions). */
export class SqliteUnreadCountRepository implements UnreadCountRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async listInbox(appKey: AppKey, owner: UserId, upTo: number, notBefore: number, limit: number, after?: ConversationKey): Promise<UnreadPage> {
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
