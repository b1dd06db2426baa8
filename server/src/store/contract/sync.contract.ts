import { Direction } from '../store';
import type { StoredMessage, SyncEntry } from '../store';
import type { ContractContext } from './contract-support';
import { APP, T0, appendAll, groupMessage, privateMessage, times, uids } from './contract-support';

export function describeSync(context: ContractContext): void {
  describe('sync', () => {
    /** a→b, b→a, a→b, b→a, a→b at T0, T0+10, … (sendbox on): b has 3 inbox and 2 sendbox entries. */
    async function conversation(): Promise<StoredMessage[]> {
      return appendAll(
        context.store,
        [0, 1, 2, 3, 4].map((i) => (i % 2 === 0 ? privateMessage('a', 'b', { now: T0 + 10 * i }) : privateMessage('b', 'a', { now: T0 + 10 * i }))),
      );
    }

    it('returns an empty, complete page for an owner without entries', async () => {
      const page = await context.store.messages.sync(APP, 'nobody', 0, 0, 10, 0);
      expect(page).toEqual({ entries: [], hasMore: false, syncTime: 0, sendboxTime: 0 });
    });

    it('reads the inbox after the cursor, ascending, and only the inbox when sendboxAfter is null', async () => {
      const m = await conversation();
      const page = await context.store.messages.sync(APP, 'b', 0, null, 100, 0);
      expect(uids(page.entries)).toEqual([m[0], m[2], m[4]].map((x) => x?.uid));
      expect(page.entries.every((entry) => entry.direction === Direction.Receive)).toBe(true);
      expect(page.entries[1]?.message).toEqual(m[2]);
      expect(page.hasMore).toBe(false);
      expect(page.sendboxTime).toBe(0);

      const after = await context.store.messages.sync(APP, 'b', T0, null, 100, 0);
      expect(times(after.entries)).toEqual([T0 + 20, T0 + 40]);
      expect((await context.store.messages.sync(APP, 'b', T0 + 40, null, 100, 0)).entries).toEqual([]);
    });

    it('adds sendbox entries after sendboxAfter when it is not null, merged ascending', async () => {
      const m = await conversation();
      const all = await context.store.messages.sync(APP, 'b', 0, 0, 100, 0);
      expect(uids(all.entries)).toEqual(m.map((x) => x.uid));
      expect(all.entries.map((entry) => entry.direction)).toEqual([2, 1, 2, 1, 2]);
      expect(all.sendboxTime).toBe(T0 + 30);

      const later = await context.store.messages.sync(APP, 'b', T0 + 20, T0 + 10, 100, 0);
      expect(times(later.entries)).toEqual([T0 + 30, T0 + 40]);
      expect(later.sendboxTime).toBe(T0 + 30);

      const none = await context.store.messages.sync(APP, 'b', T0 + 40, T0 + 30, 100, 0);
      expect(none.entries).toEqual([]);
      expect(none.sendboxTime).toBe(T0 + 30);
    });

    it('reports the high-water mark over inbox and sendbox as syncTime of a complete page', async () => {
      await conversation();
      await context.store.messages.append(privateMessage('b', 'c', { now: T0 + 100 }));
      // Inbox only requested, yet the cursor must cover the sendbox entry at T0+100 too (PROTOCOL §8.3).
      const page = await context.store.messages.sync(APP, 'b', 0, null, 100, 0);
      expect(page.hasMore).toBe(false);
      expect(page.syncTime).toBe(T0 + 100);
      const caughtUp = await context.store.messages.sync(APP, 'b', T0 + 40, null, 100, 0);
      expect(caughtUp.entries).toEqual([]);
      expect(caughtUp.syncTime).toBe(T0 + 100);
    });

    it('cuts at limit with hasMore and cursors that resume exactly where the page ended', async () => {
      const m = await conversation();
      const first = await context.store.messages.sync(APP, 'b', 0, 0, 2, 0);
      expect(times(first.entries)).toEqual([T0, T0 + 10]);
      expect(first).toMatchObject({ hasMore: true, syncTime: T0, sendboxTime: T0 + 10 });

      // A truncated page that holds only sendbox entries keeps the inbox cursor where it was.
      const sendOnly = await context.store.messages.sync(APP, 'b', T0 + 40, 0, 1, 0);
      expect(times(sendOnly.entries)).toEqual([T0 + 10]);
      expect(sendOnly).toMatchObject({ hasMore: true, syncTime: T0 + 40, sendboxTime: T0 + 10 });

      for (const limit of [1, 2, 3]) {
        const seen: SyncEntry[] = [];
        let inbox = 0;
        let sendbox = 0;
        for (let round = 0; round < 10; round++) {
          const page = await context.store.messages.sync(APP, 'b', inbox, sendbox, limit, 0);
          expect(page.entries.length).toBeLessThanOrEqual(limit);
          seen.push(...page.entries);
          inbox = page.syncTime;
          sendbox = page.sendboxTime;
          if (!page.hasMore) break;
          const lastInbox = [...page.entries].reverse().find((entry) => entry.direction === Direction.Receive);
          if (lastInbox !== undefined) expect(page.syncTime).toBe(lastInbox.message.sentTime);
        }
        expect(uids(seen)).toEqual(m.map((x) => x.uid));
        expect(inbox).toBe(T0 + 40);
        expect(sendbox).toBe(T0 + 30);
      }
      // Exactly `limit` entries left: the page is complete, not truncated.
      const exact = await context.store.messages.sync(APP, 'b', T0 + 20, T0 + 10, 2, 0);
      expect(times(exact.entries)).toEqual([T0 + 30, T0 + 40]);
      expect(exact.hasMore).toBe(false);
      // A run of equal sentTime cannot occur within one owner here (sentTime is strictly increasing per app and
      // an owner has one entry per message), so "never split a run" reduces to the exactness checked above.
    });

    it('skips entries older than notBefore (retention), keeping the boundary itself', async () => {
      await conversation();
      const page = await context.store.messages.sync(APP, 'b', 0, 0, 100, T0 + 20);
      expect(times(page.entries)).toEqual([T0 + 20, T0 + 30, T0 + 40]);
      expect(page.syncTime).toBe(T0 + 40);
      const limited = await context.store.messages.sync(APP, 'b', 0, 0, 1, T0 + 20);
      expect(times(limited.entries)).toEqual([T0 + 20]);
      expect(limited).toMatchObject({ hasMore: true, syncTime: T0 + 20 });
    });

    it('is scoped to the owner: a group member outside a directed message sees nothing of it', async () => {
      const directed = await context.store.messages.append(groupMessage('a', 'g1', ['a', 'b', 'c'], { recipients: ['b'] }));
      expect(uids((await context.store.messages.sync(APP, 'b', 0, 0, 10, 0)).entries)).toEqual([directed.uid]);
      expect((await context.store.messages.sync(APP, 'c', 0, 0, 10, 0)).entries).toEqual([]);
    });

    it('still delivers recalled (flagged) and deleted messages: it is the delivery log', async () => {
      const [kept, recalled] = await appendAll(context.store, [privateMessage('a', 'b', { now: T0 }), privateMessage('a', 'b', { now: T0 + 1 })]);
      if (kept === undefined || recalled === undefined) throw new Error('setup');
      await context.store.messages.recall(APP, recalled.uid, 'a');
      await context.store.messages.deleteForOwner(APP, 'b', { type: 1, targetId: 'a' }, [kept.uid]);
      await context.store.messages.clearHistory(APP, 'b', { type: 1, targetId: 'a' }, T0 + 10);
      const page = await context.store.messages.sync(APP, 'b', 0, null, 10, 0);
      expect(uids(page.entries)).toEqual([kept.uid, recalled.uid]);
      expect(page.entries.map((entry) => entry.message.recalled)).toEqual([false, true]);
    });
  });
}
