import { DuplicatePushIdError, type PushRecord } from '../push-repository';
import type { ContractContext } from './contract-support';
import { APP, OTHER_APP, T0 } from './contract-support';

function record(id: string, draft: Partial<PushRecord> = {}): PushRecord {
  return {
    appKey: APP,
    id,
    createdTime: T0,
    fromUserId: 'admin',
    platforms: ['ios', 'android'],
    audience: JSON.stringify({ tag: ['a'] }),
    notification: JSON.stringify({ alert: 'hello' }),
    objectName: 'RC:TxtMsg',
    recipientCount: 2,
    ...draft,
  };
}

/** A notification-only push: no sender, no message, nobody reached in-app. */
function notificationOnly(id: string, createdTime: number): PushRecord {
  return { appKey: APP, id, createdTime, fromUserId: '', platforms: ['ios', 'android'], audience: JSON.stringify({ is_to_all: true }), notification: JSON.stringify({ alert: 'hi' }), recipientCount: 0 };
}

/** push-repository.ts: user tags, push records, chatroom distribution. */
export function describePushState(context: ContractContext): void {
  describe('user tags', () => {
    it('replaces a user\'s tags as a set in the given order, clears with [], and keeps apps apart', async () => {
      const tags = context.store.userTags;
      await tags.set(APP, ['u1', 'u2'], ['b', 'a', 'b'], T0);
      await tags.set(OTHER_APP, ['u1'], ['z'], T0);
      expect(await tags.get(APP, ['u1', 'u2', 'nobody'])).toEqual(new Map([['u1', ['b', 'a']], ['u2', ['b', 'a']], ['nobody', []]]));
      await tags.set(APP, ['u1'], ['c'], T0 + 1);
      await tags.set(APP, ['u2'], [], T0 + 1);
      expect(await tags.get(APP, ['u1', 'u2'])).toEqual(new Map([['u1', ['c']], ['u2', []]]));
      expect(await tags.get(OTHER_APP, ['u1'])).toEqual(new Map([['u1', ['z']]]));
      expect(await tags.get(APP, [])).toEqual(new Map());
    });

    it('matches every tag of allOf and at least one of anyOf, pages by user id, and matches nobody without tags', async () => {
      const tags = context.store.userTags;
      await tags.set(APP, ['a1', 'a2', 'a3'], ['young', 'female', 'beijing'], T0);
      await tags.set(APP, ['b1'], ['young', 'shanghai'], T0);
      await tags.set(APP, ['c1'], ['female', 'shanghai'], T0);
      await tags.set(OTHER_APP, ['a0'], ['young', 'female'], T0);
      expect(await tags.matching(APP, { allOf: ['young', 'female'], anyOf: [] }, '', 10)).toEqual(['a1', 'a2', 'a3']);
      expect(await tags.matching(APP, { allOf: ['young', 'young'], anyOf: [] }, '', 10)).toEqual(['a1', 'a2', 'a3', 'b1']);
      expect(await tags.matching(APP, { allOf: [], anyOf: ['shanghai', 'beijing'] }, '', 10)).toEqual(['a1', 'a2', 'a3', 'b1', 'c1']);
      expect(await tags.matching(APP, { allOf: ['young'], anyOf: ['shanghai', 'nowhere'] }, '', 10)).toEqual(['b1']);
      expect(await tags.matching(APP, { allOf: ['young', 'missing'], anyOf: [] }, '', 10)).toEqual([]);
      expect(await tags.matching(APP, { allOf: [], anyOf: [] }, '', 10)).toEqual([]);
      const first = await tags.matching(APP, { allOf: [], anyOf: ['young', 'female'] }, '', 2);
      expect(first).toEqual(['a1', 'a2']);
      expect(await tags.matching(APP, { allOf: [], anyOf: ['young', 'female'] }, 'a2', 2)).toEqual(['a3', 'b1']);
      expect(await tags.matching(APP, { allOf: [], anyOf: ['young', 'female'] }, 'b1', 2)).toEqual(['c1']);
      await tags.set(APP, ['a2'], ['old'], T0 + 1);
      expect(await tags.matching(APP, { allOf: ['young', 'female'], anyOf: [] }, '', 10)).toEqual(['a1', 'a3']);
    });
  });

  describe('push records', () => {
    it('stores, reads back, lists newest first, refuses a duplicate id and survives a reopen', async () => {
      const pushes = context.store.pushes;
      await pushes.add(record('p1'));
      await pushes.add(notificationOnly('p2', T0 + 5));
      await pushes.add(record('p1', { appKey: OTHER_APP }));
      await expect(pushes.add(record('p1', { createdTime: T0 + 9 }))).rejects.toBeInstanceOf(DuplicatePushIdError);
      expect(await pushes.get(APP, 'p1')).toEqual(record('p1'));
      expect(await pushes.get(APP, 'missing')).toBeUndefined();
      const reopened = await context.reopen();
      const second = await reopened.pushes.get(APP, 'p2');
      expect(second).toEqual(notificationOnly('p2', T0 + 5));
      expect((await reopened.pushes.recent(APP, 10)).map((r) => r.id)).toEqual(['p2', 'p1']);
      expect((await reopened.pushes.recent(APP, 1)).map((r) => r.id)).toEqual(['p2']);
      expect((await reopened.pushes.recent(OTHER_APP, 10)).map((r) => r.appKey)).toEqual([OTHER_APP]);
    });
  });

  describe('chatroom distribution', () => {
    it('stops and resumes per room and app, reports changes, and survives a reopen', async () => {
      const distribution = context.store.chatroomDistribution;
      expect(await distribution.isStopped(APP, 'r1')).toBe(false);
      expect(await distribution.setStopped(APP, 'r1', true, T0)).toBe(true);
      expect(await distribution.setStopped(APP, 'r1', true, T0 + 1)).toBe(false);
      expect(await distribution.setStopped(APP, 'r0', true, T0)).toBe(true);
      expect(await distribution.isStopped(APP, 'r1')).toBe(true);
      expect(await distribution.isStopped(OTHER_APP, 'r1')).toBe(false);
      const reopened = await context.reopen();
      expect(await reopened.chatroomDistribution.stopped(APP)).toEqual(['r0', 'r1']);
      expect(await reopened.chatroomDistribution.setStopped(APP, 'r1', false, T0 + 2)).toBe(true);
      expect(await reopened.chatroomDistribution.setStopped(APP, 'r1', false, T0 + 3)).toBe(false);
      expect(await reopened.chatroomDistribution.isStopped(APP, 'r1')).toBe(false);
      expect(await reopened.chatroomDistribution.stopped(APP)).toEqual(['r0']);
    });
  });

  describe('user push settings', () => {
    it('quiet hours: set, replaced, cleared, per app and user, and survive a reopen', async () => {
      const settings = context.store.userPushSettings;
      expect(await settings.quietHours(APP, 'u1')).toBeUndefined();
      await settings.setQuietHours(APP, 'u1', { startTime: '22:00:00', periodMinutes: 480, level: 1 }, T0);
      await settings.setQuietHours(APP, 'u2', { startTime: '01:02:03', periodMinutes: 1, level: 0 }, T0);
      await settings.setQuietHours(OTHER_APP, 'u1', { startTime: '12:00:00', periodMinutes: 60, level: 5 }, T0);
      expect(await settings.quietHours(APP, 'u1')).toEqual({ startTime: '22:00:00', periodMinutes: 480, level: 1 });
      await settings.setQuietHours(APP, 'u1', { startTime: '23:30:00', periodMinutes: 1439, level: 5 }, T0 + 1);
      expect(await settings.quietHours(APP, 'u1')).toEqual({ startTime: '23:30:00', periodMinutes: 1439, level: 5 });
      expect(await settings.quietHours(OTHER_APP, 'u1')).toEqual({ startTime: '12:00:00', periodMinutes: 60, level: 5 });
      await settings.clearQuietHours(APP, 'u2');
      await settings.clearQuietHours(APP, 'nobody');
      expect(await settings.quietHours(APP, 'u2')).toBeUndefined();
      const reopened = await context.reopen();
      expect(await reopened.userPushSettings.quietHours(APP, 'u1')).toEqual({ startTime: '23:30:00', periodMinutes: 1439, level: 5 });
      expect(await reopened.userPushSettings.quietHours(APP, 'u2')).toBeUndefined();
    });

    it('remarks: set (the last of a target given twice wins) and replaced, paged by target id with a total, deleted, per app and owner, and survive a reopen', async () => {
      const settings = context.store.userPushSettings;
      expect(await settings.remarks(APP, 'o', 0, 10)).toEqual({ total: 0, remarks: [] });
      await settings.setRemarks(APP, 'o', [{ targetId: 'c', remark: 'Cee' }, { targetId: 'a', remark: 'A' }, { targetId: 'a', remark: 'Ay' }], T0);
      await settings.setRemarks(APP, 'o', [{ targetId: 'b', remark: 'Bee' }, { targetId: 'c', remark: '夏' }], T0 + 1);
      await settings.setRemarks(APP, 'p', [{ targetId: 'a', remark: 'other owner' }], T0);
      await settings.setRemarks(OTHER_APP, 'o', [{ targetId: 'z', remark: 'other app' }], T0);
      await settings.setRemarks(APP, 'o', [], T0 + 2);
      expect(await settings.remarks(APP, 'o', 0, 10)).toEqual({
        total: 3,
        remarks: [{ targetId: 'a', remark: 'Ay' }, { targetId: 'b', remark: 'Bee' }, { targetId: 'c', remark: '夏' }],
      });
      expect(await settings.remarks(APP, 'o', 1, 1)).toEqual({ total: 3, remarks: [{ targetId: 'b', remark: 'Bee' }] });
      expect(await settings.remarks(OTHER_APP, 'o', 0, 10)).toEqual({ total: 1, remarks: [{ targetId: 'z', remark: 'other app' }] });
      await settings.deleteRemark(APP, 'o', 'b');
      await settings.deleteRemark(APP, 'o', 'nobody');
      expect(await settings.remarks(APP, 'o', 0, 10)).toEqual({ total: 2, remarks: [{ targetId: 'a', remark: 'Ay' }, { targetId: 'c', remark: '夏' }] });
      const reopened = await context.reopen();
      expect(await reopened.userPushSettings.remarks(APP, 'o', 0, 10)).toEqual({ total: 2, remarks: [{ targetId: 'a', remark: 'Ay' }, { targetId: 'c', remark: '夏' }] });
      expect(await reopened.userPushSettings.remarks(APP, 'p', 0, 10)).toEqual({ total: 1, remarks: [{ targetId: 'a', remark: 'other owner' }] });
    });
  });
}
