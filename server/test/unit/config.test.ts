import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_APP_OPTIONS, loadConfig, loadOrCreateDevApp, parseAppList, parseConfig, USAGE } from '../../src/config';
import type { ParsedConfig, ServerConfig } from '../../src/config';

const CWD = '/srv/lianxin';

function parse(argv: readonly string[], env: Record<string, string> = {}, files: Record<string, string> = {}): ParsedConfig {
  return parseConfig(argv, env, {
    cwd: CWD,
    readTextFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error('ENOENT: no such file');
      return text;
    },
  });
}

function config(argv: readonly string[], env: Record<string, string> = {}, files: Record<string, string> = {}): ServerConfig {
  const parsed = parse(argv, env, files);
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  return parsed.config;
}

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies documented defaults', () => {
    expect(config(['--app', 'k:s'])).toEqual({
      host: '127.0.0.1',
      port: 9200,
      publicHosts: [],
      dataDir: '/srv/lianxin/data',
      dbFile: '/srv/lianxin/data/lianxin.db',
      apps: [{ appKey: 'k', appSecret: 's', dev: false, ...DEFAULT_APP_OPTIONS }],
      devApp: false,
      logLevel: 'info',
      apiClockSkewSeconds: 0,
    });
    expect(DEFAULT_APP_OPTIONS).toEqual({ multiDevice: false, offlineRetentionDays: 7, recallWindowMs: 120000, maxSendRatePerSecond: 5 });
  });

  it('reads --trust-proxy from flags (repeatable, comma lists), LIANXIN_TRUST_PROXY and the file, and refuses entries it cannot read', () => {
    expect(config(['--app', 'k:s', '--trust-proxy', 'loopback,10.0.0.0/8', '--trust-proxy=fd00::/8']).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8']);
    expect(config(['--app', 'k:s'], { LIANXIN_TRUST_PROXY: '192.0.2.1 private' }).trustProxy).toEqual(['192.0.2.1', 'private']);
    expect(config(['--config', 'c.json'], {}, { '/srv/lianxin/c.json': JSON.stringify({ apps: ['k:s'], trustProxy: ['::1', '172.16.0.0/12'] }) }).trustProxy).toEqual(['::1', '172.16.0.0/12']);
    expect(config(['--app', 'k:s', '--trust-proxy', '127.0.0.1'], { LIANXIN_TRUST_PROXY: 'private' }).trustProxy).toEqual(['127.0.0.1']);
    expect(config(['--app', 'k:s']).trustProxy).toBeUndefined();
    for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.0/', '::1/129', '1.2.3.4/8x', 'fe80::/-1']) {
      expect(errorOf(() => config(['--app', 'k:s', '--trust-proxy', bad]))).toContain(`"${bad}" is not an IP address`);
    }
    expect(errorOf(() => config(['--config', 'c.json'], {}, { '/srv/lianxin/c.json': JSON.stringify({ apps: ['k:s'], trustProxy: 5 }) }))).toContain('"trustProxy" must be');
  });

  it('returns help for --help and -h, even with other flags', () => {
    expect(parse(['--help'])).toEqual({ kind: 'help' });
    expect(parse(['--port', '1', '-h'])).toEqual({ kind: 'help' });
    expect(USAGE).toContain('--public-host');
  });

  it('reads every flag in both --flag value and --flag=value forms', () => {
    const c = config([
      '--host=0.0.0.0', '--port', '0', '--public-host', 'im.example.com:443', '--public-host=10.0.0.2:9200',
      '--data-dir', 'var/db', '--app=a:sa', '--app', 'b:sb:multiDevice=1,retentionDays=3,recallWindowMs=5000,maxSendRate=50,tokenTtlMs=60000',
      '--dev-app', '--log-level', 'debug', '--api-clock-skew', '300',
    ]);
    expect(c).toMatchObject({
      host: '0.0.0.0', port: 0, publicHosts: ['im.example.com:443', '10.0.0.2:9200'], dataDir: '/srv/lianxin/var/db',
      devApp: true, logLevel: 'debug', apiClockSkewSeconds: 300,
    });
    expect(c.apps[0]).toEqual({ appKey: 'a', appSecret: 'sa', dev: false, ...DEFAULT_APP_OPTIONS });
    expect(c.apps[1]).toEqual({
      appKey: 'b', appSecret: 'sb', dev: false, multiDevice: true, offlineRetentionDays: 3, recallWindowMs: 5000, maxSendRatePerSecond: 50, tokenTtlMs: 60000,
    });
  });

  it('rejects unknown options, stray arguments and missing values with clear messages', () => {
    expect(errorOf(() => parse(['--app', 'k:s', '--bogus']))).toBe('unknown option --bogus');
    expect(errorOf(() => parse(['--app', 'k:s', '--bogus=1']))).toBe('unknown option --bogus');
    expect(errorOf(() => parse(['--app', 'k:s', 'extra']))).toBe('unexpected argument "extra"');
    expect(errorOf(() => parse(['--app', 'k:s', '--port']))).toBe('option --port needs a value');
    expect(errorOf(() => parse(['--port', '--app', 'k:s']))).toBe('option --port needs a value');
  });

  it('validates port, host, public hosts, log level and clock skew', () => {
    expect(errorOf(() => parse(['--app', 'k:s', '--port', '65536']))).toMatch(/port: 65536 is out of range 0\.\.65535/);
    expect(errorOf(() => parse(['--app', 'k:s', '--port', 'abc']))).toMatch(/port: "abc" is not a non-negative integer/);
    expect(errorOf(() => parse(['--app', 'k:s', '--port', '-1']))).toMatch(/port/);
    expect(errorOf(() => parse(['--app', 'k:s', '--host', 'a b']))).toMatch(/invalid host/);
    expect(errorOf(() => parse(['--app', 'k:s', '--public-host', 'http://x:1']))).toMatch(/invalid public host "http:\/\/x:1"/);
    expect(errorOf(() => parse(['--app', 'k:s', '--public-host', 'x:99999']))).toMatch(/invalid public host/);
    expect(errorOf(() => parse(['--app', 'k:s', '--public-host', 'a);b']))).toMatch(/invalid public host/);
    expect(config(['--app', 'k:s', '--public-host', '[::1]:9200', '--public-host', 'host.only']).publicHosts).toEqual(['[::1]:9200', 'host.only']);
    expect(errorOf(() => parse(['--app', 'k:s', '--log-level', 'loud']))).toMatch(/invalid log level "loud"/);
    expect(errorOf(() => parse(['--app', 'k:s', '--api-clock-skew', '1.5']))).toMatch(/api clock skew/);
  });

  it('requires at least one app unless --dev-app', () => {
    expect(errorOf(() => parse([]))).toMatch(/no app configured/);
    expect(config(['--dev-app']).apps).toEqual([]);
  });

  it('validates app specs and options', () => {
    expect(errorOf(() => parse(['--app', 'k']))).toMatch(/--app k: expected KEY:SECRET/);
    expect(errorOf(() => parse(['--app', 'k:s:a=1:b']))).toMatch(/expected KEY:SECRET/);
    expect(errorOf(() => parse(['--app', 'bad key:s']))).toMatch(/invalid app key "bad key"/);
    expect(errorOf(() => parse(['--app', 'k:se=cret']))).toMatch(/invalid app secret/);
    expect(errorOf(() => parse(['--app', 'k:s:colour=red']))).toMatch(/unknown option "colour"/);
    expect(errorOf(() => parse(['--app', 'k:s:multiDevice=maybe']))).toMatch(/multiDevice: "maybe" is not a boolean/);
    expect(errorOf(() => parse(['--app', 'k:s:retentionDays=0']))).toMatch(/retentionDays: 0 is out of range/);
    expect(errorOf(() => parse(['--app', 'k:s:noequals']))).toMatch(/option "noequals" must be name=value/);
    expect(errorOf(() => parse(['--app', 'k:s', '--app', 'k:t']))).toMatch(/app key "k" is configured twice/);
    expect(config(['--app', 'k:s:multiDevice=true,offlineRetentionDays=30,maxSendRatePerSecond=9']).apps[0]).toMatchObject({
      multiDevice: true, offlineRetentionDays: 30, maxSendRatePerSecond: 9,
    });
  });

  it('reads environment variables, and CLI flags win over them', () => {
    const env = {
      LIANXIN_HOST: '0.0.0.0', LIANXIN_PORT: '9300', LIANXIN_DATA_DIR: '/var/lx', LIANXIN_APPS: 'k1:s1,k2:s2:multiDevice=1,retentionDays=2',
      LIANXIN_PUBLIC_HOSTS: 'a.example:1,b.example:2', LIANXIN_LOG_LEVEL: 'warn', LIANXIN_DEV_APP: '1', LIANXIN_API_CLOCK_SKEW: '60',
    };
    const c = config([], env);
    expect(c).toMatchObject({ host: '0.0.0.0', port: 9300, dataDir: '/var/lx', publicHosts: ['a.example:1', 'b.example:2'], logLevel: 'warn', devApp: true, apiClockSkewSeconds: 60 });
    expect(c.apps.map((a) => [a.appKey, a.multiDevice, a.offlineRetentionDays])).toEqual([['k1', false, 7], ['k2', true, 2]]);
    const overridden = config(['--port', '1', '--app', 'k3:s3'], env);
    expect(overridden.port).toBe(1);
    expect(overridden.apps.map((a) => a.appKey)).toEqual(['k3']);
    expect(config([], { LIANXIN_APPS: 'k:s', LIANXIN_PORT: '' }).port).toBe(9200);
  });

  it('parses LIANXIN_APPS option continuations', () => {
    expect(parseAppList('a:1:multiDevice=1,retentionDays=3,b:2', 'X').map((a) => [a.appKey, a.multiDevice, a.offlineRetentionDays])).toEqual([
      ['a', true, 3],
      ['b', false, 7],
    ]);
    expect(parseAppList('a:1,recallWindowMs=10', 'X')[0]?.recallWindowMs).toBe(10);
  });

  it('reads a JSON config file below env and CLI; relative dataDir is relative to the file', () => {
    const file = JSON.stringify({
      host: '10.1.1.1', port: 9400, dataDir: 'state', logLevel: 'error', devApp: true, publicHosts: ['f.example:9'],
      apps: ['fk:fs', { appKey: 'ok', appSecret: 'os', multiDevice: true, retentionDays: 14 }],
    });
    const files = { '/etc/lianxin/config.json': file };
    const c = config(['--config', '/etc/lianxin/config.json'], {}, files);
    expect(c).toMatchObject({ host: '10.1.1.1', port: 9400, dataDir: '/etc/lianxin/state', logLevel: 'error', devApp: true, publicHosts: ['f.example:9'] });
    expect(c.apps.map((a) => [a.appKey, a.multiDevice, a.offlineRetentionDays])).toEqual([['fk', false, 7], ['ok', true, 14]]);
    expect(config([], { LIANXIN_CONFIG: '/etc/lianxin/config.json', LIANXIN_PORT: '1' }, files).port).toBe(1);
    expect(config(['--config', '/etc/lianxin/config.json', '--port', '2'], { LIANXIN_PORT: '1' }, files).port).toBe(2);
  });

  it('explains config file problems', () => {
    expect(errorOf(() => parse(['--config', 'missing.json']))).toMatch(/cannot read config file \/srv\/lianxin\/missing\.json/);
    expect(errorOf(() => parse(['--config', '/c.json'], {}, { '/c.json': '{nope' }))).toMatch(/config file \/c\.json is not valid JSON/);
    expect(errorOf(() => parse(['--config', '/c.json'], {}, { '/c.json': '[]' }))).toMatch(/must contain a JSON object/);
    expect(errorOf(() => parse(['--config', '/c.json'], {}, { '/c.json': '{"prot":1}' }))).toMatch(/unknown key "prot"/);
    expect(errorOf(() => parse(['--config', '/c.json'], {}, { '/c.json': '{"apps":[{"appKey":"k"}]}' }))).toMatch(/apps\[0\] needs string "appKey" and "appSecret"/);
    expect(errorOf(() => parse(['--config', '/c.json'], {}, { '/c.json': '{"devApp":"yes"}' }))).toMatch(/"devApp" must be true or false/);
  });
});

describe('dev app', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lianxin-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is generated once, stored privately and reused', () => {
    const first = loadOrCreateDevApp(join(dir, 'nested'));
    expect(first).toMatchObject({ dev: true, multiDevice: false });
    expect(first.appKey).toMatch(/^[a-z0-9]{13}$/);
    expect(first.appSecret).toMatch(/^[A-Za-z0-9]{24}$/);
    const file = join(dir, 'nested', 'dev-app.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ appKey: first.appKey, appSecret: first.appSecret });
    expect(loadOrCreateDevApp(join(dir, 'nested'))).toEqual(first);
  });

  it('is appended to the configured apps by loadConfig', () => {
    const parsed = loadConfig(['--app', 'k:s', '--dev-app', '--data-dir', dir], {}, '/');
    if (parsed.kind !== 'run') throw new Error('expected run');
    expect(parsed.config.apps.map((a) => a.dev)).toEqual([false, true]);
  });
});
