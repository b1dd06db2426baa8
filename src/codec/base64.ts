/**
 * Pure-JS base64 (RFC 4648 §4 standard and §5 url-safe alphabets); no atob/btoa/Buffer.
 *
 * Encoding: standard output is padded; url-safe output is unpadded unless `pad: true`.
 * Decoding is alphabet-agnostic (accepts `+/` and `-_`, even mixed), padding is optional, and
 * ASCII whitespace is skipped (MIME line breaks). Non-zero unused bits in the last character are
 * ignored (RFC 4648 §3.5 allows either). Anything else — a foreign character, data after padding,
 * an impossible length (4n+1 characters) — throws ProtocolError('bad-base64').
 */
import { ProtocolError } from '../protocol/protocol-error';

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Char code → 6-bit value; -1 = not base64, -2 = whitespace (skipped), -3 = '='. */
const LOOKUP: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) {
    table[STANDARD.charCodeAt(i)] = i;
    table[URL_SAFE.charCodeAt(i)] = i;
  }
  for (const ws of [0x09, 0x0a, 0x0d, 0x20]) table[ws] = -2;
  table[0x3d] = -3;
  return table;
})();

export interface Base64EncodeOptions {
  /** Use the url-safe alphabet (`-_`). Default false. */
  readonly urlSafe?: boolean;
  /** Emit `=` padding. Default: true for standard, false for url-safe. */
  readonly pad?: boolean;
}

export function encodeBase64(bytes: Uint8Array, options: Base64EncodeOptions = {}): string {
  const urlSafe = options.urlSafe === true;
  const alphabet = urlSafe ? URL_SAFE : STANDARD;
  const pad = options.pad ?? !urlSafe;
  const parts: string[] = [];
  let chunk = '';
  const full = bytes.length - (bytes.length % 3);
  for (let i = 0; i < full; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    chunk +=
      alphabet.charAt(n >> 18) +
      alphabet.charAt((n >> 12) & 63) +
      alphabet.charAt((n >> 6) & 63) +
      alphabet.charAt(n & 63);
    // Flush periodically: long `+=` chains build deep rope strings in some engines.
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - full;
  if (rest > 0) {
    const n = ((bytes[full] ?? 0) << 16) | (rest === 2 ? (bytes[full + 1] ?? 0) << 8 : 0);
    chunk += alphabet.charAt(n >> 18) + alphabet.charAt((n >> 12) & 63);
    chunk += rest === 2 ? alphabet.charAt((n >> 6) & 63) : '';
    if (pad) chunk += rest === 2 ? '=' : '==';
  }
  parts.push(chunk);
  return parts.join('');
}

/** Same as `encodeBase64(bytes, { urlSafe: true })` (unpadded). */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes, { urlSafe: true });
}

/** Decodes standard or url-safe base64, padded or not. Throws ProtocolError('bad-base64'). */
export function decodeBase64(text: string): Uint8Array {
  const values = new Uint8Array(text.length);
  let count = 0;
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? (LOOKUP[code] ?? -1) : -1;
    if (v === -2) continue;
    if (v === -3) {
      padding++;
      continue;
    }
    if (v < 0 || padding > 0) {
      throw new ProtocolError('bad-base64', `invalid base64 character at ${i}`);
    }
    values[count++] = v;
  }
  const rest = count % 4;
  if (rest === 1 || padding > 2 || (padding > 0 && (count + padding) % 4 !== 0)) {
    throw new ProtocolError('bad-base64', `invalid base64 length ${count} (+${padding} padding)`);
  }
  const out = new Uint8Array((count * 3) >> 2);
  let o = 0;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const n =
      ((values[i] ?? 0) << 18) | ((values[i + 1] ?? 0) << 12) | ((values[i + 2] ?? 0) << 6) | (values[i + 3] ?? 0);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (rest >= 2) {
    const n = ((values[i] ?? 0) << 18) | ((values[i + 1] ?? 0) << 12) | ((values[i + 2] ?? 0) << 6);
    out[o++] = n >> 16;
    if (rest === 3) out[o++] = (n >> 8) & 255;
  }
  return out;
}
