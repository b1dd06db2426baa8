/**
 * The signed REST "Server API" (SERVER_API.md §1): `POST /<resource>/<action>.json`, authenticated
 * by signature headers, form or JSON bodies, `{"code":200,…}` on success and
 * `{"code":<bizCode>,"errorMessage":"…"}` with a non-2xx status on failure.
 *
 * Each resource module maps paths (without leading `/` and `.json`) to handlers. A handler checks its input and
 * returns a `run` function (two phases: the rate limit is charged between them, see ServerApiHandler); `run`
 * returns the success fields (without `code`). Both throw `apiError(...)` for failures. Everything is registered in
 * one encapsulated fastify context so its body parser and error handler stay out of navi/gateway.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config';
import type { ServerContext } from '../../context';
import { apiError, serverApiErrorHandler, ServerApiErrors } from '../../errors';
import { authenticateServerApi, readSignatureHeaders } from './auth';
import { Params, parseServerApiBody } from './params';
import { ApiRateLimiter } from './rate-limits';
import { MemoryRateBuckets, type RateBuckets } from '../../broker/rate-buckets';
import { userRoutes } from './user';

export interface ServerApiRequest {
  /** The authenticated app (every handler is scoped to it). */
  readonly app: AppConfig;
  /** Readable in the check phase only (see ServerApiHandler); a read from `run` throws. */
  readonly params: Params;
  readonly ctx: ServerContext;
  /** `http://host:port` as the caller reached this server (for URLs handed back, e.g. history log files). */
  readonly origin: string;
}

/** Success fields; `code: 200` is added (a handler may set `code` itself, e.g. 10000 for "V2" endpoints). */
export type ServerApiResult = Readonly<Record<string, unknown>>;
/** A handler's second phase: its effects and its answer. */
export type ServerApiRun = () => Promise<ServerApiResult | void>;
/**
 * Every handler has two phases, and the rate limit (rate-limits.ts) is charged between them:
 *
 *   'user/refresh': ({ app, params }) => {
 *     const userId = params.requiredString('userId', USER_ID_RULE);   // check phase: read and check the input
 *     return async () => {                                            // charged here
 *       await ctx.store.users.upsert(app.appKey, userId, {}, ctx.clock.now());
 *     };
 *   },
 *
 * The check phase reads every parameter and throws the request's own errors (1002…); it changes nothing and
 * sends nothing. It may read stored state a refusal depends on (a publish checks its rooms exist), so it may be
 * async. A request refused there is never charged, and gets its own error even when its bucket is empty or its
 * cost is above the limit. `run` does the work; its units are given back if it throws (only accepted work is
 * counted). `params` is sealed once the check phase returns: a late read fails loudly in the endpoint's tests
 * instead of validating after the charge.
 *
 * Why this shape: apps may limit any endpoint (`rate.<path>`, `rate.*`), so the order "validate, then charge"
 * must hold for every handler, including ones added later. Charging before the handler (refunding failures)
 * answered 429 instead of the validation error on an empty bucket; an `admit()` each handler had to call
 * before its first effect would have been silently missed by a new handler. Here the type requires the split:
 * a handler that returns its answer directly does not compile.
 */
export type ServerApiHandler = (request: ServerApiRequest) => ServerApiRun | Promise<ServerApiRun>;
/** Keys are paths like `user/getToken` (served as `POST /user/getToken.json`). */
export type ServerApiRoutes = Readonly<Record<string, ServerApiHandler>>;
export type ServerApiModule = (ctx: ServerContext) => ServerApiRoutes;

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
          const params = new Params(request.body);
          // Check phase: a refusal here costs nothing.
          const run = await handler({ app, params, ctx, origin: `${request.protocol}://${request.host}` });
          if (typeof run !== 'function') throw new Error(`Server API handler ${endpoint} returned no run function`);
          params.seal(endpoint);
          const charge = await limiter.charge(app, endpoint, request.body);
          let result: ServerApiResult | void;
          try {
            result = await run();
          } catch (error) {
            // Units taken and not used: the request failed after all.
            await charge.refund();
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
