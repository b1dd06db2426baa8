import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Direction } from '../../../src/store/store';
import type { Store } from '../../../src/store/store';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { MIGRATIONS } from '../../../src/store/sqlite/migrations';

/**
 * SQLite-specific checks the engine-neutral contract cannot make: the on-disk setup, and the "never split a
 * run of equal sentTime" paging rule, whose runs cannot arise through the interface (sentTime is strictly
 * increasing per app) and are produced here by editing the file the way a data import could.
 */
const T0 = 1_700_000_000_000;
let directory: string;
let file: string;
let store: Store;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'lianxin-sqlite-'));
  file = join(directory, 'store.db');
  store = createSqliteStore({ file });
  await store.migrate();
});

afterEach(async () => {
  await store.close();
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

/** Replaces the test's store by one on a fresh file that `build` wrote at an older schema, opened and migrated. */
async function reopenFrom(build: (path: string) => void): Promise<void> {
  await store.close();
  rmSync(directory, { recursive: true, force: true });
  directory = mkdtempSync(join(tmpdir(), 'lianxin-sqlite-'));
  file = join(directory, 'store.db');
  build(file);
  store = createSqliteStore({ file });
  await store.migrate();
}

function raw<T>(work: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

function message(from: string, to: string, now: number) {
  return {
    appKey: 'app', fromUserId: from, conversationType: 1, targetId: to, objectName: 'RC:TxtMsg',
    content: new Uint8Array([123, 125]), flags: 3, recipients: [to], senderSendbox: true, now,
  };
}

describe('SqliteStore on disk', () => {
  it('uses WAL and records applied migrations once', async () => {
    await store.migrate();
    const { mode, versions } = raw((db) => ({
      mode: db.pragma('journal_mode', { simple: true }),
      versions: db.prepare('SELECT version, name FROM schema_migrations').all(),
    }));
    expect(mode).toBe('wal');
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(versions[0]).toEqual({ version: 1, name: 'initial' });
  });

  it('rejects calls after close', async () => {
    await store.close();
    await expect(store.messages.get('app', 'X')).rejects.toThrow();
  });
});

// The store never writes equal times in one app; the run is made by editing the file. Private messages' entries
// are derived from their rows (migration 014), so the run is read either from the rows themselves (a store that
// is not the file's only writer neither holds them nor packs them before a pull) or from the segments the store
// packs them into when it opens.
describe.each(['derived from the rows', 'packed at open'] as const)('sync never splits a run of equal sentTime (entries %s)', (where) => {
  /** b's view: T0 R, T0+1 R, then R, S, R all at T0+2, then T0+5 R. */
  async function withRun(): Promise<void> {
    if (where === 'derived from the rows') {
      await store.close();
      store = createSqliteStore({ file, soleWriter: false });
      await store.migrate();
    }
    const senders = ['a', 'a', 'a', 'b', 'a', 'a'];
    for (const [i, from] of senders.entries()) await store.messages.append(message(from, from === 'a' ? 'b' : 'a', T0 + i));
    if (where === 'packed at open') await store.close();
    raw((db) => {
      db.prepare('UPDATE messages SET sent_time = ? WHERE sent_time IN (?, ?)').run(T0 + 2, T0 + 3, T0 + 4);
    });
    if (where === 'packed at open') {
      store = createSqliteStore({ file });
      await store.migrate();
      raw((db) => expect(db.prepare('SELECT COUNT(*) AS n FROM messages WHERE id > (SELECT through FROM derived_floor)').get()).toEqual({ n: 0 }));
    }
  }

  it('extends a page past limit to the end of the run, across inbox and sendbox', async () => {
    await withRun();
    const page = await store.messages.sync('app', 'b', 0, 0, 3, 0);
    expect(page.entries.map((entry) => entry.message.sentTime)).toEqual([T0, T0 + 1, T0 + 2, T0 + 2, T0 + 2]);
    expect(page.entries.map((entry) => entry.direction)).toEqual([2, 2, 2, 2, Direction.Send]);
    expect(page).toMatchObject({ hasMore: true, syncTime: T0 + 2, sendboxTime: T0 + 2 });
    const rest = await store.messages.sync('app', 'b', page.syncTime, page.sendboxTime, 3, 0);
    expect(rest.entries.map((entry) => entry.message.sentTime)).toEqual([T0 + 5]);
    expect(rest).toMatchObject({ hasMore: false, syncTime: T0 + 5 });
  });

  it('reads a whole run longer than the limit, then reports the high-water mark when nothing follows', async () => {
    await withRun();
    const inboxOnly = await store.messages.sync('app', 'b', T0 + 1, null, 1, 0);
    expect(inboxOnly.entries.map((entry) => entry.message.sentTime)).toEqual([T0 + 2, T0 + 2]);
    expect(inboxOnly).toMatchObject({ hasMore: true, syncTime: T0 + 2 });

    raw((db) => db.prepare('DELETE FROM messages WHERE sent_time = ?').run(T0 + 5));
    const last = await store.messages.sync('app', 'b', T0 + 1, null, 1, 0);
    expect(last.entries).toHaveLength(2);
    expect(last).toMatchObject({ hasMore: false, syncTime: T0 + 2 });
  });
});

/** Writes a database at schema `version` (the migrations up to it applied), then `fill` puts rows in it. */
function atSchema(path: string, version: number, fill: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    db.pragma('foreign_keys = ON');
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const migration of MIGRATIONS.filter((m) => m.version <= version)) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)').run(migration.version, migration.name);
    }
    fill(db);
  } finally {
    db.close();
  }
}

describe('migration 011: entries and conversations keyed by names ids', () => {
  /** A database at schema 10 holding what the earlier layout stored: TEXT owners and targets. */
  function schema10(path: string): void {
    atSchema(path, 10, (db) => {
      const insertMessage = db.prepare(`INSERT INTO messages (id, app_key, uid, sent_time, from_user_id, conversation_type, target_id, object_name, content, flags)
        VALUES (?, ?, ?, ?, ?, ?, ?, 'RC:TxtMsg', ?, 3)`);
      const insertEntry = db.prepare(`INSERT INTO entries (message_id, owner, app_key, direction, conv_type, conv_target, sent_time, mentioned, deleted)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const content = Buffer.from('{"content":"x"}');
      // app: a → b (private), b → a (private, deleted by a), a → g1 (group: b and c mentioned c); other: a → b.
      insertMessage.run(1, 'app', 'UID1', T0, 'a', 1, 'b', content);
      insertEntry.run(1, 'b', 'app', 2, 1, 'a', T0, 0, 0);
      insertEntry.run(1, 'a', 'app', 1, 1, 'b', T0, 0, 0);
      insertMessage.run(2, 'app', 'UID2', T0 + 1, 'b', 1, 'a', content);
      insertEntry.run(2, 'a', 'app', 2, 1, 'b', T0 + 1, 0, 1);
      insertEntry.run(2, 'b', 'app', 1, 1, 'a', T0 + 1, 0, 0);
      insertMessage.run(3, 'app', 'UID3', T0 + 2, 'a', 3, 'g1', content);
      insertEntry.run(3, 'b', 'app', 2, 3, 'g1', T0 + 2, 0, 0);
      insertEntry.run(3, 'c', 'app', 2, 3, 'g1', T0 + 2, 1, 0);
      insertEntry.run(3, 'a', 'app', 1, 3, 'g1', T0 + 2, 0, 0);
      insertMessage.run(4, 'other', 'UID4', T0 + 3, 'a', 1, 'b', content);
      insertEntry.run(4, 'b', 'other', 2, 1, 'a', T0 + 3, 0, 0);
      const insertConversation = db.prepare(`INSERT INTO conversations (app_key, owner, type, target_id, updated_time, listed, cleared_up_to)
        VALUES (?, ?, ?, ?, ?, ?, ?)`);
      insertConversation.run('app', 'a', 1, 'b', T0 + 1, 1, 0);
      insertConversation.run('app', 'b', 1, 'a', T0 + 1, 1, T0); // b cleared its history up to the first message
      insertConversation.run('app', 'a', 3, 'g1', T0 + 2, 1, 0);
      insertConversation.run('app', 'b', 3, 'g1', T0 + 2, 1, 0);
      insertConversation.run('app', 'c', 3, 'g1', T0 + 2, 0, 0); // c removed it from its list
      insertConversation.run('other', 'b', 1, 'a', T0 + 3, 1, 0);
    });
  }

  it('keeps every entry and conversation row, readable through the repositories', async () => {
    await reopenFrom(schema10);

    const uids = (entries: readonly { message: { uid: string } }[]): string[] => entries.map((e) => e.message.uid);
    const bSync = await store.messages.sync('app', 'b', 0, 0, 10, 0);
    expect(bSync.entries.map((e) => [e.message.uid, e.direction])).toEqual([['UID1', 2], ['UID2', 1], ['UID3', 2]]);
    expect(uids((await store.messages.sync('other', 'b', 0, null, 10, 0)).entries)).toEqual(['UID4']);
    // a deleted UID2 for itself; b cleared up to UID1.
    const ab = { type: 1, targetId: 'b' };
    expect(uids((await store.messages.history({ appKey: 'app', owner: 'a', conversation: ab, time: 0, count: 10, order: 0 })).messages)).toEqual(['UID1']);
    const ba = { type: 1, targetId: 'a' };
    expect(uids((await store.messages.history({ appKey: 'app', owner: 'b', conversation: ba, time: 0, count: 10, order: 0 })).messages)).toEqual(['UID2']);
    expect((await store.conversations.list('app', 'a', 10, 0)).map((c) => [c.conversation, c.latest.message.uid])).toEqual([
      [{ type: 3, targetId: 'g1' }, 'UID3'],
      [ab, 'UID1'],
    ]);
    expect((await store.conversations.list('app', 'c', 10, 0))).toEqual([]);
    expect(await store.groups.recipientsOf('app', 'UID3')).toEqual(['b', 'c']);
    const cUnread = await store.unreadCounts.listInbox('app', 'c', T0 + 10, 0, 10);
    expect(cUnread.items.map((i) => [i.conversation, i.count, i.mentionCount])).toEqual([[{ type: 3, targetId: 'g1' }, 1, 1]]);

    // New messages join the migrated rows: names interned before are reused.
    await store.messages.append(message('a', 'b', T0 + 10));
    expect(uids((await store.messages.sync('app', 'b', bSync.syncTime, null, 10, 0)).entries)).toHaveLength(1);
    const names = raw((db) => db.prepare("SELECT name FROM names WHERE app_key = 'app' ORDER BY name").all());
    expect(names).toEqual([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'g1' }]);
  });
});

describe('migration 013: per-owner entries packed in segments', () => {
  /**
   * A database at schema 12: u1 → u2 moved to `entries` (u2 then deleted it for itself and removed the
   * conversation), a group message to g1 (u2, u3) still pending, as a stopped process leaves it.
   */
  function schema12(path: string): void {
    atSchema(path, 12, (db) => {
      const names = ['u1', 'u2', 'u3', 'g1'];
      names.forEach((name, i) => db.prepare('INSERT INTO names (id, app_key, name) VALUES (?, ?, ?)').run(i + 1, 'app', name));
      const ref = (name: string): number => names.indexOf(name) + 1;
      const insertMessage = db.prepare(`INSERT INTO messages (id, app_key, uid, sent_time, from_user_id, conversation_type, target_id, object_name, content, flags)
        VALUES (?, 'app', ?, ?, ?, ?, ?, 'RC:TxtMsg', ?, 3)`);
      const content = Buffer.from('{"content":"x"}');
      const row = (table: string) => db.prepare(`INSERT INTO ${table} (message_id, owner_ref, direction, conv_type, conv_target_ref, sent_time, mentioned${table === 'entries' ? ', deleted' : ''})
        VALUES (?, ?, ?, ?, ?, ?, ?${table === 'entries' ? ', ?' : ''})`);
      insertMessage.run(1, 'UID1', T0, 'u1', 1, 'u2', content);
      row('entries').run(1, ref('u2'), 2, 1, ref('u1'), T0, 0, 1);
      row('entries').run(1, ref('u1'), 1, 1, ref('u2'), T0, 0, 0);
      insertMessage.run(2, 'UID2', T0 + 1, 'u1', 1, 'u2', content);
      row('entries').run(2, ref('u2'), 2, 1, ref('u1'), T0 + 1, 0, 0);
      row('entries').run(2, ref('u1'), 1, 1, ref('u2'), T0 + 1, 0, 0);
      const conversation = db.prepare('INSERT INTO conversations (owner_ref, type, target_ref, updated_time, listed) VALUES (?, ?, ?, ?, ?)');
      conversation.run(ref('u1'), 1, ref('u2'), T0 + 1, 1);
      conversation.run(ref('u2'), 1, ref('u1'), T0 + 1, 0);
      insertMessage.run(3, 'UID3', T0 + 2, 'u1', 3, 'g1', content);
      row('entries_pending').run(3, ref('u2'), 2, 3, ref('g1'), T0 + 2, 1);
      row('entries_pending').run(3, ref('u3'), 2, 3, ref('g1'), T0 + 2, 0);
      row('entries_pending').run(3, ref('u1'), 1, 3, ref('g1'), T0 + 2, 0);
    });
  }

  it('keeps every entry, its deleted flag and the removed conversation; pending group recipients are kept too', async () => {
    await reopenFrom(schema12);

    expect(raw((db) => (db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'entries'").get() as { n: number }).n)).toBe(0);
    expect(raw((db) => (db.prepare('SELECT COUNT(*) AS n FROM entries_pending').get() as { n: number }).n)).toBe(0);
    const uids = (entries: readonly { message: { uid: string } }[]): string[] => entries.map((e) => e.message.uid);
    expect((await store.messages.sync('app', 'u2', 0, 0, 10, 0)).entries.map((e) => [e.message.uid, e.direction, e.mentioned])).toEqual([
      ['UID1', 2, false], ['UID2', 2, false], ['UID3', 2, true],
    ]);
    expect(uids((await store.messages.sync('app', 'u1', 0, 0, 10, 0)).entries)).toEqual(['UID1', 'UID2', 'UID3']);
    const u2u1 = { type: 1, targetId: 'u1' };
    expect(uids((await store.messages.history({ appKey: 'app', owner: 'u2', conversation: u2u1, time: 0, count: 10, order: 0 })).messages)).toEqual(['UID2']);
    expect(uids((await store.messages.history({ appKey: 'app', owner: 'u1', conversation: { type: 1, targetId: 'u2' }, time: 0, count: 10, order: 1 })).messages)).toEqual(['UID2', 'UID1']);
    // u2 removed its conversation with u1: packing the entries again does not list it.
    expect((await store.conversations.list('app', 'u2', 10, 0)).map((c) => [c.conversation, c.latest.message.uid])).toEqual([[{ type: 3, targetId: 'g1' }, 'UID3']]);
    expect(await store.groups.recipientsOf('app', 'UID3')).toEqual(['u2', 'u3']);
    const unread = await store.unreadCounts.listInbox('app', 'u2', T0 + 10, 0, 10);
    expect(unread.items.map((i) => [i.conversation, i.count, i.mentionCount])).toEqual([[{ type: 1, targetId: 'u1' }, 1, 0], [{ type: 3, targetId: 'g1' }, 1, 1]]);

    // A new message joins the chain of the packed ones, and lists the removed conversation again.
    await store.messages.append({ appKey: 'app', fromUserId: 'u1', conversationType: 1, targetId: 'u2', objectName: 'RC:TxtMsg', content: new Uint8Array([123, 125]),
      flags: 3, recipients: ['u2'], senderSendbox: true, now: T0 + 20 });
    const history = await store.messages.history({ appKey: 'app', owner: 'u2', conversation: u2u1, time: 0, count: 10, order: 0 });
    expect(history.messages.map((e) => e.message.sentTime)).toEqual([T0 + 20, T0 + 1]);
    expect((await store.conversations.list('app', 'u2', 10, 0)).map((c) => c.conversation.targetId)).toEqual(['u1', 'g1']);
  });
});

describe('migration 023: conversation states keep a notification level', () => {
  it('reads the do-not-disturb flags stored before as levels 1 (on) and 0 (off), and stores every level after', async () => {
    await reopenFrom((path) => atSchema(path, 22, (db) => {
      const insert = db.prepare(`INSERT INTO conversation_states (app_key, owner, conversation_type, target_id, is_top, is_silent, updated_time)
        VALUES ('app', 'u1', ?, ?, ?, ?, ?)`);
      insert.run(1, 'muted', 0, 1, T0);
      insert.run(3, 'plain', 1, 0, T0 + 1);
    }));
    const states = await store.conversationStates.changedSince('app', 'u1', 0, 10);
    expect(states.map((s) => [s.conversation.targetId, s.isTop, s.notificationLevel])).toEqual([['muted', false, 1], ['plain', true, 0]]);
    await store.conversationStates.update('app', 'u1', { type: 1, targetId: 'muted' }, { notificationLevel: -1 }, T0 + 2);
    expect((await store.conversationStates.get('app', 'u1', { type: 1, targetId: 'muted' }))?.notificationLevel).toBe(-1);
  });
});
