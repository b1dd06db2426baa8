/**
 * Typed, validated server configuration from CLI flags, environment and an optional JSON file.
 * Precedence: CLI flag > environment variable > config file > default. List-valued settings
 * (`--app`, `--public-host`) are replaced as a whole by a higher source, never merged.
 * `parseConfig` is pure (I/O injected) so every rule is unit-testable; `loadConfig` adds the
 * file-system steps (config file, dev app). The pieces: defaults in config-defaults.ts, `--help` in
 * config-usage.ts, reading the environment and the config file in config-layers.ts, the dev app in
 * config-dev-app.ts; CLI parsing, merging and validation stay here. Importers use this module only.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, parseAppSpec, parseInteger, splitList } from './app-config';
import type { AppConfig } from './app-config';
import { DB_FILE_NAME, DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT } from './config-defaults';
import { loadOrCreateDevApp } from './config-dev-app';
import { definedOnly, layerFromEnv, layerFromFile } from './config-layers';
import type { ConfigEnv, ConfigLayer } from './config-layers';
import { isLogLevel, LOG_LEVELS } from './log';
import type { LogLevel } from './log';
import { parseFileOptions } from './files/file-options';
import type { FileOptions } from './files/file-options';
import { TrustedProxies } from './http/client-address';

export { DB_FILE_NAME, DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, DEV_APP_FILE_NAME } from './config-defaults';
export { loadOrCreateDevApp } from './config-dev-app';
export { USAGE } from './config-usage';
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
  /** Reverse proxies whose `X-Forwarded-For` names the client (http/client-address.ts); empty = none. */
  readonly trustProxy?: readonly string[];
  /** Where this config came from (set by `loadConfig`), so a reload can read the same sources again. */
  readonly source?: ConfigSource;
}

/** The inputs of one `loadConfig` call: a reload re-reads the config file with the same flags and environment. */
export interface ConfigSource {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** host[:port] with an optional bracketed IPv6 host; never contains `;`, `)` or `,` (navi/JSONP safety). */
const PUBLIC_HOST_PATTERN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;
const HOST_PATTERN = /^[A-Za-z0-9.:-]+$|^\[[0-9A-Fa-f:.]+\]$/;

export interface ConfigIo {
  /** Base for relative paths given on the command line or in the environment. */
  readonly cwd: string;
  readTextFile(path: string): string;
}

export type ParsedConfig = { readonly kind: 'help' } | { readonly kind: 'run'; readonly config: ServerConfig };

const VALUE_FLAGS = new Set(['--host', '--port', '--public-host', '--data-dir', '--app', '--log-level', '--api-clock-skew', '--config', '--files', '--metrics-token', '--trust-proxy']);

export function parseConfig(argv: readonly string[], env: ConfigEnv, io: ConfigIo): ParsedConfig {
  const cli: ConfigLayer = {};
  const cliApps: AppConfig[] = [];
  const cliPublicHosts: string[] = [];
  const cliTrustProxy: string[] = [];
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
      case '--trust-proxy': cliTrustProxy.push(...splitList(value)); break;
    }
  }
  if (cliApps.length > 0) cli.apps = cliApps;
  if (cliPublicHosts.length > 0) cli.publicHosts = cliPublicHosts;
  if (cliTrustProxy.length > 0) cli.trustProxy = cliTrustProxy;

  const envLayer = layerFromEnv(env, io.cwd);
  configFile ??= env['LIANXIN_CONFIG'] !== undefined && env['LIANXIN_CONFIG'] !== '' ? resolve(io.cwd, env['LIANXIN_CONFIG']) : undefined;
  const fileLayer = configFile === undefined ? {} : layerFromFile(configFile, io);
  const merged: ConfigLayer = { ...fileLayer, ...definedOnly(envLayer), ...definedOnly(cli) };
  return { kind: 'run', config: finish(merged, io.cwd) };
}

function finish(layer: ConfigLayer, cwd: string): ServerConfig {
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
  const trustProxy = layer.trustProxy ?? [];
  new TrustedProxies(trustProxy); // throws ConfigError on an entry it cannot read
  return {
    host, port, publicHosts, dataDir, dbFile: join(dataDir, DB_FILE_NAME), apps, devApp, logLevel, apiClockSkewSeconds,
    ...(trustProxy.length === 0 ? {} : { trustProxy }),
    ...(files === undefined ? {} : { files }),
    ...(metricsToken === undefined ? {} : { metricsToken }),
  };
}

/** parseConfig + file system: reads the config file and adds the dev app when asked. */
export function loadConfig(argv: readonly string[], env: ConfigEnv, cwd: string): ParsedConfig {
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
