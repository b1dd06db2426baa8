import { createAppConfig, parseAppSpec } from '../../../src/app-config';
import { parseConfig } from '../../../src/config';
import { originAllowed, parseAllowedOrigins } from '../../../src/gateway/origin-policy';

describe('allowed origins', () => {
  const list = parseAllowedOrigins('Good.Example|*.corp.example|https://app.example.net:8443|local.test:3000') as readonly string[];

  it('parses and normalises entries', () => {
    expect(list).toEqual(['good.example', '*.corp.example', 'https://app.example.net:8443', 'local.test:3000']);
    expect(parseAllowedOrigins('https://a.example/path')).toHaveProperty('error');
    expect(parseAllowedOrigins('bad host!')).toHaveProperty('error');
    expect(parseAllowedOrigins('|')).toHaveProperty('error');
  });

  it.each([
    ['https://good.example', true],
    ['http://GOOD.example:9000', true],
    ['https://x.corp.example', true],
    ['https://a.b.corp.example', true],
    ['https://corp.example', false],
    ['https://evilcorp.example', false],
    ['https://app.example.net:8443', true],
    ['https://app.example.net', false],
    ['http://local.test:3000', true],
    ['http://local.test', false],
    ['null', false],
    ['not a url', false],
  ])('%s → %s', (origin, expected) => {
    expect(originAllowed(list, origin)).toBe(expected);
  });

  it('no list or no Origin header (non-browser client) allows; * allows every origin', () => {
    expect(originAllowed(undefined, 'https://evil.example')).toBe(true);
    expect(originAllowed(list, undefined)).toBe(true);
    expect(originAllowed(['*'], 'https://anything.example')).toBe(true);
  });

  it('is an app option in every config form', () => {
    expect(parseAppSpec('k:s:allowedOrigins=a.example|https%3A%2F%2Fb.example', 'x').allowedOrigins).toEqual(['a.example', 'https://b.example']);
    expect(createAppConfig('k', 's', { allowedOrigins: 'a.example' }).allowedOrigins).toEqual(['a.example']);
    expect(() => parseAppSpec('k:s:allowedOrigins=%E0', 'x')).toThrow(/%-encoding/);
    const config = parseConfig(['--config', '/c.json'], {}, {
      cwd: '/',
      readTextFile: () => JSON.stringify({ apps: [{ appKey: 'k', appSecret: 's', allowedOrigins: ['https://a.example', '*.b.example'] }], metricsToken: 'file-token' }),
    });
    if (config.kind !== 'run') throw new Error('expected a run config');
    expect(config.config.apps[0]?.allowedOrigins).toEqual(['https://a.example', '*.b.example']);
    expect(config.config.metricsToken).toBe('file-token');
  });

  it('--metrics-token beats LIANXIN_METRICS_TOKEN', () => {
    const io = { cwd: '/', readTextFile: () => '' };
    const fromEnv = parseConfig(['--app', 'k:s'], { LIANXIN_METRICS_TOKEN: 'env' }, io);
    const fromFlag = parseConfig(['--app', 'k:s', '--metrics-token', 'flag'], { LIANXIN_METRICS_TOKEN: 'env' }, io);
    expect(fromEnv.kind === 'run' && fromEnv.config.metricsToken).toBe('env');
    expect(fromFlag.kind === 'run' && fromFlag.config.metricsToken).toBe('flag');
    expect(() => parseConfig(['--app', 'k:s', '--metrics-token', 'has space'], {}, io)).toThrow(/metrics token/);
  });
});
