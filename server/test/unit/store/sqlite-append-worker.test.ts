/**
 * The SQLite group commit on its writer thread (sqlite-append-worker.ts) against the same commit on the
 * caller's thread: same rows, same uids (newMessageUid's format with the injected randomness), committed
 * before the append resolves (a separate connection sees it), and the thread does not outlive close().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { APP, GROUP, T0, privateMessage, text } from '../../../src/store/contract/contract-support';
import { newMessageUid } from '../../../src/store/message-uid';
import type { NewMessage, StoredMessage } from '../../../src/store/store';

const directories: string[] = [];

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

async function openStore(appendWriter: 'thread' | 'inline', random: () => number): Promise<{ store: SqliteStore; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-aw-'));
  directories.push(dir);
  const file = join(dir, 'store.db');
  const store = new SqliteStore({ file, appendWriter, random });
  await store.migrate();
  return { store, file };
}

function drafts(): NewMessage[] {
  const out: NewMessage[] = [];
  for (let i = 0; i < 60; i++) out.push(privateMessage(`s${i % 4}`, `r${i % 3}`, { now: T0 + Math.floor(i / 10), text: `m${i}` }));
  out.push({ ...privateMessage('s0', 'g1', { now: T0 }), conversationType: 3, recipients: ['r0', 'r1', 'r2'], mentionedUserIds: ['r1'] });
  return out;
}

afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

describe('SQLite append writer thread', () => {
  it('stores the same messages with the same uids as the inline writer, in call order', async () => {
    const results: StoredMessage[][] = [];
    for (const mode of ['thread', 'inline'] as const) {
      const { store } = await openStore(mode, seeded(7));
      const first = await Promise.all(drafts().map((m) => store.messages.append(m)));
      const second = await Promise.all(drafts().map((m) => store.messages.append(m)));
      results.push([...first, ...second]);
      const inbox = await store.messages.sync(APP, 'r1', 0, null, 500, 0);
      expect(inbox.entries.map((e) => e.message.uid)).toEqual(
        [...first, ...second].filter((m) => m.targetId === 'r1' || m.targetId === 'g1').map((m) => m.uid),
      );
      await store.close();
    }
    const [thread, inline] = results as [StoredMessage[], StoredMessage[]];
    expect(thread).toEqual(inline);
    for (let i = 1; i < thread.length; i++) expect((thread[i] as StoredMessage).sentTime).toBeGreaterThan((thread[i - 1] as StoredMessage).sentTime);
    // The uid is newMessageUid's for that sentTime with the same draws of the injected randomness.
    const random = seeded(7);
    expect(thread.map((m) => m.uid)).toEqual(thread.map((m) => newMessageUid(m.sentTime, random)));
    expect(thread.map(text).slice(0, 2)).toEqual(['{"content":"m0"}', '{"content":"m1"}']);
  });

  it('resolves an append only once it is committed: another connection to the file already sees it', async () => {
    const { store, file } = await openStore('thread', Math.random);
    const stored = await store.messages.append(privateMessage('a', 'b', { now: T0 }));
    const toGroup = await store.messages.append({ ...privateMessage('a', 'g1', { now: T0 + 1 }), conversationType: GROUP, recipients: ['b', 'c'] });
    const other = new Database(file, { readonly: true });
    try {
      const row = other.prepare('SELECT sent_time AS t, derived FROM messages WHERE uid = ?');
      // A private message's entries are derived from its row (migration 014).
      expect(row.get(stored.uid)).toEqual({ t: stored.sentTime, derived: 1 });
      expect(row.get(toGroup.uid)).toEqual({ t: toGroup.sentTime, derived: 0 });
      // A group message's entries are committed with it, into entries_pending until the writer packs them (migrations 012, 013).
      const entries = other
        .prepare(`SELECT n.name AS owner FROM entries_pending e
          JOIN messages m ON m.id = e.message_id JOIN names n ON n.id = e.owner_ref WHERE m.uid = ? ORDER BY n.name`)
        .all(toGroup.uid);
      expect(entries).toEqual([{ owner: 'a' }, { owner: 'b' }, { owner: 'c' }]);
    } finally {
      other.close();
    }
    await store.close();
    await expect(store.messages.append(privateMessage('a', 'b', { now: T0 }))).rejects.toThrow();
  });

  it('keeps per-message failure isolation on the thread: only the bad message is rejected', async () => {
    const { store } = await openStore('thread', Math.random);
    const bad: NewMessage = { ...privateMessage('a', 'b', { now: T0 }), objectName: null as unknown as string };
    const results = await Promise.allSettled([
      store.messages.append(privateMessage('a', 'b', { now: T0, text: 'one' })),
      store.messages.append(bad),
      store.messages.append(privateMessage('a', 'b', { now: T0, text: 'two' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rejected = results[1];
    expect(rejected?.status === 'rejected' ? String(rejected.reason) : '').toMatch(/NOT NULL/);
    const inbox = await store.messages.sync(APP, 'b', 0, null, 10, 0);
    expect(inbox.entries.map((e) => [text(e.message), e.message.sentTime])).toEqual([['{"content":"one"}', T0], ['{"content":"two"}', T0 + 1]]);
    await store.close();
  });
});
