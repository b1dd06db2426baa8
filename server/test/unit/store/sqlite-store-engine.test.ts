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

describe('sync never splits a run of equal sentTime', () => {
  /** b's view: T0 R, T0+1 R, then R, S, R all at T0+2, then T0+5 R. */
  async function withRun(): Promise<void> {
    const senders = ['a', 'a', 'a', 'b', 'a', 'a'];
    for (const [i, from] of senders.entries()) await store.messages.append(message(from, from === 'a' ? 'b' : 'a', T0 + i));
    raw((db) => {
      db.prepare('UPDATE messages SET sent_time = ? WHERE sent_time IN (?, ?)').run(T0 + 2, T0 + 3, T0 + 4);
      db.prepare('UPDATE entries SET sent_time = ? WHERE sent_time IN (?, ?)').run(T0 + 2, T0 + 3, T0 + 4);
    });
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
