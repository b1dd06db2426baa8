/**
 * The connection engine the RongIMLib facade and the services build on: connect/disconnect,
 * PUBLISH/QUERY with ack correlation, server pushes (acked here) and multi-device echoes.
 * Instance-based: every engine has its own platform, state and timers.
 *
 * Request outcomes: publish()/query() resolve with the server's status (0 or an error code the
 * server chose) and reject with EngineError for local failures: -1 no ack within 30 s, 30001 not
 * connected (and not about to be), 30011 the connection went away while waiting, 30002 went
 * offline while queued. While connecting/reconnecting requests wait for the connection.
 */
import type { Frame, PubackFrame, PublishFrame, QueryAckFrame } from '../protocol/frame';
import type { PlatformAdapter, TimerId } from '../platform/platform-adapter';
import type { ConnectionTypeOption } from '../transport/transport-selector';
import { Connection, CONNECTION_DEFAULTS, type ConnectionTiming } from './connection';
import { STATE_POLICY, type ConnectionState, type StateCause, type StateChange } from './connection-states';
import { EngineCode, EngineError } from './engine-error';
import type { HeartbeatOptions } from './heartbeat';
import { SILENT_LOGGER, type Logger } from './logger';
import { PendingRequests, REQUEST_TIMEOUT_MS, type Settlement } from './pending-requests';
import type { ReconnectPolicy } from './reconnect-policy';

export const LIANXIN_VERSION = '0.1.0';

export interface EngineOptions {
  readonly platform: PlatformAdapter;
  readonly appKey: string;
  /** Navigator base URLs (`http(s)://host[:port]`); a token's `@navi` suffix is tried first. */
  readonly navi: readonly string[];
  /** 'comet' = comet only; 'websocket'/undefined = WebSocket first, comet as fallback. */
  readonly connectionType?: 'websocket' | 'comet';
  /** `sdkVer`/navi `v` sent on the wire: the RongIMLib API version we are compatible with, e.g. '2.9.2'. */
  readonly sdkVersion: string;
  readonly logger?: Logger;
  /** Our own version, sent as `lianxin=`; defaults to LIANXIN_VERSION. */
  readonly lianxinVersion?: string;
  /** Random source for back-off jitter and probe cache-busters (tests). */
  readonly random?: () => number;
  readonly timing?: Partial<ConnectionTiming>;
  readonly heartbeat?: Partial<HeartbeatOptions>;
  readonly reconnectPolicy?: ReconnectPolicy;
}

export interface PublishOptions {
  /** Frame qos; default 1. qos 0 still waits for the PUBACK (E4 RTC topics). */
  readonly qos?: 0 | 1;
  /** Fire-and-forget status message (typing…): messageId 0, resolves once written. */
  readonly statusMessage?: boolean;
}

export interface PublishResult {
  readonly status: number;
  /** Server time of the message, ms (`date*1000 + millisecond`). */
  readonly sentTime: number;
  readonly messageUId: string;
}

export interface QueryResult {
  readonly status: number;
  readonly payload: Uint8Array;
}

export interface PushEvent {
  readonly topic: string;
  readonly targetId: string;
  readonly payload: Uint8Array;
  /** Server date of the push, ms (second precision on the wire; 0 when the server sent none). */
  readonly date: number;
}

export interface EchoEvent {
  readonly topic: string;
  readonly targetId: string;
  /** The UpStreamMessage bytes the other device sent. */
  readonly upstream: Uint8Array;
  readonly sentTime: number;
  readonly messageUId: string;
}

export interface EngineEvents {
  state(change: StateChange): void;
  /** Server PUBLISH (s_ntf, s_msg, s_cmd, s_us, …). qos ≥ 1 pushes are PUBACKed before this fires. */
  push(push: PushEvent): void;
  /** A DUP PUBLISH paired with the PUBACK carrying its uid/time (PROTOCOL.md §5.5). */
  echo(echo: EchoEvent): void;
  /** After an accepted CONNACK; `reconnect` is true for automatic reconnects after the first session. */
  connected(info: { readonly userId: string; readonly reconnect: boolean }): void;
}

export interface Engine {
  readonly state: ConnectionState;
  /** '' before the first CONNACK. */
  readonly userId: string;
  /** Server time at the last accepted CONNACK, ms; 0 before. */
  readonly connectedAt: number;
  /** Server ms − local ms at the last accepted CONNACK. */
  readonly serverTimeDelta: number;
  /** The last navi answer (all fields), for getNavi(); undefined before the first. */
  readonly navi: Readonly<Record<string, unknown>> | undefined;
  connect(token: string): Promise<{ userId: string }>;
  disconnect(): Promise<void>;
  reconnect(): Promise<{ userId: string }>;
  publish(topic: string, targetId: string, payload: Uint8Array, opts?: PublishOptions): Promise<PublishResult>;
  query(topic: string, targetId: string, payload: Uint8Array): Promise<QueryResult>;
  on<E extends keyof EngineEvents>(event: E, listener: EngineEvents[E]): () => void;
}

export type { ConnectionState, StateCause, StateChange };

type Ack = PubackFrame | QueryAckFrame;

interface OutboundRequest {
  /** Builds the frame once a messageId is known (0 for status messages). */
  build(messageId: number): Frame;
  /** Status messages complete when written; everything else waits for its ack. */
  readonly fireAndForget: boolean;
  settle(settlement: Settlement<Ack | undefined>): void;
  /**
   * A request queued while (re)connecting: the timeout of the whole request, queued time included. A timer, not a
   * deadline on the device clock, which the user may set forward or back meanwhile (a request sent after a jump
   * forward timed out at once although its ack came; after a jump back it could hang for hours).
   */
  timer?: TimerId;
  /** Its messageId once sent with a queue timer running (the timer then fails it in the pending table). */
  messageId?: number;
}

const MAX_PARKED_ECHOES = 256;
const EMPTY = new Uint8Array(0);

function publishResult(ack: Ack | undefined, now: number): PublishResult {
  if (ack === undefined) return { status: 0, sentTime: now, messageUId: '' };
  if (ack.kind === 'queryack') return { status: ack.status, sentTime: ack.date * 1000, messageUId: '' };
  return {
    status: ack.status ?? 0,
    sentTime: (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0),
    messageUId: ack.messageUId ?? '',
  };
}

function queryResult(ack: Ack | undefined): QueryResult {
  if (ack === undefined) return { status: 0, payload: EMPTY };
  if (ack.kind === 'puback') return { status: ack.status ?? 0, payload: EMPTY };
  return { status: ack.status, payload: ack.payload };
}

class ImEngine implements Engine {
  private readonly connection: Connection;
  private readonly logger: Logger;
  private readonly platform: PlatformAdapter;
  private readonly listeners: { [E in keyof EngineEvents]: Set<EngineEvents[E]> } = {
    state: new Set(),
    push: new Set(),
    echo: new Set(),
    connected: new Set(),
  };
  private pending: PendingRequests<Ack>;
  private readonly queue: OutboundRequest[] = [];
  /** DUP PUBLISHes waiting for the PUBACK with the same messageId. */
  private readonly echoes = new Map<number, PublishFrame>();

  constructor(options: EngineOptions) {
    this.platform = options.platform;
    this.logger = options.logger ?? SILENT_LOGGER;
    this.pending = new PendingRequests<Ack>(options.platform.clock);
    const connectionType: ConnectionTypeOption = options.connectionType === 'comet' ? 'comet' : 'websocket';
    this.connection = new Connection(
      {
        platform: options.platform,
        appKey: options.appKey,
        navigators: options.navi,
        connectionType,
        sdkVersion: options.sdkVersion,
        lianxinVersion: options.lianxinVersion ?? LIANXIN_VERSION,
        random: options.random ?? Math.random,
        timing: { ...CONNECTION_DEFAULTS.timing, ...options.timing },
        heartbeat: { ...CONNECTION_DEFAULTS.heartbeat, ...options.heartbeat },
        reconnectPolicy: options.reconnectPolicy ?? CONNECTION_DEFAULTS.reconnectPolicy,
        logger: this.logger,
      },
      {
        onStateChange: (change) => this.onStateChange(change),
        onSession: (info) => {
          this.flushQueue();
          this.emit('connected', info);
        },
        onFrame: (frame) => this.onFrame(frame),
        onSessionLost: (code) => {
          const lost = this.pending;
          this.pending = new PendingRequests<Ack>(this.platform.clock);
          this.echoes.clear();
          lost.rejectAll(code);
        },
      },
    );
  }

  get state(): ConnectionState {
    return this.connection.state;
  }
  get userId(): string {
    return this.connection.userId;
  }
  get connectedAt(): number {
    return this.connection.connectedAt;
  }
  get serverTimeDelta(): number {
    return this.connection.serverTimeDelta;
  }
  get navi(): Readonly<Record<string, unknown>> | undefined {
    return this.connection.navi?.raw;
  }

  connect(token: string): Promise<{ userId: string }> {
    return this.connection.connect(token);
  }
  disconnect(): Promise<void> {
    return this.connection.disconnect();
  }
  reconnect(): Promise<{ userId: string }> {
    return this.connection.reconnect();
  }

  publish(topic: string, targetId: string, payload: Uint8Array, opts: PublishOptions = {}): Promise<PublishResult> {
    const qos = opts.qos ?? 1;
    return this.request(
      opts.statusMessage === true,
      (messageId) => ({ kind: 'publish', dup: false, qos, retain: false, topic, targetId, messageId, payload }),
      (ack) => publishResult(ack, this.serverNow()),
    );
  }

  query(topic: string, targetId: string, payload: Uint8Array): Promise<QueryResult> {
    return this.request(false, (messageId) => ({ kind: 'query', dup: false, qos: 0, retain: false, topic, targetId, messageId, payload }), queryResult);
  }

  on<E extends keyof EngineEvents>(event: E, listener: EngineEvents[E]): () => void {
    const set = this.listeners[event] as Set<EngineEvents[E]>;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  // ------------------------------------------------------------------ outbound

  private serverNow(): number {
    return this.platform.clock.now() + this.connection.serverTimeDelta;
  }

  /** One request through the queue/ack machinery; `result` turns its ack into what the caller gets. */
  private request<T>(fireAndForget: boolean, build: OutboundRequest['build'], result: (ack: Ack | undefined) => T): Promise<T> {
    return new Promise((resolve, reject) => {
      this.submit({
        fireAndForget,
        build,
        settle: (s) => (s.ok ? resolve(result(s.value)) : reject(new EngineError(s.code))),
      });
    });
  }

  private submit(request: OutboundRequest): void {
    const policy = STATE_POLICY[this.connection.state];
    if (policy.canSend) {
      this.dispatch(request);
      return;
    }
    if (!policy.queuesOutbound) {
      request.settle({ ok: false, code: EngineCode.NotConnected });
      return;
    }
    request.timer = this.platform.clock.setTimeout(() => {
      request.timer = undefined;
      const at = this.queue.indexOf(request);
      if (at >= 0) {
        this.queue.splice(at, 1);
        request.settle({ ok: false, code: EngineCode.Timeout });
      } else if (request.messageId !== undefined) {
        this.pending.reject(request.messageId, EngineCode.Timeout);
      }
    }, REQUEST_TIMEOUT_MS);
    this.queue.push(request);
  }

  /** Settles `request` once, stopping its queue timer. */
  private settleRequest(request: OutboundRequest, settlement: Settlement<Ack | undefined>): void {
    if (request.timer !== undefined) this.platform.clock.clearTimeout(request.timer);
    request.timer = undefined;
    request.settle(settlement);
  }

  private dispatch(request: OutboundRequest): void {
    if (request.fireAndForget) {
      const sent = this.connection.send(request.build(0));
      this.settleRequest(request, sent ? { ok: true, value: undefined } : { ok: false, code: EngineCode.NotConnected });
      return;
    }
    // A queued request's own timer (submit) bounds it; the pending table's timeout is the bound of the rest.
    const messageId = this.pending.add((s) => this.settleRequest(request, s));
    if (messageId === undefined) {
      this.settleRequest(request, { ok: false, code: EngineCode.Unknown });
      return;
    }
    request.messageId = messageId;
    if (!this.connection.send(request.build(messageId))) this.pending.reject(messageId, EngineCode.NotConnected);
  }

  private flushQueue(): void {
    for (const request of this.queue.splice(0)) this.dispatch(request);
  }

  private failQueue(code: number): void {
    for (const request of this.queue.splice(0)) {
      if (request.timer !== undefined) this.platform.clock.clearTimeout(request.timer);
      request.settle({ ok: false, code });
    }
  }

  // ------------------------------------------------------------------ inbound

  private onStateChange(change: StateChange): void {
    const policy = STATE_POLICY[change.to];
    if (!policy.canSend && !policy.queuesOutbound) {
      this.failQueue(change.to === 'suspended' ? EngineCode.NetUnavailable : EngineCode.SocketDisconnected);
    }
    this.emit('state', change);
  }

  private onFrame(frame: Frame): void {
    switch (frame.kind) {
      case 'publish':
        this.onPublish(frame);
        return;
      case 'puback': {
        const echo = this.echoes.get(frame.messageId);
        if (echo !== undefined) {
          this.echoes.delete(frame.messageId);
          this.emit('echo', {
            topic: echo.topic,
            targetId: echo.targetId,
            upstream: echo.payload,
            sentTime: (frame.date ?? 0) * 1000 + (frame.millisecond ?? 0),
            messageUId: frame.messageUId ?? '',
          });
          return;
        }
        // messageId 0 belongs to fire-and-forget status messages: never matched.
        if (frame.messageId !== 0) this.pending.resolve(frame.messageId, frame);
        return;
      }
      case 'queryack':
        if (frame.qos > 0) this.connection.send({ kind: 'querycon', dup: false, qos: 0, retain: false, messageId: frame.messageId });
        this.pending.resolve(frame.messageId, frame);
        return;
      default:
        this.logger.debug(`engine: ignoring ${frame.kind} from server`);
    }
  }

  private onPublish(frame: PublishFrame): void {
    if (frame.dup) {
      // Sync echo: not acked; completed by the PUBACK with the same id.
      if (this.echoes.size >= MAX_PARKED_ECHOES) {
        const oldest = this.echoes.keys().next();
        if (oldest.done !== true) this.echoes.delete(oldest.value);
      }
      this.echoes.set(frame.messageId, { ...frame, payload: frame.payload.slice() });
      return;
    }
    if (frame.qos > 0) this.connection.send({ kind: 'puback', dup: false, qos: 0, retain: false, messageId: frame.messageId });
    this.emit('push', { topic: frame.topic, targetId: frame.targetId, payload: frame.payload, date: (frame.date ?? 0) * 1000 });
  }

  private emit<E extends keyof EngineEvents>(event: E, ...args: Parameters<EngineEvents[E]>): void {
    for (const listener of [...this.listeners[event]]) {
      try {
        (listener as (...a: Parameters<EngineEvents[E]>) => void)(...args);
      } catch (error) {
        this.logger.error(`engine: ${event} listener threw`, error);
      }
    }
  }
}

export function createEngine(options: EngineOptions): Engine {
  return new ImEngine(options);
}
