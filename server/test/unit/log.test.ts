/**
 * The application logger on pino (issue #13): JSON lines with pino's numeric levels, the injected
 * clock, the field conventions, redaction of secret-bearing fields, Error fields, runtime level
 * changes and URL masking. fastify sharing the instance: server/test/e2e/request-logs.test.ts.
 */
import { createLogger, maskUrl, pinoFor, REDACTED, REDACTED_FIELDS } from '../../src/log';

function capture(level: Parameters<typeof createLogger>[0] = 'debug'): { log: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[]; raw: () => string } {
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

describe('createLogger', () => {
  it('writes one JSON object per line with pino levels, the clock time and the caller fields', () => {
    const { log, lines, raw } = capture();
    log.debug('session opened', { connId: 'c-1', appKey: 'app1', userId: 'alice' });
    log.info('config reloaded', { added: ['a2'], removed: [] });
    log.warn('hub error', { context: 'x' });
    log.error('store failed');
    expect(raw().endsWith('\n')).toBe(true);
    expect(lines()).toEqual([
      expect.objectContaining({ level: 20, time: 1_700_000_000_123, msg: 'session opened', connId: 'c-1', appKey: 'app1', userId: 'alice' }),
      expect.objectContaining({ level: 30, msg: 'config reloaded', added: ['a2'], removed: [] }),
      expect.objectContaining({ level: 40, msg: 'hub error', context: 'x' }),
      expect.objectContaining({ level: 50, msg: 'store failed' }),
    ]);
    for (const line of lines()) {
      expect(line['pid']).toBe(process.pid);
      expect(typeof line['hostname']).toBe('string');
    }
  });

  it('redacts secret-bearing fields at the top level and one object down', () => {
    const { log, lines, raw } = capture();
    const fields: Record<string, unknown> = { connId: 'c-2' };
    for (const field of REDACTED_FIELDS) fields[field] = `leak-${field}`;
    log.info('everything', { ...fields, nested: { token: 'leak-nested-token', signature: 'leak-nested-sig', keep: 'visible' } });
    expect(raw()).not.toContain('leak-');
    const [line] = lines();
    for (const field of ['token', 'secret', 'appSecret', 'password', 'signature', 'content']) expect(line?.[field]).toBe(REDACTED);
    expect(line?.['nested']).toEqual({ token: REDACTED, signature: REDACTED, keep: 'visible' });
    expect(line?.['connId']).toBe('c-2');
  });

  it('serializes Error fields and never throws on circular or BigInt fields', () => {
    const { log, lines } = capture();
    const circular: Record<string, unknown> = { a: 1 };
    circular['self'] = circular;
    log.warn('failed', { error: new TypeError('boom') });
    expect(() => log.info('odd', { circular, big: 10n })).not.toThrow();
    const [failed, odd] = lines();
    expect(failed?.['error']).toMatchObject({ type: 'TypeError', message: 'boom' });
    expect(String((failed?.['error'] as { stack: string }).stack)).toContain('TypeError: boom');
    expect(odd?.['msg']).toBe('odd');
  });

  it('changes the threshold at runtime (config reload) and honours silent', () => {
    const { log, lines } = capture('info');
    log.debug('hidden');
    log.setLevel?.('debug');
    log.debug('shown');
    log.setLevel?.('error');
    log.warn('hidden too');
    log.error('still shown');
    log.setLevel?.('silent');
    log.error('nothing');
    expect(lines().map((l) => l['msg'])).toEqual(['shown', 'still shown']);
  });

  it('masks secret query parameters in URLs', () => {
    expect(maskUrl('/websocket?appId=k&token=abc%2Fdef&sdkVer=2.9.2')).toBe(`/websocket?appId=k&token=${REDACTED}&sdkVer=2.9.2`);
    expect(maskUrl('/x?Signature=1&nonce=2#f')).toBe(`/x?Signature=${REDACTED}&nonce=${REDACTED}#f`);
    expect(maskUrl('/healthz')).toBe('/healthz');
  });
});

describe('pinoFor', () => {
  it('falls back to a pino logger of its own for loggers not made by createLogger', () => {
    const plain = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const fallback = pinoFor(plain, 'warn');
    expect(fallback.level).toBe('warn');
    const { log } = capture();
    expect(pinoFor(log, 'warn').level).toBe('debug');
  });
});
