import type { AppKey, UserId } from '../store';
import type { NewServerEvent, ServerEvent, ServerEventPage, ServerEventRepository } from '../server-event-repository';
import { blob } from '../rows';
import type { PgDatabase } from './pg-database';

// A no-op upsert: takes the owner's cursor row lock (creating it at 0) until COMMIT and returns the clock, so
// times are handed out AND committed in increasing order on every node (a reader never skips one).
const LOCK_CLOCK_SQL = `INSERT INTO server_event_cursors (app_key, owner, last_time, acked_time) VALUES (?, ?, 0, 0)
  ON CONFLICT (app_key, owner) DO UPDATE SET last_time = server_event_cursors.last_time RETURNING last_time`;
const SET_LAST_SQL = 'UPDATE server_event_cursors SET last_time = ? WHERE app_key = ? AND owner = ?';
const ACK_SQL = `INSERT INTO server_event_cursors (app_key, owner, last_time, acked_time) VALUES (?, ?, 0, ?)
  ON CONFLICT (app_key, owner) DO UPDATE SET acked_time = GREATEST(server_event_cursors.acked_time, EXCLUDED.acked_time)`;
const ACKED_SQL = 'SELECT acked_time FROM server_event_cursors WHERE app_key = ? AND owner = ?';
const INSERT_SQL = `INSERT INTO server_events (app_key, owner, time, change_type, sub_change_type, conversation_type, target_id, data)
  SELECT ?, ?, u.t, u.ct, u.st, u.cv, u.id, u.d
  FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::bytea[]) AS u(t, ct, st, cv, id, d)`;
const TRIM_SQL = 'DELETE FROM server_events WHERE app_key = ? AND owner = ? AND time < ?';
const AFTER_SQL = `SELECT time, change_type, sub_change_type, conversation_type, target_id, data FROM server_events
  WHERE app_key = ? AND owner = ? AND time > ? AND time >= ? ORDER BY time LIMIT ?`;

type EventRow = {
  readonly time: number;
  readonly change_type: number;
  readonly sub_change_type: number;
  readonly conversation_type: number;
  readonly target_id: string;
  readonly data: Uint8Array;
};

function toServerEvent(row: EventRow): ServerEvent {
  return {
    time: Number(row.time),
    changeType: Number(row.change_type),
    subChangeType: Number(row.sub_change_type),
    conversation: { type: Number(row.conversation_type), targetId: row.target_id },
    data: new Uint8Array(row.data),
  };
}

export class PgServerEventRepository implements ServerEventRepository {
  constructor(private readonly database: PgDatabase) {}

  async append(appKey: AppKey, owner: UserId, events: readonly NewServerEvent[], now: number, expireBefore: number): Promise<readonly ServerEvent[]> {
    return this.database.tx(async (q) => {
      await q.run(TRIM_SQL, appKey, owner, expireBefore);
      if (events.length === 0) return [];
      let last = (await q.get<{ last_time: number }>(LOCK_CLOCK_SQL, appKey, owner))?.last_time ?? 0;
      const stored: ServerEvent[] = events.map((event) => {
        last = Math.max(Math.floor(now), Number(last) + 1);
        return { ...event, conversation: { type: event.conversation.type, targetId: event.conversation.targetId }, time: last };
      });
      await q.run(
        INSERT_SQL,
        appKey,
        owner,
        stored.map((e) => e.time),
        stored.map((e) => e.changeType),
        stored.map((e) => e.subChangeType),
        stored.map((e) => e.conversation.type),
        stored.map((e) => e.conversation.targetId),
        stored.map((e) => blob(e.data)),
      );
      await q.run(SET_LAST_SQL, last, appKey, owner);
      return stored;
    });
  }

  async listAfter(appKey: AppKey, owner: UserId, after: number, limit: number, notBefore: number): Promise<ServerEventPage> {
    const size = Math.max(1, limit);
    const rows = await this.database.all<EventRow>(AFTER_SQL, appKey, owner, after, notBefore, size + 1);
    return { events: rows.slice(0, size).map(toServerEvent), hasMore: rows.length > size };
  }

  async acknowledge(appKey: AppKey, owner: UserId, time: number): Promise<void> {
    await this.database.run(ACK_SQL, appKey, owner, time);
  }

  async acknowledged(appKey: AppKey, owner: UserId): Promise<number> {
    return Number((await this.database.get<{ acked_time: number }>(ACKED_SQL, appKey, owner))?.acked_time ?? 0);
  }
}
