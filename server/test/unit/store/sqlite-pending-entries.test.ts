/**
 * Per-owner rows written behind (migration 012, sqlite-append-writer.ts): an append commits its entries into
 * `entries_pending`; the writer packs them into per-owner segments (migration 013, `entry_segments`) once
 * `moveAtRows` are pending, whenever a reader of per-owner state asks first, and at open for rows a previous
 * process left. The conversation rows they imply are written when a reader of the owner's conversations asks,
 * past a bound on what is behind, and at open (migration 015). The inbox pull reads pending rows in place.
 * Each case runs on the writer thread and inline.
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
    // entries only in later messages); the pull reads no conversation row, so b's is not written yet.
    const inbox = await store.messages.sync(APP, 'b', 0, 0, 10, 0);
    expect(inbox.entries.map((e) => [text(e.message), e.direction])).toEqual([['one', 2], ['two', 1]]);
    expect(inbox).toMatchObject({ hasMore: false, syncTime: T0 + 1, sendboxTime: T0 + 1 });
    expect(counts(file)).toEqual({ pending: 0, derived: 2, entries: 2, conversations: 0 });
    // Later messages are read from their rows, beside what is packed.
    await store.messages.append(privateMessage('a', 'b', { now: T0 + 2, text: 'three' }));
    const later = await store.messages.sync(APP, 'b', 0, 0, 10, 0);
    expect(later.entries.map((e) => text(e.message))).toEqual(['one', 'two', 'three']);

    const history = await store.messages.history({ appKey: APP, owner: 'a', conversation: { type: PRIVATE, targetId: 'b' }, time: 0, count: 10, order: 0 });
    expect(history.messages.map((e) => text(e.message))).toEqual(['three', 'two', 'one']);
    // a's three entries and a's conversation row; b's newest one stays unpacked, b's conversation row unwritten.
    expect(counts(file)).toEqual({ pending: 0, derived: 1, entries: 5, conversations: 1 });
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

/** conversation_lag (migration 015) by owner name: [owner, since_time]. */
function lagOnFile(file: string): [string, number][] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT n.name, l.since_time FROM conversation_lag l JOIN names n ON n.id = l.owner_ref ORDER BY n.name').raw().all() as [string, number][]);
  } finally {
    db.close();
  }
}

/** Every conversation row: [owner, target, updated_time, listed], sorted. */
function conversationRows(file: string): [string, string, number, number][] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT o.name, t.name, c.updated_time, c.listed FROM conversations c
      JOIN names o ON o.id = c.owner_ref JOIN names t ON t.id = c.target_ref ORDER BY o.name, t.name`).raw().all() as [string, string, number, number][];
  } finally {
    db.close();
  }
}

/** The conversation rows private messages [from, to, sentTime] imply: each side's newest time per peer, listed. */
function impliedRows(messages: readonly (readonly [string, string, number])[]): [string, string, number, number][] {
  const newest = new Map<string, number>();
  for (const [from, to, time] of messages) {
    for (const [owner, target] of [[from, to], [to, from]]) newest.set(`${owner}\u0000${target}`, Math.max(newest.get(`${owner}\u0000${target}`) ?? 0, time));
  }
  return [...newest].map(([k, time]): [string, string, number, number] => [...(k.split('\u0000') as [string, string]), time, 1])
    .sort((x, y) => (x[0] === y[0] ? (x[1] < y[1] ? -1 : 1) : x[0] < y[0] ? -1 : 1));
}

describe.each(['thread', 'inline'] as const)('conversation rows written when read (migration 015; %s writer)', (appendWriter) => {
  it('moves only note them; a read of one owner\'s conversations writes that owner\'s, a read across owners all', async () => {
    const file = newFile();
    const store = await openStore(file, appendWriter, 8);
    const sent: [string, string, number][] = [];
    const send = async (from: string, to: string, now: number): Promise<void> => {
      sent.push([from, to, (await store.messages.append(privateMessage(from, to, { now }))).sentTime]);
    };
    for (let i = 0; i < 4; i++) await send('a', `b${i}`, T0 + i);
    for (let i = 0; i < 6; i++) await send('c', `d${i}`, T0 + 4 + i);
    await send('b0', 'a', T0 + 10);
    // The sweep packed entries of some owners and wrote none of their conversation rows: it noted them on file.
    expect(counts(file).entries).toBeGreaterThan(0);
    expect(counts(file).conversations).toBe(0);
    const behind = lagOnFile(file).map(([owner]) => owner);
    expect(behind.length).toBeGreaterThan(0);

    // A's list writes a's rows (packed or not), and only a's.
    const list = await store.conversations.list(APP, 'a', 10, 0);
    expect(list.map((c) => [c.conversation.targetId, c.updatedTime])).toEqual([['b0', T0 + 10], ['b3', T0 + 3], ['b2', T0 + 2], ['b1', T0 + 1]]);
    expect(conversationRows(file).map(([owner]) => owner)).toEqual(['a', 'a', 'a', 'a']);
    // (The thread's sweep may have gone on meanwhile: others only join.)
    const stillBehind = lagOnFile(file).map(([owner]) => owner);
    expect(stillBehind).not.toContain('a');
    expect(stillBehind).toEqual(expect.arrayContaining(behind.filter((owner) => owner !== 'a')));
    // Unread counts read the rows too (a's inbox: b0's message).
    expect((await store.unreadCounts.listInbox(APP, 'a', Number.MAX_SAFE_INTEGER, 0, 10)).items.map((i) => [i.conversation.targetId, i.count])).toEqual([['b0', 1]]);

    // Retention reads every owner's state: every row is written, each with its newest time.
    expect(await store.messages.prune(T0 - 1)).toBe(0);
    expect(lagOnFile(file)).toEqual([]);
    expect(conversationRows(file)).toEqual(impliedRows(sent));
    await store.close();
  });

  it('a stop with rows behind: the store writes them from the segments when it opens, and the chains hold', async () => {
    const file = newFile();
    const store = await openStore(file, appendWriter, 4);
    const sent: [string, string, number][] = [];
    const send = async (from: string, to: string, now: number, body: string): Promise<void> => {
      sent.push([from, to, (await store.messages.append(privateMessage(from, to, { now, text: body }))).sentTime]);
    };
    let now = T0;
    for (let i = 0; i < 10; i++) await send(i % 2 === 0 ? 'a' : 'b', i % 2 === 0 ? 'b' : 'a', now++, `m${i}`);
    // a's rows written here, then more messages behind them: a's (a, b) row is older than its newest entry.
    await store.conversations.list(APP, 'a', 10, 0);
    for (let i = 10; i < 20; i++) await send(i % 3 === 0 ? 'c' : 'a', i % 3 === 0 ? 'a' : 'b', now++, `m${i}`);
    // Packed through the last message (a pull), conversation rows still behind: what a crash after it leaves.
    await store.messages.sync(APP, 'a', 0, 0, 100, 0);
    await store.close();
    expect(lagOnFile(file).map(([owner]) => owner)).toContain('a');
    const stale = conversationRows(file).find(([owner, target]) => owner === 'a' && target === 'b');
    expect(stale?.[2]).toBeLessThan(Math.max(...sent.filter(([f, t]) => (f === 'a' && t === 'b') || (f === 'b' && t === 'a')).map(([, , t]) => t)));

    const reopened = await openStore(file, appendWriter, 4);
    expect(lagOnFile(file)).toEqual([]);
    expect(conversationRows(file)).toEqual(impliedRows(sent));
    // Later messages chain on to what was there; history walks every segment, newest first.
    for (let i = 20; i < 26; i++) {
      sent.push(['b', 'a', (await reopened.messages.append(privateMessage('b', 'a', { now: now++, text: `m${i}` }))).sentTime]);
    }
    const history = await reopened.messages.history({ appKey: APP, owner: 'a', conversation: { type: PRIVATE, targetId: 'b' }, time: 0, count: 100, order: 0 });
    const expected = sent.map(([f, t], i) => [f, t, i] as const).filter(([f, t]) => (f === 'a' && t === 'b') || (f === 'b' && t === 'a')).map(([, , i]) => `m${i}`).reverse();
    expect(history.messages.map((e) => text(e.message))).toEqual(expected);
    expect(lagOnFile(file).length).toBeGreaterThan(0);
    expect((await reopened.conversations.list(APP, 'a', 10, 0)).map((c) => [c.conversation.targetId, text(c.latest.message)])).toEqual([['b', 'm25'], ['c', 'm18']]);
    await reopened.close();
  });
});

describe('conversation rows behind past their bound', () => {
  /** An inline executor over a migrated file, with its packer's lag bounds, appending P1-shaped private messages. */
  const writer = async (bounds: { conversations: number; entries: number; perOwner: number }, moveAtRows: number) => {
    const file = newFile();
    await (await openStore(file, 'inline', 1_000_000)).close();
    const db = new Database(file);
    const packer = createEntryPacker(db, { encodeSegment, decodeSegment }, true, bounds);
    const executor = createAppendExecutor(db, moveAtRows, packer);
    let now = T0;
    const sent: [string, string, number][] = [];
    const job = (from: string, to: string) => ({
      appKey: APP, now: now++, uidRandom: '0000000', fromUserId: from, conversationType: PRIVATE, targetId: to, objectName: 'RC:TxtMsg',
      content: new Uint8Array([123, 125]), flags: 3, configFlag: null, pushContent: null, pushData: null, pushExt: null, extraContent: null,
      entries: [[to, 2, PRIVATE, from, 0], [from, 1, PRIVATE, to, 0]] as const,
    });
    /** Appends one batch of messages [from, to], then the call the writer makes after each batch. */
    const append = (...messages: [string, string][]): void => {
      const outcomes = executor.append(messages.map(([from, to]) => job(from, to)));
      outcomes.forEach((outcome, i) => {
        if (!outcome.ok) throw new Error('append failed');
        const [from, to] = messages[i] as [string, string];
        sent.push([from, to, outcome.value.sentTime]);
      });
      executor.moveIfDue();
    };
    return { file, db, packer, executor, sent, append };
  };

  it('an owner with more than perOwner conversations behind has its rows written by the move', async () => {
    const { file, db, packer, sent, append } = await writer({ conversations: 1_000, entries: 1_000_000, perOwner: 2 }, 6);
    try {
      // One batch of 6 entries: a sweep; a's 3 conversations are past perOwner, each peer's one is not.
      append(['a', 'b'], ['a', 'c'], ['a', 'd']);
      expect(conversationRows(file)).toEqual(impliedRows(sent).filter(([owner]) => owner === 'a'));
      expect(lagOnFile(file).map(([owner]) => owner)).toEqual(['b', 'c', 'd']);
      expect(packer.lagging()).toBe(3);
    } finally {
      db.close();
    }
  });

  it('are written every other call while sweeps follow each other without a gap', async () => {
    const { file, db, packer, executor, sent, append } = await writer({ conversations: 3, entries: 1_000_000, perOwner: 2048 }, 2);
    try {
      // Every batch brings moveAtRows entries: each call finds a sweep due, and the lag would only grow.
      const most: number[] = [];
      for (let i = 0; i < 12; i++) {
        append(['a', `b${i}`]);
        most.push(packer.lagging());
      }
      expect(Math.max(...most)).toBeLessThanOrEqual(6);
      expect(conversationRows(file).length).toBeGreaterThan(12);
      executor.move();
      expect(conversationRows(file)).toEqual(impliedRows(sent));
    } finally {
      db.close();
    }
  });

  it('are written between sweeps, those longest behind first, a step at a time', async () => {
    const { file, db, packer, executor, sent, append } = await writer({ conversations: 3, entries: 1_000_000, perOwner: 2048 }, 2);
    try {
      // Each message is two entries: with moveAtRows 2 every batch is swept, and each sweep leaves two rows behind.
      append(['a', 'b']);
      expect(packer.lagging()).toBe(2);
      append(['a', 'c']);
      // Four conversations behind (a–b, b–a, a–c, c–a): past the bound of three, but the sweep comes first.
      expect(packer.lagging()).toBe(4);
      expect(packer.lagTooLarge()).toBe(true);
      expect(conversationRows(file)).toEqual([]);
      // Nothing due to pack: the next call writes the rows longest behind (the step takes all four here).
      executor.moveIfDue();
      expect(packer.lagging()).toBe(0);
      expect(lagOnFile(file)).toEqual([]);
      expect(conversationRows(file)).toEqual(impliedRows(sent));
      // Below the bound nothing more is written: the rows wait for a reader.
      append(['b', 'a']);
      executor.moveIfDue();
      expect(packer.lagging()).toBe(2);
      expect(lagOnFile(file).map(([owner]) => owner)).toEqual(['a', 'b']);
      // A reader's move of one owner writes that owner's rows (nothing of it unpacked any more).
      executor.move(APP, 'a');
      expect(lagOnFile(file).map(([owner]) => owner)).toEqual(['b']);
      executor.move();
      expect(conversationRows(file)).toEqual(impliedRows(sent));
      expect(executor.pendingRows()).toBe(0);
    } finally {
      db.close();
    }
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
