import type { AppKey, UserId } from '../store';
import type { NewServerEvent, ServerEvent, ServerEventPage, ServerEventRepository } from '../server-event-repository';
import { blob } from '../rows';
import type { SqliteDatabase } from './sqlite-database';

const CURSOR_SQL = 'SELECT last_time, acked_time FROM server_event_cursors WHERE app_key = ? AND owner = ?';
const SET_LAST_SQL = `INSERT INTO server_event_cursors (app_key, owner, last_time, acked_time) VALUES (?, ?, ?, 0)
  ON CONFLICT (app_key, owner) DO UPDATE SET last_time = excluded.last_time`;
const ACK_SQL = `INSERT INTO server_event_cursors (app_key, owner, last_time, acked_time) VALUES (?, ?, 0, ?)
  ON CONFLICT (app_key, owner) DO UPDATE SET acked_time = MAX(acked_time, excluded.acked_time)`;
const INSERT_SQL = `INSERT INTO server_events (app_key, owner, time, change_type, sub_change_type, conversation_type, target_id, data)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const TRIM_SQL = 'DELETE FROM server_events WHERE app_key = ? AND owner = ? AND time < ?';
const AFTER_SQL = `SELECT time, change_type, sub_change_type, conversation_type, target_id, data FROM server_events
  WHERE app_key = ? AND owner = ? AND time > ? AND time >= ? ORDER BY time LIMIT ?`;

interface ServerEventRow {
  readonly time: number;
  readonly change_type: number;
  readonly sub_change_type: number;
  readonly conversation_type: number;
  readonly target_id: string;
  readonly data: Uint8Array;
}

function toServerEvent(row: ServerEventRow): ServerEvent {
  return {
    time: Number(row.time),
    changeType: Number(row.change_type),
    subChangeType: Number(row.sub_change_type),
    conversation: { type: Number(row.conversation_type), targetId: row.target_id },
    data: new Uint8Array(row.data),
  };
}

/** Each write is one IMMEDIATE transaction: the clock read and the stamps cannot interleave with another writer. */
export class SqliteServerEventRepository implements ServerEventRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async append(appKey: AppKey, owner: UserId, events: readonly NewServerEvent[], now: number, expireBefore: number): Promise<readonly ServerEvent[]> {
    const db = this.database;
    return db.write(() => {
      db.run(TRIM_SQL, appKey, owner, expireBefore);
      if (events.length === 0) return [];
      let last = db.get<{ last_time: number }>(CURSOR_SQL, appKey, owner)?.last_time ?? 0;
      const stored = events.map((event) => {
        last = Math.max(Math.floor(now), last + 1);
        const { conversation } = event;
        db.run(INSERT_SQL, appKey, owner, last, event.changeType, event.subChangeType, conversation.type, conversation.targetId, blob(event.data));
        return { ...event, conversation: { type: conversation.type, targetId: conversation.targetId }, time: last };
      });
      db.run(SET_LAST_SQL, appKey, owner, last);
      return stored;
    });
  }

  async listAfter(appKey: AppKey, owner: UserId, after: number, limit: number, notBefore: number): Promise<ServerEventPage> {
    const rows = this.database.all<ServerEventRow>(AFTER_SQL, appKey, owner, after, notBefore, Math.max(1, limit) + 1);
    return { events: rows.slice(0, Math.max(1, limit)).map(toServerEvent), hasMore: rows.length > Math.max(1, limit) };
  }

  async acknowledge(appKey: AppKey, owner: UserId, time: number): Promise<void> {
    const db = this.database;
    db.write(() => db.run(ACK_SQL, appKey, owner, time));
  }

  async acknowledged(appKey: AppKey, owner: UserId): Promise<number> {
    return this.database.get<{ acked_time: number }>(CURSOR_SQL, appKey, owner)?.acked_time ?? 0;
  }
}
