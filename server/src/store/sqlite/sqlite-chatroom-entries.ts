import type { ChatroomEntry, EntriesSetResult, EntryChange, EntryChanges, EntryRemoveResult, EntrySetResult } from '../chatroom-repository';
import type { AppKey, UserId } from '../store';
import { ENTRY_COLUMNS, toEntry, type EntryRow } from '../chatroom-rows';
import type { SqliteDatabase } from './sqlite-database';

/** Removals kept per room for incremental pulls; older ones are purged and raise `kv_floor`. */
const MAX_TOMBSTONES = 200;


const ROOM_CLOCK_SQL = 'SELECT kv_time, kv_floor FROM chatrooms WHERE app_key = ? AND room_id = ?';
const SET_CLOCK_SQL = 'UPDATE chatrooms SET kv_time = ? WHERE app_key = ? AND room_id = ?';
const GET_SQL = `SELECT ${ENTRY_COLUMNS} FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND key = ?`;
const LIVE_COUNT_SQL = 'SELECT COUNT(*) AS n FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND deleted = 0';
const UPSERT_SQL = `INSERT INTO chatroom_entries (app_key, room_id, key, value, user_id, auto_delete, overwrite, deleted, updated_time)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (app_key, room_id, key) DO UPDATE SET value = excluded.value, user_id = excluded.user_id,
    auto_delete = excluded.auto_delete, overwrite = excluded.overwrite, deleted = excluded.deleted, updated_time = excluded.updated_time`;
const LIVE_SQL = `SELECT ${ENTRY_COLUMNS} FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND deleted = 0 ORDER BY key`;
const SINCE_SQL = `SELECT ${ENTRY_COLUMNS} FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND updated_time > ? ORDER BY updated_time`;
const AUTO_DELETE_SQL = `SELECT ${ENTRY_COLUMNS} FROM chatroom_entries
  WHERE app_key = ? AND room_id = ? AND user_id = ? AND auto_delete = 1 AND deleted = 0 ORDER BY updated_time`;
const TOMBSTONE_COUNT_SQL = 'SELECT COUNT(*) AS n FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND deleted = 1';
const OLDEST_TOMBSTONES_SQL = `SELECT key, updated_time FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND deleted = 1
  ORDER BY updated_time LIMIT ?`;
const DELETE_KEY_SQL = 'DELETE FROM chatroom_entries WHERE app_key = ? AND room_id = ? AND key = ?';
const SET_FLOOR_SQL = 'UPDATE chatrooms SET kv_floor = MAX(kv_floor, ?) WHERE app_key = ? AND room_id = ?';


/** The KV half of the SQLite chatroom repository; every method runs in one transaction. */
export class SqliteChatroomEntries {
  constructor(private readonly database: SqliteDatabase) {}

  set(appKey: AppKey, roomId: string, change: EntryChange, maxKeys: number, now: number): EntrySetResult {
    const result = this.setMany(appKey, roomId, [change], maxKeys, now);
    return result.ok ? { ok: true, entry: result.entries[0] as ChatroomEntry } : { ok: false, reason: result.reason };
  }

  /** All or none: every check before the first write, in the same transaction. */
  setMany(appKey: AppKey, roomId: string, changes: readonly EntryChange[], maxKeys: number, now: number): EntriesSetResult {
    return this.database.write(() => {
      const db = this.database;
      let liveCount = db.get<{ n: number }>(LIVE_COUNT_SQL, appKey, roomId)?.n ?? 0;
      for (const change of changes) {
        const current = db.get<EntryRow>(GET_SQL, appKey, roomId, change.key);
        const live = current !== undefined && current.deleted === 0;
        if (live && current.user_id !== change.userId && !change.force) return { ok: false, reason: 'not-owner', key: change.key };
        if (!live && ++liveCount > maxKeys) return { ok: false, reason: 'limit', key: change.key };
      }
      const entries = changes.map((change): ChatroomEntry => {
        const entry: ChatroomEntry = {
          key: change.key,
          value: change.value,
          userId: change.userId,
          autoDelete: change.autoDelete,
          overwrite: change.force,
          deleted: false,
          updatedTime: this.tick(appKey, roomId, now),
        };
        this.write(appKey, roomId, entry);
        return entry;
      });
      return { ok: true, entries };
    });
  }

  remove(appKey: AppKey, roomId: string, key: string, userId: UserId, force: boolean, now: number): EntryRemoveResult {
    return this.database.write(() => {
      const current = this.database.get<EntryRow>(GET_SQL, appKey, roomId, key);
      if (current === undefined || current.deleted === 1) return { ok: false, reason: 'not-found' };
      if (current.user_id !== userId && !force) return { ok: false, reason: 'not-owner' };
      const entry = this.tombstone(appKey, roomId, toEntry(current), userId, force, now);
      this.purgeTombstones(appKey, roomId);
      return { ok: true, entry };
    });
  }

  removeAutoDelete(appKey: AppKey, roomId: string, userId: UserId, now: number): readonly ChatroomEntry[] {
    return this.database.write(() => {
      const owned = this.database.all<EntryRow>(AUTO_DELETE_SQL, appKey, roomId, userId);
      const removed = owned.map((row) => this.tombstone(appKey, roomId, toEntry(row), userId, false, now));
      if (removed.length > 0) this.purgeTombstones(appKey, roomId);
      return removed;
    });
  }

  since(appKey: AppKey, roomId: string, after: number): EntryChanges {
    return this.database.read(() => {
      const clock = this.database.get<{ kv_time: number; kv_floor: number }>(ROOM_CLOCK_SQL, appKey, roomId);
      if (clock === undefined) return { full: true, entries: [], syncTime: 0 };
      if (after <= 0 || after < clock.kv_floor) {
        const entries = this.database.all<EntryRow>(LIVE_SQL, appKey, roomId).map(toEntry).sort((a, b) => a.updatedTime - b.updatedTime);
        return { full: true, entries, syncTime: clock.kv_time };
      }
      return { full: false, entries: this.database.all<EntryRow>(SINCE_SQL, appKey, roomId, after).map(toEntry), syncTime: clock.kv_time };
    });
  }

  live(appKey: AppKey, roomId: string, keys?: readonly string[]): readonly ChatroomEntry[] {
    const all = this.database.all<EntryRow>(LIVE_SQL, appKey, roomId).map(toEntry);
    if (keys === undefined) return all;
    const wanted = new Set(keys);
    return all.filter((entry) => wanted.has(entry.key));
  }

  private tombstone(appKey: AppKey, roomId: string, current: ChatroomEntry, by: UserId, force: boolean, now: number): ChatroomEntry {
    const entry: ChatroomEntry = { ...current, value: '', userId: by, overwrite: force, deleted: true, updatedTime: this.tick(appKey, roomId, now) };
    this.write(appKey, roomId, entry);
    return entry;
  }

  private tick(appKey: AppKey, roomId: string, now: number): number {
    const clock = this.database.get<{ kv_time: number }>(ROOM_CLOCK_SQL, appKey, roomId);
    if (clock === undefined) throw new Error(`chatroom ${roomId} does not exist`);
    const time = Math.max(Math.floor(now), clock.kv_time + 1);
    this.database.run(SET_CLOCK_SQL, time, appKey, roomId);
    return time;
  }

  private write(appKey: AppKey, roomId: string, entry: ChatroomEntry): void {
    this.database.run(
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

  private purgeTombstones(appKey: AppKey, roomId: string): void {
    const count = this.database.get<{ n: number }>(TOMBSTONE_COUNT_SQL, appKey, roomId)?.n ?? 0;
    if (count <= MAX_TOMBSTONES) return;
    const oldest = this.database.all<{ key: string; updated_time: number }>(OLDEST_TOMBSTONES_SQL, appKey, roomId, count - MAX_TOMBSTONES);
    let floor = 0;
    for (const row of oldest) {
      this.database.run(DELETE_KEY_SQL, appKey, roomId, row.key);
      floor = Math.max(floor, row.updated_time);
    }
    this.database.run(SET_FLOOR_SQL, floor, appKey, roomId);
  }
}
