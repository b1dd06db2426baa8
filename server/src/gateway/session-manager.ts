/**
 * Transport-independent connection lifecycle: authenticate the connect parameters, create and
 * register the Session, apply the multi-device policy, and reap dead sessions. WebSocket and comet
 * both go through here, so a kick or a presence entry looks the same whatever the transport.
 */
import { randomBytes } from 'node:crypto';
import type { AppConfig, ServerContext } from '../context';
import type { ConnectParams } from './client-info';
import { connackStatusFor } from './client-info';
import type { Hub } from './hub';
import type { ServerTransport } from './server-transport';
import { Session } from './session';
import type { TopicRouter } from './topic-router';

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
}

export const DEFAULT_TIMEOUTS: GatewayTimeouts = {
  idleTimeoutMs: 45_000,
  l2IdleTimeoutMs: 75_000,
  cometHoldMs: 25_000,
  cometExpiryMs: 50_000,
  presenceTtlMs: 150_000,
};

export type AuthOutcome =
  | { readonly ok: true; readonly userId: string; readonly app: AppConfig }
  | { readonly ok: false; readonly connackStatus: number };

/** CONNACK status when the URL lacks a parameter: appId → identifier rejected, token → token incorrect. */
export const MISSING_PARAM_STATUS: Readonly<Record<string, number>> = { appId: 2, token: 4 };

export class SessionManager {
  private readonly lastRefresh = new WeakMap<Session, number>();
  /** Detaches under way, so shutdown can wait for them before the engines close. */
  private readonly detaching = new Set<Promise<void>>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly router: TopicRouter,
    readonly hub: Hub<Session>,
    readonly timeouts: GatewayTimeouts,
  ) {}

  async authenticate(params: ConnectParams): Promise<AuthOutcome> {
    let result;
    try {
      result = await this.ctx.tokens.authenticateConnection(params.appKey, params.token, this.ctx.clock.now());
    } catch (error) {
      this.ctx.log.error('authentication failed', { appKey: params.appKey, error });
      return { ok: false, connackStatus: connackStatusFor(params.clientKind, 3) };
    }
    if (!result.ok) return { ok: false, connackStatus: connackStatusFor(params.clientKind, result.connackStatus) };
    const app = this.ctx.apps.get(params.appKey);
    if (!app) return { ok: false, connackStatus: 2 };
    return { ok: true, userId: result.userId, app };
  }

  newSessionId(): string {
    // The node id is part of the id so that a comet request reaching another node can be forwarded.
    return `${this.hub.nodeId}.${randomBytes(12).toString('base64url')}`;
  }

  /**
   * Creates and registers the session. The caller writes the CONNACK right after, then calls
   * `afterConnack` (the multi-device kick must not race the new client's first frames).
   */
  async open(params: ConnectParams, userId: string, app: AppConfig, sessionId: string, transport: ServerTransport): Promise<Session> {
    const connectedAt = this.ctx.clock.now();
    const session = new Session(
      {
        sessionId,
        appKey: params.appKey,
        userId,
        platform: params.platform,
        clientKind: params.clientKind,
        sdkVer: params.sdkVer,
        transport: transport.kind,
        connectedAt,
        ...(params.clientIp !== undefined ? { clientIp: params.clientIp } : {}),
      },
      transport,
      {
        router: this.router,
        clock: this.ctx.clock,
        log: this.ctx.log,
        maxSendRatePerSecond: app.maxSendRatePerSecond,
        onHeartbeat: (s) => this.heartbeat(s),
        onClosed: (s) => this.closed(s),
      },
    );
    this.lastRefresh.set(session, connectedAt);
    await this.hub.attach(session);
    if (session.closed) await this.hub.detach(session);
    this.ctx.log.debug('session opened', { sessionId, appKey: params.appKey, userId, clientKind: params.clientKind, transport: transport.kind });
    return session;
  }

  /** Single-device apps: the new login kicks the user's other sessions of the same platform class. */
  async afterConnack(session: Session, app: AppConfig): Promise<void> {
    if (app.multiDevice || session.closed) return;
    try {
      await this.hub.kickOtherDevices(session);
    } catch (error) {
      this.ctx.log.warn('multi-device kick failed', { sessionId: session.info.sessionId, error });
    }
  }

  /** Closes WebSocket sessions whose client has been silent too long. Comet expiry is the comet gateway's. */
  sweep(): void {
    const now = this.ctx.clock.now();
    for (const session of this.hub.registry.all()) {
      if (session.info.transport !== 'websocket') continue;
      const limit = session.info.clientKind === 'L2' ? this.timeouts.l2IdleTimeoutMs : this.timeouts.idleTimeoutMs;
      if (now - session.lastSeen > limit) {
        this.ctx.log.debug('idle session closed', { sessionId: session.info.sessionId });
        session.close();
      }
    }
  }

  /** Closes every session and waits until each has left the hub and presence. */
  async closeAll(): Promise<void> {
    for (const session of this.hub.registry.all()) session.close();
    await Promise.all([...this.detaching]);
  }

  private heartbeat(session: Session): void {
    const now = this.ctx.clock.now();
    const last = this.lastRefresh.get(session) ?? 0;
    if (now - last < this.timeouts.presenceTtlMs / 4) return;
    this.lastRefresh.set(session, now);
    this.hub.refresh(session).catch((error: unknown) => this.ctx.log.warn('presence refresh failed', { error }));
  }

  private closed(session: Session): void {
    const detach = this.hub.detach(session).catch((error: unknown) => this.ctx.log.warn('session detach failed', { error }));
    this.detaching.add(detach);
    void detach.finally(() => this.detaching.delete(detach));
    this.ctx.log.debug('session closed', { sessionId: session.info.sessionId });
  }
}
