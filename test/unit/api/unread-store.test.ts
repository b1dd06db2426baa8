/** Local unread bookkeeping (API_CHECKLIST §3.3, §11): what counts, recall, read-status sync, @, DND, persistence. */
import type { ImMessage } from '../../../src/client/services/im-message';
import { UnreadStore } from '../../../src/client/services/unread-store';
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
  return {
    conversationType: 1,
    targetId: 'peer',
    senderUserId: 'peer',
    objectName: 'RC:TxtMsg',
    content: { content: 'x' },
    contentText: '{"content":"x"}',
    messageUId: `U${seq}`,
    sentTime: 1000 + seq,
    direction: 2,
    offline: false,
    persisted: true,
    counted: true,
    status: false,
    mentioned: false,
    retrieved: false,
    disableNotification: false,
    canIncludeExpansion: false,
    expansion: null,
    ...overrides,
  };
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
