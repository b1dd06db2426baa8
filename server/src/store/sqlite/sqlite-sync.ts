import { Direction } from '../store';
import type { AppKey, SyncEntry, SyncPage, UserId } from '../store';
import { mergeByTime, syncCutoff, syncPage } from '../sync-page';
import type { SqliteDatabase } from './sqlite-database';
import { ENTRY_COLUMNS, toSyncEntry } from '../rows';
import type { EntryRow } from '../rows';
import { REF } from './sqlite-names';

/** Upper bound for "no upper bound" in range queries (sentTime is a safe integer). */
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

// The inbox pull reads the entries the writer has not moved yet too (migration 012): one index range scan per
// direction on entries_sync and one on entries_pending_sync, in one statement (one snapshot: a move takes rows
// out of entries_pending and into entries in one transaction, so no row is seen twice or missed).
// Each side is limited on its own, so a long inbox is never read further than the page.
const lane = (table: string): string => `SELECT * FROM (SELECT message_id, direction, mentioned, sent_time FROM ${table}
    WHERE owner_ref = ${REF} AND direction = ? AND sent_time > ? AND sent_time <= ? ORDER BY sent_time LIMIT ?)`;
const RANGE_SQL = `SELECT ${ENTRY_COLUMNS} FROM (${lane('entries')} UNION ALL ${lane('entries_pending')}) e
  JOIN messages m ON m.id = e.message_id
  ORDER BY e.sent_time LIMIT ?`;
// Pending rows count only with their message (entries' own rows go with it by the foreign key's cascade).
const PENDING = `entries_pending p JOIN messages m ON m.id = p.message_id WHERE p.owner_ref = ${REF} AND p.direction = ?`;
const EXISTS_AFTER_SQL = `SELECT EXISTS (SELECT 1 FROM entries WHERE owner_ref = ${REF} AND direction = ? AND sent_time > ?)
  OR EXISTS (SELECT 1 FROM ${PENDING} AND p.sent_time > ?) AS found`;
const HIGH_WATER_SQL = `SELECT MAX(COALESCE((SELECT MAX(sent_time) FROM entries WHERE owner_ref = ${REF} AND direction = ?), 0),
  COALESCE((SELECT MAX(p.sent_time) FROM ${PENDING}), 0)) AS t`;

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

  const range = (lane: Lane, upTo: number, max: number): SyncEntry[] => {
    const side = [appKey, owner, lane.direction, lane.after, upTo, max];
    return database.all<EntryRow>(RANGE_SQL, ...side, ...side, max).map(toSyncEntry);
  };
  const existsAfter = (lane: Lane, time: number): boolean => {
    const where = [appKey, owner, lane.direction, time];
    return database.get<{ found: number }>(EXISTS_AFTER_SQL, ...where, ...where)?.found === 1;
  };
  const highWater = (): number => {
    let max = 0;
    for (const direction of [Direction.Receive, Direction.Send]) {
      const where = [appKey, owner, direction];
      const row = database.get<{ t: number | null }>(HIGH_WATER_SQL, ...where, ...where);
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
