import type { AppKey, ConversationKey, UserId } from '../store';
import type { SqliteDatabase } from './sqlite-database';

/**
 * Per-owner clocks shared by the issue #7 repositories. Call inside a write transaction: the read of the last
 * value and the write of the next one must not interleave with another writer.
 */

const VERSION_SQL = 'SELECT version FROM owner_versions WHERE app_key = ? AND owner = ? AND kind = ?';
const SET_VERSION_SQL = `INSERT INTO owner_versions (app_key, owner, kind, version) VALUES (?, ?, ?, ?)
  ON CONFLICT (app_key, owner, kind) DO UPDATE SET version = excluded.version`;
const LAST_STATE_SQL = 'SELECT MAX(updated_time) AS t FROM conversation_states WHERE app_key = ? AND owner = ?';
const STAMP_STATE_SQL = `INSERT INTO conversation_states (app_key, owner, conversation_type, target_id, is_top, notification_level, updated_time)
  VALUES (?, ?, ?, ?, 0, 0, ?)
  ON CONFLICT (app_key, owner, conversation_type, target_id) DO UPDATE SET updated_time = excluded.updated_time`;

export type OwnerClockKind = 'settings' | 'read';

export function currentOwnerVersion(database: SqliteDatabase, appKey: AppKey, owner: UserId, kind: OwnerClockKind): number {
  return database.get<{ version: number }>(VERSION_SQL, appKey, owner, kind)?.version ?? 0;
}

/** Stamps and returns the next version: max(now, last + 1). */
export function nextOwnerVersion(database: SqliteDatabase, appKey: AppKey, owner: UserId, kind: OwnerClockKind, now: number): number {
  const next = Math.max(now, currentOwnerVersion(database, appKey, owner, kind) + 1);
  database.run(SET_VERSION_SQL, appKey, owner, kind, next);
  return next;
}

/**
 * Moves the given conversations' states (the `pullSeAtts` rows of 004) to new, strictly increasing times on
 * the owner's state clock, creating missing ones as not top, level 0. Returns the newest time (0 for none).
 */
export function stampConversationStates(database: SqliteDatabase, appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[], now: number): number {
  let last = database.get<{ t: number | null }>(LAST_STATE_SQL, appKey, owner)?.t ?? 0;
  let stamped = 0;
  const seen = new Set<string>();
  for (const conversation of conversations) {
    const key = `${conversation.type}:${conversation.targetId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    last = Math.max(now, last + 1);
    database.run(STAMP_STATE_SQL, appKey, owner, conversation.type, conversation.targetId, last);
    stamped = last;
  }
  return stamped;
}
