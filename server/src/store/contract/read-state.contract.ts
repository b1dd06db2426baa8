import type { ContractContext } from './contract-support';
import { APP, GROUP, OTHER_APP, PRIVATE, privateMessage, T0, utf8 } from './contract-support';

const P2 = { type: PRIVATE, targetId: 'u2' };
const G1 = { type: GROUP, targetId: 'g1' };

/** Read positions, sensitive words and message expansions (issue #7). */
export function describeReadStateAndModeration(context: ContractContext): void {
  describe('read positions', () => {
    it('only grow; versions are strictly increasing per owner over positions and the floor', async () => {
      const { readPositions: reads } = context.store;
      const first = await reads.advance(APP, 'u1', [{ conversation: P2, readTime: 100 }, { conversation: G1, readTime: 50 }], T0);
      expect(first).toEqual([
        { conversation: P2, readTime: 100, version: T0 },
        { conversation: G1, readTime: 50, version: T0 + 1 },
      ]);
      expect(await reads.advance(APP, 'u1', [{ conversation: P2, readTime: 90 }], T0)).toEqual([]);
      const floor = await reads.advanceFloor(APP, 'u1', 70, T0);
      expect(floor).toEqual({ readTime: 70, version: T0 + 2 });
      expect(await reads.advanceFloor(APP, 'u1', 60, T0)).toEqual(floor);
      expect(await reads.readTime(APP, 'u1', P2)).toBe(100);
      expect(await reads.readTime(APP, 'u1', G1)).toBe(70);
      expect(await reads.readTime(APP, 'u1', { type: PRIVATE, targetId: 'other' })).toBe(70);
      expect(await reads.readTime(APP, 'u9', P2)).toBe(0);
      expect(await reads.readTime(OTHER_APP, 'u1', P2)).toBe(0);
    });

    it('list changes after a version, bounded, with the floor', async () => {
      const { readPositions: reads } = context.store;
      for (let i = 0; i < 4; i++) await reads.advance(APP, 'u1', [{ conversation: { type: PRIVATE, targetId: `p${i}` }, readTime: 10 + i }], T0 + i);
      await reads.advance(APP, 'u1', [{ conversation: { type: PRIVATE, targetId: 'p0' }, readTime: 99 }], T0 + 10);
      const all = await reads.changedSince(APP, 'u1', 0, 10);
      expect(all.positions.map((p) => [p.conversation.targetId, p.readTime])).toEqual([['p1', 11], ['p2', 12], ['p3', 13], ['p0', 99]]);
      expect(all).toMatchObject({ hasMore: false, floor: { readTime: 0, version: 0 } });
      const page = await reads.changedSince(APP, 'u1', T0 + 1, 2);
      expect(page.positions.map((p) => p.conversation.targetId)).toEqual(['p2', 'p3']);
      expect(page.hasMore).toBe(true);
      expect((await reads.changedSince(APP, 'u2', 0, 10)).positions).toEqual([]);
    });

    it('survive a reopen', async () => {
      await context.store.readPositions.advance(APP, 'u1', [{ conversation: P2, readTime: 5 }], T0);
      await context.store.readPositions.advanceFloor(APP, 'u1', 3, T0);
      const reopened = await context.reopen();
      expect(await reopened.readPositions.changedSince(APP, 'u1', 0, 10)).toEqual({
        positions: [{ conversation: P2, readTime: 5, version: T0 }],
        floor: { readTime: 3, version: T0 + 1 },
        hasMore: false,
      });
    });
  });

  describe('sensitive words', () => {
    it('add, update, list oldest first, remove; the per-app limit is atomic', async () => {
      const { sensitiveWords: words } = context.store;
      expect(await words.add(APP, [{ word: 'bad', type: 1, replaceWord: '' }, { word: 'meh', type: 0, replaceWord: '***' }], 3, T0)).toBe(true);
      expect(await words.add(APP, [{ word: 'x', type: 1, replaceWord: '' }, { word: 'y', type: 1, replaceWord: '' }], 3, T0 + 1)).toBe(false);
      expect(await words.add(APP, [{ word: 'bad', type: 0, replaceWord: '#' }, { word: 'x', type: 1, replaceWord: '' }], 3, T0 + 2)).toBe(true);
      expect(await words.list(APP)).toEqual([
        { word: 'bad', type: 0, replaceWord: '#' },
        { word: 'meh', type: 0, replaceWord: '***' },
        { word: 'x', type: 1, replaceWord: '' },
      ]);
      expect(await words.list(OTHER_APP)).toEqual([]);
      expect(await words.remove(APP, ['meh', 'nope'])).toBe(1);
      expect((await words.list(APP)).map((w) => w.word)).toEqual(['bad', 'x']);
      const reopened = await context.reopen();
      expect((await reopened.sensitiveWords.list(APP)).map((w) => w.word)).toEqual(['bad', 'x']);
    });
  });

  describe('message expansions', () => {
    it('merge into the stored extraContent (history and sync see it), keep the key limit, drop the excess', async () => {
      const { messages, expansions } = context.store;
      const sent = await messages.append({ ...privateMessage('u1', 'u2'), flags: 3 | 64, extraContent: '{"k0":{"v":"v0"}}' });
      expect(await expansions.get(APP, sent.uid)).toEqual({ k0: 'v0' });
      const merged = await expansions.merge(APP, sent.uid, { put: { k1: 'v1', k2: 'v2' }, del: ['k0'] }, 2);
      expect(merged).toEqual({ ok: true, expansion: { k1: 'v1', k2: 'v2' }, accepted: ['k1', 'k2'] });
      // Full: existing keys still update, new ones are dropped.
      expect(await expansions.merge(APP, sent.uid, { put: { k3: 'x', k1: 'w' } }, 2)).toEqual({ ok: true, expansion: { k1: 'w', k2: 'v2' }, accepted: ['k1'] });
      const stored = await messages.get(APP, sent.uid);
      expect(JSON.parse(stored?.extraContent ?? '{}')).toEqual({ k1: { v: 'w' }, k2: { v: 'v2' } });
      expect(stored?.content).toEqual(utf8(JSON.stringify({ content: 'hi' })));
      const page = await messages.history({ appKey: APP, owner: 'u2', conversation: { type: PRIVATE, targetId: 'u1' }, time: 0, count: 10, order: 0 });
      expect(page.messages[0]?.message.extraContent).toBe(stored?.extraContent);
      const sync = await messages.sync(APP, 'u2', 0, null, 10, 0);
      expect(sync.entries[0]?.message.extraContent).toBe(stored?.extraContent);
      expect(await expansions.merge(APP, sent.uid, { removeAll: true, put: { z: '1' } }, 2)).toMatchObject({ ok: true, expansion: { z: '1' } });
      expect(await expansions.merge(APP, 'AAAA-BBBB-CCCC-DDDD', { put: { a: 'b' } }, 2)).toEqual({ ok: false, reason: 'not-found' });
      expect(await expansions.merge(OTHER_APP, sent.uid, { put: { a: 'b' } }, 2)).toEqual({ ok: false, reason: 'not-found' });
    });

    it('treat keys such as __proto__ as ordinary keys', async () => {
      const { messages, expansions } = context.store;
      const sent = await messages.append({ ...privateMessage('u1', 'u2'), flags: 3 | 64 });
      expect(await expansions.merge(APP, sent.uid, { put: { __proto__x: 'a', constructor: 'b' } }, 300)).toMatchObject({ ok: true, accepted: ['__proto__x', 'constructor'] });
      const proto = JSON.parse('{"__proto__":"p"}') as Record<string, string>;
      const result = await expansions.merge(APP, sent.uid, { put: proto }, 300);
      expect(result.ok && Object.keys(result.expansion)).toEqual(['__proto__x', 'constructor', '__proto__']);
      expect(Object.keys((await expansions.get(APP, sent.uid)) ?? {})).toEqual(['__proto__x', 'constructor', '__proto__']);
    });
  });
}
