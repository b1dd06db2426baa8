/**
 * `RongIMClient.getInstance()`: the instance methods of RongIMLib v2 (API_CHECKLIST §3). Each method
 * is a thin call into a function of messaging-api / conversations-api / expansion-api, which
 * validate, run the service and answer through the callback. Methods that cannot work on Web are
 * attached from unsupported.ts so every official name exists.
 */
import * as chatroom from './chatroom-api';
import * as conversations from './conversations-api';
import * as expansion from './expansion-api';
import * as files from './files-api';
import * as messaging from './messaging-api';
import * as tags from './tags-api';
import type { ChatroomInfo } from '../client/services/chatroom/chatroom-service';
import type { FileTokenResult, FileUrlResult } from '../client/services/files';
import type { ConnectionStatus } from './enums';
import type { MessageReaders } from '../client/services/group-read-receipts';
import type { Message } from './message';
import type { Runtime } from './runtime';
import type { ConversationTagResult, TagInfoResult, V2ConversationInTag } from './tags-api';
import type { V2Conversation } from './to-v2';
import { SDK_VERSION } from './runtime';
import type { UnsupportedMethod } from './unsupported';
import { CPP_ONLY_METHODS, RTC_METHODS, unsupported } from './unsupported';

/**
 * The `{ onSuccess, onError }` object every v2 method takes, typed per method with what our runtime hands
 * on: `T` is onSuccess's first argument (`void` when a call succeeds with nothing, as the official
 * `ICallback<void>`), `O` its second (history's `hasMore`), `E` the detail onError may carry after the code
 * (`undefined`: none). So an app that relies on inference (`onSuccess: (m) => m.messageUId`) gets real
 * types. Declared with method syntax on purpose: TypeScript checks method parameters bivariantly, so an
 * app's own annotations (`onError(code: ErrorCode)`, `onSuccess(list: IConversation[])`) are accepted too.
 */
export interface ApiCallback<T = void, O = void, E = undefined> {
  onSuccess?(data: T, other: O): void;
  onError?(code: number, data?: E): void;
}

/**
 * `sendMessage`'s callback: `onBefore(messageId)` before the message leaves, `onSuccess(message)` once the
 * server took it, `onError(code, message)` with the failed message (absent when the arguments were invalid
 * or the client is not initialised).
 */
export interface SendMessageCallback extends ApiCallback<Message, void, Message> {
  onBefore?(messageId: number): void;
}

/** onError's detail of the batch chatroom entry calls (23428): the refused keys with their codes. */
export type ChatroomEntriesFailure = Record<string, number>;

type Callback<T = void, O = void, E = undefined> = ApiCallback<T, O, E>;

/** A chatroom KV entry as apps pass it (remove calls need only `key`). */
export interface ChatroomEntryInput {
  key: string;
  value?: string;
  isSendNotification?: boolean;
  notificationExtra?: string;
  isAutoDelete?: boolean;
}

/**
 * Instance → runtime: private to this module, so apps never see the runtime on the instance. (A
 * `#rt` field did the same, but ES2017/ES2020 builds lower every read of it to a helper call.)
 */
const runtimes = new WeakMap<object, Runtime>();

class IMClientMethods {

  // ---------------------------------------------------------------- connection / session

  getCurrentUserId(): string {
    return runtimeOf(this).engine?.userId ?? '';
  }

  getCurrentConnectionStatus(): ConnectionStatus {
    return runtimeOf(this).lastStatus;
  }

  async disconnect(): Promise<void> {
    const rt = runtimeOf(this);
    rt.services?.pause();
    try {
      await rt.engine?.disconnect();
    } catch (error) {
      rt.logger.warn('disconnect failed', error);
    }
  }

  /** Used when switching users: disconnects and forgets the user's in-memory state. */
  async logout(): Promise<void> {
    await this.disconnect();
    runtimeOf(this).services?.detach();
  }

  /** Drops the current user's in-memory caches (conversation list, drafts, latest messages) — seed L1374. */
  clearCache(): void {
    const rt = runtimeOf(this);
    rt.services?.conversations.reset();
    rt.session?.drafts.clear();
    rt.session?.latest.clear();
  }

  getNavi(): Readonly<Record<string, unknown>> {
    return runtimeOf(this).engine?.navi ?? {};
  }

  getSDKInfo(): { version: string } {
    return { version: SDK_VERSION };
  }

  getAppInfo(): { appKey: string } {
    return { appKey: runtimeOf(this).appKey };
  }

  /** Plugins (RTC v5) are not supported: always null. */
  install(plugin: unknown, options?: unknown): null {
    void options;
    runtimeOf(this).logger.warn(`install: plugins are not supported (${typeof plugin})`);
    return null;
  }

  /** Deprecated no-op. */
  setDeviceInfo(option?: unknown): void {
    void option;
  }

  // ---------------------------------------------------------------- conversations

  getConversationList(callback: Callback<V2Conversation[]>, conversationTypes?: number[] | null, count?: number): void {
    conversations.getConversationList(runtimeOf(this), callback, conversationTypes, count);
  }

  getConversation(conversationType: number, targetId: string, callback: Callback<V2Conversation | null>): void {
    conversations.getConversation(runtimeOf(this), conversationType, targetId, callback);
  }

  removeConversation(conversationType: number, targetId: string, callback?: Callback): void {
    conversations.removeConversation(runtimeOf(this), conversationType, targetId, callback);
  }

  clearConversations(callback?: Callback<boolean>, conversationTypes?: number[]): void {
    conversations.clearConversations(runtimeOf(this), callback, conversationTypes);
  }

  setConversationStatus(conversationType: number, targetId: string, status: { isTop?: boolean; notificationStatus?: 1 | 2 }, callback?: Callback): void {
    conversations.setConversationStatus(runtimeOf(this), conversationType, targetId, status, callback);
  }

  // ---------------------------------------------------------------- unread counts (local)

  getTotalUnreadCount(callback: Callback<number>, conversationTypes?: number[], includeMuted?: boolean): void {
    conversations.getTotalUnreadCount(runtimeOf(this), callback, conversationTypes, includeMuted);
  }

  getUnreadCount(conversationType: number, targetId: string, callback: Callback<number>): void {
    conversations.getUnreadCount(runtimeOf(this), conversationType, targetId, callback);
  }

  getConversationUnreadCount(conversationTypes: number | number[], callback: Callback<number>): void {
    conversations.getConversationUnreadCount(runtimeOf(this), conversationTypes, callback);
  }

  clearUnreadCount(conversationType: number, targetId: string, callback?: Callback<boolean>): void {
    conversations.clearUnreadCount(runtimeOf(this), conversationType, targetId, callback);
  }

  clearAllUnreadCount(callback?: Callback<boolean>): void {
    conversations.clearAllUnreadCount(runtimeOf(this), 'clearAllUnreadCount', callback);
  }

  /** Deprecated (2.3.5): same as clearAllUnreadCount. */
  clearTotalUnreadCount(callback?: Callback<boolean>): void {
    conversations.clearAllUnreadCount(runtimeOf(this), 'clearTotalUnreadCount', callback);
  }

  // ---------------------------------------------------------------- drafts (memory only)

  saveTextMessageDraft(conversationType: number, targetId: string, draftText: string): boolean {
    return conversations.saveTextMessageDraft(runtimeOf(this), conversationType, targetId, draftText);
  }

  getTextMessageDraft(conversationType: number, targetId: string): string | undefined {
    return conversations.getTextMessageDraft(runtimeOf(this), conversationType, targetId);
  }

  clearTextMessageDraft(conversationType: number, targetId: string): boolean {
    return conversations.clearTextMessageDraft(runtimeOf(this), conversationType, targetId);
  }

  // ---------------------------------------------------------------- messages

  /**
   * `(conversationType, targetId, msg, callback, isMentioned?, pushContent?, pushData?, methodType?, config?)`;
   * an object in the 8th slot is taken as `config` (seed samples).
   */
  sendMessage(conversationType: number, targetId: string, msg: unknown, callback: SendMessageCallback, isMentioned?: boolean, pushContent?: string | null, pushData?: string | null, methodType?: unknown, config?: unknown): void {
    messaging.sendMessage(runtimeOf(this), [conversationType, targetId, msg, callback, isMentioned, pushContent, pushData, methodType, config]);
  }

  sendRecallMessage(message: unknown, callback: Callback<Message>, options?: unknown): void {
    messaging.sendRecallMessage(runtimeOf(this), message, callback, options);
  }

  sendTypingStatusMessage(conversationType: number, targetId: string, typingContentType: string, callback?: Callback<Message>): void {
    messaging.sendTypingStatusMessage(runtimeOf(this), conversationType, targetId, typingContentType, callback);
  }

  getHistoryMessages(conversationType: number, targetId: string, timestamp: number, count: number, callback: Callback<Message[], boolean>, objectName?: string, order?: 0 | 1): void {
    messaging.getHistoryMessages(runtimeOf(this), [conversationType, targetId, timestamp, count, callback, objectName, order]);
  }

  deleteRemoteMessages(conversationType: number, targetId: string, messages: unknown[], callback?: Callback): void {
    messaging.deleteRemoteMessages(runtimeOf(this), conversationType, targetId, messages, callback);
  }

  clearRemoteHistoryMessages(params: { conversationType: number; targetId: string; timestamp: number }, callback?: Callback): void {
    messaging.clearRemoteHistoryMessages(runtimeOf(this), params, callback);
  }

  updateMessageExpansion(expansionDic: Record<string, string>, message: unknown, callback?: Callback): void {
    expansion.updateMessageExpansion(runtimeOf(this), expansionDic, message, callback);
  }

  removeMessageExpansionForKey(keys: string[], message: unknown, callback?: Callback): void {
    expansion.removeMessageExpansionForKey(runtimeOf(this), keys, message, callback);
  }

  // ---------------------------------------------------------------- conversation tags (synced)

  /** `tag`: `{tagId ≤ 10, tagName ≤ 15}`; at most 20 tags per user (26004). */
  createTag(tag: { tagId: string; tagName: string }, callback?: Callback): void {
    tags.createTag(runtimeOf(this), tag, callback);
  }

  removeTag(tagId: string, callback?: Callback): void {
    tags.removeTag(runtimeOf(this), tagId, callback);
  }

  updateTag(tag: { tagId: string; tagName: string }, callback?: Callback): void {
    tags.updateTag(runtimeOf(this), tag, callback);
  }

  /** `onSuccess([{tagId, tagName, conversationCount, createdTime}])`, oldest first. */
  getTagList(callback: Callback<TagInfoResult[]>): void {
    tags.getTagList(runtimeOf(this), callback);
  }

  /** `conversations`: `[{type, targetId}]`, at most 1000 (34013); at most 1000 conversations per tag. */
  addTagForConversations(tagId: string, conversations: Array<{ type: number; targetId: string; channelId?: string }>, callback?: Callback): void {
    tags.addTagForConversations(runtimeOf(this), tagId, conversations, callback);
  }

  /** One tag off many conversations. */
  removeTagForConversations(tagId: string, conversations: Array<{ type: number; targetId: string; channelId?: string }>, callback?: Callback): void {
    tags.removeTagForConversations(runtimeOf(this), tagId, conversations, callback);
  }

  /** Many tags off one conversation. */
  removeTagsForConversation(conversation: { type: number; targetId: string; channelId?: string }, tagIds: string[], callback?: Callback): void {
    tags.removeTagsForConversation(runtimeOf(this), conversation, tagIds, callback);
  }

  /** `onSuccess([{tagId, tagName, createdTime, isTop}])`. */
  getTagsForConversation(conversation: { type: number; targetId: string; channelId?: string }, callback: Callback<ConversationTagResult[]>): void {
    tags.getTagsForConversation(runtimeOf(this), conversation, callback);
  }

  /** Conversations of the tag older than `startTime` (0 = now), at most `count`, each with `isTopInTag`. */
  getConversationListByTag(tagId: string, count: number, startTime: number, callback: Callback<V2ConversationInTag[]>): void {
    tags.getConversationListByTag(runtimeOf(this), tagId, count, startTime, callback);
  }

  getUnreadCountByTag(tagId: string, containMuted: boolean, callback: Callback<number>): void {
    tags.getUnreadCountByTag(runtimeOf(this), tagId, containMuted, callback);
  }

  /** Top inside the tag only (the global top is setConversationStatus); 33102 if the conversation lacks the tag. */
  setConversationStatusInTag(tagId: string, conversation: { type: number; targetId: string; channelId?: string }, status: { isTop: boolean }, callback?: Callback): void {
    tags.setConversationStatusInTag(runtimeOf(this), tagId, conversation, status, callback);
  }

  // ---------------------------------------------------------------- read receipts

  /** Group receipts v1: answers pending `ReadReceiptRequestMessage`s; null when none is pending. */
  sendReceiptResponse(conversationType: number, targetId: string, callback: Callback<Message | null>): void {
    messaging.sendReceiptResponse(runtimeOf(this), conversationType, targetId, callback);
  }

  /** Group receipts v2 (navi `grpRRVer=1`, else 35003): marks the messages read (`rrMsg`). */
  sendReadReceiptMessage(messageUIds: string[], targetId: string, callback: Callback): void {
    messaging.sendReadReceiptMessage(runtimeOf(this), messageUIds, targetId, callback);
  }

  /** Group receipts v2: `onSuccess({totalMemberCount, list: [{userId, readTime}]})` (`rrList`). */
  getMessageReader(messageUId: string, targetId: string, callback: Callback<MessageReaders>): void {
    messaging.getMessageReader(runtimeOf(this), messageUId, targetId, callback);
  }

  // ---------------------------------------------------------------- chatrooms

  /** Joins with the latest `count` (0–50, default 10) room messages delivered to the message listener. */
  joinChatRoom(chatRoomId: string, count: number, callback: Callback): void {
    chatroom.joinChatRoom(runtimeOf(this), chatRoomId, count, callback);
  }

  quitChatRoom(chatRoomId: string, callback: Callback): void {
    chatroom.quitChatRoom(runtimeOf(this), chatRoomId, callback);
  }

  /** `onSuccess({userInfos: [{id, time}], userTotalNums})`; count 0–20, order 1 join-time ascending / 2 descending. */
  getChatRoomInfo(chatRoomId: string, count: number, order: number, callback: Callback<ChatroomInfo>): void {
    chatroom.getChatRoomInfo(runtimeOf(this), chatRoomId, count, order, callback);
  }

  /** `onSuccess(messages, hasMore)`; order 0 = older than `timestamp` (0 = now), 1 = newer. */
  getChatRoomHistoryMessages(chatRoomId: string, count: number, order: 0 | 1, callback: Callback<Message[], boolean>, timestamp?: number): void {
    chatroom.getChatRoomHistoryMessages(runtimeOf(this), chatRoomId, count, order, callback, timestamp);
  }

  setChatroomEntry(chatRoomId: string, entry: ChatroomEntryInput, callback?: Callback): void {
    chatroom.changeChatroomEntry(runtimeOf(this), 'setChatroomEntry', chatRoomId, entry, callback, false, false);
  }

  forceSetChatroomEntry(chatRoomId: string, entry: ChatroomEntryInput, callback?: Callback): void {
    chatroom.changeChatroomEntry(runtimeOf(this), 'forceSetChatroomEntry', chatRoomId, entry, callback, false, true);
  }

  removeChatroomEntry(chatRoomId: string, entry: ChatroomEntryInput, callback?: Callback): void {
    chatroom.changeChatroomEntry(runtimeOf(this), 'removeChatroomEntry', chatRoomId, entry, callback, true, false);
  }

  forceRemoveChatroomEntry(chatRoomId: string, entry: ChatroomEntryInput, callback?: Callback): void {
    chatroom.changeChatroomEntry(runtimeOf(this), 'forceRemoveChatroomEntry', chatRoomId, entry, callback, true, true);
  }

  /** `options.entries`: `{key: value}` (seed) or `[{key, value}]` (5.x); `isAutoDelete?`, `isForce?`. */
  setChatRoomEntries(chatRoomId: string, options: { entries: Record<string, string> | Array<{ key: string; value: string }>; isAutoDelete?: boolean; isForce?: boolean }, callback?: Callback<void, void, ChatroomEntriesFailure>): void {
    chatroom.changeChatRoomEntries(runtimeOf(this), 'setChatRoomEntries', chatRoomId, options, callback, false);
  }

  /** `options.entries`: `[{key}]` (or key strings); `isForce?`. */
  removeChatRoomEntries(chatRoomId: string, options: { entries: Array<{ key: string } | string>; isForce?: boolean }, callback?: Callback<void, void, ChatroomEntriesFailure>): void {
    chatroom.changeChatRoomEntries(runtimeOf(this), 'removeChatRoomEntries', chatRoomId, options, callback, true);
  }

  /** The locally known value (`onSuccess(value)`), 23427 when absent. */
  getChatroomEntry(chatRoomId: string, key: string, callback: Callback<string>): void {
    chatroom.getChatroomEntry(runtimeOf(this), chatRoomId, key, callback);
  }

  getAllChatroomEntries(chatRoomId: string, callback: Callback<Record<string, string>>): void {
    chatroom.getAllChatroomEntries(runtimeOf(this), chatRoomId, callback);
  }

  // ---------------------------------------------------------------- files (upload token, download URL)

  /** `onSuccess({token, deadline, fileName, bos, qiniu, ossConfig, …})`; upload to `qiniu` (the navi uploadServer). */
  getFileToken(fileType: number, callback: Callback<FileTokenResult>, fileName?: string, httpMethod?: 'POST' | 'PUT', queryString?: string): void {
    void files.getFileToken(runtimeOf(this), fileType, callback, fileName, httpMethod, queryString);
  }

  /** `onSuccess({downloadUrl})` for an uploaded object key (`data.filename` of the upload). */
  getFileUrl(fileType: number, fileName: string, oriName: string | null | undefined, callback: Callback<FileUrlResult>, uploadRes?: object, uploadMethod?: number): void {
    void files.getFileUrl(runtimeOf(this), fileType, fileName, oriName, callback, uploadRes, uploadMethod);
  }

}

for (const name of [...CPP_ONLY_METHODS, ...RTC_METHODS]) {
  Object.defineProperty(IMClientMethods.prototype, name, {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function (this: IMClientMethods, ...args: unknown[]): null {
      return unsupported(runtimeOf(this), name, args);
    },
  });
}

/** The instance type: the implemented methods plus the NOT_SUPPORT ones attached above. */
export type IMClient = IMClientMethods & Record<UnsupportedMethod, (...args: unknown[]) => null>;
/**
 * The class apps see (`instanceof RongIMLib.IMClient`). Instances come from `RongIMClient.getInstance()`,
 * made by createIMClient: the runtime is not a constructor parameter, so the published declarations
 * never name it (it would carry the whole engine, and the wire schema's types, into every .d.ts).
 */
export const IMClient = IMClientMethods as unknown as new () => IMClient;
Object.defineProperty(IMClientMethods, 'name', { value: 'IMClient' });

/** The instance `RongIMClient.init` makes for a runtime. */
export function createIMClient(runtime: Runtime): IMClient {
  const client = new IMClientMethods();
  runtimes.set(client, runtime);
  return client as IMClient;
}

function runtimeOf(client: object): Runtime {
  const runtime = runtimes.get(client);
  if (!runtime) throw new Error('IMClient used without a runtime');
  return runtime;
}
