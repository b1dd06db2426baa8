import type { ContractContext } from './contract-support';
import { APP, GROUP, groupMessage, OTHER_APP, PRIVATE, privateMessage, T0 } from './contract-support';

const FROM_U2 = { type: PRIVATE, targetId: 'u2' };
const FROM_U3 = { type: PRIVATE, targetId: 'u3' };
const G1 = { type: GROUP, targetId: 'g1' };
const FAR = T0 + 1_000_000;

/** Unread counts derived from inbox entries and read positions (unread-count-repository.ts). */
export function describeUnreadCounts(context: ContractContext): void {
  describe('unread counts', () => {
    it('count the owner’s counted inbox messages from others after its read position, up to upTo', async () => {
      const { messages, unreadCounts, readPositions } = context.store;
      const a = await messages.append(privateMessage('u2', 'u1', { now: T0 }));
      await messages.append(privateMessage('u2', 'u1', { now: T0 + 10 }));
      const c = await messages.append(privateMessage('u2', 'u1', { now: T0 + 20 }));
      // Not counted (flags 1), own messages and other owners' messages never count.
      await messages.append({ ...privateMessage('u2', 'u1', { now: T0 + 30 }), flags: 1 });
      await messages.append(privateMessage('u1', 'u2', { now: T0 + 40 }));
      await messages.append(privateMessage('u3', 'u4', { now: T0 + 50 }));
      const page = await unreadCounts.listInbox(APP, 'u1', FAR, 0, 10);
      expect(page).toEqual({ items: [{ conversation: FROM_U2, readTime: 0, count: 3, mentionCount: 0, firstUnread: { uid: a.uid, sentTime: a.sentTime, objectName: 'RC:TxtMsg' } }] });

      await readPositions.advance(APP, 'u1', [{ conversation: FROM_U2, readTime: a.sentTime + 10 }], T0);
      const [after] = await unreadCounts.unreadOf(APP, 'u1', [FROM_U2], FAR, 0);
      expect(after).toMatchObject({ readTime: a.sentTime + 10, count: 1, firstUnread: { uid: c.uid } });
      // upTo and notBefore bound the counted range.
      expect((await unreadCounts.unreadOf(APP, 'u1', [FROM_U2], c.sentTime - 1, 0))[0]?.count).toBe(0);
      expect((await unreadCounts.unreadOf(APP, 'u1', [FROM_U2], FAR, c.sentTime + 1))[0]?.count).toBe(0);
      expect(await unreadCounts.unreadOf(OTHER_APP, 'u1', [FROM_U2], FAR, 0)).toEqual([{ conversation: FROM_U2, readTime: 0, count: 0, mentionCount: 0 }]);
    });

    it('follow the floor, recalls, deletions and cleared history; mentions are counted apart; read conversations stay listed', async () => {
      const { messages, unreadCounts, readPositions } = context.store;
      const g1 = await messages.append(groupMessage('u2', 'g1', ['u1', 'u3'], { now: T0 }));
      await messages.append(groupMessage('u3', 'g1', ['u1', 'u2'], { now: T0 + 10, mentioned: ['u1'] }));
      const p = await messages.append(privateMessage('u3', 'u1', { now: T0 + 20 }));
      const recalled = await messages.append(privateMessage('u3', 'u1', { now: T0 + 30 }));
      await messages.recall(APP, recalled.uid, 'u3');
      const all = await unreadCounts.listInbox(APP, 'u1', FAR, 0, 10);
      expect(all.items.map((i) => [i.conversation, i.count, i.mentionCount])).toEqual([[FROM_U3, 1, 0], [G1, 2, 1]]);
      expect(all.items[1]?.firstUnread?.uid).toBe(g1.uid);

      await messages.deleteForOwner(APP, 'u1', FROM_U3, [p.uid]);
      await messages.clearHistory(APP, 'u1', G1, g1.sentTime);
      const after = await unreadCounts.listInbox(APP, 'u1', FAR, 0, 10);
      expect(after.items.map((i) => [i.conversation, i.count])).toEqual([[FROM_U3, 0], [G1, 1]]);

      await readPositions.advanceFloor(APP, 'u1', FAR, T0);
      const read = await unreadCounts.listInbox(APP, 'u1', FAR, 0, 10);
      expect(read.items).toEqual([
        { conversation: FROM_U3, readTime: FAR, count: 0, mentionCount: 0 },
        { conversation: G1, readTime: FAR, count: 0, mentionCount: 0 },
      ]);
      // Outside [notBefore, upTo] nothing is listed.
      expect((await unreadCounts.listInbox(APP, 'u1', T0 - 1, 0, 10)).items).toEqual([]);
      expect((await unreadCounts.unreadOf(APP, 'u1', [G1], FAR, 0))[0]).toEqual({ conversation: G1, readTime: FAR, count: 0, mentionCount: 0 });
    });

    it('page by conversation key', async () => {
      const { messages, unreadCounts } = context.store;
      for (let i = 0; i < 5; i++) await messages.append(privateMessage(`p${i}`, 'u1', { now: T0 + i }));
      const first = await unreadCounts.listInbox(APP, 'u1', FAR, 0, 2);
      expect(first.items.map((i) => i.conversation.targetId)).toEqual(['p0', 'p1']);
      expect(first.next).toEqual({ type: PRIVATE, targetId: 'p1' });
      const second = await unreadCounts.listInbox(APP, 'u1', FAR, 0, 2, first.next);
      expect(second.items.map((i) => i.conversation.targetId)).toEqual(['p2', 'p3']);
      const last = await unreadCounts.listInbox(APP, 'u1', FAR, 0, 2, second.next);
      expect(last).toEqual({ items: [expect.objectContaining({ conversation: { type: PRIVATE, targetId: 'p4' }, count: 1 })] });
    });
  });
}
