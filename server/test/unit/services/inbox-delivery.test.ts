/** Rules for pushing a stored message as `s_msg` (server/src/services/inbox-delivery.ts). */
import { InboxDelivery } from '../../../src/services/inbox-delivery';

const APP = 'app';
const U = 'u1';

/** Whether the entry may be pushed to the session now. */
function eligible(d: InboxDelivery, sessionId: string, previous: number | undefined, time: number): boolean {
  return d.pushable(sessionId, previous, time) !== undefined;
}

/** The session was pushed the entry at `time`. */
function pushed(d: InboxDelivery, sessionId: string, time: number): void {
  const state = d.stateOf(sessionId);
  if (state !== undefined) d.pushedTo(state, time);
}

function ready(): InboxDelivery {
  const d = new InboxDelivery();
  d.track('s1');
  d.pullStarted('s1');
  d.pullAnswered(APP, U, 's1', { syncTime: 100, finished: true });
  return d;
}

describe('InboxDelivery', () => {
  it('allows the next entry after a finished pull and then each following one', () => {
    const d = ready();
    const prev = d.recordInbox(APP, U, 110, true);
    expect(prev).toBe(100);
    expect(eligible(d, 's1', prev, 110)).toBe(true);
    pushed(d, 's1', 110);
    const next = d.recordInbox(APP, U, 120, true);
    expect(eligible(d, 's1', next, 120)).toBe(true);
  });

  it('refuses while a pull is outstanding, after an unfinished or failed page, and for untracked sessions', () => {
    const d = ready();
    d.pullStarted('s1');
    expect(eligible(d, 's1', 100, 110)).toBe(false);
    d.pullAnswered(APP, U, 's1', { syncTime: 105, finished: false });
    expect(eligible(d, 's1', 100, 110)).toBe(false);
    d.pullStarted('s1');
    d.pullAnswered(APP, U, 's1', 'failed');
    expect(eligible(d, 's1', 100, 110)).toBe(false);
    expect(eligible(d, 'other', 100, 110)).toBe(false);
  });

  it('refuses when an earlier entry was not delivered (it went by s_ntf) until a pull covers it', () => {
    const d = ready();
    // 110 was recorded but not pushed (e.g. the session was mid-pull): 120 must not overtake it.
    d.recordInbox(APP, U, 110, true);
    const prev = d.recordInbox(APP, U, 120, true);
    expect(prev).toBe(110);
    expect(eligible(d, 's1', prev, 120)).toBe(false);
    d.pullStarted('s1');
    d.pullAnswered(APP, U, 's1', { syncTime: 120, finished: true });
    const after = d.recordInbox(APP, U, 130, true);
    expect(eligible(d, 's1', after, 130)).toBe(true);
  });

  it('refuses an entry the session already has, and an unknown inbox (no pull, user forgotten)', () => {
    const d = ready();
    expect(eligible(d, 's1', 90, 100)).toBe(false);
    d.forgetUser(APP, U);
    expect(d.recordInbox(APP, U, 140, true)).toBeUndefined();
    expect(eligible(d, 's1', undefined, 140)).toBe(false);
    d.untrack('s1');
    expect(d.stateOf('s1')).toBeUndefined();
  });

  it('pushable gives the session state, pushedTo raises it', () => {
    const d = ready();
    const prev = d.recordInbox(APP, U, 110, true);
    const state = d.pushable('s1', prev, 110);
    expect(state).toBe(d.stateOf('s1'));
    d.pushedTo(state as NonNullable<typeof state>, 110);
    expect(d.stateOf('s1')?.delivered).toBe(110);
    // Already delivered, unknown previous entry, untracked session: no state.
    expect(d.pushable('s1', 100, 110)).toBeUndefined();
    expect(d.pushable('s1', undefined, 120)).toBeUndefined();
    expect(d.pushable('other', 110, 120)).toBeUndefined();
    // pushedTo never lowers the mark.
    d.pushedTo(state as NonNullable<typeof state>, 105);
    expect(d.stateOf('s1')?.delivered).toBe(110);
  });

  it('keeps the previous entry time without recording when the user has no session here', () => {
    const d = new InboxDelivery();
    expect(d.recordInbox(APP, U, 1_700_000_000_000, false)).toBeUndefined();
    expect(d.recordInbox(APP, U, 1_700_000_000_001, true)).toBeUndefined();
    expect(d.recordInbox(APP, U, 1_700_000_000_002, false)).toBe(1_700_000_000_001);
    expect(d.recordInbox(APP, U, 1_700_000_000_003, true)).toBe(1_700_000_000_001);
    expect(d.recordInbox(APP, U, 1_700_000_000_004, true)).toBe(1_700_000_000_003);
    // An older entry (another path's) never lowers the inbox's time; a pull answer raises it.
    expect(d.recordInbox(APP, U, 1_600_000_000_000, true)).toBe(1_700_000_000_004);
    expect(d.recordInbox(APP, U, 1_700_000_000_005, true)).toBe(1_700_000_000_004);
    d.track('s1');
    d.pullStarted('s1');
    d.pullAnswered(APP, U, 's1', { syncTime: 1_800_000_000_000, finished: true });
    expect(d.recordInbox(APP, U, 1_800_000_000_001, true)).toBe(1_800_000_000_000);
    d.pullStarted('s1');
    d.pullAnswered(APP, U, 's1', { syncTime: 1_000, finished: true });
    expect(d.recordInbox(APP, U, 1_800_000_000_002, true)).toBe(1_800_000_000_001);
    // Users and apps apart; a forgotten user starts again from unknown.
    expect(d.recordInbox(APP, 'u2', 5, true)).toBeUndefined();
    expect(d.recordInbox('other-app', U, 5, true)).toBeUndefined();
    d.forgetUser(APP, U);
    expect(d.recordInbox(APP, U, 1_800_000_000_003, false)).toBeUndefined();
    expect(d.recordInbox(APP, 'u2', 6, false)).toBe(5);
  });

  it('records a pull answer for a user the node knew nothing of', () => {
    const d = new InboxDelivery();
    d.track('s1');
    d.pullStarted('s1');
    d.pullAnswered(APP, U, 's1', { syncTime: 100, finished: true });
    expect(d.recordInbox(APP, U, 110, false)).toBe(100);
  });
});
