import { Direction } from '../store';
import type { AppKey, SyncEntry, SyncPage, UserId } from '../store';
import { mergeByTime, syncCutoff, syncPage } from '../sync-page';
import type { PgDatabase, PgQueryable } from './pg-database';
import { ENTRY_SELECT, toSyncEntry } from '../rows';
import type { EntryRow } from '../rows';

/** Upper bound for "no upper bound" in range queries (sentTime is a safe integer). */
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

// One index range scan on entries_sync per direction.
const RANGE_SQL = `${ENTRY_SELECT}
  WHERE e.app_key = ? AND e.owner = ? AND e.direction = ? AND e.sent_time > ? AND e.sent_time <= ?
  ORDER BY e.sent_time LIMIT ?`;
const EXISTS_AFTER_SQL =
  'SELECT 1 AS found FROM entries WHERE app_key = ? AND owner = ? AND direction = ? AND sent_time > ? LIMIT 1';
const HIGH_WATER_SQL = 'SELECT MAX(sent_time) AS t FROM entries WHERE app_key = ? AND owner = ? AND direction = ?';

interface Lane {
  readonly direction: Direction;
  /** Exclusive lower bound (cursor and retention combined). */
  readonly after: number;
}

/**
 * `MessageRepository.sync` for PostgreSQL: both lanes are read inside one REPEATABLE READ transaction so that the page and
 * the high-water mark come from the same snapshot.
 */
export function readPgSyncPage(
  database: PgDatabase,
  appKey: AppKey,
  owner: UserId,
  inboxAfter: number,
  sendboxAfter: number | null,
  limit: number,
  notBefore: number,
): Promise<SyncPage> {
  const pageSize = Math.max(1, Math.floor(limit));
  const retentionFloor = notBefore - 1;
  const lanes: Lane[] = [{ direction: Direction.Receive, after: Math.max(inboxAfter, retentionFloor) }];
  if (sendboxAfter !== null) lanes.push({ direction: Direction.Send, after: Math.max(sendboxAfter, retentionFloor) });

  return database.read(async (q: PgQueryable) => {
  const range = async (lane: Lane, upTo: number, max: number | null): Promise<SyncEntry[]> =>
    (await q.all<EntryRow>(RANGE_SQL, appKey, owner, lane.direction, lane.after, upTo, max)).map(toSyncEntry);
  const existsAfter = async (lane: Lane, time: number): Promise<boolean> =>
    (await q.get<{ found: number }>(EXISTS_AFTER_SQL, appKey, owner, lane.direction, time)) !== undefined;
  const highWater = async (): Promise<number> => {
    let max = 0;
    for (const direction of [Direction.Receive, Direction.Send]) {
      const row = await q.get<{ t: number | null }>(HIGH_WATER_SQL, appKey, owner, direction);
      max = Math.max(max, row?.t ?? 0);
    }
    return max;
  };

    const fetched: SyncEntry[][] = [];
    for (const lane of lanes) fetched.push(await range(lane, NO_UPPER_BOUND, pageSize + 1));
    const merged = mergeByTime(fetched[0] ?? [], fetched[1] ?? []);
    const cutoff = syncCutoff(merged, pageSize);
    if (cutoff === null) return syncPage(merged, false, inboxAfter, sendboxAfter, await highWater());

    let hasMore = false;
    const kept: SyncEntry[][] = [];
    for (const [index, lane] of lanes.entries()) {
      const rows = fetched[index] ?? [];
      const last = rows[rows.length - 1];
      if (rows.length <= pageSize || (last !== undefined && last.message.sentTime > cutoff)) {
        // This lane is complete up to the cutoff; it has more iff it returned a row beyond it.
        if (last !== undefined && last.message.sentTime > cutoff) hasMore = true;
        kept.push(rows.filter((entry) => entry.message.sentTime <= cutoff));
        continue;
      }
      // A full lane ending inside the equal-time run at the cutoff: read the whole run, then look beyond it.
      if (await existsAfter(lane, cutoff)) hasMore = true;
      kept.push(await range(lane, cutoff, null));
    }
    const entries = mergeByTime(kept[0] ?? [], kept[1] ?? []);
    return syncPage(entries, hasMore, inboxAfter, sendboxAfter, hasMore ? 0 : await highWater());
  });
}
