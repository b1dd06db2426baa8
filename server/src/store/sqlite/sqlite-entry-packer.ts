import type Database from 'better-sqlite3';
import type { decodeSegment, encodeSegment } from './sqlite-entry-segments';

/** The segment codec the packer writes with: passed in, since the writer thread defines its own copy. */
export interface SegmentCodec {
  readonly encodeSegment: typeof encodeSegment;
  readonly decodeSegment: typeof decodeSegment;
}

/**
 * The moves of the append writer (sqlite-append-writer.ts): pending entries packed into per-owner segments
 * (migration 013, sqlite-entry-segments.ts) and the conversation rows they imply. Held rows are
 * [owner, message id, direction, type, target, sentTime, mentioned, deleted].
 */
export interface EntryPacker {
  /** Whether the packer holds the pending rows (then the writer hands it every committed batch's rows). */
  holding(): boolean;
  /** A committed batch's rows, by owner in time order. */
  hold(rows: readonly number[][]): void;
  /**
   * Inside the caller's transaction: packs the pending rows of the owners in (after, upTo] (owner refs) into
   * segments, upserts their conversations and deletes them from `entries_pending`; returns how many it deleted.
   */
  move(after: number, upTo: number): number;
  /** After the move's commit, with what is pending now. */
  moved(after: number, upTo: number, pending: number): void;
  /** After the move rolled back, with what is pending now. */
  rolledBack(pending: number): void;
  /** The owner at which a step of about `rows` pending rows after `from` ends (all of that owner's rows go with it). */
  stepEnd(from: number, rows: number): number;
}

/**
 * The packer over connection `db`. Like createAppendExecutor it runs on the caller's thread or inside the
 * writer thread, which evaluates this function's source text: it must stay self-contained — no imported
 * values, only its parameters (the codec among them), globals and its own locals (types are erased).
 *
 * Every pending row of an owner moves in one transaction, packed into segments of that owner (at most
 * SEGMENT_ROWS each, so a pull from a cursor decodes little more than its page). Rows whose message is gone
 * (only retention deletes messages, and it moves first) are dropped, never packed.
 *
 * The pending rows are held here by owner in time order, so a move packs them without reading them back
 * (materialising rows costs more than the rest of the move: bench/analysis/p1-private.md round 17) — only
 * when this process is the file's only writer (`soleWriter`), and a batch's rows only once it committed.
 * Not while the table holds rows this packer did not see (a previous process's, or migration 013's): moves
 * then read the table, and holding starts again once it is empty. Never with other writers on the file: a
 * move takes every pending row of its owners, theirs too.
 */
export function createEntryPacker(db: Database.Database, codec: SegmentCodec, soleWriter: boolean): EntryPacker {
  const { encodeSegment, decodeSegment } = codec;
  const SEGMENT_ROWS = 128;
  const ALL_OWNERS = Number.MAX_SAFE_INTEGER;
  const countPending = db.prepare('SELECT COUNT(*) AS n FROM entries_pending');
  const owners = 'FROM entries_pending p WHERE p.owner_ref > ? AND p.owner_ref <= ?';
  const live = `${owners} AND EXISTS (SELECT 1 FROM messages m WHERE m.id = p.message_id)`;
  // (No statement runs while another is iterated on one connection: owners first, then each owner's rows.)
  const movedOwners = db.prepare(`SELECT DISTINCT owner_ref ${live} ORDER BY owner_ref`).pluck();
  const readMoved = db.prepare(`SELECT owner_ref, message_id, direction, conv_type, conv_target_ref, sent_time, mentioned, deleted ${live}
    ORDER BY sent_time, direction`).raw();
  const insertSegment = db.prepare('INSERT INTO entry_segments (owner_ref, first_time, last_time, data) VALUES (?, ?, ?, ?)');
  const conversationTime = db.prepare('SELECT updated_time FROM conversations WHERE owner_ref = ? AND type = ? AND target_ref = ?').pluck();
  const olderSegment = db.prepare('SELECT first_time, data FROM entry_segments WHERE owner_ref = ? AND first_time < ? ORDER BY first_time DESC LIMIT 1');
  // A conversation is listed again only by entries newer than its newest one (never by entries packed again
  // when migration 013 converted `entries`). (The WHERE also satisfies SQLite's rule that an upsert's SELECT
  // needs one to parse.)
  const moveConversations = db.prepare(`INSERT INTO conversations (owner_ref, type, target_ref, updated_time, listed)
    SELECT owner_ref, conv_type, conv_target_ref, MAX(sent_time), 1 ${live}
    GROUP BY owner_ref, conv_type, conv_target_ref ORDER BY owner_ref, conv_type, conv_target_ref
    ON CONFLICT (owner_ref, type, target_ref) DO UPDATE SET
      listed = CASE WHEN excluded.updated_time > updated_time THEN 1 ELSE listed END,
      updated_time = MAX(updated_time, excluded.updated_time)`);
  const dropMoved = db.prepare('DELETE FROM entries_pending WHERE owner_ref > ? AND owner_ref <= ?');
  const stepEndSql = db.prepare('SELECT owner_ref AS ref FROM entries_pending WHERE owner_ref > ? ORDER BY owner_ref LIMIT 1 OFFSET ?');

  const startHolding = (pending: number): Map<number, number[][]> | undefined => (soleWriter && pending === 0 ? new Map() : undefined);
  let held = startHolding((countPending.get() as { n: number }).n);

  /**
   * The owner's newest entry time of conversation (type, target) before `firstTime`. Normally the
   * conversation row's time (every new entry is newer than it); entries packed again (migration 013) are not,
   * and their previous one is looked up in the owner's older segments.
   */
  const prevTimeOf = (owner: number, type: number, target: number, firstTime: number): number => {
    const updated = (conversationTime.get(owner, type, target) as number | undefined) ?? 0;
    if (updated < firstTime) return updated;
    let before = firstTime;
    for (;;) {
      const older = olderSegment.get(owner, before) as { first_time: number; data: Uint8Array } | undefined;
      if (older === undefined) return 0;
      const rows = decodeSegment(older.data).rows;
      for (let i = rows.length - 1; i >= 0; i--) {
        const row = rows[i] as number[];
        if (row[2] === type && row[3] === target && (row[4] as number) < firstTime) return row[4] as number;
      }
      before = older.first_time;
    }
  };

  /** Writes one owner's rows (held rows; in time order) as segments. */
  const packOwner = (owner: number, moved: readonly number[][]): void => {
    // A backlog split over several segments chains each to the one before it in this move.
    const packed = new Map<string, number>();
    for (let start = 0; start < moved.length; start += SEGMENT_ROWS) {
      const rows = moved.slice(start, start + SEGMENT_ROWS).map((row) => row.slice(1));
      const first = (rows[0] as number[])[4] as number;
      const last = (rows[rows.length - 1] as number[])[4] as number;
      const data = encodeSegment(rows, (type, target, firstTime) => packed.get(`${type}:${target}`) ?? prevTimeOf(owner, type, target, firstTime));
      insertSegment.run(owner, first, last, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      for (const row of rows) packed.set(`${row[2]}:${row[3]}`, row[4] as number);
    }
  };

  /** The held owners in (after, upTo], ascending. */
  const heldOwners = (rows: Map<number, number[][]>, after: number, upTo: number): number[] =>
    [...rows.keys()].filter((owner) => owner > after && owner <= upTo).sort((a, b) => a - b);

  return {
    holding: () => held !== undefined,
    hold(rows) {
      if (held === undefined) return;
      for (const row of rows) {
        const owner = row[0] as number;
        const ofOwner = held.get(owner);
        if (ofOwner === undefined) held.set(owner, [row as number[]]);
        else ofOwner.push(row as number[]);
      }
    },
    move(after, upTo) {
      if (held !== undefined) {
        for (const owner of heldOwners(held, after, upTo)) packOwner(owner, held.get(owner) as number[][]);
      } else {
        for (const owner of movedOwners.all(after, upTo) as number[]) packOwner(owner, readMoved.all(owner - 1, owner) as number[][]);
      }
      moveConversations.run(after, upTo);
      return dropMoved.run(after, upTo).changes;
    },
    moved(after, upTo, pending) {
      if (held !== undefined) for (const owner of heldOwners(held, after, upTo)) held.delete(owner);
      else held = startHolding(pending);
    },
    rolledBack(pending) {
      // What is held still matches the table (the move rolled back); start holding if the table is empty.
      held ??= startHolding(pending);
    },
    stepEnd(from, rows) {
      if (held === undefined) return (stepEndSql.get(from, rows) as { ref: number } | undefined)?.ref ?? ALL_OWNERS;
      let seen = 0;
      for (const owner of heldOwners(held, from, ALL_OWNERS)) {
        seen += (held.get(owner) as number[][]).length;
        if (seen > rows) return owner;
      }
      return ALL_OWNERS;
    },
  };
}
