import type { ContractContext } from './contract-support';
import { APP, appendAll, groupMessage, OTHER_APP, privateMessage, T0, uids } from './contract-support';

const MAX = 3000;

export function describeGroups(context: ContractContext): void {
  describe('groups: membership', () => {
    it('join creates the group, adds only new members and keeps earlier join times', async () => {
      const { groups } = context.store;
      expect(await groups.get(APP, 'g1')).toBeUndefined();
      const first = await groups.join(APP, 'g1', ['u2', 'u1', 'u2'], { name: 'G', maxMembers: MAX, now: T0 });
      expect(first).toEqual({ ok: true, added: ['u2', 'u1'], memberCount: 2 });
      const second = await groups.join(APP, 'g1', ['u1', 'u3'], { maxMembers: MAX, now: T0 + 10 });
      expect(second).toEqual({ ok: true, added: ['u3'], memberCount: 3 });
      expect(await groups.get(APP, 'g1')).toEqual({ appKey: APP, groupId: 'g1', name: 'G', createdTime: T0, memberCount: 3 });
      expect(await groups.members(APP, 'g1')).toEqual([
        { userId: 'u1', joinedTime: T0 },
        { userId: 'u2', joinedTime: T0 },
        { userId: 'u3', joinedTime: T0 + 10 },
      ]);
      expect(await groups.member(APP, 'g1', 'u3')).toEqual({ userId: 'u3', joinedTime: T0 + 10 });
      expect(await groups.member(APP, 'g1', 'u9')).toBeUndefined();
      await groups.join(APP, 'g1', [], { name: 'Renamed', maxMembers: MAX, now: T0 + 20 });
      expect((await groups.get(APP, 'g1'))?.name).toBe('Renamed');
    });

    it('refuses a join batch that would exceed the member limit, changing nothing', async () => {
      const { groups } = context.store;
      await groups.join(APP, 'g1', ['u1', 'u2'], { maxMembers: 3, now: T0 });
      expect(await groups.join(APP, 'g1', ['u3', 'u4'], { name: 'X', maxMembers: 3, now: T0 + 1 })).toEqual({ ok: false, reason: 'full', groupId: 'g1', memberCount: 2 });
      expect((await groups.members(APP, 'g1')).map((m) => m.userId)).toEqual(['u1', 'u2']);
      expect((await groups.get(APP, 'g1'))?.name).toBe('');
      // Existing members do not count twice.
      expect(await groups.join(APP, 'g1', ['u1', 'u2', 'u3'], { maxMembers: 3, now: T0 + 2 })).toMatchObject({ ok: true, added: ['u3'], memberCount: 3 });
      expect(await groups.join(APP, 'new', ['a', 'b'], { maxMembers: 1, now: T0 })).toMatchObject({ ok: false, reason: 'full' });
      expect(await groups.get(APP, 'new')).toBeUndefined();
    });

    it('quit removes members, keeps the group; rename only touches existing groups', async () => {
      const { groups } = context.store;
      await groups.join(APP, 'g1', ['u1', 'u2'], { maxMembers: MAX, now: T0 });
      await groups.quit(APP, 'g1', ['u1', 'ghost', 'u1']);
      expect((await groups.members(APP, 'g1')).map((m) => m.userId)).toEqual(['u2']);
      await groups.quit(APP, 'g1', ['u2']);
      expect(await groups.get(APP, 'g1')).toMatchObject({ memberCount: 0 });
      expect(await groups.rename(APP, 'g1', 'New')).toBe(true);
      expect((await groups.get(APP, 'g1'))?.name).toBe('New');
      expect(await groups.rename(APP, 'nope', 'x')).toBe(false);
      expect(await groups.get(APP, 'nope')).toBeUndefined();
    });

    it('lists the groups of a user and replaces them all or nothing (group/sync)', async () => {
      const { groups } = context.store;
      await groups.join(APP, 'g1', ['u1'], { name: 'one', maxMembers: MAX, now: T0 });
      await groups.join(APP, 'g2', ['u1', 'u2'], { name: 'two', maxMembers: MAX, now: T0 });
      expect(await groups.groupsOf(APP, 'u1')).toEqual([{ groupId: 'g1', name: 'one' }, { groupId: 'g2', name: 'two' }]);
      const synced = await groups.replaceGroupsOf(APP, 'u1', [{ groupId: 'g2', name: 'TWO' }, { groupId: 'g3', name: 'three' }], { maxMembers: MAX, now: T0 + 5 });
      expect(synced.ok).toBe(true);
      expect(await groups.groupsOf(APP, 'u1')).toEqual([{ groupId: 'g2', name: 'TWO' }, { groupId: 'g3', name: 'three' }]);
      expect(await groups.member(APP, 'g2', 'u1')).toEqual({ userId: 'u1', joinedTime: T0 });
      expect(await groups.member(APP, 'g3', 'u1')).toEqual({ userId: 'u1', joinedTime: T0 + 5 });

      await groups.join(APP, 'full', ['x'], { maxMembers: 1, now: T0 });
      const refused = await groups.replaceGroupsOf(APP, 'u1', [{ groupId: 'full', name: 'f' }], { maxMembers: 1, now: T0 + 6 });
      expect(refused).toMatchObject({ ok: false, reason: 'full', groupId: 'full' });
      expect((await groups.groupsOf(APP, 'u1')).map((g) => g.groupId)).toEqual(['g2', 'g3']);
      await groups.replaceGroupsOf(APP, 'u1', [], { maxMembers: MAX, now: T0 + 7 });
      expect(await groups.groupsOf(APP, 'u1')).toEqual([]);
    });

    it('dismiss removes the group with its members and group-scoped marks, not app-wide gags', async () => {
      const { groups } = context.store;
      await groups.join(APP, 'g1', ['u1', 'u2'], { maxMembers: MAX, now: T0 });
      await groups.gag(APP, 'g1', ['u1'], 0, T0);
      await groups.gag(APP, '', ['u2'], 0, T0);
      await groups.setBanned(APP, ['g1'], true, T0);
      await groups.addBanWhitelist(APP, 'g1', ['u1']);
      expect(await groups.dismiss(APP, 'g1')).toBe(true);
      expect(await groups.get(APP, 'g1')).toBeUndefined();
      expect(await groups.members(APP, 'g1')).toEqual([]);
      expect(await groups.groupsOf(APP, 'u1')).toEqual([]);
      expect(await groups.gags(APP, 'g1', T0)).toEqual([]);
      expect(await groups.gags(APP, '', T0)).toHaveLength(1);
      expect(await groups.bannedAmong(APP, ['g1'])).toEqual(new Set());
      expect(await groups.banWhitelist(APP, 'g1')).toEqual([]);
      expect(await groups.dismiss(APP, 'g1')).toBe(false);
      // A re-created group starts clean.
      await groups.join(APP, 'g1', ['u1'], { maxMembers: MAX, now: T0 + 1 });
      expect(await groups.sendPermission(APP, 'g1', 'u1', T0 + 2)).toBe('allowed');
    });
  });

  describe('groups: moderation', () => {
    it('gags per group or app-wide, until an instant or until lifted', async () => {
      const { groups } = context.store;
      await groups.join(APP, 'g1', ['u1', 'u2', 'u3'], { maxMembers: MAX, now: T0 });
      await groups.join(APP, 'g2', ['u1'], { maxMembers: MAX, now: T0 });
      await groups.gag(APP, 'g1', ['u1'], T0 + 1_000, T0);
      await groups.gag(APP, '', ['u2'], 0, T0 + 1);
      expect(await groups.gags(APP, 'g1', T0 + 10)).toEqual([{ groupId: 'g1', userId: 'u1', startTime: T0, until: T0 + 1_000 }]);
      expect(await groups.gags(APP, '', T0 + 10)).toEqual([{ groupId: '', userId: 'u2', startTime: T0 + 1, until: 0 }]);
      expect(await groups.sendPermission(APP, 'g1', 'u1', T0 + 999)).toBe('muted');
      expect(await groups.sendPermission(APP, 'g2', 'u1', T0 + 999)).toBe('allowed');
      expect(await groups.sendPermission(APP, 'g1', 'u2', T0 + 999_999)).toBe('muted');
      expect(await groups.sendPermission(APP, 'g1', 'u3', T0)).toBe('allowed');
      // Expired gags are gone.
      expect(await groups.sendPermission(APP, 'g1', 'u1', T0 + 1_000)).toBe('allowed');
      expect(await groups.gags(APP, 'g1', T0 + 1_000)).toEqual([]);
      // A new gag replaces the old one of the same scope; ungag lifts only that scope.
      await groups.gag(APP, 'g1', ['u2'], T0 + 50, T0 + 5);
      await groups.gag(APP, 'g1', ['u2'], T0 + 80, T0 + 6);
      expect(await groups.gags(APP, 'g1', T0 + 10)).toEqual([
        { groupId: 'g1', userId: 'u1', startTime: T0, until: T0 + 1_000 },
        { groupId: 'g1', userId: 'u2', startTime: T0 + 6, until: T0 + 80 },
      ]);
      await groups.ungag(APP, 'g1', ['u2', 'ghost']);
      expect(await groups.sendPermission(APP, 'g1', 'u2', T0 + 10)).toBe('muted');
      await groups.ungag(APP, '', ['u2']);
      expect(await groups.sendPermission(APP, 'g1', 'u2', T0 + 10)).toBe('allowed');
    });

    it('a banned group lets only whitelisted members send; non-members are refused first', async () => {
      const { groups } = context.store;
      await groups.join(APP, 'g1', ['u1', 'u2'], { maxMembers: MAX, now: T0 });
      expect(await groups.sendPermission(APP, 'g1', 'ghost', T0)).toBe('not-member');
      expect(await groups.sendPermission(APP, 'nope', 'u1', T0)).toBe('not-member');
      await groups.setBanned(APP, ['g1', 'g1', 'other'], true, T0);
      expect(await groups.bannedAmong(APP, ['g1', 'other', 'g9'])).toEqual(new Set(['g1', 'other']));
      await groups.addBanWhitelist(APP, 'g1', ['u2', 'u2', 'outsider']);
      expect(await groups.banWhitelist(APP, 'g1')).toEqual(['outsider', 'u2']);
      expect(await groups.sendPermission(APP, 'g1', 'u1', T0)).toBe('muted');
      expect(await groups.sendPermission(APP, 'g1', 'u2', T0)).toBe('allowed');
      expect(await groups.sendPermission(APP, 'g1', 'outsider', T0)).toBe('not-member');
      // A member gag beats the whitelist.
      await groups.gag(APP, 'g1', ['u2'], 0, T0);
      expect(await groups.sendPermission(APP, 'g1', 'u2', T0)).toBe('muted');
      await groups.ungag(APP, 'g1', ['u2']);
      await groups.removeBanWhitelist(APP, 'g1', ['u2']);
      expect(await groups.sendPermission(APP, 'g1', 'u2', T0)).toBe('muted');
      expect(await groups.bannedGroups(APP, 0, 10)).toEqual(['g1', 'other']);
      expect(await groups.bannedGroups(APP, 1, 10)).toEqual(['other']);
      expect(await groups.bannedGroups(APP, 0, 1)).toEqual(['g1']);
      await groups.setBanned(APP, ['g1'], false, T0);
      expect(await groups.sendPermission(APP, 'g1', 'u1', T0)).toBe('allowed');
      expect(await groups.bannedGroups(APP, 0, 10)).toEqual(['other']);
    });
  });

  describe('groups: messages', () => {
    it('knows who received a stored group message', async () => {
      const { groups, messages } = context.store;
      const [broadcast, directed] = await appendAll(context.store, [
        groupMessage('u1', 'g1', ['u3', 'u2']),
        groupMessage('u1', 'g1', ['u3'], { now: T0 + 1 }),
      ]);
      expect(await groups.recipientsOf(APP, broadcast!.uid)).toEqual(['u2', 'u3']);
      expect(await groups.recipientsOf(APP, directed!.uid)).toEqual(['u3']);
      expect(await groups.recipientsOf(APP, 'XXXX-XXXX-XXXX-XXXX')).toEqual([]);
      expect(await groups.recipientsOf(OTHER_APP, broadcast!.uid)).toEqual([]);
      const own = await messages.append(groupMessage('u1', 'g1', [], { now: T0 + 2 }));
      expect(await groups.recipientsOf(APP, own.uid)).toEqual([]);
    });

    it('reads shared messages before a join time in history order, both directions', async () => {
      const { groups } = context.store;
      const stored = await appendAll(context.store, [0, 1, 2, 3, 4].map((i) => groupMessage('u1', 'g1', ['u2'], { now: T0 + i * 10, text: `m${i}` })));
      for (const message of stored) await groups.shareWithLaterMembers(APP, message.uid);
      await groups.shareWithLaterMembers(APP, stored[0]!.uid);
      const times = stored.map((m) => m.sentTime);
      const base = { appKey: APP, owner: 'u9', groupId: 'g1', before: times[4]! } as const;

      const newest = await groups.historyBeforeJoin({ ...base, time: 0, count: 2, order: 0 });
      expect(uids(newest.messages)).toEqual([stored[3]!.uid, stored[2]!.uid]);
      expect(newest.hasMore).toBe(true);
      expect(newest.messages[0]).toMatchObject({ direction: 2, mentioned: false });
      const older = await groups.historyBeforeJoin({ ...base, time: times[2]!, count: 5, order: 0 });
      expect(uids(older.messages)).toEqual([stored[1]!.uid, stored[0]!.uid]);
      expect(older.hasMore).toBe(false);
      const forward = await groups.historyBeforeJoin({ ...base, time: times[0]!, count: 2, order: 1 });
      expect(uids(forward.messages)).toEqual([stored[2]!.uid, stored[1]!.uid]);
      expect(forward.hasMore).toBe(true);
      // A time after the join bound still stops at the bound.
      expect(uids((await groups.historyBeforeJoin({ ...base, time: times[4]! + 100, count: 10, order: 0 })).messages)).toHaveLength(4);
      expect((await groups.historyBeforeJoin({ ...base, groupId: 'g2', time: 0, count: 10, order: 0 })).messages).toEqual([]);
      expect((await groups.historyBeforeJoin({ ...base, appKey: OTHER_APP, time: 0, count: 10, order: 0 })).messages).toEqual([]);
    });

    it('shares only what was marked, hides recalled and cleared messages, ignores other conversations', async () => {
      const { groups, messages } = context.store;
      const [shared, directed, recalled, later, privateOne] = await appendAll(context.store, [
        groupMessage('u1', 'g1', ['u2'], { now: T0 }),
        groupMessage('u1', 'g1', ['u2'], { now: T0 + 10 }),
        groupMessage('u1', 'g1', ['u2'], { now: T0 + 20 }),
        groupMessage('u1', 'g1', ['u2'], { now: T0 + 30 }),
        privateMessage('u1', 'u2', { now: T0 + 40 }),
      ]);
      for (const m of [shared!, recalled!, later!, privateOne!]) await groups.shareWithLaterMembers(APP, m.uid);
      await groups.shareWithLaterMembers(APP, 'unknown-uid');
      await messages.recall(APP, recalled!.uid, 'u1');
      const query = { appKey: APP, owner: 'u9', groupId: 'g1', before: T0 + 1_000, time: 0, count: 10, order: 0 } as const;
      expect(uids((await groups.historyBeforeJoin(query)).messages)).toEqual([later!.uid, shared!.uid]);
      expect(uids((await groups.historyBeforeJoin(query)).messages)).not.toContain(directed!.uid);
      await messages.clearHistory(APP, 'u9', { type: 3, targetId: 'g1' }, shared!.sentTime);
      expect(uids((await groups.historyBeforeJoin(query)).messages)).toEqual([later!.uid]);
      // Another owner's watermark is its own.
      expect(uids((await groups.historyBeforeJoin({ ...query, owner: 'u8' })).messages)).toEqual([later!.uid, shared!.uid]);
    });

    it('records first reads of group messages and forgets them with the message', async () => {
      const { groups, messages } = context.store;
      const [m1, m2, other] = await appendAll(context.store, [
        groupMessage('u1', 'g1', ['u2', 'u3'], { now: T0 }),
        groupMessage('u1', 'g1', ['u2', 'u3'], { now: T0 + 1 }),
        groupMessage('u1', 'g2', ['u2'], { now: T0 + 2 }),
      ]);
      await groups.markRead(APP, 'g1', [m1!.uid, m2!.uid, other!.uid, 'nope'], 'u3', T0 + 100);
      await groups.markRead(APP, 'g1', [m1!.uid], 'u2', T0 + 50);
      await groups.markRead(APP, 'g1', [m1!.uid], 'u3', T0 + 500);
      expect(await groups.readers(APP, m1!.uid)).toEqual([
        { userId: 'u2', readTime: T0 + 50 },
        { userId: 'u3', readTime: T0 + 100 },
      ]);
      expect(await groups.readers(APP, m2!.uid)).toEqual([{ userId: 'u3', readTime: T0 + 100 }]);
      expect(await groups.readers(APP, other!.uid)).toEqual([]);
      expect(await groups.readers(OTHER_APP, m1!.uid)).toEqual([]);
      await groups.shareWithLaterMembers(APP, m1!.uid);
      expect(await messages.prune(T0 + 1)).toBe(1);
      expect(await groups.readers(APP, m1!.uid)).toEqual([]);
      expect((await groups.historyBeforeJoin({ appKey: APP, owner: 'u9', groupId: 'g1', before: T0 + 10, time: 0, count: 10, order: 0 })).messages).toEqual([]);
    });

    it('keeps apps apart and survives a reopen', async () => {
      await context.store.groups.join(APP, 'g1', ['u1'], { name: 'a', maxMembers: MAX, now: T0 });
      await context.store.groups.gag(APP, 'g1', ['u1'], 0, T0);
      expect(await context.store.groups.get(OTHER_APP, 'g1')).toBeUndefined();
      expect(await context.store.groups.sendPermission(OTHER_APP, 'g1', 'u1', T0)).toBe('not-member');
      await context.store.groups.join(OTHER_APP, 'g1', ['u1'], { maxMembers: MAX, now: T0 });
      expect(await context.store.groups.sendPermission(OTHER_APP, 'g1', 'u1', T0)).toBe('allowed');
      const reopened = await context.reopen();
      expect(await reopened.groups.get(APP, 'g1')).toMatchObject({ name: 'a', memberCount: 1 });
      expect(await reopened.groups.sendPermission(APP, 'g1', 'u1', T0)).toBe('muted');
    });
  });
}
