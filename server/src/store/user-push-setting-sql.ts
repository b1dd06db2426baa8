/**
 * The SQL of user-push-setting-repository.ts, the same statements on both engines (SQLite and PostgreSQL run it
 * over the same schema: migration 020 and 021 of each), and the row shapes both map.
 */
import type { PushRemark, QuietHours } from './user-push-setting-repository';

export const QUIET_UPSERT_SQL = `INSERT INTO user_quiet_hours (app_key, user_id, start_time, period_minutes, level, updated_time) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, user_id) DO UPDATE SET start_time = excluded.start_time, period_minutes = excluded.period_minutes,
  level = excluded.level, updated_time = excluded.updated_time`;
export const QUIET_SQL = 'SELECT start_time, period_minutes, level FROM user_quiet_hours WHERE app_key = ? AND user_id = ?';
export const QUIET_DELETE_SQL = 'DELETE FROM user_quiet_hours WHERE app_key = ? AND user_id = ?';
export const REMARK_UPSERT_SQL = `INSERT INTO user_push_remarks (app_key, owner, target_id, remark, updated_time) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (app_key, owner, target_id) DO UPDATE SET remark = excluded.remark, updated_time = excluded.updated_time`;
export const REMARK_COUNT_SQL = 'SELECT COUNT(*) AS n FROM user_push_remarks WHERE app_key = ? AND owner = ?';
export const REMARK_PAGE_SQL = 'SELECT target_id, remark FROM user_push_remarks WHERE app_key = ? AND owner = ? ORDER BY target_id LIMIT ? OFFSET ?';
export const REMARK_DELETE_SQL = 'DELETE FROM user_push_remarks WHERE app_key = ? AND owner = ? AND target_id = ?';

export interface QuietHoursRow {
  readonly start_time: string;
  readonly period_minutes: number;
  readonly level: number;
}

export interface RemarkRow {
  readonly target_id: string;
  readonly remark: string;
}

/** PostgreSQL may hand integers back as strings (bigint): both engines go through Number. */
export function quietHoursOf(row: QuietHoursRow): QuietHours {
  return { startTime: row.start_time, periodMinutes: Number(row.period_minutes), level: Number(row.level) };
}

export function remarkOf(row: RemarkRow): PushRemark {
  return { targetId: row.target_id, remark: row.remark };
}

/** LIMIT, OFFSET of a remark page: whole, non-negative. */
export function pageBounds(offset: number, limit: number): [number, number] {
  return [Math.max(0, Math.floor(limit)), Math.max(0, Math.floor(offset))];
}
