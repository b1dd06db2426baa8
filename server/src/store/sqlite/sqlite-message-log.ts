import type { LoggedMessage, MessageLogRepository } from '../message-log-repository';
import type { AppKey } from '../store';
import type { SqliteDatabase } from './sqlite-database';

interface LogRow {
  readonly uid: string;
  readonly sent_time: number;
  readonly from_user_id: string;
  readonly conversation_type: number;
  readonly target_id: string;
  readonly object_name: string;
  readonly content: Uint8Array;
  readonly recalled: number;
}

/**
 * Both message tables in one keyset scan. Chatroom messages are type 4 (recalled ones are marked since migration 018). Each branch is
 * range-scanned through its sent_time index and filtered by app and cursor.
 */
const BETWEEN_SQL = `SELECT * FROM (
    SELECT uid, sent_time, from_user_id, conversation_type, target_id, object_name, content, recalled
      FROM messages WHERE sent_time >= ? AND sent_time < ? AND app_key = ?
    UNION ALL
    SELECT uid, sent_time, from_user_id, 4 AS conversation_type, room_id AS target_id, object_name, content, recalled
      FROM chatroom_messages WHERE sent_time >= ? AND sent_time < ? AND app_key = ?
  )
  WHERE sent_time > ? OR (sent_time = ? AND uid > ?)
  ORDER BY sent_time, uid LIMIT ?`;
const DELETE_HOUR_SQL = 'INSERT OR IGNORE INTO message_log_deleted_hours (app_key, hour_start, deleted_time) VALUES (?, ?, ?)';
const IS_DELETED_SQL = 'SELECT 1 AS found FROM message_log_deleted_hours WHERE app_key = ? AND hour_start = ?';

export class SqliteMessageLog implements MessageLogRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async between(appKey: AppKey, from: number, to: number, after: { readonly sentTime: number; readonly uid: string } | undefined, limit: number): Promise<readonly LoggedMessage[]> {
    const cursorTime = after?.sentTime ?? from - 1;
    const cursorUid = after?.uid ?? '';
    const rows = this.database.read(() =>
      this.database.all<LogRow>(BETWEEN_SQL, from, to, appKey, from, to, appKey, cursorTime, cursorTime, cursorUid, Math.max(1, limit)),
    );
    return rows.map((row) => ({
      uid: row.uid,
      sentTime: row.sent_time,
      fromUserId: row.from_user_id,
      conversationType: row.conversation_type,
      targetId: row.target_id,
      objectName: row.object_name,
      content: new Uint8Array(row.content),
      recalled: row.recalled !== 0,
    }));
  }

  async deleteHour(appKey: AppKey, hourStart: number, now: number): Promise<void> {
    this.database.write(() => this.database.run(DELETE_HOUR_SQL, appKey, hourStart, now));
  }

  async isHourDeleted(appKey: AppKey, hourStart: number): Promise<boolean> {
    return this.database.get(IS_DELETED_SQL, appKey, hourStart) !== undefined;
  }
}
