import { Direction } from '../store';
import type { AppKey, SyncEntry, SyncPage, UserId } from '../store';
import { mergeByTime, syncCutoff, syncPage } from '../sync-page';
import type { SqliteDatabase } from './sqlite-database';
import { ENTRY_SELECT, toSyncEntry } from '../rows';
import type { EntryRow } from '../rows';
import { REF } from './sqlite-names';

/** Upper bound for "no upper bound" in range queries (sentTime is a safe integer). */
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

// One index range scan on entries_sync per direction.
const RANGE_SQL = `${ENTRY_SELECT}
  WHERE e.owner_ref = ${REF} AND e.direction = ? AND e.sent_time > ? AND e.sent_time <= ?
  ORDER BY e.sent_time LIMIT ?`;
const EXISTS_AFTER_SQL = `SELECT 1 AS found FROM entries WHERE owner_ref = ${REF} AND direction = ? AND sent_time > ? LIMIT 1`;
const HIGH_WATER_SQL = `SELECT MAX(sent_time) AS t FROM entries WHERE owner_ref = ${REF} AND direction = ?`;

interface Lane {
  readonly direction: Direction;
  /** Exclusive lower bound (cursor and retention combined). */
  readonly after: number;
}

/**
 * `MessageRepository.sync` for SQLite: both lanes are read inside one read transaction so that the page and
 * the high-water mark come from the same snapshot.
 */
export function readSyncPage(
  database: SqliteDatabase,
  appKey: AppKey,
  owner: UserId,
  inboxAfter: number,
  sendboxAfter: number | null,
  limit: number,
  notBefore: number,
): SyncPage {
  const pageSize = Math.max(1, Math.floor(limit));
  const retentionFloor = notBefore - 1;
  const lanes: Lane[] = [{ direction: Direction.Receive, after: Math.max(inboxAfter, retentionFloor) }];
  if (sendboxAfter !== null) lanes.push({ direction: Direction.Send, after: Math.max(sendboxAfter, retentionFloor) });

  const range = (lane: Lane, upTo: number, max: number): SyncEntry[] =>
    database
      .all<EntryRow>(RANGE_SQL, appKey, owner, lane.direction, lane.after, upTo, max)
      .map(toSyncEntry);
  const existsAfter = (lane: Lane, time: number): boolean =>
    database.get<{ found: number }>(EXISTS_AFTER_SQL, appKey, owner, lane.direction, time) !== undefined;
  const highWater = (): number => {
    let max = 0;
    for (const direction of [Direction.Receive, Direction.Send]) {
      const row = database.get<{ t: number | null }>(HIGH_WATER_SQL, appKey, owner, direction);
      max = Math.max(max, row?.t ?? 0);
    }
    return max;
  };

  return database.read(() => {
    const fetched = lanes.map((lane) => range(lane, NO_UPPER_BOUND, pageSize + 1));
    const merged = mergeByTime(fetched[0] ?? [], fetched[1] ?? []);
    const cutoff = syncCutoff(merged, pageSize);
    if (cutoff === null) return syncPage(merged, false, inboxAfter, sendboxAfter, highWater());

    let hasMore = false;
    const kept = lanes.map((lane, index) => {
      const rows = fetched[index] ?? [];
      const last = rows[rows.length - 1];
      if (rows.length <= pageSize || (last !== undefined && last.message.sentTime > cutoff)) {
        // This lane is complete up to the cutoff; it has more iff it returned a row beyond it.
        if (last !== undefined && last.message.sentTime > cutoff) hasMore = true;
        return rows.filter((entry) => entry.message.sentTime <= cutoff);
      }
      // A full lane ending inside the equal-time run at the cutoff: read the whole run, then look beyond it.
      if (existsAfter(lane, cutoff)) hasMore = true;
      return range(lane, cutoff, -1);
    });
    const entries = mergeByTime(kept[0] ?? [], kept[1] ?? []);
    return syncPage(entries, hasMore, inboxAfter, sendboxAfter, hasMore ? 0 : highWater());
  });
}
