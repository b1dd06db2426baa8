import type { NewCallback } from '../callback-queue-repository';
import type { ContractContext } from './contract-support';
import { APP, OTHER_APP, privateMessage, T0, text, utf8 } from './contract-support';

function callback(body: string, draft: { readonly app?: string; readonly kind?: NewCallback['kind'] } = {}): NewCallback {
  return { appKey: draft.app ?? APP, kind: draft.kind ?? 'route', contentType: 'application/x-www-form-urlencoded', body };
}

export function describeServerApiState(context: ContractContext): void {
  describe('user lists (blacklist / whitelist)', () => {
    it('adds idempotently, counts, checks membership and keeps owners, kinds and apps apart', async () => {
      const lists = context.store.userLists;
      expect(await lists.add(APP, 'u1', 'black', ['b', 'a', 'b'], T0)).toBe(2);
      expect(await lists.add(APP, 'u1', 'black', ['a', 'c'], T0)).toBe(3);
      await lists.add(APP, 'u1', 'white', ['w'], T0);
      await lists.add(OTHER_APP, 'u1', 'black', ['z'], T0);
      expect(await lists.count(APP, 'u1', 'black')).toBe(3);
      expect(await lists.contains(APP, 'u1', 'black', 'a')).toBe(true);
      expect(await lists.contains(APP, 'u1', 'black', 'w')).toBe(false);
      expect(await lists.contains(APP, 'u1', 'white', 'w')).toBe(true);
      expect(await lists.contains(APP, 'u2', 'black', 'a')).toBe(false);
      expect(await lists.contains(APP, 'u1', 'black', 'z')).toBe(false);
      await lists.remove(APP, 'u1', 'black', ['a', 'nobody']);
      expect(await lists.contains(APP, 'u1', 'black', 'a')).toBe(false);
      expect(await lists.count(APP, 'u1', 'black')).toBe(2);
    });

    it('pages by user id with a cursor and tells which owners list a user', async () => {
      const lists = context.store.userLists;
      await lists.add(APP, 'o', 'black', ['d', 'b', 'a', 'c', 'e'], T0);
      const first = await lists.page(APP, 'o', 'black', '', 2);
      expect(first).toEqual({ userIds: ['a', 'b'], next: 'b' });
      const second = await lists.page(APP, 'o', 'black', first.next ?? '', 2);
      expect(second).toEqual({ userIds: ['c', 'd'], next: 'd' });
      expect(await lists.page(APP, 'o', 'black', 'd', 2)).toEqual({ userIds: ['e'] });
      expect(await lists.page(APP, 'o', 'black', '', 5)).toEqual({ userIds: ['a', 'b', 'c', 'd', 'e'] });
      await lists.add(APP, 'p', 'black', ['x'], T0);
      await lists.add(APP, 'q', 'black', ['x'], T0);
      await lists.add(APP, 'r', 'white', ['x'], T0);
      const owners = Array.from({ length: 1200 }, (_, i) => `n${i}`).concat(['p', 'q', 'r']);
      expect([...(await lists.ownersListing(APP, owners, 'black', 'x'))].sort()).toEqual(['p', 'q']);
      expect((await lists.ownersListing(OTHER_APP, owners, 'black', 'x')).size).toBe(0);
    });

    it('lists users blocked after `now` (by user id, with offset and limit) and registered users', async () => {
      const { users, userLists } = context.store;
      for (const id of ['c', 'a', 'b', 'd']) await users.upsert(APP, id, {}, T0);
      await users.setBlockedUntil(APP, 'c', T0 + 100, T0);
      await users.setBlockedUntil(APP, 'a', T0 + 200, T0);
      await users.setBlockedUntil(APP, 'b', T0 - 1, T0);
      await users.upsert(OTHER_APP, 'a', {}, T0);
      await users.setBlockedUntil(OTHER_APP, 'a', T0 + 500, T0);
      expect(await userLists.blocked(APP, T0, 0, 10)).toEqual([
        { userId: 'a', blockedUntil: T0 + 200 },
        { userId: 'c', blockedUntil: T0 + 100 },
      ]);
      expect(await userLists.blocked(APP, T0, 1, 10)).toEqual([{ userId: 'c', blockedUntil: T0 + 100 }]);
      expect(await userLists.blocked(APP, T0 + 150, 0, 10)).toEqual([{ userId: 'a', blockedUntil: T0 + 200 }]);
      expect(await userLists.registered(APP, '', 3)).toEqual(['a', 'b', 'c']);
      expect(await userLists.registered(APP, 'c', 3)).toEqual(['d']);
      expect(await userLists.registered(OTHER_APP, '', 10)).toEqual(['a']);
    });

    it('lists the blocks made after a time and still in force, in every app, oldest first; an unblock removes one', async () => {
      const { users, userLists } = context.store;
      for (const id of ['a', 'b', 'c', 'd', 'e']) await users.upsert(APP, id, {}, T0);
      await users.upsert(OTHER_APP, 'a', {}, T0);
      await users.setBlockedUntil(APP, 'a', T0 + 60_000, T0 + 30);
      await users.setBlockedUntil(APP, 'b', T0 + 60_000, T0 + 10);
      await users.setBlockedUntil(OTHER_APP, 'a', T0 + 60_000, T0 + 10);
      await users.setBlockedUntil(APP, 'c', T0 + 60_000, T0 - 5);
      await users.setBlockedUntil(APP, 'd', T0 + 20, T0 + 15);
      await users.setBlockedUntil(APP, 'e', T0 + 60_000, T0 + 40);
      await users.setBlockedUntil(APP, 'e', 0, T0 + 50);
      expect(await userLists.blockedSince(T0, T0 + 100, 0, 10)).toEqual([
        { appKey: APP, userId: 'b', blockedAt: T0 + 10 },
        { appKey: OTHER_APP, userId: 'a', blockedAt: T0 + 10 },
        { appKey: APP, userId: 'a', blockedAt: T0 + 30 },
      ]);
      expect(await userLists.blockedSince(T0, T0 + 10, 0, 10)).toEqual([
        { appKey: APP, userId: 'b', blockedAt: T0 + 10 },
        { appKey: OTHER_APP, userId: 'a', blockedAt: T0 + 10 },
        { appKey: APP, userId: 'd', blockedAt: T0 + 15 },
        { appKey: APP, userId: 'a', blockedAt: T0 + 30 },
      ]);
      expect(await userLists.blockedSince(T0 + 10, T0 + 100, 0, 10)).toEqual([{ appKey: APP, userId: 'a', blockedAt: T0 + 30 }]);
      expect(await userLists.blockedSince(T0, T0 + 100, 1, 1)).toEqual([{ appKey: OTHER_APP, userId: 'a', blockedAt: T0 + 10 }]);
      expect(await userLists.blockedSince(T0 - 10, T0 + 100, 0, 10)).toHaveLength(4);
    });
  });

  describe('chat bans (user/chat/fb)', () => {
    it('bans and lifts per app and kind, keeps the first ban time, pages in ban order with a total, and survives a reopen', async () => {
      const bans = context.store.chatBans;
      expect(await bans.isBanned(APP, 'PERSON', 'u1')).toBe(false);
      expect(await bans.page(APP, 'PERSON', 0, 10)).toEqual({ total: 0, userIds: [] });
      await bans.set(APP, 'PERSON', ['u3', 'u1', 'u3'], true, T0);
      await bans.set(APP, 'PERSON', ['u2'], true, T0 + 1);
      // Banning again keeps u1's place (its first ban time).
      await bans.set(APP, 'PERSON', ['u1'], true, T0 + 2);
      await bans.set(APP, 'GROUP', ['g1'], true, T0);
      await bans.set(OTHER_APP, 'PERSON', ['u9'], true, T0);
      expect(await bans.isBanned(APP, 'PERSON', 'u1')).toBe(true);
      expect(await bans.isBanned(APP, 'GROUP', 'u1')).toBe(false);
      expect(await bans.isBanned(APP, 'GROUP', 'g1')).toBe(true);
      expect(await bans.isBanned(APP, 'PERSON', 'u9')).toBe(false);
      expect(await bans.page(APP, 'PERSON', 0, 10)).toEqual({ total: 3, userIds: ['u1', 'u3', 'u2'] });
      expect(await bans.page(APP, 'PERSON', 1, 1)).toEqual({ total: 3, userIds: ['u3'] });
      expect(await bans.page(APP, 'PERSON', 3, 10)).toEqual({ total: 3, userIds: [] });
      expect(await bans.page(OTHER_APP, 'PERSON', 0, 10)).toEqual({ total: 1, userIds: ['u9'] });

      await bans.set(APP, 'PERSON', ['u1', 'nobody'], false, T0 + 3);
      expect(await bans.isBanned(APP, 'PERSON', 'u1')).toBe(false);
      expect(await bans.page(APP, 'PERSON', 0, 10)).toEqual({ total: 2, userIds: ['u3', 'u2'] });
      expect(await bans.isBanned(APP, 'GROUP', 'g1')).toBe(true);
      await bans.set(APP, 'PERSON', [], true, T0 + 4);

      const reopened = await context.reopen();
      expect(await reopened.chatBans.page(APP, 'PERSON', 0, 10)).toEqual({ total: 2, userIds: ['u3', 'u2'] });
      expect(await reopened.chatBans.isBanned(APP, 'GROUP', 'g1')).toBe(true);
    });
  });

  describe('callback queue', () => {
    it('delivers each stream in order through its head, and postponing a head holds its stream only', async () => {
      const queue = context.store.callbackQueue;
      expect(await queue.nextDue()).toBeUndefined();
      await queue.enqueue([callback('r1'), callback('s1', { kind: 'userStatus' }), callback('r2'), callback('o1', { app: OTHER_APP })], T0, 100);
      expect(await queue.size()).toBe(4);
      expect(await queue.size(APP)).toBe(3);
      const heads = await queue.heads(T0, 10);
      expect(heads.map((h) => h.body)).toEqual(['r1', 's1', 'o1']);
      expect(heads[0]).toMatchObject({ appKey: APP, kind: 'route', attempts: 0, notBefore: T0, createdTime: T0, contentType: 'application/x-www-form-urlencoded' });
      expect(await queue.heads(T0 - 1, 10)).toEqual([]);
      const r1 = heads[0]?.id ?? -1;
      await queue.postpone(r1, T0 + 1000);
      expect((await queue.heads(T0 + 10, 10)).map((h) => h.body)).toEqual(['s1', 'o1']);
      expect(await queue.nextDue()).toBe(T0);
      const late = await queue.heads(T0 + 1000, 10);
      expect(late.find((h) => h.body === 'r1')?.attempts).toBe(1);
      await queue.remove(r1);
      expect((await queue.heads(T0, 10)).map((h) => h.body)).toEqual(['s1', 'r2', 'o1']);
      expect(await queue.dropStream(APP, 'route')).toBe(1);
      expect((await queue.heads(T0, 10)).map((h) => h.body)).toEqual(['s1', 'o1']);
    });

    it('is bounded per app by dropping the oldest items, and survives a reopen', async () => {
      const queue = context.store.callbackQueue;
      await queue.enqueue([callback('o', { app: OTHER_APP })], T0, 2);
      expect(await queue.enqueue([callback('1'), callback('2')], T0, 2)).toBe(0);
      expect(await queue.enqueue([callback('3')], T0 + 1, 2)).toBe(1);
      expect((await queue.heads(T0 + 1, 10)).map((h) => h.body)).toEqual(['o', '2']);
      const reopened = await context.reopen();
      expect(await reopened.callbackQueue.size()).toBe(3);
      expect((await reopened.callbackQueue.heads(T0 + 1, 10)).map((h) => h.body)).toEqual(['o', '2']);
    });
  });

  describe('message log', () => {
    it('reads private, group and chatroom messages of one app by time range with a keyset cursor', async () => {
      const { messages, chatrooms, messageLog } = context.store;
      const a = await messages.append(privateMessage('u1', 'u2', { now: T0 + 10, text: 'p1' }));
      const b = await messages.append(privateMessage('u2', 'u1', { now: T0 + 20, text: 'p2' }));
      await messages.append(privateMessage('x', 'y', { app: OTHER_APP, now: T0 + 15 }));
      await chatrooms.create(APP, 'room', '', T0);
      const c = await chatrooms.append({ appKey: APP, roomId: 'room', fromUserId: 'u3', objectName: 'RC:TxtMsg', content: utf8('{"content":"c"}'), flags: 3, now: T0 + 30 });
      await messages.append(privateMessage('u1', 'u2', { now: T0 + 5000, text: 'later' }));
      await messages.recall(APP, a.uid, 'u1');

      const all = await messageLog.between(APP, T0, T0 + 1000, undefined, 10);
      expect(all.map((m) => m.uid)).toEqual([a.uid, b.uid, c.uid]);
      expect(all[0]).toMatchObject({ fromUserId: 'u1', conversationType: 1, targetId: 'u2', objectName: 'RC:TxtMsg', recalled: true });
      expect(text({ ...a, content: all[1]?.content ?? new Uint8Array() })).toBe('{"content":"p2"}');
      expect(all[2]).toMatchObject({ conversationType: 4, targetId: 'room', fromUserId: 'u3', recalled: false });
      const page = await messageLog.between(APP, T0, T0 + 1000, undefined, 2);
      const rest = await messageLog.between(APP, T0, T0 + 1000, { sentTime: page[1]?.sentTime ?? 0, uid: page[1]?.uid ?? '' }, 2);
      expect([...page, ...rest].map((m) => m.uid)).toEqual([a.uid, b.uid, c.uid]);
      expect(await messageLog.between(APP, T0 + 11, T0 + 30, undefined, 10)).toHaveLength(1);
    });

    it('remembers deleted hours per app', async () => {
      const log = context.store.messageLog;
      expect(await log.isHourDeleted(APP, T0)).toBe(false);
      await log.deleteHour(APP, T0, T0);
      await log.deleteHour(APP, T0, T0 + 1);
      expect(await log.isHourDeleted(APP, T0)).toBe(true);
      expect(await log.isHourDeleted(OTHER_APP, T0)).toBe(false);
      expect(await log.isHourDeleted(APP, T0 + 3_600_000)).toBe(false);
    });
  });
}
