import type { ContractContext } from './contract-support';
import { APP, OTHER_APP, T0, appendAll, groupMessage, privateMessage, systemMessage } from './contract-support';

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

  describe('recipients of a fan-out message', () => {
    it('are the inbox owners of a group message and of a SYSTEM message addressed to its sender (a broadcast), by user id', async () => {
      const messages = context.store.messages;
      const group = await messages.append(groupMessage('a', 'g1', ['d', 'b', 'c']));
      // A broadcast: one SYSTEM message from `admin` to itself, with every user in its inbox but the sender.
      const broadcast = await messages.append(systemMessage('admin', 'admin', { recipients: ['u2', 'u1', 'u3'] }));
      const sentWithSendbox = await messages.append(systemMessage('admin', 'admin', { recipients: ['u1'], sendbox: true }));
      expect(await messages.recipientsOf(APP, group.uid)).toEqual(['b', 'c', 'd']);
      expect(await messages.recipientsOf(APP, broadcast.uid)).toEqual(['u1', 'u2', 'u3']);
      expect(await messages.recipientsOf(APP, sentWithSendbox.uid)).toEqual(['u1']);
      expect(await messages.recipientsOf(APP, 'AAAA-AAAA-AAAA-AAAA')).toEqual([]);
      expect(await messages.recipientsOf(OTHER_APP, broadcast.uid)).toEqual([]);
      // A recall does not change who holds the message.
      await messages.recall(APP, broadcast.uid, 'admin');
      const reopened = await context.reopen();
      expect(await reopened.messages.recipientsOf(APP, broadcast.uid)).toEqual(['u1', 'u2', 'u3']);
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
