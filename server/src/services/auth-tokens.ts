/**
 * Client tokens (SERVER_API.md §4): opaque, HMAC-signed, self-contained.
 *
 * Layout before base64url (no padding):
 *   u8 version (1) | u8 flags (bit 0: has expiry) | u48 issuedAt ms | [u48 expiresAt ms]
 *   | u8 len + appKey | u8 len + userId | 32-byte HMAC-SHA256 over everything before it
 * The MAC key is derived from the app secret (never the secret itself, which never leaves the
 * server), so rotating a secret invalidates that app's tokens. The issue time is inside the token
 * so that `user/token/expire` can invalidate "tokens issued up to T". Tokens never contain `@` or
 * `;`: clients may append `@navi1;navi2`, and engine 4.x sends `opaque@` (PROTOCOL.md §2.1), so
 * everything from the first `@` on is ignored.
 * Size bound: 2 + 6 + 6 + 1 + 64 + 1 + 64 + 32 = 176 bytes → ≤ 235 characters (docs: ≤ 256).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppRegistry } from '../config';
import type { UserRepository } from '../store/store';

export const TOKEN_VERSION = 1;
const FLAG_EXPIRES = 1;
const MAC_BYTES = 32;
const MAX_U48 = 2 ** 48 - 1;
const MAX_FIELD_BYTES = 64;
const KEY_DERIVATION_LABEL = 'lianxin/token-mac-key/v1';

/** CONNACK status bytes used by authentication (PROTOCOL.md §3.2). */
export const ConnackStatus = {
  Accepted: 0,
  IdentifierRejected: 2,
  ServerUnavailable: 3,
  TokenIncorrect: 4,
  AppBlockOrDelete: 8,
  Block: 9,
  TokenExpire: 10,
} as const;
export type ConnackStatus = (typeof ConnackStatus)[keyof typeof ConnackStatus];

export interface TokenClaims {
  readonly ok: true;
  readonly version: number;
  readonly appKey: string;
  readonly userId: string;
  /** ms */
  readonly issuedAt: number;
  /** ms; absent = never expires */
  readonly expiresAt?: number;
}

export interface TokenError {
  readonly ok: false;
  readonly reason: 'malformed' | 'unsupported-version' | 'unknown-app' | 'bad-signature';
}

export type ConnectionAuthResult =
  | { readonly ok: true; readonly userId: string; readonly issuedAt: number }
  | { readonly ok: false; readonly connackStatus: ConnackStatus };

export interface TokenService {
  /** Throws RangeError for ids longer than 64 UTF-8 bytes or times outside u48. */
  issue(appKey: string, userId: string, now: number, expiresAt?: number): string;
  /** Signature and structure only; expiry and revocation are checked by `authenticateConnection`. */
  verify(rawToken: string): TokenClaims | TokenError;
  /** Everything a CMP/comet connect needs; never throws for a bad token. */
  authenticateConnection(appKey: string, rawToken: string, now: number): Promise<ConnectionAuthResult>;
}

export interface TokenServiceDeps {
  readonly apps: AppRegistry;
  readonly users: Pick<UserRepository, 'get'>;
}

/** `opaque`, `opaque@` and `opaque@host1;host2` all name the same token. */
export function stripNaviSuffix(rawToken: string): string {
  const at = rawToken.indexOf('@');
  return at < 0 ? rawToken : rawToken.slice(0, at);
}

function writeU48(target: Buffer, offset: number, value: number): void {
  target.writeUIntBE(value, offset, 6);
}

function checkTime(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_U48) throw new RangeError(`${what} must be an integer ms timestamp`);
}

function lengthPrefixed(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0 || bytes.length > MAX_FIELD_BYTES) throw new RangeError(`${what} must be 1..${MAX_FIELD_BYTES} UTF-8 bytes`);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const macKeys = new Map<string, Buffer>();
  const macKeyFor = (appSecret: string): Buffer => {
    let key = macKeys.get(appSecret);
    if (key === undefined) {
      key = createHmac('sha256', appSecret).update(KEY_DERIVATION_LABEL).digest();
      macKeys.set(appSecret, key);
    }
    return key;
  };

  const issue = (appKey: string, userId: string, now: number, expiresAt?: number): string => {
    const app = deps.apps.get(appKey);
    if (app === undefined) throw new RangeError(`unknown app ${appKey}`);
    checkTime(now, 'issuedAt');
    if (expiresAt !== undefined) checkTime(expiresAt, 'expiresAt');
    const head = Buffer.alloc(expiresAt === undefined ? 8 : 14);
    head[0] = TOKEN_VERSION;
    head[1] = expiresAt === undefined ? 0 : FLAG_EXPIRES;
    writeU48(head, 2, now);
    if (expiresAt !== undefined) writeU48(head, 8, expiresAt);
    const payload = Buffer.concat([head, lengthPrefixed(appKey, 'appKey'), lengthPrefixed(userId, 'userId')]);
    const mac = createHmac('sha256', macKeyFor(app.appSecret)).update(payload).digest();
    return Buffer.concat([payload, mac]).toString('base64url');
  };

  const verify = (rawToken: string): TokenClaims | TokenError => {
    const opaque = stripNaviSuffix(rawToken);
    if (opaque.length === 0 || opaque.length > 400 || !/^[A-Za-z0-9_-]+$/.test(opaque)) return { ok: false, reason: 'malformed' };
    const bytes = Buffer.from(opaque, 'base64url');
    // Only the canonical encoding is accepted, so one token has exactly one spelling.
    if (bytes.toString('base64url') !== opaque) return { ok: false, reason: 'malformed' };
    // version, flags, issuedAt, two one-byte fields with their lengths, MAC
    if (bytes.length < 2 + 6 + 2 + 2 + MAC_BYTES) return { ok: false, reason: 'malformed' };
    if (bytes[0] !== TOKEN_VERSION) return { ok: false, reason: 'unsupported-version' };
    const flags = bytes[1] as number;
    if ((flags & ~FLAG_EXPIRES) !== 0) return { ok: false, reason: 'malformed' };
    let offset = 2;
    const need = (n: number): boolean => offset + n <= bytes.length - MAC_BYTES;
    if (!need(6)) return { ok: false, reason: 'malformed' };
    const issuedAt = bytes.readUIntBE(offset, 6);
    offset += 6;
    let expiresAt: number | undefined;
    if ((flags & FLAG_EXPIRES) !== 0) {
      if (!need(6)) return { ok: false, reason: 'malformed' };
      expiresAt = bytes.readUIntBE(offset, 6);
      offset += 6;
    }
    const readField = (): string | undefined => {
      if (!need(1)) return undefined;
      const length = bytes[offset] as number;
      offset += 1;
      if (length === 0 || !need(length)) return undefined;
      const text = bytes.subarray(offset, offset + length).toString('utf8');
      offset += length;
      return text;
    };
    const appKey = readField();
    const userId = readField();
    if (appKey === undefined || userId === undefined || offset !== bytes.length - MAC_BYTES) return { ok: false, reason: 'malformed' };
    const app = deps.apps.get(appKey);
    if (app === undefined) return { ok: false, reason: 'unknown-app' };
    const expected = createHmac('sha256', macKeyFor(app.appSecret)).update(bytes.subarray(0, offset)).digest();
    if (!timingSafeEqual(expected, bytes.subarray(offset))) return { ok: false, reason: 'bad-signature' };
    const claims: TokenClaims = { ok: true, version: TOKEN_VERSION, appKey, userId, issuedAt };
    return expiresAt === undefined ? claims : { ...claims, expiresAt };
  };

  const authenticateConnection = async (appKey: string, rawToken: string, now: number): Promise<ConnectionAuthResult> => {
    if (deps.apps.get(appKey) === undefined) {
      return { ok: false, connackStatus: deps.apps.isDisabled?.(appKey) === true ? ConnackStatus.AppBlockOrDelete : ConnackStatus.IdentifierRejected };
    }
    const claims = verify(rawToken);
    if (!claims.ok || claims.appKey !== appKey) return { ok: false, connackStatus: ConnackStatus.TokenIncorrect };
    if (claims.expiresAt !== undefined && claims.expiresAt <= now) return { ok: false, connackStatus: ConnackStatus.TokenExpire };
    // A valid token whose user row is missing (e.g. data directory wiped, same secret) still
    // authenticates: the signature proves the App Server issued it.
    const user = await deps.users.get(appKey, claims.userId);
    if (user !== undefined && claims.issuedAt <= user.tokensValidAfter) return { ok: false, connackStatus: ConnackStatus.TokenExpire };
    if (user !== undefined && user.blockedUntil > now) return { ok: false, connackStatus: ConnackStatus.Block };
    return { ok: true, userId: claims.userId, issuedAt: claims.issuedAt };
  };

  return { issue, verify, authenticateConnection };
}
