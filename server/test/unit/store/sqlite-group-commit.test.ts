/**
 * Group commit of message appends on the SQLite engine: appends issued in one event-loop turn share a
 * transaction, keep call order (sentTime strictly increasing), fail one by one, and survive close().
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { SqliteMessageRepository } from '../../../src/store/sqlite/sqlite-message-repository';
import { APP, T0, privateMessage, text } from '../../../src/store/contract/contract-support';
import type { NewMessage, StoredMessage } from '../../../src/store/store';
import type { AppendBatcherOptions } from '../../../src/store/message-append-batcher';

const directories: string[] = [];

async function openStore(options: { readonly groupCommit?: Partial<AppendBatcherOptions> } = {}, dir?: string): Promise<{ store: SqliteStore; dir: string }> {
  const directory = dir ?? mkdtempSync(join(tmpdir(), 'lianxin-gc-'));
  if (dir === undefined) directories.push(directory);
  const store = new SqliteStore({ ...options, file: join(directory, 'store.db') });
  await store.migrate();
  return { store, dir: directory };
}

function statsOf(store: SqliteStore): { batches: number; jobs: number } {
  if (!(store.messages instanceof SqliteMessageRepository)) throw new Error('not the SQLite repository');
  return { ...store.messages.groupCommitStats };
}

afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

describe('SQLite group commit', () => {
  it('commits appends of one turn together, in call order, with strictly increasing sentTime', async () => {
    const { store } = await openStore();
    const drafts = Array.from({ length: 100 }, (_, i) => privateMessage(`s${i % 7}`, `r${i % 5}`, { now: T0, text: `m${i}` }));
    const stored = await Promise.all(drafts.map((m) => store.messages.append(m)));
    expect(stored.map((m) => m.sentTime)).toEqual(drafts.map((_, i) => T0 + i));
    expect(stored.map(text)).toEqual(drafts.map((_, i) => `{"content":"m${i}"}`));
    expect(statsOf(store)).toEqual({ batches: 1, jobs: 100 });
    // Each recipient's inbox holds its messages in send order.
    const inbox = await store.messages.sync(APP, 'r0', 0, null, 100, 0);
    expect(inbox.entries.map((e) => e.message.uid)).toEqual(stored.filter((_, i) => i % 5 === 0).map((m) => m.uid));
    await store.close();
  });

  it('splits at maxBatch and still keeps the order across batches', async () => {
    const { store } = await openStore({ groupCommit: { maxBatch: 10 } });
    const stored = await Promise.all(Array.from({ length: 25 }, () => store.messages.append(privateMessage('a', 'b', { now: T0 }))));
    expect(stored.map((m) => m.sentTime)).toEqual(stored.map((_, i) => T0 + i));
    expect(statsOf(store)).toEqual({ batches: 3, jobs: 25 });
    await store.close();
  });

  it('waits up to lingerMs for more appends when configured', async () => {
    const { store } = await openStore({ groupCommit: { lingerMs: 20, lingerWithinMs: Number.POSITIVE_INFINITY } });
    const first = store.messages.append(privateMessage('a', 'b', { now: T0 }));
    await new Promise((resolve) => setImmediate(resolve));
    const second = store.messages.append(privateMessage('a', 'b', { now: T0 }));
    expect((await Promise.all([first, second])).map((m) => m.sentTime)).toEqual([T0, T0 + 1]);
    expect(statsOf(store)).toEqual({ batches: 1, jobs: 2 });
    await store.close();
  });

  it('rejects only the message that fails; its savepoint rolls back its clock step and rows', async () => {
    const { store } = await openStore();
    const bad: NewMessage = { ...privateMessage('a', 'b', { now: T0 }), objectName: null as unknown as string };
    const results = await Promise.allSettled([
      store.messages.append(privateMessage('a', 'b', { now: T0, text: 'one' })),
      store.messages.append(bad),
      store.messages.append(privateMessage('a', 'b', { now: T0, text: 'two' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(ok.map((m) => m.sentTime)).toEqual([T0, T0 + 1]);
    const inbox = await store.messages.sync(APP, 'b', 0, null, 10, 0);
    expect(inbox.entries.map((e) => text(e.message))).toEqual(['{"content":"one"}', '{"content":"two"}']);
    expect(statsOf(store).batches).toBe(1);
    await store.close();
  });

  it('drops the names a failing message interned with its savepoint, and interns them again when next used', async () => {
    const { store, dir } = await openStore();
    const bad: NewMessage = { ...privateMessage('newcomer', 'stranger', { now: T0 }), objectName: null as unknown as string };
    const results = await Promise.allSettled([
      store.messages.append(privateMessage('a', 'b', { now: T0, text: 'one' })),
      store.messages.append(bad),
      store.messages.append(privateMessage('c', 'd', { now: T0, text: 'two' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const names = (): string[] => {
      const db = new Database(join(dir, 'store.db'), { readonly: true });
      try {
        return (db.prepare('SELECT name FROM names ORDER BY id').all() as { name: string }[]).map((row) => row.name);
      } finally {
        db.close();
      }
    };
    expect(names()).toEqual(['b', 'a', 'd', 'c']);
    // The ids the rolled-back names had are taken by later names; the writer must not hand out its stale ones.
    await store.messages.append(privateMessage('e', 'f', { now: T0, text: 'three' }));
    await store.messages.append(privateMessage('newcomer', 'stranger', { now: T0, text: 'four' }));
    expect(names()).toEqual(['b', 'a', 'd', 'c', 'f', 'e', 'stranger', 'newcomer']);
    for (const [owner, direction, expected] of [['d', 2, 'two'], ['f', 2, 'three'], ['stranger', 2, 'four'], ['newcomer', 1, 'four']] as const) {
      const page = await store.messages.sync(APP, owner, 0, 0, 10, 0);
      expect(page.entries.map((e) => [e.direction, text(e.message)])).toEqual([[direction, `{"content":"${expected}"}`]]);
    }
    await store.close();
  });

  it('commits queued appends on close(), and they are there after reopening', async () => {
    const { store, dir } = await openStore();
    const pending = [store.messages.append(privateMessage('a', 'b', { now: T0 })), store.messages.append(privateMessage('a', 'b', { now: T0 }))];
    await store.close();
    const stored: StoredMessage[] = await Promise.all(pending);
    await expect(store.messages.append(privateMessage('a', 'b', { now: T0 }))).rejects.toThrow();
    const { store: reopened } = await openStore({}, dir);
    for (const message of stored) expect(await reopened.messages.get(APP, message.uid)).toEqual(message);
    await reopened.close();
  });
});
