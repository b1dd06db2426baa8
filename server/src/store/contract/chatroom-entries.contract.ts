import type { EntryChange } from '../chatroom-repository';
import type { ContractContext } from './contract-support';
import { APP, OTHER_APP, T0 } from './contract-support';

function change(key: string, value: string, userId: string, extra: Partial<EntryChange> = {}): EntryChange {
  return { key, value, userId, autoDelete: false, force: false, ...extra };
}

export function describeChatroomEntries(context: ContractContext): void {
  describe('chatrooms: KV entries', () => {
    beforeEach(async () => {
      await context.store.chatrooms.create(APP, 'r1', '', T0);
    });

    it('set creates and updates own keys with strictly increasing times; others need force', async () => {
      const { chatrooms } = context.store;
      const first = await chatrooms.setEntry(APP, 'r1', change('k', 'v1', 'u1'), 100, T0 + 10);
      expect(first).toEqual({ ok: true, entry: { key: 'k', value: 'v1', userId: 'u1', autoDelete: false, overwrite: false, deleted: false, updatedTime: T0 + 10 } });
      const second = await chatrooms.setEntry(APP, 'r1', change('k', 'v2', 'u1', { autoDelete: true }), 100, T0 + 10);
      expect(second).toMatchObject({ ok: true, entry: { value: 'v2', autoDelete: true, updatedTime: T0 + 11 } });
      expect(await chatrooms.setEntry(APP, 'r1', change('k', 'x', 'u2'), 100, T0 + 20)).toEqual({ ok: false, reason: 'not-owner' });
      const forced = await chatrooms.setEntry(APP, 'r1', change('k', 'x', 'u2', { force: true }), 100, T0 + 5);
      expect(forced).toMatchObject({ ok: true, entry: { value: 'x', userId: 'u2', overwrite: true, updatedTime: T0 + 12 } });
      // The forced writer now owns it.
      expect(await chatrooms.setEntry(APP, 'r1', change('k', 'y', 'u1'), 100, T0 + 30)).toEqual({ ok: false, reason: 'not-owner' });
      expect(await chatrooms.entries(APP, 'r1')).toMatchObject([{ key: 'k', value: 'x', userId: 'u2' }]);
      await expect(chatrooms.setEntry(APP, 'missing', change('k', 'v', 'u1'), 100, T0)).rejects.toThrow();
    });

    it('refuse a new key beyond the limit but allow updating existing ones', async () => {
      const { chatrooms } = context.store;
      for (let i = 0; i < 3; i++) expect((await chatrooms.setEntry(APP, 'r1', change(`k${i}`, 'v', 'u1'), 3, T0)).ok).toBe(true);
      expect(await chatrooms.setEntry(APP, 'r1', change('k3', 'v', 'u1'), 3, T0)).toEqual({ ok: false, reason: 'limit' });
      expect((await chatrooms.setEntry(APP, 'r1', change('k0', 'v2', 'u1'), 3, T0)).ok).toBe(true);
      // A removal frees a slot.
      expect((await chatrooms.removeEntry(APP, 'r1', 'k1', 'u1', false, T0)).ok).toBe(true);
      expect((await chatrooms.setEntry(APP, 'r1', change('k3', 'v', 'u1'), 3, T0)).ok).toBe(true);
    });

    it('setEntries writes every key or none: the cap counts existing keys, an unforced foreign key refuses all', async () => {
      const { chatrooms } = context.store;
      await chatrooms.setEntry(APP, 'r1', change('a', 'v', 'u1'), 3, T0);
      await chatrooms.setEntry(APP, 'r1', change('b', 'v', 'u1'), 3, T0);
      expect(await chatrooms.setEntries(APP, 'r1', [change('a', 'x', 'u1'), change('c', 'x', 'u1'), change('d', 'x', 'u1')], 3, T0 + 10)).toEqual({ ok: false, reason: 'limit', key: 'd' });
      expect(await chatrooms.setEntries(APP, 'r1', [change('c', 'x', 'u2'), change('a', 'x', 'u2')], 3, T0 + 10)).toEqual({ ok: false, reason: 'not-owner', key: 'a' });
      expect((await chatrooms.entries(APP, 'r1')).map((e) => [e.key, e.value])).toEqual([['a', 'v'], ['b', 'v']]);
      const done = await chatrooms.setEntries(APP, 'r1', [change('a', 'x', 'u2', { force: true }), change('c', 'y', 'u2', { force: true })], 3, T0 + 10);
      expect(done).toMatchObject({ ok: true, entries: [{ key: 'a', value: 'x', userId: 'u2', updatedTime: T0 + 10 }, { key: 'c', value: 'y', updatedTime: T0 + 11 }] });
      expect((await chatrooms.entries(APP, 'r1')).map((e) => [e.key, e.value])).toEqual([['a', 'x'], ['b', 'v'], ['c', 'y']]);
      expect((await chatrooms.setEntry(APP, 'r1', change('z', 'v', 'u1'), 3, T0 + 5)).ok).toBe(false);
      expect(await chatrooms.setEntry(APP, 'r1', change('b', 'w', 'u1'), 3, T0 + 5)).toMatchObject({ ok: true, entry: { updatedTime: T0 + 12 } });
    });

    it('remove: own keys only unless forced, missing keys refused, removals become tombstones', async () => {
      const { chatrooms } = context.store;
      await chatrooms.setEntry(APP, 'r1', change('k', 'v', 'u1'), 100, T0);
      expect(await chatrooms.removeEntry(APP, 'r1', 'k', 'u2', false, T0 + 1)).toEqual({ ok: false, reason: 'not-owner' });
      expect(await chatrooms.removeEntry(APP, 'r1', 'nope', 'u1', true, T0 + 1)).toEqual({ ok: false, reason: 'not-found' });
      const removed = await chatrooms.removeEntry(APP, 'r1', 'k', 'u2', true, T0 + 1);
      expect(removed).toEqual({ ok: true, entry: { key: 'k', value: '', userId: 'u2', autoDelete: false, overwrite: true, deleted: true, updatedTime: T0 + 1 } });
      expect(await chatrooms.removeEntry(APP, 'r1', 'k', 'u2', true, T0 + 2)).toEqual({ ok: false, reason: 'not-found' });
      expect(await chatrooms.entries(APP, 'r1')).toEqual([]);
      // Anyone may set a removed key again.
      expect((await chatrooms.setEntry(APP, 'r1', change('k', 'again', 'u3'), 100, T0 + 3)).ok).toBe(true);
    });

    it('removeAutoDeleteEntries removes only the live auto-delete keys of that user', async () => {
      const { chatrooms } = context.store;
      await chatrooms.setEntry(APP, 'r1', change('a', '1', 'u1', { autoDelete: true }), 100, T0);
      await chatrooms.setEntry(APP, 'r1', change('b', '2', 'u1'), 100, T0);
      await chatrooms.setEntry(APP, 'r1', change('c', '3', 'u2', { autoDelete: true }), 100, T0);
      const removed = await chatrooms.removeAutoDeleteEntries(APP, 'r1', 'u1', T0 + 100);
      expect(removed).toEqual([{ key: 'a', value: '', userId: 'u1', autoDelete: true, overwrite: false, deleted: true, updatedTime: T0 + 100 }]);
      expect((await chatrooms.entries(APP, 'r1')).map((e) => e.key)).toEqual(['b', 'c']);
      expect(await chatrooms.removeAutoDeleteEntries(APP, 'r1', 'u1', T0 + 200)).toEqual([]);
    });

    it('entriesSince: 0 gives the full live list, a cursor gives changes including removals', async () => {
      const { chatrooms } = context.store;
      expect(await chatrooms.entriesSince(APP, 'r1', 0)).toEqual({ full: true, entries: [], syncTime: 0 });
      await chatrooms.setEntry(APP, 'r1', change('a', '1', 'u1'), 100, T0);
      await chatrooms.setEntry(APP, 'r1', change('b', '2', 'u1'), 100, T0);
      const full = await chatrooms.entriesSince(APP, 'r1', 0);
      expect(full).toMatchObject({ full: true, syncTime: T0 + 1 });
      expect(full.entries.map((e) => e.key)).toEqual(['a', 'b']);
      await chatrooms.removeEntry(APP, 'r1', 'a', 'u1', false, T0);
      await chatrooms.setEntry(APP, 'r1', change('c', '3', 'u2'), 100, T0);
      const delta = await chatrooms.entriesSince(APP, 'r1', full.syncTime);
      expect(delta.full).toBe(false);
      expect(delta.entries.map((e) => [e.key, e.deleted])).toEqual([['a', true], ['c', false]]);
      expect(delta.syncTime).toBe(T0 + 3);
      expect(await chatrooms.entriesSince(APP, 'r1', delta.syncTime)).toEqual({ full: false, entries: [], syncTime: T0 + 3 });
      expect((await chatrooms.entriesSince(APP, 'r1', 0)).entries.map((e) => e.key)).toEqual(['b', 'c']);
      expect(await chatrooms.entriesSince(APP, 'missing', 5)).toEqual({ full: true, entries: [], syncTime: 0 });
    });

    it('a cursor older than purged removals gets a full list instead of missing them', async () => {
      const { chatrooms } = context.store;
      await chatrooms.setEntry(APP, 'r1', change('keep', 'v', 'u1'), 1000, T0);
      const cursor = (await chatrooms.entriesSince(APP, 'r1', 0)).syncTime;
      for (let i = 0; i < 260; i++) {
        await chatrooms.setEntry(APP, 'r1', change(`k${i}`, 'v', 'u1'), 1000, T0);
        await chatrooms.removeEntry(APP, 'r1', `k${i}`, 'u1', false, T0);
      }
      const stale = await chatrooms.entriesSince(APP, 'r1', cursor);
      expect(stale.full).toBe(true);
      expect(stale.entries.map((e) => e.key)).toEqual(['keep']);
      // A recent cursor still gets an incremental answer.
      const recent = await chatrooms.entriesSince(APP, 'r1', stale.syncTime - 3);
      expect(recent.full).toBe(false);
      expect(recent.entries).toHaveLength(2);
    });

    it('entries filters by keys and is scoped by app', async () => {
      const { chatrooms } = context.store;
      await chatrooms.create(OTHER_APP, 'r1', '', T0);
      await chatrooms.setEntry(APP, 'r1', change('b', '2', 'u1'), 100, T0);
      await chatrooms.setEntry(APP, 'r1', change('a', '1', 'u1'), 100, T0);
      await chatrooms.setEntry(OTHER_APP, 'r1', change('z', '9', 'u1'), 100, T0);
      expect((await chatrooms.entries(APP, 'r1')).map((e) => e.key)).toEqual(['a', 'b']);
      expect((await chatrooms.entries(APP, 'r1', ['b', 'nope'])).map((e) => e.key)).toEqual(['b']);
      expect((await chatrooms.entries(OTHER_APP, 'r1')).map((e) => e.key)).toEqual(['z']);
    });
  });
}
