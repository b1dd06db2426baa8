/**
 * Typed, validated server configuration from CLI flags, environment and an optional JSON file.
 * Precedence: CLI flag > environment variable > config file > default. List-valued settings
 * (`--app`, `--public-host`) are replaced as a whole by a higher source, never merged.
 * `parseConfig` is pure (I/O injected) so every rule is unit-testable; `loadConfig` adds the
 * file-system steps (config file, dev app).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, createAppConfig, parseAppList, parseAppSpec, parseBoolean, parseInteger, splitList } from './app-config';
import type { AppConfig } from './app-config';
import { isLogLevel, LOG_LEVELS } from './log';
import type { LogLevel } from './log';
import { fileOptionsText, parseFileOptions } from './files/file-options';
import type { FileOptions } from './files/file-options';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 9200;
export const DEFAULT_DATA_DIR = 'data';
export const DB_FILE_NAME = 'lianxin.db';
export const DEV_APP_FILE_NAME = 'dev-app.json';

export { ConfigError, createAppConfig, createAppRegistry, DEFAULT_APP_OPTIONS, DEFAULT_MAX_GROUP_MEMBERS, isReloadableAppRegistry, parseAppList, parseAppSpec } from './app-config';
export type { AppConfig, AppOptions, AppRegistry, ReloadableAppRegistry } from './app-config';

export interface ServerConfig {
  readonly host: string;
  /** 0 = pick a free port. */
  readonly port: number;
  /** What navi advertises (`server` = first, `backupServer` = the rest); empty = the listening address. */
  readonly publicHosts: readonly string[];
  /** Absolute. */
  readonly dataDir: string;
  /** Absolute path of the SQLite file inside `dataDir`. */
  readonly dbFile: string;
  /** Configured apps plus, with `devApp`, the generated dev app (after `loadConfig`). */
  readonly apps: readonly AppConfig[];
  readonly devApp: boolean;
  readonly logLevel: LogLevel;
  /** Server API timestamp tolerance in seconds; 0 = not enforced (official SDKs reuse one timestamp forever). */
  readonly apiClockSkewSeconds: number;
  /** Built-in file service (files/file-options.ts); absent = DEFAULT_FILE_OPTIONS. */
  readonly files?: FileOptions;
  /** Bearer token for `/metrics` and the ops endpoints; absent = `/metrics` open, `/ops/*` disabled. */
  readonly metricsToken?: string;
  /** Where this config came from (set by `loadConfig`), so a reload can read the same sources again. */
  readonly source?: ConfigSource;
}

/** The inputs of one `loadConfig` call: a reload re-reads the config file with the same flags and environment. */
export interface ConfigSource {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export const USAGE = `Usage: lianxin-server [options]

Options (environment variable / config file key in brackets):
  --host HOST                 listen address (default ${DEFAULT_HOST})
                              [LIANXIN_HOST / "host"]
  --port N                    listen port; 0 = any free port (default ${DEFAULT_PORT})
                              [LIANXIN_PORT / "port"]
  --public-host HOST[:PORT]   host:port advertised by navi, repeatable: the first is
                              "server", the others "backupServer" (default: the
                              listening address) [LIANXIN_PUBLIC_HOSTS, comma list / "publicHosts"]
  --data-dir DIR              data directory; the database is DIR/${DB_FILE_NAME}
                              (default ./${DEFAULT_DATA_DIR}) [LIANXIN_DATA_DIR / "dataDir"]
  --app KEY:SECRET[:OPT=V,..] an app, repeatable. Options: multiDevice=0|1 (0: one
                              session per platform class), retentionDays=N (7),
                              recallWindowMs=N (120000), maxSendRate=N messages per
                              second (5), tokenTtlMs=N (0 = tokens never expire),
                              chatrooms: chrmMulti=0|1, chrmMaxMembers=N (0 = no cap),
                              chrmAutoCreate=1|0, chrmKickOfflineMs=N (30000),
                              chrmKickMissed=N (30), chrmIdleDestroyMs=N (3600000),
                              chrmKv=1|0, chrmMaxKeys=N (100), chrmMemberNotify=0|1,
                              chrmHistory=1|0, chrmHistoryDays=N (60),
                              chrmQuotaWindowMs=N (200), chrmQuotaHigh=N (20),
                              chrmQuotaShared=N (20),
                              groups: maxGroupMembers=N (3000),
                              groupHistoryBeforeJoin=0|1, groupReceiptV2=0|1,
                              App Server: messageRouteUrl=URL, userStatusUrl=URL,
                              chatroomStatusUrl=URL, moderationUrl=URL (URLs may be
                              %-encoded), moderationTimeoutMs=N (3000),
                              moderationFailOpen=1|0, moderationTypes=T1|T2 (%-encoded),
                              whitelistMode=0|1, callbackTimeoutMs=N (5000),
                              callbackRetryMs=N (1000), callbackRetryMaxMs=N (60000),
                              callbackQueueMax=N (100000), statusBatchMs=N (1000),
                              userListMax=N (3000), rate.<endpoint>=N/s|N/min|N/h|off
                              (e.g. rate.message/group/publish=20/s; rate.*=… for all)
                              [LIANXIN_APPS="k1:s1,k2:s2:multiDevice=1" / "apps"]
  --dev-app                   ensure a development app exists (generated once, kept
                              in DIR/${DEV_APP_FILE_NAME}) and print its key and secret
                              [LIANXIN_DEV_APP=1 / "devApp"]
  --log-level LEVEL           ${LOG_LEVELS.join('|')} (default info)
                              [LIANXIN_LOG_LEVEL / "logLevel"]
  --api-clock-skew SECONDS    reject Server API requests whose Timestamp is further
                              from now than this; 0 = off (default 0)
                              [LIANXIN_API_CLOCK_SKEW / "apiClockSkewSeconds"]
  --files NAME=V[,NAME=V..]   built-in file service: enabled=1|0, baseUrl=URL (public
                              http(s) base of upload/download URLs), tokenTtlMs=N
                              (3600000), sizes with K/M/G: maxImage (20M), maxAudio
                              (20M), maxVideo (100M), maxFile (100M), maxHtml (10M),
                              maxGif (2M), maxSightSeconds=N (120)
                              [LIANXIN_FILES / "files": "…" or {"maxGif": "2M"}]
  --metrics-token TOKEN       bearer token required by /metrics and the ops endpoints
                              (POST /ops/reload); unset: /metrics is open and /ops/*
                              is disabled [LIANXIN_METRICS_TOKEN / "metricsToken"]
  --config FILE               JSON file with the keys above [LIANXIN_CONFIG]
  -h, --help                  print this help

Precedence: flag > environment > config file > default.
App keys: [A-Za-z0-9_-], 1..64 chars. Secrets: [A-Za-z0-9_.~-], 1..128 chars.
Config file "apps": ["KEY:SECRET", {"appKey":"k","appSecret":"s","multiDevice":true}, ...].
App option allowedOrigins=HOST|*.DOMAIN|SCHEME%3A%2F%2FHOST[%3APORT] lists the web
page origins allowed to connect (others get CONNACK 12 / error 35009).
Once ready the server prints "listening on http://HOST:PORT" on stdout;
SIGTERM or SIGINT stop it gracefully (exit code 0); SIGHUP re-reads the config
file (apps and their options, metricsToken, logLevel) without dropping connections.
`;

/** host[:port] with an optional bracketed IPv6 host; never contains `;`, `)` or `,` (navi/JSONP safety). */
const PUBLIC_HOST_PATTERN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;
const HOST_PATTERN = /^[A-Za-z0-9.:-]+$|^\[[0-9A-Fa-f:.]+\]$/;

type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigIo {
  /** Base for relative paths given on the command line or in the environment. */
  readonly cwd: string;
  readTextFile(path: string): string;
}

export type ParsedConfig = { readonly kind: 'help' } | { readonly kind: 'run'; readonly config: ServerConfig };

/** Raw settings from one source, before defaults. */
interface Layer {
  host?: string;
  port?: string;
  publicHosts?: readonly string[];
  dataDir?: string;
  apps?: readonly AppConfig[];
  devApp?: boolean;
  logLevel?: string;
  apiClockSkewSeconds?: string;
  files?: string;
  metricsToken?: string;
}

const VALUE_FLAGS = new Set(['--host', '--port', '--public-host', '--data-dir', '--app', '--log-level', '--api-clock-skew', '--config', '--files', '--metrics-token']);

export function parseConfig(argv: readonly string[], env: Env, io: ConfigIo): ParsedConfig {
  const cli: Layer = {};
  const cliApps: AppConfig[] = [];
  const cliPublicHosts: string[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--dev-app') {
      cli.devApp = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_FLAGS.has(flag)) {
      throw new ConfigError(arg.startsWith('-') ? `unknown option ${flag}` : `unexpected argument "${arg}"`);
    }
    let value: string;
    if (flag !== arg) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`option ${flag} needs a value`);
      value = next;
      i++;
    }
    switch (flag) {
      case '--host': cli.host = value; break;
      case '--port': cli.port = value; break;
      case '--public-host': cliPublicHosts.push(value); break;
      case '--data-dir': cli.dataDir = resolve(io.cwd, value); break;
      case '--app': cliApps.push(parseAppSpec(value, `--app ${value}`)); break;
      case '--log-level': cli.logLevel = value; break;
      case '--api-clock-skew': cli.apiClockSkewSeconds = value; break;
      case '--config': configFile = resolve(io.cwd, value); break;
      case '--files': cli.files = value; break;
      case '--metrics-token': cli.metricsToken = value; break;
    }
  }
  if (cliApps.length > 0) cli.apps = cliApps;
  if (cliPublicHosts.length > 0) cli.publicHosts = cliPublicHosts;

  const envLayer = layerFromEnv(env, io.cwd);
  configFile ??= env['LIANXIN_CONFIG'] !== undefined && env['LIANXIN_CONFIG'] !== '' ? resolve(io.cwd, env['LIANXIN_CONFIG']) : undefined;
  const fileLayer = configFile === undefined ? {} : layerFromFile(configFile, io);
  const merged: Layer = { ...fileLayer, ...definedOnly(envLayer), ...definedOnly(cli) };
  return { kind: 'run', config: finish(merged, io.cwd) };
}

function definedOnly(layer: Layer): Layer {
  return Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined)) as Layer;
}

function layerFromEnv(env: Env, cwd: string): Layer {
  const layer: Layer = {};
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const host = get('LIANXIN_HOST');
  if (host !== undefined) layer.host = host;
  const port = get('LIANXIN_PORT');
  if (port !== undefined) layer.port = port;
  const publicHosts = get('LIANXIN_PUBLIC_HOSTS');
  if (publicHosts !== undefined) layer.publicHosts = splitList(publicHosts);
  const dataDir = get('LIANXIN_DATA_DIR');
  if (dataDir !== undefined) layer.dataDir = resolve(cwd, dataDir);
  const apps = get('LIANXIN_APPS');
  if (apps !== undefined) layer.apps = parseAppList(apps, 'LIANXIN_APPS');
  const devApp = get('LIANXIN_DEV_APP');
  if (devApp !== undefined) layer.devApp = parseBoolean(devApp, 'LIANXIN_DEV_APP');
  const logLevel = get('LIANXIN_LOG_LEVEL');
  if (logLevel !== undefined) layer.logLevel = logLevel;
  const skew = get('LIANXIN_API_CLOCK_SKEW');
  if (skew !== undefined) layer.apiClockSkewSeconds = skew;
  const files = get('LIANXIN_FILES');
  if (files !== undefined) layer.files = files;
  const metricsToken = get('LIANXIN_METRICS_TOKEN');
  if (metricsToken !== undefined) layer.metricsToken = metricsToken;
  return layer;
}

const FILE_KEYS = new Set(['host', 'port', 'publicHosts', 'dataDir', 'apps', 'devApp', 'logLevel', 'apiClockSkewSeconds', 'files', 'metricsToken']);

function layerFromFile(file: string, io: ConfigIo): Layer {
  let text: string;
  try {
    text = io.readTextFile(file);
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`config file ${file} must contain a JSON object`);
  }
  const where = `config file ${file}`;
  const record = data as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!FILE_KEYS.has(key)) throw new ConfigError(`${where}: unknown key "${key}"`);
  }
  const layer: Layer = {};
  const scalar = (key: string): string | undefined => {
    const value = record[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') throw new ConfigError(`${where}: "${key}" must be a string or number`);
    return String(value);
  };
  const host = scalar('host');
  if (host !== undefined) layer.host = host;
  const port = scalar('port');
  if (port !== undefined) layer.port = port;
  const dataDir = scalar('dataDir');
  // Relative paths in a file are relative to the file, so the file can move with its data.
  if (dataDir !== undefined) layer.dataDir = resolve(dirname(file), dataDir);
  const logLevel = scalar('logLevel');
  if (logLevel !== undefined) layer.logLevel = logLevel;
  const skew = scalar('apiClockSkewSeconds');
  if (skew !== undefined) layer.apiClockSkewSeconds = skew;
  const metricsToken = scalar('metricsToken');
  if (metricsToken !== undefined) layer.metricsToken = metricsToken;
  if (record['files'] !== undefined) {
    const files = fileOptionsText(record['files']);
    if (files === undefined) throw new ConfigError(`${where}: "files" must be a "name=value,…" string or an object of scalars`);
    layer.files = files;
  }
  if (record['devApp'] !== undefined) {
    if (typeof record['devApp'] !== 'boolean') throw new ConfigError(`${where}: "devApp" must be true or false`);
    layer.devApp = record['devApp'];
  }
  if (record['publicHosts'] !== undefined) {
    const hosts = record['publicHosts'];
    if (!Array.isArray(hosts) || !hosts.every((h): h is string => typeof h === 'string')) {
      throw new ConfigError(`${where}: "publicHosts" must be an array of strings`);
    }
    layer.publicHosts = hosts;
  }
  if (record['apps'] !== undefined) {
    const apps = record['apps'];
    if (!Array.isArray(apps)) throw new ConfigError(`${where}: "apps" must be an array`);
    layer.apps = apps.map((entry: unknown, index) => appFromJson(entry, `${where}: apps[${index}]`));
  }
  return layer;
}

function appFromJson(entry: unknown, where: string): AppConfig {
  if (typeof entry === 'string') return parseAppSpec(entry, where);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError(`${where} must be "KEY:SECRET" or an object`);
  }
  const record = entry as Record<string, unknown>;
  const appKey = record['appKey'] ?? record['key'];
  const appSecret = record['appSecret'] ?? record['secret'];
  if (typeof appKey !== 'string' || typeof appSecret !== 'string') {
    throw new ConfigError(`${where} needs string "appKey" and "appSecret"`);
  }
  const options: Record<string, string> = {};
  for (const [name, value] of Object.entries(record)) {
    if (['appKey', 'key', 'appSecret', 'secret'].includes(name)) continue;
    if (name === 'allowedOrigins' && Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) {
      // A list in JSON; encoded so the option parser's %-decoding gives the entries back unchanged.
      options[name] = value.map((v) => encodeURIComponent(v)).join('|');
      continue;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(`${where}: option "${name}" must be a string, number or boolean`);
    }
    options[name] = String(value);
  }
  return createAppConfig(appKey, appSecret, options, where);
}

function finish(layer: Layer, cwd: string): ServerConfig {
  const host = layer.host ?? DEFAULT_HOST;
  if (!HOST_PATTERN.test(host)) throw new ConfigError(`invalid host "${host}"`);
  const port = layer.port === undefined ? DEFAULT_PORT : parseInteger(layer.port, 'port', 0, 65535);
  const publicHosts = layer.publicHosts ?? [];
  for (const publicHost of publicHosts) {
    const match = PUBLIC_HOST_PATTERN.exec(publicHost);
    const portPart = match?.[2];
    if (match === null || (portPart !== undefined && Number(portPart.slice(1)) > 65535)) {
      throw new ConfigError(`invalid public host "${publicHost}" (expected HOST or HOST:PORT, no scheme)`);
    }
  }
  const dataDir = layer.dataDir ?? resolve(cwd, DEFAULT_DATA_DIR);
  const logLevel = layer.logLevel ?? 'info';
  if (!isLogLevel(logLevel)) throw new ConfigError(`invalid log level "${logLevel}" (one of ${LOG_LEVELS.join(', ')})`);
  const apiClockSkewSeconds = layer.apiClockSkewSeconds === undefined ? 0 : parseInteger(layer.apiClockSkewSeconds, 'api clock skew', 0, 31_536_000);
  const apps = layer.apps ?? [];
  const seen = new Set<string>();
  for (const app of apps) {
    if (seen.has(app.appKey)) throw new ConfigError(`app key "${app.appKey}" is configured twice`);
    seen.add(app.appKey);
  }
  const devApp = layer.devApp ?? false;
  if (apps.length === 0 && !devApp) {
    throw new ConfigError('no app configured: pass --app KEY:SECRET (or LIANXIN_APPS) or --dev-app');
  }
  const files = layer.files === undefined ? undefined : parseFileOptions(layer.files);
  if (typeof files === 'string') throw new ConfigError(files);
  const metricsToken = layer.metricsToken === undefined || layer.metricsToken === '' ? undefined : layer.metricsToken;
  if (metricsToken !== undefined && !/^[\x21-\x7e]{1,512}$/.test(metricsToken)) throw new ConfigError('metrics token: 1..512 printable ASCII characters, no spaces');
  return {
    host, port, publicHosts, dataDir, dbFile: join(dataDir, DB_FILE_NAME), apps, devApp, logLevel, apiClockSkewSeconds,
    ...(files === undefined ? {} : { files }),
    ...(metricsToken === undefined ? {} : { metricsToken }),
  };
}

const DEV_KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const DEV_SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 256 % 36 and 256 % 62 bias is irrelevant for a dev credential.
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/**
 * The development app: generated on first use and stored in the data directory, so restarts keep
 * the same key and secret (and therefore keep issued tokens valid).
 */
export function loadOrCreateDevApp(dataDir: string): AppConfig {
  const file = join(dataDir, DEV_APP_FILE_NAME);
  if (existsSync(file)) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`dev app file ${file} is not valid JSON: ${(error as Error).message}`);
    }
    const record = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    const appKey = record['appKey'];
    const appSecret = record['appSecret'];
    if (typeof appKey !== 'string' || typeof appSecret !== 'string') {
      throw new ConfigError(`dev app file ${file} needs "appKey" and "appSecret"; delete it to generate a new dev app`);
    }
    return createAppConfig(appKey, appSecret, {}, `dev app file ${file}`, true);
  }
  mkdirSync(dataDir, { recursive: true });
  const app = createAppConfig(`dev${randomString(DEV_KEY_ALPHABET, 10)}`, randomString(DEV_SECRET_ALPHABET, 24), {}, 'dev app', true);
  writeFileSync(file, JSON.stringify({ appKey: app.appKey, appSecret: app.appSecret }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return app;
}

/** parseConfig + file system: reads the config file and adds the dev app when asked. */
export function loadConfig(argv: readonly string[], env: Env, cwd: string): ParsedConfig {
  const parsed = parseConfig(argv, env, { cwd, readTextFile: (path) => readFileSync(path, 'utf8') });
  if (parsed.kind === 'help') return parsed;
  const source: ConfigSource = { argv: [...argv], env: { ...env }, cwd };
  if (!parsed.config.devApp) return { kind: 'run', config: { ...parsed.config, source } };
  const dev = loadOrCreateDevApp(parsed.config.dataDir);
  if (parsed.config.apps.some((app) => app.appKey === dev.appKey)) {
    throw new ConfigError(`app key "${dev.appKey}" is both configured and the dev app`);
  }
  return { kind: 'run', config: { ...parsed.config, apps: [...parsed.config.apps, dev], source } };
}

/**
 * Reads the same flags, environment and config file again (SIGHUP, `POST /ops/reload`). Throws
 * ConfigError when the new file is invalid, so the running configuration stays as it was.
 */
export function reloadConfig(current: ServerConfig): ServerConfig {
  if (current.source === undefined) throw new ConfigError('this configuration was not loaded from flags/files and cannot be reloaded');
  const parsed = loadConfig(current.source.argv, current.source.env, current.source.cwd);
  if (parsed.kind !== 'run') throw new ConfigError('reload: unexpected --help');
  return parsed.config;
}
