/**
 * Pure-JS UTF-8 / CESU-8 codec (mini-program hosts have no TextEncoder/TextDecoder).
 *
 * Invariants:
 * - Encoders never emit a lone surrogate: an unpaired UTF-16 surrogate becomes U+FFFD (EF BF BD),
 *   so every output decodes cleanly in strict mode and back to a well-formed string.
 * - `encodeCesu8` encodes each UTF-16 code unit on its own (a non-BMP character becomes two
 *   3-byte surrogate sequences). Both official web clients write CMP frame strings this way, and
 *   the legacy client (L2) cannot decode 4-byte sequences at all, so CESU-8 is the safe choice for
 *   anything we put into a frame string.
 * - `decodeUtf8` accepts both forms: a 4-byte sequence and a 3-byte high surrogate immediately
 *   followed by a 3-byte low surrogate decode to the same code point. Everything else that is not
 *   shortest-form UTF-8 (overlongs, > U+10FFFF, stray continuation bytes, truncated sequences,
 *   lone surrogates) is malformed: strict mode throws ProtocolError('bad-utf8'); lenient mode
 *   replaces each maximal malformed subpart with one U+FFFD (a lone 3-byte surrogate counts as one
 *   subpart — unlike WHATWG, which would emit three, because we accept ED A0..BF as a lead).
 */
import { ProtocolError } from '../protocol/protocol-error';

export interface Utf8DecodeOptions {
  /** Throw ProtocolError('bad-utf8') on malformed input instead of substituting U+FFFD. */
  readonly strict?: boolean;
  /**
   * Lenient mode only: `'keep'` decodes a 3-byte encoded surrogate that is not half of a CESU-8
   * pair to that UTF-16 code unit (WTF-8, what @protobufjs/utf8 does) instead of U+FFFD, so a
   * lone surrogate written by a protobuf encoder round-trips.
   */
  readonly surrogates?: 'replace' | 'keep';
}

const REPLACEMENT = 0xfffd;
/** String.fromCharCode.apply argument count stays well under every engine's limit. */
const CHUNK = 4096;
/** Up to this many bytes, `decodeAscii` concatenates chars (V8 keeps strings this short flat). */
const SHORT_ASCII = 8;
/** Up to this many bytes, `decodeAscii` fills a reused code-unit list of exactly that length. */
const POOLED_ASCII = 128;
/** Reused code-unit lists by length (made on first use; no callbacks run while one is filled). */
const POOL: number[][] = [];

/**
 * `bytes[start, end)`, every byte < 0x80, as a flat string. Char-by-char concatenation past 12 chars
 * makes V8 build a rope (ConsString) that every later hash (Set/Map key: uids, ids) or JSON.stringify
 * must flatten first, and a subarray per call allocates; a reused list of the exact length handed to
 * `String.fromCharCode.apply` does neither (resizing one shared list instead costs a runtime call per
 * string). Measured in the P6 receive profile (issue #12).
 */
export function decodeAscii(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= SHORT_ASCII) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i] as number);
    return s;
  }
  if (length <= POOLED_ASCII) {
    let units = POOL[length];
    if (units === undefined) {
      units = new Array<number>(length).fill(0);
      POOL[length] = units;
    }
    for (let i = 0; i < length; i++) units[i] = bytes[start + i] as number;
    return String.fromCharCode.apply(null, units);
  }
  let result = '';
  for (let from = start; from < end; from += CHUNK) {
    result += String.fromCharCode.apply(null, bytes.subarray(from, Math.min(from + CHUNK, end)) as unknown as number[]);
  }
  return result;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function unitByteLength(unit: number): number {
  return unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
}

/** Byte length of `encodeUtf8(s)`. */
export function utf8ByteLength(s: string): number {
  let length = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (isHighSurrogate(unit) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      length += 4;
      i++;
    } else {
      length += unitByteLength(unit);
    }
  }
  return length;
}

/** Byte length of `encodeCesu8(s)`. */
export function cesu8ByteLength(s: string): number {
  let length = 0;
  for (let i = 0; i < s.length; i++) length += unitByteLength(s.charCodeAt(i));
  return length;
}

function writeUnit(out: Uint8Array, pos: number, unit: number): number {
  if (unit < 0x80) {
    out[pos] = unit;
    return pos + 1;
  }
  if (unit < 0x800) {
    out[pos] = 0xc0 | (unit >> 6);
    out[pos + 1] = 0x80 | (unit & 0x3f);
    return pos + 2;
  }
  out[pos] = 0xe0 | (unit >> 12);
  out[pos + 1] = 0x80 | ((unit >> 6) & 0x3f);
  out[pos + 2] = 0x80 | (unit & 0x3f);
  return pos + 3;
}

/** Standard UTF-8 (4-byte sequences for non-BMP characters; lone surrogates → U+FFFD). */
export function encodeUtf8(s: string): Uint8Array {
  const out = new Uint8Array(utf8ByteLength(s));
  let pos = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (isHighSurrogate(unit) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      const cp = 0x10000 + ((unit - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00);
      out[pos] = 0xf0 | (cp >> 18);
      out[pos + 1] = 0x80 | ((cp >> 12) & 0x3f);
      out[pos + 2] = 0x80 | ((cp >> 6) & 0x3f);
      out[pos + 3] = 0x80 | (cp & 0x3f);
      pos += 4;
      i++;
    } else {
      pos = writeUnit(out, pos, isHighSurrogate(unit) || isLowSurrogate(unit) ? REPLACEMENT : unit);
    }
  }
  return out;
}

/** CESU-8: every UTF-16 code unit encoded separately; lone surrogates → U+FFFD. */
export function encodeCesu8(s: string): Uint8Array {
  const out = new Uint8Array(cesu8ByteLength(s));
  encodeCesu8Into(s, out, 0);
  return out;
}

/**
 * Writes `s` as CESU-8 into `out` at `pos` (room for `cesu8ByteLength(s)` bytes) and returns the position
 * after it: frames write their strings in place instead of through a temporary array each.
 */
export function encodeCesu8Into(s: string, out: Uint8Array, pos: number): number {
  for (let i = 0; i < s.length; i++) {
    let unit = s.charCodeAt(i);
    if (isHighSurrogate(unit)) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (isLowSurrogate(next)) {
        pos = writeUnit(out, pos, unit);
        pos = writeUnit(out, pos, next);
        i++;
        continue;
      }
      unit = REPLACEMENT;
    } else if (isLowSurrogate(unit)) {
      unit = REPLACEMENT;
    }
    pos = writeUnit(out, pos, unit);
  }
  return pos;
}

/**
 * Length of the well-formed sequence starting at `i` (with the code point it encodes), or a
 * negative number `-n` when the maximal malformed subpart there is `n` bytes long.
 */
function readSequence(bytes: Uint8Array, i: number, end: number): { length: number; cp: number } {
  const lead = bytes[i] ?? 0;
  let need: number;
  let cp: number;
  let lower = 0x80;
  let upper = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    need = 1;
    cp = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    need = 2;
    cp = lead & 0x0f;
    if (lead === 0xe0) lower = 0xa0;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    need = 3;
    cp = lead & 0x07;
    if (lead === 0xf0) lower = 0x90;
    if (lead === 0xf4) upper = 0x8f;
  } else {
    return { length: -1, cp: 0 };
  }
  let j = i + 1;
  for (let k = 0; k < need; k++, j++) {
    const b = j < end ? (bytes[j] ?? 0) : -1;
    if (b < lower || b > upper) return { length: -(j - i), cp: 0 };
    cp = (cp << 6) | (b & 0x3f);
    lower = 0x80;
    upper = 0xbf;
  }
  return { length: j - i, cp };
}

/**
 * Decodes `bytes[start, end)`. Accepts standard UTF-8 and CESU-8 surrogate pairs (see the module
 * comment); lenient by default, `{ strict: true }` throws ProtocolError('bad-utf8').
 */
export function decodeUtf8(
  bytes: Uint8Array,
  start = 0,
  end: number = bytes.length,
  options: Utf8DecodeOptions = {},
): string {
  if (!(start >= 0 && start <= end && end <= bytes.length) || start % 1 !== 0 || end % 1 !== 0) {
    throw new RangeError(`decodeUtf8: bad range [${start}, ${end}) of ${bytes.length}`);
  }
  // ASCII prefix (all of a typical JSON message content) in one go (decodeAscii); the general loop
  // below takes over at the first byte ≥ 0x80.
  let i = start;
  while (i < end && (bytes[i] as number) < 0x80) i++;
  let result = i > start ? decodeAscii(bytes, start, i) : '';
  if (i === end) return result;
  const strict = options.strict === true;
  const keep = !strict && options.surrogates === 'keep';
  const units: number[] = [];
  const malformed = (at: number): void => {
    if (strict) throw new ProtocolError('bad-utf8', `malformed UTF-8 at byte ${at}`);
    units.push(REPLACEMENT);
  };
  while (i < end) {
    if (units.length >= CHUNK) {
      result += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      units.push(lead);
      i++;
      continue;
    }
    const seq = readSequence(bytes, i, end);
    if (seq.length < 0) {
      malformed(i);
      i -= seq.length;
      continue;
    }
    const { cp } = seq;
    if (isHighSurrogate(cp)) {
      const low = i + 3 < end && bytes[i + 3] === 0xed ? readSequence(bytes, i + 3, end) : undefined;
      if (low !== undefined && low.length === 3 && isLowSurrogate(low.cp)) {
        units.push(cp, low.cp);
        i += 6;
      } else {
        if (keep) units.push(cp);
        else malformed(i);
        i += 3;
      }
    } else if (isLowSurrogate(cp)) {
      if (keep) units.push(cp);
      else malformed(i);
      i += 3;
    } else if (cp >= 0x10000) {
      units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
      i += 4;
    } else {
      units.push(cp);
      i += seq.length;
    }
  }
  return units.length > 0 ? result + String.fromCharCode.apply(null, units) : result;
}
