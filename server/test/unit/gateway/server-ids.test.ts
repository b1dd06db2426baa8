import { CLIENT_GUARD_WINDOW, MAX_OUTSTANDING, ServerIdAllocator } from '../../../src/gateway/server-ids';

describe('ServerIdAllocator', () => {
  it('counts down from 65535', () => {
    const ids = new ServerIdAllocator<string>();
    expect([ids.next(), ids.next(), ids.next()]).toEqual([65535, 65534, 65533]);
  });

  it('skips ids of client requests still in flight, and reuses them once answered', () => {
    const ids = new ServerIdAllocator<string>();
    ids.clientSent(65535, 'request');
    ids.clientSent(65534, 'request');
    // The guard window sits just above the client's latest id (65534): 65535 and 1..63 wrap around.
    expect(ids.next()).toBe(65533);
    ids.clientAnswered(65535);
    ids.clientAnswered(65534);
    ids.clientSent(10, 'request');
    const seen = new Set<number>();
    for (let i = 0; i < 65535; i++) seen.add(ids.next());
    expect(seen.has(65535)).toBe(true);
    expect(seen.has(65534)).toBe(true);
  });

  it('never returns 0, an in-flight client id, or an id in the guard window above the client id', () => {
    const ids = new ServerIdAllocator<string>();
    for (let id = 1; id <= 20; id++) ids.clientSent(id, `r${id}`);
    const inFlight = new Set(Array.from({ length: 20 }, (_, i) => i + 1));
    const bad: number[] = [];
    for (let i = 0; i < 70_000; i++) {
      const id = ids.next();
      if (id < 1 || id > 65535 || inFlight.has(id) || (id > 20 && id <= 20 + CLIENT_GUARD_WINDOW)) bad.push(id);
    }
    expect(bad).toEqual([]);
  });

  it('wraps the guard window past 65535 to 1', () => {
    const ids = new ServerIdAllocator<string>();
    ids.clientSent(65530, 'request');
    ids.clientAnswered(65530);
    const first = ids.next();
    // 65531..65535 and 1..59 are the window above 65530.
    expect(first).toBe(65530);
    const seen: number[] = [];
    for (let i = 0; i < 65535 - CLIENT_GUARD_WINDOW; i++) seen.push(ids.next());
    expect(seen.some((id) => id >= 1 && id <= 59)).toBe(false);
    expect(seen.some((id) => id >= 65531)).toBe(false);
  });

  it('keeps tracked pushes reserved until the client acks them', () => {
    const ids = new ServerIdAllocator<string>();
    const tracked = ids.next(true);
    expect(tracked).toBe(65535);
    expect(ids.isOutstanding(tracked)).toBe(true);
    const seen = new Set<number>();
    for (let i = 0; i < 65534; i++) seen.add(ids.next());
    expect(seen.has(tracked)).toBe(false);
    ids.serverAcked(tracked);
    expect(ids.isOutstanding(tracked)).toBe(false);
    expect(ids.next()).toBe(65535);
  });

  it('forgets the oldest unacked pushes beyond the cap', () => {
    const ids = new ServerIdAllocator<string>();
    const first = ids.next(true);
    for (let i = 0; i < MAX_OUTSTANDING; i++) ids.next(true);
    expect(ids.isOutstanding(first)).toBe(false);
  });

  it('ignores ids outside the wire range (comet E4 counters exceed 65535)', () => {
    const ids = new ServerIdAllocator<string>();
    ids.clientSent(70_000, 'request');
    ids.clientSent(0, 'request');
    expect(ids.next()).toBe(65535);
  });

  it('keeps the requests in flight by id, any id, until answered or the client is gone', () => {
    const ids = new ServerIdAllocator<{ id: number }>();
    const request = { id: 7 };
    const comet = { id: 70_000 };
    ids.clientSent(7, request);
    ids.clientSent(70_000, comet);
    expect(ids.clientRequest(7)).toBe(request);
    expect(ids.clientRequest(70_000)).toBe(comet);
    expect(ids.clientAnswered(7)).toBe(request);
    expect(ids.clientRequest(7)).toBeUndefined();
    expect(ids.clientAnswered(7)).toBeUndefined();
    // A later request under the same id replaces the earlier one.
    const again = { id: 70_000 };
    ids.clientSent(70_000, again);
    expect(ids.clientRequest(70_000)).toBe(again);
    ids.clientGone();
    expect(ids.clientRequest(70_000)).toBeUndefined();
    expect(ids.clientAnswered(70_000)).toBeUndefined();
  });
});
