/**
 * fastify's request logger on the application logger's pino instance (issue #13): one format (pino
 * levels, the same clock, pid), request ids, secret query parameters masked, secret fields redacted,
 * and level changes followed. In-process server on 127.0.0.1.
 */
import Fastify, { LogController } from 'fastify';
import { createLogger, pinoFor, REDACTED } from '../../src/log';

function capture(level: Parameters<typeof createLogger>[0]): { log: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[]; raw: () => string } {
  let out = '';
  const log = createLogger(level, (line) => {
    out += line;
  }, () => 1_700_000_000_123);
  return {
    log,
    raw: () => out,
    lines: () => out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('fastify on the same pino instance', () => {
  it('writes request lines in the same format, with reqId and masked URLs, and follows level changes', async () => {
    const { log, lines, raw } = capture('debug');
    const fastify = Fastify({ loggerInstance: pinoFor(log, 'info'), logController: new LogController({ disableRequestLogging: false }) });
    fastify.get('/echo', async (request) => {
      request.log.info({ content: 'private text' }, 'handler ran');
      return { ok: true };
    });
    try {
      const base = await fastify.listen({ host: '127.0.0.1', port: 0 });
      const response = await fetch(`${base}/echo?appId=k&token=tok-SECRET-1`, { headers: { signature: 'sig-SECRET-2', authorization: 'Bearer bearer-SECRET-3' } });
      expect(response.status).toBe(200);
      expect(raw()).not.toMatch(/SECRET|private text/);
      const request = lines().filter((l) => l['reqId'] !== undefined);
      expect(request.map((l) => l['msg'])).toEqual(expect.arrayContaining(['incoming request', 'handler ran', 'request completed']));
      for (const line of request) expect(line).toMatchObject({ level: 30, time: 1_700_000_000_123, pid: process.pid });
      expect(request.find((l) => l['msg'] === 'incoming request')?.['req']).toMatchObject({ method: 'GET', url: `/echo?appId=k&token=${REDACTED}` });

      // A reload sets both levels (ConfigReloader: ctx.log.setLevel and fastify.log.level).
      const before = lines().length;
      log.setLevel?.('warn');
      fastify.log.level = 'warn';
      expect((await fetch(`${base}/echo`)).status).toBe(200);
      expect(lines().length).toBe(before);
    } finally {
      await fastify.close();
    }
  });
});
