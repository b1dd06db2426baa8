/**
 * What the connect URL says about the client (PROTOCOL.md §3.1, §12; PROTOCOL-E5.md §2.2).
 * The same query parameters arrive on the WebSocket upgrade and on the comet connect GET.
 */
import type { ClientKind, PlatformClass } from './topic-router';

export interface ConnectParams {
  readonly appKey: string;
  /** Normalised: cut at the first `@` (E4 may append a bare `@`, L2 the whole navi suffix). */
  readonly token: string;
  readonly sdkVer: string;
  readonly clientKind: ClientKind;
  readonly platform: PlatformClass;
  readonly pid?: string;
  readonly apiVer?: string;
  /** The peer's address as the server socket sees it (callbacks report it as `clientIp`). */
  readonly clientIp?: string;
  /** `lianxin=<version>`: our own SDK. */
  readonly lianxinVersion?: string;
  /**
   * `directPush=1`: the client keeps order when a stored message arrives as `s_msg` right behind a pull
   * answer (it holds pushes until the pull round is delivered), so it may get direct delivery
   * (services/inbox-delivery.ts). No released client sends it yet.
   */
  readonly directPush?: true;
}

export type ConnectParamsResult = { readonly ok: true; readonly params: ConnectParams } | { readonly ok: false; readonly missing: string };

export function parseConnectParams(query: URLSearchParams, clientIp?: string): ConnectParamsResult {
  const appKey = query.get('appId') ?? '';
  if (appKey === '') return { ok: false, missing: 'appId' };
  const rawToken = query.get('token');
  if (rawToken === null) return { ok: false, missing: 'token' };
  const sdkVer = interned(query.get('sdkVer') ?? '');
  const apiVer = query.get('apiVer') ?? undefined;
  const pid = query.get('pid') ?? undefined;
  const lianxinVersion = query.get('lianxin') ?? '';
  const params: ConnectParams = {
    appKey,
    token: normaliseToken(rawToken),
    sdkVer,
    clientKind: classifyClient(sdkVer, query.has('protocolVer')),
    platform: classifyPlatform(query.get('platform') ?? undefined, apiVer, query.has('appIdentifier')),
    ...(pid !== undefined && pid !== 'undefined' && pid !== '' ? { pid } : {}),
    ...(apiVer !== undefined ? { apiVer } : {}),
    ...(clientIp !== undefined && clientIp !== '' ? { clientIp } : {}),
    ...(lianxinVersion !== '' ? { lianxinVersion } : {}),
    ...(query.get('directPush') === '1' ? { directPush: true as const } : {}),
  };
  return { ok: true, params };
}

/** Distinct sdkVer values kept (a few SDK releases in practice); past it, strings are used as parsed. */
const MAX_INTERNED = 256;
const internedVersions = new Map<string, string>();

/**
 * One string per distinct SDK version instead of one per session (kept in SessionInfo: P2 memory).
 * Bounded, so clients sending arbitrary versions cannot grow it.
 */
function interned(value: string): string {
  const known = internedVersions.get(value);
  if (known !== undefined) return known;
  if (internedVersions.size < MAX_INTERNED) internedVersions.set(value, value);
  return value;
}

export function normaliseToken(token: string): string {
  const at = token.indexOf('@');
  return at >= 0 ? token.slice(0, at) : token;
}

/**
 * sdkVer major ≥ 5 (or a `protocolVer` parameter) → E5; 2.6+ / 3.x / 4.x → E4 (the 2.6 rewrite
 * runs on the engine); ≤ 2.5.x and 1.x → L2. Unknown versions are treated as E4, the generation
 * our own SDK speaks.
 */
export function classifyClient(sdkVer: string, hasProtocolVer = false): ClientKind {
  const m = /^(\d+)\.(\d+)/.exec(sdkVer);
  if (!m) return hasProtocolVer ? 'E5' : 'E4';
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major >= 5) return 'E5';
  if (major >= 3) return 'E4';
  if (major === 2) return minor >= 6 ? 'E4' : 'L2';
  return 'L2';
}

/** A Map: a plain object's lookup found `constructor`, `__proto__` … (`platform=constructor` made the platform a function). */
const EXPLICIT_PLATFORMS: ReadonlyMap<string, PlatformClass> = new Map([
  ['web', 'web'],
  ['miniprogram', 'miniprogram'],
  ['uniapp', 'uniapp'],
  ['pc', 'pc'],
  ['mobile', 'mobile'],
]);

/** `platform=MiniProgram` → miniprogram, `apiVer=uniapp` / `appIdentifier` → uniapp, else web. */
export function classifyPlatform(platform: string | undefined, apiVer: string | undefined, hasAppIdentifier = false): PlatformClass {
  const explicit = platform !== undefined ? EXPLICIT_PLATFORMS.get(platform.toLowerCase()) : undefined;
  if (explicit) return explicit;
  if (apiVer === 'uniapp' || hasAppIdentifier) return 'uniapp';
  return 'web';
}

/** L2 throws on CONNACK statuses above 12 and on DISCONNECT reasons above 5 (PROTOCOL.md §3.2, §3.4). */
export function connackStatusFor(kind: ClientKind, status: number): number {
  if (kind === 'L2' && status > 12) return 3;
  return status;
}

export function disconnectReasonFor(kind: ClientKind, reason: number): number {
  if (kind === 'L2' && reason > 5) return 3;
  return reason;
}
