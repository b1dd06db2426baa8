/**
 * Composition of the client services over one engine: wires inbound pushes and echoes into sync and
 * the receive pipeline, opens the per-user session on each connect, and exposes the services the
 * facade calls. Instance-based (no globals), so several clients can share a process.
 *
 * Connect flow: the facade awaits `attach(userId, connectedAt)` after the engine connected and before
 * it reports success, so every API call made in `onSuccess` already sees the user's stored state;
 * `attach` then starts the pull loop. Automatic reconnects call `attach` again (same user: the session
 * is kept, only sync restarts).
 */
import { TypedEmitter } from '../../events';
import type { Unsubscribe } from '../../events';
import type { PlatformAdapter } from '../../platform/platform-adapter';
import { decodeByName } from '../../protocol/messages';
import { ProtocolError } from '../../protocol/protocol-error';
import { conversationTypeOfTopic } from '../../protocol/topics';
import { ConversationService } from './conversations';
import { ConversationSettings } from './conversation-settings';
import type { EchoEvent, PushEvent, ServiceEngine } from './engine-port';
import { HistoryService } from './history';
import type { PolicyLookup, WireContext } from './im-message';
import { DownFlag, fromDownStream, fromEcho } from './im-message';
import { ReceivePipeline } from './receive-pipeline';
import { SendService } from './send';
import type { ServiceEvents } from './service-events';
import type { Logger } from '../logger';
import { SyncService } from './sync';
import { TypingTracker } from './typing-tracker';
import { ChatroomService } from './chatroom/chatroom-service';
import { GroupReadReceipts } from './group-read-receipts';
import { STORED_TIME_SLACK_MS, UserSession } from './user-session';

export interface ImServicesOptions {
  readonly engine: ServiceEngine;
  readonly platform: Pick<PlatformAdapter, 'storage' | 'clock' | 'lifecycle'>;
  readonly appKey: string;
  readonly policyOf: PolicyLookup;
  readonly logger: Logger;
  readonly typingExpireMs: number;
  /** How long group read receipts are kept (init `readReceiptTimeout`, receipt-store.ts); default one day. */
  readonly receiptTtlMs?: number;
}

/** An attach whose connection was dropped (logout, user switch) while the user's state was loading. */
export class AttachSuperseded extends Error {
  constructor(readonly userId: string) {
    super(`session of ${userId} superseded while loading`);
  }
}

export class ImServices {
  readonly events: TypedEmitter<ServiceEvents>;
  readonly send: SendService;
  readonly conversations: ConversationService;
  readonly history: HistoryService;
  /** Top/DND, tags and synced read positions (conversation-settings.ts). */
  readonly settings: ConversationSettings;
  readonly chatrooms: ChatroomService;
  readonly groupReceipts: GroupReadReceipts;
  private readonly sync: SyncService;
  private readonly pipeline: ReceivePipeline;
  private readonly typing: TypingTracker;
  private readonly unsubscribes: Unsubscribe[] = [];
  private current: UserSession | undefined;
  private connectedAt = 0;
  private opening: Promise<UserSession> | undefined;
  private openingKey = '';
  /** Moved by every detach: a session still loading from storage then belongs to a connection that is gone. */
  private attachGeneration = 0;
  private wireContext: WireContext | undefined;

  constructor(private readonly options: ImServicesOptions) {
    const { engine, platform, logger } = options;
    this.events = new TypedEmitter<ServiceEvents>((error, event) => logger.error(`listener for '${String(event)}' threw`, error));
    this.typing = new TypingTracker(platform.clock, options.typingExpireMs, (changed) => this.events.emit('typing', changed));
    this.pipeline = new ReceivePipeline(this.events, this.typing);
    const now = (): number => this.serverNow();
    this.send = new SendService(engine, now);
    this.conversations = new ConversationService(engine, now);
    this.history = new HistoryService(engine);
    this.settings = new ConversationSettings({ engine, conversations: this.conversations, events: this.events, now, logger });
    this.groupReceipts = new GroupReadReceipts(engine);
    this.chatrooms = new ChatroomService({
      engine,
      logger,
      now,
      deliver: (message, leftCount, hasMore) => this.events.emit('message', { message, leftCount, hasMore }),
    });
    this.sync = new SyncService({
      engine,
      clock: platform.clock,
      logger,
      deliver: (messages, finished) => {
        const session = this.current;
        if (session) this.pipeline.receivePage(session, messages, finished);
      },
      deliverOne: (message) => {
        const session = this.current;
        if (session) this.pipeline.receiveOne(session, message);
      },
      onOfflineFinished: () => this.events.emit('offlineFinished'),
    });
    // Write-behind storage: a host moving the app to the background may kill it without another
    // callback (mini-program onAppHide, a browser tab hidden before unload), so what was received is
    // written now — the stored sync cursor and seen-uid record stay as fresh as the delivered messages.
    this.unsubscribes.push(platform.lifecycle.onBackground(() => void this.current?.flush()));
    this.unsubscribes.push(engine.on('push', (event) => this.onPush(event)));
    this.unsubscribes.push(engine.on('echo', (event) => this.onEcho(event)));
  }

  /** Server-corrected "now" (ms). */
  serverNow(): number {
    return this.options.platform.clock.now() + (this.options.engine.serverTimeDelta || 0);
  }

  /** The signed-in user's session, if any. */
  get session(): UserSession | undefined {
    return this.current;
  }

  get context(): WireContext | undefined {
    const session = this.current;
    if (!session) return undefined;
    // One object per (user, connection), not one per received push.
    const cached = this.wireContext;
    if (cached !== undefined && cached.me === session.userId && cached.connectedAt === this.connectedAt) return cached;
    const context: WireContext = { me: session.userId, connectedAt: this.connectedAt, policyOf: this.options.policyOf };
    this.wireContext = context;
    return context;
  }

  /**
   * A connection for `userId` is up (first connect or automatic re-connect): loads that user's state
   * (a different user replaces the previous session) and (re)starts sync. Concurrent calls share work.
   */
  async attach(userId: string, connectedAt: number): Promise<UserSession> {
    const key = `${userId}@${connectedAt}`;
    if (this.opening && this.openingKey === key) return this.opening;
    this.connectedAt = connectedAt;
    const opening = (async (): Promise<UserSession> => {
      let session = this.current;
      if (!session || session.userId !== userId) {
        this.detach();
        const generation = this.attachGeneration;
        session = await UserSession.open({
          storage: this.options.platform.storage,
          appKey: this.options.appKey,
          userId,
          logger: this.options.logger,
          clock: this.options.platform.clock,
          ...(this.options.receiptTtlMs !== undefined ? { receiptTtl: this.options.receiptTtlMs } : {}),
          // Connected: the server's time is known.
          notAfter: this.serverNow() + STORED_TIME_SLACK_MS,
        });
        // Detached meanwhile (logout, another user, dispose): installing it would show this user's state to the next.
        if (generation !== this.attachGeneration) throw new AttachSuperseded(userId);
        this.current = session;
      }
      this.sync.start(session, { me: userId, connectedAt, policyOf: this.options.policyOf });
      this.settings.onConnected(session);
      return session;
    })();
    // Set after the synchronous part above, which may have run detach() (a user switch).
    this.opening = opening;
    this.openingKey = key;
    return opening;
  }

  /** The connection is gone (disconnect, kick): stop syncing; the session stays for the same user. */
  pause(): void {
    this.sync.stop();
    this.typing.stop();
    // Write-behind storage (user-store.ts): what the session counted so far is written now.
    void this.current?.flush();
  }

  /** Drops the user's in-memory state (clearCache, logout, user switch). Stored state stays on disk. */
  detach(): void {
    this.pause();
    this.conversations.reset();
    this.chatrooms.reset();
    this.current = undefined;
    this.opening = undefined;
    this.openingKey = '';
    this.attachGeneration += 1;
  }

  dispose(): void {
    this.detach();
    this.chatrooms.dispose();
    for (const off of this.unsubscribes.splice(0)) off();
  }

  private onPush(event: PushEvent): void {
    const session = this.current;
    const context = this.context;
    if (!session || !context) return;
    try {
      if (this.settings.onPush(session, event)) return;
      switch (event.topic) {
        case 's_ntf': {
          const notify = decodeByName('NotifyMsg', event.payload);
          if (notify.type !== 2) this.sync.notify(Number(notify.time ?? 0));
          break;
        }
        case 's_msg': {
          // Sync holds it while a pull round is in flight (order); the inbox cursor stays for pulls to move
          // (sync.ts), and the uid dedupe drops one a pull page already brought or brings again.
          const down = decodeByName('DownStreamMessage', event.payload);
          let message = fromDownStream(down, context);
          // Pushed without the stored/counted bits: sent as a status message (isStatusMessage), so
          // whatever its type it is neither stored nor counted here either.
          if ((Number(down.status) & (DownFlag.Persisted | DownFlag.Counted)) === 0 && !message.status) {
            message = { ...message, persisted: false, counted: false, status: true };
          }
          this.sync.push(message);
          break;
        }
        default:
          break;
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.options.logger.warn(`undecodable ${event.topic} push`, error);
    }
  }

  private onEcho(event: EchoEvent): void {
    const session = this.current;
    const context = this.context;
    if (!session || !context) return;
    const conversationType = conversationTypeOfTopic(event.topic);
    if (conversationType === undefined) return;
    try {
      const upstream = decodeByName('UpStreamMessage', event.upstream);
      const message = fromEcho({ conversationType, targetId: event.targetId, upstream, sentTime: event.sentTime, messageUId: event.messageUId }, context);
      // Through sync, in arrival order with the s_msg pushes it holds while a pull round is in flight (sync.ts).
      this.sync.echo(message);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.options.logger.warn('undecodable echo', error);
    }
  }
}
