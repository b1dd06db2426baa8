/**
 * Drives the connection state machine: owns at most one live transport (in a TransportSlot),
 * runs connect attempts with an overall timeout, the heartbeat, automatic reconnection with
 * jittered back-off, and the host lifecycle inputs (offline → suspended, online/foreground →
 * retry now, also when an attempt is already running: see `retryNow`). Frames other than
 * PINGRESP/DISCONNECT/CONNACK go to `hooks.onFrame`.
 *
 * Re-entrancy rule: internal bookkeeping is finished before any state change is emitted, and a
 * pending connect() promise is settled only after, so listeners may call connect()/disconnect()
 * from inside a state callback.
 */
import type { Frame } from '../protocol/frame';
import type { PlatformAdapter, TimerId, Unsubscribe } from '../platform/platform-adapter';
import { Cancellation } from '../transport/cancellation';
import type { NaviInfo } from '../transport/navi';
import type { ConnectionTypeOption } from '../transport/transport-selector';
import { disconnectCause } from './connack-status';
import { attemptConnect, DEFAULT_ATTEMPT_TIMING, type AttemptResult, type AttemptTiming } from './connect-attempt';
import { StateMachine, type ConnectionState, type StateCause, type StateChange } from './connection-states';
import { EngineCode, EngineError } from './engine-error';
import { DEFAULT_HEARTBEAT, Heartbeat, type HeartbeatOptions } from './heartbeat';
import { NaviCache } from './navi-cache';
import { DEFAULT_RECONNECT_POLICY, delayFor, type ReconnectPolicy } from './reconnect-policy';
import type { Logger } from './logger';
import type { TransportSlot } from './transport-slot';

export interface ConnectionTiming extends AttemptTiming {
  /**
   * Limit of one connect attempt once navi has answered (ping + transports), as the seed documents. Navi
   * has its own budget, 10 s per navigator (PROTOCOL §2.1), so a hung navigator never pre-empts the next
   * one nor turns its 30007 into 31000.
   */
  readonly connectTimeoutMs: number;
}

export const DEFAULT_CONNECTION_TIMING: ConnectionTiming = { ...DEFAULT_ATTEMPT_TIMING, connectTimeoutMs: 10_000 };

export interface ConnectionConfig {
  readonly platform: PlatformAdapter;
  readonly appKey: string;
  readonly navigators: readonly string[];
  readonly connectionType: ConnectionTypeOption;
  readonly sdkVersion: string;
  readonly lianxinVersion: string;
  readonly random: () => number;
  readonly timing: ConnectionTiming;
  readonly heartbeat: HeartbeatOptions;
  readonly reconnectPolicy: ReconnectPolicy;
  readonly logger: Logger;
}

export const CONNECTION_DEFAULTS = {
  timing: DEFAULT_CONNECTION_TIMING,
  heartbeat: DEFAULT_HEARTBEAT,
  reconnectPolicy: DEFAULT_RECONNECT_POLICY,
} as const;

export interface ConnectionHooks {
  onStateChange(change: StateChange): void;
  /** A CONNACK was accepted and the transport is live. */
  onSession(info: { readonly userId: string; readonly reconnect: boolean }): void;
  onFrame(frame: Frame): void;
  /** The transport that owned the in-flight messageIds is gone. */
  onSessionLost(code: number): void;
}

/** The connect attempt in flight and what the host reported while it ran. */
interface Attempt {
  readonly cancel: Cancellation;
  /**
   * The app was in the background (host `onAppHide`) while this attempt may already have been
   * making network calls, so some may have gone out while the host had the network cut. Checked
   * from the attempt's first microtask on — `attemptConnect` makes no network call before its
   * first await — so an attempt started in the same tick as the app's return (network back and
   * app shown together) is not taken for a stale one. Either misjudgement is harmless: a stale
   * attempt taken for a sound one still gets its immediate retry (`retryAtOnce`), a sound one
   * taken for stale is restarted.
   */
  ranHidden: boolean;
  /** Network back / foreground while it ran: should it fail, the next attempt starts at once. */
  retryAtOnce: boolean;
}

interface Waiter {
  resolve(value: { userId: string }): void;
  reject(error: EngineError): void;
}

export class Connection {
  private readonly machine: StateMachine;
  private readonly heartbeat: Heartbeat;
  private readonly naviCache = new NaviCache();
  private token: string | undefined;
  private slot: TransportSlot | undefined;
  private attempt: Attempt | undefined;
  /** Between the host's `onBackground` and `onForeground` (while lifecycle events are subscribed). */
  private hidden = false;
  private retryTimer: TimerId | undefined;
  private retryCount = 0;
  private waiter: Waiter | undefined;
  private lifecycleOff: Unsubscribe[] = [];
  private sessions = 0;
  private current = { userId: '', connectedAt: 0, serverTimeDelta: 0 };

  constructor(
    private readonly config: ConnectionConfig,
    private readonly hooks: ConnectionHooks,
  ) {
    this.machine = new StateMachine((change) => {
      config.logger.debug(`connection: ${change.from} → ${change.to} (${describeCause(change.cause)})`);
      if (change.to === 'closed') this.stopEverything();
      this.hooks.onStateChange(change);
    });
    this.heartbeat = new Heartbeat(
      {
        sendPing: () => this.send({ kind: 'pingreq', dup: false, qos: 0, retain: false }),
        onDead: () => this.onTransportLost(EngineCode.PingTimeout),
      },
      config.platform.clock,
      config.heartbeat,
    );
  }

  get state(): ConnectionState {
    return this.machine.state;
  }
  get userId(): string {
    return this.current.userId;
  }
  get connectedAt(): number {
    return this.current.connectedAt;
  }
  get serverTimeDelta(): number {
    return this.current.serverTimeDelta;
  }
  get navi(): NaviInfo | undefined {
    return this.naviCache.latest;
  }

  connect(token: string): Promise<{ userId: string }> {
    if (typeof token !== 'string' || token === '') return Promise.reject(new EngineError(EngineCode.TokenIncorrect, 'empty token'));
    const state = this.machine.state;
    if (state === 'connected') return Promise.resolve({ userId: this.current.userId });
    if (state !== 'idle' && state !== 'closed') return Promise.reject(new EngineError(EngineCode.Connecting, `already ${state}`));
    this.token = token;
    this.sessions = 0;
    this.subscribeLifecycle();
    const result = new Promise<{ userId: string }>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
    this.machine.transition({ kind: 'user', action: 'connect' });
    this.startAttempt();
    return result;
  }

  /** Re-runs connect with the stored token; only from `closed` (after disconnect, kick, …). */
  reconnect(): Promise<{ userId: string }> {
    if (this.machine.state !== 'closed' || this.token === undefined) {
      return Promise.reject(new EngineError(EngineCode.CanNotReconnect, 'reconnect() needs a previous disconnect()'));
    }
    return this.connect(this.token);
  }

  disconnect(): Promise<void> {
    const waiter = this.takeWaiter();
    this.dropSession(EngineCode.SocketDisconnected);
    this.stopEverything();
    this.machine.transition({ kind: 'user', action: 'disconnect' });
    waiter?.reject(new EngineError(EngineCode.SocketDisconnected, 'disconnect() called while connecting'));
    return Promise.resolve();
  }

  /** Writes a frame to the live transport; false when not connected. */
  send(frame: Frame): boolean {
    if (!this.machine.policy.canSend || this.slot === undefined) return false;
    this.slot.transport.send(frame);
    return true;
  }

  // ------------------------------------------------------------------ attempts

  private startAttempt(): void {
    if (this.attempt !== undefined || this.token === undefined) return;
    const cancel = new Cancellation();
    const attempt: Attempt = { cancel, ranHidden: false, retryAtOnce: false };
    this.attempt = attempt;
    // An automatic attempt (a first connect is already `connecting`); a listener may disconnect() here.
    this.machine.transition({ kind: 'retry' });
    if (this.attempt !== attempt) return;
    void Promise.resolve().then(() => {
      if (this.hidden) attempt.ranHidden = true;
    });
    const { platform } = this.config;
    let timedOut = false;
    let timer: TimerId | undefined;
    const onNaviResolved = (): void => {
      if (timer !== undefined) return;
      timer = platform.clock.setTimeout(() => {
        timedOut = true;
        cancel.cancel();
      }, this.config.timing.connectTimeoutMs);
    };
    attemptConnect({ ...this.config, token: this.token, naviCache: this.naviCache, onNaviResolved }, cancel)
      .catch((): AttemptResult => ({ ok: false, code: EngineCode.Unknown, cause: { kind: 'network', code: EngineCode.Unknown } }))
      .then((result) => {
        if (timer !== undefined) platform.clock.clearTimeout(timer);
        if (this.attempt !== attempt) {
          // Superseded (disconnect(), offline, abandoned when the app came back): not ours any more.
          if (result.ok) result.slot.discard();
          return;
        }
        this.attempt = undefined;
        if (timedOut) {
          if (result.ok) result.slot.discard();
          this.onAttemptFailed({ kind: 'network', code: EngineCode.ConnectTimeout }, EngineCode.ConnectTimeout, attempt.retryAtOnce);
        } else if (result.ok) this.onAttemptSucceeded(result);
        else this.onAttemptFailed(result.cause, result.code, attempt.retryAtOnce);
      });
  }

  private onAttemptSucceeded(result: Extract<AttemptResult, { ok: true }>): void {
    const { slot, session } = result;
    const now = this.config.platform.clock.now();
    this.config.logger.info(`connection: connected as ${session.userId} via ${slot.transport.kind} ${slot.transport.endpoint.host}`);
    this.slot = slot;
    this.current = { userId: session.userId, connectedAt: session.timestamp, serverTimeDelta: session.timestamp - now };
    this.retryCount = 0;
    const reconnect = this.sessions > 0;
    this.sessions += 1;
    const waiter = this.takeWaiter();
    const droppedByListener = (): boolean => {
      if (this.slot === slot) return false;
      waiter?.reject(new EngineError(EngineCode.SocketDisconnected, 'disconnected while connecting'));
      return true;
    };
    this.machine.transition({ kind: 'accepted' });
    if (droppedByListener()) return;
    this.heartbeat.start();
    this.hooks.onSession({ userId: session.userId, reconnect });
    if (droppedByListener()) return;
    slot.attach({
      onFrames: (frames) => this.onFrames(slot, frames),
      onClose: () => {
        if (this.slot === slot) this.onTransportLost(EngineCode.SocketDisconnected);
      },
    });
    waiter?.resolve({ userId: session.userId });
  }

  /** `retryAtOnce`: the host reported the network back or the app shown while the attempt ran. */
  private onAttemptFailed(cause: StateCause, code: number, retryAtOnce: boolean): void {
    this.config.logger.warn(`connection: connect attempt failed with ${code}`);
    const waiter = this.takeWaiter();
    const change = this.machine.transition(cause);
    if (change?.to === 'reconnecting') {
      if (retryAtOnce) this.startRetryNow('network back or app shown during the failed attempt');
      else this.scheduleRetry();
    }
    waiter?.reject(new EngineError(code));
  }

  private scheduleRetry(): void {
    if (this.machine.state !== 'reconnecting' || this.attempt !== undefined) return;
    this.clearRetryTimer();
    const delay = delayFor(this.retryCount, this.config.random, this.config.reconnectPolicy);
    this.retryCount += 1;
    this.config.logger.debug(`connection: retry #${this.retryCount} in ${delay} ms`);
    this.retryTimer = this.config.platform.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.machine.state === 'reconnecting') this.startAttempt();
    }, delay);
  }

  /**
   * Network back / foreground: retry at once instead of waiting for the back-off timer.
   *
   * With an attempt already in flight no second one starts beside it (one socket at a time: WeChat
   * allows 5, single-socket Alipay 1, and two attempts would race for the session). Instead:
   * - Foreground, and the attempt ran while the app was in the background: it is abandoned — its
   *   requests aborted and its socket closed — and a fresh attempt starts at once. Its calls may
   *   have gone out while the host had the network cut (hosts cut it about 5 s after `onAppHide`),
   *   and hosts differ on what becomes of such a call: it fails at once, or hangs until our own
   *   timeouts (navi 10 s, host 5 s, connect 10 s), or its callbacks come late after a suspended JS
   *   context resumes. Waiting for it could cost seconds; restarting costs one attempt's work. The
   *   new socket never overlaps the old one at the host: the old one is closed first, and the
   *   adapters' socket gate makes a new socket wait for that close where the limit requires it.
   * - Otherwise (network back, or an attempt started with the app in the foreground) the attempt
   *   is not known to be stale and may be about to succeed, so it is left to finish; it is marked
   *   so that, should it fail, the next attempt starts at once instead of after the back-off.
   * No retry storm: a signal either starts one attempt (replacing an abandoned one, if any) or
   * marks the running one, and marks do not add up (any number of signals during one attempt buy
   * one immediate retry). So every attempt was either scheduled by the back-off or answers its own
   * host signal. `retryCount` is reset only on leaving `suspended`, so an immediate retry that
   * fails backs off as the attempts before it did.
   */
  private retryNow(signal: 'online' | 'foreground'): void {
    if (this.machine.state === 'suspended') {
      this.retryCount = 0;
      this.machine.transition({ kind: 'online' });
    }
    if (this.machine.state !== 'reconnecting') return;
    const attempt = this.attempt;
    if (attempt !== undefined) {
      if (signal !== 'foreground' || !attempt.ranHidden) {
        attempt.retryAtOnce = true;
        return;
      }
      this.config.logger.debug('connection: app shown during an attempt that ran in the background: abandoning it');
      this.cancelAttempt();
    }
    this.startRetryNow(signal === 'online' ? 'network back' : 'app shown');
  }

  /** Starts the next attempt now (state `reconnecting`, none in flight), replacing the back-off timer. */
  private startRetryNow(why: string): void {
    if (this.machine.state !== 'reconnecting' || this.attempt !== undefined) return;
    this.config.logger.debug(`connection: retrying at once (${why})`);
    this.clearRetryTimer();
    this.startAttempt();
  }

  // ------------------------------------------------------------------ live transport

  private onFrames(slot: TransportSlot, frames: readonly Frame[]): void {
    for (const frame of frames) {
      if (this.slot !== slot) return;
      switch (frame.kind) {
        case 'pingresp':
          this.heartbeat.pong();
          break;
        case 'disconnect':
          this.onServerDisconnect(frame.reason);
          return;
        case 'connack':
          break;
        default:
          this.hooks.onFrame(frame);
      }
    }
  }

  private onServerDisconnect(reason: number): void {
    const cause = disconnectCause(reason);
    this.config.logger.warn(`connection: server sent DISCONNECT ${reason} (${cause.kind})`);
    this.dropSession(EngineCode.SocketDisconnected);
    if (cause.kind === 'redirect') {
      this.naviCache.clear();
      this.retryCount = 0;
      this.machine.transition(cause);
      this.scheduleRetry();
      return;
    }
    this.machine.transition(cause);
  }

  private onTransportLost(code: number): void {
    this.config.logger.warn(`connection: transport lost (${code})`);
    this.dropSession(code);
    const change = this.machine.transition({ kind: 'network', code });
    if (change?.to === 'reconnecting') this.scheduleRetry();
  }

  /** Forgets the live transport (discarding its slot first, so nothing it emits can reach us). */
  private dropSession(code: number): void {
    this.heartbeat.stop();
    const slot = this.slot;
    if (slot === undefined) return;
    this.slot = undefined;
    slot.discard();
    this.hooks.onSessionLost(code);
  }

  // ------------------------------------------------------------------ lifecycle

  private subscribeLifecycle(): void {
    if (this.lifecycleOff.length > 0) return;
    const { lifecycle } = this.config.platform;
    this.lifecycleOff = [
      lifecycle.onNetworkChange((online) => (online ? this.retryNow('online') : this.goOffline())),
      lifecycle.onForeground(() => {
        this.hidden = false;
        this.retryNow('foreground');
      }),
      lifecycle.onBackground(() => {
        this.hidden = true;
        if (this.attempt !== undefined) this.attempt.ranHidden = true;
      }),
    ];
  }

  private goOffline(): void {
    const state = this.machine.state;
    if (state !== 'connected' && state !== 'reconnecting') return;
    this.cancelAttempt();
    this.clearRetryTimer();
    this.dropSession(EngineCode.NetUnavailable);
    this.machine.transition({ kind: 'offline' });
  }

  // ------------------------------------------------------------------ housekeeping

  private stopEverything(): void {
    this.cancelAttempt();
    this.clearRetryTimer();
    this.heartbeat.stop();
    for (const off of this.lifecycleOff) off();
    this.lifecycleOff = [];
    this.hidden = false;
  }

  private cancelAttempt(): void {
    const attempt = this.attempt;
    this.attempt = undefined;
    attempt?.cancel.cancel();
  }

  private clearRetryTimer(): void {
    if (this.retryTimer !== undefined) this.config.platform.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private takeWaiter(): Waiter | undefined {
    const waiter = this.waiter;
    this.waiter = undefined;
    return waiter;
  }
}

function describeCause(cause: StateCause): string {
  switch (cause.kind) {
    case 'user':
      return `user ${cause.action}`;
    case 'network':
    case 'rejected':
      return `${cause.kind} ${cause.code}`;
    case 'server-closed':
      return `server-closed ${cause.reason}`;
    default:
      return cause.kind;
  }
}
