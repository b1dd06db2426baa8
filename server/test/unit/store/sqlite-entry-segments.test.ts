/**
 * Per-owner entries packed in segments (migration 013, sqlite-entry-segments.ts): the codec, and every
 * reader of per-owner state — pull, history both ways, the conversation list's latest message, unread
 * counts, deletion, clearing, recall — checked against a plain in-memory model through a seeded random
 * workload, with moves small and frequent (many short segments, long chains) and rare (one owner's backlog
 * split over several segments), on the writer thread and inline, and again after a reopen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { decodeSegment, encodeSegment, type SegmentRow } from '../../../src/store/sqlite/sqlite-entry-segments';
import { APP, GROUP, PRIVATE, T0, groupMessage, privateMessage } from '../../../src/store/contract/contract-support';
import { Direction, type ConversationKey, type NewMessage } from '../../../src/store/store';
import { seeded } from '../../../../test/support/seeded';

const directories: string[] = [];

afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

describe('segment codec', () => {
  it('gives back what it packed: ids and times in any order, large values, every flag, the chain times', () => {
    const random = seeded(3);
    for (let round = 0; round < 200; round++) {
      const rows: SegmentRow[] = [];
      let time = Math.floor(random() * 2 ** 44);
      for (let i = Math.floor(random() * 40); i >= 0; i--) {
        time += Math.floor(random() * 3);
        rows.push([
          Math.floor(random() * 2 ** 40),
          random() < 0.5 ? Direction.Send : Direction.Receive,
          1 + Math.floor(random() * 3),
          Math.floor(random() * 5) * 1_000_003,
          time,
          random() < 0.3 ? 1 : 0,
          random() < 0.3 ? 1 : 0,
        ]);
      }
      const previous = (type: number, target: number, first: number): number => (first - 1 - type - (target % 7)) % 2 ** 44;
      const decoded = decodeSegment(encodeSegment(rows, previous));
      expect(decoded.rows).toEqual(rows);
      for (const conversation of decoded.conversations) {
        const first = rows.find((row) => row[2] === conversation.type && row[3] === conversation.targetRef) as SegmentRow;
        expect(conversation.prevTime).toBe(previous(conversation.type, conversation.targetRef, first[4]));
      }
      decoded.rows.forEach((row, i) => {
        const conversation = decoded.conversations[decoded.convIndex[i] as number];
        expect([conversation?.type, conversation?.targetRef]).toEqual([row[2], row[3]]);
      });
    }
  });

  it('writes the bytes of the layout exactly (a plain reference encoder), also reading rows from a later column', () => {
    // The layout written the plainest way (module doc): a reference the optimised encoder must match byte for byte.
    const reference = (rows: readonly SegmentRow[], prevTimeOf: (type: number, target: number, first: number) => number): number[] => {
      const out: number[] = [];
      const put = (value: number): void => {
        let v = value;
        while (v >= 128) {
          out.push((v % 128) + 128);
          v = Math.floor(v / 128);
        }
        out.push(v);
      };
      const zig = (delta: number): number => (delta < 0 ? -2 * delta - 1 : 2 * delta);
      const index = new Map<string, number>();
      const convs: number[] = [];
      for (const row of rows) {
        if (index.has(`${row[2]}:${row[3]}`)) continue;
        index.set(`${row[2]}:${row[3]}`, index.size);
        convs.push(row[2], row[3], prevTimeOf(row[2], row[3], row[4]));
      }
      put(1);
      put(index.size);
      convs.forEach(put);
      put(rows.length);
      let lastId = 0;
      let lastTime = 0;
      for (const row of rows) {
        put(zig(row[0] - lastId));
        put(zig(row[4] - lastTime));
        put(index.get(`${row[2]}:${row[3]}`) as number);
        put((row[1] & 3) | (row[5] !== 0 ? 4 : 0) | (row[6] !== 0 ? 8 : 0));
        lastId = row[0];
        lastTime = row[4];
      }
      return out;
    };
    const random = seeded(11);
    for (let round = 0; round < 300; round++) {
      const rows: SegmentRow[] = [];
      let time = Math.floor(random() * 2 ** 44);
      let id = Math.floor(random() * 2 ** 40);
      for (let i = Math.floor(random() * 128); i >= 0; i--) {
        time += Math.floor(random() * 3);
        id += round % 3 === 0 ? -Math.floor(random() * 50) : Math.floor(random() * 2 ** (round % 30));
        rows.push([id, random() < 0.5 ? Direction.Send : Direction.Receive, 1 + Math.floor(random() * 12), Math.floor(random() * 40) * 1_000_003, time, random() < 0.3 ? 1 : 0, random() < 0.3 ? 1 : 0]);
      }
      const previous = (type: number, target: number, first: number): number => (first * 7 + type + target) % 2 ** 44;
      const expected = reference(rows, previous);
      expect([...encodeSegment(rows, previous)]).toEqual(expected);
      const owner = Math.floor(random() * 1000);
      expect([...encodeSegment(rows.map((row) => [owner, ...row]), previous, 1)]).toEqual(expected);
    }
  });

  it('refuses bytes it did not write', () => {
    const data = encodeSegment([[5, 2, 1, 9, T0, 0, 0]], () => 0);
    expect(() => decodeSegment(data.subarray(0, data.length - 1))).toThrow(/truncated/);
    expect(() => decodeSegment(Uint8Array.of(...data, 0))).toThrow(/trailing/);
    expect(() => decodeSegment(Uint8Array.of(2, ...data.subarray(1)))).toThrow(/version/);
  });
});

interface ModelEntry {
  readonly uid: string;
  readonly time: number;
  readonly direction: number;
  readonly conversation: ConversationKey;
  readonly mentioned: boolean;
  deleted: boolean;
}

const USERS = Array.from({ length: 12 }, (_, i) => `u${i}`);
const GROUPS: Record<string, readonly string[]> = { g0: USERS.slice(0, 8), g1: USERS.slice(4) };
const key = (owner: string, c: ConversationKey): string => `${owner}|${c.type}|${c.targetId}`;

/** What the store must answer, from the messages appended and the per-owner actions taken. */
class Model {
  readonly entries = new Map<string, ModelEntry[]>();
  readonly recalled = new Set<string>();
  readonly cleared = new Map<string, number>();
  /** Read positions by key(owner, conversation), and each owner's floor. */
  readonly read = new Map<string, number>();
  readonly floors = new Map<string, number>();
  readonly senders = new Map<string, string>();

  add(owner: string, entry: ModelEntry): void {
    const list = this.entries.get(owner) ?? [];
    list.push(entry);
    this.entries.set(owner, list);
  }

  of(owner: string, c: ConversationKey): ModelEntry[] {
    return (this.entries.get(owner) ?? []).filter((e) => e.conversation.type === c.type && e.conversation.targetId === c.targetId);
  }

  visible(owner: string, c: ConversationKey): ModelEntry[] {
    const cleared = this.cleared.get(key(owner, c)) ?? 0;
    return this.of(owner, c).filter((e) => !e.deleted && !this.recalled.has(e.uid) && e.time > cleared);
  }

  history(owner: string, c: ConversationKey, time: number, count: number, order: 0 | 1): { uids: string[]; hasMore: boolean } {
    const visible = this.visible(owner, c);
    const chosen = order === 0 ? visible.filter((e) => time === 0 || e.time < time).reverse() : visible.filter((e) => e.time > time);
    const page = chosen.slice(0, count);
    if (order === 1) page.reverse();
    return { uids: page.map((e) => e.uid), hasMore: chosen.length > count };
  }

  conversations(owner: string): string[][] {
    const newest = new Map<string, { c: ConversationKey; time: number }>();
    for (const e of this.entries.get(owner) ?? []) newest.set(`${e.conversation.type}|${e.conversation.targetId}`, { c: e.conversation, time: e.time });
    return [...newest.values()]
      .sort((a, b) => b.time - a.time)
      .flatMap(({ c }) => {
        const latest = this.visible(owner, c).pop();
        return latest === undefined ? [] : [[`${c.type}|${c.targetId}`, latest.uid]];
      });
  }

  unread(owner: string): (string | number)[][] {
    const byConversation = new Map<string, { c: ConversationKey; count: number; mentions: number }>();
    for (const e of this.entries.get(owner) ?? []) {
      if (e.direction !== Direction.Receive) continue;
      const k = `${e.conversation.type}|${e.conversation.targetId}`;
      const item = byConversation.get(k) ?? { c: e.conversation, count: 0, mentions: 0 };
      byConversation.set(k, item);
      const bound = Math.max(this.cleared.get(key(owner, e.conversation)) ?? 0, this.read.get(key(owner, e.conversation)) ?? 0, this.floors.get(owner) ?? 0);
      if (e.deleted || this.recalled.has(e.uid) || e.time <= bound || this.senders.get(e.uid) === owner) continue;
      item.count++;
      if (e.mentioned) item.mentions++;
    }
    return [...byConversation.values()]
      .sort((a, b) => a.c.type - b.c.type || (a.c.targetId < b.c.targetId ? -1 : a.c.targetId > b.c.targetId ? 1 : 0))
      .map((item) => [item.c.type, item.c.targetId, item.count, item.mentions]);
  }
}

describe.each([
  ['thread', 24],
  ['inline', 24],
  ['thread', 1_000_000],
  ['inline', 1_000_000],
] as const)('segments against a model (%s writer, moveAtRows %d)', (appendWriter, moveAtRows) => {
  it('answers every per-owner read as the model does, before and after a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lianxin-segments-'));
    directories.push(dir);
    const file = join(dir, 'store.db');
    let store = new SqliteStore({ file, appendWriter, moveAtRows });
    await store.migrate();
    const random = seeded(moveAtRows + (appendWriter === 'thread' ? 1 : 2));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const model = new Model();
    let now = T0;
    let checks = 0;

    const append = async (message: NewMessage): Promise<void> => {
      const stored = await store.messages.append(message);
      model.senders.set(stored.uid, message.fromUserId);
      const mentioned = new Set(message.mentionedUserIds ?? []);
      const peer = (owner: string): ConversationKey =>
        message.conversationType === GROUP ? { type: GROUP, targetId: message.targetId } : { type: PRIVATE, targetId: owner === message.fromUserId ? message.targetId : message.fromUserId };
      for (const owner of new Set(message.recipients)) {
        model.add(owner, { uid: stored.uid, time: stored.sentTime, direction: Direction.Receive, conversation: peer(owner), mentioned: mentioned.has(owner), deleted: false });
      }
      if (message.senderSendbox && !message.recipients.includes(message.fromUserId)) {
        model.add(message.fromUserId, { uid: stored.uid, time: stored.sentTime, direction: Direction.Send, conversation: peer(message.fromUserId), mentioned: false, deleted: false });
      }
    };
    const randomMessage = (): NewMessage => {
      now += 1 + Math.floor(random() * 3);
      if (random() < 0.25) {
        const group = pick(Object.keys(GROUPS));
        const members = GROUPS[group] as readonly string[];
        const from = pick(members);
        const others = members.filter((m) => m !== from);
        return groupMessage(from, group, others, { now, ...(random() < 0.3 && { mentioned: [pick(others)] }) });
      }
      const from = pick(USERS);
      const to = pick(USERS.filter((u) => u !== from));
      return privateMessage(from, to, { now, sendbox: random() < 0.9 });
    };
    const someConversation = (owner: string): ConversationKey | undefined => {
      const list = model.entries.get(owner);
      return list === undefined || list.length === 0 ? undefined : pick(list).conversation;
    };

    const check = async (owner: string): Promise<void> => {
      checks++;
      const c = someConversation(owner);
      if (c !== undefined) {
        const times = model.of(owner, c).map((e) => e.time);
        // Times of the conversation's own entries, and of the owner's other ones (a segment without it).
        const anyTimes = (model.entries.get(owner) ?? []).map((e) => e.time);
        for (const order of [0, 1] as const) {
          const time = random() < 0.3 ? 0 : (pick(random() < 0.5 ? times : anyTimes) ?? 0) + (random() < 0.5 ? 0 : 1);
          const count = 1 + Math.floor(random() * 12);
          const page = await store.messages.history({ appKey: APP, owner, conversation: c, time, count, order });
          expect({ owner, c, time, count, order, uids: page.messages.map((e) => e.message.uid), hasMore: page.hasMore }).toEqual({
            owner, c, time, count, order, ...model.history(owner, c, time, count, order),
          });
        }
      }
      const pulled: string[] = [];
      let inbox = 0;
      let sendbox = 0;
      for (let pages = 0; pages < 1000; pages++) {
        const page = await store.messages.sync(APP, owner, inbox, sendbox, 1 + Math.floor(random() * 40), 0);
        pulled.push(...page.entries.map((e) => `${e.message.uid}/${e.direction}`));
        inbox = page.syncTime;
        sendbox = page.sendboxTime;
        if (!page.hasMore) break;
      }
      expect(pulled).toEqual((model.entries.get(owner) ?? []).map((e) => `${e.uid}/${e.direction}`));
      const listed = await store.conversations.list(APP, owner, 100, 0);
      expect(listed.map((s) => [`${s.conversation.type}|${s.conversation.targetId}`, s.latest.message.uid])).toEqual(model.conversations(owner));
      const unread = await store.unreadCounts.listInbox(APP, owner, Number.MAX_SAFE_INTEGER, 0, 100);
      expect(unread.items.map((i) => [i.conversation.type, i.conversation.targetId, i.count, i.mentionCount])).toEqual(model.unread(owner));
      // Several conversations in one read (their walks share decoded segments), one with no entries at all.
      const expected = model.unread(owner);
      const asked = [...expected.filter(() => random() < 0.5), [PRIVATE, 'nobody', 0, 0]];
      const counts = await store.unreadCounts.unreadOf(APP, owner, asked.map(([type, targetId]) => ({ type: type as number, targetId: targetId as string })), Number.MAX_SAFE_INTEGER, 0);
      expect(counts.map((i) => [i.conversation.type, i.conversation.targetId, i.count, i.mentionCount])).toEqual(asked);
    };

    for (let step = 0; step < 700; step++) {
      const roll = random();
      if (roll < 0.8) {
        await append(randomMessage());
      } else if (roll < 0.87) {
        await check(pick(USERS));
      } else if (roll < 0.93) {
        const owner = pick(USERS);
        const entry = pick(model.entries.get(owner) ?? []);
        if (entry === undefined) continue;
        await store.messages.deleteForOwner(APP, owner, entry.conversation, [entry.uid]);
        for (const e of model.entries.get(owner) ?? []) if (e.uid === entry.uid && e.conversation.targetId === entry.conversation.targetId) e.deleted = true;
      } else if (roll < 0.945) {
        // A read position (most conversations of a busy owner are read) or, rarely, the owner's floor.
        const owner = pick(USERS);
        const entry = pick(model.entries.get(owner) ?? []);
        if (entry === undefined) continue;
        if (random() < 0.9) {
          await store.readPositions.advance(APP, owner, [{ conversation: entry.conversation, readTime: entry.time }], now);
          const k = key(owner, entry.conversation);
          model.read.set(k, Math.max(model.read.get(k) ?? 0, entry.time));
        } else {
          await store.readPositions.advanceFloor(APP, owner, entry.time, now);
          model.floors.set(owner, Math.max(model.floors.get(owner) ?? 0, entry.time));
        }
      } else if (roll < 0.96) {
        const owner = pick(USERS);
        const entry = pick(model.entries.get(owner) ?? []);
        if (entry === undefined) continue;
        await store.messages.clearHistory(APP, owner, entry.conversation, entry.time);
        const k = key(owner, entry.conversation);
        model.cleared.set(k, Math.max(model.cleared.get(k) ?? 0, entry.time));
      } else {
        const owner = pick(USERS);
        const entry = pick((model.entries.get(owner) ?? []).filter((e) => e.direction === Direction.Send && !model.recalled.has(e.uid)));
        if (entry === undefined) continue;
        expect((await store.messages.recall(APP, entry.uid, owner)).ok).toBe(true);
        model.recalled.add(entry.uid);
      }
    }
    // One owner's long backlog: more entries than a segment holds when moves are rare.
    for (let i = 0; i < 600; i++) {
      now += 1;
      await append(privateMessage('u0', 'u1', { now }));
    }
    for (const owner of USERS) await check(owner);

    await store.close();
    store = new SqliteStore({ file, appendWriter, moveAtRows });
    await store.migrate();
    for (const owner of USERS) await check(owner);
    // New messages after the reopen join the chains that were there.
    for (let i = 0; i < 60; i++) await append(randomMessage());
    for (const owner of USERS) await check(owner);
    await store.close();
    expect(checks).toBeGreaterThan(40);
  }, 120_000);
});

describe('segments with several writers on one file (soleWriter: false)', () => {
  it('a move packs every pending row of its owners, the other process\'s too: nothing is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lianxin-segments-'));
    directories.push(dir);
    const file = join(dir, 'store.db');
    const first = new SqliteStore({ file, appendWriter: 'inline', moveAtRows: 4, soleWriter: false });
    await first.migrate();
    const second = new SqliteStore({ file, appendWriter: 'inline', moveAtRows: 4, soleWriter: false });
    await second.migrate();
    const uids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const store = i % 3 === 0 ? second : first;
      uids.push((await store.messages.append(privateMessage(`s${i % 4}`, 'x', { now: T0 + i }))).uid);
    }
    for (const store of [first, second]) {
      const page = await store.messages.sync(APP, 'x', 0, 0, 100, 0);
      expect(page.entries.map((e) => e.message.uid)).toEqual(uids);
      const history = await store.messages.history({ appKey: APP, owner: 'x', conversation: { type: PRIVATE, targetId: 's1' }, time: 0, count: 100, order: 0 });
      expect(history.messages.map((e) => e.message.uid)).toEqual(uids.filter((_, i) => i % 4 === 1).reverse());
    }
    await first.close();
    await second.close();
  });
});
