/**
 * Group storage (issue #5): groups, their members with join times, member mutes ("gags"), whole-group bans
 * with their whitelist, the shared pre-join history and group read receipts (v2).
 *
 * Groups are managed by the App Server (Server API); the IM server only keeps membership and moderation.
 * Group MESSAGES are stored by `MessageRepository.append` like every other message (write diffusion: one
 * inbox entry per recipient); this repository only adds what is specific to groups:
 * - who may send (`sendPermission`): members, minus gagged members, minus everyone but whitelisted members
 *   while the group is banned;
 * - who received a stored group message (`recipientsOf`, for recalls);
 * - the messages a member who joins LATER may read in history when the app enables it (`shareWithLaterMembers`
 *   marks one, `historyBeforeJoin` reads them);
 * - read receipts v2 (`markRead` / `readers`).
 *
 * A group exists from its first `join` until `dismiss`. Gags, bans and whitelist entries may name groups that
 * do not exist (yet): the App Server may moderate before it creates the group. `dismiss` removes the group,
 * its members and everything scoped to it (group gags, ban, whitelist); app-wide gags (groupId '') stay.
 */
import type { AppKey, HistoryPage, UserId } from './store';

export interface GroupRecord {
  readonly appKey: AppKey;
  readonly groupId: string;
  readonly name: string;
  readonly createdTime: number;
  readonly memberCount: number;
}

export interface GroupMember {
  readonly userId: UserId;
  /** ms; the member sees (through its inbox) only messages appended after it. */
  readonly joinedTime: number;
}

export interface GroupSummary {
  readonly groupId: string;
  readonly name: string;
}

/** A member mute. `groupId` '' = in every group of the app. */
export interface GroupGag {
  readonly groupId: string;
  readonly userId: UserId;
  readonly startTime: number;
  /** ms; 0 = until lifted. A gag whose `until` is ≤ now no longer exists. */
  readonly until: number;
}

export type GroupJoinResult =
  | { readonly ok: true; readonly added: readonly UserId[]; readonly memberCount: number }
  /** Nothing changed: the batch would have taken the group over `maxMembers`. */
  | { readonly ok: false; readonly reason: 'full'; readonly groupId: string; readonly memberCount: number };

export type SendPermission = 'allowed' | 'not-member' | 'muted';

export interface GroupReader {
  readonly userId: UserId;
  /** ms of the first `markRead` of this user for the message. */
  readonly readTime: number;
}

export interface PreJoinHistoryQuery {
  readonly appKey: AppKey;
  readonly owner: UserId;
  readonly groupId: string;
  /** Only shared messages with sentTime < this (the owner's join time) are read. */
  readonly before: number;
  /** As `HistoryQuery.time`: with order 0, 0 = no upper bound; with order 1, messages newer than it. */
  readonly time: number;
  readonly count: number;
  readonly order: 0 | 1;
}

export interface GroupRepository {
  /**
   * Adds the users who are not members yet (joinedTime = now), creating the group when it does not exist.
   * `name`, when given, (re)names the group. All or nothing: when the member count would exceed `maxMembers`
   * nothing changes and `full` is returned. Users already in the group keep their join time.
   */
  join(appKey: AppKey, groupId: string, userIds: readonly UserId[], options: { readonly name?: string; readonly maxMembers: number; readonly now: number }): Promise<GroupJoinResult>;
  /** Removes the users from the group (non-members are ignored); the group stays, even when empty. */
  quit(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void>;
  /** Removes the group and everything scoped to it. False when there was no such group (moderation marks are removed anyway). */
  dismiss(appKey: AppKey, groupId: string): Promise<boolean>;
  /** False (and nothing created) when there is no such group. */
  rename(appKey: AppKey, groupId: string, name: string): Promise<boolean>;
  get(appKey: AppKey, groupId: string): Promise<GroupRecord | undefined>;
  /** Ordered by joinedTime, then userId. */
  members(appKey: AppKey, groupId: string): Promise<readonly GroupMember[]>;
  member(appKey: AppKey, groupId: string, userId: UserId): Promise<GroupMember | undefined>;
  /** The groups `userId` is a member of, by groupId. */
  groupsOf(appKey: AppKey, userId: UserId): Promise<readonly GroupSummary[]>;
  /**
   * `group/sync`: makes `groups` exactly the user's groups — joins the listed ones it is not in (renaming
   * them to the given names) and quits the others. All or nothing (`full` names the first group that would
   * overflow).
   */
  replaceGroupsOf(appKey: AppKey, userId: UserId, groups: readonly GroupSummary[], options: { readonly maxMembers: number; readonly now: number }): Promise<GroupJoinResult>;

  /** Mutes the users in `groupId` ('' = every group) until `until` (0 = until lifted), replacing an earlier gag of the same scope. */
  gag(appKey: AppKey, groupId: string, userIds: readonly UserId[], until: number, now: number): Promise<void>;
  /** Lifts the gags of that exact scope. */
  ungag(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void>;
  /** Gags of that exact scope still in force at `now`, ordered by userId. */
  gags(appKey: AppKey, groupId: string, now: number): Promise<readonly GroupGag[]>;

  /** Whole-group ban on or off; idempotent. */
  setBanned(appKey: AppKey, groupIds: readonly string[], banned: boolean, now: number): Promise<void>;
  /** The subset of `groupIds` that is banned. */
  bannedAmong(appKey: AppKey, groupIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** Banned groups ordered by groupId, paged. */
  bannedGroups(appKey: AppKey, offset: number, limit: number): Promise<readonly string[]>;
  addBanWhitelist(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void>;
  removeBanWhitelist(appKey: AppKey, groupId: string, userIds: readonly UserId[]): Promise<void>;
  /** Ordered by userId. */
  banWhitelist(appKey: AppKey, groupId: string): Promise<readonly UserId[]>;

  /**
   * Whether `userId` may send to the group from a client now: `not-member` when it is not a member;
   * `muted` when a gag of the group or of every group is in force, or the group is banned and the user is not
   * on its whitelist; `allowed` otherwise. (Server API sends are not subject to it.)
   */
  sendPermission(appKey: AppKey, groupId: string, userId: UserId, now: number): Promise<SendPermission>;
  /** The users that received a stored message (its inbox owners), ordered by userId; [] for an unknown uid. */
  recipientsOf(appKey: AppKey, uid: string): Promise<readonly UserId[]>;

  /**
   * Marks a stored group message as readable by members who join after it was sent (the app option "view
   * messages before join"). Directed messages are never marked. Unknown uids and messages that are not of
   * the group conversation type are ignored; idempotent.
   */
  shareWithLaterMembers(appKey: AppKey, uid: string): Promise<void>;
  /**
   * Shared messages of the group sent before `query.before`, as `owner` sees them in history: not recalled,
   * above the owner's clear-history watermark of the group. Same paging rules as `MessageRepository.history`
   * (newest first, `hasMore`); entries are RECEIVE entries without mention.
   */
  historyBeforeJoin(query: PreJoinHistoryQuery): Promise<HistoryPage>;

  /** Records that `userId` read these messages of `groupId` at `now` (first read wins); uids of other conversations are ignored. */
  markRead(appKey: AppKey, groupId: string, uids: readonly string[], userId: UserId, now: number): Promise<void>;
  /** Readers of a message, by readTime then userId. */
  readers(appKey: AppKey, uid: string): Promise<readonly GroupReader[]>;
}
