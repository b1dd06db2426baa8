/**
 * `RongIMLib.RongIMClient`: the static side of RongIMLib v2 (API_CHECKLIST §2) — init, connect,
 * listeners, custom message registration. `createRongIMLib(platform)` makes one independent instance
 * per host adapter (platforms/<host>/index.ts call it); there is no global platform and no global
 * state, so tests can run several clients in one process.
 *
 * Nothing here throws at the app: bad arguments are logged and, where a callback exists, reported
 * as 33003 (API_CHECKLIST "Decisions").
 */
import type { Logger } from '../client/logger';
import { errorCodeOf, ErrorCode, isTokenIncorrectCode, SdkError } from '../errors';
import type { PlatformAdapter } from '../platform/platform-adapter';
import { createApiLogger } from './api-logger';
import { callMember, fail, later } from './callbacks';
import { createIMClient } from './im-client';
import type { IMClient } from './im-client';
import type { ConnectionStatus } from './enums';
import type {
  ChatRoomStatusListener,
  ConnectionStatusChangeListener,
  ConnectionStatusListener,
  ConversationStatusListener,
  ListenerKind,
  MessageBlockedListener,
  MessageExpansionListener,
  PullOfflineFinishedListener,
  ReceiveMessageListener,
  TagListener,
  TypingStatusListener,
} from './listeners';
import type { Message } from './message';
import type { MessageClass } from './message-classes';
import { createMessageTypeMap } from './message-types';
import type { InitOptions, RuntimeDefaults } from './runtime';
import { parseNaviList, Runtime } from './runtime';
import { describeValue } from './validate';

/** `connect` / `reconnect`: `onSuccess(userId)`, `onTokenIncorrect()` (token incorrect or expired), `onError(code)`. */
export interface ConnectCallbacks {
  onSuccess?(userId: string): void;
  onTokenIncorrect?(): void;
  onError?(code: number): void;
}

export interface RongIMClientStatic {
  init(appKey: string, dataAccessProvider?: unknown, options?: InitOptions): void;
  getInstance(): IMClient;
  connect(token: string, callbacks: ConnectCallbacks): Promise<void>;
  reconnect(callbacks: ConnectCallbacks, options?: unknown): Promise<void>;
  setConnectionStatusListener(listener: ConnectionStatusListener): void;
  onConnectionStatusChange(listener: ConnectionStatusChangeListener): void;
  setOnReceiveMessageListener(listener: ReceiveMessageListener): void;
  setConversationStatusListener(listener: ConversationStatusListener): void;
  setPullOfflineFinished(listener: PullOfflineFinishedListener): void;
  setMessageBlockedListener(listener: MessageBlockedListener): void;
  setChatRoomStatusListener(listener: ChatRoomStatusListener): void;
  setMessageExpansionListener(listener: MessageExpansionListener): void;
  setTagListener(listener: TagListener): void;
  setConversationTagListener(listener: TagListener): void;
  setTypingStatusListener(listener: TypingStatusListener): void;
  registerMessageType(messageType: string, objectName: string, messageTag: { isCounted: boolean; isPersited: boolean }, searchProps?: string[]): void;
  readonly RegisterMessage: Record<string, MessageClass>;
  readonly RegisterMessageTypeMapping: Record<string, string>;
  getMessageObjectName(messageType: string): string;
  readonly MessageType: Record<string, string>;
  createLogger(tag: string, type?: string): Logger | null;
  messageWatch(watcher: (message: Message) => void): void;
  statusWatch(watcher: (status: ConnectionStatus) => void): void;
  readonly _voipProvider: { onReceived?: (message: Message) => void };
}

export interface RongIMLibInstance {
  readonly RongIMClient: RongIMClientStatic;
}

function listenerSetter(rt: Runtime, kind: ListenerKind): (listener: unknown) => void {
  return (listener: unknown) => rt.listeners.set(kind, listener);
}

async function finishConnect(rt: Runtime, callbacks: ConnectCallbacks, connecting: Promise<{ userId: string }>): Promise<void> {
  try {
    const { userId } = await connecting;
    // The user's stored state is loaded, and CONNECTED reported, before onSuccess, so calls made inside
    // either see it.
    await rt.connectedReported;
    const state = rt.engine?.state;
    // A disconnect() (or a kick) from inside the CONNECTED callback ends this connect as a failure.
    if (state === 'closed' || state === 'idle') throw new SdkError(ErrorCode.RC_SOCKET_DISCONNECTED);
    callMember(rt.logger, callbacks, 'onSuccess', userId);
  } catch (error) {
    const code = errorCodeOf(error);
    // The documented callback for a token that cannot work (seed L1181, L4397); an app that gave none gets onError.
    if (isTokenIncorrectCode(code) && typeof callbacks?.onTokenIncorrect === 'function') callMember(rt.logger, callbacks, 'onTokenIncorrect');
    else callMember(rt.logger, callbacks, 'onError', code);
  }
}

export function createRongIMLib(platform: PlatformAdapter, defaults: RuntimeDefaults = {}): RongIMLibInstance {
  const rt = new Runtime(platform, defaults);
  let instance: IMClient | undefined;

  const RongIMClient: RongIMClientStatic = {
    init(appKey: string, _dataAccessProvider?: unknown, options?: InitOptions): void {
      const ok = rt.init(appKey, typeof options === 'object' && options !== null ? options : {});
      if (ok) instance = createIMClient(rt);
    },

    getInstance(): IMClient {
      // Before init the official client returns undefined; the type says IMClient as in R292's typings.
      return instance as IMClient;
    },

    connect(token: string, callbacks: ConnectCallbacks): Promise<void> {
      const engine = rt.engine;
      if (!engine) {
        rt.logger.warn('connect: RongIMClient.init() has not been called');
        fail(rt.logger, callbacks, ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT);
        return Promise.resolve();
      }
      if (typeof token !== 'string' || token.trim() === '') {
        rt.logger.warn(`connect: 'token' is invalid: ${describeValue(token)}`);
        later(() => callMember(rt.logger, callbacks, 'onTokenIncorrect'));
        return Promise.resolve();
      }
      if (engine.state === 'connected') {
        const userId = engine.userId;
        later(() => callMember(rt.logger, callbacks, 'onSuccess', userId));
        return Promise.resolve();
      }
      if (engine.state === 'connecting' || engine.state === 'reconnecting') {
        fail(rt.logger, callbacks, ErrorCode.BIZ_ERROR_CONNECTING);
        return Promise.resolve();
      }
      // A token may carry its own navigators: "<token>@<navi1>;<navi2>" (the engine reads them).
      return finishConnect(rt, callbacks, engine.connect(token));
    },

    reconnect(callbacks: ConnectCallbacks, options?: unknown): Promise<void> {
      void options; // `{auto, url, rate}` is deprecated since 2.6.0 and ignored.
      const engine = rt.engine;
      if (!engine) {
        fail(rt.logger, callbacks, ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT);
        return Promise.resolve();
      }
      // Only after an explicit disconnect(); otherwise 35007 (engine rule, seed ≥ 2.9.4).
      return finishConnect(rt, callbacks, engine.reconnect());
    },

    setConnectionStatusListener: listenerSetter(rt, 'connectionStatus'),
    onConnectionStatusChange: listenerSetter(rt, 'connectionStatusChange'),
    setOnReceiveMessageListener: listenerSetter(rt, 'receiveMessage'),
    setConversationStatusListener: listenerSetter(rt, 'conversationStatus'),
    setPullOfflineFinished: listenerSetter(rt, 'pullOfflineFinished'),
    setMessageBlockedListener: listenerSetter(rt, 'messageBlocked'),
    setChatRoomStatusListener: listenerSetter(rt, 'chatRoomStatus'),
    setMessageExpansionListener: listenerSetter(rt, 'messageExpansion'),
    setTagListener: listenerSetter(rt, 'tag'),
    setConversationTagListener: listenerSetter(rt, 'conversationTag'),
    setTypingStatusListener: listenerSetter(rt, 'typingStatus'),

    registerMessageType(messageType: string, objectName: string, messageTag: { isCounted: boolean; isPersited: boolean }, searchProps?: string[]): void {
      void searchProps; // Web ignores search properties.
      if (typeof messageType !== 'string' || messageType === '' || typeof objectName !== 'string' || objectName === '') {
        rt.logger.warn(`registerMessageType: invalid messageType/objectName ${describeValue([messageType, objectName])}`);
        return;
      }
      const tag = (typeof messageTag === 'object' && messageTag !== null ? messageTag : {}) as { isCounted?: unknown; isPersited?: unknown };
      const problem = rt.registry.register(messageType, objectName, tag.isCounted === true, tag.isPersited === true);
      if (problem !== undefined) rt.logger.warn(`registerMessageType: ${problem}`);
    },
    RegisterMessage: rt.registry.RegisterMessage,
    RegisterMessageTypeMapping: rt.registry.RegisterMessageTypeMapping,
    getMessageObjectName(messageType: string): string {
      return rt.registry.objectNameOf(messageType);
    },
    MessageType: createMessageTypeMap(),

    createLogger(tag: string, type?: string): Logger | null {
      void type;
      if (typeof tag !== 'string' || tag === '' || tag.startsWith('RC')) {
        rt.logger.warn(`createLogger: tag '${String(tag)}' is reserved or invalid`);
        return null;
      }
      return createApiLogger(rt.loggerConfig, tag);
    },
    messageWatch(watcher: (message: Message) => void): void {
      if (typeof watcher === 'function') rt.listeners.messageWatchers.add(watcher);
    },
    statusWatch(watcher: (status: ConnectionStatus) => void): void {
      if (typeof watcher === 'function') rt.listeners.statusWatchers.add(watcher);
    },
    _voipProvider: rt.listeners.voipProvider,
  };
  return { RongIMClient };
}

export { parseNaviList };
