/**
 * CMP host probe (PROTOCOL.md §2.6): both clients keep the hosts that answer 200 here and ignore the
 * body. Served on the same host:port as the WebSocket endpoint. HEAD is exposed by fastify.
 */
import type { FastifyInstance } from 'fastify';

export function registerPing(fastify: FastifyInstance): void {
  fastify.get('/ping', async (_request, reply) => {
    void reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store');
    return 'ok';
  });
}
