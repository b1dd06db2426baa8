/**
 * Events kept after a failed publish (server/src/gateway/unsent-events.ts): one per user and slot (the higher rank
 * wins), published again on flush and on the retry timer, bounded in count, attempts and age.
 */
import { UnsentEvents, type UnsentEvent, type UnsentHost } from '../../../src/gateway/unsent-events';
import type { UserEvent } from '../../../src/gateway/user-event';

const kick: UserEvent = { kind: 'kick', reason: 2 };
const wake = (time: number): UserEvent => ({ kind: 'push', topic: 's_ntf', targetId: 'u', payload: new Uint8Array([time]), qos: 1 });

function harness(options = { limit: 3, retryMs: 1000, maxAgeMs: 10_000, maxAttempts: 3 }): {
  unsent: UnsentEvents; published: UnsentEvent[]; dropped: string[]; clock: { t: number; up: boolean; fail: boolean };
} {
  const clock = { t: 0, up: true, fail: false };
  const published: UnsentEvent[] = [];
  const dropped: string[] = [];
  const host: UnsentHost = {
    publish: (event) => {
      if (clock.fail) return Promise.reject(new Error('down'));
      published.push(event);
      return Promise.resolve();
    },
    healthy: () => clock.up,
    now: () => clock.t,
    dropped: (event, why) => dropped.push(`${event.userId}:${why}`),
  };
  return { unsent: new UnsentEvents(host, options), published, dropped, clock };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('UnsentEvents', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('keeps one event per user and slot, the higher rank winning, and publishes them on flush', async () => {
    const { unsent, published } = harness();
    unsent.keep({ appKey: 'k', userId: 'a', event: wake(5), exceptSessionId: 's1' }, 'inbox', 5);
    unsent.keep({ appKey: 'k', userId: 'a', event: wake(3), exceptSessionId: undefined }, 'inbox', 3);
    unsent.keep({ appKey: 'k', userId: 'a', event: kick, exceptSessionId: undefined }, 'kick', 1);
    expect(unsent.size).toBe(2);
    unsent.flush();
    await settle();
    expect(published.map((p) => p.event)).toEqual([wake(5), kick]);
    expect(published[0]?.exceptSessionId).toBe('s1');
    expect(unsent.size).toBe(0);
    unsent.close();
  });

  it('a newer event of a different skipped session is sent to every session', async () => {
    const { unsent, published } = harness();
    unsent.keep({ appKey: 'k', userId: 'a', event: wake(5), exceptSessionId: 's1' }, 'inbox', 5);
    unsent.keep({ appKey: 'k', userId: 'a', event: wake(6), exceptSessionId: 's2' }, 'inbox', 6);
    unsent.flush();
    await settle();
    expect(published).toMatchObject([{ appKey: 'k', userId: 'a', event: wake(6), exceptSessionId: undefined }]);
    unsent.close();
  });

  it('retries every retryMs while the broker is up, not while it is down, and gives up after maxAttempts', async () => {
    const { unsent, published, dropped, clock } = harness();
    clock.fail = true;
    clock.up = false;
    unsent.keep({ appKey: 'k', userId: 'a', event: kick, exceptSessionId: undefined }, 'kick', 1);
    for (let i = 0; i < 5; i++) {
      await jest.advanceTimersByTimeAsync(1000);
    }
    expect(dropped).toEqual([]);
    expect(unsent.size).toBe(1);
    clock.up = true;
    for (let i = 0; i < 3; i++) await jest.advanceTimersByTimeAsync(1000);
    expect(dropped).toEqual(['a:attempts']);
    expect(unsent.size).toBe(0);
    expect(published).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
    unsent.close();
  });

  it('publishes on the timer once the broker takes it', async () => {
    const { unsent, published, clock } = harness();
    clock.fail = true;
    unsent.keep({ appKey: 'k', userId: 'a', event: kick, exceptSessionId: undefined }, 'kick', 1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(unsent.size).toBe(1);
    clock.fail = false;
    await jest.advanceTimersByTimeAsync(1000);
    expect(published).toHaveLength(1);
    expect(unsent.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    unsent.close();
  });

  it('drops the oldest beyond the limit and those older than maxAgeMs, even while the broker is down', async () => {
    const { unsent, dropped, clock } = harness();
    clock.up = false;
    for (const user of ['a', 'b', 'c', 'd']) unsent.keep({ appKey: 'k', userId: user, event: kick, exceptSessionId: undefined }, 'kick', 1);
    expect(dropped).toEqual(['a:limit']);
    clock.t = 10_001;
    await jest.advanceTimersByTimeAsync(1000);
    expect(dropped).toEqual(['a:limit', 'b:age', 'c:age', 'd:age']);
    expect(jest.getTimerCount()).toBe(0);
    unsent.close();
  });

  it('asks stillDue before each retry: false drops the event unpublished, a rejection is a failed attempt', async () => {
    const { unsent, published, dropped } = harness();
    let due: boolean | 'fail' = 'fail';
    const stillDue = (): Promise<boolean> => (due === 'fail' ? Promise.reject(new Error('store down')) : Promise.resolve(due));
    unsent.keep({ appKey: 'k', userId: 'a', event: kick, exceptSessionId: undefined, stillDue }, 'kick', 1);
    unsent.keep({ appKey: 'k', userId: 'b', event: kick, exceptSessionId: undefined, stillDue: () => Promise.resolve(true) }, 'kick', 1);
    unsent.flush();
    await settle();
    expect(published.map((p) => p.userId)).toEqual(['b']);
    expect(unsent.size).toBe(1);
    due = false;
    unsent.flush();
    await settle();
    expect(published.map((p) => p.userId)).toEqual(['b']);
    expect(unsent.size).toBe(0);
    expect(dropped).toEqual([]);
    unsent.close();
  });

  it('close clears what is kept and the timer', () => {
    const { unsent } = harness();
    unsent.keep({ appKey: 'k', userId: 'a', event: kick, exceptSessionId: undefined }, 'kick', 1);
    expect(jest.getTimerCount()).toBe(1);
    unsent.close();
    expect(jest.getTimerCount()).toBe(0);
    expect(unsent.size).toBe(0);
  });
});
