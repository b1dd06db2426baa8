import type { ChatroomEntry, EntriesSetResult, EntryChange, EntryChanges, EntryRemoveResult, EntrySetResult } from '../chatroom-repository';
import type { AppKey, UserId } from '../store';
import { ENTRY_COLUMNS, toEntry, type EntryRow } from '../chatroom-rows';
import type { PgDatabase, PgQueryable } from './pg-database';

/** Removals kept per room for incremental pulls; older ones are purged and raise `kv_floor`. */
const MAX_TOMBSTONES = 200;


const ROOM_CLOCK_SQL = 'SELECT kv_time, kv_floor FROM chatrooms WHERE app_key = ? AND room_id = ?';
// The room row is the per-room serialization point of KV writes on every node: its lock is held until
// COMMIT, so kv_time advances and the changes it stamps become visible in the same order (pullKV
// cursors never skip a change).
const LOCK_CLOCK_SQL = `${ROOM_CLOCK_SQL} FOR UPDATE`;
const SET_CLOCK_SQL = 'UPDATE chatrooms SET kv_time = ? WHERE app_key = ? AND room_id = ?';
const GET_SQL = `SELECT ${ENTRY_COLUMNS} FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND key = ?`;
const LIVE_COUNT_SQL = 'SELECT COUNT(*) AS n FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND deleted = 0';
const UPSERT_SQL = `INSERT INTO chatroom_entries (app_key, room_id, key, value, user_id, auto_delete, overwrite, deleted, updated_time)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, room_id, key) DO UPDATE SET value = EXCLUDED.value, user_id = EXCLUDED.user_id,
    auto_delete = EXCLUDED.auto_delete, overwrite = EXCLUDED.overwrite, deleted = EXCLUDED.deleted, updated_time = EXCLUDED.updated_time`;
// Many removals (an owner leaving) in one statement: keys and their new times unnested side by side.
const TOMBSTONE_MANY_SQL = `UPDATE chatroom_entries e SET value = '', user_id = ?, overwrite = 0, deleted = 1, updated_time = u.t
  FROM unnest(?::text[], ?::bigint[]) AS u(k, t) WHERE e.app_key = ? AND e.room_id = ? AND e.key = u.k`;
const LIVE_SQL = `SELECT ${ENTRY_COLUMNS} FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND deleted = 0 ORDER BY key`;
const LIVE_KEYS_SQL = `SELECT ${ENTRY_COLUMNS} FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND deleted = 0
  AND key = ANY(?::text[]) ORDER BY key`;
const SINCE_SQL = `SELECT ${ENTRY_COLUMNS} FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND updated_time > ? ORDER BY updated_time`;
const AUTO_DELETE_SQL = `SELECT ${ENTRY_COLUMNS} FROM chatroom_entries
  WHERE app_key = ? AND room_id = ? AND user_id = ? AND auto_delete = 1 AND deleted = 0 ORDER BY updated_time`;
const TOMBSTONE_COUNT_SQL = 'SELECT COUNT(*) AS n FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND deleted = 1';
const PURGE_OLDEST_SQL = `DELETE FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND key IN (
    SELECT key FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND deleted = 1 ORDER BY updated_time LIMIT ?)
  RETURNING updated_time`;
const SET_FLOOR_SQL = 'UPDATE chatrooms SET kv_floor = GREATEST(kv_floor, ?) WHERE app_key = ? AND room_id = ?';


/** The KV half of the PostgreSQL chatroom repository; every write is one transaction holding the room row lock. */
export class PgChatroomEntries {
  constructor(private readonly database: PgDatabase) {}

  async set(appKey: AppKey, roomId: string, change: EntryChange, maxKeys: number, now: number): Promise<EntrySetResult> {
    const result = await this.setMany(appKey, roomId, [change], maxKeys, now);
    return result.ok ? { ok: true, entry: result.entries[0] as ChatroomEntry } : { ok: false, reason: result.reason };
  }

  /** All or none: every check before the first write, under the room row lock. */
  async setMany(appKey: AppKey, roomId: string, changes: readonly EntryChange[], maxKeys: number, now: number): Promise<EntriesSetResult> {
    return this.database.tx(async (q): Promise<EntriesSetResult> => {
      const kvTime = await lockClock(q, appKey, roomId);
      if (kvTime === undefined) throw new Error(`chatroom ${roomId} does not exist`);
      let liveCount = Number((await q.get<{ n: number }>(LIVE_COUNT_SQL, appKey, roomId))?.n ?? 0);
      for (const change of changes) {
        const current = await q.get<EntryRow>(GET_SQL, appKey, roomId, change.key);
        const live = current !== undefined && current.deleted === 0;
        if (live && current.user_id !== change.userId && !change.force) return { ok: false, reason: 'not-owner', key: change.key };
        if (!live && ++liveCount > maxKeys) return { ok: false, reason: 'limit', key: change.key };
      }
      let last = kvTime;
      const entries: ChatroomEntry[] = [];
      for (const change of changes) {
        last = Math.max(Math.floor(now), last + 1);
        const entry: ChatroomEntry = {
          key: change.key,
          value: change.value,
          userId: change.userId,
          autoDelete: change.autoDelete,
          overwrite: change.force,
          deleted: false,
          updatedTime: last,
        };
        await write(q, appKey, roomId, entry);
        entries.push(entry);
      }
      if (entries.length > 0) await q.run(SET_CLOCK_SQL, last, appKey, roomId);
      return { ok: true, entries };
    });
  }

  async remove(appKey: AppKey, roomId: string, key: string, userId: UserId, force: boolean, now: number): Promise<EntryRemoveResult> {
    return this.database.tx(async (q): Promise<EntryRemoveResult> => {
      const kvTime = await lockClock(q, appKey, roomId);
      if (kvTime === undefined) return { ok: false, reason: 'not-found' };
      const current = await q.get<EntryRow>(GET_SQL, appKey, roomId, key);
      if (current === undefined || current.deleted === 1) return { ok: false, reason: 'not-found' };
      if (current.user_id !== userId && !force) return { ok: false, reason: 'not-owner' };
      const updatedTime = Math.max(Math.floor(now), kvTime + 1);
      await q.run(SET_CLOCK_SQL, updatedTime, appKey, roomId);
      const entry: ChatroomEntry = { ...toEntry(current), value: '', userId, overwrite: force, deleted: true, updatedTime };
      await write(q, appKey, roomId, entry);
      await purgeTombstones(q, appKey, roomId);
      return { ok: true, entry };
    });
  }

  async removeAutoDelete(appKey: AppKey, roomId: string, userId: UserId, now: number): Promise<readonly ChatroomEntry[]> {
    return this.database.tx(async (q) => {
      const kvTime = await lockClock(q, appKey, roomId);
      if (kvTime === undefined) return [];
      const owned = await q.all<EntryRow>(AUTO_DELETE_SQL, appKey, roomId, userId);
      if (owned.length === 0) return [];
      let last = kvTime;
      const removed = owned.map((row): ChatroomEntry => {
        last = Math.max(Math.floor(now), last + 1);
        return { ...toEntry(row), value: '', userId, overwrite: false, deleted: true, updatedTime: last };
      });
      await q.run(SET_CLOCK_SQL, last, appKey, roomId);
      await q.run(TOMBSTONE_MANY_SQL, userId, removed.map((e) => e.key), removed.map((e) => e.updatedTime), appKey, roomId);
      await purgeTombstones(q, appKey, roomId);
      return removed;
    });
  }

  async since(appKey: AppKey, roomId: string, after: number): Promise<EntryChanges> {
    return this.database.read(async (q): Promise<EntryChanges> => {
      const clock = await q.get<{ kv_time: number; kv_floor: number }>(ROOM_CLOCK_SQL, appKey, roomId);
      if (clock === undefined) return { full: true, entries: [], syncTime: 0 };
      if (after <= 0 || after < clock.kv_floor) {
        const entries = (await q.all<EntryRow>(LIVE_SQL, appKey, roomId)).map(toEntry).sort((a, b) => a.updatedTime - b.updatedTime);
        return { full: true, entries, syncTime: clock.kv_time };
      }
      return { full: false, entries: (await q.all<EntryRow>(SINCE_SQL, appKey, roomId, after)).map(toEntry), syncTime: clock.kv_time };
    });
  }

  async live(appKey: AppKey, roomId: string, keys?: readonly string[]): Promise<readonly ChatroomEntry[]> {
    const rows = keys === undefined
      ? await this.database.all<EntryRow>(LIVE_SQL, appKey, roomId)
      : await this.database.all<EntryRow>(LIVE_KEYS_SQL, appKey, roomId, [...new Set(keys)]);
    return rows.map(toEntry);
  }
}

/** The room's kv_time under its row lock; undefined for an unknown room. */
async function lockClock(q: PgQueryable, appKey: AppKey, roomId: string): Promise<number | undefined> {
  return (await q.get<{ kv_time: number }>(LOCK_CLOCK_SQL, appKey, roomId))?.kv_time;
}

async function write(q: PgQueryable, appKey: AppKey, roomId: string, entry: ChatroomEntry): Promise<void> {
  await q.run(
    UPSERT_SQL,
    appKey,
    roomId,
    entry.key,
    entry.value,
    entry.userId,
    entry.autoDelete ? 1 : 0,
    entry.overwrite ? 1 : 0,
    entry.deleted ? 1 : 0,
    entry.updatedTime,
  );
}

async function purgeTombstones(q: PgQueryable, appKey: AppKey, roomId: string): Promise<void> {
  const count = (await q.get<{ n: number }>(TOMBSTONE_COUNT_SQL, appKey, roomId))?.n ?? 0;
  if (count <= MAX_TOMBSTONES) return;
  const purged = await q.all<{ updated_time: number }>(PURGE_OLDEST_SQL, appKey, roomId, appKey, roomId, count - MAX_TOMBSTONES);
  const floor = purged.reduce((max, row) => Math.max(max, row.updated_time), 0);
  await q.run(SET_FLOOR_SQL, floor, appKey, roomId);
}
