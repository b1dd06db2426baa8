/**
 * CORS for the paths browsers reach with XHR (PROTOCOL.md §2.2, §2.6, §10): navi, the CMP host
 * probe and the comet endpoints. No credentials are ever used, so `*` is enough. The Server API is
 * server-to-server and gets no CORS headers.
 */
import type { FastifyInstance } from 'fastify';

export const CORS_PATHS: readonly string[] = ['/navi.js', '/cometnavi.js', '/v2/navi.json', '/ping', '/websocket', '/pullmsg.js'];

export function isCorsPath(url: string): boolean {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  return CORS_PATHS.includes(path);
}

/**
 * Adds `Access-Control-Allow-Origin: *` to every response on a CORS path (routes registered later,
 * e.g. by the gateway, included) and answers preflight OPTIONS requests on them.
 */
export function registerCors(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (isCorsPath(request.url)) void reply.header('access-control-allow-origin', '*');
    return payload;
  });
  for (const url of CORS_PATHS) {
    fastify.options(url, async (request, reply) => {
      const requested = request.headers['access-control-request-headers'];
      void reply
        .code(204)
        .header('access-control-allow-methods', 'GET, HEAD, POST, OPTIONS')
        .header('access-control-allow-headers', typeof requested === 'string' && requested !== '' ? requested : 'Content-Type')
        .header('access-control-max-age', '86400');
      return reply.send();
    });
  }
}
