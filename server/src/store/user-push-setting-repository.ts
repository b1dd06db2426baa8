/**
 * A user's push settings kept for the Server API (SERVER_API.md §2.1): the daily quiet hours of
 * `user/blockPushPeriod/*` and the push-display remarks of `user/remarks/*` (the name a user's notifications show
 * for another user). This server has no push gateway (docs/server-api-coverage.md, Push), so they are only stored
 * and answered: nothing reads them to silence or rename a notification. Every call is scoped by app.
 */
import type { AppKey, UserId } from './store';

/** Daily quiet hours: from `startTime` for `periodMinutes`, notifying only what `level` lets through. */
export interface QuietHours {
  /** `HH:MM:SS`, 24-hour clock. */
  readonly startTime: string;
  /** 1–1439. */
  readonly periodMinutes: number;
  /** 0 notify everything, 1 @ messages only, 5 nothing. */
  readonly level: number;
}

/** The name `targetId` is shown under in the owner's push notifications. */
export interface PushRemark {
  readonly targetId: UserId;
  readonly remark: string;
}

export interface PushRemarkPage {
  /** How many remarks the owner has. */
  readonly total: number;
  /** Ascending by target id, `offset` skipped, at most `limit`. */
  readonly remarks: readonly PushRemark[];
}

export interface UserPushSettingRepository {
  /** Sets (replaces) the user's quiet hours. */
  setQuietHours(appKey: AppKey, userId: UserId, hours: QuietHours, now: number): Promise<void>;
  /** The user's quiet hours; undefined when none are set. */
  quietHours(appKey: AppKey, userId: UserId): Promise<QuietHours | undefined>;
  /** Removes the user's quiet hours (none set: nothing happens). */
  clearQuietHours(appKey: AppKey, userId: UserId): Promise<void>;
  /** Sets (adds or replaces) the owner's remarks, all in one transaction; for a target given twice the last wins. */
  setRemarks(appKey: AppKey, owner: UserId, remarks: readonly PushRemark[], now: number): Promise<void>;
  /** The owner's remarks by target id, `offset` skipped, at most `limit`, with their total. */
  remarks(appKey: AppKey, owner: UserId, offset: number, limit: number): Promise<PushRemarkPage>;
  /** Removes the owner's remark for `targetId` (none: nothing happens). */
  deleteRemark(appKey: AppKey, owner: UserId, targetId: UserId): Promise<void>;
}
