import type { ContractContext } from './contract-support';
import { APP, GROUP, OTHER_APP, PRIVATE, T0 } from './contract-support';

const LIMITS = { maxTags: 3, maxConversationsPerTag: 2 };
const P2 = { type: PRIVATE, targetId: 'u2' };
const P3 = { type: PRIVATE, targetId: 'u3' };
const G1 = { type: GROUP, targetId: 'g1' };

export function describeTags(context: ContractContext): void {
  describe('conversation tags', () => {
    it('create, rename (createdTime kept), list oldest first; the settings version moves on every change', async () => {
      const { tags } = context.store;
      expect(await tags.settingsVersion(APP, 'u1')).toBe(0);
      const a = await tags.save(APP, 'u1', [{ tagId: 'b', name: 'Bee' }], LIMITS, T0);
      const b = await tags.save(APP, 'u1', [{ tagId: 'a', name: 'Ay' }], LIMITS, T0);
      expect(a).toEqual({ ok: true, version: T0 });
      expect(b).toEqual({ ok: true, version: T0 + 1 });
      const renamed = await tags.save(APP, 'u1', [{ tagId: 'b', name: 'Bee 2' }], LIMITS, T0 + 50);
      expect(renamed).toEqual({ ok: true, version: T0 + 50 });
      // createdTime = the version of the creating change (what E4 stores), kept by the rename.
      expect(await tags.list(APP, 'u1')).toEqual([
        { tagId: 'b', name: 'Bee 2', createdTime: T0, conversationCount: 0 },
        { tagId: 'a', name: 'Ay', createdTime: T0 + 1, conversationCount: 0 },
      ]);
      expect(await tags.settingsVersion(APP, 'u1')).toBe(T0 + 50);
      expect(await tags.list(APP, 'u2')).toEqual([]);
      expect(await tags.list(OTHER_APP, 'u1')).toEqual([]);
    });

    it('refuse tags beyond the limit atomically (renames still pass)', async () => {
      const { tags } = context.store;
      await tags.save(APP, 'u1', [{ tagId: 't1', name: '1' }, { tagId: 't2', name: '2' }], LIMITS, T0);
      expect(await tags.save(APP, 'u1', [{ tagId: 't3', name: '3' }, { tagId: 't4', name: '4' }], LIMITS, T0 + 1)).toEqual({ ok: false, reason: 'limit' });
      expect((await tags.list(APP, 'u1')).map((t) => t.tagId)).toEqual(['t1', 't2']);
      expect(await tags.save(APP, 'u1', [{ tagId: 't1', name: 'one' }, { tagId: 't3', name: '3' }], LIMITS, T0 + 2)).toMatchObject({ ok: true });
      expect(await tags.save(APP, 'u1', [{ tagId: 't4', name: '4' }], LIMITS, T0 + 3)).toEqual({ ok: false, reason: 'limit' });
    });

    it('link conversations with in-tag top, count them, stamp their states; limits and unknown tags write nothing', async () => {
      const { tags, conversationStates } = context.store;
      await tags.save(APP, 'u1', [{ tagId: 'work', name: 'Work' }, { tagId: 'home', name: 'Home' }], LIMITS, T0);
      await conversationStates.update(APP, 'u1', P2, { isTop: true }, T0 + 5);
      const linked = await tags.link(APP, 'u1', [{ tagId: 'work', conversations: [P2, G1] }], LIMITS, T0 + 10);
      expect(linked).toEqual({ ok: true, stateVersion: T0 + 11 });
      // The state keeps its top/DND and moves to the new time; a new state starts false/false.
      expect(await conversationStates.get(APP, 'u1', P2)).toMatchObject({ isTop: true, notificationLevel: 0, updatedTime: T0 + 10 });
      expect(await conversationStates.get(APP, 'u1', G1)).toMatchObject({ isTop: false, notificationLevel: 0, updatedTime: T0 + 11 });
      expect(await tags.link(APP, 'u1', [{ tagId: 'work', conversations: [P3] }], LIMITS, T0 + 20)).toEqual({ ok: false, reason: 'limit' });
      expect(await tags.link(APP, 'u1', [{ tagId: 'nope', conversations: [P3] }], LIMITS, T0 + 20)).toEqual({ ok: false, reason: 'no-tag' });
      expect(await tags.link(APP, 'u1', [{ tagId: 'home', conversations: [P3] }, { tagId: 'nope', conversations: [P2] }], LIMITS, T0 + 20)).toEqual({ ok: false, reason: 'no-tag' });
      expect(await conversationStates.get(APP, 'u1', P3)).toBeUndefined();

      // Re-adding keeps the in-tag top unless given.
      await tags.link(APP, 'u1', [{ tagId: 'work', conversations: [P2], isTop: true }, { tagId: 'home', conversations: [P2] }], LIMITS, T0 + 30);
      await tags.link(APP, 'u1', [{ tagId: 'work', conversations: [P2] }], LIMITS, T0 + 40);
      const of = await tags.tagsOf(APP, 'u1', [P2, G1, P3]);
      expect(of.get('1:u2')).toEqual([{ tagId: 'home', isTop: false }, { tagId: 'work', isTop: true }]);
      expect(of.get('3:g1')).toEqual([{ tagId: 'work', isTop: false }]);
      expect(of.has('1:u3')).toBe(false);
      expect((await tags.list(APP, 'u1')).map((t) => [t.tagId, t.conversationCount])).toEqual([['home', 1], ['work', 2]]);
    });

    it('unlink pairs and removing a tag drop links and stamp the affected states only', async () => {
      const { tags, conversationStates } = context.store;
      await tags.save(APP, 'u1', [{ tagId: 'a', name: 'A' }, { tagId: 'b', name: 'B' }], LIMITS, T0);
      await tags.link(APP, 'u1', [{ tagId: 'a', conversations: [P2, G1] }, { tagId: 'b', conversations: [P2] }], LIMITS, T0 + 10);
      const unlinked = await tags.unlink(APP, 'u1', ['a', 'b'], [P2, P3], T0 + 20);
      expect(unlinked).toEqual({ stateVersion: T0 + 20 });
      expect(await conversationStates.get(APP, 'u1', P3)).toBeUndefined();
      expect(await tags.unlink(APP, 'u1', ['a'], [P3], T0 + 30)).toEqual({ stateVersion: 0 });
      const removed = await tags.remove(APP, 'u1', ['a', 'missing'], T0 + 40);
      expect(removed).toEqual({ version: T0 + 40, removed: 1, stateVersion: T0 + 40 });
      expect(await conversationStates.get(APP, 'u1', G1)).toMatchObject({ updatedTime: T0 + 40 });
      expect((await tags.tagsOf(APP, 'u1', [P2, G1])).size).toBe(0);
      expect((await tags.list(APP, 'u1')).map((t) => t.tagId)).toEqual(['b']);
      // Removing nothing keeps the version.
      expect(await tags.remove(APP, 'u1', ['missing'], T0 + 50)).toEqual({ version: T0 + 40, removed: 0, stateVersion: 0 });
    });

    it('survive a reopen', async () => {
      await context.store.tags.save(APP, 'u1', [{ tagId: 'a', name: 'A' }], LIMITS, T0);
      await context.store.tags.link(APP, 'u1', [{ tagId: 'a', conversations: [P2], isTop: true }], LIMITS, T0 + 1);
      const reopened = await context.reopen();
      expect(await reopened.tags.list(APP, 'u1')).toEqual([{ tagId: 'a', name: 'A', createdTime: T0, conversationCount: 1 }]);
      expect((await reopened.tags.tagsOf(APP, 'u1', [P2])).get('1:u2')).toEqual([{ tagId: 'a', isTop: true }]);
      expect(await reopened.tags.settingsVersion(APP, 'u1')).toBe(T0);
    });
  });
}
