import { encodeMessage, rc } from '../../../../src/internal';
import { PullMarkHandover } from '../../../src/gateway/pull-mark-handover';
import { SessionInbox } from '../../../src/gateway/session-inbox';
import type { SessionInfo } from '../../../src/gateway/topic-router';

/** The device's sessions (SessionInbox) against one PullMarkHandover, driven as the gateway and sync.ts drive them. */
describe('PullMarkHandover', () => {
  let now: number;
  let handover: PullMarkHandover;
  let count: number;
  const clock = { now: () => now };

  beforeEach(() => {
    jest.useFakeTimers();
    now = 10_000_000;
    count = 0;
    handover = new PullMarkHandover(() => now, 3, 60_000);
  });
  afterEach(() => jest.useRealTimers());

  function open(overrides: Partial<SessionInfo> = {}): { inbox: SessionInbox; close(): void } {
    count += 1;
    const host = {
      info: { sessionId: `s${count}`, appKey: 'app', userId: 'alice', platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: now - 5_000 + count, clientIp: '10.0.0.1', ...overrides } as SessionInfo,
      closed: false,
      writePush: jest.fn(),
      writeEcho: jest.fn(),
    };
    const inbox = new SessionInbox(host, clock, handover);
    return {
      inbox,
      close: () => {
        host.closed = true;
        inbox.clear();
      },
    };
  }

  /** A pull (sync.ts): the mark it is answered from (-1: the client's cursor), then its answer reaching `syncTime`. */
  function pull(inbox: SessionInbox, syncTime: number): number {
    inbox.pullArrived();
    inbox.pullAsked();
    const mark = inbox.pullMark();
    inbox.pulledTo(syncTime, false);
    inbox.pullAnswered();
    return mark;
  }

  /** An s_msg timed `dataTime`, written once the hold lets it go (right after a pull answer: FLUSH_DELAY_MS). */
  function push(inbox: SessionInbox, dataTime: number): void {
    const payload = encodeMessage(rc.DownStreamMessage, { fromUserId: 'bob', type: 1, classname: 'App:Live', content: new Uint8Array(0), dataTime, status: 0 });
    inbox.holdDownstream('bob', payload, 0);
    jest.advanceTimersByTime(2_000);
  }

  /** A session that pulled to 100 and was then pushed an s_msg timed 200 (its client's cursor: 200). */
  function pushedPast(overrides: Partial<SessionInfo> = {}): { inbox: SessionInbox; close(): void } {
    const session = open(overrides);
    pull(session.inbox, 100);
    push(session.inbox, 200);
    return session;
  }

  it("the device's next session is answered from the ended one's mark at its first pull only, once", () => {
    pushedPast().close();
    expect(handover.size).toBe(1);
    const next = open();
    expect(pull(next.inbox, 300)).toBe(100);
    expect(pull(next.inbox, 300)).toBe(300);
    expect(handover.size).toBe(0);
    next.close();
    expect(pull(open().inbox, 300)).toBe(-1);
  });

  it('nothing is left when no s_msg went past the mark, or the session never pulled', () => {
    const below = open();
    pull(below.inbox, 100);
    push(below.inbox, 50);
    below.close();
    const never = open();
    push(never.inbox, 200);
    never.close();
    expect(handover.size).toBe(0);
  });

  it('another device (address, user, client version, app) is not answered from it', () => {
    pushedPast().close();
    for (const other of [{ clientIp: '10.0.0.2' }, { userId: 'bob' }, { sdkVer: '5.7.3', clientKind: 'E5' as const }, { appKey: 'other' }]) {
      expect(pull(open(other).inbox, 300)).toBe(-1);
    }
    expect(pull(open().inbox, 300)).toBe(100);
  });

  it('clients that do not hold transients neither leave nor take a mark: our SDK, directPush, imlib-next 5.28+, L2', () => {
    const clients: Array<Partial<SessionInfo>> = [{ lianxinVersion: '1.0.0' }, { directPush: true }, { clientKind: 'E5', sdkVer: '5.38.0' }, { clientKind: 'L2', sdkVer: '2.5.3' }];
    for (const client of clients) pushedPast(client).close();
    expect(handover.size).toBe(0);
    pushedPast().close();
    for (const client of clients) expect(pull(open(client).inbox, 300)).toBe(-1);
  });

  it('an older session still open whose client was pushed past its mark (a lost socket not noticed yet) is taken over too', () => {
    pushedPast();
    const next = open();
    expect(pull(next.inbox, 300)).toBe(100);
  });

  it('a device that pulled on a newer session meanwhile: the older one ending leaves nothing', () => {
    const old = pushedPast();
    const newer = open();
    pull(newer.inbox, 300);
    old.close();
    expect(handover.size).toBe(0);
    expect(pull(open().inbox, 400)).toBe(-1);
  });

  it('a session that took a mark over and ended before its first answer passes it on', () => {
    pushedPast().close();
    const next = open();
    next.inbox.pullArrived();
    next.inbox.pullAsked();
    expect(next.inbox.pullMark()).toBe(100);
    next.close();
    expect(pull(open().inbox, 300)).toBe(100);
  });

  it('bounded: entries expire, and past the cap the oldest go', () => {
    pushedPast().close();
    now += 60_001;
    expect(pull(open().inbox, 300)).toBe(-1);
    for (const user of ['a', 'b', 'c', 'd']) pushedPast({ userId: user }).close();
    expect(handover.size).toBe(3);
    expect(pull(open({ userId: 'a' }).inbox, 300)).toBe(-1);
    expect(pull(open({ userId: 'd' }).inbox, 300)).toBe(100);
  });
});
