import type { ContractContext } from './contract-support';
import { APP, GROUP, OTHER_APP, PRIVATE, T0 } from './contract-support';

export function describeConversationStates(context: ContractContext): void {
  describe('conversation states', () => {
    it('start not top at level 0 and change only the fields given', async () => {
      const { conversationStates: states } = context.store;
      const key = { type: PRIVATE, targetId: 'u2' };
      expect(await states.get(APP, 'u1', key)).toBeUndefined();
      const top = await states.update(APP, 'u1', key, { isTop: true }, T0);
      expect(top).toEqual({ conversation: key, isTop: true, notificationLevel: 0, updatedTime: T0 });
      const silent = await states.update(APP, 'u1', key, { notificationLevel: 5 }, T0 + 10);
      expect(silent).toEqual({ conversation: key, isTop: true, notificationLevel: 5, updatedTime: T0 + 10 });
      expect(await states.get(APP, 'u1', key)).toEqual(silent);
      expect(await states.update(APP, 'u1', key, { isTop: false }, T0 + 20)).toMatchObject({ isTop: false, notificationLevel: 5 });
    });

    it('keep every notification level as given, -1 included', async () => {
      const { conversationStates: states } = context.store;
      for (const [i, level] of [-1, 0, 1, 2, 4, 5].entries()) {
        const key = { type: GROUP, targetId: `g${i}` };
        await states.update(APP, 'u1', key, { notificationLevel: level }, T0 + i);
        expect((await states.get(APP, 'u1', key))?.notificationLevel).toBe(level);
      }
      expect((await states.changedSince(APP, 'u1', 0, 10)).map((s) => s.notificationLevel)).toEqual([-1, 0, 1, 2, 4, 5]);
    });

    it('stamp strictly increasing times per owner, even when the clock repeats or goes back', async () => {
      const { conversationStates: states } = context.store;
      const a = await states.update(APP, 'u1', { type: PRIVATE, targetId: 'u2' }, { isTop: true }, T0);
      const b = await states.update(APP, 'u1', { type: GROUP, targetId: 'g1' }, { notificationLevel: 1 }, T0);
      const c = await states.update(APP, 'u1', { type: PRIVATE, targetId: 'u3' }, { isTop: true }, T0 - 500);
      expect(b.updatedTime).toBeGreaterThan(a.updatedTime);
      expect(c.updatedTime).toBeGreaterThan(b.updatedTime);
      // Another owner's clock is independent.
      expect((await states.update(APP, 'u9', { type: PRIVATE, targetId: 'u2' }, { isTop: true }, T0)).updatedTime).toBe(T0);
    });

    it('list changes after a cursor in time order, bounded, per owner and app', async () => {
      const { conversationStates: states } = context.store;
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push((await states.update(APP, 'u1', { type: PRIVATE, targetId: `p${i}` }, { isTop: true }, T0 + i)).updatedTime);
      await states.update(APP, 'u1', { type: PRIVATE, targetId: 'p1' }, { notificationLevel: 1 }, T0 + 100);
      await states.update(OTHER_APP, 'u1', { type: PRIVATE, targetId: 'x' }, { isTop: true }, T0 + 200);
      const all = await states.changedSince(APP, 'u1', 0, 100);
      expect(all.map((s) => s.conversation.targetId)).toEqual(['p0', 'p2', 'p3', 'p4', 'p1']);
      const page = await states.changedSince(APP, 'u1', times[2]!, 2);
      expect(page.map((s) => s.conversation.targetId)).toEqual(['p3', 'p4']);
      expect(await states.changedSince(APP, 'u2', 0, 10)).toEqual([]);
      expect((await states.changedSince(OTHER_APP, 'u1', 0, 10)).map((s) => s.conversation.targetId)).toEqual(['x']);
    });

    it('per conversation type: an owner\'s unpushLevel is set, replaced, forgotten with 0, per app and owner, and survives a reopen', async () => {
      const { conversationTypeSettings: types } = context.store;
      expect(await types.unpushLevel(APP, 'u1', PRIVATE)).toBe(0);
      await types.setUnpushLevel(APP, 'u1', PRIVATE, 5, T0);
      await types.setUnpushLevel(APP, 'u1', GROUP, 1, T0);
      await types.setUnpushLevel(APP, 'u1', GROUP, -1, T0 + 1);
      await types.setUnpushLevel(OTHER_APP, 'u1', PRIVATE, 2, T0);
      expect(await types.unpushLevel(APP, 'u1', PRIVATE)).toBe(5);
      expect(await types.unpushLevel(APP, 'u1', GROUP)).toBe(-1);
      expect(await types.unpushLevel(APP, 'u2', PRIVATE)).toBe(0);
      expect(await types.unpushLevel(OTHER_APP, 'u1', PRIVATE)).toBe(2);
      await types.setUnpushLevel(APP, 'u1', PRIVATE, 0, T0 + 2);
      expect(await types.unpushLevel(APP, 'u1', PRIVATE)).toBe(0);
      const reopened = await context.reopen();
      expect(await reopened.conversationTypeSettings.unpushLevel(APP, 'u1', GROUP)).toBe(-1);
      expect(await reopened.conversationTypeSettings.unpushLevel(APP, 'u1', PRIVATE)).toBe(0);
    });

    it('survive a reopen', async () => {
      await context.store.conversationStates.update(APP, 'u1', { type: PRIVATE, targetId: 'u2' }, { isTop: true, notificationLevel: 4 }, T0);
      const reopened = await context.reopen();
      expect(await reopened.conversationStates.get(APP, 'u1', { type: PRIVATE, targetId: 'u2' })).toMatchObject({ isTop: true, notificationLevel: 4, updatedTime: T0 });
    });
  });
}
