import { Direction } from '../store';
import type { AppKey, SyncEntry, SyncPage, UserId } from '../store';
import { mergeByTime, syncCutoff, syncPage } from '../sync-page';
import type { SqliteDatabase } from './sqlite-database';
import { ENTRY_COLUMNS, MESSAGE_COLUMNS, toSyncEntry } from '../rows';
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

// A private message's entries are derived from its row (migration 014): the ones not packed yet are its
// derived messages above the floor and newer than the owner's newest segment — the recipient's inbox by
// `target_id`, the sender's sendbox by `from_user_id`. Read only when the segments run out, as the pending rows
// are: by id from the floor — or from `packedThrough` when the caller had the owner's entries packed up to a
// message first (SqliteMessageRepository.sync, as the file's only writer: then only the messages committed since
// are read) — or, when the lane starts at or after the first message above that, by time from where it starts
// (one app's messages are in time order by id, so both orders are the lane's). Without `packedThrough` the
// scan covers about one move's worth of messages (a few ms for thousands on a slow machine).
const DERIVED_FLOOR_SQL = 'SELECT through FROM derived_floor WHERE id = 0';
const FLOOR_TIME_SQL = 'SELECT sent_time FROM messages WHERE id > ? ORDER BY id LIMIT 1';
const NEWEST_PACKED_SQL = 'SELECT last_time FROM entry_segments WHERE owner_ref = ? ORDER BY first_time DESC LIMIT 1';
/** The column naming the owner of a derived entry of `direction`: the recipient's inbox, the sender's sendbox. */
const ownerColumn = (direction: Direction): string => (direction === Direction.Receive ? 'm.target_id' : 'm.from_user_id');
const derivedLaneSql = (direction: Direction, byTime: boolean): string => `SELECT ${MESSAGE_COLUMNS}, ${direction} AS direction, 0 AS mentioned
  FROM messages m ${byTime ? 'INDEXED BY messages_sent_time' : 'NOT INDEXED'}
  WHERE m.id > ? AND m.derived = 1 AND m.app_key = ? AND ${ownerColumn(direction)} = ?
  AND m.sent_time > ? AND m.sent_time <= ? ORDER BY ${byTime ? 'm.sent_time' : 'm.id'} LIMIT ?`;
const DERIVED_LANE_SQL = {
  byId: { [Direction.Receive]: derivedLaneSql(Direction.Receive, false), [Direction.Send]: derivedLaneSql(Direction.Send, false) },
  byTime: { [Direction.Receive]: derivedLaneSql(Direction.Receive, true), [Direction.Send]: derivedLaneSql(Direction.Send, true) },
};
const derivedExistsSql = (direction: Direction): string => `SELECT EXISTS (SELECT 1 FROM messages m WHERE m.id > ? AND m.derived = 1
  AND m.app_key = ? AND ${ownerColumn(direction)} = ? AND m.sent_time > ?) AS found`;
const DERIVED_EXISTS_SQL = { [Direction.Receive]: derivedExistsSql(Direction.Receive), [Direction.Send]: derivedExistsSql(Direction.Send) };
// The owner's newest derived message newer than a bound (the newest packed or pending entry: the segments answer
// for what is older), newest first, so an owner with recent messages is found after a short walk back.
const derivedNewestSql = (byTime: boolean): string => `SELECT m.sent_time AS t FROM messages m ${byTime ? 'INDEXED BY messages_sent_time' : 'NOT INDEXED'}
  WHERE m.id > ? AND m.sent_time > ? AND m.derived = 1 AND m.app_key = ? AND (m.target_id = ? OR m.from_user_id = ?)
  ORDER BY ${byTime ? 'm.sent_time' : 'm.id'} DESC LIMIT 1`;
const DERIVED_NEWEST_SQL = { byId: derivedNewestSql(false), byTime: derivedNewestSql(true) };

/** Two lists of entry rows, each in time order, as one in time order. */
function mergeRowsByTime(a: readonly EntryRow[], b: readonly EntryRow[]): EntryRow[] {
  const out: EntryRow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.sent_time <= y.sent_time)) {
      out.push(x as EntryRow);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

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
  /** A message id up to which every entry of the owner is known to be packed (derived entries are read above it). */
  packedThrough = 0,
): SyncPage {
  const pageSize = Math.max(1, Math.floor(limit));
  const retentionFloor = notBefore - 1;
  const lanes: Lane[] = [{ direction: Direction.Receive, after: Math.max(inboxAfter, retentionFloor) }];
  if (sendboxAfter !== null) lanes.push({ direction: Direction.Send, after: Math.max(sendboxAfter, retentionFloor) });

  let ownerKey = -1;
  /** The derived floor, the time of the first message above it, the owner's newest packed time (read once per page). */
  let floor = 0;
  let floorTime = Number.POSITIVE_INFINITY;
  let packedTop = 0;
  /**
   * Up to `max` entries of the lane in (after, upTo], oldest first: from the segments, then from the pending
   * rows and the derived messages. An owner's unpacked entries are all newer than its packed ones (a move takes
   * every unpacked entry of its owners, and later appends are newer), so they are read only when the segments
   * run out.
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
    const rest = max < 0 ? -1 : limit - found.length;
    const pending = database.all<EntryRow>(PENDING_LANE_SQL, ownerKey, lane.direction, pendingAfter, upTo, rest);
    const derivedAfter = Math.max(pendingAfter, packedTop);
    const plan = derivedAfter >= floorTime ? DERIVED_LANE_SQL.byTime : DERIVED_LANE_SQL.byId;
    const derived = database.all<EntryRow>(plan[lane.direction], floor, appKey, owner, derivedAfter, upTo, rest);
    const unpacked = derived.length === 0 ? pending : mergeRowsByTime(pending, derived);
    for (let i = 0; i < unpacked.length && (rest < 0 || i < rest); i++) found.push(toSyncEntry(unpacked[i] as EntryRow));
    return found;
  };
  const existsAfter = (lane: Lane, time: number): boolean => {
    for (const segment of segmentsAfter(database, ownerKey, time)) {
      for (const row of segment.rows) {
        if (row[SEG.direction] === lane.direction && row[SEG.sentTime] > time && messageRow(database, row[SEG.messageId]) !== undefined) return true;
      }
    }
    return database.get<{ found: number }>(PENDING_EXISTS_SQL, ownerKey, lane.direction, time)?.found === 1 ||
      database.get<{ found: number }>(DERIVED_EXISTS_SQL[lane.direction], floor, appKey, owner, time)?.found === 1;
  };
  /** The newest entry of the owner, either direction (what the old per-direction maxima came to). */
  const highWater = (): number => {
    let max = 0;
    for (const direction of [Direction.Receive, Direction.Send]) {
      max = Math.max(max, database.get<{ t: number | null }>(PENDING_HIGH_WATER_SQL, ownerKey, direction)?.t ?? 0);
    }
    const bound = Math.max(max, packedTop);
    const plan = bound >= floorTime ? DERIVED_NEWEST_SQL.byTime : DERIVED_NEWEST_SQL.byId;
    max = Math.max(max, database.get<{ t: number }>(plan, floor, bound, appKey, owner, owner)?.t ?? 0);
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
    floor = Math.max(packedThrough, database.get<{ through: number }>(DERIVED_FLOOR_SQL)?.through ?? 0);
    floorTime = database.get<{ sent_time: number }>(FLOOR_TIME_SQL, floor)?.sent_time ?? Number.POSITIVE_INFINITY;
    packedTop = database.get<{ last_time: number }>(NEWEST_PACKED_SQL, ref)?.last_time ?? 0;
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
