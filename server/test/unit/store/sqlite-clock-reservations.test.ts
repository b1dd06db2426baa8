/**
 * Reserved times of not-stored messages on SQLite (MessageRepository.reserveTime): the file's sole writer keeps them
 * in memory; nodes sharing the file (a broker) write them to app_clocks.reserved_time, so an append by ANY node on the
 * file is timed after a time another one reserved. Neither moves lastSentTime (the newest stored message).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { APP, T0, privateMessage } from '../../../src/store/contract/contract-support';

const directories: string[] = [];
afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

function fileIn(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-reserve-'));
  directories.push(dir);
  return join(dir, 'store.db');
}

describe('SQLite clock reservations', () => {
  it.each(['inline', 'thread'] as const)('nodes sharing the file: a time one reserves times the other\'s appends after it (%s writer)', async (appendWriter) => {
    const file = fileIn();
    const first = new SqliteStore({ file, appendWriter, soleWriter: false });
    await first.migrate();
    const second = new SqliteStore({ file, appendWriter, soleWriter: false });
    await second.migrate();
    try {
      const stored = await second.messages.append(privateMessage('a', 'b', { now: T0 }));
      await first.messages.reserveTime(APP, T0 + 30_000);
      expect(await second.messages.lastSentTime(APP)).toBe(stored.sentTime);
      expect((await second.messages.append(privateMessage('b', 'a', { now: T0 + 10 }))).sentTime).toBe(T0 + 30_001);
      await second.messages.reserveTime(APP, T0 + 20_000);
      expect((await first.messages.append(privateMessage('a', 'b', { now: T0 + 20 }))).sentTime).toBe(T0 + 30_002);
      expect(await first.messages.lastSentTime(APP)).toBe(T0 + 30_002);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('the sole writer: reserved in memory, appends timed after it, kept apart from lastSentTime', async () => {
    const file = fileIn();
    const store = new SqliteStore({ file, appendWriter: 'thread' });
    await store.migrate();
    try {
      const stored = await store.messages.append(privateMessage('a', 'b', { now: T0 }));
      await store.messages.reserveTime(APP, T0 + 5_000.4);
      expect(await store.messages.lastSentTime(APP)).toBe(stored.sentTime);
      const burst = await Promise.all([1, 2, 3].map((i) => store.messages.append(privateMessage('a', 'b', { now: T0 + i }))));
      expect(burst.map((m) => m.sentTime)).toEqual([T0 + 5_002, T0 + 5_003, T0 + 5_004]);
    } finally {
      await store.close();
    }
  });
});
