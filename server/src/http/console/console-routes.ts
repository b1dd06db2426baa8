/**
 * The admin console's tiny backend (`/console/api/*`). Why server-side: the console signs Server API
 * requests with app secrets; keeping the secrets in the server process (and only an HttpOnly
 * session cookie in the browser) means an XSS or a shared screen never leaks a secret that works
 * forever, and a changed admin password revokes access at once.
 *
 * Every management action goes through `POST /console/api/call` = one signed Server API request
 * (`callServerApi`), so the console exercises exactly the public API an App Server uses. Mutating
 * requests need the session cookie (SameSite=Strict) AND the `x-lianxin-console: 1` header, which a
 * cross-site form cannot send.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context';
import type { Services } from '../../services/index';
import { callServerApi, normalizeServerApiPath, type ServerApiParams } from '../server-api-inject';
import { ConsoleAuth, SESSION_TTL_MS, sessionCookie, sessionFromCookie } from './console-auth';
import { ConsoleStats } from './console-stats';
import { registerConsoleApps } from './console-apps';

export const CONSOLE_HEADER = 'x-lianxin-console';

export interface ConsoleHandle {
  /** Set on the first start only (nothing stored yet): print it once. */
  readonly generatedPassword: string | undefined;
  close(): void;
}

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  return typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function isParamValue(value: unknown): value is string | number | boolean | (string | number)[] {
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string' || typeof v === 'number');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function registerConsole(fastify: FastifyInstance, ctx: ServerContext, services: Services): ConsoleHandle {
  const auth = new ConsoleAuth(ctx.config.dataDir, () => ctx.clock.now());
  const stats = new ConsoleStats(services, () => ctx.clock.now());

  const deny = (reply: FastifyReply, code: number, message: string): FastifyReply => reply.code(code).send({ code, errorMessage: message });
  /** Session check (+ the CSRF header for POSTs); answers and returns false when refused. */
  const guard = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (!auth.valid(sessionFromCookie(request.headers.cookie))) {
      void deny(reply, 401, 'log in first');
      return false;
    }
    if (request.method !== 'GET' && request.headers[CONSOLE_HEADER] !== '1') {
      void deny(reply, 403, `missing ${CONSOLE_HEADER} header`);
      return false;
    }
    return true;
  };

  fastify.get('/console/api/session', async (request) => ({ authenticated: auth.valid(sessionFromCookie(request.headers.cookie)) }));

  fastify.post('/console/api/login', async (request, reply) => {
    if (request.headers[CONSOLE_HEADER] !== '1') return deny(reply, 403, `missing ${CONSOLE_HEADER} header`);
    if (auth.throttled(request.ip)) return deny(reply, 429, 'too many failed logins, wait a minute');
    const session = auth.login(text(bodyOf(request)['password']), request.ip);
    if (session === undefined) return deny(reply, 401, 'wrong password');
    return reply.header('set-cookie', sessionCookie(session, SESSION_TTL_MS / 1000, request.protocol === 'https')).send({ authenticated: true });
  });

  // Logout carries nothing: a bodyless POST is accepted even when it names a JSON content type (an empty
  // JSON body would otherwise be refused before the handler runs, leaving the session alive).
  const dropEmptyBodyType = async (request: FastifyRequest): Promise<void> => {
    const length = request.headers['content-length'];
    if (request.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) delete request.headers['content-type'];
  };
  fastify.post('/console/api/logout', { onRequest: dropEmptyBodyType }, async (request, reply) => {
    auth.logout(sessionFromCookie(request.headers.cookie));
    return reply.header('set-cookie', sessionCookie('', 0, request.protocol === 'https')).send({ authenticated: false });
  });

  fastify.post('/console/api/password', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    // Guesses of the current password are throttled as logins are (a session is no licence to guess it).
    if (auth.throttled(request.ip)) return deny(reply, 429, 'too many failed attempts, wait a minute');
    const body = bodyOf(request);
    const result = auth.change(text(body['current']), text(body['next']), sessionFromCookie(request.headers.cookie), request.ip);
    if (result === 'wrong') return deny(reply, 401, 'current password is wrong');
    if (result === 'weak') return deny(reply, 400, 'the new password needs at least 8 characters');
    return { changed: true };
  });

  // Apps: configured ones read-only, console-created ones stored and served at once (console-apps.ts).
  const apps = registerConsoleApps(fastify, ctx, services, guard);

  fastify.post('/console/api/call', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const body = bodyOf(request);
    const app = ctx.apps.get(text(body['appKey']));
    if (app === undefined) return deny(reply, 404, 'unknown app');
    const path = text(body['path']);
    if (normalizeServerApiPath(path) === undefined) return deny(reply, 400, 'path must look like user/getToken');
    const raw = typeof body['params'] === 'object' && body['params'] !== null ? (body['params'] as Record<string, unknown>) : {};
    const json = body['json'] === true;
    const params: Record<string, string | number | boolean | (string | number)[]> = {};
    for (const [name, value] of Object.entries(raw)) {
      if (!json && !isParamValue(value)) return deny(reply, 400, `param ${name}: strings, numbers, booleans or arrays of them`);
      params[name] = value as string;
    }
    const answer = await callServerApi(fastify, app, path, params as ServerApiParams, ctx.clock.now(), json);
    return { status: answer.status, body: answer.body };
  });

  fastify.get('/console/api/stats', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    stats.start();
    return stats.snapshot();
  });

  return {
    generatedPassword: auth.generatedPassword,
    close: () => {
      stats.close();
      apps.close();
    },
  };
}
