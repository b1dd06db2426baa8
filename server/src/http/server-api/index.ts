/**
 * The signed REST "Server API" (SERVER_API.md §1): `POST /<resource>/<action>.json`, authenticated
 * by signature headers, form or JSON bodies, `{"code":200,…}` on success and
 * `{"code":<bizCode>,"errorMessage":"…"}` with a non-2xx status on failure.
 *
 * Each resource module maps paths (without leading `/` and `.json`) to handlers; handlers return the
 * success fields (without `code`) and throw `apiError(...)` for failures. Everything is registered in
 * one encapsulated fastify context so its body parser and error handler stay out of navi/gateway.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config';
import type { ServerContext } from '../../context';
import { apiError, serverApiErrorHandler, ServerApiErrors } from '../../errors';
import { authenticateServerApi, readSignatureHeaders } from './auth';
import { Params, parseServerApiBody } from './params';
import { ApiRateLimiter, type RateCharge } from './rate-limits';
import { MemoryRateBuckets, type RateBuckets } from '../../broker/rate-buckets';
import { userRoutes } from './user';

export interface ServerApiRequest {
  /** The authenticated app (every handler is scoped to it). */
  readonly app: AppConfig;
  readonly params: Params;
  readonly ctx: ServerContext;
  /** `http://host:port` as the caller reached this server (for URLs handed back, e.g. history log files). */
  readonly origin: string;
  /**
   * Takes the request's rate-limit units (rate-limits.ts), or throws 1008. A handler wrapped in
   * `validatedFirst` calls it once its input is checked and before its first effect, so a request that
   * fails validation is never charged and gets its real error (1002…) even when the bucket is empty or its
   * cost is above the limit. For every other handler the units are taken before it runs and this does nothing.
   * Idempotent.
   */
  readonly admit: () => Promise<void>;
}

/** Success fields; `code: 200` is added (a handler may set `code` itself, e.g. 10000 for "V2" endpoints). */
export type ServerApiResult = Readonly<Record<string, unknown>>;
export type ServerApiHandler = (request: ServerApiRequest) => Promise<ServerApiResult | void>;
/** Keys are paths like `user/getToken` (served as `POST /user/getToken.json`). */
export type ServerApiRoutes = Readonly<Record<string, ServerApiHandler>>;
export type ServerApiModule = (ctx: ServerContext) => ServerApiRoutes;

const VALIDATED_FIRST = new WeakSet<ServerApiHandler>();

/**
 * Marks a handler that charges the rate limit itself, through `request.admit()`, after validating its input
 * and before any effect (the metered endpoints: publish, broadcast, push). It must call it on every path that
 * succeeds.
 */
export function validatedFirst(handler: ServerApiHandler): ServerApiHandler {
  VALIDATED_FIRST.add(handler);
  return handler;
}

/** Modules that need nothing but the context; app.ts adds the ones built on services. */
export const BASE_MODULES: readonly ServerApiModule[] = [userRoutes];

export async function registerServerApi(fastify: FastifyInstance, ctx: ServerContext, modules: readonly ServerApiModule[] = BASE_MODULES, rateBuckets: RateBuckets = new MemoryRateBuckets(() => ctx.clock.now())): Promise<void> {
  await fastify.register(async (api) => {
    const appOf = new WeakMap<FastifyRequest, AppConfig>();
    const limiter = new ApiRateLimiter(rateBuckets, (error) => ctx.log.warn('shared rate limit unavailable; request let through', { error: String(error) }));

    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
      try {
        done(null, parseServerApiBody(request.headers['content-type'], body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    api.setErrorHandler(serverApiErrorHandler);

    // Authenticate before the body is read: unsigned callers get 1004 whatever they send.
    api.addHook('onRequest', async (request) => {
      const result = authenticateServerApi(readSignatureHeaders(request.headers), ctx.apps, ctx.clock.now(), ctx.config.apiClockSkewSeconds);
      if (!result.ok) throw apiError(result.error, result.detail);
      appOf.set(request, result.app);
    });

    for (const module of modules) {
      for (const [path, handler] of Object.entries(module(ctx))) {
        const url = `/${path.replace(/^\/+/, '')}.json`;
        api.post(url, async (request, reply) => {
          const app = appOf.get(request);
          if (app === undefined) throw apiError(ServerApiErrors.signature);
          const endpoint = path.replace(/^\/+/, '');
          // Units taken and not yet used: given back if the request fails after all.
          let charge: RateCharge | undefined = VALIDATED_FIRST.has(handler) ? undefined : await limiter.charge(app, endpoint, request.body);
          const admit = async (): Promise<void> => {
            charge ??= await limiter.charge(app, endpoint, request.body);
          };
          let result: ServerApiResult | void;
          try {
            result = await handler({ app, params: new Params(request.body), ctx, origin: `${request.protocol}://${request.host}`, admit });
          } catch (error) {
            await charge?.refund();
            throw error;
          }
          void reply.code(200).header('content-type', 'application/json; charset=utf-8');
          return { code: 200, ...(result ?? {}) };
        });
        api.route({
          method: ['GET', 'PUT', 'PATCH', 'DELETE'],
          url,
          handler: async () => {
            throw apiError(ServerApiErrors.methodNotAllowed);
          },
        });
      }
    }
  });
}
