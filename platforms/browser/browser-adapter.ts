/**
 * PlatformAdapter for browsers. `win` defaults to the global window; tests pass a stand-in.
 * Storage is localStorage under a namespace prefix (memory when localStorage is unusable);
 * lifecycle maps online/offline and visibilitychange.
 */
import type { KeyValueStorage, LifecycleEvents, PlatformAdapter, Unsubscribe } from '../../src/platform/platform-adapter';
import { browserRequest } from './browser-http';
import type { BrowserHost, HostStorage } from './browser-host';
import { openBrowserSocket } from './browser-socket';
import { browserThumbnail, browserUpload } from './browser-upload';
import type { UploadHost } from './browser-upload';

export interface BrowserAdapterOptions {
  /** Prefix of every localStorage key this adapter writes. */
  readonly storagePrefix?: string;
}

export const DEFAULT_STORAGE_PREFIX = 'lianxin:';

function usableLocalStorage(win: BrowserHost): HostStorage | undefined {
  try {
    const storage = win.localStorage;
    if (storage === undefined) return undefined;
    const probe = `${DEFAULT_STORAGE_PREFIX}__probe__`;
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return undefined;
  }
}

function createStorage(win: BrowserHost, prefix: string): KeyValueStorage {
  const local = usableLocalStorage(win);
  const memory = new Map<string, string>();
  return {
    get(key) {
      // A value whose write localStorage refused is newer than what localStorage holds.
      if (local === undefined || memory.has(key)) return Promise.resolve(memory.get(key));
      try {
        return Promise.resolve(local.getItem(prefix + key) ?? undefined);
      } catch (error) {
        // Storage made unavailable after the probe (site data cleared by policy, a sandbox): the contract is a rejection.
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    set(key, value) {
      if (local === undefined) memory.set(key, value);
      else {
        try {
          local.setItem(prefix + key, value);
          memory.delete(key);
        } catch (error) {
          // Quota exceeded: keep the value for this page (reads see it) so the SDK still works.
          memory.set(key, value);
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
      return Promise.resolve();
    },
    remove(key) {
      memory.delete(key);
      try {
        local?.removeItem(prefix + key);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return Promise.resolve();
    },
  };
}

function subscribe(target: BrowserHost['document'] | BrowserHost, type: string, listener: () => void): Unsubscribe {
  if (target?.addEventListener === undefined || target.removeEventListener === undefined) return () => undefined;
  target.addEventListener(type, listener);
  return () => target.removeEventListener?.(type, listener);
}

function createLifecycle(win: BrowserHost): LifecycleEvents {
  const visibility = (want: 'visible' | 'hidden', listener: () => void): Unsubscribe =>
    subscribe(win.document, 'visibilitychange', () => {
      if (win.document?.visibilityState === want) listener();
    });
  return {
    onNetworkChange(listener) {
      const offOnline = subscribe(win, 'online', () => listener(true));
      const offOffline = subscribe(win, 'offline', () => listener(false));
      return () => {
        offOnline();
        offOffline();
      };
    },
    onForeground: (listener) => visibility('visible', listener),
    onBackground: (listener) => visibility('hidden', listener),
  };
}

export function createBrowserAdapter(
  win: BrowserHost = globalThis as unknown as BrowserHost,
  options: BrowserAdapterOptions = {},
): PlatformAdapter {
  return {
    name: 'browser',
    capabilities: { maxConcurrentSockets: 200, binaryFrames: true },
    openSocket: (url, handlers, socketOptions) => openBrowserSocket(win, url, handlers, socketOptions),
    request: (request) => browserRequest(win, request),
    upload: (request) => browserUpload(win as UploadHost, request),
    createThumbnail: (source, thumbnailOptions) => browserThumbnail(win as UploadHost, source, thumbnailOptions),
    storage: createStorage(win, options.storagePrefix ?? DEFAULT_STORAGE_PREFIX),
    clock: {
      now: () => Date.now(),
      setTimeout: (callback, ms) => win.setTimeout(callback, ms),
      clearTimeout: (id) => win.clearTimeout(id),
    },
    lifecycle: createLifecycle(win),
  };
}
