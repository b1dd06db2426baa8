/**
 * The browser adapter's storage when localStorage is full (platforms/browser/browser-adapter.ts). A refused
 * write (QuotaExceededError: ~5 MB per origin, shared with the app's own data) keeps the value in memory for
 * the page, as documented, but reads went to localStorage only: a user who signed out and in again on the
 * same page (or any re-read) got the record as it was before the refused writes — counts cleared since came
 * back, new ones were missing. Reads now see the page's value until a write of the key succeeds again.
 * The host's localStorage is a stand-in with a byte quota; the SDK's UserStore is real.
 */
import { createBrowserAdapter } from '../../../platforms/browser/browser-adapter';
import type { BrowserHost, HostStorage } from '../../../platforms/browser/browser-host';
import { UserStore } from '../../../src/client/services/user-store';
import { SILENT_LOGGER } from '../../../src/client/logger';

/** localStorage with a quota on the total UTF-16 length of keys and values, throwing as browsers do. */
function quotaStorage(quota: number): HostStorage & { quota: number } {
  const items = new Map<string, string>();
  const used = (): number => [...items].reduce((n, [k, v]) => n + k.length + v.length, 0);
  return {
    quota,
    getItem: (key) => items.get(key) ?? null,
    setItem(key, value) {
      const before = items.get(key);
      items.set(key, value);
      if (used() > this.quota) {
        if (before === undefined) items.delete(key);
        else items.set(key, before);
        throw new Error('QuotaExceededError: The quota has been exceeded.');
      }
    },
    removeItem: (key) => void items.delete(key),
  };
}

const isNumberArray = (value: unknown): value is number[] => Array.isArray(value);

test('a write refused by a full localStorage is what a later read on the page sees', async () => {
  const local = quotaStorage(4000);
  const host = { localStorage: local, setTimeout: (cb: () => void, ms: number) => setTimeout(cb, ms), clearTimeout: (id: unknown) => clearTimeout(id as NodeJS.Timeout) } as unknown as BrowserHost;
  const storage = createBrowserAdapter(host).storage;

  const first = new UserStore(storage, 'app', 'alice', SILENT_LOGGER);
  await first.writeJson('seen', [1, 2, 3]);
  // The record outgrows what is left of the origin's quota: the write is refused (and logged).
  const grown = Array.from({ length: 3000 }, (_, i) => i);
  await first.writeJson('seen', grown);
  // alice signs in again on the same page: her state is read again from storage.
  const again = new UserStore(storage, 'app', 'alice', SILENT_LOGGER);
  expect(await again.readJson('seen', [], isNumberArray)).toEqual(grown);

  // Space is freed: the next write lands in localStorage and reads see it.
  local.quota = 1_000_000;
  await again.writeJson('seen', [7]);
  expect(await new UserStore(storage, 'app', 'alice', SILENT_LOGGER).readJson('seen', [], isNumberArray)).toEqual([7]);
  expect(local.getItem(`lianxin:${again.key('seen')}`)).toBe('[7]');
});
