/**
 * The HTTP application: navi, /ping, the Server API and (plugged in below) the WebSocket/comet
 * gateway, all on one fastify instance and one port. Listening is main.ts's job.
 */
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context';
import type { Broker } from './broker/broker';
import type { PresenceRegistry } from './broker/presence';
import type { RateBuckets } from './broker/rate-buckets';
import { ServerApiErrors, serverApiErrorHandler } from './errors';
import { registerCors } from './http/cors';
import { registerNavi } from './http/navi';
import { registerPing } from './http/ping';
import { registerFileRoutes } from './http/files';
import { BASE_MODULES, registerServerApi, type ServerApiModule } from './http/server-api/index';
import { messageRoutes } from './http/server-api/message';
import { messageExpansionRoutes } from './http/server-api/message-expansion';
import { groupRoutes } from './http/server-api/group';
import { groupMessageRoutes } from './http/server-api/group-message';
import { chatroomRoutes } from './http/server-api/chatroom';
import { chatroomModerationRoutes } from './http/server-api/chatroom-moderation';
import { userAdminRoutes } from './http/server-api/user-admin';
import { userChatBanRoutes } from './http/server-api/user-chat-ban';
import { userPushSettingRoutes } from './http/server-api/user-push-settings';
import { messageBroadcastRoutes } from './http/server-api/message-broadcast';
import { messageHistoryRoutes } from './http/server-api/message-history';
import { messageQueryRoutes } from './http/server-api/message-query';
import { conversationRoutes } from './http/server-api/conversation';
import { sensitiveWordRoutes } from './http/server-api/sensitive-word';
import { pushApiModules } from './http/server-api/push-modules';
import { registerMessageLogDownload } from './http/message-log-download';
import { registerDemo } from './http/demo';
import { registerConsole } from './http/console/console-routes';
import { attachGateway } from './gateway/index';
import { validHostHeader } from './http/host-header';
import { createServices, type Services } from './services/index';
import { registerOps } from './ops/ops-routes';
import { pinoFor } from './log';
import { TrustedProxies } from './http/client-address';

export interface ServerApp {
  readonly fastify: FastifyInstance;
  /** The admin console password generated on this (first) start, to print once; undefined afterwards. */
  readonly consolePassword?: string;
  /**
   * Graceful node drain (SIGTERM): `/readyz` fails at once; after `delayMs` (time for load balancers to
   * notice) live sessions finish their in-flight requests and are told to reconnect elsewhere
   * (gateway `drain`). Call `close` afterwards. Idempotent.
   */
  drain(delayMs?: number): Promise<void>;
  /** Closes live connections (gateway) first, then stops the HTTP server. Idempotent. */
  close(): Promise<void>;
}

/** The cross-node engines main.ts picks (memory for the embedded default). */
export interface AppEngines {
  readonly broker: Broker;
  readonly presence: PresenceRegistry;
  readonly nodeId?: string;
  /**
   * Token buckets for per-app limits that must hold cluster-wide (Redis in cluster mode, memory otherwise):
   * the Server API limiter's (http/server-api/rate-limits.ts).
   */
  readonly rateBuckets?: RateBuckets;
}

/** Server API modules of the App Server integration (issue #10): users (bans, push settings), conversations, broadcasts, history log. */
function appServerModules(services: Services): ServerApiModule[] {
  return [userAdminRoutes(services.hub), userChatBanRoutes(services.hub), userPushSettingRoutes, messageBroadcastRoutes(services.messaging, services.hub, services.kinds), conversationRoutes(services.messaging, services.chatrooms), messageHistoryRoutes];
}

export async function createApp(ctx: ServerContext, engines: AppEngines): Promise<ServerApp> {
  const verbose = ctx.config.logLevel === 'debug' || ctx.config.logLevel === 'trace';
  const proxies = ctx.config.trustProxy === undefined ? undefined : new TrustedProxies(ctx.config.trustProxy);
  const fastify = Fastify({
    // The application logger's pino instance: one format, one redaction list and one level for both streams.
    loggerInstance: pinoFor(ctx.log, ctx.config.logLevel),
    logController: new LogController({ disableRequestLogging: !verbose }),
    // Some server SDKs build `//user/getToken.json` from a base URL ending in `/`.
    routerOptions: { ignoreDuplicateSlashes: true },
    // `request.ip` of a request through the configured reverse proxies is the client's (http/client-address.ts).
    trustProxy: proxies === undefined ? false : (address: string) => proxies.trusts(address),
  });

  fastify.addHook('onRequest', async (request, reply) => {
    if (!validHostHeader(request.raw.rawHeaders)) return reply.code(400).send({ code: 400, errorMessage: 'bad Host header' });
    return undefined;
  });
  registerCors(fastify);
  // healthz/readyz/metrics + security headers; first, so its onSend hook covers every route.
  const built: { services?: Services } = {};
  const ops = registerOps(fastify, ctx, { sessions: () => built.services?.hub.registry.all() ?? [], chatrooms: () => built.services?.chatrooms.service.metrics, brokerHealthy: () => engines.broker.healthy?.() ?? true });
  fastify.setErrorHandler(serverApiErrorHandler);
  fastify.setNotFoundHandler(async (_request, reply) => {
    void reply.code(404).header('content-type', 'application/json; charset=utf-8');
    return { code: ServerApiErrors.notFound.code, errorMessage: ServerApiErrors.notFound.message };
  });
  registerNavi(fastify, ctx);
  registerPing(fastify);
  registerMessageLogDownload(fastify, ctx);
  if (ctx.files?.options.enabled === true) registerFileRoutes(fastify, ctx.files);
  // The gateway creates the Hub the services fan out through; the Server API then publishes
  // through the same services.
  const gateway = await attachGateway(fastify, ctx, (hub) => {
    built.services = createServices(ctx, hub);
    return built.services.router;
  }, engines);
  if (!built.services) throw new Error('gateway did not build the topic services');
  await registerServerApi(fastify, ctx, [...BASE_MODULES, messageRoutes(built.services.messaging, built.services.kinds), messageExpansionRoutes(built.services.messaging, built.services.kinds), messageQueryRoutes(built.services.chatrooms), groupRoutes(built.services.groups), groupMessageRoutes(built.services.groups), chatroomRoutes(built.services.chatrooms), chatroomModerationRoutes(built.services.chatrooms), ...appServerModules(built.services), sensitiveWordRoutes(built.services.sensitiveWords), ...pushApiModules(built.services)], engines.rateBuckets);
  // Web demo at `/` and admin console at `/console` (demo-web/, issue #14).
  registerDemo(fastify, ctx);
  const adminConsole = registerConsole(fastify, ctx, built.services);

  let draining: Promise<void> | undefined;
  const drain = (delayMs = 0): Promise<void> => {
    draining ??= (async () => {
      ops.setDraining();
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await gateway.drain();
    })();
    return draining;
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ops.setDraining();
      adminConsole.close();
      built.services?.chatrooms.service.close();
      await gateway.close();
      // After the gateway: its sessions' offline events still reach the status sync queue.
      await built.services?.callbacks.close();
      await fastify.close();
      ops.close();
    })();
    return closing;
  };
  return { fastify, drain, close, ...(adminConsole.generatedPassword === undefined ? {} : { consolePassword: adminConsole.generatedPassword }) };
}
