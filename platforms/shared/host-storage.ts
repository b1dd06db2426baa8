/**
 * KeyValueStorage over a host's synchronous key/value store (`wx.getStorageSync`, Alipay's
 * object-argument `my.getStorageSync({ key })`, …). Hosts answer a missing key with `''` (wx, tt,
 * swan, uni) or `null` (my), which a stored empty string could not be told apart from, so each
 * value is stored wrapped in an object; anything else under a key reads as absent. Keys get a
 * prefix because the store is shared with the rest of the mini-program.
 */
import type { KeyValueStorage } from '../../src/platform/platform-adapter';

export interface SyncStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  remove(key: string): void;
}

interface Stored {
  readonly lianxin: string;
}

function unwrap(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const value = (raw as Partial<Stored>).lianxin;
  return typeof value === 'string' ? value : undefined;
}

function attempt<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

export function createHostStorage(store: SyncStore, prefix: string): KeyValueStorage {
  return {
    get: (key) => attempt(() => unwrap(store.get(prefix + key))),
    set: (key, value) =>
      attempt(() => {
        const wrapped: Stored = { lianxin: value };
        store.set(prefix + key, wrapped);
      }),
    remove: (key) => attempt(() => store.remove(prefix + key)),
  };
}
