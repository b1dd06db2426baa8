/**
 * Per-owner rows written behind (migration 012, sqlite-append-writer.ts): an append commits its entries into
 * `entries_pending`; the writer packs them into per-owner segments (migration 013, `entry_segments`) and
 * writes the conversation rows they imply once
 * `moveAtRows` are pending, whenever a reader of per-owner state asks first, and at open for rows a previous
 * process left. The inbox pull reads pending rows in place. Each case runs on the writer thread and inline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { decodeSegment, encodeSegment } from '../../../src/store/sqlite/sqlite-entry-segments';
import { createEntryPacker } from '../../../src/store/sqlite/sqlite-entry-packer';
import { createAppendExecutor } from '../../../src/store/sqlite/sqlite-append-writer';
import { SqliteDatabase } from '../../../src/store/sqlite/sqlite-database';
import { readSyncPage } from '../../../src/store/sqlite/sqlite-sync';
import { APP, GROUP, PRIVATE, T0, privateMessage, text as json } from '../../../src/store/contract/contract-support';
import type { NewMessage, StoredMessage } from '../../../src/store/store';

/** The text a contract-support message was drafted with. */
const text = (message: StoredMessage): string => (JSON.parse(json(message)) as { content: string }).content;

const directories: string[] = [];

function newFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-pending-'));
  directories.push(dir);
  return join(dir, 'store.db');
}

async function openStore(file: string, appendWriter: 'thread' | 'inline', moveAtRows: number): Promise<SqliteStore> {
  const store = new SqliteStore({ file, appendWriter, moveAtRows });
  await store.migrate();
  return store;
}

/** Every entry packed in a segment: [message id, owner ref]. */
function packed(db: Database.Database): [number, number][] {
  const segments = db.prepare('SELECT owner_ref, data FROM entry_segments').all() as { owner_ref: number; data: Uint8Array }[];
  return segments.flatMap((segment) => decodeSegment(segment.data).rows.map((row): [number, number] => [row[0], segment.owner_ref]));
}

/**
 * The entries of private messages (migration 014: derived from the message row, no pending rows) not in a
 * segment yet: each such message has one for its recipient and one for its sender.
 */
function unpackedDerived(db: Database.Database): number {
  const inSegments = new Set(packed(db).map(([id, owner]) => `${id}:${owner}`));
  const messages = db.prepare(`SELECT m.id, f.id AS sender, t.id AS recipient FROM messages m
    JOIN names f ON f.app_key = m.app_key AND f.name = m.from_user_id JOIN names t ON t.app_key = m.app_key AND t.name = m.target_id
    WHERE m.derived = 1`).all() as { id: number; sender: number; recipient: number }[];
  return messages.flatMap((m) => [`${m.id}:${m.sender}`, `${m.id}:${m.recipient}`]).filter((key) => !inSegments.has(key)).length;
}

/** Rows pending, derived entries not packed yet, entries packed and conversation rows, read by a connection of its own. */
function counts(file: string): { pending: number; derived: number; entries: number; conversations: number } {
  const db = new Database(file, { readonly: true });
  try {
    const n = (table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { pending: n('entries_pending'), derived: unpackedDerived(db), entries: packed(db).length, conversations: n('conversations') };
  } finally {
    db.close();
  }
}

afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

describe.each(['thread', 'inline'] as const)('entries written behind (%s writer)', (appendWriter) => {
  it('a pull packs its owner\'s entries first, a history read too; a read across owners moves all', async () => {
    const file = newFile();
    const store = await openStore(file, appendWriter, 1_000_000);
    await store.messages.append(privateMessage('a', 'b', { now: T0, text: 'one' }));
    await store.messages.append(privateMessage('b', 'a', { now: T0 + 1, text: 'two' }));
    // A private message's entries are derived from its row: no pending rows.
    expect(counts(file)).toEqual({ pending: 0, derived: 4, entries: 0, conversations: 0 });

    // As the file's only writer the store packs the puller's entries before reading (a pull then looks for derived
    // entries only in later messages).
    const inbox = await store.messages.sync(APP, 'b', 0, 0, 10, 0);
    expect(inbox.entries.map((e) => [text(e.message), e.direction])).toEqual([['one', 2], ['two', 1]]);
    expect(inbox).toMatchObject({ hasMore: false, syncTime: T0 + 1, sendboxTime: T0 + 1 });
    expect(counts(file)).toEqual({ pending: 0, derived: 2, entries: 2, conversations: 1 });
    // Later messages are read from their rows, beside what is packed.
    await store.messages.append(privateMessage('a', 'b', { now: T0 + 2, text: 'three' }));
    const later = await store.messages.sync(APP, 'b', 0, 0, 10, 0);
    expect(later.entries.map((e) => text(e.message))).toEqual(['one', 'two', 'three']);

    const history = await store.messages.history({ appKey: APP, owner: 'a', conversation: { type: PRIVATE, targetId: 'b' }, time: 0, count: 10, order: 0 });
    expect(history.messages.map((e) => text(e.message))).toEqual(['three', 'two', 'one']);
    // a's three entries and a's conversation row; b's newest one stays unpacked.
    expect(counts(file)).toEqual({ pending: 0, derived: 1, entries: 5, conversations: 2 });
    expect(await store.messages.sync(APP, 'a', 0, 0, 10, 0)).toMatchObject({ syncTime: T0 + 2, sendboxTime: T0 + 2 });
    // Retention reads every owner's rows: everything moves first.
    expect(await store.messages.prune(T0 - 1)).toBe(0);
    expect(counts(file)).toEqual({ pending: 0, derived: 0, entries: 6, conversations: 2 });
    // The same pull after the moves: the same page.
    expect(await store.messages.sync(APP, 'b', 0, 0, 10, 0)).toEqual(later);
    await store.close();
  });

  it('a read after the owner was packed through a message finds the later ones in their rows, beside the packed ones', async () => {
    const file = newFile();
    const store = await openStore(file, appendWriter, 1_000_000);
    await store.messages.append(privateMessage('a', 'b', { now: T0, text: 'one' }));
    await store.messages.sync(APP, 'b', 0, 0, 10, 0);
    const newest = (): number => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare('SELECT MAX(id) AS id FROM messages').get() as { id: number }).id;
      } finally {
        db.close();
      }
    };
    // What the pull's settle answered: every entry of b up to this message is packed.
    const through = newest();
    await store.messages.append(privateMessage('a', 'b', { now: T0 + 1, text: 'two' }));
    await store.messages.append(privateMessage('b', 'a', { now: T0 + 2, text: 'three' }));
    expect(counts(file)).toMatchObject({ derived: 5, entries: 1 });
    const reference = new SqliteDatabase(file);
    try {
      const page = readSyncPage(reference, APP, 'b', 0, 0, 10, 0, through);
      expect(page.entries.map((e) => [text(e.message), e.direction])).toEqual([['one', 2], ['two', 2], ['three', 1]]);
      expect(page).toMatchObject({ hasMore: false, syncTime: T0 + 2, sendboxTime: T0 + 2 });
      expect(page).toEqual(readSyncPage(reference, APP, 'b', 0, 0, 10, 0));
      // Continuing from the packed entry: only the later messages.
      expect(readSyncPage(reference, APP, 'b', T0, T0, 10, 0, through).entries.map((e) => text(e.message))).toEqual(['two', 'three']);
    } finally {
      reference.close();
    }
    await store.close();
  });

  it('a store that is not the file\'s only writer reads unpacked entries in place, from the pending rows and the messages', async () => {
    const file = newFile();
    const store = new SqliteStore({ file, appendWriter, moveAtRows: 1_000_000, soleWriter: false });
    await store.migrate();
    await store.messages.append(privateMessage('a', 'b', { now: T0, text: 'one' }));
    await store.messages.append({ ...privateMessage('a', 'g1', { now: T0 + 1, text: 'group' }), conversationType: GROUP, recipients: ['b'] });
    await store.messages.append(privateMessage('b', 'a', { now: T0 + 2, text: 'two' }));
    const page = await store.messages.sync(APP, 'b', 0, 0, 10, 0);
    expect(page.entries.map((e) => [text(e.message), e.direction])).toEqual([['one', 2], ['group', 2], ['two', 1]]);
    expect(page).toMatchObject({ hasMore: false, syncTime: T0 + 2, sendboxTime: T0 + 2 });
    expect(counts(file)).toEqual({ pending: 2, derived: 4, entries: 0, conversations: 0 });
    await store.close();
  });

  it('moves on its own once moveAtRows entries are pending: a range of owners after each batch, until every owner is swept', async () => {
    const file = newFile();
    const store = await openStore(file, appendWriter, 8);
    const first: string[] = [];
    for (let i = 0; i < 3; i++) first.push((await store.messages.append(privateMessage('a', `b${i}`, { now: T0 + i }))).uid);
    expect(counts(file)).toEqual({ pending: 0, derived: 6, entries: 0, conversations: 0 });
    first.push((await store.messages.append(privateMessage('a', 'b3', { now: T0 + 3 }))).uid);
    // 8 pending: the sweep starts. A step follows each batch (on the thread: right after answering it).
    for (let i = 0; i < 6; i++) await store.messages.append(privateMessage('c', `d${i}`, { now: T0 + 4 + i }));
    const db = new Database(file, { readonly: true });
    try {
      const ids = new Set(first.map((uid) => (db.prepare('SELECT id FROM messages WHERE uid = ?').get(uid) as { id: number }).id));
      expect(packed(db).filter(([id]) => ids.has(id))).toHaveLength(8);
    } finally {
      db.close();
    }
    // A step never takes everything at once here: rows of the later messages are still pending.
    expect(counts(file).derived).toBeGreaterThan(0);
    // Mid-sweep, every owner's pull has all its entries, packed or not (the derived floor stays below the
    // messages of owners a step has not reached).
    const pulled = async (owner: string): Promise<number> => (await store.messages.sync(APP, owner, 0, 0, 100, 0)).entries.length;
    const expected: [string, number][] = [['a', 4], ['c', 6], ...[0, 1, 2, 3].map((i): [string, number] => [`b${i}`, 1]), ...[0, 1, 2, 3, 4, 5].map((i): [string, number] => [`d${i}`, 1])];
    for (const [owner, n] of expected) expect([owner, await pulled(owner)]).toEqual([owner, n]);
    const list = await store.conversations.list(APP, 'a', 10, 0);
    expect(list.map((c) => c.conversation.targetId)).toEqual(['b3', 'b2', 'b1', 'b0']);
    await store.close();
    // What a stop mid-sweep leaves is packed when the store opens again (read from the rows, not from memory).
    const reopened = await openStore(file, appendWriter, 8);
    expect(counts(file)).toEqual({ pending: 0, derived: 0, entries: 20, conversations: 20 });
    for (const [owner, n] of expected) expect([owner, (await reopened.messages.sync(APP, owner, 0, 0, 100, 0)).entries.length]).toEqual([owner, n]);
    await reopened.close();
  });

  it('a sweep gains on large fan-outs: pending rows stay bounded when each batch brings more than a step', async () => {
    const file = newFile();
    const store = await openStore(file, appendWriter, 8);
    const members = Array.from({ length: 10 }, (_, i) => `m${i}`);
    for (let i = 0; i < 30; i++) {
      await store.messages.append({ ...privateMessage('s', 'g1', { now: T0 + i }), conversationType: 3, recipients: members });
    }
    // 11 rows per message (10 inboxes and the sendbox); steps of a sixteenth of 8 rows would fall behind for good.
    expect(counts(file).pending).toBeLessThanOrEqual(22);
    await store.close();
  });

  it('a conversation removed after a message stays removed; the next message lists it again', async () => {
    const file = newFile();
    const store = await openStore(file, appendWriter, 1_000_000);
    const conversation = { type: PRIVATE, targetId: 'b' };
    await store.messages.append(privateMessage('a', 'b', { now: T0, text: 'first' }));
    await store.conversations.remove(APP, 'a', conversation);
    expect((await store.conversations.list(APP, 'a', 10, 0)).map((c) => c.conversation.targetId)).toEqual([]);
    expect((await store.conversations.list(APP, 'b', 10, 0)).map((c) => c.conversation.targetId)).toEqual(['a']);

    const second = await store.messages.append(privateMessage('b', 'a', { now: T0 + 1, text: 'second' }));
    const listed = await store.conversations.list(APP, 'a', 10, 0);
    expect(listed.map((c) => [c.conversation.targetId, c.updatedTime, text(c.latest.message)])).toEqual([['b', second.sentTime, 'second']]);
    await store.close();
  });

  it('history cleared after a message does not come back with the move', async () => {
    const file = newFile();
    const store = await openStore(file, appendWriter, 1_000_000);
    const conversation = { type: PRIVATE, targetId: 'b' };
    const first = await store.messages.append(privateMessage('a', 'b', { now: T0, text: 'first' }));
    await store.messages.clearHistory(APP, 'a', conversation, first.sentTime);
    await store.messages.append(privateMessage('a', 'b', { now: T0 + 1, text: 'second' }));
    const history = await store.messages.history({ appKey: APP, owner: 'a', conversation, time: 0, count: 10, order: 0 });
    expect(history.messages.map((e) => text(e.message))).toEqual(['second']);
    await store.close();
  });
});

describe('entries a stopped process left pending', () => {
  it('are moved when the store opens, with the conversation rows they imply', async () => {
    const file = newFile();
    const store = await openStore(file, 'thread', 1_000_000);
    await store.messages.append(privateMessage('a', 'b', { now: T0, text: 'kept' }));
    await store.messages.append(privateMessage('c', 'b', { now: T0 + 1, text: 'also kept' }));
    // What a crash leaves: the rows committed with their messages, no move after them (close() does not move).
    await store.close();
    expect(counts(file)).toEqual({ pending: 0, derived: 4, entries: 0, conversations: 0 });

    const reopened = await openStore(file, 'thread', 1_000_000);
    expect(counts(file)).toEqual({ pending: 0, derived: 0, entries: 4, conversations: 4 });
    const list = await reopened.conversations.list(APP, 'b', 10, 0);
    expect(list.map((c) => [c.conversation.targetId, text(c.latest.message)])).toEqual([['c', 'also kept'], ['a', 'kept']]);
    await reopened.close();
  });

  it('a writer holds the unpacked entries in memory only once none is left on file: none pending, none derived', async () => {
    const file = newFile();
    const store = await openStore(file, 'inline', 1_000_000);
    await store.messages.append(privateMessage('a', 'b', { now: T0 }));
    await store.close();
    const db = new Database(file);
    try {
      // No pending rows, but the message's two entries are not packed: holding now would leave them behind.
      const packer = createEntryPacker(db, { encodeSegment, decodeSegment }, true);
      expect(packer.holding()).toBe(false);
      // A move answers the newest message id on file: everything up to it is packed.
      expect(createAppendExecutor(db, 1_000_000, packer).move()).toBe((db.prepare('SELECT MAX(id) AS id FROM messages').get() as { id: number }).id);
      expect(packer.holding()).toBe(true);
      expect(unpackedDerived(db)).toBe(0);
    } finally {
      db.close();
    }
  });

  it('a pending row whose message is gone is dropped by the move, not carried (it would hold every later move back)', async () => {
    const file = newFile();
    const store = await openStore(file, 'inline', 1_000_000);
    // Group messages: their entries are pending rows (a private message's are derived from its row).
    const toGroup = (now: number, body: string): NewMessage => ({ ...privateMessage('a', 'g1', { now, text: body }), conversationType: GROUP, recipients: ['b'] });
    const gone = await store.messages.append(toGroup(T0, 'gone'));
    await store.messages.append(toGroup(T0 + 1, 'stays'));
    await store.close();
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM messages WHERE uid = ?').run(gone.uid);
    db.close();

    const reopened = await openStore(file, 'inline', 1_000_000);
    expect(counts(file)).toEqual({ pending: 0, derived: 0, entries: 2, conversations: 2 });
    const history = await reopened.messages.history({ appKey: APP, owner: 'b', conversation: { type: GROUP, targetId: 'g1' }, time: 0, count: 10, order: 0 });
    expect(history.messages.map((e) => text(e.message))).toEqual(['stays']);
    await reopened.close();
  });
});
