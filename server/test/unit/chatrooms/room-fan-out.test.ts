/**
 * The P3 fan-out helpers (bench/analysis/p3-chatroom.md): the shared chrmPull pages of a room
 * (RoomPageCache) and the notification flow control of RoomState (admitNotify / pulled).
 */
import { MAX_AGE_MS, RoomPageCache } from '../../../src/services/chatrooms/room-page-cache';
import { NOTIFY_HOLD_MAX_MS, RoomState } from '../../../src/services/chatrooms/room-state';
import type { ChatroomMessage } from '../../../src/store/chatroom-repository';

function message(sentTime: number, fromUserId: string): ChatroomMessage {
  return { appKey: 'k', roomId: 'r', uid: `U${sentTime}`, sentTime, fromUserId, objectName: 'RC:TxtMsg', content: new Uint8Array([sentTime % 256]), flags: 3 };
}

describe('RoomPageCache', () => {
  const timeline = [message(10, 'a'), message(20, 'b'), message(30, 'a')];
  /** The clock of the reads below (ms). */
  const T = 1_000_000;

  it('serves every cursor at or after the tail base from one read, one shared page per cursor', () => {
    const cache = new RoomPageCache();
    expect(cache.get(5, T)).toBeUndefined();
    cache.keep(5, timeline, 30, cache.version, T);
    const all = cache.get(5, T);
    expect(all?.messages.map((m) => m.sentTime)).toEqual([10, 20, 30]);
    expect([...(all?.senders ?? [])].sort()).toEqual(['a', 'b']);
    expect(cache.get(5, T)).toBe(all);
    expect(cache.get(20, T)?.messages.map((m) => m.sentTime)).toEqual([30]);
    expect(cache.get(20, T)?.senders).toEqual(new Set(['a']));
    expect(cache.get(30, T)?.messages).toEqual([]);
    expect(cache.get(30, T)?.timelineTime).toBe(30);
    // Older than the base: not covered.
    expect(cache.get(4, T)).toBeUndefined();
  });

  it('drops everything on invalidate and never keeps a read that raced an invalidation', () => {
    const cache = new RoomPageCache();
    const version = cache.version;
    cache.invalidate();
    cache.keep(0, timeline, 30, version, T);
    expect(cache.get(0, T)).toBeUndefined();
    cache.keep(0, timeline, 30, cache.version, T);
    expect(cache.get(10, T)?.messages).toHaveLength(2);
    cache.invalidate();
    expect(cache.get(10, T)).toBeUndefined();
  });

  it('shares a truncated read by cursor across appends until cleared; the answer continues from its last message', () => {
    const cache = new RoomPageCache();
    const page = cache.keepTruncated(5, timeline, T);
    expect(page).toMatchObject({ syncTime: 30, finished: false });
    expect(cache.get(5, T)).toBe(page);
    // An append cannot land inside it (sentTime grows): it survives the invalidation of complete pages.
    cache.invalidate();
    expect(cache.get(5, T)).toBe(page);
    cache.clear();
    expect(cache.get(5, T)).toBeUndefined();
    // An empty read is never kept.
    expect(cache.keepTruncated(7, [], T)).toMatchObject({ syncTime: 7, finished: false, messages: [] });
    expect(cache.get(7, T)).toBeUndefined();
  });

  it('answers a complete page with syncTime = max(cursor, room clock)', () => {
    const cache = new RoomPageCache();
    cache.keep(5, timeline, 40, cache.version, T);
    expect(cache.get(5, T)).toMatchObject({ syncTime: 40, finished: true });
    expect(cache.get(50, T)).toMatchObject({ syncTime: 50, finished: true, messages: [] });
  });

  it('keeps the widest tail: a read from a later cursor does not replace an earlier base', () => {
    const cache = new RoomPageCache();
    cache.keep(0, timeline, 30, cache.version, T);
    cache.keep(20, timeline.slice(2), 30, cache.version, T);
    expect(cache.get(0, T)?.messages).toHaveLength(3);
  });

  it('serves nothing kept MAX_AGE_MS ago or earlier (a lost cross-node clear or notify is bounded in time)', () => {
    const cache = new RoomPageCache();
    cache.keep(5, timeline, 30, cache.version, T);
    const cut = cache.keepTruncated(40, timeline, T);
    expect(cache.get(5, T + MAX_AGE_MS - 1)?.messages).toHaveLength(3);
    expect(cache.get(40, T + MAX_AGE_MS - 1)).toBe(cut);
    expect(cache.get(5, T + MAX_AGE_MS)).toBeUndefined();
    expect(cache.get(40, T + MAX_AGE_MS)).toBeUndefined();
    // A fresh read is kept and served again.
    cache.keep(5, timeline, 30, cache.version, T + MAX_AGE_MS);
    expect(cache.get(20, T + MAX_AGE_MS + 1)?.messages).toHaveLength(1);
  });
});

describe('RoomState online list', () => {
  it('holds exactly the online members through joins, presence changes, re-joins and leaves', () => {
    const state = new RoomState('k', 'r', { windowMs: 200, high: 20, shared: 20 });
    const check = (): void => {
      const expected = [...state.members.values()].filter((m) => m.online).map((m) => m.userId).sort();
      expect(state.online.map((m) => m.userId).sort()).toEqual(expected);
      state.online.forEach((m, i) => expect(m.slot).toBe(i));
    };
    for (const id of ['a', 'b', 'c', 'd']) state.addMember(id, 1, id !== 'd', 1);
    check();
    state.setOnline('a', false, 2);
    check();
    state.setOnline('d', true, 2);
    state.addMember('b', 5, true, 3);
    check();
    expect(state.members.get('b')?.joinTime).toBe(1);
    state.removeMember('c');
    state.removeMember('a');
    check();
    expect(state.onlineMembers().sort()).toEqual(['b', 'd']);
  });
});

describe('RoomState notification flow control', () => {
  const room = (): RoomState => {
    const state = new RoomState('k', 'r', { windowMs: 200, high: 20, shared: 20 });
    state.addMember('u', 0, true, 0);
    return state;
  };

  it('holds a notification while the previous one is not pulled, and asks for it once the pull is older', () => {
    const state = room();
    const member = state.members.get('u')!;
    state.notifiedTime = 100;
    expect(state.admitNotify(member, true, 1000, 100)).toBe(true);
    state.notifiedTime = 200;
    expect(state.admitNotify(member, true, 1010, 200)).toBe(false);
    // The pull answered up to 150 < 200: the held notification is due now.
    expect(state.pulled('u', 150, 0, member.notifiedTo)).toBe(true);
    expect(state.admitNotify(member, true, 1020, 200)).toBe(true);
    // A pull that covers the newest notified time needs nothing more.
    expect(state.admitNotify(member, true, 1030, 200)).toBe(false);
    expect(state.pulled('u', 200, 0, member.notifiedTo)).toBe(false);
    state.notifiedTime = 300;
    expect(state.admitNotify(member, true, 1040, 300)).toBe(true);
  });

  it('a notification written while a pull was being answered from an older snapshot is due again after that answer', () => {
    const state = room();
    const member = state.members.get('u')!;
    state.pulled('u', 100, 0, member.notifiedTo);
    // A pull nobody notified (a re-join's) is asked at cursor 100; its store read misses 200, committed on
    // another node and announced (written, not held: no pull was awaited) before the answer goes out.
    const atAsk = member.notifiedTo;
    state.notifiedTime = 200;
    expect(state.admitNotify(member, true, 1000, 200)).toBe(true);
    expect(state.pulled('u', 100, 1001, atAsk)).toBe(true);
    expect(state.admitNotify(member, true, 1002, 200)).toBe(true);
    // Answered up to 200 (asked after that notification): nothing more is due.
    expect(state.pulled('u', 200, 1003, member.notifiedTo)).toBe(false);
    // An answer short of a notification that was already written when the pull was asked is not a race
    // (the client asked knowing it): the re-notify sweep covers it, not an immediate repeat.
    state.notifiedTime = 300;
    expect(state.admitNotify(member, true, 1004, 300)).toBe(true);
    expect(state.pulled('u', 250, 1005, member.notifiedTo)).toBe(false);
  });

  it('does not notify (nor wait for) a member whose last pull already reached the notified time', () => {
    const state = room();
    const member = state.members.get('u')!;
    // The member pulled after the append but before the notification went out: its client has it and
    // would not pull for it, so no notification and no pending pull.
    state.pulled('u', 500, 0, member.notifiedTo);
    expect(state.admitNotify(member, true, 1000, 500)).toBe(false);
    expect(member.awaitingSince).toBeUndefined();
    expect(state.admitNotify(member, true, 1001, 501)).toBe(true);
  });

  it('notifies again after NOTIFY_HOLD_MAX_MS without a pull, and never holds members with several sessions', () => {
    const state = room();
    const member = state.members.get('u')!;
    expect(state.admitNotify(member, true, 0, 1)).toBe(true);
    expect(state.admitNotify(member, true, NOTIFY_HOLD_MAX_MS - 1, 2)).toBe(false);
    expect(state.admitNotify(member, true, NOTIFY_HOLD_MAX_MS, 3)).toBe(true);
    expect(state.admitNotify(member, false, NOTIFY_HOLD_MAX_MS + 1, 4)).toBe(true);
    expect(state.admitNotify(member, false, NOTIFY_HOLD_MAX_MS + 2, 5)).toBe(true);
    // Going offline or online forgets the pending pull and the pulled cursor.
    state.pulled('u', 50, 0, member.notifiedTo);
    expect(state.admitNotify(member, true, 10_000, 60)).toBe(true);
    state.setOnline('u', false, 10_001);
    state.setOnline('u', true, 10_002);
    expect(state.admitNotify(member, true, 10_003, 6)).toBe(true);
  });
});
