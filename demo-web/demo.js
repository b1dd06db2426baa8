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
  34002: '34002: 小视频时间长度超出限制 (sight video longer than 2 minutes)',
  34003: '34003: GIF 消息文件大小超出限制 (GIF larger than 2 MB)',
};
const TYPE_NAMES = { 1: 'Private', 3: 'Group', 4: 'Chatroom' };

const state = {
  me: null,
  im: null,
  current: null, // { type, targetId }
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
};
window.demoState = state; // for debugging in devtools

function callback(resolve, reject) {
  return { onSuccess: (...args) => resolve(args.length > 1 ? args : args[0]), onError: (code, message) => reject(Object.assign(new Error(`SDK error ${code}`), { code, message })) };
}
const promised = (fn) => new Promise((resolve, reject) => fn(callback(resolve, reject)));
const keyOf = (type, targetId) => `${type}:${targetId}`;
const isCurrent = (type, targetId) => state.current !== null && state.current.type === type && state.current.targetId === targetId;

function setStatus(text) {
  $('status').textContent = text;
}

// ------------------------------------------------------------------------------ login

async function connectAs(userId) {
  $('login-error').textContent = '';
  const config = await (await fetch('/demo/api/config')).json();
  if (!config.devTokens) throw new Error('dev tokens are disabled on this server (no --dev-app, or NODE_ENV=production)');
  const answer = await (await fetch('/demo/api/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) })).json();
  if (answer.code !== 200) throw new Error(`token: ${answer.errorMessage ?? answer.code}`);
  RongIMClient.init(answer.appKey, null, { navi: location.origin });
  RongIMClient.setConnectionStatusListener({ onChanged: (status) => setStatus(status === 0 ? `connected as ${state.me ?? userId}` : `connection status ${status}`) });
  RongIMClient.setOnReceiveMessageListener({ onReceived: (message) => void onReceived(message) });
  RongIMClient.setTypingStatusListener({ onChanged: (list) => onTyping(list) });
  RongIMClient.setConversationStatusListener({ onChanged: () => void refreshConversations() });
  await new Promise((resolve, reject) => {
    RongIMClient.connect(answer.token, {
      onSuccess: (id) => resolve(id),
      onTokenIncorrect: () => reject(new Error('token incorrect')),
      onError: (code) => reject(new Error(`connect failed: ${code}`)),
    });
  });
  state.me = userId;
  state.token = answer.token;
  state.im = RongIMClient.getInstance();
  setStatus(`connected as ${userId}`);
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

async function refreshBlacklist() {
  try {
    state.blacklist = (await blacklistCall('list')).users ?? [];
  } catch (error) {
    $('blacklist-error').textContent = error.message;
    return;
  }
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
    remove.addEventListener('click', () => void changeBlacklist('remove', userId));
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
function refreshConversations() {
  refreshing ??= (async () => {
    try {
      const list = await promised((cb) => state.im.getConversationList(cb, null, 100));
      state.conversations = (list ?? []).filter((c) => c.conversationType !== CT.CHATROOM);
      await loadTags();
      renderConversations();
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
    button.addEventListener('click', () => void openConversation(c.conversationType, c.targetId));
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

async function openConversation(type, targetId) {
  if (state.current?.type === CT.CHATROOM && !isCurrent(type, targetId)) {
    clearInterval(state.roomTimer);
    state.im.quitChatRoom(state.current.targetId, { onSuccess() {}, onError() {} });
  }
  state.current = { type, targetId };
  state.messages.clear();
  state.oldest = 0;
  $('messages').replaceChildren();
  $('typing').textContent = '';
  $('send-error').textContent = '';
  $('chat-title').textContent = `${TYPE_NAMES[type]} · ${targetId}`;
  for (const id of ['composer', 'send', 'emoji-button', 'image-input', 'file-input']) $(id).disabled = false;
  const chatroom = type === CT.CHATROOM;
  $('toggle-top').disabled = chatroom;
  $('toggle-dnd').disabled = chatroom;
  $('room-panel').hidden = !chatroom;
  $('load-older').disabled = chatroom;
  if (chatroom) {
    await promised((cb) => state.im.joinChatRoom(targetId, 10, cb));
    await refreshRoom();
    state.roomTimer = setInterval(() => void refreshRoom(), 3000);
  } else {
    await loadOlder();
    await markRead();
  }
  const conv = state.conversations.find((c) => c.conversationType === type && c.targetId === targetId);
  setPressed('toggle-top', Boolean(conv?.isTop));
  setPressed('toggle-dnd', conv?.notificationStatus === 1);
  renderConversations();
  $('composer').focus();
}

function setPressed(id, on) {
  $(id).setAttribute('aria-pressed', String(on));
}

async function loadOlder() {
  const { type, targetId } = state.current;
  const [list, hasMore] = await promised((cb) => state.im.getHistoryMessages(type, targetId, state.oldest, PAGE, cb));
  const sorted = [...(list ?? [])].sort((a, b) => b.sentTime - a.sentTime);
  for (const message of sorted) renderMessage(message, 'prepend');
  if (sorted.length > 0) state.oldest = sorted[sorted.length - 1].sentTime;
  $('load-older').disabled = !hasMore;
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

function contentNode(message) {
  const c = message.content ?? {};
  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  switch (message.messageType) {
    case 'TextMessage':
      bubble.innerHTML = RongIMEmoji.emojiToHTML(String(c.content ?? ''));
      break;
    case 'ImageMessage': {
      const img = document.createElement('img');
      img.src = c.imageUri ?? (c.content ? `data:image/jpeg;base64,${c.content}` : '');
      img.alt = 'image';
      bubble.append(img);
      break;
    }
    case 'FileMessage': {
      const a = document.createElement('a');
      a.href = c.fileUrl ?? '#';
      a.textContent = `📎 ${c.name ?? 'file'} (${c.size ?? '?'} bytes)`;
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

function renderMessage(message, where = 'append') {
  if (!VISIBLE.has(message.messageType)) return;
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
    meta.append(span('receipt', ''));
    if (message.conversationType !== CT.CHATROOM) {
      const recall = document.createElement('button');
      recall.type = 'button';
      recall.className = 'recall';
      recall.textContent = 'Recall';
      recall.setAttribute('aria-label', 'Recall this message');
      recall.addEventListener('click', () => void recallMessage(uid));
      meta.append(recall);
    }
  }
  li.append(meta);
  const list = $('messages');
  if (where === 'prepend') list.prepend(li);
  else list.append(li);
  if (where === 'append') li.scrollIntoView({ block: 'end' });
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
    $('send-error').textContent = `recall failed: ${error.code}`;
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
      void refreshConversations();
      return;
    case 'ChrmKVNotificationMessage':
      if (isCurrent(type, targetId)) void refreshRoom();
      return;
    default:
  }
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
        if (type !== CT.CHATROOM) void refreshConversations();
        resolve(message);
      },
      onError: (code) => {
        $('send-error').textContent = `Send failed: ${SEND_ERRORS[code] ?? code}`;
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
  await sendContent(new RongIMLib.TextMessage({ content: text }));
  box.focus();
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
            void sendContent(content);
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
    $('member-count').textContent = String(info?.userTotalNums ?? 0);
  } catch {
    // Keep the last count; the next tick retries.
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
      button.addEventListener('click', () => void changeSeat(roomId, key, null));
    } else if (holder) {
      button.textContent = `Seat ${i}: ${holder}`;
      button.disabled = true;
    } else {
      button.textContent = `Seat ${i}: take`;
      button.addEventListener('click', () => void changeSeat(roomId, key, state.me));
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
  const login = (userId) => connectAs(userId).catch((error) => ($('login-error').textContent = error.message));
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void login($('user-id').value.trim());
  });
  for (const b of document.querySelectorAll('[data-user]')) b.addEventListener('click', () => void login(b.dataset.user));
  $('open-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const target = $('open-target').value.trim();
    if (target !== '') void openConversation(Number($('open-type').value), target).catch((error) => ($('send-error').textContent = `open failed: ${error.code ?? error.message}`));
  });
  $('composer-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void sendText();
  });
  $('composer').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void sendText();
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
  $('load-older').addEventListener('click', () => void loadOlder());
  $('blacklist-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const userId = $('blacklist-user').value.trim();
    $('blacklist-user').value = '';
    if (userId !== '') void changeBlacklist('add', userId);
  });
  $('toggle-top').addEventListener('click', () => void toggleStatus('isTop'));
  $('toggle-dnd').addEventListener('click', () => void toggleStatus('notificationStatus'));
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.current !== null) void markRead();
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
