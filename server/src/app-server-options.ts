/**
 * Per-app settings for the App Server integration (`--app KEY:SECRET:messageRouteUrl=…,rate.message/group/publish=40/s`):
 * callback URLs, the moderation callback's timeout and failure mode, whitelist mode, and Server API rate limits.
 * Kept out of config.ts's defaults object like chatroom-options.ts: an app that sets none has `appServer` absent.
 *
 * URLs and type lists may be percent-encoded (`http%3A%2F%2Fhost%3A8080%2Froute`, `RC%3ATxtMsg|App%3AX`) because
 * `--app` separates its own fields with `:` and `,`; a JSON config file can give them as they are.
 */

export interface RateLimit {
  /** Units (messages or calls) allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
}

export interface AppServerOptions {
  /** 全量消息路由: every message a client sends, one form POST each. */
  readonly messageRouteUrl?: string;
  /** User online/offline status sync (JSON arrays of events). */
  readonly userStatusUrl?: string;
  /** Chatroom create/join/quit/destroy sync (JSON arrays of events). */
  readonly chatroomStatusUrl?: string;
  /** Pre-delivery moderation (消息回调服务): the App Server answers pass, block or replace. */
  readonly moderationUrl?: string;
  readonly moderationTimeoutMs: number;
  /** On timeout or error: deliver (true, RongCloud's behaviour) or refuse the message (false). */
  readonly moderationFailOpen: boolean;
  /** Message types sent to moderation; empty = every type. */
  readonly moderationObjectNames: readonly string[];
  /** Private messages need the sender on the recipient's whitelist (407 otherwise). */
  readonly whitelistMode: boolean;
  /** Per attempt, for the asynchronous callbacks (routing, status sync). */
  readonly callbackTimeoutMs: number;
  /** First retry delay; doubles per failed attempt up to `callbackRetryMaxMs`. */
  readonly callbackRetryMs: number;
  readonly callbackRetryMaxMs: number;
  /** Queued callbacks kept per app; beyond it the oldest are dropped (and logged). */
  readonly callbackQueueMax: number;
  /** Status events are collected this long and sent as one array. */
  readonly statusBatchMs: number;
  /** Blacklist (and whitelist) entries per user. */
  readonly userListMax: number;
  /** Overrides of DEFAULT_API_RATE_LIMITS by endpoint path (`*` = every endpoint without its own); null = unlimited. */
  readonly rateLimits: Readonly<Record<string, RateLimit | null>>;
}

export const DEFAULT_APP_SERVER_OPTIONS: AppServerOptions = {
  moderationTimeoutMs: 3000,
  moderationFailOpen: true,
  moderationObjectNames: [],
  whitelistMode: false,
  callbackTimeoutMs: 5000,
  callbackRetryMs: 1000,
  callbackRetryMaxMs: 60_000,
  callbackQueueMax: 100_000,
  statusBatchMs: 1000,
  userListMax: 3000,
  rateLimits: {},
};

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * RongCloud's documented defaults. Publish limits count messages (a private publish to N users is N), the
 * others count calls. Endpoints not listed are not limited unless the app sets `rate.*`.
 */
export const DEFAULT_API_RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  'message/private/publish': { limit: 6000, windowMs: MINUTE },
  'message/private/publish_template': { limit: 6000, windowMs: MINUTE },
  'statusmessage/private/publish': { limit: 6000, windowMs: MINUTE },
  'message/system/publish': { limit: 100, windowMs: SECOND },
  'message/system/publish_template': { limit: 100, windowMs: SECOND },
  'message/group/publish': { limit: 20, windowMs: SECOND },
  'statusmessage/group/publish': { limit: 20, windowMs: SECOND },
  'message/chatroom/publish': { limit: 100, windowMs: SECOND },
  'message/broadcast': { limit: 2, windowMs: HOUR },
  // Online users only, nothing stored: documented as 60 per minute (not the stored broadcast's 2 per hour).
  'message/online/broadcast': { limit: 60, windowMs: MINUTE },
  // Documented as 2/hour and 3/day, like the broadcast itself (only the hourly cap applies, as for push).
  'message/broadcast/recall': { limit: 2, windowMs: HOUR },
  // Documented as 2/hour and 3/day; the limiter keeps one window per endpoint, so only the hourly cap applies.
  push: { limit: 2, windowMs: HOUR },
};

type Field = Exclude<keyof AppServerOptions, 'rateLimits'>;
type Kind = 'url' | 'boolean' | 'integer' | 'list';
const FIELDS: Readonly<Record<string, { readonly field: Field; readonly kind: Kind; readonly min?: number; readonly max?: number }>> = {
  messageRouteUrl: { field: 'messageRouteUrl', kind: 'url' },
  routeUrl: { field: 'messageRouteUrl', kind: 'url' },
  userStatusUrl: { field: 'userStatusUrl', kind: 'url' },
  chatroomStatusUrl: { field: 'chatroomStatusUrl', kind: 'url' },
  moderationUrl: { field: 'moderationUrl', kind: 'url' },
  moderationTimeoutMs: { field: 'moderationTimeoutMs', kind: 'integer', min: 1, max: 60_000 },
  moderationFailOpen: { field: 'moderationFailOpen', kind: 'boolean' },
  moderationTypes: { field: 'moderationObjectNames', kind: 'list' },
  whitelistMode: { field: 'whitelistMode', kind: 'boolean' },
  callbackTimeoutMs: { field: 'callbackTimeoutMs', kind: 'integer', min: 1, max: 120_000 },
  callbackRetryMs: { field: 'callbackRetryMs', kind: 'integer', min: 1, max: 3_600_000 },
  callbackRetryMaxMs: { field: 'callbackRetryMaxMs', kind: 'integer', min: 1, max: 86_400_000 },
  callbackQueueMax: { field: 'callbackQueueMax', kind: 'integer', min: 1, max: 100_000_000 },
  statusBatchMs: { field: 'statusBatchMs', kind: 'integer', min: 1, max: 600_000 },
  userListMax: { field: 'userListMax', kind: 'integer', min: 1, max: 1_000_000 },
};

export const APP_SERVER_OPTION_NAMES: readonly string[] = [...Object.keys(FIELDS), 'rate.<endpoint>'];

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: SECOND, sec: SECOND, min: MINUTE, m: MINUTE, h: HOUR, hour: HOUR, day: 24 * HOUR, d: 24 * HOUR };

/** `N/s`, `N/min`, `N/h`, `N/day`, `N/<ms>ms` or `off`/`0` (unlimited). */
export function parseRateLimit(value: string): RateLimit | null | string {
  const text = value.trim().toLowerCase();
  if (text === 'off' || text === '0' || text === 'none') return null;
  const match = /^(\d+)\s*\/\s*(\d*)\s*([a-z]+)$/.exec(text);
  const unit = match ? UNITS[match[3] ?? ''] : undefined;
  if (match === null || unit === undefined) return `"${value}" is not a rate (N/s, N/min, N/h, N/day, N/<n>ms or off)`;
  const limit = Number(match[1]);
  const windowMs = (match[2] === '' || match[2] === undefined ? 1 : Number(match[2])) * unit;
  if (!Number.isSafeInteger(limit) || limit < 1 || !Number.isSafeInteger(windowMs) || windowMs < 1) return `"${value}" is out of range`;
  return { limit, windowMs };
}

function parseUrl(value: string): string | undefined {
  let text = value.trim();
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses one `name=value` option. Returns undefined when `name` is not an App Server option, an error message
 * when the value is invalid, else the change (rate limits come back as a one-entry `rateLimits`).
 */
export function parseAppServerOption(name: string, value: string): Partial<AppServerOptions> | string | undefined {
  if (name.startsWith('rate.')) {
    const endpoint = name.slice('rate.'.length).replace(/^\/+/, '').replace(/\.json$/, '');
    if (endpoint === '') return 'needs an endpoint path after "rate."';
    const rate = parseRateLimit(value);
    return typeof rate === 'string' ? rate : { rateLimits: { [endpoint]: rate } };
  }
  const spec = FIELDS[name];
  if (spec === undefined) return undefined;
  const text = value.trim();
  switch (spec.kind) {
    case 'url': {
      const url = parseUrl(text);
      return url === undefined ? `"${value}" is not an http(s) URL` : { [spec.field]: url };
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lower)) return { [spec.field]: true };
      if (['0', 'false', 'no', 'off'].includes(lower)) return { [spec.field]: false };
      return `"${value}" is not a boolean (1/0/true/false)`;
    }
    case 'list': {
      // Object names contain `:`, so in an --app spec they come percent-encoded (RC%3ATxtMsg).
      let list = text;
      try {
        list = text.includes('%') ? decodeURIComponent(text) : text;
      } catch {
        return `"${value}" is not a valid percent-encoded list`;
      }
      return { [spec.field]: list.split('|').map((item) => item.trim()).filter((item) => item !== '') };
    }
    case 'integer': {
      if (!/^\d+$/.test(text)) return `"${value}" is not a non-negative integer`;
      const number = Number(text);
      if (!Number.isSafeInteger(number) || number < (spec.min ?? 0) || number > (spec.max ?? Number.MAX_SAFE_INTEGER)) {
        return `${value} is out of range ${spec.min ?? 0}..${spec.max ?? Number.MAX_SAFE_INTEGER}`;
      }
      return { [spec.field]: number };
    }
  }
}

/** Merges a parsed change into what an app already has (rate limits accumulate). */
export function mergeAppServerOptions(current: Partial<AppServerOptions> | undefined, change: Partial<AppServerOptions>): Partial<AppServerOptions> {
  const rateLimits = change.rateLimits !== undefined ? { ...current?.rateLimits, ...change.rateLimits } : current?.rateLimits;
  return { ...current, ...change, ...(rateLimits !== undefined ? { rateLimits } : {}) };
}

/** The effective options of an app. */
export function appServerOptionsOf(app: { readonly appServer?: Partial<AppServerOptions> } | undefined): AppServerOptions {
  return { ...DEFAULT_APP_SERVER_OPTIONS, ...app?.appServer };
}

/** The limit that applies to `endpoint` for this app (undefined = unlimited). */
export function rateLimitFor(options: AppServerOptions, endpoint: string): RateLimit | undefined {
  if (Object.prototype.hasOwnProperty.call(options.rateLimits, endpoint)) return options.rateLimits[endpoint] ?? undefined;
  const own = DEFAULT_API_RATE_LIMITS[endpoint];
  if (own !== undefined) return own;
  if (Object.prototype.hasOwnProperty.call(options.rateLimits, '*')) return options.rateLimits['*'] ?? undefined;
  return undefined;
}
