/**
 * Per-user lists the Server API manages (SERVER_API.md §2.1) and the message rules read: the blacklist (a
 * blacklisted sender's private messages are refused with 405) and the whitelist (in whitelist mode only
 * listed senders get through, 407 otherwise). Also the blocked-user listing, which reads `users.blocked_until`.
 * Every call is scoped by app; lists of different owners, apps and kinds never mix.
 */
import type { AppKey, UserId } from './store';

export type UserListKind = 'black' | 'white';

export interface UserListPage {
  /** Ascending by user id. */
  readonly userIds: readonly UserId[];
  /** Pass as `after` for the next page; absent on the last page. */
  readonly next?: UserId;
}

export interface BlockedUser {
  readonly userId: UserId;
  /** ms */
  readonly blockedUntil: number;
}

/** A block made at `blockedAt` (ms, the clock of the node that took `user/block`). */
export interface RecentBlock {
  readonly appKey: AppKey;
  readonly userId: UserId;
  readonly blockedAt: number;
}

export interface UserListRepository {
  /** Adds ids (duplicates and ids already listed are ignored; an owner may list itself). Returns the new size. */
  add(appKey: AppKey, owner: UserId, kind: UserListKind, userIds: readonly UserId[], now: number): Promise<number>;
  /** Removes ids; unknown ones are ignored. */
  remove(appKey: AppKey, owner: UserId, kind: UserListKind, userIds: readonly UserId[]): Promise<void>;
  /** Ids greater than `after` ('' = from the start), at most `limit` (≥ 1). */
  page(appKey: AppKey, owner: UserId, kind: UserListKind, after: UserId, limit: number): Promise<UserListPage>;
  /** Whether `userId` is on `owner`'s list. */
  contains(appKey: AppKey, owner: UserId, kind: UserListKind, userId: UserId): Promise<boolean>;
  /** Of `owners`, those whose list holds `userId` (one query for a whole recipient list). */
  ownersListing(appKey: AppKey, owners: readonly UserId[], kind: UserListKind, userId: UserId): Promise<ReadonlySet<UserId>>;
  count(appKey: AppKey, owner: UserId, kind: UserListKind): Promise<number>;
  /** Registered users (the `users` table) with id > `after`, ascending, at most `limit`: broadcast recipients. */
  registered(appKey: AppKey, after: UserId, limit: number): Promise<readonly UserId[]>;
  /** Users with `blockedUntil > now`, ascending by user id, `offset` skipped, at most `limit`. */
  blocked(appKey: AppKey, now: number, offset: number, limit: number): Promise<readonly BlockedUser[]>;
  /**
   * Blocks made after `since` and still in force at `now`, in every app, ascending by (blockedAt, app, user),
   * `offset` skipped, at most `limit`. Reads only blocked rows (an index on the block time).
   */
  blockedSince(since: number, now: number, offset: number, limit: number): Promise<readonly RecentBlock[]>;
}
