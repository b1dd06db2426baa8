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

/**
 * One conversation's entries of the owner, newest first, from `newest` (the conversation row's
 * updated_time) down: one segment per hop along the chain the segments keep (sqlite-entry-segments.ts).
 */
export function* conversationEntries(
  database: SqliteDatabase,
  owner: number,
  type: number,
  targetRef: number,
  newest: number,
): Generator<SegmentRow> {
  let time = newest;
  while (time > 0) {
    const record = segmentHolding(database, owner, time);
    if (record === undefined) return;
    const segment = decodeSegment(record.data, -1, 0, time, Number.MAX_SAFE_INTEGER, { type, targetRef });
    const c = segment.conversations.findIndex((conversation) => conversation.type === type && conversation.targetRef === targetRef);
    if (c < 0) return;
    for (let i = segment.rows.length - 1; i >= 0; i--) yield segment.rows[i] as SegmentRow;
    const previous = (segment.conversations[c] as { prevTime: number }).prevTime;
    // A chain always goes back in time; anything else would be a damaged segment, not a reason to loop.
    if (previous >= record.first_time) return;
    time = previous;
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
