/**
 * Pulls answered from memory (sqlite-sync-tail.ts): whatever the store's sync returns must equal a read of the
 * file by a connection of its own (the shipped readSyncPage, which knows nothing of tails) — entries, order,
 * cursors, `hasMore` — through appends of every shape (private, group fan-out with mentions, message to
 * oneself, system without a sendbox, batches of several), recalls, expansion changes, retention, small pages
 * and cursors below, at and above what the owner last pulled. Each case runs on the writer thread and inline,
 * and checks that the tails really answered (a cache that never hits would pass the comparison too).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { SqliteDatabase } from '../../../src/store/sqlite/sqlite-database';
import type { SqliteMessageRepository } from '../../../src/store/sqlite/sqlite-message-repository';
import { readSyncPage } from '../../../src/store/sqlite/sqlite-sync';
import { SyncTail } from '../../../src/store/sqlite/sqlite-sync-tail';
import { storedMessageOf } from '../../../src/store/rows';
import { Direction } from '../../../src/store/store';
import { APP, T0, groupMessage, privateMessage, systemMessage } from '../../../src/store/contract/contract-support';
import type { NewMessage, StoredMessage, SyncPage } from '../../../src/store/store';
import { seeded } from '../../../../test/support/seeded';

const directories: string[] = [];

function newFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-sync-tail-'));
  directories.push(dir);
  return join(dir, 'store.db');
}

afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];

const hitsOf = (store: SqliteStore): number => (store.messages as SqliteMessageRepository).syncTailHits;

describe.each(['thread', 'inline'] as const)('sync answered from the tails (%s writer)', (appendWriter) => {
  it('every pull equals a read of the file, through appends, recalls, expansions, retention and small pages', async () => {
    const file = newFile();
    const store = new SqliteStore({ file, appendWriter });
    await store.migrate();
    const reference = new SqliteDatabase(file);
    const random = seeded(appendWriter === 'thread' ? 7 : 11);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const stored: StoredMessage[] = [];
    /** What each owner's last finished pull answered: [syncTime, sendboxTime]. */
    const cursors = new Map<string, [number, number]>();
    let now = T0;
    let pulls = 0;

    const draft = (): NewMessage => {
      now += 1 + Math.floor(random() * 3);
      const from = pick(USERS);
      const kind = random();
      if (kind < 0.5) return privateMessage(from, pick(USERS.filter((u) => u !== from)), { now, text: `p${now}` });
      if (kind < 0.6) return privateMessage(from, from, { now, text: `self${now}` });
      if (kind < 0.7) return systemMessage('admin', pick(USERS), { now, text: `s${now}` });
      const members = USERS.filter((u) => u !== from && random() < 0.7);
      if (members.length === 0) members.push(USERS.find((u) => u !== from) as string);
      return groupMessage(from, 'g1', members, { now, text: `g${now}`, ...(random() < 0.3 && { mentioned: [pick(members)] }) });
    };

    const pull = async (owner: string): Promise<void> => {
      const last = cursors.get(owner) ?? [0, 0];
      const earlier = stored.length > 0 ? pick(stored).sentTime : 0;
      const inboxAfter = pick([last[0], last[0], last[0], 0, earlier, last[0] + 1]);
      const sendboxAfter = pick<number | null>([last[1], last[1], null, earlier]);
      const limit = pick([200, 200, 200, 3]);
      const notBefore = pick([0, 0, 0, now - 20]);
      const page: SyncPage = await store.messages.sync(APP, owner, inboxAfter, sendboxAfter, limit, notBefore);
      const expected = readSyncPage(reference, APP, owner, inboxAfter, sendboxAfter, limit, notBefore);
      expect({ owner, inboxAfter, sendboxAfter, limit, notBefore, page }).toEqual({ owner, inboxAfter, sendboxAfter, limit, notBefore, page: expected });
      if (!page.hasMore && inboxAfter === last[0]) cursors.set(owner, [page.syncTime, page.sendboxTime]);
      pulls++;
    };

    for (let round = 0; round < 160; round++) {
      const action = random();
      if (action < 0.55) {
        // One to four appends in one turn: they share a group commit.
        const batch = Array.from({ length: 1 + Math.floor(random() * 4) }, draft);
        stored.push(...(await Promise.all(batch.map((message) => store.messages.append(message)))));
      } else if (action < 0.6 && stored.length > 0) {
        const target = pick(stored);
        await store.messages.recall(APP, target.uid, target.fromUserId);
      } else if (action < 0.65 && stored.length > 0) {
        await store.expansions.merge(APP, pick(stored).uid, { put: { k: `v${round}` } }, 20);
      } else if (action < 0.67) {
        await store.messages.prune(now - 30);
      }
      for (let i = 0; i < 3; i++) await pull(pick(USERS));
    }
    const hits = hitsOf(store);
    reference.db.close();
    await store.close();
    // Most pulls continue from the owner's last one: the tails must have answered a good share of them.
    expect(pulls).toBe(480);
    expect(hits).toBeGreaterThan(pulls / 5);
  });

  it('a tail keeps the newest entries: a cursor below them reads the store, one within them does not', async () => {
    const file = newFile();
    const store = new SqliteStore({ file, appendWriter });
    await store.migrate();
    const first = await store.messages.sync(APP, 'b', 0, 0, 200, 0);
    expect(first).toMatchObject({ entries: [], hasMore: false, syncTime: 0 });
    const sent: StoredMessage[] = [];
    for (let i = 0; i < 40; i++) sent.push(await store.messages.append(privateMessage('a', 'b', { now: T0 + i, text: `m${i}` })));
    const before = hitsOf(store);
    // Within the newest 32 entries: from memory, the same page the file gives.
    const recent = await store.messages.sync(APP, 'b', (sent[20] as StoredMessage).sentTime, 0, 200, 0);
    expect(recent.entries.map((e) => e.message.uid)).toEqual(sent.slice(21).map((m) => m.uid));
    expect(recent).toMatchObject({ hasMore: false, syncTime: (sent[39] as StoredMessage).sentTime });
    expect(hitsOf(store)).toBe(before + 1);
    // Older than what the tail kept: the store answers (and the page still holds all 40).
    const all = await store.messages.sync(APP, 'b', 0, 0, 200, 0);
    expect(all.entries).toHaveLength(40);
    expect(hitsOf(store)).toBe(before + 1);
    await store.close();
  });

  it('trims the older of the two directions first: every cursor pair gets the page the file gives, the newest 32 from memory', async () => {
    const file = newFile();
    const store = new SqliteStore({ file, appendWriter });
    await store.migrate();
    const reference = new SqliteDatabase(file);
    await store.messages.sync(APP, 'a', 0, 0, 200, 0);
    const sent: StoredMessage[] = [];
    // Irregular runs of sends and receipts, well past the 32 entries a tail keeps.
    for (let i = 0; i < 60; i++) {
      const out = i % 5 < 2 || i % 11 === 0;
      sent.push(await store.messages.append(out ? privateMessage('a', 'b', { now: T0 + i }) : privateMessage('b', 'a', { now: T0 + i })));
    }
    const times = [0, ...sent.map((m) => m.sentTime)];
    const before = hitsOf(store);
    for (let i = 0; i < times.length; i += 3) {
      for (let j = 0; j < times.length; j += 4) {
        const inboxAfter = times[i] as number;
        const sendboxAfter = times[j] as number;
        const page = await store.messages.sync(APP, 'a', inboxAfter, sendboxAfter, 200, 0);
        expect({ inboxAfter, sendboxAfter, page }).toEqual({ inboxAfter, sendboxAfter, page: readSyncPage(reference, APP, 'a', inboxAfter, sendboxAfter, 200, 0) });
        // A read of the store starts the tail again from that page: begin each comparison from the same tail.
        await store.messages.sync(APP, 'a', 0, 0, 200, 0);
      }
    }
    expect(hitsOf(store)).toBeGreaterThan(before);
    // The tail keeps the newest 32 entries of both directions together: cursors at the newest one it dropped
    // (whichever its direction) are answered from memory.
    const dropped = (sent[60 - 32 - 1] as StoredMessage).sentTime;
    const hitsBefore = hitsOf(store);
    const page = await store.messages.sync(APP, 'a', dropped, dropped, 200, 0);
    expect(page.entries.map((e) => e.message.uid)).toEqual(sent.slice(60 - 32).map((m) => m.uid));
    expect(hitsOf(store)).toBe(hitsBefore + 1);
    reference.db.close();
    await store.close();
  });

  it('is off when the store is told other processes write the file', async () => {
    const file = newFile();
    const store = new SqliteStore({ file, appendWriter, soleWriter: false });
    await store.migrate();
    await store.messages.sync(APP, 'b', 0, 0, 200, 0);
    const message = await store.messages.append(privateMessage('a', 'b', { now: T0 }));
    const page = await store.messages.sync(APP, 'b', 0, 0, 200, 0);
    expect(page.entries.map((e) => e.message.uid)).toEqual([message.uid]);
    expect(hitsOf(store)).toBe(0);
    await store.close();
  });
});

describe('SyncTail limits', () => {
  const EMPTY = { entries: [], hasMore: false, syncTime: 0, sendboxTime: 0 };
  let time = T0;
  const receive = (tail: SyncTail, owner: string): void => {
    time++;
    tail.appended(APP, owner, storedMessageOf(privateMessage('x', owner, { now: time }), `uid-${time}`, time), Direction.Receive, false);
  };
  const answered = (tail: SyncTail, owner: string): number | undefined => tail.page(APP, owner, 0, 0, 200, 0)?.entries.length;

  it('past the total, whole tails go, started longest ago first, down to three quarters of it', () => {
    const tail = new SyncTail({ perOwner: 4, total: 10 });
    for (const owner of ['o1', 'o2', 'o3', 'o4']) tail.started(APP, owner, EMPTY, 0, 0);
    for (const owner of ['o1', 'o2', 'o3', 'o4']) for (let i = 0; i < 3; i++) receive(tail, owner);
    // o4's second entry made 11: o1 and o2 went (11 → 5 ≤ 7), o3 and o4 stay.
    expect(['o1', 'o2', 'o3', 'o4'].map((owner) => answered(tail, owner))).toEqual([undefined, undefined, 3, 3]);
    // A tail started again is evicted last.
    tail.started(APP, 'o3', EMPTY, 0, 0);
    tail.started(APP, 'o1', EMPTY, 0, 0);
    for (let i = 0; i < 4; i++) receive(tail, 'o1');
    for (let i = 0; i < 4; i++) receive(tail, 'o2');
    for (let i = 0; i < 4; i++) receive(tail, 'o3');
    // o4 (3) + o3 (4) + o1 (4) = 11 > 10 at o3's fourth entry: o4 goes first, then o3 would be next; 8 > 7, so o3 too.
    expect(['o1', 'o3', 'o4'].map((owner) => answered(tail, owner))).toEqual([4, undefined, undefined]);
  });

  it('a tail keeps its newest entries up to the per-owner limit', () => {
    const tail = new SyncTail({ perOwner: 4, total: 100 });
    tail.started(APP, 'o1', EMPTY, 0, 0);
    for (let i = 0; i < 6; i++) receive(tail, 'o1');
    // Six received, four kept: a cursor at 0 is below the floor now.
    expect(answered(tail, 'o1')).toBeUndefined();
    expect(tail.page(APP, 'o1', time - 4, 0, 200, 0)?.entries.map((e) => e.message.sentTime)).toEqual([time - 3, time - 2, time - 1, time]);
  });
});

