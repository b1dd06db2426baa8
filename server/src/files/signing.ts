/**
 * Upload tokens and download-URL signatures, both HMAC-SHA256 under one server secret kept in the
 * data directory (so tokens and links survive restarts).
 *
 * Upload token: `lx1.<base64url JSON {a: appKey, u: userId, t: fileType, e: expiresAt ms, i: issuedAt ms, n: nonce}>.<base64url MAC>`
 * (`i` since session 32; a token without it reads as issued one lifetime before it expires).
 * It is issued only to a connected session (`qnTkn`), so holding one proves the holder was a connected
 * user of that app within the token lifetime. That is not enough to upload: FileService.checkUploadToken
 * also refuses it once the app is disabled, the user blocked or the user's tokens expired (Server API
 * `user/token/expire`) at or after its issue time (this class only checks the MAC and the expiry). It does not bind the object key: the official upload plugin picks its own key after asking
 * for the token.
 *
 * Download signature: MAC over (appKey, object id). Object ids are already 128 random bits; the MAC
 * makes a URL unforgeable even for someone who learned an id some other way (logs, metadata).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UploadFileType } from './file-kinds';
import { isUploadFileType } from './file-kinds';
import { createFileOnce } from '../create-file-once';

export const FILE_SECRET_FILE_NAME = 'file-secret';
const TOKEN_PREFIX = 'lx1';
const DOWNLOAD_SIG_CHARS = 22;

export interface UploadGrant {
  readonly appKey: string;
  readonly userId: string;
  readonly fileType: UploadFileType;
  /** Epoch ms. */
  readonly expiresAt: number;
  /** Epoch ms; absent in tokens issued before it was carried. */
  readonly issuedAt?: number;
  /** secretTag() of the app's secret when issued; absent in tokens issued before it was carried. */
  readonly secret?: string;
}

/** A short one-way tag of an app secret: an upload token names the secret it was issued under, never the secret. */
export function secretTag(appSecret: string): string {
  return createHash('sha256').update(`lianxin-upload\u0000${appSecret}`).digest('base64url').slice(0, 11);
}

export type GrantCheck = { readonly ok: true; readonly grant: UploadGrant } | { readonly ok: false; readonly reason: 'malformed' | 'signature' | 'expired' };

/**
 * 32 random bytes in `<dataDir>/file-secret` (created 0600 on first use). Nodes starting at once on a shared
 * empty directory all use the secret the first of them wrote (create-file-once.ts), so every node's links and
 * upload tokens hold on every other.
 */
export function loadOrCreateFileSecret(dataDir: string): Buffer {
  const file = join(dataDir, FILE_SECRET_FILE_NAME);
  const text = existsSync(file) ? readFileSync(file, 'utf8') : createFileOnce(file, `${randomBytes(32).toString('base64url')}\n`).content;
  const secret = Buffer.from(text.trim(), 'base64url');
  if (secret.length < 32) throw new Error(`${file} does not hold a valid secret; delete it to generate a new one (existing file links stop working)`);
  return secret;
}

export class FileSigner {
  constructor(private readonly secret: Uint8Array) {
    if (secret.byteLength < 16) throw new Error('file signing secret is too short');
  }

  private mac(purpose: string, data: string): Buffer {
    return createHmac('sha256', this.secret).update(purpose).update('\0').update(data).digest();
  }

  issueUploadToken(grant: UploadGrant): string {
    const payload = Buffer.from(
      JSON.stringify({ a: grant.appKey, u: grant.userId, t: grant.fileType, e: grant.expiresAt, i: grant.issuedAt, s: grant.secret, n: randomBytes(6).toString('base64url') }),
    ).toString('base64url');
    return `${TOKEN_PREFIX}.${payload}.${this.mac('upload', payload).toString('base64url')}`;
  }

  checkUploadToken(token: string, now: number): GrantCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX) return { ok: false, reason: 'malformed' };
    const [, payload = '', signature = ''] = parts;
    const expected = this.mac('upload', payload);
    const given = Buffer.from(signature, 'base64url');
    // Only the issued spelling: the decoder skips padding and stray characters, so other strings decoded the same.
    if (given.length !== expected.length || given.toString('base64url') !== signature || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const record = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    const { a, u, t, e, i, s } = record;
    if (typeof a !== 'string' || typeof u !== 'string' || !isUploadFileType(t) || typeof e !== 'number') return { ok: false, reason: 'malformed' };
    if ((i !== undefined && typeof i !== 'number') || (s !== undefined && typeof s !== 'string')) return { ok: false, reason: 'malformed' };
    if (e <= now) return { ok: false, reason: 'expired' };
    return { ok: true, grant: { appKey: a, userId: u, fileType: t, expiresAt: e, ...(i === undefined ? {} : { issuedAt: i }), ...(s === undefined ? {} : { secret: s }) } };
  }

  downloadSignature(appKey: string, id: string): string {
    return this.mac('download', `${appKey}/${id}`).toString('base64url').slice(0, DOWNLOAD_SIG_CHARS);
  }

  checkDownloadSignature(appKey: string, id: string, signature: string): boolean {
    const expected = Buffer.from(this.downloadSignature(appKey, id));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
