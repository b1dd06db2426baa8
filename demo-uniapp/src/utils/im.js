/**
 * The demo's one IM session over the SDK's uni-app entry (`lianxin/uniapp`, which wires itself to
 * the global `uni` on first use, on H5 and on mini-program targets alike): login, a tiny event hub
 * the pages subscribe to ('message', 'status', 'signedOut' with why), and promise wrappers around the RongIMLib v2 calls
 * the pages use. Images go up with UploadClient from the picked temp file path (uni.uploadFile with
 * progress) and are sent as ImageMessage with the file service's URL.
 */
import { RongIMClient, UploadClient, ConversationType, FileType, TextMessage, ImageMessage } from 'lianxin/uniapp';

export { ConversationType };

// ImageMessage.content is a base64 JPEG thumbnail; the demo sends a 1×1 placeholder.
const THUMBNAIL = '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=';

const listeners = {};
let userId = '';

export function on(event, listener) {
  (listeners[event] = listeners[event] || []).push(listener);
  return () => {
    listeners[event] = (listeners[event] || []).filter((l) => l !== listener);
  };
}

function emit(event, payload) {
  (listeners[event] || []).slice().forEach((listener) => listener(payload));
}

const client = () => RongIMClient.getInstance();

// What the user is told when the server ends the session (the code of the 5.7 status listener's
// DISCONNECTED, reported right after the legacy statuses 2 then 6 for a kick).
const DISCONNECTED = 2;
const WHY = {
  31010: 'Signed in elsewhere: this account logged in on another device.',
  31009: 'This user is blocked.',
  31008: 'This app key is blocked or deleted.',
  31004: 'The token is no longer valid: log in again with a new token.',
  31020: 'The token has expired: log in again with a new token.',
};
let notice = '';

/** The session ended without the user logging out: remember why and tell the app ('signedOut'). */
function ended(code) {
  if (userId === '') return; // our own logout, or a login that failed (the login page shows that)
  userId = '';
  notice = WHY[code] || `Disconnected (error ${code}): log in again.`;
  emit('signedOut', notice);
}

/** Why the last session ended, once (the login page shows it). */
export function takeNotice() {
  const text = notice;
  notice = '';
  return text;
}

/** Runs a v2 call that takes `{ onSuccess, onError }` as a promise of its first result. */
function call(invoke) {
  return new Promise((resolve, reject) =>
    invoke({ onSuccess: (value) => resolve(value), onError: (code) => reject(new Error(`IM error ${code}`)) }),
  );
}

export function currentUserId() {
  return userId;
}

export function login(options) {
  RongIMClient.init(options.appKey, null, { navi: options.navi });
  RongIMClient.setOnReceiveMessageListener({ onReceived: (message) => emit('message', message) });
  RongIMClient.setConnectionStatusListener({ onChanged: (status) => emit('status', status) });
  RongIMClient.onConnectionStatusChange({ onChange: (status, code) => status === DISCONNECTED && ended(code) });
  return new Promise((resolve, reject) => {
    RongIMClient.connect(options.token, {
      onSuccess: (id) => {
        userId = id;
        resolve(id);
      },
      onTokenIncorrect: () => reject(new Error('token incorrect')),
      onError: (code) => reject(new Error(`connect failed: ${code}`)),
    });
  });
}

export function logout() {
  userId = '';
  return client() ? client().disconnect() : Promise.resolve();
}

export function preview(message) {
  if (!message) return '';
  if (message.messageType === 'TextMessage') return message.content.content;
  if (message.messageType === 'ImageMessage') return '[image]';
  return `[${message.messageType}]`;
}

export function conversations() {
  return call((cb) => client().getConversationList(cb, null, 100));
}

export function totalUnread() {
  return call((cb) => client().getTotalUnreadCount(cb));
}

export function history(type, targetId) {
  return new Promise((resolve, reject) =>
    client().getHistoryMessages(type, targetId, 0, 20, {
      onSuccess: (list) => resolve(list),
      onError: (code) => reject(new Error(`history failed: ${code}`)),
    }),
  );
}

export function clearUnread(type, targetId) {
  return call((cb) => client().clearUnreadCount(type, targetId, cb));
}

export function sendText(type, targetId, text) {
  return call((cb) => client().sendMessage(type, targetId, new TextMessage({ content: text }), cb));
}

function uploadImage(tempFilePath, onProgress) {
  return new Promise((resolve, reject) => {
    UploadClient.initImage(
      {
        fileType: FileType.IMAGE,
        getToken: (callback) =>
          client().getFileToken(FileType.IMAGE, {
            onSuccess: (data) => callback(data.token, data),
            onError: (code) => reject(new Error(`getFileToken failed: ${code}`)),
          }),
      },
      (file) =>
        file.upload(
          { tempFilePath },
          {
            onProgress: (loaded, total) => onProgress && onProgress(loaded, total),
            onCompleted: (data) => resolve(data),
            onError: (code) => reject(new Error(`upload failed: ${code}`)),
          },
        ),
    );
  }).then((data) => call((cb) => client().getFileUrl(FileType.IMAGE, data.filename, data.name, cb, data, data.uploadMethod)));
}

export function sendImage(type, targetId, tempFilePath, onProgress) {
  return uploadImage(tempFilePath, onProgress).then((url) =>
    call((cb) => client().sendMessage(type, targetId, new ImageMessage({ content: THUMBNAIL, imageUri: url.downloadUrl }), cb)),
  );
}

export function joinChatroom(chatroomId) {
  return call((cb) => client().joinChatRoom(chatroomId, 10, cb));
}

export function quitChatroom(chatroomId) {
  return call((cb) => client().quitChatRoom(chatroomId, cb));
}

/** How many members the chatroom has (getChatRoomInfo with count 0: only the total). */
export function chatroomMembers(chatroomId) {
  return call((cb) => client().getChatRoomInfo(chatroomId, 0, 1, cb)).then((info) => info.userTotalNums);
}
