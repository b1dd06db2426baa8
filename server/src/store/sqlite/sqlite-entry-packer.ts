import type Database from 'better-sqlite3';
import type { decodeSegment, encodeSegment } from './sqlite-entry-segments';

/** The segment codec the packer writes with: passed in, since the writer thread defines its own copy. */
export interface SegmentCodec {
  readonly encodeSegment: typeof encodeSegment;
  readonly decodeSegment: typeof decodeSegment;
}

/**
 * The moves of the append writer (sqlite-append-writer.ts): entries not packed yet — pending rows (migration 012)
 * and private messages' derived entries (migration 014) — packed into per-owner segments (migration 013,
 * sqlite-entry-segments.ts), and the conversation rows they imply. Held rows are
 * [owner, message id, direction, type, target, sentTime, mentioned, deleted].
 */
export interface EntryPacker {
  /** Whether the packer holds the unpacked entries, pending and derived; then the writer hands it every committed batch's rows. */
  holding(): boolean;
  /** A committed batch's rows, by owner in time order. */
  hold(rows: readonly number[][]): void;
  /** Whether the owner has unpacked entries; undefined when not holding (then only the file can tell). */
  holds(owner: number): boolean | undefined;
  /**
   * Inside the caller's transaction: packs the unpacked entries of the owners in (after, upTo] (owner refs) into
   * segments, deletes their rows from `entries_pending` and raises the derived floor (migration 014) past every
   * derived message now packed for both owners; returns how many entries it packed. With `conversations` their
   * conversation rows are written too, with those the owners' earlier moves left behind (migration 015);
   * without, a holding packer only notes what the rows will need.
   */
  move(after: number, upTo: number, conversations: boolean): number;
  /** After the move's commit (or a catch-up's). */
  moved(after: number, upTo: number): void;
  /** After the move (or catch-up) rolled back. */
  rolledBack(): void;
  /** Conversations whose rows are behind their owner's segments (migration 015); not holding, owners listed on file. */
  lagging(): number;
  /** Whether the owner's conversation rows are behind (then a reader's move must write them even with nothing unpacked). */
  lags(owner: number): boolean;
  /** Whether the lag is past a bound (memory, or the segments a restart would read again): time for catchUp. */
  lagTooLarge(): boolean;
  /** In the caller's transaction, the rows of about `conversations` conversations, the owners longest behind first; then `moved`. */
  catchUp(conversations: number): void;
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
 * The unpacked entries (pending rows and derived ones) are held here by owner in time order, so a move packs them without reading them back
 * (materialising rows costs more than the rest of the move: bench/analysis/p1-private.md round 17) — only
 * when this process is the file's only writer (`soleWriter`), and a batch's rows only once it committed.
 * Not while the file holds unpacked entries this packer did not see (a previous process's, or migration 013's):
 * moves then read the table and the derived messages above the floor (those newer than their owner's newest
 * segment are the unpacked ones), and holding starts again once nothing is left. Never with other writers on
 * the file: a move takes every unpacked entry of its owners, theirs too.
 *
 * Conversation rows (migration 015): a holding packer's moves that no reader asked for (the writer's sweeps, a
 * pull's) only note, per owner and conversation, the newest time packed, and list the owner in
 * `conversation_lag`; the rows are written by the move of a reader of the owner's conversations (history, the
 * list, unread counts, deletions: SqliteMessageRepository.settle), once per conversation however many entries
 * came in between, or when the lag passes `lagBounds` (conversations noted: memory; entries behind: what a
 * restart reads again), those longest behind first, a step at a time (`catchUp`); an owner with more than
 * `perOwner` behind (a service account talking to thousands) has its rows written by every move, so no reader's
 * move writes more than that many at once. A packer that does not hold
 * (at open, or with other writers) writes every row at once, and first the rows of the owners on file behind,
 * from their segments since the lag started.
 */
export function createEntryPacker(
  db: Database.Database,
  codec: SegmentCodec,
  soleWriter: boolean,
  lagBounds: { readonly conversations: number; readonly entries: number; readonly perOwner: number } = { conversations: 100_000, entries: 1_000_000, perOwner: 2048 },
): EntryPacker {
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
  // Conversation rows from the moved rows, whichever way they were found. A conversation is listed again only by
  // entries newer than its newest one (never by entries packed again when migration 013 converted `entries`).
  const upsertConversation = db.prepare(`INSERT INTO conversations (owner_ref, type, target_ref, updated_time, listed) VALUES (?, ?, ?, ?, 1)
    ON CONFLICT (owner_ref, type, target_ref) DO UPDATE SET
      listed = CASE WHEN excluded.updated_time > updated_time THEN 1 ELSE listed END,
      updated_time = MAX(updated_time, excluded.updated_time)`);
  const dropMoved = db.prepare('DELETE FROM entries_pending WHERE owner_ref > ? AND owner_ref <= ?');
  // Derived entries (migration 014): the messages above the floor, with both owners' refs.
  const PRIVATE_TYPE = 1;
  const SEND = 1;
  const RECEIVE = 2;
  // Conversation rows behind the segments (migration 015): owners listed with the first entry time not written.
  const countLag = db.prepare('SELECT COUNT(*) FROM conversation_lag').pluck();
  const insertLag = db.prepare('INSERT INTO conversation_lag (owner_ref, since_time) VALUES (?, ?)');
  const deleteLag = db.prepare('DELETE FROM conversation_lag WHERE owner_ref = ?');
  const lagOnFile = db.prepare('SELECT owner_ref, since_time FROM conversation_lag WHERE owner_ref > ? AND owner_ref <= ? ORDER BY owner_ref').raw();
  const segmentsSince = db.prepare('SELECT data FROM entry_segments WHERE owner_ref = ? AND first_time >= ? ORDER BY first_time').pluck();
  const readFloor = db.prepare('SELECT through FROM derived_floor WHERE id = 0').pluck();
  const writeFloor = db.prepare('UPDATE derived_floor SET through = ? WHERE id = 0');
  const maxMessageId = db.prepare('SELECT MAX(id) FROM messages').pluck();
  const derivedAbove = db.prepare(`SELECT m.id, m.sent_time, f.id, t.id FROM messages m
    JOIN names f ON f.app_key = m.app_key AND f.name = m.from_user_id
    JOIN names t ON t.app_key = m.app_key AND t.name = m.target_id
    WHERE m.id > ? AND m.derived = 1 ORDER BY m.id`).raw();
  const derivedExists = db.prepare('SELECT EXISTS (SELECT 1 FROM messages WHERE id > ? AND derived = 1)').pluck();
  const newestPacked = db.prepare('SELECT last_time FROM entry_segments WHERE owner_ref = ? ORDER BY first_time DESC LIMIT 1').pluck();
  const stepEndSql = db.prepare('SELECT owner_ref AS ref FROM entries_pending WHERE owner_ref > ? ORDER BY owner_ref LIMIT 1 OFFSET ?');

  // Held rows must be every entry not packed yet: none pending in the table, no derived message unpacked (the
  // writer's count of pending entries can only overestimate the derived ones: the table is asked); and the
  // lag in memory must be all there is: none on file.
  const startHolding = (): Map<number, number[][]> | undefined =>
    soleWriter && (countPending.get() as { n: number }).n === 0 && derivedExists.get(readFloor.get() as number) === 0 && countLag.get() === 0 ? new Map() : undefined;
  let held = startHolding();
  // Not holding: whether the file may still list owners whose conversation rows are behind (a previous process's).
  let lagOnFileMaybe = held === undefined && (countLag.get() as number) > 0;

  /**
   * Holding only: per owner whose conversation rows are behind (as listed in `conversation_lag`), its entries behind
   * and per conversation (key type + 64 × target ref) its newest time; in lag-start order (longest behind first).
   */
  interface Lag {
    entries: number;
    readonly newest: Map<number, number>;
  }
  const lag = new Map<number, Lag>();
  let lagConversations = 0;
  let lagEntries = 0;
  // What the transaction under way does to `lag`, applied by moved() after its commit: rows to note, owners written.
  let noted: [number, readonly number[][]][] = [];
  let written: number[] = [];
  const TYPE_SPAN = 64;
  const keyOf = (type: number, target: number): number => type + TYPE_SPAN * target;
  const keyable = (type: number): boolean => Number.isInteger(type) && type >= 0 && type < TYPE_SPAN;

  /**
   * The owner's newest entry time of conversation (type, target) before `firstTime`. Normally the
   * conversation row's time (every new entry is newer than it); entries packed again (migration 013) are not,
   * and their previous one is looked up in the owner's older segments.
   */
  const prevTimeOf = (owner: number, type: number, target: number, firstTime: number): number => {
    // Behind in its row: the lag has the newest time (older than any entry being packed: segments never overlap).
    const behind = keyable(type) ? lag.get(owner)?.newest.get(keyOf(type, target)) : undefined;
    if (behind !== undefined) return behind;
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
    // A backlog split over several segments chains each to the one before it in this move. Moved rows lead
    // with the owner: the segment codec reads them from column 1, in place.
    const packed = new Map<number | string, number>();
    const packedKey = (type: number, target: number): number | string => (keyable(type) ? keyOf(type, target) : `${type}:${target}`);
    for (let start = 0; start < moved.length; start += SEGMENT_ROWS) {
      const rows = moved.length <= SEGMENT_ROWS ? moved : moved.slice(start, start + SEGMENT_ROWS);
      const first = (rows[0] as number[])[5] as number;
      const last = (rows[rows.length - 1] as number[])[5] as number;
      const data = encodeSegment(rows, (type, target, firstTime) => packed.get(packedKey(type, target)) ?? prevTimeOf(owner, type, target, firstTime), 1);
      insertSegment.run(owner, first, last, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      for (const row of rows) packed.set(packedKey(row[3] as number, row[4] as number), row[5] as number);
    }
  };

  /**
   * Not holding: the derived entries not packed yet (newer than their owner's newest segment) of the owners in
   * (after, upTo], by owner in time order, and the lowest id of a derived message that keeps an unpacked
   * entry outside that range (Infinity if none).
   */
  const derivedRows = (after: number, upTo: number): { byOwner: Map<number, number[][]>; lowestLeft: number } => {
    const byOwner = new Map<number, number[][]>();
    const tops = new Map<number, number>();
    const top = (owner: number): number => {
      let time = tops.get(owner);
      if (time === undefined) {
        time = (newestPacked.get(owner) as number | undefined) ?? 0;
        tops.set(owner, time);
      }
      return time;
    };
    let lowestLeft = Number.POSITIVE_INFINITY;
    for (const [id, time, from, to] of derivedAbove.all(readFloor.get()) as number[][]) {
      for (const [owner, direction, target] of [[to, RECEIVE, from], [from, SEND, to]] as number[][]) {
        if ((time as number) <= top(owner as number)) continue;
        if ((owner as number) <= after || (owner as number) > upTo) {
          lowestLeft = Math.min(lowestLeft, id as number);
          continue;
        }
        const row = [owner as number, id as number, direction as number, PRIVATE_TYPE, target as number, time as number, 0, 0];
        const ofOwner = byOwner.get(owner as number);
        if (ofOwner === undefined) byOwner.set(owner as number, [row]);
        else ofOwner.push(row);
      }
    }
    return { byOwner, lowestLeft };
  };

  /** One owner's rows of two sources (each in time order), in time order, sendbox before inbox at equal times (as readMoved). */
  const mergeRows = (a: number[][], b: readonly number[][]): number[][] => {
    if (b.length === 0) return a;
    const out: number[][] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const x = a[i];
      const y = b[j];
      if (y === undefined || (x !== undefined && ((x[5] as number) < (y[5] as number) || (x[5] === y[5] && (x[2] as number) <= (y[2] as number))))) {
        out.push(x as number[]);
        i++;
      } else {
        out.push(y);
        j++;
      }
    }
    return out;
  };

  /** Conversation rows from times given in time order: `add` each, then `write` upserts each conversation once, with its newest. */
  const newestTimes = () => {
    const newest = new Map<string, [number, number, number]>();
    const add = (type: number, target: number, time: number): void => void newest.set(`${type}:${target}`, [type, target, time]);
    const write = (owner: number): void => newest.forEach(([type, target, time]) => upsertConversation.run(owner, type, target, time));
    return { add, write };
  };

  /** Each moved conversation's row (rows are [owner, id, direction, type, target, time, …]) and those behind: the newest time. */
  const upsertConversations = (owner: number, rows: readonly number[][]): void => {
    const times = newestTimes();
    for (const [key, time] of lag.get(owner)?.newest ?? []) times.add(key % TYPE_SPAN, Math.floor(key / TYPE_SPAN), time);
    for (const row of rows) times.add(row[3] as number, row[4] as number, row[5] as number);
    times.write(owner);
    if (lag.has(owner)) {
      deleteLag.run(owner);
      written.push(owner);
    }
  };

  /** Holding, without conversation rows: the owner's lag starts on file with this move (its first entry). */
  const noteLag = (owner: number, rows: readonly number[][]): void => {
    if (!lag.has(owner)) insertLag.run(owner, (rows[0] as number[])[5]);
    noted.push([owner, rows]);
  };

  /** Applies a committed move's notes to the lag (rows in time order, so the last of a conversation is its newest). */
  const applyNoted = (): void => {
    for (const [owner, rows] of noted) {
      let ofOwner = lag.get(owner);
      if (ofOwner === undefined) {
        ofOwner = { entries: 0, newest: new Map() };
        lag.set(owner, ofOwner);
      }
      for (const row of rows) {
        const key = keyOf(row[3] as number, row[4] as number);
        if (!ofOwner.newest.has(key)) lagConversations++;
        ofOwner.newest.set(key, row[5] as number);
      }
      ofOwner.entries += rows.length;
      lagEntries += rows.length;
    }
    noted = [];
    for (const owner of written) {
      const ofOwner = lag.get(owner);
      if (ofOwner === undefined) continue;
      lagConversations -= ofOwner.newest.size;
      lagEntries -= ofOwner.entries;
      lag.delete(owner);
    }
    written = [];
  };

  /**
   * Not holding: the conversation rows of the owners in (after, upTo] that a previous process left behind
   * (migration 015), from their segments since the lag started; before anything of theirs is packed, so the
   * chains of the new segments start from current rows.
   */
  const catchUpOnFile = (after: number, upTo: number): void => {
    for (const [owner, since] of lagOnFile.all(after, upTo) as [number, number][]) {
      const times = newestTimes();
      for (const data of segmentsSince.all(owner, since) as Uint8Array[]) {
        for (const row of decodeSegment(data).rows) if (row[4] >= since) times.add(row[2], row[3], row[4]);
      }
      times.write(owner);
      deleteLag.run(owner);
    }
  };

  /** The held owners in (after, upTo], ascending. */
  const heldOwners = (rows: Map<number, number[][]>, after: number, upTo: number): number[] =>
    [...rows.keys()].filter((owner) => owner > after && owner <= upTo).sort((a, b) => a - b);

  return {
    holding: () => held !== undefined,
    holds: (owner) => (held === undefined ? undefined : held.has(owner)),
    hold(rows) {
      if (held === undefined) return;
      for (const row of rows) {
        const owner = row[0] as number;
        const ofOwner = held.get(owner);
        if (ofOwner === undefined) held.set(owner, [row as number[]]);
        else ofOwner.push(row as number[]);
      }
    },
    move(after, upTo, conversations) {
      let moved = 0;
      let lowestLeft = Number.POSITIVE_INFINITY;
      if (held !== undefined) {
        for (const owner of heldOwners(held, after, upTo)) {
          const rows = held.get(owner) as number[][];
          packOwner(owner, rows);
          if (conversations || !rows.every((row) => keyable(row[3] as number)) || (lag.get(owner)?.newest.size ?? 0) + rows.length > lagBounds.perOwner) {
            upsertConversations(owner, rows);
          } else noteLag(owner, rows);
          moved += rows.length;
        }
        if (conversations) {
          // Owners behind with nothing unpacked now (a reader's move is of one owner: no walk over every owner behind).
          const behind = upTo - after === 1 ? (lag.has(upTo) ? [upTo] : []) : [...lag.keys()].filter((owner) => owner > after && owner <= upTo);
          for (const owner of behind) if (!held.has(owner)) upsertConversations(owner, []);
        }
        for (const [owner, rows] of held) {
          if (owner <= after || owner > upTo) lowestLeft = Math.min(lowestLeft, (rows[0] as number[])[1] as number);
        }
        dropMoved.run(after, upTo);
      } else {
        catchUpOnFile(after, upTo);
        const derived = derivedRows(after, upTo);
        lowestLeft = derived.lowestLeft;
        const owners = new Set<number>(movedOwners.all(after, upTo) as number[]);
        for (const owner of derived.byOwner.keys()) owners.add(owner);
        for (const owner of [...owners].sort((a, b) => a - b)) {
          const ofOwner = derived.byOwner.get(owner) ?? [];
          const rows = mergeRows(readMoved.all(owner - 1, owner) as number[][], ofOwner);
          packOwner(owner, rows);
          upsertConversations(owner, rows);
          moved += ofOwner.length;
        }
        moved += dropMoved.run(after, upTo).changes;
      }
      // Every derived message below the lowest one still holding an unpacked entry is packed for both owners.
      writeFloor.run(lowestLeft === Number.POSITIVE_INFINITY ? ((maxMessageId.get() as number | null) ?? 0) : lowestLeft - 1);
      return moved;
    },
    moved(after, upTo) {
      applyNoted();
      if (held !== undefined) for (const owner of heldOwners(held, after, upTo)) held.delete(owner);
      else {
        lagOnFileMaybe &&= (countLag.get() as number) > 0;
        held = startHolding();
      }
    },
    rolledBack() {
      // What is held, and the lag, still match the tables (the move rolled back); start holding if nothing is unpacked.
      noted = [];
      written = [];
      held ??= startHolding();
    },
    lagging: () => (held !== undefined ? lagConversations : lagOnFileMaybe ? (countLag.get() as number) : 0),
    lags: (owner) => lag.has(owner),
    lagTooLarge: () => lagConversations > lagBounds.conversations || lagEntries > lagBounds.entries,
    catchUp(conversations) {
      let count = 0;
      for (const [owner, ofOwner] of lag) {
        if (count >= conversations) break;
        count += ofOwner.newest.size;
        upsertConversations(owner, []);
      }
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
