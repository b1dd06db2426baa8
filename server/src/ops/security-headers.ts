/**
 * Security headers on every HTTP response (issue #13): no MIME sniffing, no framing by other sites, no
 * referrer leaking tokens in URLs, no legacy XSS auditor. A header a route already set is kept (the
 * console or demo may need their own policy). HSTS is left to the TLS-terminating proxy: this server
 * speaks plain HTTP and may run on a LAN. `x-request-id` echoes the request id of the log lines.
 */
import type { FastifyInstance } from 'fastify';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
  'x-xss-protection': '0',
  'x-permitted-cross-domain-policies': 'none',
};

export function registerSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!reply.hasHeader(name)) void reply.header(name, value);
    }
    // The id fastify's request log lines carry as `reqId`: a client report can be matched to the log.
    if (!reply.hasHeader('x-request-id')) void reply.header('x-request-id', String(request.id));
    return payload;
  });
}
