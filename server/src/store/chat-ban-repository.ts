/**
 * Per-user send bans of the Server API's `user/chat/fb/set` (SERVER_API.md §2.1): a user banned for a kind of
 * conversation may not send to any conversation of that kind from a client (PERSON: private messages, refused
 * with 20106; GROUP: group messages, refused with 22408 — services/chat-bans.ts enforces them). A ban has no end:
 * it lasts until it is lifted. Every call is scoped by app; the two kinds never mix.
 */
import type { AppKey, UserId } from './store';

/** The conversation kinds a ban names (`type` of `user/chat/fb/*`). */
export type ChatBanKind = 'PERSON' | 'GROUP';

export interface ChatBanPage {
  /** How many users are banned for the kind. */
  readonly total: number;
  /** Banned users in the order they were banned (then by user id), `offset` skipped, at most `limit`. */
  readonly userIds: readonly UserId[];
}

export interface ChatBanRepository {
  /**
   * Bans (`banned` true) or lifts the ban of (false) each user for `kind`. Banning a banned user keeps its first
   * ban time (its place in `page`); lifting an unbanned one does nothing. Duplicates are ignored.
   */
  set(appKey: AppKey, kind: ChatBanKind, userIds: readonly UserId[], banned: boolean, now: number): Promise<void>;
  /** Whether `userId` is banned for `kind`. */
  isBanned(appKey: AppKey, kind: ChatBanKind, userId: UserId): Promise<boolean>;
  /** The users banned for `kind`, oldest ban first (ties by user id), `offset` skipped, at most `limit`. */
  page(appKey: AppKey, kind: ChatBanKind, offset: number, limit: number): Promise<ChatBanPage>;
}
