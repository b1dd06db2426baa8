/**
 * Group commit of chatroom appends on SQLite (sqlite-chatroom-repository.ts): appends queued in one
 * event-loop turn, across rooms, are written by one transaction; each resolves after it with its room's
 * clock advanced in call order, and a job that fails (its room is gone) fails alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewChatroomMessage } from '../../../src/store/chatroom-repository';
import { SqliteChatroomRepository } from '../../../src/store/sqlite/sqlite-chatroom-repository';
import { SqliteDatabase } from '../../../src/store/sqlite/sqlite-database';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store';

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'lianxin-chatroom-gc-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

function message(roomId: string, n: number, now: number): NewChatroomMessage {
  return { appKey: 'k', roomId, fromUserId: `u${n}`, objectName: 'RC:TxtMsg', content: new Uint8Array([n]), flags: 3, now };
}

test('appends of one turn share one commit, keep per-room call order, and fail alone', async () => {
  const file = join(directory, 'store.db');
  // The store applies the schema; a second connection to the same file is the repository under test.
  const store = createSqliteStore({ file });
  await store.migrate();
  await store.chatrooms.create('k', 'a', '', 1000);
  await store.chatrooms.create('k', 'b', '', 1000);
  await store.close();
  const database = new SqliteDatabase(file);
  try {
    const rooms = new SqliteChatroomRepository(database, { random: Math.random });
    const calls = [
      rooms.append(message('a', 1, 5000)),
      rooms.append(message('b', 2, 5000)),
      rooms.append(message('missing', 3, 5000)),
      rooms.append(message('a', 4, 5000)),
      rooms.append(message('a', 5, 4000)),
    ];
    const settled = await Promise.allSettled(calls);
    expect(rooms.appendStats).toEqual({ batches: 1, jobs: 5 });
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const times = settled.map((s) => (s.status === 'fulfilled' ? s.value.sentTime : -1));
    // Room a's clock advances in call order even for an earlier `now`; b has its own clock.
    expect(times).toEqual([5000, 5000, -1, 5001, 5002]);
    const page = await rooms.since('k', 'a', 0, 10);
    expect(page.messages.map((m) => m.fromUserId)).toEqual(['u1', 'u4', 'u5']);
    expect(page.timelineTime).toBe(5002);

    // Durable once resolved: a new connection sees every committed append.
    const next = rooms.append(message('b', 6, 6000));
    await rooms.flush();
    await expect(next).resolves.toMatchObject({ sentTime: 6000 });
    expect(rooms.appendStats).toEqual({ batches: 2, jobs: 6 });
  } finally {
    database.close();
  }
  const reopened = createSqliteStore({ file });
  try {
    expect((await reopened.chatrooms.since('k', 'b', 0, 10)).messages.map((m) => m.fromUserId)).toEqual(['u2', 'u6']);
  } finally {
    await reopened.close();
  }
});
