/**
 * Server API request signature (SERVER_API.md §1.2): `Signature = hex(sha1(appSecret + Nonce +
 * Timestamp))`, headers with or without the `RC-` prefix, names case-insensitive, hex compared
 * case-insensitively.
 *
 * Compatibility policy: the official Node SDK computes nonce, timestamp and signature once per
 * process and reuses them forever, so neither nonce uniqueness nor timestamp freshness is enforced
 * by default; `apiClockSkewSeconds > 0` opts into a freshness check that accepts both second and
 * millisecond timestamps. A missing Timestamp (or Nonce) counts as "" (a third-party SDK omits it).
 * The secret itself is never accepted in place of a signature, wherever it appears.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AppConfig, AppRegistry } from '../../config';
import { ServerApiErrors } from '../../errors';
import type { ErrorDef } from '../../errors';

export interface SignatureHeaders {
  readonly appKey: string | undefined;
  readonly nonce: string;
  readonly timestamp: string;
  readonly signature: string | undefined;
}

export type ServerApiAuthResult =
  | { readonly ok: true; readonly app: AppConfig }
  | { readonly ok: false; readonly error: ErrorDef; readonly detail: string };

export function computeSignature(appSecret: string, nonce: string, timestamp: string): string {
  return createHash('sha1').update(appSecret + nonce + timestamp, 'utf8').digest('hex');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  // Node lower-cases incoming header names.
  const value = headers[name] ?? headers[`rc-${name}`];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.trim();
}

export function readSignatureHeaders(headers: IncomingHttpHeaders): SignatureHeaders {
  return {
    appKey: header(headers, 'app-key'),
    nonce: header(headers, 'nonce') ?? '',
    timestamp: header(headers, 'timestamp') ?? '',
    signature: header(headers, 'signature'),
  };
}

/** Constant-time comparison of two hex strings, case-insensitive. */
function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Seconds or milliseconds → ms; undefined when not a number. */
export function timestampToMs(timestamp: string): number | undefined {
  if (!/^\d{1,16}(\.\d+)?$/.test(timestamp)) return undefined;
  const value = Number(timestamp);
  // 1e11 s is the year 5138, 1e11 ms is 1973: anything above is milliseconds.
  return value >= 1e11 ? value : value * 1000;
}

export function authenticateServerApi(
  headers: SignatureHeaders,
  apps: AppRegistry,
  now: number,
  clockSkewSeconds: number,
): ServerApiAuthResult {
  if (headers.appKey === undefined || headers.appKey === '') {
    return { ok: false, error: ServerApiErrors.signature, detail: 'App-Key header is missing' };
  }
  const app = apps.get(headers.appKey);
  if (app === undefined) return { ok: false, error: ServerApiErrors.signature, detail: 'App-Key is unknown' };
  if (headers.signature === undefined || headers.signature === '') {
    return { ok: false, error: ServerApiErrors.signature, detail: 'Signature header is missing' };
  }
  if (!sameHex(computeSignature(app.appSecret, headers.nonce, headers.timestamp), headers.signature)) {
    return { ok: false, error: ServerApiErrors.signature, detail: 'signature error' };
  }
  if (clockSkewSeconds > 0) {
    const at = timestampToMs(headers.timestamp);
    if (at === undefined || Math.abs(now - at) > clockSkewSeconds * 1000) {
      return { ok: false, error: ServerApiErrors.signature, detail: 'Timestamp is missing or too far from server time' };
    }
  }
  return { ok: true, app };
}
