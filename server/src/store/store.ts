/**
 * Storage of record (STYLE.md §9.5). Domain-shaped, async (the SQLite engine is synchronous underneath,
 * PostgreSQL is not), multi-tenant: every call is scoped by `appKey`. Every invariant stated here is
 * checked by `store.contract.ts`, which runs unchanged on every engine.
 *
 * Vocabulary
 * - A conversation is seen from its owner: for a PRIVATE message from A to B, A's conversation is (1, B)
 *   and B's is (1, A). The same peer rule holds for CUSTOMER_SERVICE (5), SYSTEM (6) and public services
 *   (7, 8): the sender sees `targetId`, everyone else sees `fromUserId`. Every other type (discussion,
 *   GROUP, CHATROOM) is keyed by `targetId` for everyone. (`owner-conversation.ts` is the one definition.)
 * - `sentTime` (ms) and `uid` (messageUId, `XXXX-XXXX-XXXX-XXXX`) are assigned once by `append` and used
 *   everywhere the message appears later (sync, history, conversation list, recall, delete).
 * - Inbox / sendbox: each persisted message gets one sync entry per recipient (direction RECEIVE) and,
 *   when `senderSendbox`, one for the sender (direction SEND). `pullMsg` reads them by time cursor.
 *   An owner has at most one entry per message: when the sender is also a recipient (a message to
 *   oneself, a group message directed to oneself) it gets the RECEIVE entry only.
 * - An owner's entries are also exactly what it sees in `history` and the conversation list: a user who
 *   got no entry (not a recipient, or the sender without sendbox) does not see the message there.
 */

import type { ChatroomRepository } from './chatroom-repository';
import type { GroupRepository } from './group-repository';
import type { CallbackQueueRepository } from './callback-queue-repository';
import type { MessageLogRepository } from './message-log-repository';
import type { UserListRepository } from './user-list-repository';
import type { TagRepository } from './tag-repository';
import type { ReadPositionRepository } from './read-position-repository';
import type { SensitiveWordRepository } from './sensitive-word-repository';
import type { MessageExpansionRepository } from './message-expansion-repository';
import type { UnreadCountRepository } from './unread-count-repository';
import type { ChatroomDistributionRepository, PushRecordRepository, UserTagRepository } from './push-repository';
import type { AppRepository } from './app-repository';
import type { ServerEventRepository } from './server-event-repository';
import type { ChatBanRepository } from './chat-ban-repository';
import type { UserPushSettingRepository } from './user-push-setting-repository';

export type { ChatroomRepository } from './chatroom-repository';

export type AppKey = string;
export type UserId = string;

export const Direction = { Send: 1, Receive: 2 } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

export interface ConversationKey {
  /** ConversationType number (1 private, 3 group, 4 chatroom, 5 customer service, 6 system). */
  readonly type: number;
  /** The conversation id from the owner's point of view. */
  readonly targetId: string;
}

export interface NewMessage {
  readonly appKey: AppKey;
  readonly fromUserId: UserId;
  readonly conversationType: number;
  /** Target from the sender's point of view: the peer (private/system), group or room id. */
  readonly targetId: string;
  readonly objectName: string;
  /** UTF-8 JSON text of the content, stored byte for byte. */
  readonly content: Uint8Array;
  /** UpStreamMessage.sessionId bits: 1 persisted, 2 counted, 4 mentioned, 32 no push, 64 expansion. */
  readonly flags: number;
  readonly configFlag?: number;
  readonly pushContent?: string;
  readonly pushData?: string;
  /** Encoded PushExtra protobuf, kept opaque. */
  readonly pushExt?: Uint8Array;
  readonly extraContent?: string;
  /** Inbox owners other than the sender (private: [peer]; system: [user]; group: members or the directed subset). */
  readonly recipients: readonly UserId[];
  /** Recipients for whom the mentioned bit (64 in `status`) is set. */
  readonly mentionedUserIds?: readonly UserId[];
  /** Whether the sender gets a sendbox (direction SEND) entry, i.e. sees it on its other devices. */
  readonly senderSendbox: boolean;
  /** Server time to use as the lower bound for `sentTime` (ms); the store may raise it to keep ordering. */
  readonly now: number;
}

export interface StoredMessage {
  readonly appKey: AppKey;
  readonly uid: string;
  /** ms; strictly increasing per app in the single-node store, so also per conversation and per inbox. */
  readonly sentTime: number;
  readonly fromUserId: UserId;
  readonly conversationType: number;
  readonly targetId: string;
  readonly objectName: string;
  readonly content: Uint8Array;
  readonly flags: number;
  readonly configFlag?: number;
  readonly pushContent?: string;
  /** NewMessage.pushData, kept for push providers (never sent to clients). */
  readonly pushData?: string;
  readonly pushExt?: Uint8Array;
  readonly extraContent?: string;
  readonly recalled: boolean;
}

/** One sync entry: a message as it appears in one user's inbox or sendbox. */
export interface SyncEntry {
  readonly message: StoredMessage;
  readonly direction: Direction;
  /** Whether this owner was mentioned. */
  readonly mentioned: boolean;
}

export interface SyncPage {
  /** Ascending by `message.sentTime`. */
  readonly entries: readonly SyncEntry[];
  /** True when entries were cut at `limit`. */
  readonly hasMore: boolean;
  /**
   * When `!hasMore`: the greatest `sentTime` over the owner's whole inbox and sendbox (0 if empty),
   * so that a client cursor set to it is ≥ every notification already sent. When `hasMore`: the
   * `sentTime` of the last inbox entry returned.
   */
  readonly syncTime: number;
  /** Greatest sendbox sentTime returned in `entries` (or the request's value when none; 0 when it was null). */
  readonly sendboxTime: number;
}

export interface HistoryQuery {
  readonly appKey: AppKey;
  readonly owner: UserId;
  readonly conversation: ConversationKey;
  /** ms. With order 0, 0 = now (no upper bound); with order 1, 0 is the epoch (from the oldest on). */
  readonly time: number;
  readonly count: number;
  /** 0 = older than `time`, 1 = newer than `time`. */
  readonly order: 0 | 1;
}

export interface HistoryPage {
  /** Newest first (clients reverse it), whatever the order. */
  readonly messages: readonly SyncEntry[];
  readonly hasMore: boolean;
}

export interface ConversationSummary {
  readonly conversation: ConversationKey;
  /** The latest visible message (never absent: conversations without one are not listed). */
  readonly latest: SyncEntry;
  /** sentTime of the last message appended to it (kept when that message is later recalled/deleted). */
  readonly updatedTime: number;
}

export type RecallResult =
  | { readonly ok: true; readonly message: StoredMessage }
  | { readonly ok: false; readonly reason: 'not-found' | 'not-sender' | 'already-recalled' };

export interface MessageRepository {
  /**
   * Stores a message and its sync entries atomically and returns it with `uid` and `sentTime`.
   * `sentTime` = max(now, last sentTime of the app + 1): strictly increasing, never reused.
   * Persist only when `flags & 1` — callers never pass non-persisted messages (rejected if they do).
   * Conversations of the sender (if senderSendbox) and of every recipient are touched (listed again
   * even if they had been removed) with this message as their latest.
   * Resolves only after the data is durable (the caller PUBACKs after it).
   */
  append(message: NewMessage): Promise<StoredMessage>;
  /**
   * The app's clock: the sentTime of its newest committed message (0 when none). Every committed message has
   * sentTime ≤ it and every message appended later gets more (append's max(now, last + 1)), on any node and
   * whatever the nodes' wall clocks say — the bound for "everything the server already had" (read positions).
   */
  lastSentTime(appKey: AppKey): Promise<number>;
  /**
   * Reserves `time` on the app's clock for a not-stored message timed `time` (a client may move its inbox cursor to
   * it): every message appended afterwards, on any node, gets a sentTime > `time`. lastSentTime is not moved (it is
   * the newest STORED message: a stored message timed before the reservation may still be committing). Resolved
   * before the message is delivered; resolutions of one app come in the order made. May resolve without I/O when the
   * clock is known to be there already.
   */
  reserveTime(appKey: AppKey, time: number): Promise<void>;
  /**
   * Inbox sync for `owner`: RECEIVE entries with sentTime > `inboxAfter`, plus, when `sendboxAfter`
   * is not null, SEND entries with sentTime > `sendboxAfter`; ascending; entries older than `notBefore`
   * (retention) are skipped. At most `limit` (≥ 1) entries, but a run of equal sentTime is never split.
   * It is the delivery log: recalled messages still appear (with `recalled: true`; the recall command
   * follows them), and deleteForOwner/clearHistory do not affect it.
   */
  sync(appKey: AppKey, owner: UserId, inboxAfter: number, sendboxAfter: number | null, limit: number, notBefore: number): Promise<SyncPage>;
  get(appKey: AppKey, uid: string): Promise<StoredMessage | undefined>;
  /** Remote history of one conversation as `owner` sees it (not cleared, not deleted by owner, not recalled). */
  history(query: HistoryQuery): Promise<HistoryPage>;
  /**
   * The inbox owners (RECEIVE entries) of a stored fan-out message — a group message, or a SYSTEM message
   * addressed to its own sender (`message/broadcast`, a push's in-app message) — ordered by user id; [] for an
   * unknown uid. Recorded with the message (a recall must reach exactly them); other messages name their
   * recipient themselves.
   */
  recipientsOf(appKey: AppKey, uid: string): Promise<readonly UserId[]>;
  /** Marks a message recalled if `by` sent it; recalled messages leave history and conversation `latest`. */
  recall(appKey: AppKey, uid: string, by: UserId): Promise<RecallResult>;
  /** Hides the given messages from `owner`'s history (other participants keep them). Unknown uids (or uids of another conversation) are ignored. */
  deleteForOwner(appKey: AppKey, owner: UserId, conversation: ConversationKey, uids: readonly string[]): Promise<void>;
  /** Hides every message with sentTime ≤ `upTo` of that conversation from `owner`'s history. */
  clearHistory(appKey: AppKey, owner: UserId, conversation: ConversationKey, upTo: number): Promise<void>;
  /** Deletes sync entries and messages with sentTime < `before`, in every app (retention); sentTime values are
   * still never reused afterwards. Returns how many messages went. */
  prune(before: number): Promise<number>;
}

export interface ConversationRepository {
  /** Owner's conversations, most recently updated first, `updatedTime` < `before` when `before` > 0. */
  list(appKey: AppKey, owner: UserId, count: number, before: number): Promise<readonly ConversationSummary[]>;
  /**
   * The other direction (engine 5.x `getConversationList({ order: 1 })`): the `count` least recently updated of the
   * owner's conversations with `updatedTime` > `after` (0 = from the first), least recently updated first
   * (the reverse of `list`'s order); removed and emptied ones are left out as in `list`.
   */
  listAfter(appKey: AppKey, owner: UserId, count: number, after: number): Promise<readonly ConversationSummary[]>;
  /**
   * The listed ones among `conversations`, in the order given (each once), with their latest visible message as
   * in `list`; unknown, removed and emptied (everything hidden) ones are left out.
   */
  summariesOf(appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[]): Promise<readonly ConversationSummary[]>;
  /** Removes it from the list until a new message arrives in it; history stays. Idempotent. */
  remove(appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<void>;
}

export interface UserRecord {
  readonly appKey: AppKey;
  readonly userId: UserId;
  readonly name: string;
  readonly portraitUri: string;
  /** Tokens issued (ms) at or before this instant are rejected as expired (0 = none). */
  readonly tokensValidAfter: number;
  /** Banned until this instant (ms, 0 = not banned). */
  readonly blockedUntil: number;
  readonly createdTime: number;
}

export interface UserRepository {
  /** Creates or updates name/portrait (getToken, refresh); keeps the other fields. */
  upsert(appKey: AppKey, userId: UserId, profile: { readonly name?: string; readonly portraitUri?: string }, now: number): Promise<UserRecord>;
  get(appKey: AppKey, userId: UserId): Promise<UserRecord | undefined>;
  /** Makes every token issued up to `instant` invalid (tokensValidAfter never decreases). Unknown users are ignored. */
  expireTokens(appKey: AppKey, userIds: readonly UserId[], instant: number): Promise<void>;
  /**
   * Sets blockedUntil (0 unblocks) and records `at` as the time the block was made (cleared by an unblock), which
   * `UserListRepository.blockedSince` reads. Unknown users are ignored.
   */
  setBlockedUntil(appKey: AppKey, userId: UserId, until: number, at: number): Promise<void>;
}

/** Per-owner conversation settings synced to every device of the owner (PROTOCOL.md §7.5, `pullSeAtts`). */
export interface ConversationState {
  readonly conversation: ConversationKey;
  readonly isTop: boolean;
  /**
   * Engine 5.x NotificationLevel: -1 notify everything, 0 not set (the default), 1 @ messages only, 2 @ me, 4 @ all,
   * 5 nothing. Levels above 0 are do-not-disturb for the 0/1 clients (services/session-state.ts `isMutedLevel`).
   */
  readonly notificationLevel: number;
  /** ms; strictly increasing per owner (the `pullSeAtts` cursor), so no change is ever skipped. */
  readonly updatedTime: number;
}

export interface ConversationStateRepository {
  /**
   * Applies the given fields (absent ones keep their value; a new state starts not top, level 0) and stamps
   * `updatedTime` = max(now, owner's last updatedTime + 1). Returns the new state.
   */
  update(appKey: AppKey, owner: UserId, conversation: ConversationKey, change: { readonly isTop?: boolean; readonly notificationLevel?: number }, now: number): Promise<ConversationState>;
  /** The owner's states with updatedTime > `since`, ascending by updatedTime, at most `limit`. */
  changedSince(appKey: AppKey, owner: UserId, since: number, limit: number): Promise<readonly ConversationState[]>;
  get(appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<ConversationState | undefined>;
}

/**
 * Per-owner settings of a whole conversation type (`conversation/type/notification/set`): the `unpushLevel`
 * (-1 notify everything, 0 not set, 1 @ only, 2 @ me, 4 @ all, 5 nothing) of every conversation of the type.
 */
export interface ConversationTypeSettingRepository {
  /** Sets the level (0 forgets it: back to the default). */
  setUnpushLevel(appKey: AppKey, owner: UserId, conversationType: number, level: number, now: number): Promise<void>;
  /** The level set; 0 when none is. */
  unpushLevel(appKey: AppKey, owner: UserId, conversationType: number): Promise<number>;
}

export interface Store {
  readonly messages: MessageRepository;
  readonly conversations: ConversationRepository;
  readonly users: UserRepository;
  readonly conversationStates: ConversationStateRepository;
  /** Settings of whole conversation types per owner (`conversation/type/notification/*`). */
  readonly conversationTypeSettings: ConversationTypeSettingRepository;
  readonly chatrooms: ChatroomRepository;
  readonly groups: GroupRepository;
  /** Blacklists, whitelists and the blocked-user listing (user-list-repository.ts). */
  readonly userLists: UserListRepository;
  /** Per-user send bans of `user/chat/fb/set` (chat-ban-repository.ts). */
  readonly chatBans: ChatBanRepository;
  /** Users' push quiet hours, stored and answered only (user-push-setting-repository.ts). */
  readonly userPushSettings: UserPushSettingRepository;
  /** Durable outbox of App Server callbacks (callback-queue-repository.ts). */
  readonly callbackQueue: CallbackQueueRepository;
  /** App-wide message log for `message/history` (message-log-repository.ts). */
  readonly messageLog: MessageLogRepository;
  /** Conversation tags per owner (tag-repository.ts). */
  readonly tags: TagRepository;
  /** Server-kept read positions behind our SDK's synced unread counts (read-position-repository.ts). */
  readonly readPositions: ReadPositionRepository;
  /** Per-app sensitive words (sensitive-word-repository.ts). */
  readonly sensitiveWords: SensitiveWordRepository;
  /** Message expansion merged into the stored extraContent (message-expansion-repository.ts). */
  readonly expansions: MessageExpansionRepository;
  /** Unread counts derived from inbox entries and read positions (unread-count-repository.ts). */
  readonly unreadCounts: UnreadCountRepository;
  /** User tags for tag-targeted pushes (push-repository.ts). */
  readonly userTags: UserTagRepository;
  /** Records of `push` calls (push-repository.ts). */
  readonly pushes: PushRecordRepository;
  /** Chatrooms whose member messages are not distributed (push-repository.ts). */
  readonly chatroomDistribution: ChatroomDistributionRepository;
  /** Apps created from the admin console (app-repository.ts); config apps are not stored. */
  readonly apps: AppRepository;
  /** Per-user engine 5.x server events, read by `pullEventChange` (server-event-repository.ts). */
  readonly serverEvents: ServerEventRepository;
  /** Runs the numbered migrations not yet applied. Called once by main.ts, never lazily. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
