/**
 * `RongIMClient.getInstance()`: the instance methods of RongIMLib v2 (API_CHECKLIST §3). Each method
 * is a thin call into a function of messaging-api / conversations-api / expansion-api, which
 * validate, run the service and answer through the callback. Methods that cannot work on Web are
 * attached from unsupported.ts so every official name exists.
 */
import * as conversations from './conversations-api';
import * as expansion from './expansion-api';
import * as messaging from './messaging-api';
import type { Runtime } from './runtime';
import { SDK_VERSION } from './runtime';
import type { UnsupportedMethod } from './unsupported';
import { CPP_ONLY_METHODS, PENDING_METHODS, RTC_METHODS, unsupported } from './unsupported';

/**
 * The `{ onSuccess, onError }` object every v2 method takes. Declared with method syntax on purpose:
 * TypeScript checks method parameters bivariantly, so an app's precisely typed handler
 * (`onSuccess(list: Conversation[])`, `onSuccess(count: number)`) is accepted without `any` here.
 */
export interface ApiCallback {
  onSuccess?(data: unknown, extra?: unknown, more?: unknown): void;
  onError?(code: number, data?: unknown): void;
  onBefore?(message: unknown): void;
}
type Callback = ApiCallback;

/** Instance → runtime, for the methods attached from unsupported.ts (they cannot read `#rt`). */
const runtimes = new WeakMap<object, Runtime>();

class IMClientMethods {
  readonly #rt: Runtime;

  constructor(runtime: Runtime) {
    this.#rt = runtime;
    runtimes.set(this, runtime);
  }

  // ---------------------------------------------------------------- connection / session

  getCurrentUserId(): string {
    return this.#rt.engine?.userId ?? '';
  }

  getCurrentConnectionStatus(): number {
    return this.#rt.lastStatus;
  }

  async disconnect(): Promise<void> {
    const rt = this.#rt;
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
    this.#rt.services?.detach();
  }

  /** Drops the current user's in-memory caches (conversation list, drafts, latest messages) — seed L1374. */
  clearCache(): void {
    const rt = this.#rt;
    rt.services?.conversations.reset();
    rt.session?.drafts.clear();
    rt.session?.latest.clear();
  }

  getNavi(): Readonly<Record<string, unknown>> {
    return this.#rt.engine?.navi ?? {};
  }

  getSDKInfo(): { version: string } {
    return { version: SDK_VERSION };
  }

  getAppInfo(): { appKey: string } {
    return { appKey: this.#rt.appKey };
  }

  /** Plugins (RTC v5) are not supported: always null. */
  install(plugin: unknown, options?: unknown): null {
    void options;
    this.#rt.logger.warn(`install: plugins are not supported (${typeof plugin})`);
    return null;
  }

  /** Deprecated no-op. */
  setDeviceInfo(option?: unknown): void {
    void option;
  }

  // ---------------------------------------------------------------- conversations

  getConversationList(callback: Callback, conversationTypes?: number[] | null, count?: number): void {
    conversations.getConversationList(this.#rt, callback, conversationTypes, count);
  }

  getConversation(conversationType: number, targetId: string, callback: Callback): void {
    conversations.getConversation(this.#rt, conversationType, targetId, callback);
  }

  removeConversation(conversationType: number, targetId: string, callback?: Callback): void {
    conversations.removeConversation(this.#rt, conversationType, targetId, callback);
  }

  clearConversations(callback?: Callback, conversationTypes?: number[]): void {
    conversations.clearConversations(this.#rt, callback, conversationTypes);
  }

  setConversationStatus(conversationType: number, targetId: string, status: { isTop?: boolean; notificationStatus?: 1 | 2 }, callback?: Callback): void {
    conversations.setConversationStatus(this.#rt, conversationType, targetId, status, callback);
  }

  // ---------------------------------------------------------------- unread counts (local)

  getTotalUnreadCount(callback: Callback, conversationTypes?: number[], includeMuted?: boolean): void {
    conversations.getTotalUnreadCount(this.#rt, callback, conversationTypes, includeMuted);
  }

  getUnreadCount(conversationType: number, targetId: string, callback: Callback): void {
    conversations.getUnreadCount(this.#rt, conversationType, targetId, callback);
  }

  getConversationUnreadCount(conversationTypes: number | number[], callback: Callback): void {
    conversations.getConversationUnreadCount(this.#rt, conversationTypes, callback);
  }

  clearUnreadCount(conversationType: number, targetId: string, callback?: Callback): void {
    conversations.clearUnreadCount(this.#rt, conversationType, targetId, callback);
  }

  clearAllUnreadCount(callback?: Callback): void {
    conversations.clearAllUnreadCount(this.#rt, 'clearAllUnreadCount', callback);
  }

  /** Deprecated (2.3.5): same as clearAllUnreadCount. */
  clearTotalUnreadCount(callback?: Callback): void {
    conversations.clearAllUnreadCount(this.#rt, 'clearTotalUnreadCount', callback);
  }

  // ---------------------------------------------------------------- drafts (memory only)

  saveTextMessageDraft(conversationType: number, targetId: string, draftText: string): boolean {
    return conversations.saveTextMessageDraft(this.#rt, conversationType, targetId, draftText);
  }

  getTextMessageDraft(conversationType: number, targetId: string): string | undefined {
    return conversations.getTextMessageDraft(this.#rt, conversationType, targetId);
  }

  clearTextMessageDraft(conversationType: number, targetId: string): boolean {
    return conversations.clearTextMessageDraft(this.#rt, conversationType, targetId);
  }

  // ---------------------------------------------------------------- messages

  /**
   * `(conversationType, targetId, msg, callback, isMentioned?, pushContent?, pushData?, methodType?, config?)`;
   * an object in the 8th slot is taken as `config` (seed samples).
   */
  sendMessage(conversationType: number, targetId: string, msg: unknown, callback: Callback, isMentioned?: boolean, pushContent?: string | null, pushData?: string | null, methodType?: unknown, config?: unknown): void {
    messaging.sendMessage(this.#rt, [conversationType, targetId, msg, callback, isMentioned, pushContent, pushData, methodType, config]);
  }

  sendRecallMessage(message: unknown, callback: Callback, options?: unknown): void {
    messaging.sendRecallMessage(this.#rt, message, callback, options);
  }

  sendTypingStatusMessage(conversationType: number, targetId: string, typingContentType: string, callback?: Callback): void {
    messaging.sendTypingStatusMessage(this.#rt, conversationType, targetId, typingContentType, callback);
  }

  getHistoryMessages(conversationType: number, targetId: string, timestamp: number, count: number, callback: Callback, objectName?: string, order?: 0 | 1): void {
    messaging.getHistoryMessages(this.#rt, [conversationType, targetId, timestamp, count, callback, objectName, order]);
  }

  deleteRemoteMessages(conversationType: number, targetId: string, messages: unknown[], callback?: Callback): void {
    messaging.deleteRemoteMessages(this.#rt, conversationType, targetId, messages, callback);
  }

  clearRemoteHistoryMessages(params: { conversationType: number; targetId: string; timestamp: number }, callback?: Callback): void {
    messaging.clearRemoteHistoryMessages(this.#rt, params, callback);
  }

  updateMessageExpansion(expansionDic: Record<string, string>, message: unknown, callback?: Callback): void {
    expansion.updateMessageExpansion(this.#rt, expansionDic, message, callback);
  }

  removeMessageExpansionForKey(keys: string[], message: unknown, callback?: Callback): void {
    expansion.removeMessageExpansionForKey(this.#rt, keys, message, callback);
  }

  // ---------------------------------------------------------------- read receipts

  /** Group receipts v1: answers pending `ReadReceiptRequestMessage`s; null when none is pending. */
  sendReceiptResponse(conversationType: number, targetId: string, callback: Callback): void {
    messaging.sendReceiptResponse(this.#rt, conversationType, targetId, callback);
  }

  /** Group receipts v2 need navi `grpRRVer=1`, which this server does not enable: 35003. */
  sendReadReceiptMessage(messageUIds: string[], targetId: string, callback: Callback): void {
    messaging.readReceiptV2Unavailable(this.#rt, 'sendReadReceiptMessage', callback, [messageUIds, targetId]);
  }

  getMessageReader(messageUId: string, targetId: string, callback: Callback): void {
    messaging.readReceiptV2Unavailable(this.#rt, 'getMessageReader', callback, [messageUId, targetId]);
  }

}

for (const name of [...CPP_ONLY_METHODS, ...RTC_METHODS, ...PENDING_METHODS]) {
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
export const IMClient = IMClientMethods as unknown as new (runtime: Runtime) => IMClient;
Object.defineProperty(IMClientMethods, 'name', { value: 'IMClient' });

function runtimeOf(client: object): Runtime {
  const runtime = runtimes.get(client);
  if (!runtime) throw new Error('IMClient used without a runtime');
  return runtime;
}
