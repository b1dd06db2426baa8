/**
 * Work spread over turns of the event loop (server/src/gateway/spread-batches.ts), as the wake-up of every session
 * after a broker reconnect uses it: one batch at once, one per tick, batches grown so the whole ends within maxMs.
 */
import type { ServerContext } from '../../../src/context';
import type { Hub } from '../../../src/gateway/hub';
import type { Session } from '../../../src/gateway/session';
import { DEFAULT_TIMEOUTS, SessionManager } from '../../../src/gateway/session-manager';
import { SessionRegistry } from '../../../src/gateway/session-registry';
import { batchSizeFor, spreadBatches, WAKE_SPREAD } from '../../../src/gateway/spread-batches';
import { mapRouter } from '../../../src/gateway/topic-router';

describe('spreadBatches', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const limits = { batch: 100, tickMs: 10, maxMs: 50 };

  it('runs the first batch at once and one more per tick, in order', () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    const done: number[] = [];
    spreadBatches(items, (i) => done.push(i), limits);
    expect(done).toHaveLength(100);
    jest.advanceTimersByTime(9);
    expect(done).toHaveLength(100);
    jest.advanceTimersByTime(1);
    expect(done).toHaveLength(200);
    jest.advanceTimersByTime(10);
    expect(done).toEqual(items);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('a small node is done in one turn, with no timer', () => {
    const done: number[] = [];
    spreadBatches([1, 2, 3], (i) => done.push(i), limits);
    expect(done).toEqual([1, 2, 3]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('grows the batches so that any count ends within maxMs', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    let count = 0;
    spreadBatches(items, () => count++, limits);
    expect(count).toBe(batchSizeFor(10_000, limits));
    expect(batchSizeFor(10_000, limits)).toBe(2000);
    jest.advanceTimersByTime(limits.maxMs);
    expect(count).toBe(10_000);
    expect(jest.getTimerCount()).toBe(0);
    // The defaults: 500 a batch up to 100 000 sessions, every 10 ms, all within 2 s.
    expect(batchSizeFor(1000, WAKE_SPREAD)).toBe(500);
    expect(batchSizeFor(1_000_000, WAKE_SPREAD)).toBe(5000);
  });

  it('stops on demand and goes on past an item that throws', () => {
    const done: number[] = [];
    const errors: unknown[] = [];
    const stop = spreadBatches(Array.from({ length: 300 }, (_, i) => i), (i) => {
      if (i === 5) throw new Error('boom');
      done.push(i);
    }, limits, (error) => errors.push(error));
    expect(done).toHaveLength(99);
    expect(errors).toHaveLength(1);
    stop();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(100);
    expect(done).toHaveLength(99);
  });
});

describe('SessionManager.wakeAll', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  function manager(count: number): { manager: SessionManager; woken: () => number } {
    const registry = new SessionRegistry<Session>();
    let woken = 0;
    for (let i = 0; i < count; i++) {
      const info = { sessionId: `n.${i}`, appKey: 'k', userId: `u${i}`, platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1 };
      registry.add({ info, wakeInbox: () => woken++, close: () => undefined, deliver: () => undefined } as unknown as Session);
    }
    const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const hub = { registry } as unknown as Hub<Session>;
    return { manager: new SessionManager({ log: quiet } as unknown as ServerContext, mapRouter({}), hub, DEFAULT_TIMEOUTS), woken: () => woken };
  }

  it('wakes a large node in batches, every session within ~2 s', () => {
    const { manager: m, woken } = manager(1200);
    m.wakeAll();
    expect(woken()).toBe(500);
    jest.advanceTimersByTime(WAKE_SPREAD.tickMs);
    expect(woken()).toBe(1000);
    jest.advanceTimersByTime(WAKE_SPREAD.maxMs);
    expect(woken()).toBe(1200);
  });

  it('a reconnect during the wake-up starts over; closeAll stops what is left', async () => {
    const { manager: m, woken } = manager(1200);
    m.wakeAll();
    m.wakeAll();
    expect(woken()).toBe(1000);
    await m.closeAll();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(WAKE_SPREAD.maxMs);
    expect(woken()).toBe(1000);
  });
});
