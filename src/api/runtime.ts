/**
 * The state behind one RongIMLib instance (one `createRongIMLib(platform)` call): init options, the
 * engine and services created by `init`, the listeners, the message registry, and the wiring that
 * turns engine/service events into listener calls. `RongIMClient` (statics) and `IMClient`
 * (getInstance()) are thin views over it.
 */
import { createEngine } from '../client/im-engine';
import type { Engine, StateChange } from '../client/im-engine';
import type { Logger } from '../client/logger';
import { AttachSuperseded, ImServices } from '../client/services/im-services';
import type { ImMessage } from '../client/services/im-message';
import type { UserSession } from '../client/services/user-session';
import { receiptTtlMs } from '../client/services/receipt-store';
import { clampTypingExpire } from '../client/services/typing-tracker';
import type { PlatformAdapter } from '../platform/platform-adapter';
import { createApiLogger } from './api-logger';
import type { LoggerConfig, LogStdout } from './api-logger';
import { publicStatusOf } from './connection-status';
import { ConnectionStatus, LogLevel, SentStatus } from './enums';
import { ListenerSlots } from './listeners';
import type { Message } from './message';
import { MessageRegistry } from './message-registry';
import { toV2Message } from './to-v2';

/** The RongIMLib API version we are a drop-in for; sent on the wire as `sdkVer`. */
export const SDK_VERSION = '2.9.2';
/** RongCloud's public navigators, the official default when `init` gets no `navi`. */
export const DEFAULT_NAVI: readonly string[] = ['https://nav.cn.ronghub.com', 'https://nav2-cn.ronghub.com'];
const VOIP_OBJECT_NAMES: ReadonlySet<string> = new Set(['RC:VCAccept', 'RC:VCRinging', 'RC:VCSummary', 'RC:VCHangup', 'RC:VCInvite', 'RC:VCModifyMedia', 'RC:VCModifyMem']);
const MAX_REMEMBERED_IDS = 2000;

/** `RongIMClient.init` options (R292 `IInitOption` + seed additions); unknown keys are ignored. */
export interface InitOptions {
  navi?: string;
  api?: string;
  connectionType?: 'websocket' | 'comet';
  logLevel?: LogLevel;
  logStdout?: LogStdout;
  typingExpireTime?: number;
  checkCA?: boolean;
  /** Days a group read receipt (v1) is kept in storage: default 1, 1–15 (receipt-store.ts). */
  readReceiptTimeout?: number;
  indexDBSwitch?: boolean;
  debug?: boolean;
  detect?: unknown;
  protobuf?: string;
  dbPath?: string;
}

export interface RuntimeDefaults {
  /** Host log sink used when the app gives no `logStdout` (platform entries pass a console). */
  readonly logStdout?: LogStdout;
}

/** `navi` option / token suffix → http(s) base URLs without trailing '/' (seed 2.8.5). */
export function parseNaviList(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return value
    .split(/[;,]/)
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter((s) => /^https?:\/\/[^/]/i.test(s));
}

export class Runtime {
  readonly loggerConfig: LoggerConfig;
  readonly logger: Logger;
  readonly registry = new MessageRegistry();
  readonly listeners: ListenerSlots;
  appKey = '';
  engine: Engine | undefined;
  services: ImServices | undefined;
  /** Last legacy status reported, for getCurrentConnectionStatus(). */
  lastStatus: ConnectionStatus = ConnectionStatus.DISCONNECTED;
  private nextId = 1;
  private readonly ids = new Map<string, number>();
  private readonly idOrder: (string | undefined)[] = [];
  private idNext = 0;
  /** A 'connected' change whose public status waits for the user's session (see onState). */
  private heldConnected: StateChange | undefined;
  /** Settles once the latest connection's session is attached (rejects if that failed) and its CONNECTED status reported. */
  connectedReported: Promise<void> = Promise.resolve();

  constructor(
    readonly platform: PlatformAdapter,
    private readonly defaults: RuntimeDefaults = {},
  ) {
    this.loggerConfig = { level: LogLevel.WARN, stdout: defaults.logStdout };
    this.logger = createApiLogger(this.loggerConfig);
    this.listeners = new ListenerSlots(this.logger);
  }

  get initialized(): boolean {
    return this.engine !== undefined;
  }

  get session(): UserSession | undefined {
    return this.services?.session;
  }

  /** Returns false (and keeps the first configuration) when already initialised or `appKey` is bad. */
  init(appKey: unknown, options: InitOptions = {}): boolean {
    if (this.engine) {
      this.logger.warn('Repeat initialize! The first init() configuration is kept.');
      return false;
    }
    if (typeof appKey !== 'string' || appKey.trim() === '') {
      this.logger.error(`init: 'appKey' is invalid: ${JSON.stringify(appKey) ?? String(appKey)}`);
      return false;
    }
    if (typeof options.logLevel === 'number') this.loggerConfig.level = options.logLevel;
    if (typeof options.logStdout === 'function') this.loggerConfig.stdout = options.logStdout;
    else this.loggerConfig.stdout = this.defaults.logStdout;
    let connectionType: 'websocket' | 'comet' = 'websocket';
    if (options.connectionType === 'comet') connectionType = 'comet';
    else if (options.connectionType !== undefined && options.connectionType !== 'websocket') {
      this.logger.warn(`init: connectionType '${String(options.connectionType)}' is not supported; using websocket`);
    }
    const navi = parseNaviList(options.navi);
    this.appKey = appKey.trim();
    const engine = createEngine({
      platform: this.platform,
      appKey: this.appKey,
      navi: navi.length > 0 ? navi : DEFAULT_NAVI,
      connectionType,
      sdkVersion: SDK_VERSION,
      logger: this.logger,
    });
    this.engine = engine;
    const services = new ImServices({
      engine,
      platform: this.platform,
      appKey: this.appKey,
      policyOf: this.registry.policyOf,
      logger: this.logger,
      typingExpireMs: clampTypingExpire(options.typingExpireTime),
      receiptTtlMs: receiptTtlMs(options.readReceiptTimeout),
    });
    this.services = services;
    this.wire(engine, services);
    return true;
  }

  /**
   * A public Message for an internal one; the same uid keeps the same local messageId. `messageId`
   * binds a uid to an id handed out earlier (sendMessage's onBefore).
   */
  toMessage(m: ImMessage, sentStatus?: SentStatus, messageId?: number): Message {
    if (messageId !== undefined && m.messageUId !== '') this.remember(m.messageUId, messageId);
    return toV2Message(m, this.registry, {
      messageId: messageId ?? this.idFor(m.messageUId),
      ...(sentStatus !== undefined ? { sentStatus } : {}),
      receivedTime: this.platform.clock.now(),
    });
  }

  /** A fresh local message id (onBefore, failed sends). */
  newMessageId(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    return id;
  }

  private idFor(uid: string): number {
    if (uid === '') return this.newMessageId();
    let id = this.ids.get(uid);
    if (id === undefined) {
      id = this.newMessageId();
      this.remember(uid, id);
    }
    return id;
  }

  /**
   * Keeps at most MAX_REMEMBERED_IDS uids, oldest out first through a ring of them (a Map's oldest key
   * would be found by walking over the holes its own deletions leave, once per received message).
   */
  private remember(uid: string, id: number): void {
    if (!this.ids.has(uid)) {
      const evicted = this.idOrder[this.idNext];
      if (evicted !== undefined) this.ids.delete(evicted);
      this.idOrder[this.idNext] = uid;
      this.idNext = (this.idNext + 1) % MAX_REMEMBERED_IDS;
    }
    this.ids.set(uid, id);
  }

  private wire(engine: Engine, services: ImServices): void {
    engine.on('state', (change) => this.onState(change));
    engine.on('connected', ({ userId }) => {
      // Automatic reconnects (and the first connect) re-open/resume the user's session and sync; the
      // CONNECTED status held by onState is reported once that is done.
      const held = this.heldConnected;
      const release = (): void => {
        if (held !== undefined && this.heldConnected === held) {
          this.heldConnected = undefined;
          this.reportStatus(held);
        }
      };
      // A failed attach still reports CONNECTED (the connection is up) and fails the connect() call waiting on it.
      const reported = services.attach(userId, engine.connectedAt).then(release, (error: unknown) => {
        if (error instanceof AttachSuperseded) this.logger.debug(error.message);
        else this.logger.error('session attach failed', error);
        release();
        throw error;
      });
      // Automatic reconnects have no caller to tell: the failure is logged above.
      reported.catch(() => undefined);
      this.connectedReported = reported;
    });
    services.events.on('message', ({ message, leftCount, hasMore }) => this.deliver(message, leftCount, hasMore));
    services.events.on('typing', (changed) => this.listeners.emit('typingStatus', 'changed', changed));
    services.events.on('offlineFinished', () => this.listeners.emit('pullOfflineFinished', 'finished'));
    services.events.on('conversationStatus', (changed) =>
      this.listeners.emit('conversationStatus', 'changed', changed.map((s) => ({ ...s, channelId: '' }))),
    );
    services.events.on('expansionUpdated', (data) => this.listeners.emit('messageExpansion', 'updated', data));
    services.events.on('expansionDeleted', (data) => this.listeners.emit('messageExpansion', 'deleted', data));
    services.events.on('tags', () => this.listeners.emit('tag', 'changed'));
    services.events.on('conversationTags', () => this.listeners.emit('conversationTag', 'changed'));
    services.chatrooms.events.on('status', (info) => this.listeners.emit('chatRoomStatus', 'changed', info));
  }

  /**
   * CONNECTED reaches the app (status listeners, statusWatch, getCurrentConnectionStatus) only once the
   * user's session is attached, so API calls made inside that callback work (API_CHECKLIST rule 92:
   * 2.9.0, no 30001 there). A change that comes first reports the held CONNECTED before its own, so
   * the sequence stays the engine's.
   */
  private onState(change: StateChange): void {
    const held = this.heldConnected;
    if (held !== undefined) {
      this.heldConnected = undefined;
      this.reportStatus(held);
    }
    if (change.from !== change.to && (change.to === 'closed' || change.to === 'reconnecting' || change.to === 'suspended')) this.services?.pause();
    if (change.to === 'connected') {
      this.heldConnected = change;
      return;
    }
    this.reportStatus(change);
  }

  private reportStatus(change: StateChange): void {
    const status = publicStatusOf(change);
    if (!status) return;
    // An attempt that starts right after the loss was already reported as CONNECTING: said once.
    if (status.status === undefined && status.legacy === this.lastStatus) return;
    for (const legacy of status.before === undefined ? [status.legacy] : [status.before, status.legacy]) {
      this.lastStatus = legacy;
      for (const watcher of [...this.listeners.statusWatchers]) {
        try {
          watcher(legacy);
        } catch (error) {
          this.logger.error('statusWatch listener threw', error);
        }
      }
      this.listeners.emit('connectionStatus', 'changed', legacy);
    }
    if (status.status === undefined) return;
    if (status.code === undefined) this.listeners.emit('connectionStatusChange', 'changed', status.status);
    else this.listeners.emit('connectionStatusChange', 'changed', status.status, status.code);
  }

  private deliver(m: ImMessage, leftCount: number, hasMore: boolean): void {
    const message = this.toMessage(m);
    const receiptResponse = this.session?.receipts.observe(m, this.session.userId);
    if (receiptResponse) message.receiptResponse = receiptResponse;
    const watchers = this.listeners.messageWatchers;
    for (const watcher of watchers.size === 0 ? [] : [...watchers]) {
      try {
        watcher(message);
      } catch (error) {
        this.logger.error('messageWatch listener threw', error);
      }
    }
    if (VOIP_OBJECT_NAMES.has(m.objectName) && typeof this.listeners.voipProvider.onReceived === 'function') {
      try {
        this.listeners.voipProvider.onReceived(message);
      } catch (error) {
        this.logger.error('_voipProvider.onReceived threw', error);
      }
      return;
    }
    // Typing messages go to the typing listener when the app set one (R292).
    if (m.objectName === 'RC:TypSts' && this.listeners.has('typingStatus')) return;
    this.listeners.emit('receiveMessage', 'received', message, leftCount, hasMore);
  }
}
