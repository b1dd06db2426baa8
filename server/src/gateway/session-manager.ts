/**
 * Transport-independent connection lifecycle: authenticate the connect parameters, create and
 * register the Session, apply the multi-device policy, and reap dead sessions. WebSocket and comet
 * both go through here, so a kick or a presence entry looks the same whatever the transport.
 */
import { DEFAULT_BLOCK_RECHECK_MS } from './blocked-sessions';
import { randomBytes } from 'node:crypto';
import type { AppConfig, ServerContext } from '../context';
import type { ConnectParams } from './client-info';
import { connackStatusFor } from './client-info';
import type { Hub } from './hub';
import { DEFAULT_RENOTIFY_MS } from './inbox-renotify';
import { logFields } from './log-fields';
import { ORIGIN_REFUSED_CONNACK, originAllowed } from './origin-policy';
import { PullMarkHandover } from './pull-mark-handover';
import type { ServerTransport } from './server-transport';
import { Session, type SessionDeps } from './session';
import { spreadBatches, WAKE_SPREAD, type SpreadLimits } from './spread-batches';
import type { TopicRouter } from './topic-router';
import { serverMetrics } from '../ops/server-metrics';

export interface GatewayTimeouts {
  /** Close a WebSocket silent for longer than this (E4/E5 ping every 15 s). */
  readonly idleTimeoutMs: number;
  /** Same for L2, which pings every 30 s. */
  readonly l2IdleTimeoutMs: number;
  /** How long a comet `pullmsg.js` is held before answering `[]` (clients give up at 45 s). */
  readonly cometHoldMs: number;
  /** A comet session without any poll for this long is closed. */
  readonly cometExpiryMs: number;
  /** Presence TTL; refreshed by heartbeats and polls well before it runs out. */
  readonly presenceTtlMs: number;
  /** A session told of inbox data it has not pulled within this long is sent `s_ntf` again (inbox-renotify.ts). */
  readonly renotifyMs: number;
  /**
   * An HTTP connection (before any WebSocket upgrade) with no bytes moving either way for this long is destroyed:
   * a peer gone silently mid-request, or one that never completes its headers or body, would otherwise hold its
   * socket (and a staged upload) for good. Raised to what a held comet poll needs (`httpIdleTimeoutFor`).
   */
  readonly httpIdleTimeoutMs: number;
  /** How often this node looks for blocks made since its last look (blocked-sessions.ts). */
  readonly blockRecheckMs: number;
}

export const DEFAULT_TIMEOUTS: GatewayTimeouts = {
  idleTimeoutMs: 45_000,
  l2IdleTimeoutMs: 75_000,
  cometHoldMs: 25_000,
  cometExpiryMs: 50_000,
  presenceTtlMs: 150_000,
  renotifyMs: DEFAULT_RENOTIFY_MS,
  httpIdleTimeoutMs: 120_000,
  blockRecheckMs: DEFAULT_BLOCK_RECHECK_MS,
};

export type AuthOutcome =
  | { readonly ok: true; readonly userId: string; readonly app: AppConfig }
  | { readonly ok: false; readonly connackStatus: number };

/** CONNACK status when the URL lacks a parameter: appId → identifier rejected, token → token incorrect. */
/** CONNACK REDIRECT (PROTOCOL.md §3.2): E4 and L2 both drop their navi cache and reconnect through navi. */
export const REDIRECT_CONNACK = 6;

/** How long a new single-device session may stay silent before it kicks the older ones anyway. */
export const KICK_GRACE_MS = 1000;

export const MISSING_PARAM_STATUS: Readonly<Record<string, number>> = { appId: 2, token: 4 };

export class SessionManager {
  /** One deps object per send-rate value, shared by sessions (no per-session closures: P2 memory). */
  private readonly depsByRate = new Map<number, SessionDeps>();
  /** Detaches under way, so shutdown can wait for them before the engines close. */
  private readonly detaching = new Set<Promise<void>>();
  /** Stops the batches left of the last `wakeAll`. */
  private stopWaking: (() => void) | undefined;
  /** Pull marks handed from a device's session to its next, on this node (pull-mark-handover.ts). */
  readonly pullMarks: PullMarkHandover;

  constructor(
    private readonly ctx: ServerContext,
    private readonly router: TopicRouter,
    readonly hub: Hub<Session>,
    readonly timeouts: GatewayTimeouts,
  ) {
    this.pullMarks = new PullMarkHandover(() => ctx.clock.now());
  }

  /** Set by `drain`: new connections are answered CONNACK 6 (REDIRECT: ask navi again, go elsewhere). */
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * `connection.origin`: the page origin is checked against the app's allowed list before the token,
   * so a foreign page learns nothing about it. `connection.connId` (the id the session will get) is
   * only for log lines.
   */
  async authenticate(params: ConnectParams, connection: { readonly connId?: string; readonly origin?: string | undefined } = {}): Promise<AuthOutcome> {
    if (this.draining) return { ok: false, connackStatus: REDIRECT_CONNACK };
    const { connId, origin } = connection;
    const known = this.ctx.apps.get(params.appKey);
    if (known !== undefined && !originAllowed(known.allowedOrigins, origin)) {
      this.ctx.log.info('connection refused: origin not allowed', { connId, appKey: params.appKey, origin });
      return { ok: false, connackStatus: ORIGIN_REFUSED_CONNACK };
    }
    let result;
    try {
      result = await this.ctx.tokens.authenticateConnection(params.appKey, params.token, this.ctx.clock.now());
    } catch (error) {
      this.ctx.log.error('authentication failed', { connId, appKey: params.appKey, error });
      return { ok: false, connackStatus: connackStatusFor(params.clientKind, 3) };
    }
    if (!result.ok) {
      this.ctx.log.debug('connection refused', { connId, appKey: params.appKey, connackStatus: result.connackStatus });
      return { ok: false, connackStatus: connackStatusFor(params.clientKind, result.connackStatus) };
    }
    const app = this.ctx.apps.get(params.appKey);
    if (!app) return { ok: false, connackStatus: 2 };
    return { ok: true, userId: result.userId, app };
  }

  /** The server clock (ms), for transports stamping request arrival. */
  now(): number {
    return this.ctx.clock.now();
  }

  newSessionId(): string {
    // The node id is part of the id so that a comet request reaching another node can be forwarded.
    return `${this.hub.nodeId}.${randomBytes(12).toString('base64url')}`;
  }

  /**
   * Creates and registers the session. The caller writes the CONNACK right after, then calls
   * `afterConnack` (the multi-device kick must not race the new client's first frames).
   */
  /** `arrivedAt`: when the connection request arrived (SessionInfo.arrivedAt); default now. */
  async open(params: ConnectParams, userId: string, app: AppConfig, sessionId: string, transport: ServerTransport, arrivedAt?: number): Promise<Session> {
    const connectedAt = this.ctx.clock.now();
    const session = new Session(
      {
        sessionId,
        // The app's own key string, not the one parsed from this connection's URL (one string less per session).
        appKey: app.appKey,
        userId,
        platform: params.platform,
        clientKind: params.clientKind,
        sdkVer: params.sdkVer,
        transport: transport.kind,
        connectedAt,
        arrivedAt: arrivedAt ?? connectedAt,
        ...(params.clientIp !== undefined ? { clientIp: params.clientIp } : {}),
        ...(params.lianxinVersion !== undefined ? { lianxinVersion: params.lianxinVersion } : {}),
        ...(params.directPush === true ? { directPush: true as const } : {}),
      },
      transport,
      this.depsFor(app.maxSendRatePerSecond),
    );
    session.presenceRefreshedAt = connectedAt;
    await this.hub.attach(session);
    if (session.closed) await this.hub.detach(session);
    this.ctx.log.debug('session opened', { connId: sessionId, appKey: params.appKey, userId, clientKind: params.clientKind, platform: params.platform, transport: transport.kind, clientIp: params.clientIp });
    return session;
  }

  /**
   * Single-device apps: the new login kicks the user's other sessions of the same platform class —
   * once it has shown it is alive (its first frame after the CONNACK; at most KICK_GRACE_MS). In a
   * reconnect storm the kernel may hand over a connection the client abandoned long ago (it timed out
   * waiting and retried): authenticated late, it would otherwise kick the client's live session, and a
   * kicked client does not reconnect (DISCONNECT 1).
   */
  async afterConnack(session: Session, app: AppConfig): Promise<void> {
    if (app.multiDevice || session.closed) return;
    if (!session.spoke) await session.whenActive(KICK_GRACE_MS);
    if (session.closed) return;
    try {
      await this.hub.kickOtherDevices(session);
    } catch (error) {
      this.ctx.log.warn('multi-device kick failed', logFields(session.info, { error }));
    }
  }

  private depsFor(maxSendRatePerSecond: number): SessionDeps {
    let deps = this.depsByRate.get(maxSendRatePerSecond);
    if (deps === undefined) {
      deps = {
        router: this.router,
        clock: this.ctx.clock,
        log: this.ctx.log,
        maxSendRatePerSecond,
        onHeartbeat: (s) => this.heartbeat(s),
        onClosed: (s) => this.closed(s),
        pullMarks: this.pullMarks,
      };
      this.depsByRate.set(maxSendRatePerSecond, deps);
    }
    return deps;
  }

  /**
   * Closes WebSocket sessions whose client has been silent too long (comet expiry is the comet gateway's),
   * and re-notifies sessions that have not pulled inbox data they were told of (inbox-renotify.ts).
   */
  sweep(): void {
    const now = this.ctx.clock.now();
    for (const session of this.hub.registry.all()) {
      if (session.renotifyIfDue(now, this.timeouts.renotifyMs)) this.ctx.log.debug('inbox re-notified', logFields(session.info));
      if (session.info.transport !== 'websocket') continue;
      const limit = session.info.clientKind === 'L2' ? this.timeouts.l2IdleTimeoutMs : this.timeouts.idleTimeoutMs;
      if (now - session.lastSeen > limit) {
        this.ctx.log.debug('idle session closed', logFields(session.info));
        serverMetrics.dropped.inc({ reason: 'idle_timeout' });
        session.close();
      }
    }
  }

  /**
   * Node drain: refuse new sessions (CONNACK REDIRECT), let each live session finish what it has
   * received, send it DISCONNECT REDIRECT and close it; resolves once all have left hub and presence.
   */
  async drain(): Promise<void> {
    this.draining = true;
    await Promise.all(this.hub.registry.all().map((session) => session.drain().catch((error: unknown) => {
      this.ctx.log.warn('session drain failed', { sessionId: session.info.sessionId, error });
      session.close();
    })));
    await Promise.all([...this.detaching]);
  }

  /**
   * The broker is back after a lost connection: the user events published meanwhile (the `s_ntf` of messages
   * stored on other nodes) are lost, so every session here is told to pull — in batches over at most ~2 s
   * (spread-batches.ts), so a large node neither holds its event loop nor has every client pull in the same
   * instant. A reconnect while one is under way starts over (it covers every session again).
   */
  wakeAll(limits: SpreadLimits = WAKE_SPREAD): void {
    this.stopWaking?.();
    this.stopWaking = spreadBatches(this.hub.registry.all(), (session) => session.wakeInbox(), limits,
      (error: unknown) => this.ctx.log.warn('wake-up failed', { error: String(error) }));
  }

  /** Closes every session and waits until each has left the hub and presence. */
  async closeAll(): Promise<void> {
    this.stopWaking?.();
    this.stopWaking = undefined;
    for (const session of this.hub.registry.all()) session.close();
    await Promise.all([...this.detaching]);
  }

  /**
   * A session that ends with inbox data it was told of (`s_ntf`) and never pulled hands that notification
   * to the user's other sessions on this node. The case: a browser tab loses its network; the official
   * engine reconnects on its own with a new session (which kicks the old one in a single-device app), but a
   * `pullMsg` that died with the network keeps engine 4.4.2 from pulling for its 30 s request timeout, and a
   * failed pull is not retried — the messages stored meanwhile were notified only to the dead session, so the
   * new one learnt of them only with the next message or the engine's 180 s timer pull. Recorded on the new
   * session, the notification is repeated by the re-notify sweep (inbox-renotify.ts) until it is pulled.
   */
  private handOverUnpulled(session: Session): void {
    const time = session.unpulledInboxTime();
    if (time === undefined) return;
    for (const other of this.hub.registry.sessionsOf(session.info.appKey, session.info.userId)) {
      if (other !== session && !other.closed) other.takeOverInbox(time);
    }
  }

  private heartbeat(session: Session): void {
    const now = this.ctx.clock.now();
    const last = session.presenceRefreshedAt;
    if (now - last < this.timeouts.presenceTtlMs / 4) return;
    session.presenceRefreshedAt = now;
    this.hub.refresh(session).catch((error: unknown) => this.ctx.log.warn('presence refresh failed', logFields(session.info, { error })));
  }

  private closed(session: Session): void {
    this.handOverUnpulled(session);
    const detach = this.hub.detach(session).catch((error: unknown) => this.ctx.log.warn('session detach failed', logFields(session.info, { error })));
    this.detaching.add(detach);
    void detach.finally(() => this.detaching.delete(detach));
    this.ctx.log.debug('session closed', logFields(session.info, { durationMs: this.ctx.clock.now() - session.info.connectedAt }));
  }
}
