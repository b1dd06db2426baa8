import type { ContractContext } from './contract-support';
import { APP, GROUP, OTHER_APP, PRIVATE, T0, utf8 } from './contract-support';
import type { NewServerEvent } from '../server-event-repository';

const event = (targetId: string, data: string, type = PRIVATE): NewServerEvent => ({
  changeType: 36,
  subChangeType: 0,
  conversation: { type, targetId },
  data: utf8(data),
});

/** Per-user server events (server-event-repository.ts). */
export function describeServerEvents(context: ContractContext): void {
  describe('server events', () => {
    it('stamps strictly increasing times per owner and lists them after a cursor, bounded', async () => {
      const { serverEvents: log } = context.store;
      const first = await log.append(APP, 'u1', [event('u2', 'a'), event('g1', 'b', GROUP)], T0, 0);
      expect(first.map((e) => [e.time, e.conversation.targetId])).toEqual([[T0, 'u2'], [T0 + 1, 'g1']]);
      // A clock that goes backwards still yields later times.
      const second = await log.append(APP, 'u1', [event('u3', 'c')], T0 - 50, 0);
      expect(second.map((e) => e.time)).toEqual([T0 + 2]);
      const all = await log.listAfter(APP, 'u1', 0, 10, 0);
      expect(all.hasMore).toBe(false);
      expect(all.events).toEqual([
        { time: T0, changeType: 36, subChangeType: 0, conversation: { type: PRIVATE, targetId: 'u2' }, data: utf8('a') },
        { time: T0 + 1, changeType: 36, subChangeType: 0, conversation: { type: GROUP, targetId: 'g1' }, data: utf8('b') },
        { time: T0 + 2, changeType: 36, subChangeType: 0, conversation: { type: PRIVATE, targetId: 'u3' }, data: utf8('c') },
      ]);
      const page = await log.listAfter(APP, 'u1', T0, 1, 0);
      expect(page.events.map((e) => e.time)).toEqual([T0 + 1]);
      expect(page.hasMore).toBe(true);
      expect((await log.listAfter(APP, 'u1', T0 + 2, 10, 0)).events).toEqual([]);
      expect((await log.listAfter(APP, 'u1', 0, 10, T0 + 1)).events.map((e) => e.time)).toEqual([T0 + 1, T0 + 2]);
      expect(await log.append(APP, 'u1', [], T0, 0)).toEqual([]);
    });

    it('trims an owner\'s old events on append without ever reusing a time', async () => {
      const { serverEvents: log } = context.store;
      await log.append(APP, 'u1', [event('u2', 'old'), event('u2', 'older')], T0, 0);
      await log.append(APP, 'u9', [event('u2', 'kept')], T0, 0);
      const next = await log.append(APP, 'u1', [event('u2', 'new')], T0, T0 + 5);
      expect(next.map((e) => e.time)).toEqual([T0 + 2]);
      expect((await log.listAfter(APP, 'u1', 0, 10, 0)).events.map((e) => e.time)).toEqual([T0 + 2]);
      // Trimming everything keeps the clock.
      expect(await log.append(APP, 'u1', [], T0, T0 + 10)).toEqual([]);
      expect((await log.append(APP, 'u1', [event('u2', 'x')], T0, 0)).map((e) => e.time)).toEqual([T0 + 3]);
      // Another owner's log is untouched.
      expect((await log.listAfter(APP, 'u9', 0, 10, 0)).events.map((e) => e.time)).toEqual([T0]);
    });

    it('keeps an acknowledged cursor that only grows, per app and owner, durably', async () => {
      const { serverEvents: log } = context.store;
      expect(await log.acknowledged(APP, 'u1')).toBe(0);
      await log.acknowledge(APP, 'u1', T0 + 5);
      await log.acknowledge(APP, 'u1', T0 + 1);
      expect(await log.acknowledged(APP, 'u1')).toBe(T0 + 5);
      await log.append(APP, 'u1', [event('u2', 'a')], T0, 0);
      expect(await log.acknowledged(APP, 'u1')).toBe(T0 + 5);
      expect(await log.acknowledged(OTHER_APP, 'u1')).toBe(0);
      expect(await log.acknowledged(APP, 'u2')).toBe(0);
      expect((await log.listAfter(OTHER_APP, 'u1', 0, 10, 0)).events).toEqual([]);
      const reopened = await context.reopen();
      expect(await reopened.serverEvents.acknowledged(APP, 'u1')).toBe(T0 + 5);
      expect((await reopened.serverEvents.listAfter(APP, 'u1', 0, 10, 0)).events.map((e) => e.data)).toEqual([utf8('a')]);
      expect((await reopened.serverEvents.append(APP, 'u1', [event('u2', 'b')], T0, 0)).map((e) => e.time)).toEqual([T0 + 1]);
    });
  });
}
