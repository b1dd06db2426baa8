'use strict';
/**
 * Child process hosting ONE instance of the official RongCloud web client (@rongcloud/imlib-v2 2.9.2 on
 * @rongcloud/engine 4.4.2), driven over IPC by launch-official-client.ts.
 *
 * Why a process per client: the SDK is a module-level singleton (one RongIMClient, one engine context, one
 * localStorage), so two users need two module instances; separate processes also give each user its own
 * "browser" globals. The browser host pieces the SDK reads (window, localStorage, sessionStorage,
 * XMLHttpRequest, WebSocket, navigator) are installed on globalThis BEFORE the SDK module is required,
 * because imlib-v2 captures window.localStorage at module load.
 *
 * The SDK is loaded unmodified; these shims only emulate a browser host.
 * LIANXIN_TRACE=1 logs every HTTP request and every WebSocket frame (hex) to stderr.
 */
const { installBrowserGlobals, openSockets, log, trace, TRACE } = require('./browser-globals.cjs');

// ---------------------------------------------------------------- IPC helpers
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

/** Where each instance method takes its {onSuccess,onError} callback (0-based); others get it appended. */
const CALLBACK_INDEX = {
  sendMessage: 3,
  sendRecallMessage: 1,
  sendTypingStatusMessage: 3,
  sendReceiptResponse: 2,
  sendReadReceiptMessage: 2,
  getHistoryMessages: 4,
  getRemoteHistoryMessages: 4,
  getConversationList: 0,
  getConversation: 2,
  removeConversation: 2,
  deleteRemoteMessages: 3,
  clearRemoteHistoryMessages: 1,
  getTotalUnreadCount: 0,
  getUnreadCount: 2,
  clearUnreadCount: 2,
  setConversationStatus: 3,
  updateMessageExpansion: 2,
  removeMessageExpansionForKey: 2,
  joinChatRoom: 2,
  quitChatRoom: 1,
  getChatRoomInfo: 3,
  getChatRoomHistoryMessages: 3,
  setChatroomEntry: 2,
  forceSetChatroomEntry: 2,
  removeChatroomEntry: 2,
  forceRemoveChatroomEntry: 2,
  getChatroomEntry: 2,
  getAllChatroomEntries: 1,
  createTag: 1,
  removeTag: 1,
  updateTag: 1,
  getTagList: 0,
  addTagForConversations: 2,
  removeTagForConversations: 2,
  removeTagsForConversation: 2,
  getTagsForConversation: 1,
  getConversationListByTag: 3,
  getUnreadCountByTag: 2,
  setConversationStatusInTag: 3,
  getFileToken: 1,
  getFileUrl: 4,
};
const CALLBACK_PLACEHOLDER = '$callback';

let RongIMLib = null;
let storages = null;

function buildMessage(spec) {
  if (!spec || typeof spec !== 'object' || typeof spec.className !== 'string') return spec;
  const Ctor =
    (RongIMLib.RongIMClient.RegisterMessage && RongIMLib.RongIMClient.RegisterMessage[spec.className]) ||
    RongIMLib[spec.className];
  if (typeof Ctor !== 'function') throw new Error(`unknown message class ${spec.className}`);
  return new Ctor(spec.content || {});
}

function invokeWithCallback(id, method, rawArgs) {
  const instance = RongIMLib.RongIMClient.getInstance();
  const target = instance && instance[method];
  if (typeof target !== 'function') {
    reply(id, { ok: false, code: undefined, args: [], thrown: `no instance method ${method}` });
    return;
  }
  const args = rawArgs.slice();
  if (method === 'sendMessage') args[2] = buildMessage(args[2]);
  let settled = false;
  // sendMessage's onBefore calls, if the SDK makes any: their arguments go back with the result.
  const before = [];
  const settle = (result) => {
    if (settled) return;
    settled = true;
    reply(id, before.length > 0 ? { ...result, before } : result);
  };
  const callback = {
    onSuccess: (...values) => settle({ ok: true, value: values[0], args: values }),
    onError: (code, ...rest) => settle({ ok: false, code, args: [code, ...rest] }),
    onBefore: (...values) => {
      before.push(values);
    },
  };
  const placeholder = args.findIndex((a) => a === CALLBACK_PLACEHOLDER);
  if (placeholder >= 0) args[placeholder] = callback;
  else if (CALLBACK_INDEX[method] !== undefined) {
    const index = CALLBACK_INDEX[method];
    while (args.length < index) args.push(undefined);
    args.splice(index, 0, callback);
  } else args.push(callback);
  try {
    const returned = target.apply(instance, args);
    if (returned && typeof returned.then === 'function') {
      returned.then(undefined, (error) =>
        settle({ ok: false, code: undefined, args: [], thrown: String(error && error.message) }),
      );
    }
  } catch (error) {
    settle({ ok: false, code: undefined, args: [], thrown: String(error && error.message) });
  }
}

async function invokeSync(id, owner, method, args) {
  const holder = owner === 'static' ? RongIMLib.RongIMClient : RongIMLib.RongIMClient.getInstance();
  try {
    if (!holder || typeof holder[method] !== 'function') throw new Error(`no ${owner} method ${method}`);
    const value = await holder[method](...args);
    reply(id, { ok: true, value, args: [value] });
  } catch (error) {
    reply(id, { ok: false, code: undefined, args: [], thrown: String(error && error.message) });
  }
}

function init(id, options) {
  storages = installBrowserGlobals(options.localStorage);
  RongIMLib = require('@rongcloud/imlib-v2');
  const initOptions = {
    navi: options.navi,
    connectionType: options.connectionType || 'websocket',
    logLevel: TRACE ? 0 : 2,
    logStdout: (level, content) => log(`sdk:${level}`, typeof content === 'string' ? content : JSON.stringify(content)),
  };
  RongIMLib.RongIMClient.init(options.appKey, null, initOptions);
  // Listeners must be in place before connect (seed L1169); set once, they replace any previous ones.
  RongIMLib.RongIMClient.setConnectionStatusListener({
    onChanged: (status) => {
      trace('status', String(status));
      post({ type: 'status', status });
    },
  });
  RongIMLib.RongIMClient.setOnReceiveMessageListener({
    onReceived: (message, leftCount, hasMore) => {
      trace('message', JSON.stringify(plain(message)).slice(0, 600));
      post({ type: 'message', message: plain(message), leftCount, hasMore });
    },
  });
  RongIMLib.RongIMClient.setConversationStatusListener({
    onChanged: (list) => post({ type: 'conversationStatus', list: plain(list) }),
  });
  RongIMLib.RongIMClient.setMessageExpansionListener({
    onUpdated: (info) => post({ type: 'expansion', kind: 'updated', info: plain(info) }),
    onDeleted: (info) => post({ type: 'expansion', kind: 'deleted', info: plain(info) }),
  });
  reply(id, { ok: true, value: true, args: [] });
}

function connect(id, token) {
  let settled = false;
  const settle = (result) => {
    if (settled) return;
    settled = true;
    reply(id, result);
  };
  try {
    const returned = RongIMLib.RongIMClient.connect(token, {
      onSuccess: (userId) => settle({ ok: true, userId }),
      onTokenIncorrect: () => settle({ ok: false, kind: 'tokenIncorrect' }),
      onError: (code) => settle({ ok: false, kind: 'error', code }),
    });
    if (returned && typeof returned.then === 'function') {
      returned.then(undefined, (error) => settle({ ok: false, kind: 'error', thrown: String(error && error.message) }));
    }
  } catch (error) {
    settle({ ok: false, kind: 'error', thrown: String(error && error.message) });
  }
}

process.on('message', (request) => {
  const { id, op } = request;
  try {
    switch (op) {
      case 'init':
        init(id, request.options);
        break;
      case 'connect':
        connect(id, request.token);
        break;
      case 'call':
        invokeWithCallback(id, request.method, request.args || []);
        break;
      case 'callSync':
        void invokeSync(id, 'instance', request.method, request.args || []);
        break;
      case 'callStatic':
        void invokeSync(id, 'static', request.method, request.args || []);
        break;
      case 'disconnect':
        Promise.resolve(RongIMLib.RongIMClient.getInstance().disconnect()).then(
          () => reply(id, { ok: true, value: true, args: [] }),
          (error) => reply(id, { ok: false, code: undefined, args: [], thrown: String(error && error.message) }),
        );
        break;
      case 'storage':
        reply(id, { ok: true, value: storages ? storages.localStorage.toObject() : {}, args: [] });
        break;
      case 'closeSockets':
        // Simulates a network drop: the server sees the socket vanish without a DISCONNECT.
        for (const socket of openSockets) socket.terminate();
        reply(id, { ok: true, value: openSockets.size, args: [] });
        break;
      default:
        reply(id, { ok: false, code: undefined, args: [], thrown: `unknown op ${op}` });
    }
  } catch (error) {
    reply(id, { ok: false, code: undefined, args: [], thrown: String(error && error.stack) });
  }
});

process.on('uncaughtException', (error) => log('uncaught', error && error.stack ? error.stack : String(error)));
process.on('unhandledRejection', (error) => log('unhandled', error && error.stack ? error.stack : String(error)));
// The parent owns this process: when the IPC channel goes away, nothing is left to drive it.
process.on('disconnect', () => process.exit(0));
post({ type: 'ready' });
