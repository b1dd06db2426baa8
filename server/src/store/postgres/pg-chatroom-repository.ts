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
import { toMessage, toRoom, type MessageRow, type RecallableRow, type RoomRow } from '../chatroom-rows';
import type { AppKey, UserId } from '../store';
import { PgChatroomEntries } from './pg-chatroom-entries';
import type { PgDatabase } from './pg-database';
import { AppendBatcher, type AppendBatcherOptions } from '../message-append-batcher';
import { PgChatroomAppendWriter } from './pg-chatroom-append-writer';

const ROOM_COLUMNS = 'app_key, room_id, name, created_time, active_time, timeline_time, keepalive, muted, destroy_type, destroy_minutes, destroy_at';
const GET_ROOM_SQL = `SELECT ${ROOM_COLUMNS} FROM chatrooms WHERE app_key = ? AND room_id = ?`;
const LOCK_ROOM_SQL = `${GET_ROOM_SQL} FOR UPDATE`;
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
const ADD_MEMBER_SQL = `INSERT INTO chatroom_members (app_key, room_id, user_id, join_time) VALUES (?, ?, ?, ?)
  ON CONFLICT (app_key, room_id, user_id) DO NOTHING`;
const REMOVE_MEMBER_SQL = 'DELETE FROM chatroom_members WHERE app_key = ? AND room_id = ? AND user_id = ?';
const ALL_MEMBER_IDS_SQL = 'SELECT user_id FROM chatroom_members WHERE app_key = ? AND room_id = ? ORDER BY user_id';
const MEMBER_COUNT_SQL = 'SELECT COUNT(*) AS n FROM chatroom_members WHERE app_key = ? AND room_id = ?';
const MEMBERS_ASC_SQL = `SELECT user_id, join_time FROM chatroom_members WHERE app_key = ? AND room_id = ?
  ORDER BY join_time, user_id LIMIT ?`;
const MEMBERS_DESC_SQL = `SELECT user_id, join_time FROM chatroom_members WHERE app_key = ? AND room_id = ?
  ORDER BY join_time DESC, user_id DESC LIMIT ?`;
const ROOMS_OF_SQL = 'SELECT room_id FROM chatroom_members WHERE app_key = ? AND user_id = ? ORDER BY room_id';
// Joins and appends of one room serialize on its row lock (held until COMMIT on every node): a message
// appended after a join commits after it, with a strictly greater sentTime (appends: pg-chatroom-append-writer.ts).
const JOIN_TOUCH_SQL = `UPDATE chatrooms SET active_time = GREATEST(active_time, ?), timeline_time = GREATEST(timeline_time, ?)
  WHERE app_key = ? AND room_id = ?`;

const MESSAGE_COLUMNS = 'app_key, room_id, sent_time, uid, from_user_id, object_name, content, flags, config_flag, push_content, extra_content';
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
const LOCK_MESSAGE_SQL = `${MESSAGE_BY_UID_SQL} AND room_id = ? FOR UPDATE`;
const RECALL_SQL = 'UPDATE chatroom_messages SET recalled = 1 WHERE app_key = ? AND uid = ?';

const UNEXPIRED = '(until = 0 OR until > ?)';
const MARK_SQL = `INSERT INTO chatroom_user_marks (app_key, kind, room_id, user_id, until, since)
  SELECT ?, ?, ?, u, ?, ? FROM unnest(?::text[]) AS u
  ON CONFLICT (app_key, kind, room_id, user_id) DO UPDATE SET until = EXCLUDED.until, since = EXCLUDED.since`;
const UNMARK_SQL = 'DELETE FROM chatroom_user_marks WHERE app_key = ? AND kind = ? AND room_id = ? AND user_id = ANY(?::text[])';
const MARKS_SQL = `SELECT user_id, until, since FROM chatroom_user_marks WHERE app_key = ? AND kind = ? AND room_id = ? AND ${UNEXPIRED}
  ORDER BY user_id`;
const IS_MARKED_SQL = `SELECT 1 AS x FROM chatroom_user_marks WHERE app_key = ? AND kind = ? AND room_id = ? AND user_id = ? AND ${UNEXPIRED}`;
const PURGE_EXPIRED_SQL = 'DELETE FROM chatroom_user_marks WHERE app_key = ? AND kind = ? AND room_id = ? AND until <> 0 AND until <= ?';
const ADD_LIST_SQL = `INSERT INTO chatroom_app_lists (app_key, kind, value) SELECT ?, ?, v FROM unnest(?::text[]) AS v
  ON CONFLICT DO NOTHING`;
const REMOVE_LIST_SQL = 'DELETE FROM chatroom_app_lists WHERE app_key = ? AND kind = ? AND value = ANY(?::text[])';
const LIST_VALUES_SQL = 'SELECT value FROM chatroom_app_lists WHERE app_key = ? AND kind = ? ORDER BY value';
const IN_LIST_SQL = 'SELECT 1 AS x FROM chatroom_app_lists WHERE app_key = ? AND kind = ? AND value = ?';


function roomIds(rows: readonly { room_id: string }[]): string[] {
  return rows.map((row) => row.room_id);
}

/**
 * PostgreSQL chatroom storage. The room clocks (timeline_time, kv_time) are advanced under the room row's
 * lock inside the transaction that uses them, so every node sees one order per room. Timeline appends are
 * group-committed like private messages (one statement per batch, a savepoint per message on failure).
 */
export class PgChatroomRepository implements ChatroomRepository {
  private readonly kv: PgChatroomEntries;
  private readonly batcher: AppendBatcher<NewChatroomMessage, ChatroomMessage>;

  constructor(
    private readonly database: PgDatabase,
    options: { readonly random: () => number; readonly groupCommit?: Partial<AppendBatcherOptions> },
  ) {
    this.kv = new PgChatroomEntries(database);
    const writer = new PgChatroomAppendWriter(database, options.random);
    this.batcher = new AppendBatcher((batch) => writer.commit(batch), options.groupCommit);
  }

  async create(appKey: AppKey, roomId: string, name: string, now: number, destroy: RoomDestroy = IDLE_DESTROY): Promise<{ room: ChatroomRecord; created: boolean }> {
    return this.database.tx(async (q) => {
      const created = (await q.run(INSERT_ROOM_SQL, appKey, roomId, name, now, now, destroy.type, destroy.minutes, destroy.at)) > 0;
      if (!created && name !== '') await q.run(RENAME_SQL, name, appKey, roomId);
      const row = await q.get<RoomRow>(GET_ROOM_SQL, appKey, roomId);
      if (row === undefined) throw new Error(`chatroom ${roomId}: row missing after create`);
      return { room: toRoom(row), created };
    });
  }

  async get(appKey: AppKey, roomId: string): Promise<ChatroomRecord | undefined> {
    const row = await this.database.get<RoomRow>(GET_ROOM_SQL, appKey, roomId);
    return row === undefined ? undefined : toRoom(row);
  }

  async destroy(appKey: AppKey, roomId: string): Promise<readonly UserId[] | undefined> {
    return this.database.tx(async (q) => {
      if ((await q.get<RoomRow>(LOCK_ROOM_SQL, appKey, roomId)) === undefined) return undefined;
      const members = (await q.all<{ user_id: string }>(ALL_MEMBER_IDS_SQL, appKey, roomId)).map((row) => row.user_id);
      for (const sql of DESTROY_SQL) await q.run(sql, appKey, roomId);
      return members;
    });
  }

  async list(appKey: AppKey): Promise<readonly string[]> {
    return roomIds(await this.database.all<{ room_id: string }>(LIST_SQL, appKey));
  }

  async idle(appKey: AppKey, before: number, limit: number): Promise<readonly string[]> {
    return roomIds(await this.database.all<{ room_id: string }>(IDLE_SQL, appKey, before, Math.max(0, limit)));
  }

  async due(appKey: AppKey, now: number, limit: number): Promise<readonly string[]> {
    return roomIds(await this.database.all<{ room_id: string }>(DUE_SQL, appKey, now, Math.max(0, limit)));
  }

  async setDestroy(appKey: AppKey, roomId: string, destroy: RoomDestroy): Promise<boolean> {
    return (await this.database.run(SET_DESTROY_SQL, destroy.type, destroy.minutes, destroy.at, appKey, roomId)) > 0;
  }

  async setFlag(appKey: AppKey, roomId: string, flag: 'keepalive' | 'muted', on: boolean): Promise<boolean> {
    return (await this.database.run(FLAG_SQL[flag], on ? 1 : 0, appKey, roomId)) > 0;
  }

  async flagged(appKey: AppKey, flag: 'keepalive' | 'muted'): Promise<readonly string[]> {
    return roomIds(await this.database.all<{ room_id: string }>(FLAGGED_SQL[flag], appKey));
  }

  async join(appKey: AppKey, roomId: string, userId: UserId, now: number, maxMembers = 0): Promise<ChatroomJoin> {
    const time = Math.floor(now);
    return this.database.tx(async (q) => {
      // The room row's update holds its lock to the commit: joins of the room are serialized here, on every node.
      if ((await q.run(JOIN_TOUCH_SQL, time, time, appKey, roomId)) === 0) throw new Error(`chatroom ${roomId} does not exist`);
      if (maxMembers > 0 && (await q.get(MEMBER_SQL, appKey, roomId, userId)) === undefined) {
        const count = Number((await q.get<{ n: string | number }>(MEMBER_COUNT_SQL, appKey, roomId))?.n ?? 0);
        if (count >= maxMembers) return { joinTime: 0, added: false, full: true };
      }
      const added = (await q.run(ADD_MEMBER_SQL, appKey, roomId, userId, time)) > 0;
      if (added) return { joinTime: time, added };
      const existing = await q.get<{ join_time: number }>(MEMBER_SQL, appKey, roomId, userId);
      return { joinTime: existing?.join_time ?? time, added };
    });
  }

  async leave(appKey: AppKey, roomId: string, userId: UserId): Promise<boolean> {
    return (await this.database.run(REMOVE_MEMBER_SQL, appKey, roomId, userId)) > 0;
  }

  async members(appKey: AppKey, roomId: string, limit: number, order: 'asc' | 'desc'): Promise<{ total: number; members: readonly ChatroomMember[] }> {
    return this.database.read(async (q) => {
      const total = (await q.get<{ n: number }>(MEMBER_COUNT_SQL, appKey, roomId))?.n ?? 0;
      const rows = limit <= 0 ? [] : await q.all<{ user_id: string; join_time: number }>(order === 'asc' ? MEMBERS_ASC_SQL : MEMBERS_DESC_SQL, appKey, roomId, limit);
      return { total, members: rows.map((row) => ({ userId: row.user_id, joinTime: row.join_time })) };
    });
  }

  async memberJoinTime(appKey: AppKey, roomId: string, userId: UserId): Promise<number | undefined> {
    const row = await this.database.get<{ join_time: string | number }>(MEMBER_SQL, appKey, roomId, userId);
    return row === undefined ? undefined : Number(row.join_time);
  }

  async roomsOf(appKey: AppKey, userId: UserId): Promise<readonly string[]> {
    return roomIds(await this.database.all<{ room_id: string }>(ROOMS_OF_SQL, appKey, userId));
  }

  append(message: NewChatroomMessage): Promise<ChatroomMessage> {
    return this.batcher.enqueue(message);
  }

  /** Commits every queued timeline append now; the store calls it before closing the pool. */
  async flush(): Promise<void> {
    await this.batcher.flush();
  }

  async since(appKey: AppKey, roomId: string, after: number, limit: number, excludeFrom?: UserId): Promise<TimelinePage> {
    return this.database.read(async (q) => {
      const room = await q.get<RoomRow>(GET_ROOM_SQL, appKey, roomId);
      const rows = excludeFrom === undefined
        ? await q.all<MessageRow>(SINCE_SQL, appKey, roomId, after, limit + 1)
        : await q.all<MessageRow>(SINCE_EXCLUDING_SQL, appKey, roomId, after, excludeFrom, limit + 1);
      return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit, timelineTime: room?.timeline_time ?? 0 };
    });
  }

  async latest(appKey: AppKey, roomId: string, count: number): Promise<TimelinePage> {
    return this.database.read(async (q) => {
      const timelineTime = (await q.get<RoomRow>(GET_ROOM_SQL, appKey, roomId))?.timeline_time ?? 0;
      if (count <= 0) return { messages: [], hasMore: false, timelineTime };
      const rows = await q.all<MessageRow>(LATEST_SQL, appKey, roomId, count + 1);
      return { messages: rows.slice(0, count).map(toMessage).reverse(), hasMore: rows.length > count, timelineTime };
    });
  }

  async history(appKey: AppKey, roomId: string, time: number, count: number, order: 0 | 1): Promise<ChatroomHistoryPage> {
    if (count <= 0) return { messages: [], hasMore: false };
    const rows = order === 0
      ? await this.database.all<MessageRow>(OLDER_SQL, appKey, roomId, time > 0 ? time : Number.MAX_SAFE_INTEGER, count + 1)
      : await this.database.all<MessageRow>(NEWER_SQL, appKey, roomId, time, count + 1);
    const page = rows.slice(0, count).map(toMessage);
    return { messages: order === 0 ? page : page.reverse(), hasMore: rows.length > count };
  }

  async message(appKey: AppKey, uid: string): Promise<ChatroomMessage | undefined> {
    const row = await this.database.get<RecallableRow>(MESSAGE_BY_UID_SQL, appKey, uid);
    return row === undefined || Number(row.recalled) !== 0 ? undefined : toMessage(row);
  }

  async recall(appKey: AppKey, roomId: string, uid: string, by: UserId | undefined): Promise<ChatroomRecallResult> {
    return this.database.tx(async (q): Promise<ChatroomRecallResult> => {
      const row = await q.get<RecallableRow>(LOCK_MESSAGE_SQL, appKey, uid, roomId);
      if (row === undefined) return { ok: false, reason: 'not-found' };
      if (by !== undefined && row.from_user_id !== by) return { ok: false, reason: 'not-sender' };
      if (Number(row.recalled) !== 0) return { ok: false, reason: 'already-recalled' };
      await q.run(RECALL_SQL, appKey, uid);
      return { ok: true, message: toMessage(row) };
    });
  }

  async pruneMessages(before: number): Promise<number> {
    return this.database.run(PRUNE_SQL, before);
  }

  async clearMessages(appKey: AppKey, roomId: string, upTo: number): Promise<number> {
    return this.database.run(CLEAR_SQL, appKey, roomId, upTo);
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
    if (userIds.length === 0) return;
    await this.database.run(MARK_SQL, appKey, kind, roomId, until, now, [...new Set(userIds)]);
  }

  async unmark(appKey: AppKey, kind: UserMarkKind, roomId: string, userIds: readonly UserId[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.database.run(UNMARK_SQL, appKey, kind, roomId, [...new Set(userIds)]);
  }

  async marks(appKey: AppKey, kind: UserMarkKind, roomId: string, now: number): Promise<readonly UserMark[]> {
    return this.database.tx(async (q) => {
      await q.run(PURGE_EXPIRED_SQL, appKey, kind, roomId, now);
      const rows = await q.all<{ user_id: string; until: number; since: number }>(MARKS_SQL, appKey, kind, roomId, now);
      return rows.map((row) => ({ userId: row.user_id, until: row.until, since: row.since }));
    });
  }

  async isMarked(appKey: AppKey, kind: UserMarkKind, roomId: string, userId: UserId, now: number): Promise<boolean> {
    return (await this.database.get(IS_MARKED_SQL, appKey, kind, roomId, userId, now)) !== undefined;
  }

  async standing(appKey: AppKey, roomId: string, userId: UserId, objectName: string, now: number): Promise<SenderStanding> {
    return this.database.read(async (q) => {
      const marked = async (kind: UserMarkKind, room: string): Promise<boolean> => (await q.get(IS_MARKED_SQL, appKey, kind, room, userId, now)) !== undefined;
      const listed = async (kind: AppListKind): Promise<boolean> => (await q.get(IN_LIST_SQL, appKey, kind, objectName)) !== undefined;
      const room = await q.get<RoomRow>(GET_ROOM_SQL, appKey, roomId);
      return {
        silenced: (await marked('gag', roomId)) || (await marked('ban', '')),
        roomMuted: room?.muted === 1 && !(await marked('muteWhitelist', roomId)),
        whitelistedType: await listed('messageWhitelist'),
        lowPriority: await listed('lowPriority'),
      };
    });
  }

  async setAppList(appKey: AppKey, kind: AppListKind, values: readonly string[], present: boolean): Promise<void> {
    if (values.length === 0) return;
    await this.database.run(present ? ADD_LIST_SQL : REMOVE_LIST_SQL, appKey, kind, [...new Set(values)]);
  }

  async appList(appKey: AppKey, kind: AppListKind): Promise<readonly string[]> {
    return (await this.database.all<{ value: string }>(LIST_VALUES_SQL, appKey, kind)).map((row) => row.value);
  }
}
