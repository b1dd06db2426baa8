/**
 * Push targeting state of the Server API (issue #10; SERVER_API.md §2.1 `user/tag/*`, §2.5 `push`, §2.4
 * `chatroom/message/{stop,resume}Distribution`):
 * - user tags, set by the App Server and read by tag-targeted pushes (`audience.tag` = every tag, `audience.tag_or`
 *   = at least one);
 * - the record of every accepted `push` call (what was asked, whom the in-app part reached);
 * - chatrooms whose member messages are not distributed.
 *
 * Invariants (checked by `push.contract.ts` on every engine):
 * - a user's tags are a set (no duplicates, first-given order kept); `set` replaces them, [] clears them, and a
 *   batch is applied atomically (all users or none);
 * - `matching` pages by ascending user id with an exclusive cursor, so paging never skips or repeats a user;
 * - push ids are unique per app (adding an id twice rejects); records survive a restart;
 * - distribution state is per room and app, survives a restart, and reports whether a call changed it.
 */
import type { AppKey, UserId } from './store';

export interface TagAudience {
  /** The user carries every one of these (deduplicated by the caller or not: the result is the same). */
  readonly allOf: readonly string[];
  /** The user carries at least one of these; [] = no such condition. */
  readonly anyOf: readonly string[];
}

export interface UserTagRepository {
  /** Replaces the tags of every listed user with `tags` (duplicates dropped); [] removes them. One transaction. */
  set(appKey: AppKey, userIds: readonly UserId[], tags: readonly string[], now: number): Promise<void>;
  /** The tags of each requested user (users without any → []), each list in the order it was set. */
  get(appKey: AppKey, userIds: readonly UserId[]): Promise<ReadonlyMap<UserId, readonly string[]>>;
  /**
   * Users matching the audience with id > `after`, ascending, at most `limit`. An audience with both lists empty
   * matches nobody (a tag push always names tags; "everyone" is the caller's business).
   */
  matching(appKey: AppKey, audience: TagAudience, after: UserId, limit: number): Promise<readonly UserId[]>;
}

export interface PushRecord {
  readonly appKey: AppKey;
  /** Unique per app; the stored message's uid when the push carried a message. */
  readonly id: string;
  /** ms */
  readonly createdTime: number;
  /** '' when the push carried no message (notification only). */
  readonly fromUserId: UserId;
  /** As requested (`ios`, `android`, …). */
  readonly platforms: readonly string[];
  /** The request's `audience` object, JSON text. */
  readonly audience: string;
  /** The request's `notification` object, JSON text. */
  readonly notification: string;
  /** The message part's type; absent for a notification-only push. */
  readonly objectName?: string;
  /** Users the in-app message was stored for (0 for a notification-only push). */
  readonly recipientCount: number;
}

/**
 * `PushRecordRepository.add` of an id the app already has. Engines detect the conflict themselves (ON CONFLICT DO
 * NOTHING, then no row changed) rather than passing the driver's constraint error on: callers and the contract get one
 * error type on every engine, created in our own code (a driver's error class can come from another realm under
 * test runners that reload modules, where `instanceof Error` fails).
 */
export class DuplicatePushIdError extends Error {
  constructor(readonly appKey: AppKey, readonly id: string) {
    super(`push record ${id} already exists for app ${appKey}`);
    this.name = 'DuplicatePushIdError';
  }
}

export interface PushRecordRepository {
  /** Stores a record; rejects with DuplicatePushIdError when the app already has one with this id. */
  add(record: PushRecord): Promise<void>;
  get(appKey: AppKey, id: string): Promise<PushRecord | undefined>;
  /** The app's newest records first (ties: greater id first), at most `limit`. */
  recent(appKey: AppKey, limit: number): Promise<readonly PushRecord[]>;
}

export interface ChatroomDistributionRepository {
  /** Stops (true) or resumes (false) distribution of the room's member messages; resolves whether the state changed. */
  setStopped(appKey: AppKey, roomId: string, stopped: boolean, now: number): Promise<boolean>;
  isStopped(appKey: AppKey, roomId: string): Promise<boolean>;
  /** The app's stopped rooms, ascending. */
  stopped(appKey: AppKey): Promise<readonly string[]>;
}
