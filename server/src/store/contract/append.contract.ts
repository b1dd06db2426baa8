import { isMessageUid } from '../message-uid';
import { Direction } from '../store';
import type { ContractContext } from './contract-support';
import { APP, OTHER_APP, T0, appendAll, groupMessage, privateMessage, text, uids, utf8 } from './contract-support';

export function describeAppend(context: ContractContext): void {
  describe('append', () => {
    it('assigns sentTime = max(now, last + 1): strictly increasing with equal and with backwards `now`', async () => {
      const { messages } = context.store;
      const first = await messages.append(privateMessage('a', 'b', { now: T0 }));
      const same = await messages.append(privateMessage('a', 'b', { now: T0 }));
      const back = await messages.append(privateMessage('b', 'a', { now: T0 - 5_000 }));
      const ahead = await messages.append(privateMessage('c', 'd', { now: T0 + 1_000 }));
      const after = await messages.append(privateMessage('c', 'd', { now: T0 + 1_000 }));
      expect([first.sentTime, same.sentTime, back.sentTime, ahead.sentTime, after.sentTime]).toEqual([
        T0, T0 + 1, T0 + 2, T0 + 1_000, T0 + 1_001,
      ]);
    });

    it('lastSentTime is the app clock: 0 before any message, then the newest sentTime, even one ahead of now', async () => {
      const { messages } = context.store;
      expect(await messages.lastSentTime(APP)).toBe(0);
      await messages.append(privateMessage('a', 'b', { now: T0 + 1_000 }));
      const behind = await messages.append(privateMessage('b', 'a', { now: T0 }));
      expect(behind.sentTime).toBe(T0 + 1_001);
      expect(await messages.lastSentTime(APP)).toBe(T0 + 1_001);
      expect(await messages.lastSentTime(OTHER_APP)).toBe(0);
    });

    it('reserveTime: later appends are timed after the reserved time, even with `now` behind it; never back', async () => {
      const { messages } = context.store;
      await messages.reserveTime(APP, T0 + 30_000);
      const behind = await messages.append(privateMessage('a', 'b', { now: T0 }));
      expect(behind.sentTime).toBe(T0 + 30_001);
      await messages.reserveTime(APP, T0 + 10_000);
      const next = await messages.append(privateMessage('b', 'a', { now: T0 + 20_000 }));
      expect(next.sentTime).toBe(T0 + 30_002);
      expect(await messages.lastSentTime(APP)).toBe(T0 + 30_002);
      await messages.reserveTime(APP, T0 + 30_002);
      expect((await messages.append(privateMessage('a', 'b', { now: T0 }))).sentTime).toBe(T0 + 30_003);
      expect(await messages.lastSentTime(OTHER_APP)).toBe(0);
      const other = await messages.append(privateMessage('a', 'b', { app: OTHER_APP, now: T0 }));
      expect(other.sentTime).toBe(T0);
    });

    it('reserveTime leaves lastSentTime at the newest stored message (the read-position horizon)', async () => {
      const { messages } = context.store;
      await messages.reserveTime(OTHER_APP, T0 + 5_000);
      expect(await messages.lastSentTime(OTHER_APP)).toBe(0);
      const stored = await messages.append(privateMessage('a', 'b', { now: T0 + 1_000 }));
      await messages.reserveTime(APP, stored.sentTime + 60_000);
      expect(await messages.lastSentTime(APP)).toBe(stored.sentTime);
      expect((await messages.append(privateMessage('a', 'b', { app: OTHER_APP, now: T0 + 5_000 }))).sentTime).toBe(T0 + 5_001);
      expect(await messages.lastSentTime(OTHER_APP)).toBe(T0 + 5_001);
      const ahead = await messages.append(privateMessage('a', 'b', { now: stored.sentTime + 90_000 }));
      expect(ahead.sentTime).toBe(stored.sentTime + 90_000);
      await messages.reserveTime(APP, T0);
      expect((await messages.append(privateMessage('b', 'a', { now: T0 }))).sentTime).toBe(stored.sentTime + 90_001);
    });

    it('keeps a separate clock per app', async () => {
      const { messages } = context.store;
      await messages.append(privateMessage('a', 'b', { now: T0 + 500 }));
      const other = await messages.append(privateMessage('a', 'b', { app: OTHER_APP, now: T0 }));
      expect(other.sentTime).toBe(T0);
    });

    it('gives every message a unique, well-shaped uid used by get()', async () => {
      const stored = await appendAll(
        context.store,
        Array.from({ length: 30 }, (_, i) => privateMessage(`u${i % 3}`, `u${(i + 1) % 3}`, { now: T0 })),
      );
      const all = stored.map((message) => message.uid);
      expect(new Set(all).size).toBe(all.length);
      for (const uid of all) expect(isMessageUid(uid)).toBe(true);
      for (const message of stored) expect(await context.store.messages.get(APP, message.uid)).toEqual(message);
    });

    it('stores every field byte for byte and leaves absent optional fields absent', async () => {
      const body = utf8('{"content":"你好 👋 \\u0000","extra":"x"}');
      const pushExt = new Uint8Array([0, 1, 2, 254, 255]);
      const full = await context.store.messages.append({
        ...groupMessage('a', 'g1', ['b', 'c'], { now: T0, mentioned: ['b'] }),
        content: body,
        flags: 103,
        configFlag: 15,
        pushContent: 'PC',
        pushData: 'PD',
        pushExt,
        extraContent: '{"k":{"v":"v"}}',
      });
      const expected = {
        appKey: APP, uid: full.uid, sentTime: T0, fromUserId: 'a', conversationType: 3, targetId: 'g1',
        objectName: 'RC:TxtMsg', flags: 103, configFlag: 15, pushContent: 'PC', pushData: 'PD',
        extraContent: '{"k":{"v":"v"}}', recalled: false,
      };
      const read = await context.store.messages.get(APP, full.uid);
      for (const message of [full, read]) {
        expect(message).toMatchObject(expected);
        expect(Array.from(message?.content ?? [])).toEqual(Array.from(body));
        expect(Array.from(message?.pushExt ?? [])).toEqual(Array.from(pushExt));
      }

      const bare = await context.store.messages.get(APP, (await context.store.messages.append(privateMessage('a', 'b'))).uid);
      expect(bare).toBeDefined();
      for (const key of ['configFlag', 'pushContent', 'pushData', 'pushExt', 'extraContent'] as const) {
        expect(bare?.[key]).toBeUndefined();
      }
      expect(text(bare ?? full)).toBe('{"content":"hi"}');
    });

    it('rejects a non-persisted message', async () => {
      await expect(context.store.messages.append({ ...privateMessage('a', 'b'), flags: 2 })).rejects.toThrow();
      expect((await context.store.messages.sync(APP, 'b', 0, null, 10, 0)).entries).toEqual([]);
    });

    it('returns an unknown uid as undefined', async () => {
      expect(await context.store.messages.get(APP, 'AAAA-BBBB-CCCC-DDDD')).toBeUndefined();
    });

    it('writes one inbox entry per distinct recipient and a sendbox entry only when senderSendbox', async () => {
      const { messages } = context.store;
      const withBox = await messages.append(groupMessage('a', 'g1', ['b', 'c', 'b'], { now: T0 }));
      const without = await messages.append(groupMessage('a', 'g1', ['b', 'c'], { now: T0, sendbox: false }));
      for (const member of ['b', 'c']) {
        const page = await messages.sync(APP, member, 0, 0, 100, 0);
        expect(uids(page.entries)).toEqual([withBox.uid, without.uid]);
        expect(page.entries.every((entry) => entry.direction === Direction.Receive)).toBe(true);
      }
      const sender = await messages.sync(APP, 'a', 0, 0, 100, 0);
      expect(uids(sender.entries)).toEqual([withBox.uid]);
      expect(sender.entries[0]?.direction).toBe(Direction.Send);
    });

    it('gives a message to oneself a single RECEIVE entry (no second, conflicting sendbox row)', async () => {
      const { messages, conversations } = context.store;
      const self = await messages.append(privateMessage('a', 'a', { now: T0 }));
      const page = await messages.sync(APP, 'a', 0, 0, 100, 0);
      expect(page.entries).toHaveLength(1);
      expect(page.entries[0]).toMatchObject({ direction: Direction.Receive, message: { uid: self.uid } });
      expect(uids((await messages.sync(APP, 'a', 0, null, 100, 0)).entries)).toEqual([self.uid]);
      const list = await conversations.list(APP, 'a', 10, 0);
      expect(list.map((summary) => summary.conversation)).toEqual([{ type: 1, targetId: 'a' }]);
      const history = await messages.history({ appKey: APP, owner: 'a', conversation: { type: 1, targetId: 'a' }, time: 0, count: 10, order: 0 });
      expect(uids(history.messages)).toEqual([self.uid]);
    });

    it('sets the mentioned bit only for mentioned recipients', async () => {
      const message = await context.store.messages.append(groupMessage('a', 'g1', ['b', 'c'], { mentioned: ['c', 'a'] }));
      const entryOf = async (owner: string) => (await context.store.messages.sync(APP, owner, 0, 0, 10, 0)).entries[0];
      expect(await entryOf('b')).toMatchObject({ mentioned: false, message: { uid: message.uid } });
      expect(await entryOf('c')).toMatchObject({ mentioned: true, message: { uid: message.uid } });
      expect(await entryOf('a')).toMatchObject({ mentioned: false, direction: Direction.Send });
    });

    it('keeps sentTimes and uids unique under concurrent appends, and sync sees them all in order', async () => {
      const count = 40;
      const stored = await Promise.all(
        Array.from({ length: count }, (_, i) => context.store.messages.append(
          groupMessage(`s${i % 4}`, 'g1', ['r'], { now: T0, text: `m${i}` }),
        )),
      );
      const sentTimes = stored.map((message) => message.sentTime);
      expect(new Set(sentTimes).size).toBe(count);
      expect(new Set(stored.map((message) => message.uid)).size).toBe(count);
      expect(Math.min(...sentTimes)).toBeGreaterThanOrEqual(T0);
      const page = await context.store.messages.sync(APP, 'r', 0, null, 1_000, 0);
      const ascending = [...stored].sort((x, y) => x.sentTime - y.sentTime);
      expect(uids(page.entries)).toEqual(ascending.map((message) => message.uid));
      expect(page.syncTime).toBe(Math.max(...sentTimes));
    });
  });
}
