import { Direction } from '../store';
import type { ConversationSummary, UserId } from '../store';
import type { ContractContext } from './contract-support';
import { APP, T0, appendAll, groupMessage, privateMessage, systemMessage } from './contract-support';

export function describeConversations(context: ContractContext): void {
  describe('conversations', () => {
    const list = (owner: UserId, count = 100, before = 0): Promise<readonly ConversationSummary[]> =>
      context.store.conversations.list(APP, owner, count, before);
    const keys = (summaries: readonly ConversationSummary[]): string[] =>
      summaries.map((summary) => `${summary.conversation.type}:${summary.conversation.targetId}`);

    it('lists each owner\'s view, most recently updated first, with the latest message', async () => {
      const m = await appendAll(context.store, [
        privateMessage('a', 'b', { now: T0 }),
        privateMessage('c', 'a', { now: T0 + 10 }),
        groupMessage('b', 'g1', ['a', 'c'], { now: T0 + 20 }),
        privateMessage('a', 'b', { now: T0 + 30 }),
        systemMessage('admin', 'a', { now: T0 + 40 }),
      ]);
      const mine = await list('a');
      expect(keys(mine)).toEqual(['6:admin', '1:b', '3:g1', '1:c']);
      expect(mine.map((summary) => summary.updatedTime)).toEqual([T0 + 40, T0 + 30, T0 + 20, T0 + 10]);
      expect(mine[1]?.latest).toEqual({ message: m[3], direction: Direction.Send, mentioned: false });
      expect(mine[3]?.latest).toEqual({ message: m[1], direction: Direction.Receive, mentioned: false });
      expect(keys(await list('b'))).toEqual(['1:a', '3:g1']);
      expect(keys(await list('c'))).toEqual(['3:g1', '1:a']);
      // The system sender had no sendbox entry, so it has no conversation.
      expect(await list('admin')).toEqual([]);
      expect(await list('nobody')).toEqual([]);
    });

    it('honours count and pages with before (updatedTime < before)', async () => {
      await appendAll(context.store, ['b', 'c', 'd', 'e'].map((peer, i) => privateMessage('a', peer, { now: T0 + 10 * i })));
      const first = await list('a', 2);
      expect(keys(first)).toEqual(['1:e', '1:d']);
      const second = await list('a', 2, first[1]?.updatedTime ?? 0);
      expect(keys(second)).toEqual(['1:c', '1:b']);
      expect(await list('a', 2, second[1]?.updatedTime ?? 0)).toEqual([]);
      expect(keys(await list('a', 10, T0 + 15))).toEqual(['1:c', '1:b']);
      expect(await list('a', 0)).toEqual([]);
    });

    it('listAfter pages forwards: updatedTime > after (0 = from the first), oldest first, the reverse of list', async () => {
      const listAfter = (owner: UserId, count: number, after: number): Promise<readonly ConversationSummary[]> =>
        context.store.conversations.listAfter(APP, owner, count, after);
      const m = await appendAll(context.store, [
        privateMessage('a', 'b', { now: T0 }),
        privateMessage('c', 'a', { now: T0 + 10 }),
        privateMessage('a', 'd', { now: T0 + 10 }), // sentTime is unique in an app: T0 + 11, so no two conversations tie
        groupMessage('b', 'g1', ['a', 'c'], { now: T0 + 20 }),
        privateMessage('a', 'e', { now: T0 + 30 }),
      ]);
      const all = await listAfter('a', 100, 0);
      expect(keys(all)).toEqual(['1:b', '1:c', '1:d', '3:g1', '1:e']);
      expect(all.map((summary) => summary.updatedTime)).toEqual([T0, T0 + 10, T0 + 11, T0 + 20, T0 + 30]);
      expect(keys(all)).toEqual(keys(await list('a')).reverse());
      expect(all[1]?.latest).toEqual({ message: m[1], direction: Direction.Receive, mentioned: false });
      expect(all[3]?.latest).toEqual({ message: m[3], direction: Direction.Receive, mentioned: false });
      // count: the oldest ones; the next page starts after the last one's time, which is exclusive.
      const first = await listAfter('a', 2, 0);
      expect(keys(first)).toEqual(['1:b', '1:c']);
      expect(keys(await listAfter('a', 2, first[0]?.updatedTime ?? 0))).toEqual(['1:c', '1:d']);
      expect(keys(await listAfter('a', 10, T0 + 10))).toEqual(['1:d', '3:g1', '1:e']);
      expect(keys(await listAfter('a', 10, T0 + 11))).toEqual(['3:g1', '1:e']);
      expect(keys(await listAfter('a', 10, T0 + 9))).toEqual(['1:c', '1:d', '3:g1', '1:e']);
      expect(await listAfter('a', 10, T0 + 30)).toEqual([]);
      expect(await listAfter('a', 0, 0)).toEqual([]);
      expect(await listAfter('nobody', 10, 0)).toEqual([]);
      expect(keys(await listAfter('c', 10, 0))).toEqual(['1:a', '3:g1']);

      // A removed conversation is left out until its next message, which puts it last.
      await context.store.conversations.remove(APP, 'a', { type: 3, targetId: 'g1' });
      expect(keys(await listAfter('a', 10, T0))).toEqual(['1:c', '1:d', '1:e']);
      await context.store.messages.append(groupMessage('c', 'g1', ['a', 'b'], { now: T0 + 40 }));
      expect(keys(await listAfter('a', 10, T0))).toEqual(['1:c', '1:d', '1:e', '3:g1']);
      // An emptied one (its only message recalled) is skipped and count is filled past it.
      await context.store.messages.recall(APP, m[0]?.uid ?? '', 'a');
      expect(keys(await listAfter('a', 1, 0))).toEqual(['1:c']);
    });

    it('removes a conversation for its owner only, idempotently, until a new message arrives', async () => {
      const [first] = await appendAll(context.store, [privateMessage('a', 'b', { now: T0 }), privateMessage('a', 'c', { now: T0 + 10 })]);
      await context.store.conversations.remove(APP, 'a', { type: 1, targetId: 'b' });
      await context.store.conversations.remove(APP, 'a', { type: 1, targetId: 'b' });
      await context.store.conversations.remove(APP, 'a', { type: 1, targetId: 'never' });
      expect(keys(await list('a'))).toEqual(['1:c']);
      expect(keys(await list('b'))).toEqual(['1:a']);
      const kept = await context.store.messages.history({ appKey: APP, owner: 'a', conversation: { type: 1, targetId: 'b' }, time: 0, count: 10, order: 0 });
      expect(kept.messages.map((entry) => entry.message.uid)).toEqual([first?.uid]);

      const reply = await context.store.messages.append(privateMessage('b', 'a', { now: T0 + 20 }));
      const back = await list('a');
      expect(keys(back)).toEqual(['1:b', '1:c']);
      expect(back[0]?.latest.message).toEqual(reply);
    });

    it('summariesOf answers the listed ones among the given conversations, in the given order, with their latest message', async () => {
      const m = await appendAll(context.store, [
        privateMessage('a', 'b', { now: T0 }),
        privateMessage('c', 'a', { now: T0 + 10 }),
        groupMessage('b', 'g1', ['a', 'c'], { now: T0 + 20 }),
        privateMessage('d', 'a', { now: T0 + 30 }),
      ]);
      await context.store.conversations.remove(APP, 'a', { type: 1, targetId: 'd' });
      const asked = [
        { type: 3, targetId: 'g1' },
        { type: 1, targetId: 'nobody' },
        { type: 1, targetId: 'b' },
        { type: 1, targetId: 'd' }, // removed
        { type: 3, targetId: 'b' }, // no such conversation (b is a private one)
        { type: 1, targetId: 'b' }, // asked twice, answered once
      ];
      const found = await context.store.conversations.summariesOf(APP, 'a', asked);
      expect(keys(found)).toEqual(['3:g1', '1:b']);
      expect(found[0]).toEqual({ conversation: { type: 3, targetId: 'g1' }, latest: { message: m[2], direction: Direction.Receive, mentioned: false }, updatedTime: T0 + 20 });
      expect(found[1]?.latest).toEqual({ message: m[0], direction: Direction.Send, mentioned: false });
      expect(keys(await context.store.conversations.summariesOf(APP, 'c', [{ type: 1, targetId: 'a' }]))).toEqual(['1:a']);
      expect(await context.store.conversations.summariesOf(APP, 'nobody', [{ type: 1, targetId: 'a' }])).toEqual([]);
      expect(await context.store.conversations.summariesOf(APP, 'a', [])).toEqual([]);

      // Recalled and cleared messages are not the latest: the previous visible one is, or the conversation is left out.
      await context.store.messages.recall(APP, m[0]?.uid ?? '', 'a');
      expect(await context.store.conversations.summariesOf(APP, 'a', [{ type: 1, targetId: 'b' }])).toEqual([]);
      await context.store.messages.clearHistory(APP, 'a', { type: 3, targetId: 'g1' }, T0 + 20);
      expect(await context.store.conversations.summariesOf(APP, 'a', [{ type: 3, targetId: 'g1' }])).toEqual([]);
    });

    it('falls back to the previous visible message when the latest is recalled, and drops empty ones', async () => {
      const [other, older, newer] = await appendAll(context.store, [
        privateMessage('c', 'a', { now: T0 - 100 }),
        privateMessage('b', 'a', { now: T0 }),
        privateMessage('b', 'a', { now: T0 + 10 }),
      ]);
      await context.store.messages.recall(APP, newer?.uid ?? '', 'b');
      const afterOne = await list('a');
      expect(keys(afterOne)).toEqual(['1:b', '1:c']);
      expect(afterOne[0]?.latest.message).toEqual(older);
      expect(afterOne[0]?.updatedTime).toBe(newer?.sentTime);

      await context.store.messages.recall(APP, older?.uid ?? '', 'b');
      expect(keys(await list('a'))).toEqual(['1:c']);
      // count is filled past hidden conversations that sort before the visible ones.
      const one = await list('a', 1);
      expect(keys(one)).toEqual(['1:c']);
      expect(one[0]?.latest.message).toEqual(other);
      expect(keys(await list('b'))).toEqual([]);
    });

    it('uses the owner\'s own deletions and clear watermark for latest, leaving the peer unaffected', async () => {
      const [first, second] = await appendAll(context.store, [privateMessage('a', 'b', { now: T0 }), privateMessage('b', 'a', { now: T0 + 10 })]);
      await context.store.messages.deleteForOwner(APP, 'a', { type: 1, targetId: 'b' }, [second?.uid ?? '']);
      expect((await list('a'))[0]?.latest.message).toEqual(first);
      expect((await list('b'))[0]?.latest.message).toEqual(second);

      await context.store.messages.clearHistory(APP, 'a', { type: 1, targetId: 'b' }, T0 + 10);
      expect(await list('a')).toEqual([]);
      expect(keys(await list('b'))).toEqual(['1:a']);
      const fresh = await context.store.messages.append(privateMessage('b', 'a', { now: T0 + 20 }));
      expect((await list('a'))[0]?.latest.message).toEqual(fresh);
    });

    it('carries the owner\'s mentioned bit in latest', async () => {
      await context.store.messages.append(groupMessage('a', 'g1', ['b', 'c'], { mentioned: ['b'] }));
      expect((await list('b'))[0]?.latest.mentioned).toBe(true);
      expect((await list('c'))[0]?.latest.mentioned).toBe(false);
    });
  });
}
