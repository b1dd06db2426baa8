/**
 * Inbox re-notify bookkeeping of one Session (server/src/gateway/inbox-renotify.ts), with a recording
 * transport and a manual clock: what the gateway sweep re-sends, when, and how often.
 */
import { decodeMessage, encodeMessage, rc, type Frame } from '../../../../src/internal';
import { inboxNotifyTime, MAX_RENOTIFY } from '../../../src/gateway/inbox-renotify';
import { Session } from '../../../src/gateway/session';
import { mapRouter, type SessionInfo } from '../../../src/gateway/topic-router';
import type { Logger } from '../../../src/log';

const DELAY = 35_000;
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function harness(): { session: Session; clock: { t: number }; notified: () => number[] } {
  const clock = { t: 1_000_000 };
  const written: Frame[] = [];
  const info: SessionInfo = { sessionId: 'n.1', appKey: 'k', userId: 'bob', platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1 };
  const session = new Session(
    info,
    { kind: 'websocket', write: (frame) => written.push(frame), close: () => undefined },
    { router: mapRouter({}), clock: { now: () => clock.t }, log: quiet, maxSendRatePerSecond: 100, onClosed: () => undefined },
  );
  const notified = (): number[] =>
    written.flatMap((f) => (f.kind === 'publish' && f.topic === 's_ntf' ? [Number(decodeMessage(rc.NotifyMsg, f.payload, 'NotifyMsg').time)] : []));
  return { session, clock, notified };
}

const inbox = (time: number): Uint8Array => encodeMessage(rc.NotifyMsg, { type: 1, time });

describe('inboxNotifyTime', () => {
  it('reads the time of an inbox notification, and nothing from a chatroom one or foreign bytes', () => {
    expect(inboxNotifyTime(inbox(1_764_000_000_123))).toBe(1_764_000_000_123);
    expect(inboxNotifyTime(inbox(0))).toBe(0);
    expect(inboxNotifyTime(encodeMessage(rc.NotifyMsg, { type: 2, time: 5, chrmId: 'room-1' }))).toBeUndefined();
    expect(inboxNotifyTime(new Uint8Array([0x08]))).toBeUndefined();
    expect(inboxNotifyTime(new Uint8Array([0x0d, 1, 2, 3, 4]))).toBeUndefined();
    expect(inboxNotifyTime(new Uint8Array(0))).toBeUndefined();
  });
});

describe('Session re-notify', () => {
  it('repeats the newest unpulled notification after the delay, at most MAX_RENOTIFY times until a pull answer', () => {
    const { session, clock, notified } = harness();
    session.push('s_ntf', 'bob', inbox(100));
    clock.t += 1000;
    session.push('s_ntf', 'bob', inbox(200));
    // Counted from the first unpulled notification, not postponed by newer ones.
    clock.t += DELAY - 1001;
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(false);
    clock.t += 1;
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(true);
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(false);
    for (let i = 1; i < MAX_RENOTIFY; i++) {
      clock.t += DELAY;
      expect(session.renotifyIfDue(clock.t, DELAY)).toBe(true);
    }
    clock.t += DELAY;
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(false);
    // Still ignored after MAX_RENOTIFY: new notifications are sent as usual but not repeated.
    session.push('s_ntf', 'bob', inbox(300));
    clock.t += DELAY;
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(false);
    expect(notified()).toEqual([100, 200, ...Array<number>(MAX_RENOTIFY).fill(200), 300]);

    // A pull answer that does not reach the newest time re-arms the repeats; one that does clears them.
    session.pulledTo(250);
    clock.t += DELAY;
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(true);
    expect(notified().at(-1)).toBe(300);
    session.push('s_ntf', 'bob', inbox(400));
    clock.t += DELAY;
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(true);
    expect(notified().at(-1)).toBe(400);
    session.pulledTo(400);
    clock.t += DELAY * 2;
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(false);
  });

  it('never repeats a notification the session has pulled past, nor a chatroom one, nor after close', () => {
    const { session, clock, notified } = harness();
    session.pulledTo(500);
    session.push('s_ntf', 'bob', inbox(450));
    session.push('s_ntf', 'room-1', encodeMessage(rc.NotifyMsg, { type: 2, time: 900, chrmId: 'room-1' }));
    clock.t += DELAY * 2;
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(false);
    session.push('s_ntf', 'bob', inbox(600));
    session.close();
    clock.t += DELAY * 2;
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(false);
    expect(notified()).toEqual([450, 900, 600]);
  });

  it('repeats, right after the answer, a notification written while the pull read an older snapshot', async () => {
    const { session, notified } = harness();
    const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    session.push('s_ntf', 'bob', inbox(100));
    session.pullAsked();
    // Another node commits 200 and its notification is written while the page is read...
    session.push('s_ntf', 'bob', inbox(200));
    // ...but the page's snapshot ends at 150: 200 goes out again after the answer.
    session.pulledTo(150);
    expect(notified()).toEqual([100, 200]);
    await immediate();
    expect(notified()).toEqual([100, 200, 200]);
    // A pull that reaches it needs nothing more.
    session.pullAsked();
    session.pulledTo(200);
    await immediate();
    expect(notified()).toEqual([100, 200, 200]);
    // A notification already written when the pull started is not a race: the sweep covers it.
    session.push('s_ntf', 'bob', inbox(300));
    session.pullAsked();
    session.pulledTo(250);
    await immediate();
    expect(notified()).toEqual([100, 200, 200, 300]);
  });

  it('does not repeat it on a session closed meanwhile', async () => {
    const { session, notified } = harness();
    session.pullAsked();
    session.push('s_ntf', 'bob', inbox(100));
    session.pulledTo(50);
    session.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(notified()).toEqual([100]);
  });
});

describe('Session inbox hand-over (a session that ends unpulled tells the user\'s other sessions)', () => {
  it('reports the newest unpulled notification, none once pulled', () => {
    const { session } = harness();
    expect(session.unpulledInboxTime()).toBeUndefined();
    session.push('s_ntf', 'bob', inbox(100));
    session.push('s_ntf', 'bob', inbox(200));
    expect(session.unpulledInboxTime()).toBe(200);
    session.pulledTo(200);
    expect(session.unpulledInboxTime()).toBeUndefined();
  });

  it('the taking session is notified at once and re-notified after the delay until it pulls', () => {
    const { session, clock, notified } = harness();
    session.takeOverInbox(500);
    expect(notified()).toEqual([500]);
    clock.t += DELAY;
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(true);
    expect(notified()).toEqual([500, 500]);
    session.pulledTo(500);
    clock.t += DELAY;
    expect(session.renotifyIfDue(clock.t, DELAY)).toBe(false);
  });

  it('a session whose pull answer already reached the time is left alone', () => {
    const { session, notified } = harness();
    session.pulledTo(700);
    session.takeOverInbox(600);
    expect(notified()).toEqual([]);
  });
});
