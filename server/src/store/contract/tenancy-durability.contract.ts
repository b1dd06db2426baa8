import type { ConversationKey, Store, UserId } from '../store';
import type { ContractContext } from './contract-support';
import { APP, OTHER_APP, T0, appendAll, groupMessage, privateMessage } from './contract-support';

/** Everything observable through the interface for a few owners, used to compare before/after reopen. */
async function snapshot(store: Store, appKey: string, owners: readonly UserId[], conversation: (owner: UserId) => ConversationKey) {
  const views = [];
  for (const owner of owners) {
    views.push({
      sync: await store.messages.sync(appKey, owner, 0, 0, 1_000, 0),
      history: await store.messages.history({ appKey, owner, conversation: conversation(owner), time: 0, count: 100, order: 0 }),
      conversations: await store.conversations.list(appKey, owner, 100, 0),
      user: await store.users.get(appKey, owner),
    });
  }
  return views;
}

export function describeTenancyAndDurability(context: ContractContext): void {
  describe('multi-tenancy', () => {
    it('never lets one app see another app\'s messages, conversations or uids', async () => {
      const inA = await context.store.messages.append(privateMessage('a', 'b', { now: T0 }));
      const inB = await context.store.messages.append(privateMessage('a', 'b', { app: OTHER_APP, now: T0 + 1, text: 'b' }));
      expect(await context.store.messages.get(OTHER_APP, inA.uid)).toBeUndefined();
      expect(await context.store.messages.get(APP, inB.uid)).toBeUndefined();
      for (const [app, only] of [[APP, inA], [OTHER_APP, inB]] as const) {
        const page = await context.store.messages.sync(app, 'b', 0, 0, 10, 0);
        expect(page.entries.map((entry) => entry.message.uid)).toEqual([only.uid]);
        expect(page.syncTime).toBe(only.sentTime);
        const history = await context.store.messages.history({ appKey: app, owner: 'a', conversation: { type: 1, targetId: 'b' }, time: 0, count: 10, order: 0 });
        expect(history.messages.map((entry) => entry.message.uid)).toEqual([only.uid]);
        const list = await context.store.conversations.list(app, 'a', 10, 0);
        expect(list.map((summary) => summary.latest.message.uid)).toEqual([only.uid]);
      }
      await context.store.conversations.remove(OTHER_APP, 'a', { type: 1, targetId: 'b' });
      await context.store.messages.deleteForOwner(OTHER_APP, 'a', { type: 1, targetId: 'b' }, [inA.uid]);
      await context.store.messages.clearHistory(OTHER_APP, 'b', { type: 1, targetId: 'a' }, T0 + 100);
      expect(await context.store.conversations.list(APP, 'a', 10, 0)).toHaveLength(1);
      const history = await context.store.messages.history({ appKey: APP, owner: 'b', conversation: { type: 1, targetId: 'a' }, time: 0, count: 10, order: 0 });
      expect(history.messages.map((entry) => entry.message.uid)).toEqual([inA.uid]);
    });
  });

  describe('durability', () => {
    it('migrate() is idempotent', async () => {
      await context.store.migrate();
      await context.store.migrate();
      expect((await context.store.messages.append(privateMessage('a', 'b'))).sentTime).toBe(T0);
    });

    it('keeps everything after close and reopen of the same storage, and the clock moves on', async () => {
      const store = context.store;
      const m = await appendAll(store, [
        privateMessage('a', 'b', { now: T0 }),
        privateMessage('b', 'a', { now: T0 + 10 }),
        groupMessage('a', 'g1', ['b', 'c'], { now: T0 + 20, mentioned: ['c'] }),
        privateMessage('c', 'a', { now: T0 + 30 }),
        privateMessage('a', 'b', { now: T0 + 40 }),
      ]);
      await store.messages.recall(APP, m[4]?.uid ?? '', 'a');
      await store.messages.deleteForOwner(APP, 'b', { type: 1, targetId: 'a' }, [m[0]?.uid ?? '']);
      await store.messages.clearHistory(APP, 'c', { type: 3, targetId: 'g1' }, T0 + 20);
      await store.conversations.remove(APP, 'a', { type: 1, targetId: 'c' });
      for (const user of ['a', 'b', 'c']) await store.users.upsert(APP, user, { name: user.toUpperCase() }, T0);
      await store.users.expireTokens(APP, ['a'], T0 + 7);
      await store.users.setBlockedUntil(APP, 'b', T0 + 9, T0);

      const owners = ['a', 'b', 'c'];
      const key = (owner: UserId): ConversationKey => (owner === 'c' ? { type: 3, targetId: 'g1' } : { type: 1, targetId: owner === 'a' ? 'b' : 'a' });
      const before = await snapshot(store, APP, owners, key);
      const messagesBefore = await Promise.all(m.map((message) => store.messages.get(APP, message.uid)));

      const reopened = await context.reopen();
      expect(await snapshot(reopened, APP, owners, key)).toEqual(before);
      expect(await Promise.all(m.map((message) => reopened.messages.get(APP, message.uid)))).toEqual(messagesBefore);
      expect(await reopened.messages.recall(APP, m[4]?.uid ?? '', 'a')).toEqual({ ok: false, reason: 'already-recalled' });
      const next = await reopened.messages.append(privateMessage('a', 'b', { now: T0 }));
      expect(next.sentTime).toBe(T0 + 41);
    });
  });
}
