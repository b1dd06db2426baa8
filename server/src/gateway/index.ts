/**
 * The gateway: live client connections (WebSocket and comet) on fastify's port, their sessions,
 * heartbeat/idle reaping, multi-device kicks and the per-user fan-out Hub. Call before the fastify
 * instance is ready (it registers routes) and close it before closing fastify.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Broker } from '../broker/broker';
import type { PresenceRegistry } from '../broker/presence';
import type { ServerContext } from '../context';
import { BlockRecheck, kickBlockedSessions } from './blocked-sessions';
import { registerCometRoutes, RELAY_MARGIN_MS } from './comet-gateway';
import { CometForwarder } from './comet-forwarding';
import { Hub } from './hub';
import type { Session } from './session';
import { SessionRegistry } from './session-registry';
import { DEFAULT_TIMEOUTS, SessionManager, type GatewayTimeouts } from './session-manager';
import type { TopicRouter } from './topic-router';
import { attachWebSocketGateway } from './websocket-gateway';
import { TrustedProxies } from '../http/client-address';

export type { SessionInfo, SessionPort, TopicHandler, TopicRouter, PlatformClass, ClientKind } from './topic-router';
export { WireStatus, mapRouter } from './topic-router';
export type { UserEvent } from './user-event';
export { Hub } from './hub';
export { DEFAULT_TIMEOUTS } from './session-manager';
export type { GatewayTimeouts } from './session-manager';

export interface GatewayHandle {
  readonly hub: Hub;
  /**
   * Graceful node drain: new connections get CONNACK REDIRECT, live sessions finish what they
   * received, get DISCONNECT REDIRECT and are closed. The routes stay up (comet relays, Server API).
   */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** This node's id (part of every session id). Default: random. */
  readonly nodeId?: string;
  /** Cross-node engines, chosen by the composition root (main.ts); the caller owns and closes them. */
  readonly broker: Broker;
  readonly presence: PresenceRegistry;
  readonly timeouts?: Partial<GatewayTimeouts>;
}

/**
 * Environment overrides for the timeouts (tests and operators), read once at attach:
 * LIANXIN_WS_IDLE_TIMEOUT_MS, LIANXIN_WS_IDLE_TIMEOUT_L2_MS, LIANXIN_COMET_HOLD_MS, LIANXIN_COMET_EXPIRY_MS,
 * LIANXIN_RENOTIFY_MS, LIANXIN_HTTP_IDLE_TIMEOUT_MS, LIANXIN_BLOCK_RECHECK_MS.
 */
function timeoutsFromEnv(env: NodeJS.ProcessEnv): Partial<GatewayTimeouts> {
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
    const value = Number(raw);
    return value > 0 ? value : undefined;
  };
  const out: { -readonly [K in keyof GatewayTimeouts]?: number } = {};
  const idle = read('LIANXIN_WS_IDLE_TIMEOUT_MS');
  if (idle !== undefined) out.idleTimeoutMs = idle;
  const l2 = read('LIANXIN_WS_IDLE_TIMEOUT_L2_MS') ?? idle;
  if (l2 !== undefined) out.l2IdleTimeoutMs = l2;
  const hold = read('LIANXIN_COMET_HOLD_MS');
  if (hold !== undefined) out.cometHoldMs = hold;
  const expiry = read('LIANXIN_COMET_EXPIRY_MS') ?? (hold !== undefined ? hold * 2 : undefined);
  if (expiry !== undefined) out.cometExpiryMs = expiry;
  const renotify = read('LIANXIN_RENOTIFY_MS');
  if (renotify !== undefined) out.renotifyMs = renotify;
  const httpIdle = read('LIANXIN_HTTP_IDLE_TIMEOUT_MS');
  if (httpIdle !== undefined) out.httpIdleTimeoutMs = httpIdle;
  const blockRecheck = read('LIANXIN_BLOCK_RECHECK_MS');
  if (blockRecheck !== undefined) out.blockRecheckMs = blockRecheck;
  return out;
}

/**
 * The idle timeout of the HTTP server's sockets: `httpIdleTimeoutMs`, but never shorter than a comet poll held
 * here for a client or for another node's relay (a held poll moves no bytes). fastify turns off Node's own
 * request and header timeouts, so without it a connection that stalls mid-request is never closed. Upgraded
 * WebSockets are not affected (`ws` clears the socket timeout; the session idle sweep covers them).
 */
/** A request's headers must be complete within this (fastify turns Node's check off unless it is set). */
export const HEADERS_TIMEOUT_MS = 30_000;
/** How often Node looks for requests past that deadline (its default, 30 s, let one run to twice the deadline). */
const HEADERS_CHECK_MS = 5_000;

export function httpIdleTimeoutFor(timeouts: GatewayTimeouts): number {
  return Math.max(timeouts.httpIdleTimeoutMs, timeouts.cometHoldMs + RELAY_MARGIN_MS + 1000);
}

/**
 * `router` may be a factory: the topic services need the Hub to fan out, and the Hub is created
 * here, so `attachGateway(fastify, ctx, (hub) => createServices(ctx, hub).router)` wires both.
 */
export async function attachGateway(
  fastify: FastifyInstance,
  ctx: ServerContext,
  router: TopicRouter | ((hub: Hub) => TopicRouter),
  options: GatewayOptions,
): Promise<GatewayHandle> {
  const timeouts: GatewayTimeouts = { ...DEFAULT_TIMEOUTS, ...timeoutsFromEnv(process.env), ...options.timeouts };
  const nodeId = options.nodeId ?? randomBytes(4).toString('hex');
  const { broker, presence } = options;
  fastify.server.setTimeout(httpIdleTimeoutFor(timeouts));
  // Headers must be complete within HEADERS_TIMEOUT_MS of the request's start: a client trickling a byte now and then
  // is never idle, and held a connection forever (slow-loris). Bodies stay unbounded in time (large uploads on slow
  // links); the idle timeout covers a body that stalls.
  fastify.server.headersTimeout = HEADERS_TIMEOUT_MS;
  // Read by Node when the server starts listening (missing from @types/node 20's Server).
  (fastify.server as typeof fastify.server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = HEADERS_CHECK_MS;

  const hub = new Hub<Session>({
    nodeId,
    broker,
    presence,
    registry: new SessionRegistry<Session>(),
    presenceTtlMs: timeouts.presenceTtlMs,
    onError: (error, context) => ctx.log.warn('hub error', { context, error }),
  });
  const topicRouter = typeof router === 'function' ? router(hub) : router;
  const manager = new SessionManager(ctx, topicRouter, hub, timeouts);
  // Wake-ups published while the broker was unreachable are lost: once it is back, every session here pulls. So
  // may be a block's kick: the sessions here of users the store says are blocked are disconnected.
  const stopWakes = broker.onReconnect?.(() => {
    manager.wakeAll();
    kickBlockedSessions(hub.registry, ctx.store.userLists, ctx.clock.now()).then((kicked) => {
      if (kicked > 0) ctx.log.info('blocked sessions disconnected after a broker reconnect', { kicked });
    }, (error: unknown) => ctx.log.warn('blocked sessions check failed', { error: String(error) }));
  }) ?? (() => undefined);
  // The blocks made since the last look, in case the node that took one could not publish its kick and is gone
  // (blocked-sessions.ts). Redundant with the in-process broker, which never drops one, and as cheap: one indexed
  // read of the recent blocks per look, none while this node has no session.
  const recheck = new BlockRecheck(hub.registry, ctx.store.userLists, () => ctx.clock.now());
  const blockRecheck = setInterval(() => {
    recheck.run().then((kicked) => {
      if (kicked > 0) ctx.log.info('sessions of recently blocked users disconnected', { kicked });
    }, (error: unknown) => ctx.log.warn('recent blocks check failed', { error: String(error) }));
  }, timeouts.blockRecheckMs);
  blockRecheck.unref();
  // Comet polls for sessions of other nodes are relayed over `node:<id>` (no sticky sessions).
  const forwarder = new CometForwarder(nodeId, broker, fastify, ctx.log);
  await forwarder.start();
  const comet = await registerCometRoutes(fastify, ctx, manager, forwarder);
  const websocket = attachWebSocketGateway(fastify.server, manager, ctx.log, ctx.config.trustProxy === undefined ? undefined : new TrustedProxies(ctx.config.trustProxy));

  // The re-notify lands between renotifyMs and renotifyMs + sweepEvery after the unpulled s_ntf.
  const sweepEvery = Math.max(50, Math.min(5000, Math.floor(Math.min(timeouts.idleTimeoutMs, timeouts.cometExpiryMs, timeouts.renotifyMs) / 4)));
  const sweeper = setInterval(() => {
    manager.sweep();
    comet.sweep();
  }, sweepEvery);
  sweeper.unref();

  let closing: Promise<void> | undefined;
  let draining: Promise<void> | undefined;
  return {
    hub,
    drain: () => {
      draining ??= manager.drain();
      return draining;
    },
    close: () => {
      closing ??= (async () => {
        clearInterval(sweeper);
        clearInterval(blockRecheck);
        stopWakes();
        comet.close();
        await manager.closeAll();
        await websocket.close();
        await forwarder.close();
        await hub.close();
      })();
      return closing;
    },
  };
}
