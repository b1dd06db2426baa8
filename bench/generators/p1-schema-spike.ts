/**
 * P1 store-layout spike: what the per-message write of a private message would cost under layouts the
 * shipped SQLite schema does not use, measured on bare better-sqlite3 (one thread, no store code) with the
 * tables of server/src/store/sqlite/migrations/001-initial.ts reduced to what an append touches (messages,
 * entries with entries_sync/entries_history, conversations with conversations_recent) and the shipped
 * pragmas (WAL, synchronous=FULL, foreign keys, wal_autocheckpoint=10000). P1's shape: random pairs among 200
 * senders and 200 receivers, `--batch` messages per transaction, one conversation upsert per touched
 * conversation per batch (as the writer coalesces them), `--prefill` messages first, then `--measure` timed.
 *
 * Variants (combinable):
 *   --hot-cold N    entries go to a small `entries_hot` table with the same two indexes; every N messages one
 *                   transaction moves them to `entries` (INSERT … SELECT + DELETE). Reports the move's share.
 *   --pending N     written behind: a message's entries go to `entries_hot`, an append-only table with no
 *                   per-owner index, and its conversation touches are kept in memory; every N messages one
 *                   transaction moves the entries to `entries` in index order (owner, conversation, time) and
 *                   upserts the touched conversations in key order. Reports the move's share. (What a store
 *                   that answers reads only after flushing the pending rows would write.)
 *   --pending-sync-index  with --pending: `entries_hot` keeps the sync index (owner, direction, time), so an inbox
 *                   pull can read pending rows without waiting for the move.
 *   --without-rowid entries as a WITHOUT ROWID table on its primary key (message_id, owner).
 *   --int-keys app|all  integer app id (and with `all` integer user ids) instead of the TEXT keys that lead
 *                   every per-owner index.
 *   --read-fanout N no per-owner rows for a private message: the message row itself is indexed by recipient
 *                   (inbox), sender (sendbox) and conversation pair (history), each with the time, and the
 *                   conversation touches are kept in memory and upserted in key order every N messages (as
 *                   --pending does). The shape of a layout that fans a private message out on read, not on write
 *                   (per-owner deletions would need tombstones; not written here, as P1 deletes nothing).
 *   --segments N    no per-owner index rows either: a private message's two entries are kept in memory by owner,
 *                   and every N messages each owner with new entries gets one `segments` row (owner, newest
 *                   time, the entries packed as a blob: message id, direction, target, time), indexed by
 *                   (owner, newest time); the conversation touches are upserted in key order at the same time.
 *                   The shape of per-owner state written as a few packed rows per owner per flush.
 *   --pair-index    with --segments: the message row also carries the conversation pair's key and is indexed by
 *                   (pair, time), so history by conversation reads the messages themselves.
 *
 *   node --import tsx bench/generators/p1-schema-spike.ts [--prefill 48000] [--measure 32000] [--batch 400] [variants]
 *
 * Prints one JSON line: messages/s and process CPU per message (user, system, and the hot→cold move's part).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : (process.argv[at + 1] ?? '');
}

const prefill = Number(flag('prefill') ?? 48_000);
const measure = Number(flag('measure') ?? 32_000);
const batch = Number(flag('batch') ?? 400);
const pending = flag('pending') !== undefined ? Number(flag('pending')) : 0;
const hotCold = flag('hot-cold') !== undefined ? Number(flag('hot-cold')) : pending;
const withoutRowid = process.argv.includes('--without-rowid');
const pendingSyncIndex = process.argv.includes('--pending-sync-index');
const readFanout = flag('read-fanout') !== undefined ? Number(flag('read-fanout')) : 0;
const segments = flag('segments') !== undefined ? Number(flag('segments')) : 0;
const pairIndex = segments > 0 && process.argv.includes('--pair-index');
/** The message row carries the conversation pair (--read-fanout, --segments --pair-index). */
const withPair = readFanout > 0 || pairIndex;
const intKeys = flag('int-keys') ?? 'none';
const PAIRS = 200;

const dir = mkdtempSync(path.join(tmpdir(), 'lianxin-schema-spike-'));
const db = new Database(path.join(dir, 'spike.db'));
for (const pragma of ['journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON', 'wal_autocheckpoint = 10000']) db.pragma(pragma);

const appType = intKeys === 'none' ? 'TEXT' : 'INTEGER';
const userType = intKeys === 'all' ? 'INTEGER' : 'TEXT';
const entriesTable = (name: string, indexed = true, syncIndexed = indexed): string => `
CREATE TABLE ${name} (
  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE, owner ${userType} NOT NULL, app_key ${appType} NOT NULL,
  direction INTEGER NOT NULL, conv_type INTEGER NOT NULL, conv_target ${userType} NOT NULL, sent_time INTEGER NOT NULL,
  mentioned INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (message_id, owner))${withoutRowid ? ' WITHOUT ROWID' : ''};
${syncIndexed ? `CREATE INDEX ${name}_sync ON ${name} (app_key, owner, direction, sent_time);` : ''}
${indexed ? `CREATE INDEX ${name}_history ON ${name} (app_key, owner, conv_type, conv_target, sent_time);` : ''}`;
db.exec(`
CREATE TABLE messages (
  id INTEGER PRIMARY KEY, app_key ${appType} NOT NULL, uid TEXT NOT NULL, sent_time INTEGER NOT NULL, from_user_id ${userType} NOT NULL,
  conversation_type INTEGER NOT NULL, target_id ${userType} NOT NULL, object_name TEXT NOT NULL, content BLOB NOT NULL, flags INTEGER NOT NULL${
  withPair ? `, pair ${userType} NOT NULL` : ''});
CREATE UNIQUE INDEX messages_uid ON messages (app_key, uid);
CREATE INDEX messages_sent_time ON messages (sent_time);
${segments > 0 ? `CREATE TABLE segments (owner ${userType} NOT NULL, newest INTEGER NOT NULL, entries BLOB NOT NULL);
CREATE INDEX segments_owner ON segments (owner, newest);${pairIndex ? '\nCREATE INDEX messages_pair ON messages (pair, sent_time);' : ''}` : readFanout > 0 ? `CREATE INDEX messages_inbox ON messages (target_id, sent_time);
CREATE INDEX messages_sendbox ON messages (from_user_id, sent_time);
CREATE INDEX messages_pair ON messages (pair, sent_time);` : entriesTable('entries')}
${hotCold > 0 ? entriesTable('entries_hot', pending === 0, pending === 0 || pendingSyncIndex) : ''}
CREATE TABLE conversations (
  app_key ${appType} NOT NULL, owner ${userType} NOT NULL, type INTEGER NOT NULL, target_id ${userType} NOT NULL, updated_time INTEGER NOT NULL,
  listed INTEGER NOT NULL, cleared_up_to INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (app_key, owner, type, target_id)) WITHOUT ROWID;
CREATE INDEX conversations_recent ON conversations (app_key, owner, listed, updated_time, type, target_id);`);

const app: string | number = intKeys === 'none' ? 'lxbench' : 1;
const sender = (i: number): string | number => (intKeys === 'all' ? i : `bench-s${i}`);
const receiver = (i: number): string | number => (intKeys === 'all' ? 1000 + i : `bench-r${i}`);
const into = hotCold > 0 ? 'entries_hot' : 'entries';
const insertMessage = db.prepare(withPair
  ? `INSERT INTO messages (app_key, uid, sent_time, from_user_id, conversation_type, target_id, object_name, content, flags, pair)
  VALUES (?, ?, ?, ?, 1, ?, 'RC:TxtMsg', ?, 3, ?)`
  : `INSERT INTO messages (app_key, uid, sent_time, from_user_id, conversation_type, target_id, object_name, content, flags)
  VALUES (?, ?, ?, ?, 1, ?, 'RC:TxtMsg', ?, 3)`);
/** --read-fanout: the conversation pair's key (unordered). */
const pairOf = (a: string | number, b: string | number): string | number =>
  typeof a === 'number' && typeof b === 'number' ? Math.min(a, b) * 100_000 + Math.max(a, b) : a < b ? `${a}\0${b}` : `${b}\0${a}`;
const insertSegment = segments > 0 ? db.prepare('INSERT INTO segments (owner, newest, entries) VALUES (?, ?, ?)') : undefined;
/** --segments: each owner's entries since the last flush, as [message id, direction, target, time] numbers. */
const unflushed = new Map<string | number, number[]>();
const targetNumber = (target: string | number): number => (typeof target === 'number' ? target : Number(String(target).replace(/\D/g, '')));
const keep = (owner: string | number, id: number, direction: number, target: string | number, time: number): void => {
  let list = unflushed.get(owner);
  if (list === undefined) unflushed.set(owner, (list = []));
  list.push(id, direction, targetNumber(target), time);
};
const insertEntries = readFanout > 0 || segments > 0 ? undefined : db.prepare(`INSERT INTO ${into} (message_id, owner, app_key, direction, conv_type, conv_target, sent_time, mentioned)
  VALUES (?, ?, ?, 1, 1, ?, ?, 0), (?, ?, ?, 2, 1, ?, ?, 0)`);
const touchConversation = db.prepare(`INSERT INTO conversations (app_key, owner, type, target_id, updated_time, listed) VALUES (?, ?, 1, ?, ?, 1)
  ON CONFLICT (app_key, owner, type, target_id) DO UPDATE SET updated_time = excluded.updated_time, listed = 1`);
const moveCopy = hotCold > 0
  ? db.prepare(`INSERT INTO entries SELECT * FROM entries_hot WHERE message_id <= ?${pending > 0 ? ' ORDER BY app_key, owner, conv_type, conv_target, sent_time' : ''}`)
  : undefined;
const moveDelete = hotCold > 0 ? db.prepare('DELETE FROM entries_hot WHERE message_id <= ?') : undefined;
const content = Buffer.from(`{"content":"${'x'.repeat(60)}","extra":"t=12345.678;1.1"}`);

let clock = 1_700_000_000_000;
let sinceMove = 0;
let moveMicros = 0;
/** --pending: conversation touches kept until the move. */
const deferred = new Map<string, [string | number, string | number, number]>();
const byKey = (a: [string | number, string | number, number], b: [string | number, string | number, number]): number =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

function append(total: number): void {
  for (let done = 0; done < total; done += batch) {
    db.exec('BEGIN IMMEDIATE');
    const touched = new Map<string, [string | number, string | number, number]>();
    let lastId = 0;
    for (let i = 0; i < batch; i++) {
      const from = sender(Math.floor(Math.random() * PAIRS));
      const to = receiver(Math.floor(Math.random() * PAIRS));
      clock++;
      const uid = `${clock.toString(32)}-${i}`;
      const id = Number((withPair ? insertMessage.run(app, uid, clock, from, to, content, pairOf(from, to))
        : insertMessage.run(app, uid, clock, from, to, content)).lastInsertRowid);
      insertEntries?.run(id, from, app, to, clock, id, to, app, from, clock);
      if (segments > 0) {
        keep(from, id, 1, to, clock);
        keep(to, id, 2, from, clock);
      }
      touched.set(`${from}\0${to}`, [from, to, clock]);
      touched.set(`${to}\0${from}`, [to, from, clock]);
      lastId = id;
    }
    if (pending > 0 || readFanout > 0 || segments > 0) for (const [key, touch] of touched) deferred.set(key, touch);
    else for (const [owner, target, time] of touched.values()) touchConversation.run(app, owner, target, time);
    db.exec('COMMIT');
    sinceMove += batch;
    if (moveCopy !== undefined && moveDelete !== undefined && sinceMove >= hotCold) {
      periodic(() => {
        moveCopy.run(lastId);
        moveDelete.run(lastId);
      });
    }
    const flushEvery = readFanout > 0 ? readFanout : segments;
    if (flushEvery > 0 && sinceMove >= flushEvery) {
      periodic(() => {
        for (const [owner, list] of unflushed) insertSegment?.run(owner, list[list.length - 1], Buffer.from(new Float64Array(list).buffer));
        unflushed.clear();
      });
    }
  }
}

/** The periodic transaction (a move or a flush): `work`, then the deferred conversation touches in key order, timed. */
function periodic(work: () => void): void {
  const cpu = process.cpuUsage();
  db.exec('BEGIN IMMEDIATE');
  work();
  for (const [owner, target, time] of [...deferred.values()].sort(byKey)) touchConversation.run(app, owner, target, time);
  deferred.clear();
  db.exec('COMMIT');
  const spent = process.cpuUsage(cpu);
  moveMicros += spent.user + spent.system;
  sinceMove = 0;
}

try {
  append(prefill);
  moveMicros = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  append(measure);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({
    prefill, measure, batch, hotCold, pending, pendingSyncIndex, withoutRowid, intKeys, readFanout, segments, pairIndex,
    messagesPerSecond: Math.round(measure / seconds),
    cpuMicrosPerMessage: Number(((cpu.user + cpu.system) / measure).toFixed(1)),
    systemMicrosPerMessage: Number((cpu.system / measure).toFixed(1)),
    ...((hotCold > 0 || readFanout > 0 || segments > 0) && { moveMicrosPerMessage: Number((moveMicros / measure).toFixed(1)) }),
  }));
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
