/**
 * Reading an owner's entries from its segments (migration 013, sqlite-entry-segments.ts) on the main
 * connection. Callers run these inside one read (or write) transaction, so segments, pending rows, messages
 * and conversation rows come from one snapshot.
 */
import { MESSAGE_COLUMNS } from '../rows';
import type { EntryRow, MessageRow } from '../rows';
import type { SqliteDatabase } from './sqlite-database';
import { decodeSegment, SEG, type DecodedSegment, type SegmentRow } from './sqlite-entry-segments';

const OWNER_REF_SQL = 'SELECT id FROM names WHERE app_key = ? AND name = ?';
const CONVERSATION_SQL = 'SELECT updated_time, cleared_up_to FROM conversations WHERE owner_ref = ? AND type = ? AND target_ref = ?';
/** The owner's segment holding `time`, if any (segments of one owner never overlap). */
const HOLDING_SQL = `SELECT first_time, last_time, data FROM entry_segments
  WHERE owner_ref = ? AND first_time <= ? ORDER BY first_time DESC LIMIT 1`;
/** Up to `limit` of the owner's segments from the one holding `time` on, oldest first. */
const AFTER_PAGE_SQL = `SELECT first_time, last_time, data FROM entry_segments WHERE owner_ref = ? AND first_time >= COALESCE(
  (SELECT first_time FROM entry_segments WHERE owner_ref = ? AND first_time <= ? ORDER BY first_time DESC LIMIT 1), 0)
  ORDER BY first_time LIMIT ?`;
/** Up to `limit` of the owner's segments after the one starting at `first_time`, oldest first. */
const NEXT_PAGE_SQL = 'SELECT first_time, last_time, data FROM entry_segments WHERE owner_ref = ? AND first_time > ? ORDER BY first_time LIMIT ?';
const SEGMENTS_PER_READ = 8;
/** The owner's segments, newest first. */
const NEWEST_FIRST_SQL = 'SELECT first_time, last_time, data FROM entry_segments WHERE owner_ref = ? ORDER BY first_time DESC';
const MESSAGE_SQL = `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = ?`;
/** Entries' messages in one statement: a JSON array of [message id, direction, mentioned], answered in its order. */
const ENTRIES_SQL = `SELECT ${MESSAGE_COLUMNS}, j.value ->> 1 AS direction, j.value ->> 2 AS mentioned
  FROM json_each(?) j JOIN messages m ON m.id = j.value ->> 0 ORDER BY j.key`;
const UPDATE_SQL = 'UPDATE entry_segments SET data = ? WHERE owner_ref = ? AND first_time = ?';

export interface SegmentRecord {
  readonly first_time: number;
  readonly last_time: number;
  readonly data: Uint8Array;
}

export function ownerRef(database: SqliteDatabase, appKey: string, name: string): number | undefined {
  return database.get<{ id: number }>(OWNER_REF_SQL, appKey, name)?.id;
}

export function conversationRow(
  database: SqliteDatabase,
  owner: number,
  type: number,
  targetRef: number,
): { readonly updated_time: number; readonly cleared_up_to: number } | undefined {
  return database.get(CONVERSATION_SQL, owner, type, targetRef);
}

export function segmentHolding(database: SqliteDatabase, owner: number, time: number): SegmentRecord | undefined {
  return database.get<SegmentRecord>(HOLDING_SQL, owner, time);
}

/** The owner's segment records with entries after `time`, oldest first, read a few at a time as iterated. */
function* recordsAfter(database: SqliteDatabase, owner: number, time: number): Generator<SegmentRecord> {
  let records = database.all<SegmentRecord>(AFTER_PAGE_SQL, owner, owner, time, SEGMENTS_PER_READ);
  for (;;) {
    for (const record of records) if (record.last_time > time) yield record;
    const last = records[records.length - 1];
    if (records.length < SEGMENTS_PER_READ || last === undefined) return;
    records = database.all<SegmentRecord>(NEXT_PAGE_SQL, owner, last.first_time, SEGMENTS_PER_READ);
  }
}

/** Segments with entries after `time` (only those entries), oldest first, lazily (stop iterating once enough is read). */
export function* segmentsAfter(database: SqliteDatabase, owner: number, time: number): Generator<DecodedSegment> {
  for (const record of recordsAfter(database, owner, time)) yield decodeSegment(record.data, time);
}

/**
 * The owner's packed entries of one direction in (after, upTo], oldest first, at most `limit` (a pull's
 * lane): segments are read a few at a time and decoded only as far as needed.
 */
export function packedAfter(database: SqliteDatabase, owner: number, direction: number, after: number, upTo: number, limit: number): SegmentRow[] {
  const out: SegmentRow[] = [];
  for (const record of recordsAfter(database, owner, after)) {
    const segment = decodeSegment(record.data, after, direction, upTo, limit - out.length);
    for (const row of segment.rows) out.push(row);
    if (!segment.complete || out.length >= limit) break;
  }
  return out;
}

/** Every segment of the owner, newest first, lazily. */
export function* segmentsNewestFirst(database: SqliteDatabase, owner: number): Generator<DecodedSegment> {
  for (const record of database.statement(NEWEST_FIRST_SQL).iterate(owner) as IterableIterator<SegmentRecord>) {
    yield decodeSegment(record.data);
  }
}

interface HeldSegment {
  readonly record: SegmentRecord;
  readonly segment: DecodedSegment;
}

/** A cache keeps the first segments it sees (the newest, for a list); a long walk past them decodes as it goes. */
const CACHED_SEGMENTS = 256;

/**
 * Segments decoded whole by one read that walks several conversations' chains (the conversation list, unread
 * counts of several conversations): their newest entries mostly lie in the owner's few newest segments, so
 * each is fetched and decoded once instead of once per conversation. Segments of one owner never overlap.
 */
export class SegmentCache {
  /** Ordered by first_time. */
  private readonly held: HeldSegment[] = [];

  get hasRoom(): boolean {
    return this.held.length < CACHED_SEGMENTS;
  }

  holding(time: number): HeldSegment | undefined {
    let low = 0;
    let high = this.held.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const { record } = this.held[mid] as HeldSegment;
      if (time < record.first_time) high = mid - 1;
      else if (time > record.last_time) low = mid + 1;
      else return this.held[mid];
    }
    return undefined;
  }

  add(held: HeldSegment): void {
    let at = this.held.length;
    while (at > 0 && (this.held[at - 1] as HeldSegment).record.first_time > held.record.first_time) at--;
    this.held.splice(at, 0, held);
  }
}

/** The owner's segment holding `time`, decoded whole, from `cache` or read (and kept there while it has room). */
export function decodedHolding(database: SqliteDatabase, owner: number, time: number, cache: SegmentCache): DecodedSegment | undefined {
  const cached = cache.holding(time);
  if (cached !== undefined) return cached.segment;
  const record = segmentHolding(database, owner, time);
  if (record === undefined) return undefined;
  const segment = decodeSegment(record.data);
  if (cache.hasRoom) cache.add({ record, segment });
  return segment;
}

/**
 * One conversation's entries of the owner, newest first, from `newest` (the conversation row's
 * updated_time) down: one segment per hop along the chain the segments keep (sqlite-entry-segments.ts).
 * With `from` (a history page's bound), the walk starts at the segment holding that time when the
 * conversation has entries there — a page deep in the history then costs what the first one does — and
 * from `newest` otherwise; entries newer than `from` may still be yielded. With a `cache`, segments are
 * decoded whole and kept there for the caller's next walks.
 */
export function* conversationEntries(
  database: SqliteDatabase,
  owner: number,
  type: number,
  targetRef: number,
  newest: number,
  options: { readonly from?: number; readonly cache?: SegmentCache } = {},
): Generator<SegmentRow> {
  const { cache } = options;
  let time = options.from !== undefined && options.from < newest ? options.from : newest;
  let first = true;
  while (time > 0) {
    let held = cache?.holding(time);
    if (held === undefined) {
      const record = segmentHolding(database, owner, time);
      if (record === undefined) return;
      const caching = cache !== undefined && cache.hasRoom;
      const segment = caching ? decodeSegment(record.data) : decodeSegment(record.data, -1, 0, time, Number.MAX_SAFE_INTEGER, { type, targetRef });
      held = { record, segment };
      if (caching) cache.add(held);
    }
    const { record, segment } = held;
    const c = segment.conversations.findIndex((conversation) => conversation.type === type && conversation.targetRef === targetRef);
    if (c < 0) {
      // A walk started inside the chain at a segment without the conversation: start again from its top.
      if (first && time !== newest) {
        first = false;
        time = newest;
        continue;
      }
      return;
    }
    first = false;
    // A decode for this walk holds only this conversation's rows up to `time`; a cached one holds all.
    for (let i = segment.rows.length - 1; i >= 0; i--) {
      const row = segment.rows[i] as SegmentRow;
      if (segment.convIndex[i] === c && row[SEG.sentTime] <= time) yield row;
    }
    const previous = (segment.conversations[c] as { prevTime: number }).prevTime;
    // A chain always goes back in time; anything else would be a damaged segment, not a reason to loop.
    if (previous >= record.first_time) return;
    time = previous;
  }
}

/** How many of the owner's segments a forward read scans before it lets the chain answer instead. */
const FORWARD_SEGMENTS = 32;

/**
 * One conversation's entries of the owner after `after`, oldest first, by scanning the owner's segments forward
 * from the one holding `after` — cheap when the conversation is dense among the owner's entries. After
 * FORWARD_SEGMENTS segments it yields `null` and stops: a sparse conversation is cheaper read along its chain
 * (conversationEntries), which only runs backwards.
 */
export function* conversationEntriesAfter(database: SqliteDatabase, owner: number, type: number, targetRef: number, after: number): Generator<SegmentRow | null> {
  let scanned = 0;
  for (const record of recordsAfter(database, owner, after)) {
    if (++scanned > FORWARD_SEGMENTS) {
      yield null;
      return;
    }
    yield* decodeSegment(record.data, after, 0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, { type, targetRef }).rows;
  }
}

export function messageRow(database: SqliteDatabase, id: number): MessageRow | undefined {
  return database.get<MessageRow>(MESSAGE_SQL, id);
}

/** The entry's message with its per-owner columns, as the SQL readers joined them; undefined once pruned. */
export function entryRow(database: SqliteDatabase, row: SegmentRow): EntryRow | undefined {
  const message = messageRow(database, row[SEG.messageId]);
  return message === undefined ? undefined : { ...message, direction: row[SEG.direction], mentioned: row[SEG.mentioned] };
}

/** The entries' messages with their per-owner columns, in the order given; those pruned are left out. */
export function entryRows(database: SqliteDatabase, rows: readonly SegmentRow[]): EntryRow[] {
  if (rows.length === 0) return [];
  const keys = rows.map((row) => `[${row[SEG.messageId]},${row[SEG.direction]},${row[SEG.mentioned]}]`);
  return database.all<EntryRow>(ENTRIES_SQL, `[${keys.join(',')}]`);
}

/** Rewrites one segment (inside the caller's write transaction). */
export function rewriteSegment(database: SqliteDatabase, owner: number, firstTime: number, data: Uint8Array): void {
  database.run(UPDATE_SQL, Buffer.from(data.buffer, data.byteOffset, data.byteLength), owner, firstTime);
}
