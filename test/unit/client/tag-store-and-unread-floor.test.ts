/** The SDK's local tag state and the unread floor (issue #7): what changed, what persists, what counts. */
import type { ImMessage } from '../../../src/client/services/im-message';
import { imMessage } from '../../support/im-message-fixture';
import { TagStore } from '../../../src/client/services/tag-store';
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

function received(uid: string, sentTime: number, targetId = 'peer'): ImMessage {
  return imMessage({ targetId, senderUserId: targetId, content: { content: uid }, contentText: '', messageUId: uid, sentTime });
}

describe('TagStore', () => {
  test('pulled lists replace the local one, report differences, drop links of removed tags, and persist', async () => {
    const storage = memoryStorage();
    const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
    const tags = new TagStore(user);
    await tags.load();
    expect(tags.markPulled('settings')).toBe(true);
    expect(tags.markPulled('settings')).toBe(false);
    expect(tags.replaceAll([{ tagId: 'b', tagName: 'B', createdTime: 2 }, { tagId: 'a', tagName: 'A', createdTime: 1 }], 10)).toBe(true);
    expect(tags.replaceAll([{ tagId: 'a', tagName: 'A', createdTime: 1 }, { tagId: 'b', tagName: 'B', createdTime: 2 }], 11)).toBe(false);
    expect(tags.list().map((t) => t.tagId)).toEqual(['a', 'b']);
    tags.link('a', [{ type: 1, targetId: 'u1' }, { type: 3, targetId: 'g_1' }]);
    tags.link('a', [{ type: 1, targetId: 'u1' }], true);
    tags.link('a', [{ type: 1, targetId: 'u1' }]);
    expect(tags.linksOf(1, 'u1')).toEqual([{ tagId: 'a', isTop: true }]);
    expect(tags.conversationsOf('a')).toEqual([{ conversationType: 1, targetId: 'u1', isTop: true }, { conversationType: 3, targetId: 'g_1', isTop: false }]);
    expect(tags.setLinks(1, 'u1', [{ tagId: 'a', isTop: true }])).toBe(false);
    expect(tags.setLinks(1, 'u1', [{ tagId: 'a', isTop: false }, { tagId: 'b', isTop: false }])).toBe(true);
    expect(tags.replaceAll([{ tagId: 'b', tagName: 'B2', createdTime: 2 }], 12)).toBe(true);
    expect(tags.linksOf(1, 'u1')).toEqual([{ tagId: 'b', isTop: false }]);
    expect(tags.conversationsOf('a')).toEqual([]);
    tags.upsert('c', 'C', 99);
    tags.upsert('c', 'C2', 100);
    tags.unlink(['b'], [{ type: 1, targetId: 'u1' }]);
    await user.flush();

    const reloaded = new TagStore(new UserStore(storage, 'app', 'me', SILENT_LOGGER));
    await reloaded.load();
    expect(reloaded.version).toBe(12);
    expect(reloaded.pulled).toBe(true);
    expect(reloaded.list()).toEqual([{ tagId: 'b', tagName: 'B2', createdTime: 2 }, { tagId: 'c', tagName: 'C2', createdTime: 99 }]);
    expect(reloaded.linksOf(1, 'u1')).toEqual([]);
  });
});

describe('UnreadStore floor (server read positions)', () => {
  test('clearUpTo reads everything up to T everywhere, also in conversations not seen yet, and persists', async () => {
    const storage = memoryStorage();
    const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
    const unread = new UnreadStore(user);
    await unread.load();
    unread.onReceived(received('a', 100));
    unread.onReceived(received('b', 200));
    unread.onReceived(received('c', 150, 'other'));
    unread.clearUpTo(160);
    expect(unread.count(1, 'peer')).toBe(1);
    expect(unread.count(1, 'other')).toBe(0);
    // Late arrivals at or before the floor never count, in any conversation.
    expect(unread.onReceived(received('d', 120, 'new-peer'))).toBe(false);
    expect(unread.onReceived(received('e', 170, 'new-peer'))).toBe(true);
    unread.clearUpTo(100);
    expect(unread.total([], true, () => false)).toBe(2);
    unread.clear(1, 'peer', 200);
    expect(unread.count(1, 'peer')).toBe(0);
    await user.flush();
    const reloaded = new UnreadStore(new UserStore(storage, 'app', 'me', SILENT_LOGGER));
    await reloaded.load();
    expect(reloaded.onReceived(received('f', 155, 'third'))).toBe(false);
    expect(reloaded.count(1, 'new-peer')).toBe(1);
  });
});
