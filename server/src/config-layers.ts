/**
 * One configuration source each (config.ts): the environment and the JSON config file, read into a raw
 * `ConfigLayer` before defaults and validation. Only shape errors are raised here (unknown file keys,
 * wrong JSON types, malformed app specs); value rules are checked once, on the merged layer, by config.ts.
 */
import { dirname, resolve } from 'node:path';
import { ConfigError, createAppConfig, parseAppList, parseAppSpec, parseBoolean, splitList } from './app-config';
import type { AppConfig } from './app-config';
import { fileOptionsText } from './files/file-options';

export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/** Raw settings from one source, before defaults. */
export interface ConfigLayer {
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
  trustProxy?: readonly string[];
}

/** Reads one source's text (config.ts's ConfigIo, so the file read stays injectable). */
export interface ConfigFileReader {
  readTextFile(path: string): string;
}

/** The layer without its undefined keys, so spreading it over a lower layer never erases a value. */
export function definedOnly(layer: ConfigLayer): ConfigLayer {
  return Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined)) as ConfigLayer;
}

/** The `LIANXIN_*` variables; empty counts as unset. Relative paths resolve against `cwd`. */
export function layerFromEnv(env: ConfigEnv, cwd: string): ConfigLayer {
  const layer: ConfigLayer = {};
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
  const trustProxy = get('LIANXIN_TRUST_PROXY');
  if (trustProxy !== undefined) layer.trustProxy = splitList(trustProxy);
  return layer;
}

const FILE_KEYS = new Set(['host', 'port', 'publicHosts', 'dataDir', 'apps', 'devApp', 'logLevel', 'apiClockSkewSeconds', 'files', 'metricsToken', 'trustProxy']);

/** The JSON config file `file` (absolute); relative paths in it resolve against the file's directory. */
export function layerFromFile(file: string, io: ConfigFileReader): ConfigLayer {
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
  const layer: ConfigLayer = {};
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
  if (record['trustProxy'] !== undefined) {
    const proxies = record['trustProxy'];
    if (typeof proxies === 'string') layer.trustProxy = splitList(proxies);
    else if (Array.isArray(proxies) && proxies.every((p): p is string => typeof p === 'string')) layer.trustProxy = proxies;
    else throw new ConfigError(`${where}: "trustProxy" must be an array of strings or a comma-separated string`);
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
