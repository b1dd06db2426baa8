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
import { decodeSegment } from '../../../src/store/sqlite/sqlite-entry-segments';
import { APP, PRIVATE, T0, privateMessage, text as json } from '../../../src/store/contract/contract-support';
import type { StoredMessage } from '../../../src/store/store';

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

/** Rows pending, entries packed and conversation rows, read by a connection of its own. */
function counts(file: string): { pending: number; entries: number; conversations: number } {
  const db = new Database(file, { readonly: true });
  try {
    const n = (table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { pending: n('entries_pending'), entries: packed(db).length, conversations: n('conversations') };
  } finally {
    db.close();
  }
}

afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

describe.each(['thread', 'inline'] as const)('entries written behind (%s writer)', (appendWriter) => {
  it('the pull reads pending entries in place; a history read moves its owner\'s first, a read across owners all', async () => {
    const file = newFile();
    const store = await openStore(file, appendWriter, 1_000_000);
    await store.messages.append(privateMessage('a', 'b', { now: T0, text: 'one' }));
    await store.messages.append(privateMessage('b', 'a', { now: T0 + 1, text: 'two' }));
    expect(counts(file)).toEqual({ pending: 4, entries: 0, conversations: 0 });

    const inbox = await store.messages.sync(APP, 'b', 0, 0, 10, 0);
    expect(inbox.entries.map((e) => [text(e.message), e.direction])).toEqual([['one', 2], ['two', 1]]);
    expect(inbox).toMatchObject({ hasMore: false, syncTime: T0 + 1, sendboxTime: T0 + 1 });
    expect(counts(file).pending).toBe(4);

    const history = await store.messages.history({ appKey: APP, owner: 'a', conversation: { type: PRIVATE, targetId: 'b' }, time: 0, count: 10, order: 0 });
    expect(history.messages.map((e) => text(e.message))).toEqual(['two', 'one']);
    // a's two entries and a's conversation row; b's stay pending.
    expect(counts(file)).toEqual({ pending: 2, entries: 2, conversations: 1 });
    expect(await store.messages.sync(APP, 'a', 0, 0, 10, 0)).toMatchObject({ syncTime: T0 + 1, sendboxTime: T0 });
    // Retention reads every owner's rows: everything moves first.
    expect(await store.messages.prune(T0 - 1)).toBe(0);
    expect(counts(file)).toEqual({ pending: 0, entries: 4, conversations: 2 });
    // The same pull after the moves: the same page.
    expect(await store.messages.sync(APP, 'b', 0, 0, 10, 0)).toEqual(inbox);
    await store.close();
  });

  it('moves on its own once moveAtRows entries are pending: a range of owners after each batch, until every owner is swept', async () => {
    const file = newFile();
    const store = await openStore(file, appendWriter, 8);
    const first: string[] = [];
    for (let i = 0; i < 3; i++) first.push((await store.messages.append(privateMessage('a', `b${i}`, { now: T0 + i }))).uid);
    expect(counts(file)).toEqual({ pending: 6, entries: 0, conversations: 0 });
    first.push((await store.messages.append(privateMessage('a', 'b3', { now: T0 + 3 }))).uid);
    // 8 pending: the sweep starts. A step follows each batch (on the thread: right after answering it).
    for (let i = 0; i < 6; i++) await store.messages.append(privateMessage('c', `d${i}`, { now: T0 + 4 + i }));
    const db = new Database(file, { readonly: true });
    try {
      const left = db.prepare(`SELECT COUNT(*) AS n FROM entries_pending p JOIN messages m ON m.id = p.message_id WHERE m.uid IN (${first.map(() => '?').join(', ')})`);
      expect((left.get(...first) as { n: number }).n).toBe(0);
      const ids = new Set(first.map((uid) => (db.prepare('SELECT id FROM messages WHERE uid = ?').get(uid) as { id: number }).id));
      expect(packed(db).filter(([id]) => ids.has(id))).toHaveLength(8);
    } finally {
      db.close();
    }
    // A step never takes everything at once here: rows of the later messages are still pending.
    expect(counts(file).pending).toBeGreaterThan(0);
    const list = await store.conversations.list(APP, 'a', 10, 0);
    expect(list.map((c) => c.conversation.targetId)).toEqual(['b3', 'b2', 'b1', 'b0']);
    await store.close();
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
    expect(counts(file)).toEqual({ pending: 4, entries: 0, conversations: 0 });

    const reopened = await openStore(file, 'thread', 1_000_000);
    expect(counts(file)).toEqual({ pending: 0, entries: 4, conversations: 4 });
    const list = await reopened.conversations.list(APP, 'b', 10, 0);
    expect(list.map((c) => [c.conversation.targetId, text(c.latest.message)])).toEqual([['c', 'also kept'], ['a', 'kept']]);
    await reopened.close();
  });

  it('a pending row whose message is gone is dropped by the move, not carried (it would hold every later move back)', async () => {
    const file = newFile();
    const store = await openStore(file, 'inline', 1_000_000);
    const gone = await store.messages.append(privateMessage('a', 'b', { now: T0, text: 'gone' }));
    await store.messages.append(privateMessage('a', 'b', { now: T0 + 1, text: 'stays' }));
    await store.close();
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    db.prepare('DELETE FROM messages WHERE uid = ?').run(gone.uid);
    db.close();

    const reopened = await openStore(file, 'inline', 1_000_000);
    expect(counts(file)).toEqual({ pending: 0, entries: 2, conversations: 2 });
    const history = await reopened.messages.history({ appKey: APP, owner: 'b', conversation: { type: PRIVATE, targetId: 'a' }, time: 0, count: 10, order: 0 });
    expect(history.messages.map((e) => text(e.message))).toEqual(['stays']);
    await reopened.close();
  });
});
