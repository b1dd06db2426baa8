/**
 * The app-wide message log behind `message/history` (SERVER_API.md §2.2: hourly packages of every message of
 * the app). It reads the stored messages of every conversation type — the per-owner `messages` and the chatroom
 * timelines — and remembers which hours the App Server deleted with `message/history/delete`.
 */
import type { AppKey, UserId } from './store';

export interface LoggedMessage {
  readonly uid: string;
  /** ms */
  readonly sentTime: number;
  readonly fromUserId: UserId;
  readonly conversationType: number;
  /** From the sender's point of view (peer, group or room id). */
  readonly targetId: string;
  readonly objectName: string;
  /** UTF-8 JSON text. */
  readonly content: Uint8Array;
  readonly recalled: boolean;
}

export interface MessageLogRepository {
  /**
   * Messages of the app with `from` ≤ sentTime < `to` and (sentTime, uid) after the `after` cursor, ascending
   * by (sentTime, uid), at most `limit`.
   */
  between(appKey: AppKey, from: number, to: number, after: { readonly sentTime: number; readonly uid: string } | undefined, limit: number): Promise<readonly LoggedMessage[]>;
  /** Marks the hour starting at `hourStart` (ms) deleted. Idempotent. */
  deleteHour(appKey: AppKey, hourStart: number, now: number): Promise<void>;
  isHourDeleted(appKey: AppKey, hourStart: number): Promise<boolean>;
}
