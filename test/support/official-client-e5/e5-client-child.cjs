'use strict';
/**
 * Child process hosting ONE official engine 5.x web client (@rongcloud/imlib-next 5.38.0 or 5.7.3, each with
 * its own @rongcloud/engine from its workspace under test/e5-clients/), driven over IPC by launch-e5-client.ts.
 *
 * One process per client because the SDK is a module-level singleton with its own storage. The browser host
 * (browser-globals.cjs) and the loopback guard are installed BEFORE the SDK is required. The SDK is loaded
 * unmodified; the API is promise-based (`RongIMLib.method(...args)` resolves `{ code, data, msg }`).
 * LIANXIN_TRACE=1 logs every HTTP request and WebSocket frame to stderr.
 */
const path = require('node:path');
const { installBrowserGlobals, openSockets, log, trace, TRACE } = require('../official-client/browser-globals.cjs');
const { installLoopbackGuard, blocked } = require('./loopback-guard.cjs');

const WORKSPACES = { '5.38': 'imlib-next-5.38', '5.7': 'imlib-next-5.7' };
const E5_CLIENTS_DIR = path.resolve(__dirname, '..', '..', 'e5-clients');

function plain(value) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(
      JSON.stringify(value, (_key, v) => (typeof v === 'function' || typeof v === 'bigint' ? undefined : v)),
    );
  } catch (error) {
    return { unserializable: String(error && error.message) };
  }
}
function post(message) {
  if (process.connected) process.send(message);
}
function reply(id, result) {
  post({ type: 'reply', id, result: plain(result) });
}

let RongIMLib = null;
let storages = null;

/** `{ $message: 'TextMessage', content: {...} }` anywhere in the arguments becomes `new RongIMLib.TextMessage(content)`. */
function buildArg(value) {
  if (Array.isArray(value)) return value.map(buildArg);
  if (value && typeof value === 'object' && typeof value.$message === 'string') {
    const Ctor = RongIMLib[value.$message];
    if (typeof Ctor !== 'function') throw new Error(`unknown message class ${value.$message}`);
    return new Ctor(value.content || {});
  }
  return value;
}

async function call(id, method, args) {
  try {
    const target = RongIMLib && RongIMLib[method];
    if (typeof target !== 'function') throw new Error(`no RongIMLib.${method}`);
    const value = await target.apply(RongIMLib, args.map(buildArg));
    reply(id, { ok: true, value });
  } catch (error) {
    reply(id, { ok: false, thrown: String(error && error.stack ? error.stack : error) });
  }
}

function init(id, options) {
  const dir = WORKSPACES[options.version];
  if (dir === undefined) throw new Error(`unknown imlib-next version ${options.version}`);
  storages = installBrowserGlobals(options.localStorage);
  // 5.38 reads window.location.protocol (an https page rewrites http navigators to https): a plain-http page.
  const page = new URL('http://127.0.0.1/');
  Object.defineProperty(globalThis, 'location', {
    value: { protocol: page.protocol, href: page.href, host: page.host, hostname: page.hostname, origin: page.origin, port: '', pathname: '/', search: '', hash: '' },
    writable: true,
    configurable: true,
  });
  // 5.38 listens for the page's online/offline events; a Node "page" never fires them.
  if (typeof globalThis.addEventListener !== 'function') {
    const target = new EventTarget();
    globalThis.addEventListener = target.addEventListener.bind(target);
    globalThis.removeEventListener = target.removeEventListener.bind(target);
    globalThis.dispatchEvent = target.dispatchEvent.bind(target);
  }
  installLoopbackGuard();
  RongIMLib = require(path.join(E5_CLIENTS_DIR, dir, 'node_modules', '@rongcloud', 'imlib-next'));
  RongIMLib.init({
    appkey: options.appKey,
    navigators: [options.navi],
    logOutputLevel: TRACE ? 0 : 3,
    logLevel: TRACE ? 0 : 3,
  });
  const Events = RongIMLib.Events;
  RongIMLib.addEventListener(Events.CONNECTING, () => post({ type: 'status', status: 'CONNECTING' }));
  RongIMLib.addEventListener(Events.CONNECTED, () => post({ type: 'status', status: 'CONNECTED' }));
  RongIMLib.addEventListener(Events.DISCONNECT, (code) => post({ type: 'status', status: 'DISCONNECT', code }));
  RongIMLib.addEventListener(Events.SUSPEND, (code) => post({ type: 'status', status: 'SUSPEND', code }));
  RongIMLib.addEventListener(Events.MESSAGES, (event) => {
    for (const message of (event && event.messages) || []) {
      trace('message', JSON.stringify(plain(message)).slice(0, 600));
      post({ type: 'message', message: plain(message) });
    }
  });
  RongIMLib.addEventListener(Events.CHATROOM, (event) => post({ type: 'event', name: 'CHATROOM', data: plain(event) }));
  RongIMLib.addEventListener(Events.CONVERSATION, (event) => post({ type: 'event', name: 'CONVERSATION', data: plain(event) }));
  // Read receipt events where the version has them (5.38: V4 receipts and V5 server events, 5.x: V1/V2 responses),
  // message expansion changes and typing status.
  for (const name of ['MESSAGE_READ_RECEIPT_V4', 'MESSAGE_RECEIPT_RESPONSE_V5', 'MESSAGE_RECEIPT_RESPONSE', 'READ_RECEIPT_RECEIVED', 'EXPANSION', 'TYPING_STATUS']) {
    if (Events[name] !== undefined) RongIMLib.addEventListener(Events[name], (event) => post({ type: 'event', name, data: plain(event) }));
  }
  reply(id, { ok: true, value: true });
}

process.on('message', (request) => {
  const { id, op } = request;
  try {
    switch (op) {
      case 'init':
        init(id, request.options);
        break;
      case 'call':
        void call(id, request.method, request.args || []);
        break;
      case 'constant':
        reply(id, { ok: true, value: RongIMLib ? plain(RongIMLib[request.name]) : undefined });
        break;
      case 'blocked':
        reply(id, { ok: true, value: blocked.slice() });
        break;
      case 'storage':
        reply(id, { ok: true, value: storages ? storages.localStorage.toObject() : {} });
        break;
      case 'closeSockets':
        for (const socket of openSockets) socket.terminate();
        reply(id, { ok: true, value: true });
        break;
      default:
        reply(id, { ok: false, thrown: `unknown op ${op}` });
    }
  } catch (error) {
    reply(id, { ok: false, thrown: String(error && error.stack) });
  }
});

process.on('uncaughtException', (error) => log('uncaught', error && error.stack ? error.stack : String(error)));
process.on('unhandledRejection', (error) => log('unhandled', error && error.stack ? error.stack : String(error)));
process.on('disconnect', () => process.exit(0));
post({ type: 'ready' });
