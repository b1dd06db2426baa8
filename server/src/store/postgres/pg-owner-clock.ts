import type { AppKey, ConversationKey, UserId } from '../store';
import type { PgQueryable } from './pg-database';

/**
 * Per-owner clocks shared by the issue #7 repositories, for use inside a transaction. Each clock has one
 * serialization point held until COMMIT on every node, so its values are handed out AND committed in
 * increasing order (a reader's "changed since v" never skips one):
 * - owner versions ('settings', 'read'): the owner_versions row lock;
 * - the conversation-state clock: a transaction-scoped advisory lock (there is no row to lock before an
 *   owner's first state), taken before MAX(updated_time) is read — READ COMMITTED reads after the wait see
 *   what the previous holder committed.
 * Lock order (no deadlocks): an owner version row before the owner's state clock.
 */

export type OwnerClockKind = 'settings' | 'read';

const VERSION_SQL = 'SELECT version FROM owner_versions WHERE app_key = ? AND owner = ? AND kind = ?';
// A no-op upsert: takes the row lock (creating the row at 0 = "no change yet") and returns the current value.
const LOCK_VERSION_SQL = `INSERT INTO owner_versions (app_key, owner, kind, version) VALUES (?, ?, ?, 0)
  ON CONFLICT (app_key, owner, kind) DO UPDATE SET version = owner_versions.version RETURNING version`;
const SET_VERSION_SQL = 'UPDATE owner_versions SET version = ? WHERE app_key = ? AND owner = ? AND kind = ?';
const LOCK_STATES_SQL = 'SELECT pg_advisory_xact_lock(hashtextextended(?, 0))';
const LAST_STATE_SQL = 'SELECT MAX(updated_time) AS t FROM conversation_states WHERE app_key = ? AND owner = ?';
const STAMP_STATES_SQL = `INSERT INTO conversation_states (app_key, owner, conversation_type, target_id, is_top, notification_level, updated_time)
  SELECT ?, ?, u.conv_type, u.conv_target, 0, 0, u.t FROM unnest(?::bigint[], ?::text[], ?::bigint[]) AS u(conv_type, conv_target, t)
  ON CONFLICT (app_key, owner, conversation_type, target_id) DO UPDATE SET updated_time = EXCLUDED.updated_time`;

/** Unlocked read (0 before any change). */
export async function currentOwnerVersion(q: PgQueryable, appKey: AppKey, owner: UserId, kind: OwnerClockKind): Promise<number> {
  return (await q.get<{ version: number }>(VERSION_SQL, appKey, owner, kind))?.version ?? 0;
}

/** Takes the owner's `kind` lock for the rest of the transaction; returns the current version. */
export async function lockOwnerVersion(q: PgQueryable, appKey: AppKey, owner: UserId, kind: OwnerClockKind): Promise<number> {
  return (await q.get<{ version: number }>(LOCK_VERSION_SQL, appKey, owner, kind))?.version ?? 0;
}

/** After `lockOwnerVersion`: stores a version computed from the locked one. */
export async function setOwnerVersion(q: PgQueryable, appKey: AppKey, owner: UserId, kind: OwnerClockKind, version: number): Promise<void> {
  await q.run(SET_VERSION_SQL, version, appKey, owner, kind);
}

/** After `lockOwnerVersion`: stamps and returns the next version, max(now, last + 1). */
export async function nextOwnerVersion(q: PgQueryable, appKey: AppKey, owner: UserId, kind: OwnerClockKind, locked: number, now: number): Promise<number> {
  const next = Math.max(Math.floor(now), locked + 1);
  await setOwnerVersion(q, appKey, owner, kind, next);
  return next;
}

/** Takes the owner's conversation-state clock for the rest of the transaction; returns its last time (0 = none). */
export async function lockStateClock(q: PgQueryable, appKey: AppKey, owner: UserId): Promise<number> {
  await q.run(LOCK_STATES_SQL, JSON.stringify(['conversation-states', appKey, owner]));
  return (await q.get<{ t: number | null }>(LAST_STATE_SQL, appKey, owner))?.t ?? 0;
}

/**
 * Moves the given conversations' states (the `pullSeAtts` rows of 004) to new, strictly increasing times on
 * the owner's state clock (in the given order), creating missing ones as not top, level 0, in one statement.
 * Returns the newest time (0 for none).
 */
export async function stampConversationStates(q: PgQueryable, appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[], now: number): Promise<number> {
  const seen = new Set<string>();
  const distinct = conversations.filter((c) => {
    const key = `${c.type}:${c.targetId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (distinct.length === 0) return 0;
  let last = await lockStateClock(q, appKey, owner);
  const times = distinct.map(() => (last = Math.max(Math.floor(now), last + 1)));
  await q.run(STAMP_STATES_SQL, appKey, owner, distinct.map((c) => c.type), distinct.map((c) => c.targetId), times);
  return last;
}
