import type Database from 'better-sqlite3';
import type { AppendOutcome } from '../message-append-batcher';
import { ownerConversation } from '../owner-conversation';
import { storedMessageOf } from '../rows';
import { Direction } from '../store';
import type { NewMessage, StoredMessage } from '../store';

/**
 * One message of a group-commit batch as the executor takes it: plain data only (it crosses to the writer
 * thread by structured clone). Everything that does not depend on the app clock is decided here, on the
 * caller's thread: the entry rows and the uid's 35 random bits (so an injected `random` stays in charge).
 */
export interface AppendJob {
  readonly appKey: string;
  /** The caller's clock; sentTime = max(floor(now), app clock + 1). */
  readonly now: number;
  /** The 7 random base32hex characters of the uid (message-uid.ts); the 9 time characters follow sentTime. */
  readonly uidRandom: string;
  readonly fromUserId: string;
  readonly conversationType: number;
  readonly targetId: string;
  readonly objectName: string;
  readonly content: Uint8Array;
  readonly flags: number;
  readonly configFlag: number | null;
  readonly pushContent: string | null;
  readonly pushData: string | null;
  readonly pushExt: Uint8Array | null;
  readonly extraContent: string | null;
  /** One row per owner: [owner, direction, conversation type, conversation target, mentioned]. */
  readonly entries: readonly (readonly [string, number, number, string, 0 | 1])[];
}

/** What the commit assigned to one message. */
export interface AppendCommitted {
  readonly sentTime: number;
  readonly uid: string;
}

/** Writes a batch in one transaction; one outcome per job; throws when nothing was committed. */
export type AppendExecutor = (jobs: readonly AppendJob[]) => AppendOutcome<AppendCommitted>[];

/**
 * The uid's 7 random characters, drawn exactly as newMessageUid draws them (one `random()` per character,
 * base32hex), so the executor's time part + this give the uid newMessageUid(sentTime, random) would.
 */
function uidRandomPart(random: () => number): string {
  let chars = '';
  for (let i = 0; i < 7; i++) chars += UID_ALPHABET.charAt(Math.min(31, Math.max(0, Math.floor(random() * 32))));
  return chars;
}

const UID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

/**
 * The job for `message`. A recipient always gets its inbox entry; the sender's sendbox entry is dropped when
 * the sender is also a recipient (message to oneself, group message directed to oneself): one row per
 * (message, owner).
 */
export function planAppend(message: NewMessage, random: () => number): AppendJob {
  return {
    appKey: message.appKey,
    now: message.now,
    uidRandom: uidRandomPart(random),
    fromUserId: message.fromUserId,
    conversationType: message.conversationType,
    targetId: message.targetId,
    objectName: message.objectName,
    content: message.content,
    flags: message.flags,
    configFlag: message.configFlag ?? null,
    pushContent: message.pushContent ?? null,
    pushData: message.pushData ?? null,
    pushExt: message.pushExt ?? null,
    extraContent: message.extraContent ?? null,
    entries: entryRows(message),
  };
}

function entryRows(message: NewMessage): [string, number, number, string, 0 | 1][] {
  const { recipients, fromUserId } = message;
  const mentioned = message.mentionedUserIds;
  const only = recipients.length === 1 ? recipients[0] : undefined;
  if (only !== undefined && only !== fromUserId && (mentioned === undefined || mentioned.length === 0)) {
    // The private-message case without the sets below.
    const inbox = ownerConversation(message, only);
    const rows: [string, number, number, string, 0 | 1][] = [[only, Direction.Receive, inbox.type, inbox.targetId, 0]];
    if (message.senderSendbox) {
      const sendbox = ownerConversation(message, fromUserId);
      rows.push([fromUserId, Direction.Send, sendbox.type, sendbox.targetId, 0]);
    }
    return rows;
  }
  const mentionedSet = mentioned !== undefined && mentioned.length > 0 ? new Set(mentioned) : undefined;
  const entries: [string, number, number, string, 0 | 1][] = [];
  const owners = new Set<string>();
  for (const recipient of recipients) {
    if (owners.has(recipient)) continue;
    owners.add(recipient);
    const conversation = ownerConversation(message, recipient);
    entries.push([recipient, Direction.Receive, conversation.type, conversation.targetId, mentionedSet?.has(recipient) === true ? 1 : 0]);
  }
  if (message.senderSendbox && !owners.has(fromUserId)) {
    const conversation = ownerConversation(message, fromUserId);
    entries.push([fromUserId, Direction.Send, conversation.type, conversation.targetId, 0]);
  }
  return entries;
}

/**
 * A batch of jobs in the form that crosses to the writer thread cheaply: every scalar in one Float64Array and
 * every content and pushExt in one byte buffer (both transferred, not copied), and each distinct string of
 * the batch once. Structured clone of job objects costs a key string per field, of a mixed array a tag per
 * element, and of a `content` view the whole buffer under it (a frame's content is a view into the socket's
 * read chunk); a batch names the same app, object name and users many times.
 */
export interface PackedJobs {
  /** Per job JOB_SLOTS numbers, then 5 per entry; a string slot holds its index in `strings` (-1 = null). */
  readonly numbers: Float64Array<ArrayBuffer>;
  readonly strings: string[];
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/**
 * Per job: appKey, now, uidRandom (its 7 base32hex digits as one number < 2^35), fromUserId, conversationType,
 * targetId, objectName, content length, flags, configFlag (NaN = null), pushContent, pushData, pushExt length
 * (-1 = null), extraContent, entry count; then per entry: owner, direction, conversation type, target, mentioned.
 */
const JOB_SLOTS = 15;

export function packJobs(jobs: readonly AppendJob[]): PackedJobs {
  let size = 0;
  let slots = 0;
  for (const job of jobs) {
    size += job.content.byteLength + (job.pushExt?.byteLength ?? 0);
    slots += JOB_SLOTS + 5 * job.entries.length;
  }
  const bytes = new Uint8Array(size);
  const numbers = new Float64Array(slots);
  const strings: string[] = [];
  const indexOf = new Map<string, number>();
  const str = (value: string | null): number => {
    if (value === null) return -1;
    let index = indexOf.get(value);
    if (index === undefined) {
      index = strings.length;
      strings.push(value);
      indexOf.set(value, index);
    }
    return index;
  };
  let offset = 0;
  let i = 0;
  for (const job of jobs) {
    bytes.set(job.content, offset);
    offset += job.content.byteLength;
    if (job.pushExt !== null) {
      bytes.set(job.pushExt, offset);
      offset += job.pushExt.byteLength;
    }
    let random = 0;
    for (let c = 0; c < job.uidRandom.length; c++) random = random * 32 + UID_ALPHABET.indexOf(job.uidRandom.charAt(c));
    numbers[i] = str(job.appKey);
    numbers[i + 1] = job.now;
    numbers[i + 2] = random;
    numbers[i + 3] = str(job.fromUserId);
    numbers[i + 4] = job.conversationType;
    numbers[i + 5] = str(job.targetId);
    numbers[i + 6] = str(job.objectName);
    numbers[i + 7] = job.content.byteLength;
    numbers[i + 8] = job.flags;
    numbers[i + 9] = job.configFlag ?? Number.NaN;
    numbers[i + 10] = str(job.pushContent);
    numbers[i + 11] = str(job.pushData);
    numbers[i + 12] = job.pushExt === null ? -1 : job.pushExt.byteLength;
    numbers[i + 13] = str(job.extraContent);
    numbers[i + 14] = job.entries.length;
    i += JOB_SLOTS;
    for (const entry of job.entries) {
      numbers[i] = str(entry[0]);
      numbers[i + 1] = entry[1];
      numbers[i + 2] = entry[2];
      numbers[i + 3] = str(entry[3]);
      numbers[i + 4] = entry[4];
      i += 5;
    }
  }
  return { numbers, strings, bytes };
}

/** The inverse of packJobs; self-contained like createAppendExecutor (the writer thread runs its source). */
export function unpackJobs(packed: PackedJobs): AppendJob[] {
  const { numbers: n, strings, bytes } = packed;
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
  const str = (index: number): string | null => (index < 0 ? null : (strings[index] as string));
  const jobs: AppendJob[] = [];
  let i = 0;
  let offset = 0;
  while (i < n.length) {
    const contentLength = n[i + 7] as number;
    const content = bytes.subarray(offset, offset + contentLength);
    offset += contentLength;
    const pushExtLength = n[i + 12] as number;
    let pushExt: Uint8Array | null = null;
    if (pushExtLength >= 0) {
      pushExt = bytes.subarray(offset, offset + pushExtLength);
      offset += pushExtLength;
    }
    let random = n[i + 2] as number;
    let uidRandom = '';
    for (let c = 0; c < 7; c++) {
      uidRandom = alphabet.charAt(random % 32) + uidRandom;
      random = Math.floor(random / 32);
    }
    const configFlag = n[i + 9] as number;
    const entryCount = n[i + 14] as number;
    const entries: [string, number, number, string, 0 | 1][] = [];
    for (let e = 0; e < entryCount; e++) {
      const at = i + 15 + e * 5;
      entries.push([str(n[at] as number) as string, n[at + 1] as number, n[at + 2] as number, str(n[at + 3] as number) as string, n[at + 4] as 0 | 1]);
    }
    jobs.push({
      appKey: str(n[i] as number) as string,
      now: n[i + 1] as number,
      uidRandom,
      fromUserId: str(n[i + 3] as number) as string,
      conversationType: n[i + 4] as number,
      targetId: str(n[i + 5] as number) as string,
      objectName: str(n[i + 6] as number) as string,
      content,
      flags: n[i + 8] as number,
      configFlag: Number.isNaN(configFlag) ? null : configFlag,
      pushContent: str(n[i + 10] as number),
      pushData: str(n[i + 11] as number),
      pushExt,
      extraContent: str(n[i + 13] as number),
      entries,
    });
    i += 15 + entryCount * 5;
  }
  return jobs;
}

/** The stored form of `message` once committed as `committed`. */
export function storedMessage(message: NewMessage, committed: AppendCommitted): StoredMessage {
  return storedMessageOf(message, committed.uid, committed.sentTime);
}

/**
 * The batch writer for connection `db`, run on the caller's thread (inline) or inside the writer thread
 * (sqlite-append-worker.ts), which evaluates this function's source text: it must stay self-contained —
 * no imported values, only its parameter, globals and its own locals (types are erased).
 *
 * Per message only its own rows are written (message + its entries); the app clock and the conversation
 * rows are per-batch state written once at the end (a conversation touched by ten messages of the batch is
 * upserted once, with the newest sentTime). The result is the same database as with one transaction per
 * message, minus intermediate states nobody could observe. Messages are written in job order, so sentTime
 * is strictly increasing in job order per app; two uids of one app never share their time part, so the
 * unique (app_key, uid) index cannot fire (message-uid.ts) — if it ever did, that message fails alone.
 *
 * Failure isolation: the batch is first written optimistically with no savepoints (BEGIN IMMEDIATE …
 * COMMIT, the fast path). If anything throws, the transaction is rolled back and the batch written again
 * with one SAVEPOINT per message: only the failing ones get an error outcome, and a failing message's clock
 * step and conversation touches are dropped with it (state is recorded only after its rows are in).
 */
export function createAppendExecutor(db: Database.Database): AppendExecutor {
  const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
  const TIME_MODULUS = 2 ** 45;
  const entryColumns = 'INSERT INTO entries (message_id, owner_ref, direction, conv_type, conv_target_ref, sent_time, mentioned) VALUES';
  // Owners and conversation targets are interned in `names` (migration 011); ids are never reused, so those
  // read committed are cached. Ones created in a batch are cached only once that batch committed (a rolled
  // back batch takes its names rows with it).
  const findName = db.prepare('SELECT id FROM names WHERE app_key = ? AND name = ?');
  const insertName = db.prepare('INSERT INTO names (app_key, name) VALUES (?, ?)');
  const readClock = db.prepare('SELECT last_sent_time AS t FROM app_clocks WHERE app_key = ?');
  const setClock = db.prepare(`INSERT INTO app_clocks (app_key, last_sent_time) VALUES (?, ?)
    ON CONFLICT (app_key) DO UPDATE SET last_sent_time = excluded.last_sent_time`);
  const insertMessage = db.prepare(`INSERT INTO messages (app_key, uid, sent_time, from_user_id, conversation_type, target_id,
    object_name, content, flags, config_flag, push_content, push_data, push_ext, extra_content)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertEntry = db.prepare(`${entryColumns} (?, ?, ?, ?, ?, ?, ?)`);
  // The common case (a private message: the recipient's inbox and the sender's sendbox) in one statement.
  const insertTwoEntries = db.prepare(`${entryColumns} (?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?)`);
  const touchConversation = db.prepare(`INSERT INTO conversations (owner_ref, type, target_ref, updated_time, listed)
    VALUES (?, ?, ?, ?, 1)
    ON CONFLICT (owner_ref, type, target_ref) DO UPDATE SET updated_time = excluded.updated_time, listed = 1`);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const savepoint = db.prepare('SAVEPOINT append_job');
  const release = db.prepare('RELEASE append_job');
  const rollbackTo = db.prepare('ROLLBACK TO append_job');

  const blob = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const uidOf = (sentTime: number, random: string): string => {
    let time = sentTime % TIME_MODULUS;
    let chars = '';
    for (let i = 0; i < 9; i++) {
      chars = ALPHABET.charAt(time % 32) + chars;
      time = Math.floor(time / 32);
    }
    chars += random;
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}-${chars.slice(12, 16)}`;
  };

  /** Committed names: app key → name → id; emptied when it holds NAMES_CACHED (a bound on the thread's memory). */
  const names = new Map<string, Map<string, number>>();
  const NAMES_CACHED = 100_000;
  let namesCached = 0;

  interface BatchState {
    readonly clocks: Map<string, number>;
    /** Per conversation row touched: [owner ref, type, target ref, sentTime], keyed by the three refs. */
    readonly touches: Map<string, [number, number, number, number]>;
    /** Names created in this batch (app key \u0000 name → id), cached once it commits. */
    readonly created: Map<string, number>;
    /** Keys of `created` added by the message being written (dropped again if its savepoint is rolled back). */
    readonly jobCreated: string[];
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
    const result = insertMessage.run(appKey, uid, sentTime, job.fromUserId, job.conversationType, job.targetId, job.objectName,
      blob(job.content), job.flags, job.configFlag, job.pushContent, job.pushData, job.pushExt === null ? null : blob(job.pushExt), job.extraContent);
    const id = result.lastInsertRowid;
    const a = entries[0];
    const b = entries[1];
    if (entries.length === 2 && a !== undefined && b !== undefined) {
      insertTwoEntries.run(id, refs[0], a[1], a[2], refs[1], sentTime, a[4], id, refs[2], b[1], b[2], refs[3], sentTime, b[4]);
    } else {
      entries.forEach((e, i) => insertEntry.run(id, refs[2 * i], e[1], e[2], refs[2 * i + 1], sentTime, e[4]));
    }
    // Recorded only now that every row of this message is in (see isolation above).
    state.clocks.set(appKey, sentTime);
    entries.forEach((e, i) => {
      const owner = refs[2 * i] as number;
      const target = refs[2 * i + 1] as number;
      state.touches.set(`${owner} ${e[2]} ${target}`, [owner, e[2], target, sentTime]);
    });
    return { sentTime, uid };
  };

  const writeAll = (jobs: readonly AppendJob[], isolate: boolean, created: Map<string, number>): AppendOutcome<AppendCommitted>[] => {
    const state: BatchState = { clocks: new Map(), touches: new Map(), created, jobCreated: [] };
    const outcomes: AppendOutcome<AppendCommitted>[] = [];
    for (const job of jobs) {
      if (!isolate) {
        outcomes.push({ ok: true, value: writeOne(job, state) });
        continue;
      }
      savepoint.run();
      state.jobCreated.length = 0;
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
        outcomes.push({ ok: false, error });
      }
    }
    for (const [appKey, last] of state.clocks) setClock.run(appKey, last);
    for (const row of state.touches.values()) touchConversation.run(row[0], row[1], row[2], row[3]);
    return outcomes;
  };

  const attempt = (jobs: readonly AppendJob[], isolate: boolean): AppendOutcome<AppendCommitted>[] => {
    begin.run();
    try {
      const created = new Map<string, number>();
      const outcomes = writeAll(jobs, isolate, created);
      commit.run();
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

  return (jobs) => {
    try {
      return attempt(jobs, false);
    } catch {
      return attempt(jobs, true);
    }
  };
}
