import { Direction } from '../store';
import type { AppKey, SyncEntry, SyncPage, UserId } from '../store';
import { mergeByTime, syncCutoff, syncPage } from '../sync-page';
import type { SqliteDatabase } from './sqlite-database';
import { ENTRY_COLUMNS, toSyncEntry } from '../rows';
import type { EntryRow } from '../rows';
import { SEG, type SegmentRow } from './sqlite-entry-segments';
import { entryRows, messageRow, ownerRef, packedAfter, segmentsAfter, segmentsNewestFirst } from './sqlite-owner-entries';

/** Upper bound for "no upper bound" in range queries (sentTime is a safe integer). */
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

// The inbox pull reads the owner's segments (migration 013, sqlite-owner-entries.ts) from the one holding
// the cursor on, and the entries the writer has not moved yet (entries_pending, migration 012) by one index
// range scan per direction, in one read transaction (one snapshot: a move takes rows out of entries_pending
// and into a segment in one transaction, so no row is seen twice or missed). Each side is limited on its
// own, so a long inbox is never read further than the page.
const PENDING_LANE_SQL = `SELECT ${ENTRY_COLUMNS} FROM entries_pending e JOIN messages m ON m.id = e.message_id
  WHERE e.owner_ref = ? AND e.direction = ? AND e.sent_time > ? AND e.sent_time <= ? ORDER BY e.sent_time LIMIT ?`;
// Pending rows count only with their message.
const PENDING_EXISTS_SQL = `SELECT EXISTS (SELECT 1 FROM entries_pending p JOIN messages m ON m.id = p.message_id
  WHERE p.owner_ref = ? AND p.direction = ? AND p.sent_time > ?) AS found`;
const PENDING_HIGH_WATER_SQL = `SELECT MAX(p.sent_time) AS t FROM entries_pending p JOIN messages m ON m.id = p.message_id
  WHERE p.owner_ref = ? AND p.direction = ?`;

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

  let ownerKey = -1;
  /**
   * Up to `max` entries of the lane in (after, upTo], oldest first: from the segments, then from the pending
   * rows. An owner's pending rows are all newer than its packed entries (a move takes every pending row of
   * its owners, and later appends are newer), so the pending rows are read only when the segments run out.
   */
  const range = (lane: Lane, upTo: number, max: number): SyncEntry[] => {
    const limit = max < 0 ? Number.MAX_SAFE_INTEGER : max;
    const found: SyncEntry[] = [];
    // Messages are read for what is still wanted; a pruned one is left out and the next ones read.
    let after = lane.after;
    for (;;) {
      const wanted = limit - found.length;
      const candidates = packedAfter(database, ownerKey, lane.direction, after, upTo, wanted);
      for (const entry of entryRows(database, candidates)) found.push(toSyncEntry(entry));
      const last = candidates[candidates.length - 1];
      if (found.length >= limit || last === undefined || candidates.length < wanted) break;
      after = last[SEG.sentTime];
    }
    if (found.length >= limit) return found;
    const last = found[found.length - 1];
    const pendingAfter = last === undefined ? lane.after : Math.max(lane.after, last.message.sentTime);
    const pending = database.all<EntryRow>(PENDING_LANE_SQL, ownerKey, lane.direction, pendingAfter, upTo, max < 0 ? -1 : limit - found.length);
    for (const entry of pending) found.push(toSyncEntry(entry));
    return found;
  };
  const existsAfter = (lane: Lane, time: number): boolean => {
    for (const segment of segmentsAfter(database, ownerKey, time)) {
      for (const row of segment.rows) {
        if (row[SEG.direction] === lane.direction && row[SEG.sentTime] > time && messageRow(database, row[SEG.messageId]) !== undefined) return true;
      }
    }
    return database.get<{ found: number }>(PENDING_EXISTS_SQL, ownerKey, lane.direction, time)?.found === 1;
  };
  /** The newest entry of the owner, either direction (what the old per-direction maxima came to). */
  const highWater = (): number => {
    let max = 0;
    for (const direction of [Direction.Receive, Direction.Send]) {
      max = Math.max(max, database.get<{ t: number | null }>(PENDING_HIGH_WATER_SQL, ownerKey, direction)?.t ?? 0);
    }
    for (const segment of segmentsNewestFirst(database, ownerKey)) {
      for (let i = segment.rows.length - 1; i >= 0; i--) {
        const row = segment.rows[i] as SegmentRow;
        if (row[SEG.sentTime] <= max) return max;
        if (messageRow(database, row[SEG.messageId]) !== undefined) return row[SEG.sentTime];
      }
    }
    return max;
  };

  return database.read(() => {
    const ref = ownerRef(database, appKey, owner);
    if (ref === undefined) return syncPage([], false, inboxAfter, sendboxAfter, 0);
    ownerKey = ref;
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
