import { ROOM_FLAG_INCLUDE_SENDER, type NewChatroomMessage } from '../chatroom-repository';
import type { Store } from '../store';
import type { ContractContext } from './contract-support';
import { APP, OTHER_APP, T0, utf8 } from './contract-support';

function roomMessage(roomId: string, from: string, now: number, draft: { readonly flags?: number; readonly text?: string; readonly app?: string } = {}): NewChatroomMessage {
  return {
    appKey: draft.app ?? APP,
    roomId,
    fromUserId: from,
    objectName: 'RC:TxtMsg',
    content: utf8(JSON.stringify({ content: draft.text ?? 'hi' })),
    flags: draft.flags ?? 3,
    now,
  };
}

async function appendMany(store: Store, roomId: string, from: string, count: number, now: number, flags = 3): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push((await store.chatrooms.append(roomMessage(roomId, from, now, { flags, text: `m${i}` }))).sentTime);
  return times;
}

export function describeChatrooms(context: ContractContext): void {
  describe('chatrooms: rooms and members', () => {
    it('create is idempotent, renames only with a name, and get/list see the app only', async () => {
      const { chatrooms } = context.store;
      expect(await chatrooms.get(APP, 'r1')).toBeUndefined();
      const first = await chatrooms.create(APP, 'r1', 'Room', T0);
      expect(first).toEqual({
        created: true,
        room: { appKey: APP, roomId: 'r1', name: 'Room', createdTime: T0, activeTime: T0, timelineTime: 0, keepalive: false, muted: false, destroy: { type: 0, minutes: 0, at: 0 } },
      });
      expect((await chatrooms.create(APP, 'r1', '', T0 + 5)).created).toBe(false);
      expect((await chatrooms.get(APP, 'r1'))?.name).toBe('Room');
      expect((await chatrooms.create(APP, 'r1', 'New', T0 + 6)).room).toMatchObject({ name: 'New', createdTime: T0 });
      await chatrooms.create(APP, 'r0', '', T0);
      await chatrooms.create(OTHER_APP, 'x', '', T0);
      expect(await chatrooms.list(APP)).toEqual(['r0', 'r1']);
      expect(await chatrooms.get(OTHER_APP, 'r1')).toBeUndefined();
    });

    it('members keep their first join time, are counted and listed by join time both ways', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'r1', '', T0);
      expect(await chatrooms.join(APP, 'r1', 'u2', T0 + 20)).toEqual({ joinTime: T0 + 20, added: true });
      expect(await chatrooms.join(APP, 'r1', 'u1', T0 + 10)).toEqual({ joinTime: T0 + 10, added: true });
      await chatrooms.join(APP, 'r1', 'u3', T0 + 30);
      expect(await chatrooms.join(APP, 'r1', 'u1', T0 + 40)).toEqual({ joinTime: T0 + 10, added: false });
      expect(await chatrooms.members(APP, 'r1', 2, 'asc')).toEqual({ total: 3, members: [{ userId: 'u1', joinTime: T0 + 10 }, { userId: 'u2', joinTime: T0 + 20 }] });
      expect((await chatrooms.members(APP, 'r1', 10, 'desc')).members.map((m) => m.userId)).toEqual(['u3', 'u2', 'u1']);
      expect(await chatrooms.members(APP, 'r1', 0, 'asc')).toEqual({ total: 3, members: [] });
      expect(await chatrooms.leave(APP, 'r1', 'u2')).toBe(true);
      expect(await chatrooms.leave(APP, 'r1', 'u2')).toBe(false);
      expect((await chatrooms.members(APP, 'r1', 10, 'asc')).total).toBe(2);
      await expect(chatrooms.join(APP, 'missing', 'u1', T0)).rejects.toThrow();
    });

    it('a join marks the room active and raises its timeline clock', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'r1', '', T0);
      await chatrooms.join(APP, 'r1', 'u1', T0 + 500);
      expect(await chatrooms.get(APP, 'r1')).toMatchObject({ activeTime: T0 + 500, timelineTime: T0 + 500 });
      // A message in the same millisecond as the join is still strictly newer than it.
      expect((await chatrooms.append(roomMessage('r1', 'u1', T0 + 500))).sentTime).toBe(T0 + 501);
    });

    it('join with maxMembers: a new member is refused (full, nothing changed) once the room has that many; members rejoin', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'cap', '', T0);
      expect(await chatrooms.join(APP, 'cap', 'u1', T0 + 1, 2)).toEqual({ joinTime: T0 + 1, added: true });
      expect(await chatrooms.join(APP, 'cap', 'u2', T0 + 2, 2)).toEqual({ joinTime: T0 + 2, added: true });
      expect(await chatrooms.join(APP, 'cap', 'u3', T0 + 3, 2)).toEqual({ joinTime: 0, added: false, full: true });
      expect(await chatrooms.join(APP, 'cap', 'u1', T0 + 4, 2)).toEqual({ joinTime: T0 + 1, added: false });
      expect((await chatrooms.members(APP, 'cap', 10, 'asc')).members.map((m) => m.userId)).toEqual(['u1', 'u2']);
      expect(await chatrooms.join(APP, 'cap', 'u3', T0 + 5, 0)).toEqual({ joinTime: T0 + 5, added: true });
    });

    it('memberJoinTime: the join time of a member, undefined for a non-member, a left member and an unknown room', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'j1', '', T0);
      const { joinTime } = await chatrooms.join(APP, 'j1', 'u1', T0 + 10);
      expect(await chatrooms.memberJoinTime(APP, 'j1', 'u1')).toBe(joinTime);
      expect(await chatrooms.memberJoinTime(APP, 'j1', 'u2')).toBeUndefined();
      expect(await chatrooms.memberJoinTime(OTHER_APP, 'j1', 'u1')).toBeUndefined();
      expect(await chatrooms.memberJoinTime(APP, 'nope', 'u1')).toBeUndefined();
      await chatrooms.leave(APP, 'j1', 'u1');
      expect(await chatrooms.memberJoinTime(APP, 'j1', 'u1')).toBeUndefined();
    });

    it('roomsOf lists the rooms of one user in one app', async () => {
      const { chatrooms } = context.store;
      for (const id of ['b', 'a', 'c']) await chatrooms.create(APP, id, '', T0);
      await chatrooms.create(OTHER_APP, 'a', '', T0);
      await chatrooms.join(APP, 'b', 'u1', T0);
      await chatrooms.join(APP, 'a', 'u1', T0);
      await chatrooms.join(APP, 'c', 'u2', T0);
      await chatrooms.join(OTHER_APP, 'a', 'u1', T0);
      expect(await chatrooms.roomsOf(APP, 'u1')).toEqual(['a', 'b']);
      expect(await chatrooms.roomsOf(OTHER_APP, 'u1')).toEqual(['a']);
      expect(await chatrooms.roomsOf(APP, 'nobody')).toEqual([]);
    });

    it('flags set and list keepalive and muted rooms; idle skips keepalive rooms', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'old', '', T0);
      await chatrooms.create(APP, 'kept', '', T0);
      await chatrooms.create(OTHER_APP, 'other', '', T0 + 1);
      await chatrooms.create(APP, 'fresh', '', T0 + 1000);
      expect(await chatrooms.setFlag(APP, 'kept', 'keepalive', true)).toBe(true);
      expect(await chatrooms.setFlag(APP, 'missing', 'keepalive', true)).toBe(false);
      await chatrooms.setFlag(APP, 'old', 'muted', true);
      expect(await chatrooms.flagged(APP, 'keepalive')).toEqual(['kept']);
      expect(await chatrooms.flagged(APP, 'muted')).toEqual(['old']);
      expect(await chatrooms.idle(APP, T0 + 500, 10)).toEqual(['old']);
      expect(await chatrooms.idle(OTHER_APP, T0 + 500, 10)).toEqual(['other']);
      expect(await chatrooms.idle(APP, T0 + 1500, 1)).toEqual(['old']);
      // Activity (a message) moves a room out of the idle set.
      await chatrooms.append(roomMessage('old', 'u1', T0 + 2000));
      expect(await chatrooms.idle(APP, T0 + 1500, 10)).toEqual(['fresh']);
      await chatrooms.setFlag(APP, 'kept', 'keepalive', false);
      expect(await chatrooms.idle(APP, T0 + 1500, 10)).toEqual(['kept', 'fresh']);
    });

    it('timed rooms: create stores the destroy setting, an existing room keeps it, due lists rooms past the deadline, idle skips them', async () => {
      const { chatrooms } = context.store;
      const timed = { type: 1, minutes: 60, at: T0 + 100 } as const;
      expect((await chatrooms.create(APP, 't1', '', T0, timed)).room.destroy).toEqual(timed);
      expect((await chatrooms.create(APP, 't1', '', T0 + 1, { type: 1, minutes: 90, at: T0 + 900 })).room.destroy).toEqual(timed);
      await chatrooms.create(APP, 't2', '', T0, { type: 1, minutes: 60, at: T0 + 50 });
      await chatrooms.create(APP, 'plain', '', T0);
      await chatrooms.create(OTHER_APP, 't3', '', T0, timed);
      expect(await chatrooms.due(APP, T0 + 49, 10)).toEqual([]);
      expect(await chatrooms.due(APP, T0 + 100, 10)).toEqual(['t2', 't1']);
      expect(await chatrooms.due(APP, T0 + 100, 1)).toEqual(['t2']);
      expect(await chatrooms.due(OTHER_APP, T0 + 100, 10)).toEqual(['t3']);
      // Timed rooms are never idle; destroy type 0 makes them idle rooms again, with no deadline.
      expect(await chatrooms.idle(APP, T0 + 500, 10)).toEqual(['plain']);
      expect(await chatrooms.setDestroy(APP, 't2', { type: 0, minutes: 0, at: 0 })).toBe(true);
      expect(await chatrooms.setDestroy(APP, 'missing', timed)).toBe(false);
      expect(await chatrooms.due(APP, T0 + 1000, 10)).toEqual(['t1']);
      expect((await chatrooms.get(APP, 't2'))?.destroy).toEqual({ type: 0, minutes: 0, at: 0 });
      expect((await chatrooms.idle(APP, T0 + 500, 10)).slice().sort()).toEqual(['plain', 't2']);
      await chatrooms.destroy(APP, 't1');
      expect(await chatrooms.due(APP, T0 + 1000, 10)).toEqual([]);
    });

    it('destroy removes the room with its members, timeline, entries and room marks, and reports the members', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'r1', '', T0);
      await chatrooms.join(APP, 'r1', 'u2', T0);
      await chatrooms.join(APP, 'r1', 'u1', T0);
      await chatrooms.append(roomMessage('r1', 'u1', T0 + 1));
      await chatrooms.setEntry(APP, 'r1', { key: 'k', value: 'v', userId: 'u1', autoDelete: false, force: false }, 100, T0);
      await chatrooms.mark(APP, 'gag', 'r1', ['u1'], 0, T0);
      await chatrooms.mark(APP, 'ban', '', ['u1'], 0, T0);
      expect(await chatrooms.destroy(APP, 'r1')).toEqual(['u1', 'u2']);
      expect(await chatrooms.destroy(APP, 'r1')).toBeUndefined();
      expect(await chatrooms.get(APP, 'r1')).toBeUndefined();
      expect(await chatrooms.roomsOf(APP, 'u1')).toEqual([]);
      await chatrooms.create(APP, 'r1', '', T0 + 10);
      expect((await chatrooms.since(APP, 'r1', 0, 10)).messages).toEqual([]);
      expect(await chatrooms.entries(APP, 'r1')).toEqual([]);
      expect(await chatrooms.isMarked(APP, 'gag', 'r1', 'u1', T0)).toBe(false);
      // App-wide marks are not the room's.
      expect(await chatrooms.isMarked(APP, 'ban', '', 'u1', T0)).toBe(true);
    });
  });

  describe('chatrooms: timeline', () => {
    it('append assigns strictly increasing times per room and unique uids', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'r1', '', T0);
      await chatrooms.create(APP, 'r2', '', T0);
      const a = await chatrooms.append(roomMessage('r1', 'u1', T0 + 10));
      const b = await chatrooms.append(roomMessage('r1', 'u2', T0 + 10));
      const c = await chatrooms.append(roomMessage('r1', 'u2', T0 + 5));
      const other = await chatrooms.append(roomMessage('r2', 'u1', T0 + 10));
      expect([a.sentTime, b.sentTime, c.sentTime]).toEqual([T0 + 10, T0 + 11, T0 + 12]);
      expect(other.sentTime).toBe(T0 + 10);
      expect(new Set([a.uid, b.uid, c.uid, other.uid]).size).toBe(4);
      expect(a).toMatchObject({ appKey: APP, roomId: 'r1', fromUserId: 'u1', objectName: 'RC:TxtMsg', flags: 3 });
      expect(await chatrooms.get(APP, 'r1')).toMatchObject({ timelineTime: T0 + 12, activeTime: T0 + 10 });
      await expect(chatrooms.append(roomMessage('missing', 'u1', T0))).rejects.toThrow();
    });

    it('since pages ascending after a cursor, can leave one sender out, and reports the clock', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'r1', '', T0);
      const mine = await appendMany(context.store, 'r1', 'u1', 2, T0);
      const theirs = await appendMany(context.store, 'r1', 'u2', 3, T0, 0);
      const all = await chatrooms.since(APP, 'r1', 0, 10);
      expect(all.messages.map((m) => m.sentTime)).toEqual([...mine, ...theirs]);
      expect(all).toMatchObject({ hasMore: false, timelineTime: theirs[2] });
      const page = await chatrooms.since(APP, 'r1', mine[0]!, 2);
      expect(page.messages.map((m) => m.sentTime)).toEqual([mine[1], theirs[0]]);
      expect(page.hasMore).toBe(true);
      const others = await chatrooms.since(APP, 'r1', 0, 10, 'u1');
      expect(others.messages.map((m) => m.fromUserId)).toEqual(['u2', 'u2', 'u2']);
      // Non-persisted messages are in the timeline (pulls need them) with their flags.
      expect(others.messages[0]?.flags).toBe(0);
      // A message flagged for its sender too is not left out of that sender's page.
      const included = (await chatrooms.append(roomMessage('r1', 'u1', T0, { flags: ROOM_FLAG_INCLUDE_SENDER }))).sentTime;
      expect((await chatrooms.since(APP, 'r1', theirs[2]!, 10, 'u1')).messages.map((m) => [m.sentTime, m.flags])).toEqual([[included, ROOM_FLAG_INCLUDE_SENDER]]);
      expect(await chatrooms.since(APP, 'missing', 0, 10)).toEqual({ messages: [], hasMore: false, timelineTime: 0 });
    });

    it('latest and history show persisted messages only, newest first for history', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'r1', '', T0);
      const stored = await appendMany(context.store, 'r1', 'u1', 5, T0);
      await appendMany(context.store, 'r1', 'u1', 2, T0, 0);
      const latest = await chatrooms.latest(APP, 'r1', 3);
      expect(latest.messages.map((m) => m.sentTime)).toEqual(stored.slice(2));
      // The clock covers the non-persisted messages too: a cursor set to it is past everything notified.
      expect(latest).toMatchObject({ hasMore: true, timelineTime: T0 + 6 });
      expect(await chatrooms.latest(APP, 'r1', 0)).toEqual({ messages: [], hasMore: false, timelineTime: T0 + 6 });
      expect((await chatrooms.latest(APP, 'r1', 50)).hasMore).toBe(false);
      const older = await chatrooms.history(APP, 'r1', 0, 2, 0);
      expect(older.messages.map((m) => m.sentTime)).toEqual([stored[4], stored[3]]);
      expect(older.hasMore).toBe(true);
      const before = await chatrooms.history(APP, 'r1', stored[2]!, 10, 0);
      expect(before).toEqual({ messages: expect.any(Array), hasMore: false });
      expect(before.messages.map((m) => m.sentTime)).toEqual([stored[1], stored[0]]);
      const newer = await chatrooms.history(APP, 'r1', stored[1]!, 2, 1);
      expect(newer.messages.map((m) => m.sentTime)).toEqual([stored[3], stored[2]]);
      expect(newer.hasMore).toBe(true);
      expect((await chatrooms.history(APP, 'r1', stored[3]!, 5, 1)).hasMore).toBe(false);
    });

    it('pruneMessages drops old messages of every room and app but keeps the clock', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'r1', '', T0);
      await chatrooms.create(OTHER_APP, 'r1', '', T0);
      await chatrooms.append(roomMessage('r1', 'u1', T0));
      await chatrooms.append(roomMessage('r1', 'u1', T0, { app: OTHER_APP }));
      const kept = await chatrooms.append(roomMessage('r1', 'u1', T0 + 1000));
      expect(await chatrooms.pruneMessages(T0 + 500)).toBe(2);
      expect((await chatrooms.since(APP, 'r1', 0, 10)).messages.map((m) => m.uid)).toEqual([kept.uid]);
      expect((await chatrooms.append(roomMessage('r1', 'u1', T0))).sentTime).toBe(T0 + 1001);
    });

    it('clearMessages deletes one room\'s messages up to a time from every read, keeps the clock and the other rooms', async () => {
      const { chatrooms, messageLog } = context.store;
      await chatrooms.create(APP, 'r1', '', T0);
      await chatrooms.create(APP, 'r2', '', T0);
      await chatrooms.create(OTHER_APP, 'r1', '', T0);
      const gone = [await chatrooms.append(roomMessage('r1', 'u1', T0 + 1)), await chatrooms.append(roomMessage('r1', 'u2', T0 + 2))];
      const notPersisted = await chatrooms.append(roomMessage('r1', 'u1', T0 + 3, { flags: 0 }));
      const kept = await chatrooms.append(roomMessage('r1', 'u2', T0 + 4));
      const otherRoom = await chatrooms.append(roomMessage('r2', 'u1', T0 + 1));
      const otherApp = await chatrooms.append(roomMessage('r1', 'u1', T0 + 1, { app: OTHER_APP }));

      // Up to and including the time given; persisted or not.
      expect(await chatrooms.clearMessages(APP, 'r1', notPersisted.sentTime)).toBe(3);
      expect((await chatrooms.since(APP, 'r1', 0, 10)).messages).toEqual([kept]);
      expect(await chatrooms.latest(APP, 'r1', 10)).toEqual({ messages: [kept], hasMore: false, timelineTime: kept.sentTime });
      expect((await chatrooms.history(APP, 'r1', 0, 10, 0)).messages).toEqual([kept]);
      expect((await chatrooms.history(APP, 'r1', 0, 10, 1)).messages).toEqual([kept]);
      for (const message of gone) expect(await chatrooms.message(APP, message.uid)).toBeUndefined();
      expect(await chatrooms.recall(APP, 'r1', gone[0]!.uid, undefined)).toEqual({ ok: false, reason: 'not-found' });
      const logged = await messageLog.between(APP, T0, T0 + 100, undefined, 10);
      expect(logged.filter((m) => m.conversationType === 4).map((m) => m.uid)).toEqual([otherRoom.uid, kept.uid]);
      // Other rooms and apps keep theirs; the room's clock stays, so the next append comes after everything.
      expect((await chatrooms.since(APP, 'r2', 0, 10)).messages).toEqual([otherRoom]);
      expect((await chatrooms.since(OTHER_APP, 'r1', 0, 10)).messages).toEqual([otherApp]);
      expect((await chatrooms.get(APP, 'r1'))?.timelineTime).toBe(kept.sentTime);
      const later = await chatrooms.append(roomMessage('r1', 'u1', T0));
      expect(later.sentTime).toBe(kept.sentTime + 1);

      // Everything so far (the largest time); an unknown room has nothing to delete. It lasts.
      expect(await chatrooms.clearMessages(APP, 'r1', Number.MAX_SAFE_INTEGER)).toBe(2);
      expect(await chatrooms.clearMessages(APP, 'no-such-room', Number.MAX_SAFE_INTEGER)).toBe(0);
      const reopened = await context.reopen();
      expect((await reopened.chatrooms.since(APP, 'r1', 0, 10)).messages).toEqual([]);
      expect((await reopened.chatrooms.latest(APP, 'r1', 10)).timelineTime).toBe(later.sentTime);
      expect((await reopened.chatrooms.since(APP, 'r2', 0, 10)).messages).toEqual([otherRoom]);
    });
  });

  describe('chatrooms: marks and lists', () => {
    it('marks expire, can be lifted, and are scoped by kind, room and app', async () => {
      const { chatrooms } = context.store;
      await chatrooms.mark(APP, 'gag', 'r1', ['u2', 'u1'], T0 + 1000, T0);
      await chatrooms.mark(APP, 'whitelist', 'r1', ['u3'], 0, T0 + 5);
      expect(await chatrooms.marks(APP, 'gag', 'r1', T0 + 10)).toEqual([
        { userId: 'u1', until: T0 + 1000, since: T0 },
        { userId: 'u2', until: T0 + 1000, since: T0 },
      ]);
      expect(await chatrooms.isMarked(APP, 'gag', 'r1', 'u1', T0 + 999)).toBe(true);
      expect(await chatrooms.isMarked(APP, 'gag', 'r1', 'u1', T0 + 1000)).toBe(false);
      expect(await chatrooms.isMarked(APP, 'gag', 'r2', 'u1', T0)).toBe(false);
      expect(await chatrooms.isMarked(APP, 'block', 'r1', 'u1', T0)).toBe(false);
      expect(await chatrooms.isMarked(OTHER_APP, 'gag', 'r1', 'u1', T0)).toBe(false);
      expect(await chatrooms.marks(APP, 'gag', 'r1', T0 + 2000)).toEqual([]);
      expect(await chatrooms.marks(APP, 'whitelist', 'r1', T0 + 10 ** 9)).toEqual([{ userId: 'u3', until: 0, since: T0 + 5 }]);
      await chatrooms.mark(APP, 'block', 'r1', ['u1'], T0 + 50, T0);
      await chatrooms.mark(APP, 'block', 'r1', ['u1'], T0 + 500, T0 + 1);
      expect(await chatrooms.marks(APP, 'block', 'r1', T0 + 100)).toEqual([{ userId: 'u1', until: T0 + 500, since: T0 + 1 }]);
      await chatrooms.unmark(APP, 'block', 'r1', ['u1', 'ghost']);
      expect(await chatrooms.isMarked(APP, 'block', 'r1', 'u1', T0 + 100)).toBe(false);
    });

    it('standing combines gags, app-wide bans, room mute with its whitelist, and the type lists', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'r1', '', T0);
      const clear = { silenced: false, roomMuted: false, whitelistedType: false, lowPriority: false };
      expect(await chatrooms.standing(APP, 'r1', 'u1', 'RC:TxtMsg', T0)).toEqual(clear);
      await chatrooms.mark(APP, 'gag', 'r1', ['u1'], T0 + 100, T0);
      expect((await chatrooms.standing(APP, 'r1', 'u1', 'RC:TxtMsg', T0)).silenced).toBe(true);
      expect((await chatrooms.standing(APP, 'r1', 'u1', 'RC:TxtMsg', T0 + 100)).silenced).toBe(false);
      await chatrooms.mark(APP, 'ban', '', ['u2'], 0, T0);
      expect((await chatrooms.standing(APP, 'r1', 'u2', 'RC:TxtMsg', T0)).silenced).toBe(true);
      await chatrooms.setFlag(APP, 'r1', 'muted', true);
      await chatrooms.mark(APP, 'muteWhitelist', 'r1', ['u3'], 0, T0);
      expect((await chatrooms.standing(APP, 'r1', 'u1', 'RC:TxtMsg', T0 + 200)).roomMuted).toBe(true);
      expect((await chatrooms.standing(APP, 'r1', 'u3', 'RC:TxtMsg', T0)).roomMuted).toBe(false);
      await chatrooms.setAppList(APP, 'messageWhitelist', ['App:Gift', 'App:Gift'], true);
      await chatrooms.setAppList(APP, 'lowPriority', ['App:Like', 'App:Emoji'], true);
      expect(await chatrooms.standing(APP, 'r1', 'u3', 'App:Gift', T0)).toEqual({ ...clear, whitelistedType: true });
      expect((await chatrooms.standing(APP, 'r1', 'u3', 'App:Like', T0)).lowPriority).toBe(true);
      expect(await chatrooms.appList(APP, 'lowPriority')).toEqual(['App:Emoji', 'App:Like']);
      expect(await chatrooms.appList(OTHER_APP, 'lowPriority')).toEqual([]);
      await chatrooms.setAppList(APP, 'lowPriority', ['App:Like'], false);
      expect(await chatrooms.appList(APP, 'lowPriority')).toEqual(['App:Emoji']);
    });
  });

  describe('chatrooms: recall', () => {
    it('message finds a room message by uid; recall checks room, sender and state, and hides it from every read', async () => {
      const { chatrooms, messageLog } = context.store;
      await chatrooms.create(APP, 'r1', '', T0);
      await chatrooms.create(APP, 'r2', '', T0);
      const kept = await chatrooms.append(roomMessage('r1', 'u2', T0 + 1, { text: 'kept' }));
      const target = await chatrooms.append(roomMessage('r1', 'u1', T0 + 2, { text: 'secret' }));
      const other = await chatrooms.append(roomMessage('r2', 'u1', T0 + 3, { text: 'elsewhere' }));

      expect(await chatrooms.message(APP, target.uid)).toEqual(target);
      expect(await chatrooms.message(OTHER_APP, target.uid)).toBeUndefined();
      expect(await chatrooms.message(APP, 'NO-SUCH-UID')).toBeUndefined();

      expect(await chatrooms.recall(APP, 'r1', 'NO-SUCH-UID', 'u1')).toEqual({ ok: false, reason: 'not-found' });
      expect(await chatrooms.recall(APP, 'r2', target.uid, 'u1')).toEqual({ ok: false, reason: 'not-found' });
      expect(await chatrooms.recall(OTHER_APP, 'r1', target.uid, 'u1')).toEqual({ ok: false, reason: 'not-found' });
      expect(await chatrooms.recall(APP, 'r1', target.uid, 'u2')).toEqual({ ok: false, reason: 'not-sender' });
      // Refusals change nothing.
      expect((await chatrooms.since(APP, 'r1', 0, 10)).messages.map((m) => m.uid)).toEqual([kept.uid, target.uid]);

      expect(await chatrooms.recall(APP, 'r1', target.uid, 'u1')).toEqual({ ok: true, message: target });
      expect(await chatrooms.recall(APP, 'r1', target.uid, 'u1')).toEqual({ ok: false, reason: 'already-recalled' });
      expect(await chatrooms.recall(APP, 'r1', target.uid, undefined)).toEqual({ ok: false, reason: 'already-recalled' });

      expect(await chatrooms.message(APP, target.uid)).toBeUndefined();
      expect((await chatrooms.since(APP, 'r1', 0, 10)).messages).toEqual([kept]);
      expect((await chatrooms.since(APP, 'r1', 0, 10, 'u2')).messages).toEqual([]);
      expect(await chatrooms.latest(APP, 'r1', 10)).toMatchObject({ messages: [kept], hasMore: false, timelineTime: target.sentTime });
      expect((await chatrooms.history(APP, 'r1', 0, 10, 0)).messages).toEqual([kept]);
      expect((await chatrooms.history(APP, 'r1', T0, 10, 1)).messages).toEqual([kept]);
      // The room clock and the other room are untouched; the message log marks it recalled.
      expect((await chatrooms.get(APP, 'r1'))?.timelineTime).toBe(target.sentTime);
      expect((await chatrooms.since(APP, 'r2', 0, 10)).messages).toEqual([other]);
      const logged = await messageLog.between(APP, T0, T0 + 100, undefined, 10);
      expect(logged.filter((m) => m.conversationType === 4).map((m) => [m.uid, m.recalled])).toEqual([[kept.uid, false], [target.uid, true], [other.uid, false]]);
    });

    it('an admin recall (no sender) marks any sender\'s message, and the mark survives a reopen', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'r1', '', T0);
      const target = await chatrooms.append(roomMessage('r1', 'u1', T0 + 1));
      const after = await chatrooms.append(roomMessage('r1', 'u2', T0 + 2));
      expect(await chatrooms.recall(APP, 'r1', target.uid, undefined)).toEqual({ ok: true, message: target });
      const reopened = await context.reopen();
      expect((await reopened.chatrooms.since(APP, 'r1', 0, 10)).messages).toEqual([after]);
      expect(await reopened.chatrooms.message(APP, target.uid)).toBeUndefined();
      expect(await reopened.chatrooms.recall(APP, 'r1', target.uid, 'u1')).toEqual({ ok: false, reason: 'already-recalled' });
    });
  });

  describe('chatrooms: durability', () => {
    it('rooms, members, timeline, entries and marks survive a reopen', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(APP, 'r1', 'Room', T0);
      await chatrooms.join(APP, 'r1', 'u1', T0 + 1);
      const message = await chatrooms.append(roomMessage('r1', 'u1', T0 + 2));
      await chatrooms.setEntry(APP, 'r1', { key: 'k', value: 'v', userId: 'u1', autoDelete: true, force: false }, 100, T0 + 3);
      await chatrooms.mark(APP, 'block', 'r1', ['u9'], 0, T0);
      await chatrooms.setAppList(APP, 'lowPriority', ['App:Like'], true);
      const reopened = await context.reopen();
      expect(await reopened.chatrooms.get(APP, 'r1')).toMatchObject({ name: 'Room', timelineTime: message.sentTime });
      expect((await reopened.chatrooms.members(APP, 'r1', 10, 'asc')).members).toEqual([{ userId: 'u1', joinTime: T0 + 1 }]);
      expect((await reopened.chatrooms.since(APP, 'r1', 0, 10)).messages).toEqual([message]);
      expect(await reopened.chatrooms.entries(APP, 'r1')).toMatchObject([{ key: 'k', value: 'v', autoDelete: true }]);
      expect(await reopened.chatrooms.isMarked(APP, 'block', 'r1', 'u9', T0)).toBe(true);
      expect(await reopened.chatrooms.appList(APP, 'lowPriority')).toEqual(['App:Like']);
    });
  });
}
