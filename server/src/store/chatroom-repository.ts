/**
 * Chatroom storage (issue #6): what must survive a restart and be shared by every node — rooms, members and
 * their join times, the room timeline (for join history, `chrmPull` and `qryCHMsg`), KV attributes with their
 * sync clock, and moderation (gags, bans, blocks, whitelists, message-type lists). Who is online and the
 * drop-policy counters are NOT here: they are per node and live in the chatroom service.
 *
 * Clocks, all ms and per room, never reused while the room exists:
 * - `timelineTime`: the greatest message `sentTime` or join time. A message gets max(now, timelineTime + 1), a
 *   join raises it to at least its join time, so every message appended after a join is strictly newer than
 *   that join (E4 uses max(syncTime, joinTime) as its first cursor, PROTOCOL.md §8.7).
 * - `kvTime`: the greatest entry `updatedTime` (sets and removals alike): the `pullKV` cursor.
 * Destroying a room removes everything in it (members, timeline, KV, room-scoped marks).
 */
import type { AppKey, UserId } from './store';

export interface ChatroomRecord {
  readonly appKey: AppKey;
  readonly roomId: string;
  readonly name: string;
  readonly createdTime: number;
  /** Last message or join: the idle-destroy clock. */
  readonly activeTime: number;
  readonly timelineTime: number;
  /** Exempt from idle destruction (`chatroom/keepalive`). */
  readonly keepalive: boolean;
  /** Whole-room mute (`chatroom/ban`): only mute-whitelisted users may speak. */
  readonly muted: boolean;
  /** How the room ends (`chatroom/create_new`, `chatroom/destroy/set`); absent = destroyed when idle. */
  readonly destroy: RoomDestroy;
}

/**
 * `destroyType` 0: destroyed when idle (the app's `chrmIdleDestroyMs`). 1: destroyed at `at` (ms), whatever its
 * activity; `minutes` is the `destroyTime` it was set with. Type 0 has minutes 0 and at 0.
 */
export interface RoomDestroy {
  readonly type: 0 | 1;
  readonly minutes: number;
  readonly at: number;
}

export const IDLE_DESTROY: RoomDestroy = Object.freeze({ type: 0, minutes: 0, at: 0 });

/** A store join: `full` when the room had `maxMembers` and the user was none of them (joinTime 0 then). */
export interface ChatroomJoin {
  readonly joinTime: number;
  readonly added: boolean;
  readonly full?: true;
}

export interface ChatroomMember {
  readonly userId: UserId;
  readonly joinTime: number;
}

export interface NewChatroomMessage {
  readonly appKey: AppKey;
  readonly roomId: string;
  readonly fromUserId: UserId;
  readonly objectName: string;
  readonly content: Uint8Array;
  /** UpStreamMessage.sessionId bits; every room message is kept (pulls need it), only bit 1 ones show in history. */
  readonly flags: number;
  readonly configFlag?: number;
  readonly pushContent?: string;
  readonly extraContent?: string;
  /** Lower bound for `sentTime`. */
  readonly now: number;
}

/**
 * A server-only bit of a room message's `flags` (far above the UpStreamMessage.sessionId bits; never taken from
 * a client and never sent to one, room-wire.ts): the sender's own pulls include the message
 * (`message/chatroom/publish` with `isIncludeSender=1`). Without it a member's pulls leave its own messages out
 * (PROTOCOL.md U20).
 */
export const ROOM_FLAG_INCLUDE_SENDER = 1 << 16;

/** Whether `userId`'s pulls leave `message` out: its own message, unless flagged ROOM_FLAG_INCLUDE_SENDER. */
export function hiddenFromPuller(message: { readonly fromUserId: string; readonly flags: number }, userId: string): boolean {
  return message.fromUserId === userId && (message.flags & ROOM_FLAG_INCLUDE_SENDER) === 0;
}

export interface ChatroomMessage {
  readonly appKey: AppKey;
  readonly roomId: string;
  readonly uid: string;
  readonly sentTime: number;
  readonly fromUserId: UserId;
  readonly objectName: string;
  readonly content: Uint8Array;
  readonly flags: number;
  readonly configFlag?: number;
  readonly pushContent?: string;
  readonly extraContent?: string;
}

/** `recall`: the message marked recalled, or why not (another room's uid is 'not-found'). */
export type ChatroomRecallResult =
  | { readonly ok: true; readonly message: ChatroomMessage }
  | { readonly ok: false; readonly reason: 'not-found' | 'not-sender' | 'already-recalled' };

export interface TimelinePage {
  /** Ascending by sentTime. */
  readonly messages: readonly ChatroomMessage[];
  readonly hasMore: boolean;
  /** The room's `timelineTime` in the same snapshot (0 for an unknown room). */
  readonly timelineTime: number;
}

export interface ChatroomHistoryPage {
  /** Newest first whatever the order (like MessageRepository.history). */
  readonly messages: readonly ChatroomMessage[];
  readonly hasMore: boolean;
}

export interface ChatroomEntry {
  readonly key: string;
  /** '' for a removal. */
  readonly value: string;
  /** Who set (or removed) it last. */
  readonly userId: UserId;
  readonly autoDelete: boolean;
  /** Last change was forced (or by an admin): clients apply it even over another user's key. */
  readonly overwrite: boolean;
  /** A removal kept so incremental pulls can report it. */
  readonly deleted: boolean;
  /** Strictly increasing per room. */
  readonly updatedTime: number;
}

export interface EntryChange {
  readonly key: string;
  readonly value: string;
  readonly userId: UserId;
  readonly autoDelete: boolean;
  /** Ignore ownership (force set / admin). */
  readonly force: boolean;
}

export type EntrySetResult =
  | { readonly ok: true; readonly entry: ChatroomEntry }
  | { readonly ok: false; readonly reason: 'limit' | 'not-owner' };

/** `setEntries`: every key written, or none (`key` is the first one refused). */
export type EntriesSetResult =
  | { readonly ok: true; readonly entries: readonly ChatroomEntry[] }
  | { readonly ok: false; readonly reason: 'limit' | 'not-owner'; readonly key: string };

export type EntryRemoveResult =
  | { readonly ok: true; readonly entry: ChatroomEntry }
  | { readonly ok: false; readonly reason: 'not-found' | 'not-owner' };

export interface EntryChanges {
  /** True: `entries` is every live entry and replaces the caller's copy (cursor 0 or older than what is kept). */
  readonly full: boolean;
  /** Ascending by updatedTime; removals included only when not full. */
  readonly entries: readonly ChatroomEntry[];
  /** The room's kvTime (0 when it has none): the next cursor. */
  readonly syncTime: number;
}

/**
 * Per-user marks. Room-scoped: `gag` (muted in one room), `block` (kicked, may not rejoin), `whitelist`
 * (never auto-kicked, messages never dropped), `muteWhitelist` (may speak while the room is muted).
 * App-wide (roomId ''): `ban` (muted in every room).
 */
export type UserMarkKind = 'gag' | 'block' | 'whitelist' | 'muteWhitelist' | 'ban';

export interface UserMark {
  readonly userId: UserId;
  /** ms; 0 = no expiry. */
  readonly until: number;
  readonly since: number;
}

/** App-wide object-name lists: never-dropped types and low-priority types. */
export type AppListKind = 'messageWhitelist' | 'lowPriority';

/** Everything the send path needs to know about one sender and one message type, read in one snapshot. */
export interface SenderStanding {
  /** Gagged in this room or banned app-wide. */
  readonly silenced: boolean;
  /** The room is muted and the sender is not mute-whitelisted. */
  readonly roomMuted: boolean;
  readonly whitelistedType: boolean;
  readonly lowPriority: boolean;
}

export interface ChatroomRepository {
  /**
   * Creates the room if missing, with `destroy` (default IDLE_DESTROY) in the same write. An existing room keeps
   * everything, its destroy setting included, but takes the new name when one is given.
   */
  create(appKey: AppKey, roomId: string, name: string, now: number, destroy?: RoomDestroy): Promise<{ readonly room: ChatroomRecord; readonly created: boolean }>;
  get(appKey: AppKey, roomId: string): Promise<ChatroomRecord | undefined>;
  /** Removes the room and all it holds; resolves with its members then, or undefined if it did not exist. */
  destroy(appKey: AppKey, roomId: string): Promise<readonly UserId[] | undefined>;
  /** Every room id of the app, ascending. */
  list(appKey: AppKey): Promise<readonly string[]>;
  /**
   * Ids of the app's rooms that are not keepalive, destroyed when idle (destroy type 0) and have activeTime <
   * `before`; at most `limit`, oldest activity first.
   */
  idle(appKey: AppKey, before: number, limit: number): Promise<readonly string[]>;
  /** Ids of the app's timed rooms (destroy type 1) whose deadline is ≤ `now`; at most `limit`, earliest first. */
  due(appKey: AppKey, now: number, limit: number): Promise<readonly string[]>;
  /** Replaces the room's destroy setting; false when the room does not exist. */
  setDestroy(appKey: AppKey, roomId: string, destroy: RoomDestroy): Promise<boolean>;
  /** False when the room does not exist. */
  setFlag(appKey: AppKey, roomId: string, flag: 'keepalive' | 'muted', on: boolean): Promise<boolean>;
  /** Ids of the app's rooms with the flag set, ascending. */
  flagged(appKey: AppKey, flag: 'keepalive' | 'muted'): Promise<readonly string[]>;

  /**
   * Adds a member (an existing member keeps its original join time), raises timelineTime to the join time
   * and marks the room active. Rejects for an unknown room. With `maxMembers` > 0, a new member is not added to a
   * room that has that many (`full`, nothing changed), checked in the write that adds it: joins through several
   * nodes at once cannot overfill the room.
   */
  join(appKey: AppKey, roomId: string, userId: UserId, now: number, maxMembers?: number): Promise<ChatroomJoin>;
  /** False when the user was not a member. */
  leave(appKey: AppKey, roomId: string, userId: UserId): Promise<boolean>;
  /** Member total and up to `limit` members by join time (ties by user id). */
  members(appKey: AppKey, roomId: string, limit: number, order: 'asc' | 'desc'): Promise<{ readonly total: number; readonly members: readonly ChatroomMember[] }>;
  /** Rooms `userId` is a member of, ascending. */
  roomsOf(appKey: AppKey, userId: UserId): Promise<readonly string[]>;
  /** The member's join time; undefined when `userId` is not a member (or the room does not exist). */
  memberJoinTime(appKey: AppKey, roomId: string, userId: UserId): Promise<number | undefined>;

  /** Appends to the timeline (sentTime = max(now, timelineTime + 1)) and marks the room active. Rejects for an unknown room. */
  append(message: NewChatroomMessage): Promise<ChatroomMessage>;
  /**
   * Messages with sentTime > `after`, ascending, at most `limit`, optionally leaving out one sender's
   * (but those flagged ROOM_FLAG_INCLUDE_SENDER).
   */
  since(appKey: AppKey, roomId: string, after: number, limit: number, excludeFrom?: UserId): Promise<TimelinePage>;
  /** The latest `count` persisted (flags & 1) messages, ascending (hasMore: older persisted ones exist). */
  latest(appKey: AppKey, roomId: string, count: number): Promise<TimelinePage>;
  /** Persisted messages older than `time` (order 0; time 0 = now) or newer than it (order 1). */
  history(appKey: AppKey, roomId: string, time: number, count: number, order: 0 | 1): Promise<ChatroomHistoryPage>;
  /** The room message with this uid (any room of the app); undefined when unknown or recalled. */
  message(appKey: AppKey, uid: string): Promise<ChatroomMessage | undefined>;
  /**
   * Marks a message of the room recalled, checking in the same transaction that it is there, not recalled yet and
   * (unless `by` is undefined: an admin) sent by `by`. A recalled message is left out of every later `since`,
   * `latest`, `history` and `message` answer.
   */
  recall(appKey: AppKey, roomId: string, uid: string, by: UserId | undefined): Promise<ChatroomRecallResult>;
  /** Deletes timeline messages with sentTime < `before`, in every app (retention); returns how many went. */
  pruneMessages(before: number): Promise<number>;
  /**
   * Deletes one room's timeline messages with sentTime ≤ `upTo` (Server API `conversation/message/history/clean`
   * with conversationType 4), as retention does for every room: they leave every later `since`, `latest`,
   * `history` and `message` answer, and the message log. The room's clock (timelineTime) stays, so later appends
   * still come after every time handed out. Returns how many went.
   */
  clearMessages(appKey: AppKey, roomId: string, upTo: number): Promise<number>;

  /**
   * Sets a key. Refused with 'limit' when it is a new key and the room already has `maxKeys` live keys, and
   * with 'not-owner' when another user's live key exists and `force` is false. Rejects for an unknown room.
   */
  setEntry(appKey: AppKey, roomId: string, change: EntryChange, maxKeys: number, now: number): Promise<EntrySetResult>;
  /**
   * Sets several keys (distinct) in one transaction, all or none: refused, with nothing written, when a key is
   * another user's live key and its change is not `force`d, or when the new keys would take the room over
   * `maxKeys` live keys. Rejects for an unknown room.
   */
  setEntries(appKey: AppKey, roomId: string, changes: readonly EntryChange[], maxKeys: number, now: number): Promise<EntriesSetResult>;
  /** Removes a live key ('not-found' otherwise); only the owner's unless `force`. */
  removeEntry(appKey: AppKey, roomId: string, key: string, userId: UserId, force: boolean, now: number): Promise<EntryRemoveResult>;
  /** Removes every live auto-delete key set by `userId` (owner left or was kicked); returns the removals. */
  removeAutoDeleteEntries(appKey: AppKey, roomId: string, userId: UserId, now: number): Promise<readonly ChatroomEntry[]>;
  /** Changes after `after` (0 = full list). */
  entriesSince(appKey: AppKey, roomId: string, after: number): Promise<EntryChanges>;
  /** Live entries, all or those of `keys`, ascending by key. */
  entries(appKey: AppKey, roomId: string, keys?: readonly string[]): Promise<readonly ChatroomEntry[]>;

  /** Sets (or extends/shortens) the mark for each user; roomId '' for app-wide kinds. */
  mark(appKey: AppKey, kind: UserMarkKind, roomId: string, userIds: readonly UserId[], until: number, now: number): Promise<void>;
  unmark(appKey: AppKey, kind: UserMarkKind, roomId: string, userIds: readonly UserId[]): Promise<void>;
  /** Unexpired marks at `now`, ascending by user id. */
  marks(appKey: AppKey, kind: UserMarkKind, roomId: string, now: number): Promise<readonly UserMark[]>;
  /** Whether `userId` has an unexpired mark. */
  isMarked(appKey: AppKey, kind: UserMarkKind, roomId: string, userId: UserId, now: number): Promise<boolean>;
  standing(appKey: AppKey, roomId: string, userId: UserId, objectName: string, now: number): Promise<SenderStanding>;

  setAppList(appKey: AppKey, kind: AppListKind, values: readonly string[], present: boolean): Promise<void>;
  appList(appKey: AppKey, kind: AppListKind): Promise<readonly string[]>;
}
