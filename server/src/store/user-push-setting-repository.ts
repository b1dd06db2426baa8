/**
 * A user's push settings kept for the Server API (SERVER_API.md §2.1): the daily quiet hours of
 * `user/blockPushPeriod/*`. This server has no push gateway (docs/server-api-coverage.md, Push), so they are only
 * stored and answered: nothing reads them to silence a notification. Every call is scoped by app.
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

export interface UserPushSettingRepository {
  /** Sets (replaces) the user's quiet hours. */
  setQuietHours(appKey: AppKey, userId: UserId, hours: QuietHours, now: number): Promise<void>;
  /** The user's quiet hours; undefined when none are set. */
  quietHours(appKey: AppKey, userId: UserId): Promise<QuietHours | undefined>;
  /** Removes the user's quiet hours (none set: nothing happens). */
  clearQuietHours(appKey: AppKey, userId: UserId): Promise<void>;
}
