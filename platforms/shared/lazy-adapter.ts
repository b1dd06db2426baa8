/**
 * A PlatformAdapter whose host is resolved on first use. Entries (`lianxin`, `lianxin/wechat`, …)
 * create their pre-wired client at import; resolving the host lazily means loading a bundle
 * touches no host global (a mini-program or worker may load it before any API exists).
 */
import type { PlatformAdapter } from '../../src/platform/platform-adapter';

export function lazyAdapter(resolve: () => PlatformAdapter): PlatformAdapter {
  let host: PlatformAdapter | undefined;
  const get = (): PlatformAdapter => (host ??= resolve());
  const adapter: PlatformAdapter = {
    get name() {
      return get().name;
    },
    get capabilities() {
      return get().capabilities;
    },
    get storage() {
      return get().storage;
    },
    get clock() {
      return get().clock;
    },
    get lifecycle() {
      return get().lifecycle;
    },
    openSocket: (url, handlers, options) => get().openSocket(url, handlers, options),
    request: (request) => get().request(request),
  };
  // The optional members read as `undefined` when the resolved host lacks them (the core tests
  // `platform.upload === undefined`); getters cannot be typed as optional members, hence defineProperties.
  Object.defineProperties(adapter, {
    upload: {
      enumerable: true,
      get: () => {
        const resolved = get();
        return resolved.upload?.bind(resolved);
      },
    },
    createThumbnail: {
      enumerable: true,
      get: () => {
        const resolved = get();
        return resolved.createThumbnail?.bind(resolved);
      },
    },
  });
  return adapter;
}
