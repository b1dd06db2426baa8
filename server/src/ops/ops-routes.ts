/**
 * Operations endpoints on the main port: `/healthz` (the process answers), `/readyz` (accepting
 * connections and the store answers a read), `/metrics` (prom-client's Prometheus text format,
 * optionally behind a bearer token compared in constant time), plus security headers on every HTTP response.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import type { SessionInfo } from '../gateway/topic-router';
import type { ChatroomMetrics } from '../services/chatrooms/chatroom-metrics';
import { ConfigReloader } from './config-reload';
import { setCounterTotal } from './metrics-registry';
import { safeEqual } from './safe-equal';
import { registerSecurityHeaders } from './security-headers';
import { serverMetrics, type ServerMetrics } from './server-metrics';

/** Environment variable holding the `/metrics` bearer token (unset: the endpoint is open). */
export const METRICS_TOKEN_ENV = 'LIANXIN_METRICS_TOKEN';
const READY_STORE_TIMEOUT_MS = 2000;

export interface OpsSources {
  /** The sessions of this node (the Hub's registry). */
  readonly sessions: () => readonly { readonly info: SessionInfo }[];
  /** Read at scrape time (the services may be built after the routes are registered). */
  readonly chatrooms?: () => ChatroomMetrics | undefined;
  /**
   * Bearer token for `/metrics` and `/ops/*`; default: the config's `metricsToken` (`--metrics-token`,
   * LIANXIN_METRICS_TOKEN, config file), then the LIANXIN_METRICS_TOKEN environment variable.
   */
  readonly metricsToken?: string;
  /**
   * Reload the config on SIGHUP. Default: only when the config came from `loadConfig` (a real server
   * process), so in-process test servers never take over the process's signal.
   */
  readonly reloadOnSighup?: boolean;
  readonly metrics?: ServerMetrics;
  /** Cross-node broker connected (cluster mode); `/readyz` fails while it is not. Absent: always. */
  readonly brokerHealthy?: () => boolean;
}

export interface OpsHandle {
  /** From now on `/readyz` answers 503 (graceful shutdown: load balancers stop sending). */
  setDraining(): void;
  close(): void;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export function registerOps(fastify: FastifyInstance, ctx: ServerContext, sources: OpsSources): OpsHandle {
  const metrics = sources.metrics ?? serverMetrics;
  const initialToken = sources.metricsToken ?? ctx.config.metricsToken ?? process.env[METRICS_TOKEN_ENV];
  // Mutable: a config reload may rotate it.
  let token = initialToken === undefined || initialToken === '' ? undefined : initialToken;
  let draining = false;
  const authorized = (header: string | undefined): boolean => {
    if (token === undefined) return false;
    const presented = header !== undefined && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    return safeEqual(presented, token);
  };
  const reloader = new ConfigReloader({
    ctx,
    requestLog: fastify.log,
    setMetricsToken: (next) => {
      token = next;
    },
  });
  const onSighup = (): void => {
    ctx.log.info('SIGHUP: reloading config');
    reloader.reload();
  };
  const sighup = sources.reloadOnSighup ?? ctx.config.source !== undefined;
  if (sighup) process.on('SIGHUP', onSighup);

  registerSecurityHeaders(fastify);

  // Collect-on-scrape: `connections` and the chatroom counters are reset before their hooks run.
  const unregister = [
    metrics.registry.onCollect(metrics.connections, () => {
      for (const { info } of sources.sessions()) metrics.connections.inc({ platform: info.platform, transport: info.transport });
    }),
    metrics.registry.onCollect(metrics.dropped, () => {
      const chatrooms = sources.chatrooms?.();
      if (chatrooms === undefined) return;
      for (const [priority, n] of Object.entries(chatrooms.dropped)) setCounterTotal(metrics.dropped, { reason: `chatroom_${priority}_priority` }, n);
    }),
    metrics.registry.onCollect(metrics.chatroomAccepted, () => {
      for (const [priority, n] of Object.entries(sources.chatrooms?.()?.accepted ?? {})) metrics.chatroomAccepted.inc({ priority }, n);
    }),
    metrics.registry.onCollect(metrics.chatroomKicked, () => {
      for (const [reason, n] of Object.entries(sources.chatrooms?.()?.kicked ?? {})) metrics.chatroomKicked.inc({ reason }, n);
    }),
  ];

  fastify.get('/healthz', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  fastify.get('/readyz', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    if (draining) return reply.code(503).send({ status: 'draining' });
    if (sources.brokerHealthy !== undefined && !sources.brokerHealthy()) return reply.code(503).send({ status: 'broker unavailable' });
    try {
      // Any read proves the store answers; the empty key matches no user.
      await withTimeout(ctx.store.users.get('', ''), READY_STORE_TIMEOUT_MS);
    } catch (error) {
      ctx.log.warn('readiness check: store unavailable', { reqId: request.id, error: error instanceof Error ? error.message : String(error) });
      return reply.code(503).send({ status: 'store unavailable' });
    }
    return { status: 'ready' };
  });

  fastify.get('/metrics', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    if (token !== undefined && !authorized(request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ status: 'unauthorized' });
    }
    const text = await metrics.render();
    return reply.header('content-type', metrics.contentType).send(text);
  });

  // Same effect as SIGHUP, for operators without shell access to the process. Disabled (404) unless a
  // metrics token is configured: an unauthenticated reload trigger is not something to leave open.
  fastify.post('/ops/reload', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    if (token === undefined) return reply.code(404).send({ status: 'disabled: configure a metrics token' });
    if (!authorized(request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').send({ status: 'unauthorized' });
    }
    request.log.info('config reload requested');
    const outcome = reloader.reload();
    return reply.code(outcome.ok ? 200 : 422).send(outcome);
  });

  return {
    setDraining: () => {
      draining = true;
    },
    close: () => {
      if (sighup) process.off('SIGHUP', onSighup);
      for (const off of unregister) off();
    },
  };
}
