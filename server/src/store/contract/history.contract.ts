import { Direction } from '../store';
import type { ConversationKey, HistoryPage, StoredMessage, UserId } from '../store';
import type { ContractContext } from './contract-support';
import { APP, T0, appendAll, groupMessage, privateMessage, systemMessage, uids } from './contract-support';

export function describeHistory(context: ContractContext): void {
  describe('history', () => {
    const withB: ConversationKey = { type: 1, targetId: 'b' };
    const withA: ConversationKey = { type: 1, targetId: 'a' };

    function history(owner: UserId, conversation: ConversationKey, time: number, count: number, order: 0 | 1): Promise<HistoryPage> {
      return context.store.messages.history({ appKey: APP, owner, conversation, time, count, order });
    }

    /** m0…m4: a→b, b→a, … at T0, T0+10, …, T0+40, plus unrelated traffic that must never show up. */
    async function setup(): Promise<StoredMessage[]> {
      const m = await appendAll(
        context.store,
        [0, 1, 2, 3, 4].map((i) => (i % 2 === 0 ? privateMessage('a', 'b', { now: T0 + 10 * i }) : privateMessage('b', 'a', { now: T0 + 10 * i }))),
      );
      await context.store.messages.append(privateMessage('a', 'c', { now: T0 + 15 }));
      await context.store.messages.append(groupMessage('a', 'b', ['b'], { now: T0 + 25 }));
      return m;
    }
    const pick = (m: StoredMessage[], ...indexes: number[]): string[] => indexes.map((i) => m[i]?.uid ?? 'missing');

    it('order 0 pages backwards from now (time 0) or from a time, newest first, with hasMore', async () => {
      const m = await setup();
      const latest = await history('a', withB, 0, 2, 0);
      expect(uids(latest.messages)).toEqual(pick(m, 4, 3));
      expect(latest.hasMore).toBe(true);

      const older = await history('a', withB, m[3]?.sentTime ?? 0, 2, 0);
      expect(uids(older.messages)).toEqual(pick(m, 2, 1));
      expect(older.hasMore).toBe(true);

      const rest = await history('a', withB, m[3]?.sentTime ?? 0, 3, 0);
      expect(uids(rest.messages)).toEqual(pick(m, 2, 1, 0));
      expect(rest.hasMore).toBe(false);

      const everything = await history('a', withB, 0, 5, 0);
      expect(uids(everything.messages)).toEqual(pick(m, 4, 3, 2, 1, 0));
      expect(everything.hasMore).toBe(false);
      expect((await history('a', withB, 0, 50, 0)).messages).toHaveLength(5);
      expect((await history('a', withB, m[0]?.sentTime ?? 0, 10, 0))).toEqual({ messages: [], hasMore: false });
    });

    it('order 1 pages forwards from a time (time 0 = from the oldest), still newest first', async () => {
      const m = await setup();
      const newer = await history('a', withB, m[1]?.sentTime ?? 0, 2, 1);
      expect(uids(newer.messages)).toEqual(pick(m, 3, 2));
      expect(newer.hasMore).toBe(true);

      const last = await history('a', withB, m[2]?.sentTime ?? 0, 2, 1);
      expect(uids(last.messages)).toEqual(pick(m, 4, 3));
      expect(last.hasMore).toBe(false);

      const oldest = await history('a', withB, 0, 2, 1);
      expect(uids(oldest.messages)).toEqual(pick(m, 1, 0));
      expect(oldest.hasMore).toBe(true);
      expect(await history('a', withB, m[4]?.sentTime ?? 0, 5, 1)).toEqual({ messages: [], hasMore: false });
    });

    it('shows each side its own view: direction and conversation key per owner', async () => {
      const m = await setup();
      const mine = await history('a', withB, 0, 10, 0);
      const { Send, Receive } = Direction;
      expect(mine.messages.map((entry) => entry.direction)).toEqual([Send, Receive, Send, Receive, Send]);
      const theirs = await history('b', withA, 0, 10, 0);
      expect(uids(theirs.messages)).toEqual(pick(m, 4, 3, 2, 1, 0));
      expect(theirs.messages[0]?.direction).toBe(Direction.Receive);
      expect(theirs.messages[0]?.message).toEqual(m[4]);
    });

    it('excludes recalled messages for everyone', async () => {
      const m = await setup();
      await context.store.messages.recall(APP, m[4]?.uid ?? '', 'a');
      expect(uids((await history('a', withB, 0, 2, 0)).messages)).toEqual(pick(m, 3, 2));
      expect(uids((await history('b', withA, 0, 2, 0)).messages)).toEqual(pick(m, 3, 2));
    });

    it('excludes messages deleted by the owner, for that owner only', async () => {
      const m = await setup();
      await context.store.messages.deleteForOwner(APP, 'a', withB, pick(m, 3, 1, 0));
      const mine = await history('a', withB, 0, 10, 0);
      expect(uids(mine.messages)).toEqual(pick(m, 4, 2));
      expect(mine.hasMore).toBe(false);
      expect(uids((await history('b', withA, 0, 10, 0)).messages)).toEqual(pick(m, 4, 3, 2, 1, 0));
    });

    it('ignores unknown uids and uids of another conversation when deleting', async () => {
      const m = await setup();
      const other = await context.store.messages.append(privateMessage('a', 'c', { now: T0 + 50 }));
      await context.store.messages.deleteForOwner(APP, 'a', withB, ['ZZZZ-ZZZZ-ZZZZ-ZZZZ', other.uid]);
      expect(uids((await history('a', withB, 0, 10, 0)).messages)).toEqual(pick(m, 4, 3, 2, 1, 0));
      expect(uids((await history('a', { type: 1, targetId: 'c' }, 0, 10, 0)).messages)).toEqual([other.uid, expect.any(String)]);
    });

    it('hides messages up to and including the clear time, for that owner only, and not later ones', async () => {
      const m = await setup();
      await context.store.messages.clearHistory(APP, 'a', withB, m[2]?.sentTime ?? 0);
      expect(uids((await history('a', withB, 0, 10, 0)).messages)).toEqual(pick(m, 4, 3));
      expect(uids((await history('a', withB, 0, 10, 1)).messages)).toEqual(pick(m, 4, 3));
      expect((await history('a', withB, m[3]?.sentTime ?? 0, 10, 0)).hasMore).toBe(false);
      expect((await history('b', withA, 0, 10, 0)).messages).toHaveLength(5);
      // A lower watermark later does not bring anything back.
      await context.store.messages.clearHistory(APP, 'a', withB, T0);
      expect(uids((await history('a', withB, 0, 10, 0)).messages)).toEqual(pick(m, 4, 3));
      const fresh = await context.store.messages.append(privateMessage('b', 'a', { now: T0 + 100 }));
      expect(uids((await history('a', withB, 0, 10, 0)).messages)).toEqual([fresh.uid, ...pick(m, 4, 3)]);
    });

    it('keys group history by group id and system history by sender, per recipient', async () => {
      const grp = await appendAll(context.store, [
        groupMessage('a', 'g1', ['b', 'c'], { now: T0 }),
        groupMessage('b', 'g1', ['a', 'c'], { now: T0 + 1 }),
        groupMessage('c', 'g1', ['a', 'b'], { now: T0 + 2, sendbox: false }),
      ]);
      const g1: ConversationKey = { type: 3, targetId: 'g1' };
      expect(uids((await history('b', g1, 0, 10, 0)).messages)).toEqual(pick(grp, 2, 1, 0));
      // The sender without a sendbox entry does not see its message in history.
      expect(uids((await history('c', g1, 0, 10, 0)).messages)).toEqual(pick(grp, 1, 0));
      expect((await history('stranger', g1, 0, 10, 0)).messages).toEqual([]);

      const sys = await context.store.messages.append(systemMessage('admin', 'u1', { now: T0 + 3 }));
      expect(uids((await history('u1', { type: 6, targetId: 'admin' }, 0, 10, 0)).messages)).toEqual([sys.uid]);
      expect((await history('u1', { type: 6, targetId: 'u1' }, 0, 10, 0)).messages).toEqual([]);
    });
  });
}
