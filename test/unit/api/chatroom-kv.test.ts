/**
 * The chatroom KV pieces that need no network: key/value rules (API_CHECKLIST §3.10) and the local
 * cache's apply rule (PROTOCOL.md §8.8) — full updates replace, otherwise only the overwrite bit, the
 * same setter or an unknown key is applied; removals are reported as DELETE; the listener hears only
 * changes that alter what reads return.
 */
import fc from 'fast-check';
import { ChatroomKvCache, KvChangeType, KvStatus } from '../../../src/client/services/chatroom/chatroom-kv-cache';
import type { KvEntry } from '../../../src/client/services/chatroom/chatroom-kv-cache';
import { isValidKvKey, isValidKvValue } from '../../../src/client/services/chatroom/chatroom-kv';

const entry = (key: string, value: string, userId: string, status = 0, timestamp = 1): KvEntry => ({ key, value, userId, status, timestamp });

describe('key and value rules', () => {
  test('keys: 1–128 characters of [A-Za-z0-9+=_-]', () => {
    for (const ok of ['a', 'A-Za-z0+9=_', 'k'.repeat(128)]) expect([ok, isValidKvKey(ok)]).toEqual([ok, true]);
    for (const bad of ['', 'k'.repeat(129), 'a b', 'ключ', 'a.b', 'a/b', 7, null]) expect([bad, isValidKvKey(bad)]).toEqual([bad, false]);
  });

  test('keys: any string over the allowed alphabet and length passes, anything with another character fails', () => {
    const alphabet = [...'ABCxyz019+=_-'];
    fc.assert(fc.property(fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 128 }), (chars) => isValidKvKey(chars.join(''))));
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom(' ', '.', '/', '中', '@'), (s, bad) => !isValidKvKey(s + bad)));
  });

  test('values: 1–4096 characters, counted as characters (not UTF-16 units)', () => {
    expect(isValidKvValue('')).toBe(false);
    expect(isValidKvValue('v')).toBe(true);
    expect(isValidKvValue('v'.repeat(4096))).toBe(true);
    expect(isValidKvValue('v'.repeat(4097))).toBe(false);
    expect(isValidKvValue('😀'.repeat(4096))).toBe(true);
    expect(isValidKvValue('😀'.repeat(4097))).toBe(false);
    expect(isValidKvValue(5)).toBe(false);
  });
});

describe('the local copy', () => {
  test('a full update replaces everything and reports new keys as UPDATE and vanished ones as DELETE', () => {
    const cache = new ChatroomKvCache('r');
    expect(cache.applyPage([entry('a', '1', 'u1'), entry('b', '2', 'u2')], true).map((c) => [c.key, c.type])).toEqual([['a', KvChangeType.Update], ['b', KvChangeType.Update]]);
    const changes = cache.applyPage([entry('b', '2', 'u2'), entry('c', '3', 'u3')], true);
    expect(changes.map((c) => [c.key, c.type])).toEqual([['c', KvChangeType.Update], ['a', KvChangeType.Delete]]);
    expect(cache.all()).toEqual({ b: '2', c: '3' });
  });

  test("an incremental entry of another user is applied only with the overwrite bit; the owner's own always", () => {
    const cache = new ChatroomKvCache('r');
    cache.applyPage([entry('seat', 'A', 'alice')], true);
    expect(cache.applyPage([entry('seat', 'B', 'bob')], false)).toEqual([]);
    expect(cache.get('seat')).toBe('A');
    expect(cache.applyPage([entry('seat', 'A2', 'alice')], false)).toHaveLength(1);
    expect(cache.applyPage([entry('seat', 'B', 'bob', KvStatus.Overwrite, 5)], false)).toEqual([{ key: 'seat', value: 'B', timestamp: 5, chatroomId: 'r', type: KvChangeType.Update }]);
    expect(cache.ownerOf('seat')).toBe('bob');
  });

  test('removals hide the key (reads see nothing) and are reported once as DELETE', () => {
    const cache = new ChatroomKvCache('r');
    cache.applyPage([entry('k', 'v', 'u')], true);
    const removed = cache.applyPage([entry('k', 'v', 'u', KvStatus.Deleted, 9)], false);
    expect(removed).toEqual([{ key: 'k', value: 'v', timestamp: 9, chatroomId: 'r', type: KvChangeType.Delete }]);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.all()).toEqual({});
    expect(cache.applyPage([entry('k', 'v', 'u', KvStatus.Deleted, 10)], false)).toEqual([]);
    // A removed key is free: another user's plain set is applied.
    expect(cache.applyPage([entry('k', 'w', 'other', 0, 11)], false)).toHaveLength(1);
    expect(cache.get('k')).toBe('w');
  });

  test("the user's own change is applied silently and not reported again when a pull brings it back", () => {
    const cache = new ChatroomKvCache('r');
    cache.applyOwn(entry('k', 'mine', 'me'));
    expect(cache.get('k')).toBe('mine');
    expect(cache.applyPage([entry('k', 'mine', 'me', 0, 3)], false)).toEqual([]);
    cache.applyOwn(entry('k', '', 'me', KvStatus.Deleted));
    expect(cache.applyPage([entry('k', '', 'me', KvStatus.Deleted, 4)], false)).toEqual([]);
  });
});
