import type { ContractContext } from './contract-support';
import { APP, OTHER_APP, T0, appendAll, privateMessage } from './contract-support';

export function describeRecallAndPrune(context: ContractContext): void {
  describe('recall', () => {
    it('lets only the sender recall, once', async () => {
      const message = await context.store.messages.append(privateMessage('a', 'b'));
      expect(await context.store.messages.recall(APP, message.uid, 'b')).toEqual({ ok: false, reason: 'not-sender' });
      expect((await context.store.messages.get(APP, message.uid))?.recalled).toBe(false);

      const done = await context.store.messages.recall(APP, message.uid, 'a');
      expect(done).toEqual({ ok: true, message: { ...message, recalled: true } });
      expect(await context.store.messages.get(APP, message.uid)).toEqual({ ...message, recalled: true });
      expect(await context.store.messages.recall(APP, message.uid, 'a')).toEqual({ ok: false, reason: 'already-recalled' });
    });

    it('reports unknown uids, including another app\'s, as not-found', async () => {
      const message = await context.store.messages.append(privateMessage('a', 'b'));
      expect(await context.store.messages.recall(APP, 'AAAA-AAAA-AAAA-AAAA', 'a')).toEqual({ ok: false, reason: 'not-found' });
      expect(await context.store.messages.recall(OTHER_APP, message.uid, 'a')).toEqual({ ok: false, reason: 'not-found' });
      expect((await context.store.messages.get(APP, message.uid))?.recalled).toBe(false);
    });
  });

  describe('prune', () => {
    it('deletes messages and entries older than `before` in every app, and sentTime is never reused', async () => {
      const [old1, old2, young] = await appendAll(context.store, [
        privateMessage('a', 'b', { now: T0 }),
        privateMessage('a', 'c', { now: T0 + 10 }),
        privateMessage('a', 'b', { now: T0 + 20 }),
      ]);
      const otherOld = await context.store.messages.append(privateMessage('x', 'y', { app: OTHER_APP, now: T0 + 5 }));
      expect(await context.store.messages.prune(T0 + 20)).toBe(3);
      expect(await context.store.messages.prune(T0 + 20)).toBe(0);

      for (const gone of [old1, old2]) expect(await context.store.messages.get(APP, gone?.uid ?? '')).toBeUndefined();
      expect(await context.store.messages.get(OTHER_APP, otherOld.uid)).toBeUndefined();
      expect(await context.store.messages.get(APP, young?.uid ?? '')).toEqual(young);

      const page = await context.store.messages.sync(APP, 'a', 0, 0, 10, 0);
      expect(page.entries.map((entry) => entry.message.uid)).toEqual([young?.uid]);
      const history = await context.store.messages.history({ appKey: APP, owner: 'b', conversation: { type: 1, targetId: 'a' }, time: 0, count: 10, order: 0 });
      expect(history.messages.map((entry) => entry.message.uid)).toEqual([young?.uid]);
      expect((await context.store.conversations.list(APP, 'a', 10, 0)).map((summary) => summary.conversation.targetId)).toEqual(['b']);
      expect(await context.store.conversations.list(APP, 'c', 10, 0)).toEqual([]);

      const next = await context.store.messages.append(privateMessage('a', 'b', { now: T0 }));
      expect(next.sentTime).toBe(T0 + 21);
      const otherNext = await context.store.messages.append(privateMessage('x', 'y', { app: OTHER_APP, now: T0 }));
      expect(otherNext.sentTime).toBe(T0 + 6);
    });
  });
}
