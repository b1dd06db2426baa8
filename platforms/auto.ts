/**
 * The default entry (`lianxin`, the UMD global `RongIMLib`, the mini-program bundle): the ONE place
 * that sniffs the host. Detection is deferred to the first use of the adapter, so loading the bundle
 * touches no host global (a mini-program or a worker may load it before any API exists), and every
 * probe is a `typeof` check.
 *
 * Hosts recognised now: browsers (and any host with a standard WebSocket + fetch/XHR). Mini-program
 * hosts get their own adapters and entries (`lianxin/wechat`, …); Node.js apps import `lianxin/node`.
 */
import { createRongIMLib, LogLevel } from '../src/index';
import type { PlatformAdapter } from '../src/platform/platform-adapter';
import { createBrowserAdapter } from './browser/browser-adapter';

export * from '../src/index';

function detectHost(): PlatformAdapter {
  if (typeof WebSocket !== 'undefined' && (typeof fetch !== 'undefined' || typeof XMLHttpRequest !== 'undefined')) {
    return createBrowserAdapter();
  }
  throw new Error('lianxin: no supported host found (no WebSocket). In Node.js import "lianxin/node"; in a mini-program use its entry.');
}

/** A PlatformAdapter whose host is chosen on first use. */
function lazyAdapter(): PlatformAdapter {
  let host: PlatformAdapter | undefined;
  const get = (): PlatformAdapter => (host ??= detectHost());
  return {
    get name() { return get().name; },
    get capabilities() { return get().capabilities; },
    get storage() { return get().storage; },
    get clock() { return get().clock; },
    get lifecycle() { return get().lifecycle; },
    openSocket: (url, handlers, options) => get().openSocket(url, handlers, options),
    request: (request) => get().request(request),
  };
}

const lib = createRongIMLib(lazyAdapter(), {
  logStdout: (level, content) => {
    if (typeof console === 'undefined') return;
    if (level >= LogLevel.ERROR) console.error(content);
    else if (level >= LogLevel.WARN) console.warn(content);
    else console.log(content);
  },
});

/** The pre-wired singleton, as `RongIMLib.RongIMClient` in the official SDK. */
export const RongIMClient = lib.RongIMClient;
