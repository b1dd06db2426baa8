/**
 * The WAL checkpoint thread (sqlite-checkpointer.ts): with the writer thread on Linux, the WAL is copied back
 * into the database file in the background — no COMMIT of the writer crosses an auto-checkpoint threshold for
 * it — by a thread at the lowest priority, which stops with the store.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { CHECKPOINT_EVERY_MS, SqliteCheckpointer, WRITER_AUTOCHECKPOINT_PAGES } from '../../../src/store/sqlite/sqlite-checkpointer';
import { APP, privateMessage, T0 } from '../../../src/store/contract/contract-support';

const directories: string[] = [];

function newFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-checkpoint-'));
  directories.push(dir);
  return join(dir, 'store.db');
}

/** Nice values of this process's threads (Linux: a per-thread attribute). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((task) => {
    const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
    // Fields after the command name: state is field 3, nice field 19.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_EVERY_MS));
  }
  return check();
}

afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

const onLinux = SqliteCheckpointer.supported() ? describe : describe.skip;

onLinux('WAL checkpoint thread', () => {
  it('copies the writer thread’s commits into the database file without an auto-checkpoint', async () => {
    const file = newFile();
    const store = new SqliteStore({ file, appendWriter: 'thread' });
    await store.migrate();
    await store.messages.append(privateMessage('a', 'b', { now: T0 }));
    await waitFor(() => statSync(file).size > 0, 2000);
    const before = statSync(file).size;
    // ≈ 2,000 messages write a few thousand WAL pages: below both auto-checkpoint thresholds (10,000 pages on
    // the main connection, WRITER_AUTOCHECKPOINT_PAGES on the writer's), so only the thread copies them.
    expect(WRITER_AUTOCHECKPOINT_PAGES).toBeGreaterThan(10_000);
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.messages.append(privateMessage(`s${i}`, `r${round}`, { now: T0 + round }))));
    }
    const grown = await waitFor(() => statSync(file).size >= before + 256 * 1024, 3000);
    expect({ grown, size: statSync(file).size }).toEqual({ grown: true, size: expect.any(Number) });
    await store.close();
  });

  it('closes at once when its thread already failed', async () => {
    const checkpointer = SqliteCheckpointer.start(newFile(), join(tmpdir(), 'no-such-driver', 'index.js'));
    // The thread exits on its failing require; closing afterwards must not wait for an exit that happened.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const closed = await Promise.race([checkpointer.close().then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('hung'), 2000))]);
    expect(closed).toBe('closed');
  });

  it('runs at the lowest priority and stops with the store', async () => {
    const lowest = (): number => threadNices().filter((nice) => nice === 19).length;
    const already = lowest();
    const file = newFile();
    const store = new SqliteStore({ file, appendWriter: 'thread' });
    await store.migrate();
    await store.messages.append(privateMessage('a', 'b', { now: T0 }));
    expect(await waitFor(() => lowest() === already + 1, 2000)).toBe(true);
    await store.close();
    expect(await waitFor(() => lowest() === already, 2000)).toBe(true);
    // The file is whole after the threads closed their connections: a new store reads what was written.
    const reopened = new SqliteStore({ file, appendWriter: 'thread' });
    await reopened.migrate();
    const synced = await reopened.messages.sync(APP, 'b', 0, null, 10, 0);
    expect(synced.entries.length).toBe(1);
    await reopened.close();
  });
});
