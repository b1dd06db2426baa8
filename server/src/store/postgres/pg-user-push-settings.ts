import type { AppKey, UserId } from '../store';
import type { PushRemark, PushRemarkPage, QuietHours, UserPushSettingRepository } from '../user-push-setting-repository';
import type { PgDatabase } from './pg-database';

const QUIET_UPSERT_SQL = `INSERT INTO user_quiet_hours (app_key, user_id, start_time, period_minutes, level, updated_time) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, user_id) DO UPDATE SET start_time = excluded.start_time, period_minutes = excluded.period_minutes,
  level = excluded.level, updated_time = excluded.updated_time`;
const QUIET_SQL = 'SELECT start_time, period_minutes, level FROM user_quiet_hours WHERE app_key = ? AND user_id = ?';
const QUIET_DELETE_SQL = 'DELETE FROM user_quiet_hours WHERE app_key = ? AND user_id = ?';
const REMARK_UPSERT_SQL = `INSERT INTO user_push_remarks (app_key, owner, target_id, remark, updated_time) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (app_key, owner, target_id) DO UPDATE SET remark = excluded.remark, updated_time = excluded.updated_time`;
const REMARK_COUNT_SQL = 'SELECT COUNT(*) AS n FROM user_push_remarks WHERE app_key = ? AND owner = ?';
const REMARK_PAGE_SQL = 'SELECT target_id, remark FROM user_push_remarks WHERE app_key = ? AND owner = ? ORDER BY target_id LIMIT ? OFFSET ?';
const REMARK_DELETE_SQL = 'DELETE FROM user_push_remarks WHERE app_key = ? AND owner = ? AND target_id = ?';

export class PgUserPushSettingRepository implements UserPushSettingRepository {
  constructor(private readonly database: PgDatabase) {}

  async setQuietHours(appKey: AppKey, userId: UserId, hours: QuietHours, now: number): Promise<void> {
    await this.database.run(QUIET_UPSERT_SQL, appKey, userId, hours.startTime, hours.periodMinutes, hours.level, now);
  }

  async quietHours(appKey: AppKey, userId: UserId): Promise<QuietHours | undefined> {
    const row = await this.database.get<{ start_time: string; period_minutes: number; level: number }>(QUIET_SQL, appKey, userId);
    return row === undefined ? undefined : { startTime: row.start_time, periodMinutes: Number(row.period_minutes), level: Number(row.level) };
  }

  async clearQuietHours(appKey: AppKey, userId: UserId): Promise<void> {
    await this.database.run(QUIET_DELETE_SQL, appKey, userId);
  }

  async setRemarks(appKey: AppKey, owner: UserId, remarks: readonly PushRemark[], now: number): Promise<void> {
    if (remarks.length === 0) return;
    await this.database.tx(async (q) => {
      for (const { targetId, remark } of remarks) await q.run(REMARK_UPSERT_SQL, appKey, owner, targetId, remark, now);
    });
  }

  async remarks(appKey: AppKey, owner: UserId, offset: number, limit: number): Promise<PushRemarkPage> {
    return this.database.read(async (q) => ({
      total: (await q.get<{ n: number }>(REMARK_COUNT_SQL, appKey, owner))?.n ?? 0,
      remarks: (await q.all<{ target_id: string; remark: string }>(REMARK_PAGE_SQL, appKey, owner, Math.max(0, Math.floor(limit)), Math.max(0, Math.floor(offset))))
        .map((row) => ({ targetId: row.target_id, remark: row.remark })),
    }));
  }

  async deleteRemark(appKey: AppKey, owner: UserId, targetId: UserId): Promise<void> {
    await this.database.run(REMARK_DELETE_SQL, appKey, owner, targetId);
  }
}
