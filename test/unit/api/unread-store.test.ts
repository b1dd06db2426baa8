/** Local unread bookkeeping (API_CHECKLIST §3.3, §11): what counts, recall, read-status sync, @, DND, persistence. */
import type { ImMessage } from '../../../src/client/services/im-message';
import { imMessage } from '../../support/im-message-fixture';
import { MAX_TRACKED_UNREAD, UnreadStore } from '../../../src/client/services/unread-store';
import { UserStore } from '../../../src/client/services/user-store';
import { SILENT_LOGGER } from '../../../src/client/logger';
import type { KeyValueStorage } from '../../../src/platform/platform-adapter';

function memoryStorage(): KeyValueStorage {
  const map = new Map<string, string>();
  return {
    get: (k) => Promise.resolve(map.get(k)),
    set: (k, v) => Promise.resolve(void map.set(k, v)),
    remove: (k) => Promise.resolve(void map.delete(k)),
  };
}

let seq = 0;
function received(overrides: Partial<ImMessage> = {}): ImMessage {
  seq += 1;
  return imMessage({ messageUId: `U${seq}`, sentTime: 1000 + seq, ...overrides });
}

function store(storage = memoryStorage()): { unread: UnreadStore; user: UserStore } {
  const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
  return { unread: new UnreadStore(user), user };
}

test('counts received, counted, non-status messages of private/group/system conversations only', () => {
  const { unread } = store();
  expect(unread.onReceived(received())).toBe(true);
  expect(unread.onReceived(received({ counted: false, objectName: 'RC:InfoNtf' }))).toBe(false);
  expect(unread.onReceived(received({ status: true }))).toBe(false);
  expect(unread.onReceived(received({ direction: 1, senderUserId: 'me' }))).toBe(false);
  expect(unread.onReceived(received({ senderUserId: 'me' }))).toBe(false);
  expect(unread.onReceived(received({ conversationType: 4, targetId: 'room' }))).toBe(false);
  expect(unread.onReceived(received({ conversationType: 3, targetId: 'g', senderUserId: 'x' }))).toBe(true);
  expect(unread.onReceived(received({ conversationType: 6, targetId: 'sys', senderUserId: 'sys' }))).toBe(true);
  expect(unread.count(1, 'peer')).toBe(1);
  expect(unread.total([], false, () => false)).toBe(3);
  expect(unread.total([1], false, () => false)).toBe(1);
});

test('the same uid counts once; recall of an unread message decrements, of an unknown one does nothing', () => {
  const { unread } = store();
  const m = received();
  unread.onReceived(m);
  unread.onReceived(m);
  unread.onReceived(received());
  expect(unread.count(1, 'peer')).toBe(2);
  expect(unread.onRecalled(1, 'peer', m.messageUId)).toBe(true);
  expect(unread.onRecalled(1, 'peer', 'nope')).toBe(false);
  expect(unread.count(1, 'peer')).toBe(1);
});

test('clear up to a time (read-status sync) keeps newer messages; later arrivals older than a clear stay read', () => {
  const { unread } = store();
  const a = received({ sentTime: 10 });
  const b = received({ sentTime: 20 });
  const c = received({ sentTime: 30 });
  for (const m of [a, b, c]) unread.onReceived(m);
  unread.clear(1, 'peer', 20);
  expect(unread.count(1, 'peer')).toBe(1);
  unread.clear(1, 'peer');
  expect(unread.count(1, 'peer')).toBe(0);
  expect(unread.onReceived(received({ sentTime: 25 }))).toBe(false);
  expect(unread.onReceived(received({ sentTime: 31 }))).toBe(true);
});

test('a read-status sync from an own device clears what was counted up to its time, and never beyond the newest of it', () => {
  const { unread } = store();
  for (const sentTime of [10, 20, 30]) unread.onReceived(received({ sentTime }));
  unread.clearCounted(1, 'peer', 25);
  expect(unread.count(1, 'peer')).toBe(1);
  // "Read up to" a time far ahead (a 5.x device's estimate of now): what was counted is read...
  unread.clearCounted(1, 'peer', 1_000_000);
  expect(unread.count(1, 'peer')).toBe(0);
  // ...but a message stored later, timed below that estimate, still counts; one older than what was read does not.
  expect(unread.onReceived(received({ sentTime: 40 }))).toBe(true);
  expect(unread.onReceived(received({ sentTime: 28 }))).toBe(false);
  expect(unread.count(1, 'peer')).toBe(1);
  unread.clearCounted(1, 'nobody', 50);
  expect(unread.count(1, 'nobody')).toBe(0);
});

test('clear and clearAll return what is now read (the newest counted time, 0 for nothing); after clearAll older arrivals stay read', () => {
  const { unread } = store();
  expect(unread.clear(1, 'nobody')).toBe(0);
  unread.onReceived(received({ targetId: 'p1', sentTime: 100 }));
  unread.onReceived(received({ targetId: 'p1', sentTime: 150 }));
  expect(unread.clear(1, 'p1')).toBe(150);
  unread.onReceived(received({ targetId: 'p2', sentTime: 120 }));
  unread.onReceived(received({ targetId: 'p3', sentTime: 90 }));
  expect(unread.clearAll()).toBe(150);
  expect(unread.onReceived(received({ targetId: 'p2', sentTime: 110 }))).toBe(false);
  expect(unread.onReceived(received({ targetId: 'p2', sentTime: 130 }))).toBe(true);
  expect(unread.count(1, 'p2')).toBe(1);
  expect(unread.clearAll()).toBe(150);
});

test('group @ of me or of everyone sets hasMentioned until cleared; @ of others does not', () => {
  const { unread } = store();
  const at = (info: object): ImMessage => received({ conversationType: 3, targetId: 'g', senderUserId: 'x', mentioned: true, content: { content: '@', mentionedInfo: info } });
  unread.onReceived(at({ type: 2, userIdList: ['other'] }));
  expect(unread.hasMentioned(3, 'g')).toBe(false);
  unread.onReceived(at({ type: 2, userIdList: ['me'] }));
  expect(unread.hasMentioned(3, 'g')).toBe(true);
  unread.clear(3, 'g');
  expect(unread.hasMentioned(3, 'g')).toBe(false);
  unread.onReceived(at({ type: 1 }));
  expect(unread.hasMentioned(3, 'g')).toBe(true);
  unread.clearAll();
  expect(unread.hasMentioned(3, 'g')).toBe(false);
  expect(unread.total([3], true, () => false)).toBe(0);
});

test('hasMentioned follows the unread @ messages: a recall or a read of the last one clears it while others stay unread', () => {
  const { unread } = store();
  const at = (sentTime: number): ImMessage =>
    received({ conversationType: 3, targetId: 'g', senderUserId: 'x', mentioned: true, sentTime, content: { content: '@', mentionedInfo: { type: 2, userIdList: ['me'] } } });
  const plain = (sentTime: number): ImMessage => received({ conversationType: 3, targetId: 'g', senderUserId: 'x', sentTime });
  const first = at(10);
  const second = at(20);
  for (const m of [first, plain(15), second, plain(25)]) unread.onReceived(m);
  expect(unread.onRecalled(3, 'g', first.messageUId)).toBe(true);
  expect(unread.hasMentioned(3, 'g')).toBe(true);
  expect(unread.onRecalled(3, 'g', second.messageUId)).toBe(true);
  expect([unread.count(3, 'g'), unread.hasMentioned(3, 'g')]).toEqual([2, false]);
  // A read position past the @ message clears it too; a recall of a plain message leaves a pending @ alone.
  const third = at(30);
  const later = plain(35);
  for (const m of [third, later, at(40)]) unread.onReceived(m);
  unread.onRecalled(3, 'g', later.messageUId);
  unread.clear(3, 'g', 30);
  expect(unread.hasMentioned(3, 'g')).toBe(true);
  unread.clearUpTo(40);
  expect([unread.count(3, 'g'), unread.hasMentioned(3, 'g')]).toEqual([0, false]);
});

test('the @ uids are stored with the record; a record without them (older SDK) keeps the flag until nothing is unread', async () => {
  const storage = memoryStorage();
  const first = store(storage);
  const at = received({ conversationType: 3, targetId: 'g', senderUserId: 'x', mentioned: true, content: { content: '@', mentionedInfo: { type: 1 } } });
  const plain = received({ conversationType: 3, targetId: 'g', senderUserId: 'x' });
  first.unread.onReceived(at);
  first.unread.onReceived(plain);
  await first.user.flush();
  const text = (await storage.get('lx-unread-app-me')) ?? '';
  const record = JSON.parse(text) as Record<string, { m?: string[] }>;
  expect(text).toBe(JSON.stringify(record));
  expect(record['3_g']?.m).toEqual([at.messageUId]);

  const reloaded = store(storage);
  await reloaded.unread.load();
  reloaded.unread.onRecalled(3, 'g', at.messageUId);
  expect([reloaded.unread.count(3, 'g'), reloaded.unread.hasMentioned(3, 'g')]).toEqual([1, false]);

  delete record['3_g']?.m;
  await storage.set('lx-unread-app-me', JSON.stringify(record));
  const legacy = store(storage);
  await legacy.unread.load();
  legacy.unread.onRecalled(3, 'g', at.messageUId);
  expect([legacy.unread.count(3, 'g'), legacy.unread.hasMentioned(3, 'g')]).toEqual([1, true]);
  // A new @ while the untracked flag is up stays untracked; the flag goes with the last unread message.
  const again = received({ conversationType: 3, targetId: 'g', senderUserId: 'x', mentioned: true, content: { content: '@', mentionedInfo: { type: 1 } } });
  legacy.unread.onReceived(again);
  legacy.unread.onRecalled(3, 'g', again.messageUId);
  expect(legacy.unread.hasMentioned(3, 'g')).toBe(true);
  legacy.unread.onRecalled(3, 'g', plain.messageUId);
  expect(legacy.unread.hasMentioned(3, 'g')).toBe(false);
  // Cleared, the next @ is tracked again.
  const tracked = received({ conversationType: 3, targetId: 'g', senderUserId: 'x', mentioned: true, content: { content: '@', mentionedInfo: { type: 1 } } });
  legacy.unread.onReceived(tracked);
  legacy.unread.onReceived(received({ conversationType: 3, targetId: 'g', senderUserId: 'x' }));
  legacy.unread.onRecalled(3, 'g', tracked.messageUId);
  expect([legacy.unread.count(3, 'g'), legacy.unread.hasMentioned(3, 'g')]).toEqual([1, false]);
});

test('an @ message folded into the plain count (MAX_TRACKED_UNREAD) keeps the flag until the count is cleared', () => {
  const { unread } = store();
  unread.onReceived(received({ conversationType: 3, targetId: 'g', senderUserId: 'x', mentioned: true, content: { content: '@', mentionedInfo: { type: 1 } } }));
  const plain = Array.from({ length: MAX_TRACKED_UNREAD }, () => received({ conversationType: 3, targetId: 'g', senderUserId: 'x' }));
  for (const m of plain) unread.onReceived(m);
  unread.onRecalled(3, 'g', (plain[0] as ImMessage).messageUId);
  expect([unread.count(3, 'g'), unread.hasMentioned(3, 'g')]).toEqual([MAX_TRACKED_UNREAD, true]);
  unread.clear(3, 'g');
  expect(unread.hasMentioned(3, 'g')).toBe(false);
});

test('do-not-disturb conversations are left out of the total unless includeMuted', () => {
  const { unread } = store();
  unread.onReceived(received());
  unread.onReceived(received({ targetId: 'muted', senderUserId: 'muted' }));
  const isMuted = (_type: number, id: string): boolean => id === 'muted';
  expect(unread.total([], false, isMuted)).toBe(1);
  expect(unread.total([], true, isMuted)).toBe(2);
});

test('state is persisted per app and user and restored by load', async () => {
  const storage = memoryStorage();
  const first = store(storage);
  first.unread.onReceived(received());
  first.unread.onReceived(received());
  await first.user.flush();
  const second = store(storage);
  await second.unread.load();
  expect(second.unread.count(1, 'peer')).toBe(2);
  const otherUser = new UnreadStore(new UserStore(storage, 'app', 'someone-else', SILENT_LOGGER));
  await otherUser.load();
  expect(otherUser.count(1, 'peer')).toBe(0);
});

test('the persisted text is exactly JSON.stringify of the record, through pushes, recalls, clears and floors', async () => {
  const storage = memoryStorage();
  const store = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
  const unread = new UnreadStore(store);
  const stored = async (): Promise<string | undefined> => {
    await store.flush();
    return storage.get('lx-unread-app-me');
  };
  const msgs = Array.from({ length: 6 }, (_, i) => received({ targetId: i % 2 === 0 ? 'a' : 'b', senderUserId: 'x' }));
  for (const m of msgs) {
    unread.onReceived(m);
    const text = await stored();
    const reloaded = new UnreadStore(store);
    await reloaded.load();
    expect(reloaded.count(1, m.targetId)).toBe(unread.count(1, m.targetId));
    expect(text).toBe(JSON.stringify(JSON.parse(text ?? 'null')));
  }
  const first = msgs[0] as ImMessage;
  unread.onRecalled(1, 'a', first.messageUId);
  unread.onReceived(received({ targetId: 'a', senderUserId: 'x' }));
  unread.clear(1, 'b', (msgs[3] as ImMessage).sentTime);
  unread.clearUpTo((msgs[1] as ImMessage).sentTime);
  unread.onReceived(received({ targetId: 'b', senderUserId: 'x' }));
  const text = (await stored()) ?? '';
  const record = JSON.parse(text) as Record<string, { u: Array<[string, number]> }>;
  expect(text).toBe(JSON.stringify(record));
  expect(record['1_a']?.u.length).toBe(unread.count(1, 'a'));
  expect(record['1_b']?.u.length).toBe(unread.count(1, 'b'));
  expect(Object.keys(record)).toEqual(['1_a', '1_b', '*']);
});

test('a message counted once is not counted again, also after recalls, partial clears and reloads', async () => {
  const store = new UserStore(memoryStorage(), 'app', 'me', SILENT_LOGGER);
  const unread = new UnreadStore(store);
  const msgs = Array.from({ length: 5 }, () => received({ senderUserId: 'x' }));
  for (const m of msgs) expect(unread.onReceived(m)).toBe(true);
  for (const m of msgs) expect(unread.onReceived(m)).toBe(false);
  expect(unread.count(1, 'peer')).toBe(5);
  const [a, b, c] = msgs as [ImMessage, ImMessage, ImMessage];
  expect(unread.onRecalled(1, 'peer', b.messageUId)).toBe(true);
  expect(unread.onReceived(a)).toBe(false);
  expect(unread.count(1, 'peer')).toBe(4);
  unread.clear(1, 'peer', a.sentTime);
  expect(unread.onReceived(c)).toBe(false);
  expect(unread.count(1, 'peer')).toBe(3);
  await store.flush();
  const reloaded = new UnreadStore(store);
  await reloaded.load();
  expect(reloaded.onReceived(c)).toBe(false);
  expect(reloaded.onReceived(received({ senderUserId: 'x' }))).toBe(true);
  expect(reloaded.count(1, 'peer')).toBe(4);
});
