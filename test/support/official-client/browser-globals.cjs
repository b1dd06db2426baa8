'use strict';
/**
 * The browser host pieces the official RongCloud web client reads, emulated on Node for one child process:
 * window/self, localStorage/sessionStorage (in memory), XMLHttpRequest (node:http), WebSocket (ws, binaryType
 * arraybuffer) and navigator. They only emulate a host; the SDK itself stays unmodified.
 * LIANXIN_TRACE=1 logs every HTTP request and every WebSocket frame (hex + printable) to stderr.
 */
const http = require('node:http');
const https = require('node:https');
const WsWebSocket = require('ws');

const TRACE = process.env.LIANXIN_TRACE === '1';
const LABEL = process.env.LIANXIN_CLIENT_LABEL || 'official';

function log(kind, text) {
  process.stderr.write(`[${LABEL} ${new Date().toISOString().slice(11, 23)}] ${kind} ${text}\n`);
}
function trace(kind, text) {
  if (TRACE) log(kind, text);
}
function hex(bytes, max = 512) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const shown = Buffer.from(view.buffer, view.byteOffset, Math.min(view.byteLength, max)).toString('hex');
  const spaced = shown.replace(/(..)(?!$)/g, '$1 ');
  return view.byteLength > max ? `${spaced} …(+${view.byteLength - max} bytes)` : spaced;
}
function printable(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return Buffer.from(view.buffer, view.byteOffset, Math.min(view.byteLength, 512))
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
}

// ---------------------------------------------------------------- Web Storage (in memory, per process)
class MemoryStorage {
  constructor(seed) {
    this._map = new Map(Object.entries(seed || {}));
  }
  get length() {
    return this._map.size;
  }
  key(index) {
    const keys = [...this._map.keys()];
    return index >= 0 && index < keys.length ? keys[index] : null;
  }
  getItem(key) {
    const value = this._map.get(String(key));
    return value === undefined ? null : value;
  }
  setItem(key, value) {
    this._map.set(String(key), String(value));
  }
  removeItem(key) {
    this._map.delete(String(key));
  }
  clear() {
    this._map.clear();
  }
  toObject() {
    return Object.fromEntries(this._map);
  }
}

// ---------------------------------------------------------------- XMLHttpRequest on node:http
class XMLHttpRequestShim {
  constructor() {
    this.readyState = 0;
    this.status = 0;
    this.statusText = '';
    this.responseText = '';
    this.response = '';
    this.responseType = '';
    this.timeout = 0;
    this.withCredentials = false;
    this.onreadystatechange = null;
    this.onload = null;
    this.onerror = null;
    this.ontimeout = null;
    this.onabort = null;
    this.onloadend = null;
    this._listeners = {};
    this._requestHeaders = {};
    this._responseHeaders = {};
    this._request = null;
    this._done = false;
  }
  open(method, url) {
    this._method = String(method || 'GET').toUpperCase();
    this._url = String(url);
    this._setReadyState(1);
  }
  setRequestHeader(name, value) {
    this._requestHeaders[name] = String(value);
  }
  overrideMimeType() {}
  getResponseHeader(name) {
    const value = this._responseHeaders[String(name).toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : String(value);
  }
  getAllResponseHeaders() {
    return Object.entries(this._responseHeaders)
      .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
      .join('\r\n');
  }
  addEventListener(type, listener) {
    (this._listeners[type] = this._listeners[type] || []).push(listener);
  }
  removeEventListener(type, listener) {
    this._listeners[type] = (this._listeners[type] || []).filter((l) => l !== listener);
  }
  _emit(type) {
    const event = { type, target: this, currentTarget: this };
    const handler = this[`on${type}`];
    try {
      if (typeof handler === 'function') handler.call(this, event);
      for (const l of this._listeners[type] || []) l.call(this, event);
    } catch (error) {
      log('xhr-handler-error', error && error.stack ? error.stack : String(error));
    }
  }
  _setReadyState(state) {
    this.readyState = state;
    this._emit('readystatechange');
  }
  _finishWithError(kind) {
    if (this._done) return;
    this._done = true;
    this.status = 0;
    this.responseText = '';
    this._setReadyState(4);
    this._emit(kind);
    this._emit('loadend');
  }
  send(body) {
    const url = new URL(this._url);
    const mod = url.protocol === 'https:' ? https : http;
    // Browsers drop the body of GET/HEAD requests.
    let payload = null;
    if (body !== undefined && body !== null && this._method !== 'GET' && this._method !== 'HEAD') {
      if (typeof body === 'string') payload = Buffer.from(body, 'utf8');
      else if (body instanceof ArrayBuffer) payload = Buffer.from(body);
      else if (ArrayBuffer.isView(body)) payload = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      else payload = Buffer.from(String(body), 'utf8');
    }
    const headers = { ...this._requestHeaders };
    if (payload) {
      headers['content-length'] = String(payload.length);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'text/plain;charset=UTF-8';
      }
    }
    trace('http>', `${this._method} ${this._url}${payload ? ` body=${payload.toString('utf8').slice(0, 400)}` : ''}`);
    const request = mod.request(url, { method: this._method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        if (this._done) return;
        this._done = true;
        this.status = res.statusCode || 0;
        this.statusText = res.statusMessage || '';
        this._responseHeaders = res.headers;
        this.responseText = Buffer.concat(chunks).toString('utf8');
        this.response = this.responseText;
        trace('http<', `${this.status} ${this._method} ${this._url} body=${this.responseText.slice(0, 600)}`);
        this._setReadyState(2);
        this._setReadyState(3);
        this._setReadyState(4);
        this._emit('load');
        this._emit('loadend');
      });
      res.on('error', (error) => {
        trace('http!', `${this._method} ${this._url} response error ${error.message}`);
        this._finishWithError('error');
      });
    });
    this._request = request;
    if (this.timeout > 0) {
      request.setTimeout(this.timeout, () => {
        trace('http!', `${this._method} ${this._url} timeout after ${this.timeout} ms`);
        request.destroy();
        this._finishWithError('timeout');
      });
    }
    request.on('error', (error) => {
      trace('http!', `${this._method} ${this._url} ${error.message}`);
      this._finishWithError('error');
    });
    request.end(payload || undefined);
  }
  abort() {
    if (this._request) this._request.destroy();
    this._finishWithError('abort');
  }
}
XMLHttpRequestShim.UNSENT = 0;
XMLHttpRequestShim.OPENED = 1;
XMLHttpRequestShim.HEADERS_RECEIVED = 2;
XMLHttpRequestShim.LOADING = 3;
XMLHttpRequestShim.DONE = 4;

// ---------------------------------------------------------------- WebSocket (ws, browser-like surface)
const openSockets = new Set();
class WebSocketShim extends WsWebSocket {
  constructor(url, protocols) {
    // A browser `new WebSocket(url, undefined)` requests no subprotocol; ws treats undefined the same.
    super(url, protocols === undefined || protocols === null ? undefined : protocols);
    this.binaryType = 'arraybuffer';
    openSockets.add(this);
    trace('ws+', `open ${url}`);
    this.on('message', (data, isBinary) => {
      const bytes = isBinary ? data : Buffer.from(String(data));
      trace('ws<', `${isBinary ? '' : '(TEXT) '}${hex(bytes)}  |${printable(bytes)}|`);
    });
    this.on('close', (code, reason) => {
      openSockets.delete(this);
      trace('ws-', `closed code=${code} reason=${String(reason)}`);
    });
    this.on('error', (error) => trace('ws!', error.message));
  }
  send(data, ...rest) {
    if (TRACE) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      trace('ws>', `${typeof data === 'string' ? '(TEXT) ' : ''}${hex(bytes)}  |${printable(bytes)}|`);
    }
    return super.send(data, ...rest);
  }
}

// ---------------------------------------------------------------- install the host globals
function installBrowserGlobals(seedStorage) {
  const localStorage = new MemoryStorage(seedStorage);
  const sessionStorage = new MemoryStorage();
  const navigatorShim = {
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    onLine: true,
    language: 'en-US',
    languages: ['en-US'],
    platform: 'Linux x86_64',
    cookieEnabled: true,
  };
  const define = (name, value) =>
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: true });
  define('window', globalThis);
  define('self', globalThis);
  define('localStorage', localStorage);
  define('sessionStorage', sessionStorage);
  define('navigator', navigatorShim);
  define('XMLHttpRequest', XMLHttpRequestShim);
  define('WebSocket', WebSocketShim);
  return { localStorage, sessionStorage };
}


module.exports = { installBrowserGlobals, openSockets, log, trace, TRACE };
