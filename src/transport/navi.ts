/**
 * Navi bootstrap (PROTOCOL.md §2): `GET {navi}/navi.js?appId&token&callBack=getServerEndpoint&v&r`
 * (cometnavi.js for comet), body `getServerEndpoint({...});` → CMP hosts. Navigators are tried in
 * order, each with its own timeout; the first 200 whose body parses wins.
 */
import type { PlatformAdapter } from '../platform/platform-adapter';
import { cancellableRequest, type Cancellation } from './cancellation';

export const NAVI_TIMEOUT_MS = 10_000;
const CALLBACK = 'getServerEndpoint';

export interface NaviInfo {
  /** The whole parsed object (apps read fields such as `kvStorage`, `uploadServer` through getNavi()). */
  readonly raw: Readonly<Record<string, unknown>>;
  /** CMP hosts, `server` first then `backupServer`, de-duplicated. */
  readonly hosts: readonly string[];
  /** The navigator that answered; its scheme decides ws/wss and http/https for the CMP host. */
  readonly naviUrl: string;
  readonly secure: boolean;
}

export interface TokenParts {
  /** What goes on the wire: everything after the first `@` removed, the `@` kept (E4 behaviour). */
  readonly wireToken: string;
  /** Navigators carried in the token after `@`, `;`-separated, https:// added when schemeless. */
  readonly naviHosts: readonly string[];
}

export function splitToken(token: string): TokenParts {
  const at = token.indexOf('@');
  if (at < 0) return { wireToken: token, naviHosts: [] };
  const naviHosts = token
    .slice(at + 1)
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^https?:\/\//i.test(s) ? s : `https://${s}`));
  return { wireToken: token.slice(0, at + 1), naviHosts };
}

/** Keeps http(s) URLs only and strips one trailing `/` (init option rules). */
export function normalizeNavigators(navis: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of navis) {
    if (typeof n !== 'string' || !/^https?:\/\//i.test(n)) continue;
    const url = n.endsWith('/') ? n.slice(0, -1) : n;
    if (!out.includes(url)) out.push(url);
  }
  return out;
}

export type NaviFile = 'navi.js' | 'cometnavi.js';

export function naviRequestUrl(
  navigator: string,
  file: NaviFile,
  appKey: string,
  wireToken: string,
  version: string,
  now: number,
): string {
  return `${navigator}/${file}?appId=${appKey}&token=${encodeURIComponent(wireToken)}&callBack=${CALLBACK}&v=${version}&r=${now}`;
}

/** `getServerEndpoint(<json>)` with an optional `;`, anchored at both ends. Undefined when not that shape. */
export function parseNaviBody(body: string): Record<string, unknown> | undefined {
  const text = body.trim();
  if (!text.startsWith(`${CALLBACK}(`)) return undefined;
  const inner = text.slice(CALLBACK.length + 1).replace(/\);?$/, '');
  if (inner.length === text.length - CALLBACK.length - 1) return undefined;
  try {
    const parsed: unknown = JSON.parse(inner);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `server` then each `backupServer` entry; blanks dropped, duplicates removed. */
export function cmpHostsOf(raw: Readonly<Record<string, unknown>>): string[] {
  const hosts: string[] = [];
  const add = (value: unknown): void => {
    if (typeof value !== 'string') return;
    for (const part of value.split(',')) {
      const host = part.trim();
      if (host !== '' && !hosts.includes(host)) hosts.push(host);
    }
  };
  add(raw['server']);
  add(raw['backupServer']);
  return hosts;
}

export interface NaviRequest {
  readonly navigators: readonly string[];
  readonly file: NaviFile;
  readonly appKey: string;
  readonly wireToken: string;
  readonly version: string;
  readonly timeoutMs?: number;
}

/**
 * `ok`: a usable answer. `token-rejected` / `app-rejected`: a navigator answered 401 / 403 with a
 * parseable body (code 401 / 403) — a verdict on the credentials, so no other navigator is asked
 * (2.5.3 reads these bodies the same way). `unavailable`: nobody answered usefully, or cancelled.
 */
export type NaviOutcome =
  | { readonly kind: 'ok'; readonly info: NaviInfo }
  | { readonly kind: 'token-rejected' }
  | { readonly kind: 'app-rejected' }
  | { readonly kind: 'unavailable' };

/** Tries each navigator in order. */
export async function fetchNavi(platform: PlatformAdapter, request: NaviRequest, cancel: Cancellation): Promise<NaviOutcome> {
  for (const navigator of request.navigators) {
    if (cancel.isCancelled) return { kind: 'unavailable' };
    const url = naviRequestUrl(navigator, request.file, request.appKey, request.wireToken, request.version, platform.clock.now());
    try {
      const res = await cancellableRequest(
        platform,
        { method: 'GET', url, responseType: 'text', timeoutMs: request.timeoutMs ?? NAVI_TIMEOUT_MS },
        cancel,
      );
      if (typeof res.body !== 'string') continue;
      const raw = parseNaviBody(res.body);
      if (raw === undefined) continue;
      if (res.status === 401 && raw['code'] === 401) return { kind: 'token-rejected' };
      if (res.status === 403 && raw['code'] === 403) return { kind: 'app-rejected' };
      if (res.status !== 200) continue;
      return { kind: 'ok', info: { raw, hosts: cmpHostsOf(raw), naviUrl: navigator, secure: /^https:/i.test(navigator) } };
    } catch {
      // Timeout, abort or network failure: next navigator.
    }
  }
  return { kind: 'unavailable' };
}
