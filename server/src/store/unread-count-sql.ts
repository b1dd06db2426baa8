/**
 * The SQL of unread-count-repository.ts: the statements both engines run over their own schema (SQLite keys
 * entries and conversations by integer ids since its migration 011 and packs entries in segments since 013,
 * handing one owner's to these statements as JSON: sqlite-unread-counts.ts), PostgreSQL's
 * instance of them, and the row shapes and helpers both share.
 *
 * Query plan: the owner's inbox entries in the retention window, by `entries_sync` (app_key, owner, direction,
 * sent_time) for the list and by `entries_history` (…, conv_type, conv_target, sent_time) for one
 * conversation; each entry then probes its message, read position and conversation by primary key.
 */
import type { ConversationKey } from './store';
import type { FirstUnread, UnreadCount } from './unread-count-repository';

/** Where an engine's schema keeps what the unread statements read. */
export interface UnreadSchema {
  /**
   * FROM … WHERE of the owner's inbox entries (`e`) with their message (`m`), read position (`rp`) and
   * conversation row (`c`); parameters: app_key, owner, notBefore, upTo.
   */
  readonly inboxFrom: string;
  /** The owner's user id; the conversation target's id; what groups the entries by conversation. */
  readonly owner: string;
  readonly target: string;
  readonly targetKey: string;
  /** The condition for one conversation's target (its parameters follow the type's). */
  readonly oneTarget: string;
}

/** The statements over `schema`; conversations are ordered and paged by (type, target id). */
export function unreadStatements(schema: UnreadSchema): { readonly list: string; readonly one: string; readonly first: string } {
  /** One inbox entry is unread (parameter: the owner's floor). */
  const isUnread = `e.deleted = 0 AND m.recalled = 0 AND (m.flags & 2) <> 0 AND m.from_user_id <> ${schema.owner}
    AND e.sent_time > ? AND e.sent_time > COALESCE(rp.read_time, 0) AND e.sent_time > COALESCE(c.cleared_up_to, 0)`;
  /** Parameters: floor ×3. */
  const aggregates = `e.conv_type AS conv_type, ${schema.target} AS conv_target,
  SUM(CASE WHEN ${isUnread} THEN 1 ELSE 0 END) AS cnt,
  SUM(CASE WHEN ${isUnread} AND e.mentioned <> 0 THEN 1 ELSE 0 END) AS mentions,
  MIN(CASE WHEN ${isUnread} THEN e.sent_time END) AS first_time,
  MAX(COALESCE(rp.read_time, 0)) AS read_time`;
  return {
    /** floor ×3, app_key, owner, notBefore, upTo, after.type ×2, after.targetId, limit. */
    list: `SELECT ${aggregates} ${schema.inboxFrom}
    AND (e.conv_type > ? OR (e.conv_type = ? AND ${schema.target} > ?))
  GROUP BY e.conv_type, ${schema.targetKey} ORDER BY e.conv_type, ${schema.target} LIMIT ?`,
    /** floor ×3, app_key, owner, notBefore, upTo, type, the target's parameters. */
    one: `SELECT ${aggregates} ${schema.inboxFrom}
    AND e.conv_type = ? AND ${schema.oneTarget}
  GROUP BY e.conv_type, ${schema.targetKey}`,
    /** app_key, owner, notBefore, upTo, floor, type, the target's parameters, first_time. */
    first: `SELECT m.uid AS uid, m.sent_time AS sent_time, m.object_name AS object_name ${schema.inboxFrom}
    AND ${isUnread} AND e.conv_type = ? AND ${schema.oneTarget} AND e.sent_time = ?
  LIMIT 1`,
  };
}

/** PostgreSQL's schema (migrations 001 and 005): entries and conversations keyed by TEXT. */
const PG_UNREAD = unreadStatements({
  inboxFrom: `FROM entries e
  JOIN messages m ON m.id = e.message_id
  LEFT JOIN read_positions rp ON rp.app_key = e.app_key AND rp.owner = e.owner AND rp.conversation_type = e.conv_type AND rp.target_id = e.conv_target
  LEFT JOIN conversations c ON c.app_key = e.app_key AND c.owner = e.owner AND c.type = e.conv_type AND c.target_id = e.conv_target
  WHERE e.app_key = ? AND e.owner = ? AND e.direction = 2 AND e.sent_time >= ? AND e.sent_time <= ?`,
  owner: 'e.owner',
  target: 'e.conv_target',
  targetKey: 'e.conv_target',
  oneTarget: 'e.conv_target = ?',
});
export const LIST_INBOX_SQL = PG_UNREAD.list;
export const ONE_CONVERSATION_SQL = PG_UNREAD.one;
export const FIRST_UNREAD_SQL = PG_UNREAD.first;

export const FLOOR_SQL = 'SELECT read_time FROM read_floors WHERE app_key = ? AND owner = ?';
export const POSITION_SQL = 'SELECT read_time FROM read_positions WHERE app_key = ? AND owner = ? AND conversation_type = ? AND target_id = ?';

export interface UnreadRow {
  readonly conv_type: number | string;
  readonly conv_target: string;
  readonly cnt: number | string | null;
  readonly mentions: number | string | null;
  /** null when nothing is unread. */
  readonly first_time: number | string | null;
  readonly read_time: number | string | null;
}

export interface FirstUnreadRow {
  readonly uid: string;
  readonly sent_time: number | string;
  readonly object_name: string;
}

/** Aggregates may come back as strings (PostgreSQL's COUNT/SUM are bigint/numeric). */
export function unreadFromRow(row: UnreadRow, floor: number, first: FirstUnreadRow | undefined): UnreadCount {
  const count: UnreadCount = {
    conversation: { type: Number(row.conv_type), targetId: row.conv_target },
    readTime: Math.max(Number(row.read_time ?? 0), floor),
    count: Number(row.cnt ?? 0),
    mentionCount: Number(row.mentions ?? 0),
  };
  return first === undefined ? count : { ...count, firstUnread: firstFromRow(first) };
}

function firstFromRow(row: FirstUnreadRow): FirstUnread {
  return { uid: row.uid, sentTime: Number(row.sent_time), objectName: row.object_name };
}

/** `after` as the three keyset parameters: before every key when absent. */
export function afterParams(after: ConversationKey | undefined): [number, number, string] {
  return after === undefined ? [-1, -1, ''] : [after.type, after.type, after.targetId];
}
