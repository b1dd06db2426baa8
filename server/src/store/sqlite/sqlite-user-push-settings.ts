import type { AppKey, UserId } from '../store';
import type { QuietHours, UserPushSettingRepository } from '../user-push-setting-repository';
import type { SqliteDatabase } from './sqlite-database';

const QUIET_UPSERT_SQL = `INSERT INTO user_quiet_hours (app_key, user_id, start_time, period_minutes, level, updated_time) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, user_id) DO UPDATE SET start_time = excluded.start_time, period_minutes = excluded.period_minutes,
  level = excluded.level, updated_time = excluded.updated_time`;
const QUIET_SQL = 'SELECT start_time, period_minutes, level FROM user_quiet_hours WHERE app_key = ? AND user_id = ?';
const QUIET_DELETE_SQL = 'DELETE FROM user_quiet_hours WHERE app_key = ? AND user_id = ?';

export class SqliteUserPushSettingRepository implements UserPushSettingRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async setQuietHours(appKey: AppKey, userId: UserId, hours: QuietHours, now: number): Promise<void> {
    const db = this.database;
    db.write(() => db.run(QUIET_UPSERT_SQL, appKey, userId, hours.startTime, hours.periodMinutes, hours.level, now));
  }

  async quietHours(appKey: AppKey, userId: UserId): Promise<QuietHours | undefined> {
    const row = this.database.get<{ start_time: string; period_minutes: number; level: number }>(QUIET_SQL, appKey, userId);
    return row === undefined ? undefined : { startTime: row.start_time, periodMinutes: row.period_minutes, level: row.level };
  }

  async clearQuietHours(appKey: AppKey, userId: UserId): Promise<void> {
    const db = this.database;
    db.write(() => db.run(QUIET_DELETE_SQL, appKey, userId));
  }
}
