/**
 * Room re-notify bookkeeping (room-renotify.ts): RoomState records every admitted notification, and
 * takeRenotifies hands back the online members whose first unpulled one is older than the delay, at most
 * MAX_RENOTIFY times until their next finished pull answer.
 */
import { DEFAULT_RENOTIFY_MS, MAX_RENOTIFY, renotifyMsFromEnv, sweepCadence } from '../../../src/services/chatrooms/room-renotify';
import { RoomState, type MemberState } from '../../../src/services/chatrooms/room-state';

const DELAY = 1000;

function roomWith(...userIds: string[]): { room: RoomState; member: (id: string) => MemberState } {
  const room = new RoomState('k', 'r', { windowMs: 200, high: 20, shared: 20 });
  for (const id of userIds) room.addMember(id, 0, true, 0);
  return { room, member: (id) => room.members.get(id) as MemberState };
}

const ids = (members: readonly MemberState[]): string[] => members.map((m) => m.userId).sort();

describe('RoomState re-notify', () => {
  it('repeats an unpulled notification after the delay, MAX_RENOTIFY times, then waits for a pull answer', () => {
    const { room, member } = roomWith('u');
    expect(room.admitNotify(member('u'), true, 100, 50)).toBe(true);
    expect(room.takeRenotifies(100 + DELAY - 1, DELAY)).toEqual([]);
    let now = 100 + DELAY;
    for (let i = 0; i < MAX_RENOTIFY; i++) {
      expect(room.takeRenotifies(now - 1, DELAY)).toEqual([]);
      expect(ids(room.takeRenotifies(now, DELAY))).toEqual(['u']);
      expect(member('u').notifiedTo).toBe(50);
      now += DELAY;
    }
    expect(room.takeRenotifies(now + 10 * DELAY, DELAY)).toEqual([]);
    // A new notification does not re-arm it while the limit is reached...
    expect(room.admitNotify(member('u'), false, now, 60)).toBe(true);
    expect(room.takeRenotifies(now + 10 * DELAY, DELAY)).toEqual([]);
    // ...a pull answer short of it does, from the answer on.
    expect(room.pulled('u', 55, now + 10 * DELAY, member('u').notifiedTo)).toBe(false);
    expect(room.takeRenotifies(now + 11 * DELAY - 1, DELAY)).toEqual([]);
    expect(ids(room.takeRenotifies(now + 11 * DELAY, DELAY))).toEqual(['u']);
    expect(member('u').notifiedTo).toBe(60);
  });

  it('never repeats a notification the member pulled up to, and counts from the first unpulled one', () => {
    const { room, member } = roomWith('a', 'b');
    expect(room.admitNotify(member('a'), true, 100, 10)).toBe(true);
    expect(room.admitNotify(member('b'), true, 100, 10)).toBe(true);
    expect(room.pulled('a', 10, 105, member('a').notifiedTo)).toBe(false);
    // b's later notifications do not restart its clock.
    expect(room.admitNotify(member('b'), false, 500, 20)).toBe(true);
    expect(room.takeRenotifies(100 + DELAY - 1, DELAY)).toEqual([]);
    expect(ids(room.takeRenotifies(100 + DELAY, DELAY))).toEqual(['b']);
    expect(member('b').notifiedTo).toBe(20);
    // A finished pull answer at or past the newest notification ends it.
    expect(room.pulled('b', 25, DELAY + 101, member('b').notifiedTo)).toBe(false);
    expect(room.takeRenotifies(100 * DELAY, DELAY)).toEqual([]);
    expect(room.renotifyCheck).toBe(0);
  });

  it('skips the walk until the earliest unpulled notification is due, and forgets members going offline', () => {
    const { room, member } = roomWith('a', 'b');
    room.admitNotify(member('a'), true, 300, 10);
    room.admitNotify(member('b'), true, 700, 10);
    expect(room.renotifyCheck).toBe(300);
    expect(ids(room.takeRenotifies(300 + DELAY, DELAY))).toEqual(['a']);
    // Next due: b at 700 (a was restarted at 1300).
    expect(room.renotifyCheck).toBe(700);
    room.setOnline('b', false, 800);
    expect(room.takeRenotifies(700 + DELAY, DELAY)).toEqual([]);
    expect(room.renotifyCheck).toBe(300 + DELAY);
    room.setOnline('b', true, 900);
    expect(member('b')).toMatchObject({ notifiedTo: 0, unpulledSince: 0, renotified: 0 });
    expect(ids(room.takeRenotifies(300 + 2 * DELAY, DELAY))).toEqual(['a']);
  });

  it('reads the delay from LIANXIN_RENOTIFY_MS like the gateway', () => {
    expect(renotifyMsFromEnv({})).toBe(DEFAULT_RENOTIFY_MS);
    expect(renotifyMsFromEnv({ LIANXIN_RENOTIFY_MS: '500' })).toBe(500);
    expect(renotifyMsFromEnv({ LIANXIN_RENOTIFY_MS: '0' })).toBe(DEFAULT_RENOTIFY_MS);
    expect(renotifyMsFromEnv({ LIANXIN_RENOTIFY_MS: '5s' })).toBe(DEFAULT_RENOTIFY_MS);
  });

  it('ticks for the shorter of the two delays and runs the idle sweep at its old rate', () => {
    // Defaults: idle sweep every 60 s, re-notify tick 8.75 s.
    expect(sweepCadence(3_600_000, DEFAULT_RENOTIFY_MS)).toEqual({ tickMs: 8750, idleEveryTicks: 7 });
    expect(sweepCadence(200, DEFAULT_RENOTIFY_MS)).toEqual({ tickMs: 50, idleEveryTicks: 1 });
    expect(sweepCadence(3_600_000, 500)).toEqual({ tickMs: 125, idleEveryTicks: 480 });
    expect(sweepCadence(1, 1)).toEqual({ tickMs: 20, idleEveryTicks: 1 });
  });
});
