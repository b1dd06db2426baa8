/**
 * Server-computed unread counts (engine 5.x `serverSaveUnread`, services/e5-unread.ts): derived on read from
 * what the store already keeps — the owner's inbox entries and its read positions (read-position-repository.ts)
 * — so nothing new is written when a message arrives or is read.
 *
 * A message is unread for `owner` in conversation C when (checked by `unread-counts.contract.ts`):
 * - `owner` has its RECEIVE entry for it in C (so a sendbox copy or another user's message never counts),
 *   not deleted by the owner and not hidden by clearHistory;
 * - it is counted (`flags & 2`), not recalled, and not sent by `owner` itself;
 * - readTime(C) < sentTime ≤ `upTo`, where readTime(C) is the owner's effective read time of C (the greater
 *   of its position and its floor), and sentTime ≥ `notBefore` (retention).
 */
import type { AppKey, ConversationKey, UserId } from './store';

export interface FirstUnread {
  readonly uid: string;
  readonly sentTime: number;
  readonly objectName: string;
}

export interface UnreadCount {
  readonly conversation: ConversationKey;
  /** The effective read time the count was taken from (0 = never read). */
  readonly readTime: number;
  readonly count: number;
  /** How many of them mention the owner (the entry's mentioned bit). */
  readonly mentionCount: number;
  /** The oldest unread message; absent when count is 0. */
  readonly firstUnread?: FirstUnread;
}

export interface UnreadPage {
  /** Ascending by (type, targetId). */
  readonly items: readonly UnreadCount[];
  /** Pass back as `after` for the next page; absent on the last page. */
  readonly next?: ConversationKey;
}

export interface UnreadCountRepository {
  /**
   * Every conversation in which `owner` has an inbox (RECEIVE) entry with notBefore ≤ sentTime ≤ upTo — read
   * or not, so a client that pulls those messages again can be told that they are read — with its unread
   * count, ordered by (type, targetId), starting after `after` (exclusive), at most `limit` (≥ 1).
   */
  listInbox(appKey: AppKey, owner: UserId, upTo: number, notBefore: number, limit: number, after?: ConversationKey): Promise<UnreadPage>;
  /** The counts of the given conversations, in the given order (count 0 when nothing is unread). */
  unreadOf(appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[], upTo: number, notBefore: number): Promise<readonly UnreadCount[]>;
}
