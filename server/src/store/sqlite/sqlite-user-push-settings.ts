import type { AppKey, UserId } from '../store';
import type { PushRemark, PushRemarkPage, QuietHours, UserPushSettingRepository } from '../user-push-setting-repository';
import { QUIET_DELETE_SQL, QUIET_SQL, QUIET_UPSERT_SQL, REMARK_COUNT_SQL, REMARK_DELETE_SQL, REMARK_PAGE_SQL, REMARK_UPSERT_SQL, pageBounds, quietHoursOf, remarkOf, type QuietHoursRow, type RemarkRow } from '../user-push-setting-sql';
import type { SqliteDatabase } from './sqlite-database';

export class SqliteUserPushSettingRepository implements UserPushSettingRepository {
  constructor(private readonly database: SqliteDatabase) {}

  async setQuietHours(appKey: AppKey, userId: UserId, hours: QuietHours, now: number): Promise<void> {
    const db = this.database;
    db.write(() => db.run(QUIET_UPSERT_SQL, appKey, userId, hours.startTime, hours.periodMinutes, hours.level, now));
  }

  async quietHours(appKey: AppKey, userId: UserId): Promise<QuietHours | undefined> {
    const row = this.database.get<QuietHoursRow>(QUIET_SQL, appKey, userId);
    return row === undefined ? undefined : quietHoursOf(row);
  }

  async clearQuietHours(appKey: AppKey, userId: UserId): Promise<void> {
    const db = this.database;
    db.write(() => db.run(QUIET_DELETE_SQL, appKey, userId));
  }

  async setRemarks(appKey: AppKey, owner: UserId, remarks: readonly PushRemark[], now: number): Promise<void> {
    const db = this.database;
    db.write(() => {
      for (const { targetId, remark } of remarks) db.run(REMARK_UPSERT_SQL, appKey, owner, targetId, remark, now);
    });
  }

  async remarks(appKey: AppKey, owner: UserId, offset: number, limit: number): Promise<PushRemarkPage> {
    const db = this.database;
    return db.read(() => ({
      total: db.get<{ n: number }>(REMARK_COUNT_SQL, appKey, owner)?.n ?? 0,
      remarks: db.all<RemarkRow>(REMARK_PAGE_SQL, appKey, owner, ...pageBounds(offset, limit))
        .map(remarkOf),
    }));
  }

  async deleteRemark(appKey: AppKey, owner: UserId, targetId: UserId): Promise<void> {
    const db = this.database;
    db.write(() => db.run(REMARK_DELETE_SQL, appKey, owner, targetId));
  }
}
