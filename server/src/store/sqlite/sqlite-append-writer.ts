import type Database from 'better-sqlite3';
import type { AppendOutcome } from '../message-append-batcher';
import type { AppendCommitted, AppendJob } from './sqlite-append-job';
import type { EntryPacker } from './sqlite-entry-packer';

/**
 * The group commit's writer over one connection. `append` writes a batch in one transaction (one outcome per
 * job; throws when nothing was committed); the batch's entries go to `entries_pending` (migration 012), but a
 * private message's, which are derived from its row (migration 014). `move` packs every entry not packed yet (or
 * one owner's) into per-owner segments (migration 013), and writes the conversation rows they imply, in one transaction;
 * `moveIfDue`, called after each batch, does so in steps once `moveAtRows` entries are pending (one step per
 * call, a range of owners with about a sixteenth of that many rows, or 1.25× the last batch's rows if more), but
 * leaves the conversation rows to a reader's move (migration 015), writing them itself only past a bound.
 * `pendingRows` counts what is pending: entries, and conversations whose rows are behind (migration 015).
 */
export interface AppendExecutor {
  append(jobs: readonly AppendJob[]): AppendOutcome<AppendCommitted>[];
  /**
   * Every pending row; or only those of one owner (`appKey`, `owner`): what a read of that owner's rows needs.
   * Returns the newest message id on file once done: every entry of the owner (of every owner) in a message up to
   * it is then packed, so a pull reads only later messages for derived entries (migration 014). With
   * `conversations` (the default; a pull, which reads entries only, passes false) the conversation rows are then
   * current too (migration 015).
   */
  move(appKey?: string, owner?: string, conversations?: boolean): number;
  moveIfDue(): void;
  pendingRows(): number;
}

/** Pending entries that make a move due: large enough that a move writes each per-owner page once for many rows. */
export const MOVE_AT_ROWS = 8000;

/**
 * The batch writer for connection `db`, run on the caller's thread (inline) or inside the writer thread
 * (sqlite-append-worker.ts), which evaluates this function's source text: it must stay self-contained —
 * no imported values, only its parameters (the entry packer among them: sqlite-entry-packer.ts does the moves),
 * globals and its own locals (types are erased).
 *
 * Per message only its own rows are written (message + its entries, into `entries_pending`; a private message's
 * row alone, marked `derived`: its two entries follow from it, migration 014 — bench/analysis/p1-private.md
 * round 20: a third of the store's CPU per message); the app clock is
 * per-batch state written once at the end. The conversation rows are not written per batch: they are derived
 * from the entries a move packs (per owner and conversation, listed again with the newest sentTime — what
 * touching them per message gave), by the move a reader asks for, or later (migration 015, sqlite-entry-packer.ts),
 * and a crash between two moves loses nothing (the store moves what is pending, and writes the conversation rows
 * behind, when it opens). Readers of per-owner state other than the inbox pull ask for a move first
 * (SqliteMessageRepository.settle), so they never see the difference. Moving in index order writes each
 * per-owner page once for many rows (bench/analysis/p1-private.md round 10: about half the store's CPU per message). Messages are written in job order, so sentTime
 * is strictly increasing in job order per app; two uids of one app never share their time part, so the
 * unique (app_key, uid) index cannot fire (message-uid.ts) — if it ever did, that message fails alone.
 *
 * Failure isolation: the batch is first written optimistically with no savepoints (BEGIN IMMEDIATE …
 * COMMIT, the fast path). If anything throws, the transaction is rolled back and the batch written again
 * with one SAVEPOINT per message: only the failing ones get an error outcome, and a failing message's clock
 * step and conversation touches are dropped with it (state is recorded only after its rows are in).
 */
export function createAppendExecutor(db: Database.Database, moveAtRows: number, packer: EntryPacker): AppendExecutor {
  const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
  const TIME_MODULUS = 2 ** 45;
  // ConversationType.PRIVATE / GROUP / SYSTEM and Direction.Send / Receive (no imported values here).
  const PRIVATE_TYPE = 1;
  const GROUP_TYPE = 3;
  const SYSTEM_TYPE = 6;
  const SEND = 1;
  const RECEIVE = 2;
  const entryColumns = 'INSERT INTO entries_pending (message_id, owner_ref, direction, conv_type, conv_target_ref, sent_time, mentioned) VALUES';
  // Owners and conversation targets are interned in `names` (migration 011); ids are never reused, so those
  // read committed are cached. Ones created in a batch are cached only once that batch committed (a rolled
  // back batch takes its names rows with it).
  const findName = db.prepare('SELECT id FROM names WHERE app_key = ? AND name = ?');
  const insertName = db.prepare('INSERT INTO names (app_key, name) VALUES (?, ?)');
  // Timed after the newest stored message and after a time another node on the file reserved (migration 024).
  const readClock = db.prepare('SELECT MAX(last_sent_time, reserved_time) AS t FROM app_clocks WHERE app_key = ?');
  const setClock = db.prepare(`INSERT INTO app_clocks (app_key, last_sent_time) VALUES (?, ?)
    ON CONFLICT (app_key) DO UPDATE SET last_sent_time = excluded.last_sent_time`);
  const insertMessage = db.prepare(`INSERT INTO messages (app_key, uid, sent_time, from_user_id, conversation_type, target_id,
    object_name, content, flags, config_flag, push_content, push_data, push_ext, extra_content, derived)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertEntry = db.prepare(`${entryColumns} (?, ?, ?, ?, ?, ?, ?)`);
  // The common case (a private message: the recipient's inbox and the sender's sendbox) in one statement.
  const insertTwoEntries = db.prepare(`${entryColumns} (?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?)`);

  /**
   * Whether the job's entries are exactly what its row implies (migration 014): a private message's inbox
   * entry for the recipient (conversation: the sender) and sendbox entry for the sender (the recipient), no
   * mention. Such a message gets no pending rows: its entries are derived from the row.
   */
  const derivable = (job: AppendJob): boolean => {
    const [a, b] = job.entries;
    return job.conversationType === PRIVATE_TYPE && job.entries.length === 2 && a !== undefined && b !== undefined &&
      a[0] === job.targetId && a[1] === RECEIVE && a[2] === PRIVATE_TYPE && a[3] === job.fromUserId && a[4] === 0 &&
      b[0] === job.fromUserId && b[1] === SEND && b[2] === PRIVATE_TYPE && b[3] === job.targetId && b[4] === 0 &&
      job.targetId !== job.fromUserId;
  };
  const countPending = db.prepare('SELECT COUNT(*) AS n FROM entries_pending');
  // Derived messages above the floor (migration 014): at most two unpacked entries each.
  const countDerived = db.prepare('SELECT COUNT(*) AS n FROM messages WHERE id > (SELECT through FROM derived_floor WHERE id = 0) AND derived = 1');
  const newestMessageId = db.prepare('SELECT MAX(id) AS id FROM messages');
  const newestId = (): number => (newestMessageId.get() as { id: number | null }).id ?? 0;
  const countUnpacked = (): number => (countPending.get() as { n: number }).n + 2 * (countDerived.get() as { n: number }).n;
  const insertRecipients = db.prepare('INSERT INTO group_recipients (message_id, owners) VALUES (?, ?)');
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT append_job');
  const release = db.prepare('RELEASE append_job');
  const rollbackTo = db.prepare('ROLLBACK TO append_job');

  const blob = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  // A uid's character codes (message-uid.ts: 9 time characters, most significant first, then the 7 random ones,
  // a dash after every four), filled in place and made a string in one step.
  const uidCodes: number[] = [48, 48, 48, 48, 45, 48, 48, 48, 48, 45, 48, 48, 48, 48, 45, 48, 48, 48, 48];
  const uidOf = (sentTime: number, random: string): string => {
    let time = sentTime % TIME_MODULUS;
    for (let i = 8; i >= 0; i--) {
      uidCodes[i + (i >> 2)] = ALPHABET.charCodeAt(time % 32);
      time = Math.floor(time / 32);
    }
    for (let k = 9; k < 16; k++) uidCodes[k + (k >> 2)] = random.charCodeAt(k - 9);
    return String.fromCharCode.apply(null, uidCodes);
  };

  /** Committed names: app key → name → id; emptied when it holds NAMES_CACHED (a bound on the thread's memory). */
  const names = new Map<string, Map<string, number>>();
  const NAMES_CACHED = 100_000;
  let namesCached = 0;

  interface BatchState {
    readonly clocks: Map<string, number>;
    /** Entries written by the jobs that are in. */
    rows: number;
    /** Names created in this batch (app key \u0000 name → id), cached once it commits. */
    readonly created: Map<string, number>;
    /** Keys of `created` added by the message being written (dropped again if its savepoint is rolled back). */
    readonly jobCreated: string[];
    /** The entries written by the jobs that are in, as the packer holds them (sqlite-entry-packer.ts). */
    readonly added: number[][];
  }

  const cacheName = (ofApp: Map<string, number>, name: string, id: number): void => {
    if (namesCached >= NAMES_CACHED) {
      for (const cached of names.values()) cached.clear();
      namesCached = 0;
    }
    ofApp.set(name, id);
    namesCached++;
  };

  const refOf = (appKey: string, name: string, state: BatchState): number => {
    let ofApp = names.get(appKey);
    if (ofApp === undefined) {
      ofApp = new Map();
      names.set(appKey, ofApp);
    }
    const cached = ofApp.get(name);
    if (cached !== undefined) return cached;
    const key = `${appKey}\u0000${name}`;
    const created = state.created.get(key);
    if (created !== undefined) return created;
    const found = findName.get(appKey, name) as { id: number } | undefined;
    if (found !== undefined) {
      cacheName(ofApp, name, found.id);
      return found.id;
    }
    const id = Number(insertName.run(appKey, name).lastInsertRowid);
    state.created.set(key, id);
    state.jobCreated.push(key);
    return id;
  };

  const writeOne = (job: AppendJob, state: BatchState): AppendCommitted => {
    const appKey = job.appKey;
    let last = state.clocks.get(appKey);
    if (last === undefined) last = (readClock.get(appKey) as { t: number } | undefined)?.t ?? 0;
    const sentTime = Math.max(Math.floor(job.now), last + 1);
    const uid = uidOf(sentTime, job.uidRandom);
    const entries = job.entries;
    const refs: number[] = [];
    for (const e of entries) refs.push(refOf(appKey, e[0], state), refOf(appKey, e[3], state));
    const derived = derivable(job);
    const result = insertMessage.run(appKey, uid, sentTime, job.fromUserId, job.conversationType, job.targetId, job.objectName,
      blob(job.content), job.flags, job.configFlag, job.pushContent, job.pushData, job.pushExt === null ? null : blob(job.pushExt), job.extraContent,
      derived ? 1 : 0);
    const id = result.lastInsertRowid;
    const a = entries[0];
    const b = entries[1];
    if (derived) {
      // No pending rows: the row is the record (migration 014).
    } else if (entries.length === 2 && a !== undefined && b !== undefined) {
      insertTwoEntries.run(id, refs[0], a[1], a[2], refs[1], sentTime, a[4], id, refs[2], b[1], b[2], refs[3], sentTime, b[4]);
    } else {
      entries.forEach((e, i) => insertEntry.run(id, refs[2 * i], e[1], e[2], refs[2 * i + 1], sentTime, e[4]));
    }
    if (packer.holding()) {
      entries.forEach((e, i) => state.added.push([refs[2 * i] as number, Number(id), e[1], e[2], refs[2 * i + 1] as number, sentTime, e[4], 0]));
    }
    // The inbox owners of a fan-out message (a group message; a SYSTEM broadcast, addressed to its own sender),
    // for recalls and receipts: the packed entries are kept by owner, so they could not be found from the message.
    if (job.conversationType === GROUP_TYPE || (job.conversationType === SYSTEM_TYPE && job.targetId === job.fromUserId)) {
      const inbox: number[] = [];
      entries.forEach((e, i) => {
        if (e[1] === RECEIVE) inbox.push(refs[2 * i] as number);
      });
      insertRecipients.run(id, JSON.stringify(inbox));
    }
    // Recorded only now that every row of this message is in (see isolation above).
    state.clocks.set(appKey, sentTime);
    state.rows += entries.length;
    return { sentTime, uid };
  };

  const writeAll = (jobs: readonly AppendJob[], isolate: boolean, created: Map<string, number>): AppendOutcome<AppendCommitted>[] => {
    const state: BatchState = { clocks: new Map(), rows: 0, created, jobCreated: [], added: [] };
    const outcomes: AppendOutcome<AppendCommitted>[] = [];
    for (const job of jobs) {
      if (!isolate) {
        outcomes.push({ ok: true, value: writeOne(job, state) });
        continue;
      }
      savepoint.run();
      state.jobCreated.length = 0;
      const addedBefore = state.added.length;
      try {
        outcomes.push({ ok: true, value: writeOne(job, state) });
        release.run();
      } catch (error) {
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction: nothing of the batch is
        // committed then, so the batch fails as a whole rather than continuing in autocommit mode.
        if (!db.inTransaction) throw error;
        rollbackTo.run();
        release.run();
        for (const key of state.jobCreated) created.delete(key);
        state.added.length = addedBefore;
        outcomes.push({ ok: false, error });
      }
    }
    for (const [appKey, last] of state.clocks) setClock.run(appKey, last);
    batchRows = state.rows;
    batchAdded = state.added;
    return outcomes;
  };

  /**
   * Entries not packed yet (read once, then counted; an estimate from above while derived messages wait that
   * were packed for one owner only); entries written by the batch being committed.
   */
  let pending = countUnpacked();
  let batchRows = 0;
  let batchAdded: number[][] = [];
  const attempt = (jobs: readonly AppendJob[], isolate: boolean): AppendOutcome<AppendCommitted>[] => {
    begin.run();
    try {
      const created = new Map<string, number>();
      const outcomes = writeAll(jobs, isolate, created);
      commit.run();
      pending += batchRows;
      packer.hold(batchAdded);
      for (const [key, id] of created) {
        const cut = key.indexOf('\u0000');
        const ofApp = names.get(key.slice(0, cut));
        if (ofApp !== undefined) cacheName(ofApp, key.slice(cut + 1), id);
      }
      return outcomes;
    } catch (error) {
      if (db.inTransaction) rollback.run();
      throw error;
    }
  };

  const NO_OWNER = -1;
  const ALL_OWNERS = Number.MAX_SAFE_INTEGER;
  const moveOwners = (after: number, upTo: number, conversations: boolean): void => {
    begin.run();
    try {
      pending -= packer.move(after, upTo, conversations);
      commit.run();
    } catch (error) {
      if (db.inTransaction) rollback.run();
      pending = countUnpacked();
      packer.rolledBack();
      throw error;
    }
    packer.moved(after, upTo);
    // After a move of every owner nothing derived is left above the floor: the count is exact again.
    if (after === NO_OWNER && upTo === ALL_OWNERS) pending = countUnpacked();
  };

  /**
   * A due move sweeps the owners in steps of about a sixteenth of `moveAtRows` rows, one step after each
   * batch, so appends never wait behind more than one step; `sweptTo` is where the sweep stands (NO_OWNER:
   * none under way). Rows that come for owners already swept wait for the next sweep. A step takes at least
   * STEP_GAIN times the rows of the batch before it, so a sweep always gains on what comes in (large group
   * fan-outs) and the next one starts with fewer rows pending. The rows per owner a step finds — what makes a
   * move cheaper than writing in place — follow from `moveAtRows`, not from the step: small steps cost about
   * the same per row and keep each pause short (bench P1 round 12: quarter-size steps of ≥ 2× the batch held
   * the writer ≈ 25 ms; p99 at 10,000 msg/s offered 121 – 132 → 69 – 88 ms, same throughput).
   */
  const stepRows = Math.max(1, Math.floor(moveAtRows / 16));
  const STEP_GAIN = 1.25;
  let sweptTo = NO_OWNER;

  /** A step of writing the conversation rows longest behind (about this many conversations): a pause like a move step's. */
  const CATCH_UP_STEP = 2048;
  const catchUpStep = (): void => {
    begin.run();
    try {
      packer.catchUp(CATCH_UP_STEP);
      commit.run();
    } catch (error) {
      if (db.inTransaction) rollback.run();
      packer.rolledBack();
      throw error;
    }
    packer.moved(NO_OWNER, NO_OWNER);
  };

  let catchUpNext = false;

  const move = (appKey?: string, owner?: string, conversations = true): number => {
    if (pending === 0 && (!conversations || packer.lagging() === 0)) return newestId();
    if (appKey === undefined || owner === undefined) {
      moveOwners(NO_OWNER, ALL_OWNERS, conversations);
      sweptTo = NO_OWNER;
      return newestId();
    }
    // A name never interned has no rows, nor does an owner the packer holds nothing of (and whose conversation
    // rows are current, when they are asked for); the sweep goes on where it stood.
    const ref = (findName.get(appKey, owner) as { id: number } | undefined)?.id;
    if (ref !== undefined && (packer.holds(ref) !== false || (conversations && packer.lags(ref)))) moveOwners(ref - 1, ref, conversations);
    return newestId();
  };

  return {
    append(jobs) {
      try {
        return attempt(jobs, false);
      } catch {
        return attempt(jobs, true);
      }
    },
    move,
    moveIfDue() {
      const sweeping = sweptTo !== NO_OWNER || pending >= moveAtRows;
      // While the lag is past its bounds, the conversation rows longest behind, a step at a time: between sweeps,
      // and every other call during one (sweeps may follow each other without a gap under large fan-outs).
      if (packer.lagTooLarge() && (!sweeping || (catchUpNext = !catchUpNext))) {
        catchUpStep();
        return;
      }
      if (!sweeping) return;
      const end = packer.stepEnd(sweptTo, Math.max(stepRows, Math.ceil(STEP_GAIN * batchRows)));
      moveOwners(sweptTo, end, false);
      sweptTo = end === ALL_OWNERS ? NO_OWNER : end;
    },
    pendingRows: () => pending + packer.lagging(),
  };
}
