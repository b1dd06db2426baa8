import type {
  AppListKind,
  ChatroomEntry,
  ChatroomHistoryPage,
  ChatroomJoin,
  ChatroomMember,
  ChatroomMessage,
  ChatroomRecallResult,
  ChatroomRecord,
  ChatroomRepository,
  EntryChange,
  EntryChanges,
  EntriesSetResult,
  EntryRemoveResult,
  EntrySetResult,
  NewChatroomMessage,
  SenderStanding,
  TimelinePage,
  UserMark,
  UserMarkKind,
} from '../chatroom-repository';
import { IDLE_DESTROY, ROOM_FLAG_INCLUDE_SENDER, type RoomDestroy } from '../chatroom-repository';
import { AppendBatcher, type AppendBatcherOptions, type AppendOutcome } from '../message-append-batcher';
import { newMessageUid } from '../message-uid';
import { storedRoomMessageOf, toMessage, toRoom, type MessageRow, type RecallableRow, type RoomRow } from '../chatroom-rows';
import type { AppKey, UserId } from '../store';
import { SqliteChatroomEntries } from './sqlite-chatroom-entries';
import type { SqliteDatabase } from './sqlite-database';
import { blob } from '../rows';

const UID_ATTEMPTS = 8;

const ROOM_COLUMNS = 'app_key, room_id, name, created_time, active_time, timeline_time, keepalive, muted, destroy_type, destroy_minutes, destroy_at';
const GET_ROOM_SQL = `SELECT ${ROOM_COLUMNS} FROM chatrooms WHERE app_key = ? AND room_id = ?`;
const INSERT_ROOM_SQL = `INSERT INTO chatrooms (app_key, room_id, name, created_time, active_time, destroy_type, destroy_minutes, destroy_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, room_id) DO NOTHING`;
const RENAME_SQL = 'UPDATE chatrooms SET name = ? WHERE app_key = ? AND room_id = ?';
const LIST_SQL = 'SELECT room_id FROM chatrooms WHERE app_key = ? ORDER BY room_id';
const IDLE_SQL = 'SELECT room_id FROM chatrooms WHERE app_key = ? AND keepalive = 0 AND destroy_type = 0 AND active_time < ? ORDER BY active_time LIMIT ?';
const DUE_SQL = 'SELECT room_id FROM chatrooms WHERE app_key = ? AND destroy_at > 0 AND destroy_at <= ? ORDER BY destroy_at LIMIT ?';
const SET_DESTROY_SQL = 'UPDATE chatrooms SET destroy_type = ?, destroy_minutes = ?, destroy_at = ? WHERE app_key = ? AND room_id = ?';
const FLAG_SQL = { keepalive: 'UPDATE chatrooms SET keepalive = ? WHERE app_key = ? AND room_id = ?', muted: 'UPDATE chatrooms SET muted = ? WHERE app_key = ? AND room_id = ?' } as const;
const FLAGGED_SQL = { keepalive: 'SELECT room_id FROM chatrooms WHERE app_key = ? AND keepalive = 1 ORDER BY room_id', muted: 'SELECT room_id FROM chatrooms WHERE app_key = ? AND muted = 1 ORDER BY room_id' } as const;
const DESTROY_SQL = [
  'DELETE FROM chatroom_members WHERE app_key = ? AND room_id = ?',
  'DELETE FROM chatroom_messages WHERE app_key = ? AND room_id = ?',
  'DELETE FROM chatroom_entries WHERE app_key = ? AND room_id = ?',
  'DELETE FROM chatroom_user_marks WHERE app_key = ? AND room_id = ?',
  'DELETE FROM chatrooms WHERE app_key = ? AND room_id = ?',
];

const MEMBER_SQL = 'SELECT join_time FROM chatroom_members WHERE app_key = ? AND room_id = ? AND user_id = ?';
const ADD_MEMBER_SQL = 'INSERT INTO chatroom_members (app_key, room_id, user_id, join_time) VALUES (?, ?, ?, ?)';
const REMOVE_MEMBER_SQL = 'DELETE FROM chatroom_members WHERE app_key = ? AND room_id = ? AND user_id = ?';
const ALL_MEMBER_IDS_SQL = 'SELECT user_id FROM chatroom_members WHERE app_key = ? AND room_id = ? ORDER BY user_id';
const MEMBER_COUNT_SQL = 'SELECT COUNT(*) AS n FROM chatroom_members WHERE app_key = ? AND room_id = ?';
const MEMBERS_ASC_SQL = `SELECT user_id, join_time FROM chatroom_members WHERE app_key = ? AND room_id = ?
  ORDER BY join_time, user_id LIMIT ?`;
const MEMBERS_DESC_SQL = `SELECT user_id, join_time FROM chatroom_members WHERE app_key = ? AND room_id = ?
  ORDER BY join_time DESC, user_id DESC LIMIT ?`;
const ROOMS_OF_SQL = 'SELECT room_id FROM chatroom_members WHERE app_key = ? AND user_id = ? ORDER BY room_id';
const JOIN_TOUCH_SQL = `UPDATE chatrooms SET active_time = MAX(active_time, ?), timeline_time = MAX(timeline_time, ?)
  WHERE app_key = ? AND room_id = ?`;

const MESSAGE_COLUMNS = 'app_key, room_id, sent_time, uid, from_user_id, object_name, content, flags, config_flag, push_content, extra_content';
const INSERT_MESSAGE_SQL = `INSERT INTO chatroom_messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, uid) DO NOTHING`;
const APPEND_TOUCH_SQL = 'UPDATE chatrooms SET timeline_time = ?, active_time = MAX(active_time, ?) WHERE app_key = ? AND room_id = ?';
const SINCE_SQL = `SELECT ${MESSAGE_COLUMNS} FROM chatroom_messages WHERE app_key = ? AND room_id = ? AND sent_time > ?
  AND recalled = 0 ORDER BY sent_time LIMIT ?`;
const SINCE_EXCLUDING_SQL = `SELECT ${MESSAGE_COLUMNS} FROM chatroom_messages WHERE app_key = ? AND room_id = ? AND sent_time > ?
  AND recalled = 0 AND (from_user_id <> ? OR (flags & ${ROOM_FLAG_INCLUDE_SENDER}) <> 0) ORDER BY sent_time LIMIT ?`;
const PERSISTED = `SELECT ${MESSAGE_COLUMNS} FROM chatroom_messages WHERE app_key = ? AND room_id = ? AND (flags & 1) = 1 AND recalled = 0`;
const LATEST_SQL = `${PERSISTED} ORDER BY sent_time DESC LIMIT ?`;
const OLDER_SQL = `${PERSISTED} AND sent_time < ? ORDER BY sent_time DESC LIMIT ?`;
const NEWER_SQL = `${PERSISTED} AND sent_time > ? ORDER BY sent_time ASC LIMIT ?`;
const PRUNE_SQL = 'DELETE FROM chatroom_messages WHERE sent_time < ?';
/** One room's messages up to a time: a range of the primary key (app_key, room_id, sent_time). */
const CLEAR_SQL = 'DELETE FROM chatroom_messages WHERE app_key = ? AND room_id = ? AND sent_time <= ?';
const MESSAGE_BY_UID_SQL = `SELECT ${MESSAGE_COLUMNS}, recalled FROM chatroom_messages WHERE app_key = ? AND uid = ?`;
const LOCK_MESSAGE_SQL = `${MESSAGE_BY_UID_SQL} AND room_id = ?`;
const RECALL_SQL = 'UPDATE chatroom_messages SET recalled = 1 WHERE app_key = ? AND uid = ?';

const UNEXPIRED = '(until = 0 OR until > ?)';
const MARK_SQL = `INSERT INTO chatroom_user_marks (app_key, kind, room_id, user_id, until, since) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, kind, room_id, user_id) DO UPDATE SET until = excluded.until, since = excluded.since`;
const UNMARK_SQL = 'DELETE FROM chatroom_user_marks WHERE app_key = ? AND kind = ? AND room_id = ? AND user_id = ?';
const MARKS_SQL = `SELECT user_id, until, since FROM chatroom_user_marks WHERE app_key = ? AND kind = ? AND room_id = ? AND ${UNEXPIRED}
  ORDER BY user_id`;
const IS_MARKED_SQL = `SELECT 1 AS x FROM chatroom_user_marks WHERE app_key = ? AND kind = ? AND room_id = ? AND user_id = ? AND ${UNEXPIRED}`;
const PURGE_EXPIRED_SQL = 'DELETE FROM chatroom_user_marks WHERE app_key = ? AND kind = ? AND room_id = ? AND until <> 0 AND until <= ?';
const ADD_LIST_SQL = 'INSERT INTO chatroom_app_lists (app_key, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING';
const REMOVE_LIST_SQL = 'DELETE FROM chatroom_app_lists WHERE app_key = ? AND kind = ? AND value = ?';
const LIST_VALUES_SQL = 'SELECT value FROM chatroom_app_lists WHERE app_key = ? AND kind = ? ORDER BY value';
const IN_LIST_SQL = 'SELECT 1 AS x FROM chatroom_app_lists WHERE app_key = ? AND kind = ? AND value = ?';


/**
 * SQLite chatroom storage. Each method is one transaction (better-sqlite3 is synchronous, so the event loop
 * serializes callers); the room clocks are read and advanced inside the transaction that uses them.
 *
 * Message appends are group-committed (message-append-batcher.ts): the appends queued in one event-loop
 * turn, of any rooms, are written by one transaction on this connection (one COMMIT, one WAL fsync under
 * synchronous=FULL, instead of one per message) and each `append` resolves only after that COMMIT, so
 * "resolved ⇒ durable" holds as before. Jobs run in call order, so each room's clock still advances in
 * call order; each job runs in its own savepoint, so one that fails (e.g. its room is gone) fails alone.
 * The server's store (sqlite-store.ts) runs it with batches of one, committed inside `append`: deferring
 * room appends to the end of the turn cut chatroom fan-out ≈ 10× (bench P3, round 4).
 */
export class SqliteChatroomRepository implements ChatroomRepository {
  private readonly kv: SqliteChatroomEntries;
  private readonly appends: AppendBatcher<NewChatroomMessage, ChatroomMessage>;

  constructor(
    private readonly database: SqliteDatabase,
    private readonly options: { readonly random: () => number; readonly groupCommit?: Partial<AppendBatcherOptions> },
  ) {
    this.kv = new SqliteChatroomEntries(database);
    this.appends = new AppendBatcher((jobs) => this.commitAppends(jobs), options.groupCommit);
  }

  /** Group-commit counters: commits so far and appends they carried. */
  get appendStats(): { readonly batches: number; readonly jobs: number } {
    return this.appends.stats;
  }

  /** Commits the queued appends now; call before closing the database (later ones would be rejected). */
  flush(): Promise<void> {
    return this.appends.flush();
  }

  async create(appKey: AppKey, roomId: string, name: string, now: number, destroy: RoomDestroy = IDLE_DESTROY): Promise<{ room: ChatroomRecord; created: boolean }> {
    return this.database.write(() => {
      const created = this.database.run(INSERT_ROOM_SQL, appKey, roomId, name, now, now, destroy.type, destroy.minutes, destroy.at) > 0;
      if (!created && name !== '') this.database.run(RENAME_SQL, name, appKey, roomId);
      return { room: toRoom(this.roomRow(appKey, roomId) as RoomRow), created };
    });
  }

  async get(appKey: AppKey, roomId: string): Promise<ChatroomRecord | undefined> {
    const row = this.roomRow(appKey, roomId);
    return row === undefined ? undefined : toRoom(row);
  }

  async destroy(appKey: AppKey, roomId: string): Promise<readonly UserId[] | undefined> {
    return this.database.write(() => {
      if (this.roomRow(appKey, roomId) === undefined) return undefined;
      const members = this.database.all<{ user_id: string }>(ALL_MEMBER_IDS_SQL, appKey, roomId).map((row) => row.user_id);
      for (const sql of DESTROY_SQL) this.database.run(sql, appKey, roomId);
      return members;
    });
  }

  async list(appKey: AppKey): Promise<readonly string[]> {
    return this.database.all<{ room_id: string }>(LIST_SQL, appKey).map((row) => row.room_id);
  }

  async idle(appKey: AppKey, before: number, limit: number): Promise<readonly string[]> {
    return this.database.all<{ room_id: string }>(IDLE_SQL, appKey, before, limit).map((row) => row.room_id);
  }

  async due(appKey: AppKey, now: number, limit: number): Promise<readonly string[]> {
    return this.database.all<{ room_id: string }>(DUE_SQL, appKey, now, limit).map((row) => row.room_id);
  }

  async setDestroy(appKey: AppKey, roomId: string, destroy: RoomDestroy): Promise<boolean> {
    return this.database.run(SET_DESTROY_SQL, destroy.type, destroy.minutes, destroy.at, appKey, roomId) > 0;
  }

  async setFlag(appKey: AppKey, roomId: string, flag: 'keepalive' | 'muted', on: boolean): Promise<boolean> {
    return this.database.run(FLAG_SQL[flag], on ? 1 : 0, appKey, roomId) > 0;
  }

  async flagged(appKey: AppKey, flag: 'keepalive' | 'muted'): Promise<readonly string[]> {
    return this.database.all<{ room_id: string }>(FLAGGED_SQL[flag], appKey).map((row) => row.room_id);
  }

  async join(appKey: AppKey, roomId: string, userId: UserId, now: number, maxMembers = 0): Promise<ChatroomJoin> {
    return this.database.write((): ChatroomJoin => {
      if (this.roomRow(appKey, roomId) === undefined) throw new Error(`chatroom ${roomId} does not exist`);
      const existing = this.database.get<{ join_time: number }>(MEMBER_SQL, appKey, roomId, userId);
      if (existing === undefined && maxMembers > 0 && (this.database.get<{ n: number }>(MEMBER_COUNT_SQL, appKey, roomId)?.n ?? 0) >= maxMembers) {
        return { joinTime: 0, added: false, full: true };
      }
      const joinTime = existing?.join_time ?? Math.floor(now);
      if (existing === undefined) this.database.run(ADD_MEMBER_SQL, appKey, roomId, userId, joinTime);
      this.database.run(JOIN_TOUCH_SQL, Math.floor(now), Math.floor(now), appKey, roomId);
      return { joinTime, added: existing === undefined };
    });
  }

  async leave(appKey: AppKey, roomId: string, userId: UserId): Promise<boolean> {
    return this.database.run(REMOVE_MEMBER_SQL, appKey, roomId, userId) > 0;
  }

  async members(appKey: AppKey, roomId: string, limit: number, order: 'asc' | 'desc'): Promise<{ total: number; members: readonly ChatroomMember[] }> {
    return this.database.read(() => {
      const total = this.database.get<{ n: number }>(MEMBER_COUNT_SQL, appKey, roomId)?.n ?? 0;
      const rows = limit <= 0 ? [] : this.database.all<{ user_id: string; join_time: number }>(order === 'asc' ? MEMBERS_ASC_SQL : MEMBERS_DESC_SQL, appKey, roomId, limit);
      return { total, members: rows.map((row) => ({ userId: row.user_id, joinTime: row.join_time })) };
    });
  }

  async memberJoinTime(appKey: AppKey, roomId: string, userId: UserId): Promise<number | undefined> {
    return this.database.get<{ join_time: number }>(MEMBER_SQL, appKey, roomId, userId)?.join_time;
  }

  async roomsOf(appKey: AppKey, userId: UserId): Promise<readonly string[]> {
    return this.database.all<{ room_id: string }>(ROOMS_OF_SQL, appKey, userId).map((row) => row.room_id);
  }

  append(message: NewChatroomMessage): Promise<ChatroomMessage> {
    return this.appends.enqueue(message);
  }

  /** One transaction for the batch; a savepoint (nested write) per job. */
  private commitAppends(jobs: readonly NewChatroomMessage[]): AppendOutcome<ChatroomMessage>[] {
    return this.database.write(() => jobs.map((job): AppendOutcome<ChatroomMessage> => {
      try {
        return { ok: true, value: this.database.write(() => this.appendOne(job)) };
      } catch (error) {
        return { ok: false, error };
      }
    }));
  }

  private appendOne(message: NewChatroomMessage): ChatroomMessage {
    const room = this.roomRow(message.appKey, message.roomId);
    if (room === undefined) throw new Error(`chatroom ${message.roomId} does not exist`);
    const now = Math.floor(message.now);
    const sentTime = Math.max(now, room.timeline_time + 1);
    const uid = this.insertMessage(message, sentTime);
    this.database.run(APPEND_TOUCH_SQL, sentTime, now, message.appKey, message.roomId);
    return storedRoomMessageOf(message, uid, sentTime);
  }

  async since(appKey: AppKey, roomId: string, after: number, limit: number, excludeFrom?: UserId): Promise<TimelinePage> {
    return this.database.read(() => {
      const room = this.roomRow(appKey, roomId);
      const rows = excludeFrom === undefined
        ? this.database.all<MessageRow>(SINCE_SQL, appKey, roomId, after, limit + 1)
        : this.database.all<MessageRow>(SINCE_EXCLUDING_SQL, appKey, roomId, after, excludeFrom, limit + 1);
      const hasMore = rows.length > limit;
      return { messages: rows.slice(0, limit).map(toMessage), hasMore, timelineTime: room?.timeline_time ?? 0 };
    });
  }

  async latest(appKey: AppKey, roomId: string, count: number): Promise<TimelinePage> {
    return this.database.read(() => {
      const timelineTime = this.roomRow(appKey, roomId)?.timeline_time ?? 0;
      if (count <= 0) return { messages: [], hasMore: false, timelineTime };
      const rows = this.database.all<MessageRow>(LATEST_SQL, appKey, roomId, count + 1);
      return { messages: rows.slice(0, count).map(toMessage).reverse(), hasMore: rows.length > count, timelineTime };
    });
  }

  async history(appKey: AppKey, roomId: string, time: number, count: number, order: 0 | 1): Promise<ChatroomHistoryPage> {
    if (count <= 0) return { messages: [], hasMore: false };
    const rows = order === 0
      ? this.database.all<MessageRow>(OLDER_SQL, appKey, roomId, time > 0 ? time : Number.MAX_SAFE_INTEGER, count + 1)
      : this.database.all<MessageRow>(NEWER_SQL, appKey, roomId, time, count + 1);
    const page = rows.slice(0, count).map(toMessage);
    return { messages: order === 0 ? page : page.reverse(), hasMore: rows.length > count };
  }

  async message(appKey: AppKey, uid: string): Promise<ChatroomMessage | undefined> {
    const row = this.database.get<RecallableRow>(MESSAGE_BY_UID_SQL, appKey, uid);
    return row === undefined || Number(row.recalled) !== 0 ? undefined : toMessage(row);
  }

  async recall(appKey: AppKey, roomId: string, uid: string, by: UserId | undefined): Promise<ChatroomRecallResult> {
    return this.database.write((): ChatroomRecallResult => {
      const row = this.database.get<RecallableRow>(LOCK_MESSAGE_SQL, appKey, uid, roomId);
      if (row === undefined) return { ok: false, reason: 'not-found' };
      if (by !== undefined && row.from_user_id !== by) return { ok: false, reason: 'not-sender' };
      if (Number(row.recalled) !== 0) return { ok: false, reason: 'already-recalled' };
      this.database.run(RECALL_SQL, appKey, uid);
      return { ok: true, message: toMessage(row) };
    });
  }

  async pruneMessages(before: number): Promise<number> {
    return this.database.write(() => this.database.run(PRUNE_SQL, before));
  }

  async clearMessages(appKey: AppKey, roomId: string, upTo: number): Promise<number> {
    return this.database.write(() => this.database.run(CLEAR_SQL, appKey, roomId, upTo));
  }

  async setEntry(appKey: AppKey, roomId: string, change: EntryChange, maxKeys: number, now: number): Promise<EntrySetResult> {
    return this.kv.set(appKey, roomId, change, maxKeys, now);
  }

  async setEntries(appKey: AppKey, roomId: string, changes: readonly EntryChange[], maxKeys: number, now: number): Promise<EntriesSetResult> {
    return this.kv.setMany(appKey, roomId, changes, maxKeys, now);
  }

  async removeEntry(appKey: AppKey, roomId: string, key: string, userId: UserId, force: boolean, now: number): Promise<EntryRemoveResult> {
    return this.kv.remove(appKey, roomId, key, userId, force, now);
  }

  async removeAutoDeleteEntries(appKey: AppKey, roomId: string, userId: UserId, now: number): Promise<readonly ChatroomEntry[]> {
    return this.kv.removeAutoDelete(appKey, roomId, userId, now);
  }

  async entriesSince(appKey: AppKey, roomId: string, after: number): Promise<EntryChanges> {
    return this.kv.since(appKey, roomId, after);
  }

  async entries(appKey: AppKey, roomId: string, keys?: readonly string[]): Promise<readonly ChatroomEntry[]> {
    return this.kv.live(appKey, roomId, keys);
  }

  async mark(appKey: AppKey, kind: UserMarkKind, roomId: string, userIds: readonly UserId[], until: number, now: number): Promise<void> {
    this.database.write(() => {
      for (const userId of userIds) this.database.run(MARK_SQL, appKey, kind, roomId, userId, until, now);
    });
  }

  async unmark(appKey: AppKey, kind: UserMarkKind, roomId: string, userIds: readonly UserId[]): Promise<void> {
    this.database.write(() => {
      for (const userId of userIds) this.database.run(UNMARK_SQL, appKey, kind, roomId, userId);
    });
  }

  async marks(appKey: AppKey, kind: UserMarkKind, roomId: string, now: number): Promise<readonly UserMark[]> {
    return this.database.write(() => {
      this.database.run(PURGE_EXPIRED_SQL, appKey, kind, roomId, now);
      return this.database
        .all<{ user_id: string; until: number; since: number }>(MARKS_SQL, appKey, kind, roomId, now)
        .map((row) => ({ userId: row.user_id, until: row.until, since: row.since }));
    });
  }

  async isMarked(appKey: AppKey, kind: UserMarkKind, roomId: string, userId: UserId, now: number): Promise<boolean> {
    return this.database.get(IS_MARKED_SQL, appKey, kind, roomId, userId, now) !== undefined;
  }

  async standing(appKey: AppKey, roomId: string, userId: UserId, objectName: string, now: number): Promise<SenderStanding> {
    return this.database.read(() => {
      const marked = (kind: UserMarkKind, room: string): boolean => this.database.get(IS_MARKED_SQL, appKey, kind, room, userId, now) !== undefined;
      const listed = (kind: AppListKind): boolean => this.database.get(IN_LIST_SQL, appKey, kind, objectName) !== undefined;
      const room = this.roomRow(appKey, roomId);
      return {
        silenced: marked('gag', roomId) || marked('ban', ''),
        roomMuted: room?.muted === 1 && !marked('muteWhitelist', roomId),
        whitelistedType: listed('messageWhitelist'),
        lowPriority: listed('lowPriority'),
      };
    });
  }

  async setAppList(appKey: AppKey, kind: AppListKind, values: readonly string[], present: boolean): Promise<void> {
    this.database.write(() => {
      for (const value of values) this.database.run(present ? ADD_LIST_SQL : REMOVE_LIST_SQL, appKey, kind, value);
    });
  }

  async appList(appKey: AppKey, kind: AppListKind): Promise<readonly string[]> {
    return this.database.all<{ value: string }>(LIST_VALUES_SQL, appKey, kind).map((row) => row.value);
  }

  private roomRow(appKey: AppKey, roomId: string): RoomRow | undefined {
    return this.database.get<RoomRow>(GET_ROOM_SQL, appKey, roomId);
  }

  private insertMessage(message: NewChatroomMessage, sentTime: number): string {
    for (let attempt = 0; attempt < UID_ATTEMPTS; attempt++) {
      const uid = newMessageUid(sentTime, this.options.random);
      const inserted = this.database.run(
        INSERT_MESSAGE_SQL,
        message.appKey,
        message.roomId,
        sentTime,
        uid,
        message.fromUserId,
        message.objectName,
        blob(message.content),
        message.flags,
        message.configFlag ?? null,
        message.pushContent ?? null,
        message.extraContent ?? null,
      );
      if (inserted > 0) return uid;
    }
    throw new Error('could not draw a unique chatroom message uid');
  }
}
