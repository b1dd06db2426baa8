'use strict';
/**
 * Blocks every network request to a non-loopback host in one E5 client child and records it, so a test can
 * tell which hosts the official 5.x client tried to reach on its own (logs, config, default navigators).
 * Installed AFTER browser-globals.cjs: it wraps the XMLHttpRequest and WebSocket shims and Node's fetch.
 * A blocked request fails the way a browser reports an unreachable host (XHR status 0 + `error`, fetch
 * TypeError, WebSocket `error` + `close` 1006), so the SDK takes its ordinary failure path.
 */
const { log } = require('../official-client/browser-globals.cjs');

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
/** Every blocked request, in order: { via, method, url, at }. */
const blocked = [];

function isLoopback(url) {
  try {
    return LOOPBACK.has(new URL(String(url)).hostname);
  } catch {
    return false;
  }
}
function record(via, method, url, extra) {
  blocked.push({ via, method, url: String(url), at: Date.now(), ...(extra || {}) });
  log('blocked', `${via} ${method} ${String(url)}`);
}

function installLoopbackGuard() {
  const BaseXhr = globalThis.XMLHttpRequest;
  class GuardedXhr extends BaseXhr {
    open(method, url, ...rest) {
      this._guardMethod = String(method || 'GET').toUpperCase();
      this._guardUrl = String(url);
      return super.open(method, url, ...rest);
    }
    send(body) {
      if (isLoopback(this._guardUrl)) return super.send(body);
      const headers = Object.keys(this._requestHeaders || {});
      record('xhr', this._guardMethod, this._guardUrl, { headers, body: typeof body === 'string' ? body.slice(0, 300) : undefined });
      setTimeout(() => this._finishWithError('error'), 0);
      return undefined;
    }
  }
  const BaseWs = globalThis.WebSocket;
  class BlockedSocket {
    constructor(url) {
      this.url = String(url);
      this.readyState = 0;
      this.binaryType = 'arraybuffer';
      this.onopen = null;
      this.onerror = null;
      this.onclose = null;
      this.onmessage = null;
      setTimeout(() => {
        this.readyState = 3;
        if (typeof this.onerror === 'function') this.onerror({ type: 'error', target: this });
        if (typeof this.onclose === 'function') this.onclose({ type: 'close', code: 1006, reason: '', target: this });
      }, 0);
    }
    send() {}
    close() {}
    addEventListener() {}
    removeEventListener() {}
  }
  function GuardedWebSocket(url, protocols) {
    if (isLoopback(url)) return new BaseWs(url, protocols);
    record('websocket', 'GET', url);
    return new BlockedSocket(url);
  }
  Object.assign(GuardedWebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  const baseFetch = typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined;
  async function guardedFetch(input, init) {
    const url = typeof input === 'string' || input instanceof URL ? String(input) : String(input && input.url);
    const method = String((init && init.method) || (input && input.method) || 'GET').toUpperCase();
    if (!isLoopback(url) || baseFetch === undefined) {
      record('fetch', method, url, { body: init && typeof init.body === 'string' ? init.body.slice(0, 300) : undefined });
      throw new TypeError('Failed to fetch');
    }
    return baseFetch(input, init);
  }
  const define = (name, value) =>
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: true });
  define('XMLHttpRequest', GuardedXhr);
  define('WebSocket', GuardedWebSocket);
  define('fetch', guardedFetch);
  if (globalThis.navigator) {
    globalThis.navigator.sendBeacon = (url, data) => {
      if (!isLoopback(url)) record('beacon', 'POST', url, { body: typeof data === 'string' ? data.slice(0, 300) : undefined });
      return false;
    };
  }
}

module.exports = { installLoopbackGuard, blocked, isLoopback };
