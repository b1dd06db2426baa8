/**
 * Write-behind storage (src/client/services/user-store.ts, issue #12 P6): with a clock, a key is written
 * at most once per interval, its value serialised when the write starts; `flush()` writes at once. The
 * unread record and the seen-uid list stay byte-identical to a plain JSON.stringify of their state when
 * many changes (appends, a recall in the middle, the MAX_TRACKED_UNREAD trim, evictions) happen between two
 * writes. Real stores over a map-backed storage and the fake clock (the only fakes: host boundaries).
 */
import type { ImMessage } from '../../../src/client/services/im-message';
import { imMessage } from '../../support/im-message-fixture';
import { RecentUids } from '../../../src/client/services/recent-uids';
import { MAX_TRACKED_UNREAD, UnreadStore } from '../../../src/client/services/unread-store';
import { UserStore, WRITE_BEHIND_MS } from '../../../src/client/services/user-store';
import { SILENT_LOGGER } from '../../../src/client/logger';
import type { KeyValueStorage } from '../../../src/platform/platform-adapter';
import { FakeClock } from '../../support/fake-clock';

function countingStorage(): { storage: KeyValueStorage; map: Map<string, string>; sets: string[] } {
  const map = new Map<string, string>();
  const sets: string[] = [];
  return {
    map,
    sets,
    storage: {
      get: (k) => Promise.resolve(map.get(k)),
      set: (k, v) => {
        sets.push(k);
        map.set(k, v);
        return Promise.resolve();
      },
      remove: (k) => Promise.resolve(void map.delete(k)),
    },
  };
}

let seq = 0;
function received(overrides: Partial<ImMessage> = {}): ImMessage {
  seq += 1;
  return imMessage({ messageUId: `U${seq}`, sentTime: 1000 + seq, ...overrides });
}

const KEY = 'lx-unread-app-me';

describe('UserStore write-behind', () => {
  it('coalesces a burst into one write after the interval, serialising once', async () => {
    const clock = new FakeClock();
    const { storage, map, sets } = countingStorage();
    const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER, clock, WRITE_BEHIND_MS);
    let serialised = 0;
    let value = 0;
    for (let i = 0; i < 50; i++) {
      value = i;
      void user.writeJsonText('inbox', () => {
        serialised += 1;
        return String(value);
      });
    }
    await clock.advance(WRITE_BEHIND_MS - 1);
    expect(sets).toEqual([]);
    await clock.advance(1);
    expect(sets).toEqual(['lx-inbox-app-me']);
    expect(serialised).toBe(1);
    expect(map.get('lx-inbox-app-me')).toBe('49');
  });

  it('flush() writes what is waiting at once, and leaves no timer behind', async () => {
    const clock = new FakeClock();
    const { storage, map } = countingStorage();
    const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER, clock, WRITE_BEHIND_MS);
    void user.writeJson('inbox', 5);
    void user.writeJson('sendbox', 6);
    expect(clock.pendingTimers).toBe(2);
    await user.flush();
    expect(map.get('lx-inbox-app-me')).toBe('5');
    expect(map.get('lx-sendbox-app-me')).toBe('6');
    expect(clock.pendingTimers).toBe(0);
  });

  it('without a clock every write starts at once (no interval)', async () => {
    const { storage, map } = countingStorage();
    const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
    await user.writeJson('inbox', 7);
    expect(map.get('lx-inbox-app-me')).toBe('7');
  });
});

describe('the unread record between two writes', () => {
  function state(unread: UnreadStore, peers: readonly string[]): Record<string, number> {
    return Object.fromEntries(peers.map((p) => [p, unread.count(1, p)]));
  }

  it('many appends, a recall in the middle and more appends: the text equals a fresh serialisation', async () => {
    const clock = new FakeClock();
    const { storage, map } = countingStorage();
    const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER, clock, WRITE_BEHIND_MS);
    const unread = new UnreadStore(user);
    const first = Array.from({ length: 10 }, () => received());
    for (const m of first) unread.onReceived(m);
    await user.flush();
    for (let i = 0; i < 5; i++) unread.onReceived(received());
    expect(unread.onRecalled(1, 'peer', first[4]?.messageUId ?? '')).toBe(true);
    for (let i = 0; i < 3; i++) unread.onReceived(received({ targetId: 'other', senderUserId: 'other' }));
    for (let i = 0; i < 2; i++) unread.onReceived(received());
    await user.flush();
    const text = map.get(KEY) ?? '';
    const parsed = JSON.parse(text) as Record<string, { u: Array<[string, number]> }>;
    expect(text).toBe(JSON.stringify(parsed));
    expect(parsed['1_peer']?.u.map(([uid]) => uid)).not.toContain(first[4]?.messageUId);
    expect(parsed['1_peer']?.u).toHaveLength(16);
    // A store loaded from that text counts the same.
    const reloaded = new UnreadStore(new UserStore(storage, 'app', 'me', SILENT_LOGGER));
    await reloaded.load();
    expect(state(reloaded, ['peer', 'other'])).toEqual(state(unread, ['peer', 'other']));
  });

  it('past MAX_TRACKED_UNREAD the oldest pairs are folded into the count, the duplicate check still holds and the text stays exact', async () => {
    const clock = new FakeClock();
    const { storage, map, sets } = countingStorage();
    const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER, clock, WRITE_BEHIND_MS);
    const unread = new UnreadStore(user);
    const messages = Array.from({ length: MAX_TRACKED_UNREAD + 25 }, () => received());
    for (const m of messages) unread.onReceived(m);
    expect(unread.count(1, 'peer')).toBe(MAX_TRACKED_UNREAD + 25);
    // The newest is still known (a repeat is refused); a folded one counts again, as before.
    expect(unread.onReceived(messages[messages.length - 1] as ImMessage)).toBe(false);
    await clock.advance(WRITE_BEHIND_MS);
    expect(sets.filter((k) => k === KEY)).toHaveLength(1);
    // The record is longer than one storage part (user-store.ts PART): read it back as the SDK does.
    expect(map.get(KEY)?.startsWith('~')).toBe(true);
    type Record1 = Record<string, { u: Array<[string, number]>; o?: number }>;
    const parsed = await new UserStore(storage, 'app', 'me', SILENT_LOGGER).readJson<Record1>('unread', {}, (v): v is Record1 => typeof v === 'object' && v !== null);
    const uids = parsed['1_peer']?.u.map(([uid]) => uid) ?? [];
    expect(uids).toEqual(messages.slice(25).map((m) => m.messageUId));
    expect(parsed['1_peer']?.o).toBe(25);
  });
});

describe('RecentUids text after evictions', () => {
  it('toJson equals JSON.stringify(toArray()) across adds, evictions and deletes', () => {
    const set = new RecentUids(3);
    const check = (): void => expect(set.toJson()).toBe(JSON.stringify(set.toArray()));
    for (const uid of ['a', 'b', 'c', 'd', 'e']) {
      set.add(uid);
      check();
    }
    set.add('f');
    set.add('g');
    check();
    set.delete('f');
    set.add('h');
    check();
    expect(set.toArray()).toEqual(['e', 'g', 'h']);
  });
});
