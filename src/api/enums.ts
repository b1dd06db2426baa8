/**
 * Public numeric enums of RongIMLib v2 (API_CHECKLIST §5). Names and values are part of the public
 * contract: apps compare against the numbers, so every name/value of the official client exists here
 * unchanged (test/unit/api-shape.test.ts checks it), plus the later additions the seed documents.
 */
/* eslint-disable @typescript-eslint/no-duplicate-enum-values -- the official enums carry aliases */

export { ErrorCode } from '../errors';

/** Legacy connection status (setConnectionStatusListener, getCurrentConnectionStatus). */
export enum ConnectionStatus {
  CONNECTED = 0,
  CONNECTING = 1,
  DISCONNECTED = 2,
  NETWORK_UNAVAILABLE = 3,
  CONNECTION_CLOSED = 4,
  KICKED_OFFLINE_BY_OTHER_CLIENT = 6,
  WEBSOCKET_UNAVAILABLE = 7,
  WEBSOCKET_ERROR = 8,
  BLOCKED = 9,
  DOMAIN_INCORRECT = 12,
  DISCONNECT_BY_SERVER = 13,
  REDIRECT = 14,
  APPKEY_IS_FAKE = 20,
  REQUEST_NAVI = 201,
  RESPONSE_NAVI = 202,
  RESPONSE_NAVI_ERROR = 203,
  RESPONSE_NAVI_TIMEOUT = 204,
  ULTRALIMIT = 1101,
}

/** Connection status of `onConnectionStatusChange` (adapter 5.7.0). */
export enum RCConnectionStatus {
  CONNECTED = 0,
  CONNECTING = 1,
  /** Terminal: the SDK will not reconnect by itself; `code` tells why. */
  DISCONNECTED = 2,
  /** Temporary: the SDK reconnects by itself; `code` tells why. */
  SUSPENDED = 3,
}

export enum ConversationType {
  NONE = 0,
  PRIVATE = 1,
  DISCUSSION = 2,
  GROUP = 3,
  CHATROOM = 4,
  CUSTOMER_SERVICE = 5,
  SYSTEM = 6,
  APP_PUBLIC_SERVICE = 7,
  PUBLIC_SERVICE = 8,
  RTC_ROOM = 12,
}

export enum MessageDirection {
  SEND = 1,
  RECEIVE = 2,
}

export enum SentStatus {
  SENDING = 10,
  FAILED = 20,
  SENT = 30,
  RECEIVED = 40,
  READ = 50,
  DESTROYED = 60,
}

export enum ReceivedStatus {
  UNREAD = 0,
  READ = 1,
  LISTENED = 2,
  DOWNLOADED = 4,
  /** Already fetched by another device of the same user. */
  RETRIEVED = 8,
}

export enum FileType {
  IMAGE = 1,
  AUDIO = 2,
  VIDEO = 3,
  FILE = 4,
  SIGHT = 5,
  COMBINE_HTML = 6,
}

export enum UploadMethod {
  QINIU = 1,
  ALI = 2,
  AWS = 3,
  STC = 4,
}

export enum LogLevel {
  LOG = 0,
  DEBUG = 0,
  INFO = 1,
  WARN = 2,
  ERROR = 3,
  FATAL = 4,
  NONE = 1000,
}

/** Group @ type (v2 values; the engine's own enum names 2 differently). */
export enum MentionedType {
  ALL = 1,
  PART = 2,
}

/** Chatroom member order for getChatRoomInfo (the official spelling `SQQUENCE` is kept). */
export enum GetChatRoomType {
  NONE = 0,
  SQQUENCE = 1,
  REVERSE = 2,
}

export enum VoIPMediaType {
  MEDIA_AUDIO = 1,
  MEDIA_VEDIO = 2,
  MEDIA_VIDEO = 2,
}

/** Chatroom KV change kind (chatroom listener `updatedEntries[].type`, `RC:chrmKVNotiMsg.type`). */
export enum ChatroomEntryType {
  UPDATE = 1,
  DELETE = 2,
}

/** Chatroom listener `userChange.users[userId]`. */
export enum ChatroomUserChangeType {
  QUIT = 0,
  JOIN = 1,
}

/** Blocked-message listener `blockType`. */
export enum MessageBlockType {
  GLOBAL = 1,
  CUSTOM = 2,
  THIRD_PARTY = 3,
}

/** Conversation do-not-disturb: 1 = DND on, 2 = DND off (never the legacy 0/1 numbering). */
export enum NotificationStatus {
  OPEN = 1,
  CLOSE = 2,
}

/** CONNACK result codes (a plain object in the official client, hence not an enum here either). */
export const ConnectionState = {
  ACCEPTED: 0,
  UNACCEPTABLE_PROTOCOL_VERSION: 1,
  IDENTIFIER_REJECTED: 2,
  SERVER_UNAVAILABLE: 3,
  TOKEN_INCORRECT: 4,
  NOT_AUTHORIZED: 5,
  REDIRECT: 6,
  PACKAGE_ERROR: 7,
  APP_BLOCK_OR_DELETE: 8,
  BLOCK: 9,
  TOKEN_EXPIRE: 10,
  DEVICE_ERROR: 11,
  HOSTNAME_ERROR: 12,
  HASOHTERSAMECLIENTONLINE: 13,
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];
