/**
 * Records longer than a host's per-key limit (src/client/services/user-store.ts, PART): Alipay stores at most
 * 200 KB under one key (WeChat 1 MB), while the unread, receipt and tag records are bounded only by a few
 * hundred KB each — on Alipay every write of such a record was refused and a reload showed an old record or
 * none. UserStore now stores a long record in parts; a write refused half-way leaves the previous record
 * whole, and parts no longer used are removed. Real stores over the Alipay host simulator's storage and over
 * a stand-in storage with a total quota (the host boundary).
 */
import { TagStore } from '../../../src/client/services/tag-store';
import { UserStore } from '../../../src/client/services/user-store';
import { SILENT_LOGGER } from '../../../src/client/logger';
import type { KeyValueStorage } from '../../../src/platform/platform-adapter';
import { SimulatedDevice, simulatedAdapter } from '../../support/host-simulators';

test('20 tags of 1000 conversations each are stored on Alipay (200 KB per key) and reload', async () => {
  const storage = simulatedAdapter('alipay', new SimulatedDevice()).storage;
  const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
  const tags = new TagStore(user);
  await tags.load();
  const tagIds = Array.from({ length: 20 }, (_, t) => `tag-${String(t).padStart(2, '0')}`);
  tags.replaceAll(tagIds.map((tagId, t) => ({ tagId, tagName: `name ${t}`, createdTime: t })), 1);
  for (const [t, tagId] of tagIds.entries()) {
    tags.link(tagId, Array.from({ length: 1000 }, (_, i) => ({ type: 1, targetId: `customer-${String(t * 1000 + i).padStart(6, '0')}` })));
  }
  await user.flush();
  const again = new TagStore(new UserStore(storage, 'app', 'me', SILENT_LOGGER));
  await again.load();
  expect(again.list().map((t) => t.tagId)).toEqual(tagIds);
  for (const tagId of tagIds) expect(again.conversationsOf(tagId)).toHaveLength(1000);
});

/** Map-backed storage refusing a write that would take the total text over `quota`. */
function quotaStorage(quota: number): { storage: KeyValueStorage; map: Map<string, string>; limit: { quota: number } } {
  const map = new Map<string, string>();
  const limit = { quota };
  const used = (): number => [...map].reduce((n, [k, v]) => n + k.length + v.length, 0);
  return {
    map,
    limit,
    storage: {
      get: (k) => Promise.resolve(map.get(k)),
      set: (k, v) => {
        if (used() - (map.get(k)?.length ?? 0) + v.length > limit.quota) return Promise.reject(new Error('storage full'));
        map.set(k, v);
        return Promise.resolve();
      },
      remove: (k) => Promise.resolve(void map.delete(k)),
    },
  };
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v);
const record = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `${tag}-${String(i).padStart(8, '0')}`);

test('a long record refused half-way leaves the previous one whole; parts no longer used are removed', async () => {
  const { storage, map, limit } = quotaStorage(10_000_000);
  const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
  const first = record(15_000, 'first'); // ~260,000 characters: several parts
  await user.writeJson('seen', first);
  const partsOfFirst = map.size;
  expect(partsOfFirst).toBeGreaterThan(2);

  // The storage fills up: the next, longer record is refused before its last part is written.
  limit.quota = [...map].reduce((n, [k, v]) => n + k.length + v.length, 0) + 150_000;
  await user.writeJson('seen', record(20_000, 'second'));
  expect(await new UserStore(storage, 'app', 'me', SILENT_LOGGER).readJson('seen', [], isStrings)).toEqual(first);

  // Space again: a long record, then a short one; only the key itself is left.
  limit.quota = 10_000_000;
  const third = record(18_000, 'third');
  await user.writeJson('seen', third);
  expect(await new UserStore(storage, 'app', 'me', SILENT_LOGGER).readJson('seen', [], isStrings)).toEqual(third);
  await user.writeJson('seen', ['short']);
  expect([...map.keys()]).toEqual([user.key('seen')]);
  expect(await new UserStore(storage, 'app', 'me', SILENT_LOGGER).readJson('seen', [], isStrings)).toEqual(['short']);
});

test('a character outside the BMP where a part ends is not split between two parts', async () => {
  // Stored the way a host keeps text (UTF-8): a lone surrogate at the end of a part would come back as U+FFFD.
  const map = new Map<string, string>();
  const storage: KeyValueStorage = {
    get: (k) => Promise.resolve(map.get(k)),
    set: (k, v) => Promise.resolve(void map.set(k, Buffer.from(v, 'utf8').toString('utf8'))),
    remove: (k) => Promise.resolve(void map.delete(k)),
  };
  const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
  // JSON text `["…"]`: the emoji's two UTF-16 units sit at 59,999 and 60,000, across the first cut.
  const value = [`${'x'.repeat(59_997)}😀${'y'.repeat(100)}`];
  await user.writeJson('seen', value);
  expect(map.size).toBe(2);
  expect(await new UserStore(storage, 'app', 'me', SILENT_LOGGER).readJson('seen', [], isStrings)).toEqual(value);
});
