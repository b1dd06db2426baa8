import type { AppKey, UserId } from '../store';
import type { PushRemark, PushRemarkPage, QuietHours, UserPushSettingRepository } from '../user-push-setting-repository';
import { QUIET_DELETE_SQL, QUIET_SQL, QUIET_UPSERT_SQL, REMARK_COUNT_SQL, REMARK_DELETE_SQL, REMARK_PAGE_SQL, REMARK_UPSERT_SQL, pageBounds, quietHoursOf, remarkOf, type QuietHoursRow, type RemarkRow } from '../user-push-setting-sql';
import type { PgDatabase } from './pg-database';

export class PgUserPushSettingRepository implements UserPushSettingRepository {
  constructor(private readonly database: PgDatabase) {}

  async setQuietHours(appKey: AppKey, userId: UserId, hours: QuietHours, now: number): Promise<void> {
    await this.database.run(QUIET_UPSERT_SQL, appKey, userId, hours.startTime, hours.periodMinutes, hours.level, now);
  }

  async quietHours(appKey: AppKey, userId: UserId): Promise<QuietHours | undefined> {
    const row = await this.database.get<QuietHoursRow>(QUIET_SQL, appKey, userId);
    return row === undefined ? undefined : quietHoursOf(row);
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
      remarks: (await q.all<RemarkRow>(REMARK_PAGE_SQL, appKey, owner, ...pageBounds(offset, limit)))
        .map(remarkOf),
    }));
  }

  async deleteRemark(appKey: AppKey, owner: UserId, targetId: UserId): Promise<void> {
    await this.database.run(REMARK_DELETE_SQL, appKey, owner, targetId);
  }
}
