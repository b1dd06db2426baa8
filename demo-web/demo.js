/*
 * Lianxin demo chat: a RongIMLib Web 2.x app written against the SDK's public API only
 * (`import * as RongIMLib from 'lianxin/browser'`, served here as /demo/sdk/browser.mjs, and the
 * emoji plugin `import { RongIMEmoji } from 'lianxin/emoji'`, served as /demo/sdk/emoji.mjs), the way
 * an app would use it. The server's dev token endpoint stands in for an App Server.
 */
import * as RongIMLib from '/demo/sdk/browser.mjs';
import { RongIMEmoji } from '/demo/sdk/emoji.mjs';

const { RongIMClient, ConversationType: CT, FileType, UploadClient } = RongIMLib;
const $ = (id) => document.getElementById(id);
const SEATS = 8;
const PAGE = 20;
/** The documented meaning of the send errors a user can cause (seed error table). */
const SEND_ERRORS = {
  405: '405 REJECTED_BY_BLACKLIST: 已被对方加入黑名单 (you are blacklisted)',
  20604: '20604 SEND_FREQUENCY_TOO_FAST: 发送频率过快 (too fast)',
  21501: '21501 SENSITIVE_SHIELD: 消息包含敏感词 (sensitive word)',
  22406: '22406 NOT_IN_GROUP: 当前用户不在群组中 (not in the group)',
  22408: '22408 FORBIDDEN_IN_GROUP: 当前用户在群组中已被禁言 (muted in this group)',
  23406: '23406 NOT_IN_CHATROOM: 当前用户不在聊天室中 (not in the chatroom)',
  23408: '23408 FORBIDDEN_IN_CHATROOM: 当前用户在聊天室中已被禁言 (muted in this chatroom)',
  23409: '23409 RC_CHATROOM_USER_KICKED: 已被踢出并禁止加入聊天室 (banned from this chatroom)',
  23410: '23410 RC_CHATROOM_NOT_EXIST: 聊天室不存在 (the chatroom does not exist or was destroyed)',
  23411: '23411 RC_CHATROOM_IS_FULL: 聊天室成员超限 (the chatroom is full)',
  25101: '25101 RECALL_MESSAGE: 撤回消息失败 (cannot recall: not yours or too old)',
  30001: '30001 RC_NET_CHANNEL_INVALID: 连接已断开 (not connected — wait for the reconnect, or use Reconnect at the top)',
  30002: '30002 RC_NET_UNAVAILABLE: 网络不可用 (network unavailable)',
  30003: '30003 RC_MSG_RESP_TIMEOUT: 服务器响应超时 (no answer from the server — it may or may not have been sent)',
  30011: '30011 RC_SOCKET_DISCONNECTED: 连接已断开 (the connection dropped before the server answered)',
  34002: '34002: 小视频时间长度超出限制 (sight video longer than 2 minutes)',
  34003: '34003: GIF 消息文件大小超出限制 (GIF larger than 2 MB)',
};
const TYPE_NAMES = { 1: 'Private', 3: 'Group', 4: 'Chatroom' };
const describeError = (code) => SEND_ERRORS[code] ?? String(code);
/**
 * Words for the ConnectionStatus enum (setConnectionStatusListener). `final` states are the ones the
 * SDK does not recover from by itself: the status bar offers a Reconnect button.
 */
const CONNECTION_STATES = {
  1: { text: 'connecting…' },
  2: { text: 'disconnected', final: true },
  3: { text: 'network unavailable — reconnecting…' },
  4: { text: 'connection closed — reconnecting…' },
  6: { text: 'signed in elsewhere — this window is disconnected', final: true },
  7: { text: 'server unreachable — retrying…' },
  8: { text: 'connection error — retrying…' },
  9: { text: 'this user is blocked', final: true },
  12: { text: 'wrong server address', final: true },
  13: { text: 'disconnected by the server', final: true },
  14: { text: 'redirected — reconnecting…' },
  20: { text: 'unknown app key', final: true },
  201: { text: 'looking up the server…' },
  202: { text: 'looking up the server…' },
  203: { text: 'server lookup failed — retrying…' },
  204: { text: 'server lookup timed out — retrying…' },
  1101: { text: 'too many connections', final: true },
};
const COMPOSER_CONTROLS = ['composer', 'send', 'emoji-button', 'image-input', 'file-input'];

const state = {
  me: null,
  im: null,
  current: null, // { type, targetId }
  connected: false,
  /** Bumped by every openConversation: a slower earlier open must not overwrite a later one. */
  openSeq: 0,
  messages: new Map(), // messageUId → Message (of the open conversation)
  oldest: 0,
  conversations: [],
  tagsByConversation: new Map(),
  lastTyping: 0,
  roomTimer: null,
  token: null,
  blacklist: [],
  /** [loaded, total] pairs of the last upload, in the order onProgress reported them. */
  uploadProgress: [],
  /** Whether the message list follows its newest message (the user has not scrolled up). */
  stickToBottom: true,
  /** The scrollTop scrollToBottom last set: a scroll event still at it is ours, not the user's. */
  pinnedTop: -1,
};
window.demoState = state; // for debugging in devtools

/** An SDK onError as an Error: its message names the code ("SDK error 30001"); `code` and onError's second argument (`detail`) are kept. */
function sdkError(code, detail) {
  const error = new Error(`SDK error ${code}`);
  error.code = code;
  if (detail !== undefined) error.detail = detail;
  return error;
}

function callback(resolve, reject) {
  return { onSuccess: (...args) => resolve(args.length > 1 ? args : args[0]), onError: (code, detail) => reject(sdkError(code, detail)) };
}
const promised = (fn) => new Promise((resolve, reject) => fn(callback(resolve, reject)));
const keyOf = (type, targetId) => `${type}:${targetId}`;
const isCurrent = (type, targetId) => state.current !== null && state.current.type === type && state.current.targetId === targetId;

/** Words for a failure: the documented text of an SDK code, else the error's own message. */
const reasonOf = (error) => (error?.code !== undefined ? describeError(error.code) : error?.message || String(error));

/**
 * Runs async work nobody awaits (a click, a timer, an SDK listener): a failure is named in the chat's
 * error line as "<what> failed: <reason>" (and logged), never left as an unhandled rejection.
 */
function safely(what, work) {
  Promise.resolve().then(work).catch((error) => {
    $('send-error').textContent = `${what} failed: ${reasonOf(error)}`;
    console.warn(`${what} failed`, error);
  });
}

function setStatus(text) {
  $('status').textContent = text;
  $('status').title = text;
}

/** The composer works only with a conversation open and a live connection. */
function updateComposer() {
  const usable = state.connected && state.current !== null;
  for (const id of COMPOSER_CONTROLS) $(id).disabled = !usable;
}

function onConnectionStatus(status) {
  state.connected = status === 0;
  const known = CONNECTION_STATES[status];
  if (status === 0) setStatus(`connected as ${state.me}`);
  else setStatus(known ? known.text : `connection status ${status}`);
  $('reconnect').hidden = !(known?.final && state.token !== null);
  updateComposer();
}

/** After a kick (or another final state): connect again with the same token, as the user asked. */
async function reconnect() {
  $('reconnect').disabled = true;
  setStatus('connecting…');
  try {
    await new Promise((resolve, reject) => {
      RongIMClient.connect(state.token, {
        onSuccess: resolve,
        onTokenIncorrect: () => reject(new Error('token incorrect')),
        onError: (code) => reject(new Error(`reconnect failed: ${describeError(code)}`)),
      });
    });
    state.im = RongIMClient.getInstance();
    onConnectionStatus(0);
    await refreshConversations();
    if (state.current?.type === CT.CHATROOM) {
      const { targetId } = state.current;
      await promised((cb) => state.im.joinChatRoom(targetId, 10, cb)).catch((error) => roomGone(error.code));
    }
  } catch (error) {
    setStatus(error.message);
    $('reconnect').hidden = false;
  } finally {
    $('reconnect').disabled = false;
  }
}

// ------------------------------------------------------------------------------ login

async function connectAs(userId) {
  $('login-error').textContent = '';
  const config = await (await fetch('/demo/api/config')).json();
  if (!config.devTokens) throw new Error('dev tokens are disabled on this server (no --dev-app, or NODE_ENV=production)');
  const answer = await (await fetch('/demo/api/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) })).json();
  if (answer.code !== 200) throw new Error(`token: ${answer.errorMessage ?? answer.code}`);
  state.me = userId;
  state.appKey = answer.appKey;
  RongIMClient.init(answer.appKey, null, { navi: location.origin });
  RongIMClient.setConnectionStatusListener({ onChanged: (status) => onConnectionStatus(status) });
  RongIMClient.setOnReceiveMessageListener({ onReceived: (message) => safely('Updating after a new message', () => onReceived(message)) });
  RongIMClient.setTypingStatusListener({ onChanged: (list) => onTyping(list) });
  RongIMClient.setConversationStatusListener({ onChanged: () => safely('Conversation list refresh', refreshConversations) });
  await new Promise((resolve, reject) => {
    RongIMClient.connect(answer.token, {
      onSuccess: (id) => resolve(id),
      onTokenIncorrect: () => reject(new Error('token incorrect')),
      onError: (code) => reject(new Error(`connect failed: ${code}`)),
    });
  });
  state.token = answer.token;
  state.im = RongIMClient.getInstance();
  onConnectionStatus(0);
  document.title = `${userId} — Lianxin demo chat`;
  $('login').hidden = true;
  $('app').hidden = false;
  $('open-target').focus();
  await refreshConversations();
  await refreshBlacklist();
}

// ------------------------------------------------------------------------------ blacklist

/** 2.9.2 web apps manage blacklists through their App Server; the dev server stands in for it. */
async function blacklistCall(action, userId) {
  const response = await fetch('/demo/api/blacklist', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: state.token, action, ...(userId ? { userId } : {}) }),
  });
  const answer = await response.json().catch(() => ({}));
  if (answer.code !== 200) throw new Error(`blacklist ${action}: ${answer.errorMessage ?? answer.code ?? response.status}`);
  return answer;
}

/** Bumped by every refresh: only the latest-started one renders (answers can come back out of order). */
let blacklistRefreshes = 0;

async function refreshBlacklist() {
  const refresh = ++blacklistRefreshes;
  let users;
  try {
    users = (await blacklistCall('list')).users ?? [];
  } catch (error) {
    if (refresh === blacklistRefreshes) $('blacklist-error').textContent = error.message;
    return;
  }
  // The login's refresh may answer after a later add's refresh: its older list must not replace the newer one.
  if (refresh !== blacklistRefreshes) return;
  state.blacklist = users;
  const ul = $('blacklist');
  ul.replaceChildren();
  for (const userId of state.blacklist) {
    const li = document.createElement('li');
    li.dataset.user = userId;
    li.append(span('conv-name', userId));
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove ${userId} from the blacklist`);
    remove.addEventListener('click', () => safely('Blacklist remove', () => changeBlacklist('remove', userId)));
    li.append(remove);
    ul.append(li);
  }
}

async function changeBlacklist(action, userId) {
  $('blacklist-error').textContent = '';
  try {
    await blacklistCall(action, userId);
  } catch (error) {
    $('blacklist-error').textContent = error.message;
  }
  await refreshBlacklist();
}

// ------------------------------------------------------------------------------ conversation list

let refreshing = null;
let refreshAgain = false;
/**
 * One refresh at a time; a call made while one runs (a message arrived after its list was read) makes it read
 * the list once more before it resolves, so no change waits for the next event.
 */
function refreshConversations() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    try {
      do {
        refreshAgain = false;
        const list = await promised((cb) => state.im.getConversationList(cb, null, 100));
        state.conversations = (list ?? []).filter((c) => c.conversationType !== CT.CHATROOM);
        await loadTags();
        renderConversations();
      } while (refreshAgain);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function loadTags() {
  if (typeof state.im.getTagsForConversation !== 'function') return;
  for (const c of state.conversations.slice(0, 20)) {
    try {
      const tags = await promised((cb) => state.im.getTagsForConversation({ type: c.conversationType, targetId: c.targetId }, cb));
      state.tagsByConversation.set(keyOf(c.conversationType, c.targetId), (tags ?? []).map((t) => t.tagName ?? t.tagId));
    } catch {
      // Tags are optional decoration: a server without them leaves the list untagged.
    }
  }
}

function renderConversations() {
  const ul = $('conversations');
  ul.replaceChildren();
  const sorted = [...state.conversations].sort((a, b) => Number(b.isTop) - Number(a.isTop) || (b.sentTime ?? 0) - (a.sentTime ?? 0));
  for (const c of sorted) {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.key = keyOf(c.conversationType, c.targetId);
    button.className = isCurrent(c.conversationType, c.targetId) ? 'conversation active' : 'conversation';
    const name = span('conv-name', `${c.conversationType === CT.GROUP ? '👥 ' : ''}${c.targetId}`);
    button.append(name);
    if (c.isTop) button.append(span('marker top-marker', '📌'));
    if (c.notificationStatus === 1) button.append(span('marker dnd-marker', '🔕'));
    for (const tag of state.tagsByConversation.get(button.dataset.key) ?? []) button.append(span('tag', tag));
    const unread = c.unreadMessageCount ?? 0;
    let label = `${TYPE_NAMES[c.conversationType] ?? 'Conversation'} ${c.targetId}`;
    if (unread > 0) {
      button.append(span('badge', String(unread)));
      label += `, ${unread} unread`;
    }
    button.setAttribute('aria-label', label);
    button.addEventListener('click', () => safely('Open', () => openConversation(c.conversationType, c.targetId)));
    li.append(button);
    ul.append(li);
  }
}

function span(className, text) {
  const s = document.createElement('span');
  s.className = className;
  s.textContent = text;
  return s;
}

// ------------------------------------------------------------------------------ chat view

/**
 * Opens a conversation. The view switches only once it can be used: a chatroom is joined first, and a
 * refused join (banned 23409, no such room 23410, …) leaves the current view as it was and says why.
 * Opening the conversation already open does nothing.
 */
async function openConversation(type, targetId) {
  if (isCurrent(type, targetId)) {
    $('composer').focus();
    return;
  }
  const seq = ++state.openSeq;
  const chatroom = type === CT.CHATROOM;
  let early = [];
  if (chatroom) {
    // The room's last messages may arrive before the join answers: keep them for the view.
    state.joining = { targetId, messages: early };
    try {
      await promised((cb) => state.im.joinChatRoom(targetId, 10, cb));
    } catch (error) {
      if (seq === state.openSeq) $('send-error').textContent = `Cannot open chatroom ${targetId}: ${describeError(error.code ?? error.message)}`;
      return;
    } finally {
      if (state.joining?.messages === early) state.joining = null;
    }
    if (seq !== state.openSeq) {
      // Another conversation was opened meanwhile: do not stay in this room.
      if (!isCurrent(type, targetId)) state.im.quitChatRoom(targetId, { onSuccess() {}, onError() {} });
      return;
    }
  }
  leaveRoom();
  state.current = { type, targetId };
  state.messages.clear();
  state.oldest = 0;
  state.stickToBottom = true;
  clearMessageList();
  $('typing').textContent = '';
  $('send-error').textContent = '';
  $('chat-title').textContent = `${TYPE_NAMES[type]} · ${targetId}`;
  updateComposer();
  $('toggle-top').disabled = chatroom;
  $('toggle-dnd').disabled = chatroom;
  $('room-panel').hidden = !chatroom;
  $('load-older').disabled = chatroom;
  if (chatroom) {
    for (const message of early.sort((a, b) => a.sentTime - b.sentTime)) renderMessage(message);
    early = [];
    state.roomTimer = setInterval(() => safely('Chatroom refresh', refreshRoom), 3000);
    await refreshRoom();
  } else {
    await loadOlder();
    scrollToBottom();
    await markRead();
  }
  const conv = state.conversations.find((c) => c.conversationType === type && c.targetId === targetId);
  setPressed('toggle-top', Boolean(conv?.isTop));
  setPressed('toggle-dnd', conv?.notificationStatus === 1);
  renderConversations();
  $('composer').focus();
}

/** Stops watching the open chatroom and quits it (nothing when no chatroom is open). */
function leaveRoom() {
  clearInterval(state.roomTimer);
  state.roomTimer = null;
  if (state.current?.type === CT.CHATROOM) state.im.quitChatRoom(state.current.targetId, { onSuccess() {}, onError() {} });
}

/** Closes the chat view (after "Leave room", or when the open room is gone). */
function closeConversation(note = '') {
  state.openSeq++;
  state.current = null;
  state.messages.clear();
  clearMessageList();
  $('typing').textContent = '';
  $('chat-title').textContent = 'No conversation open';
  $('room-panel').hidden = true;
  $('load-older').disabled = true;
  for (const id of ['toggle-top', 'toggle-dnd']) $(id).disabled = true;
  updateComposer();
  $('send-error').textContent = note;
  renderConversations();
}

/** The open chatroom refused us (destroyed 23410, banned 23409, not a member 23406): leave its view. */
function roomGone(code) {
  if (state.current?.type !== CT.CHATROOM) return;
  const roomId = state.current.targetId;
  clearInterval(state.roomTimer);
  state.roomTimer = null;
  closeConversation(`Left chatroom ${roomId}: ${describeError(code)}`);
}

const ROOM_GONE = new Set([23406, 23409, 23410]);

function setPressed(id, on) {
  $(id).setAttribute('aria-pressed', String(on));
}

/** One page of older history, prepended; the messages on screen stay where they are. */
async function loadOlder() {
  const { type, targetId } = state.current;
  const [list, hasMore] = await promised((cb) => state.im.getHistoryMessages(type, targetId, state.oldest, PAGE, cb));
  if (!isCurrent(type, targetId)) return;
  const box = $('messages');
  const fromBottom = box.scrollHeight - box.scrollTop;
  // A recall (RC:RcCmd) stands where the recalled message was: sorted by the original's time.
  const sorted = [...(list ?? [])].sort((a, b) => shownTime(b) - shownTime(a));
  for (const message of sorted) renderMessage(message, 'prepend');
  if (sorted.length > 0) state.oldest = Math.min(...sorted.map((m) => m.sentTime));
  box.scrollTop = box.scrollHeight - fromBottom;
  $('load-older').disabled = !hasMore;
}

const shownTime = (message) => (message.messageType === 'RecallCommandMessage' ? Number(message.content?.sentTime) || message.sentTime : message.sentTime);

function scrollToBottom() {
  const box = $('messages');
  box.scrollTop = box.scrollHeight;
  state.stickToBottom = true;
  state.pinnedTop = box.scrollTop;
}

/**
 * A message that changes height after it was shown (an image gets its size as its bytes arrive, a
 * recall swaps the bubble) keeps a list that follows the newest message at the bottom.
 */
const messageResize = new ResizeObserver(() => {
  if (state.stickToBottom) scrollToBottom();
});

function clearMessageList() {
  messageResize.disconnect();
  $('messages').replaceChildren();
}

/** Clears the unread count and tells the peer(s) what we have read. */
async function markRead() {
  const { type, targetId } = state.current;
  if (type === CT.CHATROOM) return;
  await promised((cb) => state.im.clearUnreadCount(type, targetId, cb));
  const conv = state.conversations.find((c) => c.conversationType === type && c.targetId === targetId);
  if (conv) conv.unreadMessageCount = 0;
  renderConversations();
  const lastReceived = [...state.messages.values()].filter((m) => m.senderUserId !== state.me && m.messageUId).sort((a, b) => b.sentTime - a.sentTime)[0];
  if (type === CT.PRIVATE && lastReceived) {
    const receipt = new RongIMLib.ReadReceiptMessage({ messageUId: lastReceived.messageUId, lastMessageSendTime: lastReceived.sentTime, type: 1 });
    state.im.sendMessage(CT.PRIVATE, targetId, receipt, { onSuccess() {}, onError() {} });
  } else if (type === CT.GROUP) {
    state.im.sendReceiptResponse(CT.GROUP, targetId, { onSuccess() {}, onError() {} });
  }
}

/**
 * A URL from a message (which its sender chose) as something this page may link to or load: only
 * http(s) addresses (a relative one is on this server); javascript:, data:, file: … give null and are
 * shown as text. (The demo makes no blob: previews of its own, so none is accepted either.)
 */
function webUrl(value) {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    const url = new URL(value, location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** An image message's thumbnail (base64 JPEG in `content`) as a data: URL we build ourselves, or null. */
function thumbnailUrl(base64) {
  return typeof base64 === 'string' && base64 !== '' && /^[A-Za-z0-9+/=\s]+$/.test(base64) ? `data:image/jpeg;base64,${base64}` : null;
}

function contentNode(message) {
  const c = message.content ?? {};
  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  switch (message.messageType) {
    case 'TextMessage':
      bubble.innerHTML = RongIMEmoji.emojiToHTML(String(c.content ?? ''));
      break;
    case 'ImageMessage': {
      const src = webUrl(c.imageUri) ?? thumbnailUrl(c.content);
      if (src === null) {
        bubble.append(span('unsafe-url', `🖼 image${c.imageUri ? ` (not loaded: ${c.imageUri})` : ''}`));
        break;
      }
      const img = document.createElement('img');
      img.alt = 'image';
      img.src = src;
      bubble.append(img);
      break;
    }
    case 'FileMessage': {
      const label = `📎 ${c.name ?? 'file'} (${c.size ?? '?'} bytes)`;
      const href = webUrl(c.fileUrl);
      if (href === null) {
        // Not a web address: the name and the address as text, nothing to click.
        bubble.append(span('file-name', label), span('unsafe-url', c.fileUrl ? ` ${c.fileUrl}` : ''));
        break;
      }
      const a = document.createElement('a');
      a.href = href;
      a.textContent = label;
      a.target = '_blank';
      a.rel = 'noopener';
      bubble.append(a);
      break;
    }
    default:
      bubble.textContent = `[${message.objectName}]`;
  }
  return bubble;
}

const VISIBLE = new Set(['TextMessage', 'ImageMessage', 'FileMessage']);

/**
 * History after a recall holds no original, only the recall command (RC:RcCmd, persisted) at the time
 * of the recall: it is shown as the same placeholder a live recall leaves, at the original's place.
 */
function renderRecalled(message, where) {
  const uid = message.content?.messageUId;
  if (!uid) return;
  if (state.messages.has(uid)) {
    markRecalled(uid);
    return;
  }
  const original = { ...message, messageUId: uid, sentTime: shownTime(message), messageType: 'RecalledMessage' };
  renderMessage(original, where);
  markRecalled(uid);
}

function renderMessage(message, where = 'append') {
  if (message.messageType === 'RecallCommandMessage') {
    renderRecalled(message, where);
    return;
  }
  if (!VISIBLE.has(message.messageType) && message.messageType !== 'RecalledMessage') return;
  const uid = message.messageUId;
  if (uid && state.messages.has(uid)) return;
  if (uid) state.messages.set(uid, message);
  const mine = message.senderUserId === state.me;
  const li = document.createElement('li');
  li.className = `msg ${mine ? 'mine' : 'theirs'}`;
  if (uid) li.dataset.uid = uid;
  li.dataset.sentTime = String(message.sentTime);
  li.append(contentNode(message));
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.append(span('sender', mine ? 'me' : message.senderUserId), span('time', new Date(message.sentTime).toLocaleTimeString()));
  if (mine) {
    meta.append(span('receipt', mine && message.conversationType === CT.PRIVATE && message.sentTime <= readUpTo(message.targetId) ? 'Read' : ''));
    if (message.conversationType !== CT.CHATROOM) {
      const recall = document.createElement('button');
      recall.type = 'button';
      recall.className = 'recall';
      recall.textContent = 'Recall';
      recall.setAttribute('aria-label', 'Recall this message');
      recall.addEventListener('click', () => safely('Recall', () => recallMessage(uid)));
      meta.append(recall);
    }
  }
  li.append(meta);
  const list = $('messages');
  if (where === 'prepend') list.prepend(li);
  else list.append(li);
  messageResize.observe(li);
  if (where === 'append' && (mine || state.stickToBottom)) scrollToBottom();
}

/**
 * Private read marks. A web 2.x client gets every history message with sentStatus SENT (the status is a
 * PC-only field) and RC:ReadNtf is not stored, so the demo remembers the peer's last read time itself.
 */
const readKey = (targetId) => `lianxin-demo-read:${state.appKey}:${state.me}:${targetId}`;
function readUpTo(targetId) {
  return Number(localStorage.getItem(readKey(targetId))) || 0;
}
function rememberRead(targetId, time) {
  if (Number(time) > readUpTo(targetId)) localStorage.setItem(readKey(targetId), String(time));
}

function markRecalled(uid) {
  const li = document.querySelector(`.msg[data-uid="${CSS.escape(uid)}"]`);
  if (!li) return;
  li.classList.add('recalled');
  li.querySelector('.bubble').textContent = 'This message was recalled';
  li.querySelector('.recall')?.remove();
}

async function recallMessage(uid) {
  const message = state.messages.get(uid);
  if (!message) return;
  try {
    await promised((cb) => state.im.sendRecallMessage(message, cb));
    markRecalled(uid);
  } catch (error) {
    $('send-error').textContent = `Recall failed: ${describeError(error.code)}`;
  }
}

function setReceipt(uid, text) {
  const el = document.querySelector(`.msg[data-uid="${CSS.escape(uid)}"] .receipt`);
  if (el) el.textContent = text;
}

// ------------------------------------------------------------------------------ receiving

async function onReceived(message) {
  const { conversationType: type, targetId } = message;
  switch (message.messageType) {
    case 'ReadReceiptMessage': {
      // Private receipt: everything I sent up to lastMessageSendTime is read.
      if (type === CT.PRIVATE) rememberRead(targetId, message.content.lastMessageSendTime);
      if (!isCurrent(type, targetId)) return;
      for (const li of document.querySelectorAll('.msg.mine')) {
        if (Number(li.dataset.sentTime) <= Number(message.content.lastMessageSendTime)) li.querySelector('.receipt').textContent = 'Read';
      }
      return;
    }
    case 'ReadReceiptRequestMessage':
      if (isCurrent(type, targetId) && !document.hidden) state.im.sendReceiptResponse(type, targetId, { onSuccess() {}, onError() {} });
      return;
    case 'ReadReceiptResponseMessage':
      for (const [uid, count] of Object.entries(message.receiptResponse ?? {})) setReceipt(uid, `Read by ${count}`);
      return;
    case 'RecallCommandMessage':
      markRecalled(message.content.messageUId);
      await refreshConversations();
      return;
    case 'ChrmKVNotificationMessage':
      if (isCurrent(type, targetId)) await refreshRoom();
      return;
    default:
  }
  if (type === CT.CHATROOM && state.joining?.targetId === targetId) state.joining.messages.push(message);
  if (isCurrent(type, targetId)) {
    renderMessage(message);
    if (type !== CT.CHATROOM && !document.hidden) await markRead();
  }
  if (type !== CT.CHATROOM) await refreshConversations();
}

function onTyping(list) {
  if (state.current === null) return;
  const here = (list ?? []).find((t) => t.conversationType === state.current.type && t.targetId === state.current.targetId);
  const users = (here?.list ?? []).map((u) => u.userId).filter((id) => id !== state.me);
  $('typing').textContent = users.length === 0 ? '' : `${users.join(', ')} is typing…`;
}

// ------------------------------------------------------------------------------ sending

function sendContent(content) {
  const { type, targetId } = state.current;
  $('send-error').textContent = '';
  return new Promise((resolve) => {
    state.im.sendMessage(type, targetId, content, {
      onSuccess: (message) => {
        renderMessage(message);
        if (type === CT.GROUP) {
          const request = new RongIMLib.ReadReceiptRequestMessage({ messageUId: message.messageUId });
          state.im.sendMessage(type, targetId, request, { onSuccess() {}, onError() {} });
          setReceipt(message.messageUId, 'Read by 0');
        }
        if (type !== CT.CHATROOM) safely('Conversation list refresh', refreshConversations);
        resolve(message);
      },
      onError: (code) => {
        $('send-error').textContent = `Send failed: ${describeError(code)}`;
        if (type === CT.CHATROOM && ROOM_GONE.has(code) && isCurrent(type, targetId)) roomGone(code);
        resolve(null);
      },
    });
  });
}

async function sendText() {
  const box = $('composer');
  const text = box.value.trim();
  if (text === '' || state.current === null) return;
  box.value = '';
  const sent = await sendContent(new RongIMLib.TextMessage({ content: text }));
  // A failed send keeps the text: put it back (before anything typed meanwhile).
  if (sent === null) box.value = box.value === '' ? text : `${text}\n${box.value}`;
  if (!box.disabled) box.focus();
}

function onComposerInput() {
  if (state.current?.type !== CT.PRIVATE) return;
  const now = Date.now();
  if (now - state.lastTyping < 2000) return;
  state.lastTyping = now;
  state.im.sendTypingStatusMessage(CT.PRIVATE, state.current.targetId, 'RC:TxtMsg', { onSuccess() {}, onError() {} });
}

function uploadAndSend(file, image) {
  const fileType = image ? FileType.IMAGE : FileType.FILE;
  const progress = $('upload-progress');
  progress.hidden = false;
  progress.value = 0;
  state.uploadProgress = [];
  const config = {
    fileType,
    getToken: (done) => state.im.getFileToken(fileType, { onSuccess: (data) => done(data.token, data), onError: (code) => fail(code) }),
  };
  const fail = (code) => {
    progress.hidden = true;
    $('send-error').textContent = `Upload failed: ${code}`;
  };
  const init = image ? UploadClient.initImage : UploadClient.initFile;
  init(config, (uploadFile) => {
    uploadFile.upload(file, {
      onProgress: (loaded, total) => {
        state.uploadProgress.push([loaded, total]);
        progress.value = total > 0 ? Math.round((loaded / total) * 100) : 0;
      },
      onError: fail,
      onCompleted: (data) => {
        state.im.getFileUrl(fileType, data.filename, data.name, {
          onSuccess: (result) => {
            progress.value = 100;
            progress.hidden = true;
            const ext = (file.name.split('.').pop() ?? '').toLowerCase();
            const content = image
              ? new RongIMLib.ImageMessage({ content: data.thumbnail ?? '', imageUri: result.downloadUrl })
              : new RongIMLib.FileMessage({ name: file.name, size: file.size, type: ext, fileUrl: result.downloadUrl });
            safely('Send', () => sendContent(content));
          },
          onError: fail,
        }, data, data.uploadMethod);
      },
    });
  });
}

// ------------------------------------------------------------------------------ chatroom seats (KV)

async function refreshRoom() {
  if (state.current?.type !== CT.CHATROOM) return;
  const roomId = state.current.targetId;
  try {
    const info = await promised((cb) => state.im.getChatRoomInfo(roomId, 0, 2, cb));
    if (!isCurrent(CT.CHATROOM, roomId)) return;
    $('member-count').textContent = String(info?.userTotalNums ?? 0);
  } catch (error) {
    // The room was destroyed or we were banned: leave its view. Otherwise keep the last count; the next tick retries.
    if (ROOM_GONE.has(error.code) && isCurrent(CT.CHATROOM, roomId)) {
      roomGone(error.code);
      return;
    }
  }
  let entries = {};
  try {
    entries = (await promised((cb) => state.im.getAllChatroomEntries(roomId, cb))) ?? {};
  } catch {
    entries = {};
  }
  if (!isCurrent(CT.CHATROOM, roomId)) return;
  renderSeats(roomId, entries);
}

function renderSeats(roomId, entries) {
  const seats = $('seats');
  seats.replaceChildren();
  for (let i = 1; i <= SEATS; i++) {
    const key = `seat${i}`;
    const holder = entries[key];
    const div = document.createElement('div');
    div.className = holder ? 'seat taken' : 'seat';
    div.dataset.seat = String(i);
    const button = document.createElement('button');
    button.type = 'button';
    if (holder === state.me) {
      button.textContent = `Seat ${i}: me — leave`;
      button.addEventListener('click', () => safely('Seat change', () => changeSeat(roomId, key, null)));
    } else if (holder) {
      button.textContent = `Seat ${i}: ${holder}`;
      button.disabled = true;
    } else {
      button.textContent = `Seat ${i}: take`;
      button.addEventListener('click', () => safely('Seat change', () => changeSeat(roomId, key, state.me)));
    }
    div.append(button);
    seats.append(div);
  }
}

async function changeSeat(roomId, key, value) {
  try {
    if (value === null) await promised((cb) => state.im.removeChatroomEntry(roomId, { key, isSendNotification: true }, cb));
    else await promised((cb) => state.im.setChatroomEntry(roomId, { key, value, isAutoDelete: true, isSendNotification: true }, cb));
  } catch (error) {
    $('send-error').textContent = `Seat ${key}: ${error.code}`;
  }
  await refreshRoom();
}

// ------------------------------------------------------------------------------ wiring

function buildEmojiPanel() {
  const panel = $('emoji-panel');
  for (const item of RongIMEmoji.list.slice(0, 48)) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = item.emoji;
    b.setAttribute('aria-label', item.symbol);
    b.addEventListener('click', () => {
      const box = $('composer');
      const at = box.selectionStart ?? box.value.length;
      box.value = box.value.slice(0, at) + item.emoji + box.value.slice(box.selectionEnd ?? at);
      box.focus();
    });
    panel.append(b);
  }
}

function wire() {
  RongIMEmoji.init({ lang: 'en' });
  buildEmojiPanel();
  const loginButtons = () => [$('connect'), ...document.querySelectorAll('[data-user]')];
  /** One connect at a time: the buttons stay disabled until it succeeds or fails. */
  const login = async (userId) => {
    if (state.connecting) return;
    state.connecting = true;
    for (const b of loginButtons()) b.disabled = true;
    try {
      await connectAs(userId);
    } catch (error) {
      $('login-error').textContent = error.message;
    } finally {
      state.connecting = false;
      for (const b of loginButtons()) b.disabled = false;
    }
  };
  $('reconnect').addEventListener('click', () => safely('Reconnect', reconnect));
  $('leave-room').addEventListener('click', () => {
    leaveRoom();
    closeConversation();
  });
  $('messages').addEventListener('scroll', () => {
    const box = $('messages');
    // The scroll event of our own scrollToBottom can arrive after the list grew under it (an image got
    // its size in between): the user did not move, so the list still follows the newest message.
    if (state.stickToBottom && box.scrollTop === state.pinnedTop) return;
    state.stickToBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  });
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    safely('Connect', () => login($('user-id').value.trim()));
  });
  for (const b of document.querySelectorAll('[data-user]')) b.addEventListener('click', () => safely('Connect', () => login(b.dataset.user)));
  $('open-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const target = $('open-target').value.trim();
    if (target !== '') safely('Open', () => openConversation(Number($('open-type').value), target));
  });
  $('composer-form').addEventListener('submit', (event) => {
    event.preventDefault();
    safely('Send', sendText);
  });
  $('composer').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      safely('Send', sendText);
    } else if (event.key === 'Escape') {
      $('emoji-panel').hidden = true;
      $('emoji-button').setAttribute('aria-expanded', 'false');
    }
  });
  $('composer').addEventListener('input', onComposerInput);
  $('emoji-button').addEventListener('click', () => {
    const panel = $('emoji-panel');
    panel.hidden = !panel.hidden;
    $('emoji-button').setAttribute('aria-expanded', String(!panel.hidden));
  });
  $('image-input').addEventListener('change', (event) => {
    const file = event.target.files?.[0];
    if (file) uploadAndSend(file, true);
    event.target.value = '';
  });
  $('file-input').addEventListener('change', (event) => {
    const file = event.target.files?.[0];
    if (file) uploadAndSend(file, false);
    event.target.value = '';
  });
  $('load-older').addEventListener('click', () => safely('Load older', loadOlder));
  $('blacklist-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const userId = $('blacklist-user').value.trim();
    $('blacklist-user').value = '';
    if (userId !== '') safely('Blacklist add', () => changeBlacklist('add', userId));
  });
  $('toggle-top').addEventListener('click', () => safely('Pin to top', () => toggleStatus('isTop')));
  $('toggle-dnd').addEventListener('click', () => safely('Do not disturb', () => toggleStatus('notificationStatus')));
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.current !== null) safely('Mark as read', markRead);
  });
}

async function toggleStatus(field) {
  if (state.current === null) return;
  const { type, targetId } = state.current;
  const button = field === 'isTop' ? 'toggle-top' : 'toggle-dnd';
  const on = $(button).getAttribute('aria-pressed') !== 'true';
  const status = field === 'isTop' ? { isTop: on } : { notificationStatus: on ? 1 : 2 };
  try {
    await promised((cb) => state.im.setConversationStatus(type, targetId, status, cb));
    setPressed(button, on);
    await refreshConversations();
  } catch (error) {
    $('send-error').textContent = `status change failed: ${error.code}`;
  }
}

wire();
