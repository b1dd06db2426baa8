/**
 * Apps and their per-app options (`--app KEY:SECRET:opt=value,…`, `LIANXIN_APPS`, the config file's
 * `apps`): the types every service reads, and the one validating parser they all go through.
 */
import { APP_SERVER_OPTION_NAMES, mergeAppServerOptions, parseAppServerOption } from './app-server-options';
import type { AppServerOptions } from './app-server-options';
import { CHATROOM_OPTION_NAMES, parseChatroomOption } from './chatroom-options';
import type { ChatroomOptions } from './chatroom-options';
import { parseAllowedOrigins } from './gateway/origin-policy';

/** Per-app behaviour switches (`--app KEY:SECRET:opt=value,…`). */
export interface AppOptions {
  /** false: one session per platform class (web / pc / mobile) — web + PC + mobile may be online together. */
  readonly multiDevice: boolean;
  readonly offlineRetentionDays: number;
  readonly recallWindowMs: number;
  readonly maxSendRatePerSecond: number;
  /** Lifetime given to tokens issued by getToken; 0 = tokens never expire (RongCloud's default). */
  readonly tokenTtlMs?: number;
  /** Chatroom settings given for this app (chatroom-options.ts); absent fields take their defaults. */
  readonly chatroom?: Partial<ChatroomOptions>;
  /** App Server integration (app-server-options.ts): callback URLs, moderation, whitelist mode, rate limits. */
  readonly appServer?: Partial<AppServerOptions>;
  /** Group member cap for group/create, join and sync; absent = DEFAULT_MAX_GROUP_MEMBERS. */
  readonly maxGroupMembers?: number;
  /** Members may read (in history, not sync) group messages sent before they joined; absent = false. */
  readonly groupHistoryBeforeJoin?: boolean;
  /** navi `grpRRVer=1`: group read receipts v2 (`rrMsg`/`rrList`); absent = false (v1 messages only). */
  readonly groupReadReceiptV2?: boolean;
  /**
   * Engine 5.x server-side unread (navi `serverSaveUnread=1`, services/e5-unread.ts): imlib-next ≥ 5.x reads
   * its unread counts from the server's read positions (`pullSe`) and refuses `clearMessagesUnreadStatus`
   * (apps call `markRemoteConversationAsRead` instead), so it is an opt-in; absent = false.
   */
  readonly serverSaveUnread?: boolean;
  /**
   * Read receipts announced to engine 5.x clients on `/v2/navi.json` (`grpRRVer` 3 = V4, 4 = V5,
   * services/e5-read-receipts.ts); absent = what `groupReadReceiptV2` gives every client.
   */
  readonly e5ReadReceipts?: 'v4' | 'v5';
  /**
   * Page origins allowed to connect over WebSocket/comet (gateway/origin-policy.ts); absent = any.
   * `--app` form: `allowedOrigins=a.example.com|*.example.org|https%3A%2F%2Fapp.example.net`.
   */
  readonly allowedOrigins?: readonly string[];
}

/** RongCloud's default group size limit (seed: 群上限 3000). */
export const DEFAULT_MAX_GROUP_MEMBERS = 3000;

export interface AppConfig extends AppOptions {
  readonly appKey: string;
  readonly appSecret: string;
  /** The generated development app (`--dev-app`). */
  readonly dev: boolean;
}

export interface AppRegistry {
  get(appKey: string): AppConfig | undefined;
  list(): readonly AppConfig[];
  /** Whether `appKey` is a known app that is disabled (absent from `get`): CONNECT says 8, not 2 (PROTOCOL.md §3.2). */
  isDisabled?(appKey: string): boolean;
}

export const DEFAULT_APP_OPTIONS: AppOptions = {
  multiDevice: false,
  offlineRetentionDays: 7,
  recallWindowMs: 120_000,
  maxSendRatePerSecond: 5,
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const APP_KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const APP_SECRET_PATTERN = /^[A-Za-z0-9_.~-]{1,128}$/;

/** `KEY:SECRET[:opt=value,opt=value]`. */
export function parseAppSpec(spec: string, where: string): AppConfig {
  const parts = spec.split(':');
  const [appKey, appSecret, optionText] = parts;
  if (parts.length < 2 || parts.length > 3 || appKey === undefined || appSecret === undefined) {
    throw new ConfigError(`${where}: expected KEY:SECRET or KEY:SECRET:option=value,...`);
  }
  const options: Record<string, string> = {};
  if (optionText !== undefined && optionText !== '') {
    for (const pair of optionText.split(',')) addOption(options, pair, where);
  }
  return createAppConfig(appKey, appSecret, options, where);
}

/**
 * `LIANXIN_APPS`: apps separated by commas; an item without `:` but with `=` continues the options
 * of the previous app (`k:s:multiDevice=1,retentionDays=3,k2:s2`). Keys and secrets cannot hold
 * `=`, so this is unambiguous.
 */
export function parseAppList(text: string, where: string): AppConfig[] {
  const specs: string[] = [];
  for (const item of splitList(text)) {
    if (!item.includes(':') && item.includes('=') && specs.length > 0) {
      const last = specs.pop() as string;
      specs.push(last.split(':').length === 3 ? `${last},${item}` : `${last}:${item}`);
    } else {
      specs.push(item);
    }
  }
  if (specs.length === 0) throw new ConfigError(`${where}: no app given`);
  return specs.map((spec) => parseAppSpec(spec, `${where} (${spec})`));
}

function addOption(options: Record<string, string>, pair: string, where: string): void {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new ConfigError(`${where}: option "${pair}" must be name=value`);
  options[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
}

const OPTION_NAMES: Readonly<Record<string, keyof AppOptions>> = {
  multiDevice: 'multiDevice',
  retentionDays: 'offlineRetentionDays',
  offlineRetentionDays: 'offlineRetentionDays',
  recallWindowMs: 'recallWindowMs',
  maxSendRate: 'maxSendRatePerSecond',
  maxSendRatePerSecond: 'maxSendRatePerSecond',
  tokenTtlMs: 'tokenTtlMs',
  maxGroupMembers: 'maxGroupMembers',
  groupHistoryBeforeJoin: 'groupHistoryBeforeJoin',
  groupReceiptV2: 'groupReadReceiptV2',
  groupReadReceiptV2: 'groupReadReceiptV2',
  serverSaveUnread: 'serverSaveUnread',
  e5ReadReceipts: 'e5ReadReceipts',
  allowedOrigins: 'allowedOrigins',
};

/** Validates key, secret and options; `where` prefixes every error message. */
export function createAppConfig(appKey: string, appSecret: string, rawOptions: Readonly<Record<string, string>> = {}, where = 'app', dev = false): AppConfig {
  if (!APP_KEY_PATTERN.test(appKey)) throw new ConfigError(`${where}: invalid app key "${appKey}" ([A-Za-z0-9_-], 1..64 chars)`);
  if (!APP_SECRET_PATTERN.test(appSecret)) throw new ConfigError(`${where}: invalid app secret ([A-Za-z0-9_.~-], 1..128 chars)`);
  const options: { -readonly [K in keyof AppOptions]: AppOptions[K] } = { ...DEFAULT_APP_OPTIONS };
  for (const [name, value] of Object.entries(rawOptions)) {
    const key = OPTION_NAMES[name];
    const label = `${where}: option ${name}`;
    switch (key) {
      case 'multiDevice': options.multiDevice = parseBoolean(value, label); break;
      case 'offlineRetentionDays': options.offlineRetentionDays = parseInteger(value, label, 1, 3650); break;
      case 'recallWindowMs': options.recallWindowMs = parseInteger(value, label, 0, 31_536_000_000); break;
      case 'maxSendRatePerSecond': options.maxSendRatePerSecond = parseInteger(value, label, 1, 1_000_000); break;
      case 'tokenTtlMs': {
        const ttl = parseInteger(value, label, 0, 3_153_600_000_000);
        if (ttl > 0) options.tokenTtlMs = ttl;
        break;
      }
      case 'maxGroupMembers': options.maxGroupMembers = parseInteger(value, label, 1, 1_000_000); break;
      case 'groupHistoryBeforeJoin': options.groupHistoryBeforeJoin = parseBoolean(value, label); break;
      case 'groupReadReceiptV2': options.groupReadReceiptV2 = parseBoolean(value, label); break;
      case 'serverSaveUnread': options.serverSaveUnread = parseBoolean(value, label); break;
      case 'e5ReadReceipts': {
        const version = value.trim().toLowerCase();
        if (version !== 'v4' && version !== 'v5') throw new ConfigError(`${label}: "${value}" is not v4 or v5`);
        options.e5ReadReceipts = version;
        break;
      }
      case 'allowedOrigins': {
        // %-decoded so that `https%3A%2F%2Fhost` survives the `KEY:SECRET:opt=v` syntax.
        let text: string;
        try {
          text = decodeURIComponent(value);
        } catch {
          throw new ConfigError(`${label}: invalid %-encoding`);
        }
        const origins = parseAllowedOrigins(text);
        if ('error' in origins) throw new ConfigError(`${label}: ${origins.error}`);
        options.allowedOrigins = origins;
        break;
      }
      default: {
        const appServer = parseAppServerOption(name, value);
        if (typeof appServer === 'string') throw new ConfigError(`${label}: ${appServer}`);
        if (appServer !== undefined) {
          options.appServer = mergeAppServerOptions(options.appServer, appServer);
          break;
        }
        const chatroom = parseChatroomOption(name, value);
        if (chatroom === undefined) {
          throw new ConfigError(`${where}: unknown option "${name}" (known: ${[...Object.keys(OPTION_NAMES), ...CHATROOM_OPTION_NAMES, ...APP_SERVER_OPTION_NAMES].join(', ')})`);
        }
        if (typeof chatroom === 'string') throw new ConfigError(`${label}: ${chatroom}`);
        options.chatroom = { ...options.chatroom, ...chatroom };
      }
    }
  }
  return { appKey, appSecret, dev, ...options };
}

export function parseInteger(text: string, what: string, min: number, max: number): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new ConfigError(`${what}: "${text}" is not a non-negative integer`);
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new ConfigError(`${what}: ${text} is out of range ${min}..${max}`);
  return value;
}

export function parseBoolean(text: string, what: string): boolean {
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${what}: "${text}" is not a boolean (1/0/true/false)`);
}

export function splitList(text: string): string[] {
  return text.split(/[,\s]+/).filter((item) => item !== '');
}

/** An AppRegistry whose app list can be swapped at runtime (config reload, SIGHUP). */
export interface ReloadableAppRegistry extends AppRegistry {
  /** Replaces the whole list; readers see either the old or the new list, never a mix. */
  replace(apps: readonly AppConfig[]): void;
  /**
   * Replaces the apps created from the admin console (the enabled ones: a disabled app is absent, so
   * navi, connect and the Server API refuse it). `replace` keeps them; they come after the configured
   * apps, and a configured app wins a key clash. `disabled`: the keys of the disabled ones (isDisabled).
   */
  setStoredApps(apps: readonly AppConfig[], disabled?: readonly string[]): void;
  /** Whether `appKey` is a configured app (read-only in the console), not a stored one. */
  isConfigured(appKey: string): boolean;
}

export function createAppRegistry(initial: readonly AppConfig[]): ReloadableAppRegistry {
  let configured = initial;
  let stored: readonly AppConfig[] = [];
  let disabledKeys: ReadonlySet<string> = new Set();
  let apps = initial;
  let byKey = new Map(apps.map((app) => [app.appKey, app] as const));
  let configuredKeys = new Set(initial.map((app) => app.appKey));
  const rebuild = (): void => {
    configuredKeys = new Set(configured.map((app) => app.appKey));
    apps = [...configured, ...stored.filter((app) => !configuredKeys.has(app.appKey))];
    byKey = new Map(apps.map((app) => [app.appKey, app] as const));
  };
  return {
    get: (appKey) => byKey.get(appKey),
    list: () => apps,
    replace: (next) => {
      configured = next;
      rebuild();
    },
    setStoredApps: (next, disabled = []) => {
      stored = next;
      disabledKeys = new Set(disabled);
      rebuild();
    },
    isDisabled: (appKey) => disabledKeys.has(appKey) && !byKey.has(appKey),
    isConfigured: (appKey) => configuredKeys.has(appKey),
  };
}

export function isReloadableAppRegistry(registry: AppRegistry): registry is ReloadableAppRegistry {
  return typeof (registry as Partial<ReloadableAppRegistry>).replace === 'function';
}
