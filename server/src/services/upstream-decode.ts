/**
 * `UpStreamMessage` (every client send, PROTOCOL.md §6.1) decoded without protobufjs's reader: its generated
 * decode makes a Reader per call, and a Uint8Array's strings go through a code-unit list per string.
 *
 * The result is what `decodeMessage(rc.UpStreamMessage, payload, …)` returns, or undefined where that throws:
 * an `rc.UpStreamMessage` (and `rc.PushExtra`) with the same own fields set in the same order, defaults
 * inherited from the prototype, `content` a subarray of the payload (an empty one `Buffer.alloc(0)`), int64
 * fields as numbers (`--force-number`, LongBits.toNumber). Its reads are protobufjs 7's `Reader`, quirks
 * included: no wire-type check on known fields; a varint tag or int32 of 5 bytes whose last has its high bit
 * set skips 5 more unseen; an int64 with 3 bytes left reads a 4th past the end as 0 (and ends the message);
 * `skipType` for unknown fields (groups to depth 100); strings by @protobufjs/utf8's `read` (lenient: stray
 * continuation bytes dropped, U+FFFD for overlongs, surrogates kept, missing bytes read as 0); the last
 * `pushExt` wins; `sessionId`, `classname` and `content` required. Only plain Uint8Arrays take this path (a
 * Buffer gets protobufjs's BufferReader, which reads strings another way): anything else goes to protobufjs.
 * Checked against protobufjs by server/test/unit/services/upstream-decode.test.ts.
 */
import { rc, decodeMessage, ProtocolError } from './wire';

/** Thrown wherever protobufjs throws; made once (no stack captured per throw). */
const FAIL = new Error('upstream-decode: malformed');
/** protobufjs's `util.recursionLimit`, the depth at which `skipType` refuses nested groups. */
const RECURSION_LIMIT = 100;
const REPLACEMENT = 0xfffd;
/** Code units handed to one `String.fromCharCode.apply`. */
const CHUNK = 4096;

// The read state: one decode at a time (nothing in it yields), reset by every call.
let buf: Uint8Array = new Uint8Array(0);
let pos = 0;
/** The end of what may be read: the payload's, or the enclosing `pushExt`'s. */
let limit = 0;
const EMPTY = buf;

/** `rc.UpStreamMessage.decode(payload)`, or undefined where it throws. */
export function decodeUpStream(payload: Uint8Array): rc.UpStreamMessage | undefined {
  if (payload.constructor !== Uint8Array) return viaProtobufjs(payload);
  buf = payload;
  pos = 0;
  limit = payload.length;
  try {
    return readMessage();
  } catch (error) {
    if (error === FAIL) return undefined;
    throw error;
  } finally {
    buf = EMPTY;
  }
}

function viaProtobufjs(payload: Uint8Array): rc.UpStreamMessage | undefined {
  try {
    return decodeMessage(rc.UpStreamMessage, payload, 'UpStreamMessage');
  } catch (error) {
    if (error instanceof ProtocolError) return undefined;
    throw error;
  }
}

function readMessage(): rc.UpStreamMessage | undefined {
  const m = new rc.UpStreamMessage();
  const end = limit;
  let required = 0;
  while (pos < end) {
    const tag = uint32();
    switch (tag >>> 3) {
      case 1: m.sessionId = uint32() | 0; required |= 1; break;
      case 2: m.classname = className(); required |= 2; break;
      case 3: {
        const start = span();
        m.content = start === pos ? Buffer.alloc(0) : buf.subarray(start, pos);
        required |= 4;
        break;
      }
      case 4: m.pushText = string(); break;
      case 5: m.appData = string(); break;
      case 6: m.userId.push(string()); break;
      case 7: m.delMsgTime = int64(); break;
      case 8: m.delMsgId = string(); break;
      case 9: m.configFlag = uint32() | 0; break;
      case 10: m.clientUniqueId = int64(); break;
      case 11: m.extraContent = string(); break;
      case 12: m.pushExt = pushExtra(); break;
      case 13: m.busChannel = string(); break;
      case 22: m.optionBits = uint32() | 0; break;
      default: skip(tag & 7, 0);
    }
  }
  return required === 7 ? m : undefined;
}

/** `rc.PushExtra.decode(reader, reader.uint32(), undefined, 1)`: a length, then the fields within it. */
function pushExtra(): rc.PushExtra {
  const length = uint32();
  const end = pos + length;
  if (end > limit) throw FAIL;
  const outer = limit;
  limit = end;
  const x = new rc.PushExtra();
  while (pos < end) {
    const tag = uint32();
    switch (tag >>> 3) {
      case 1: x.title = string(); break;
      case 2: x.templateIdNoUse = uint32() | 0; break;
      case 3: x.pushId = string(); break;
      case 4: x.pushConfigs = string(); break;
      case 5: x.templateId = string(); break;
      default: skip(tag & 7, 1);
    }
  }
  if (pos !== end) throw FAIL;
  limit = outer;
  return x;
}

/** Reader#uint32 (readVarint32NearEnd within 5 bytes of the limit: at most 4 bytes). */
function uint32(): number {
  const b = buf;
  let p = pos;
  if (p >= limit) throw FAIL;
  let x = b[p++] as number;
  let value = x & 127;
  const near = limit - p < 4;
  for (let shift = 7; x >= 128; shift += 7) {
    if (near && (shift === 28 || p >= limit)) throw FAIL;
    x = b[p++] as number;
    value = shift < 28 ? value | ((x & 127) << shift) : (value | ((x & 15) << 28)) >>> 0;
    // After a 5th byte with its high bit set, five more are skipped unread (protobufjs checks only that they exist).
    if (shift === 28 && x >= 128 && (p += 5) > limit) throw FAIL;
    if (shift === 28) break;
  }
  pos = p;
  return value;
}

/** Reader#int64 with util.Long unset: readLongVarint, then LongBits#toNumber(false). */
function int64(): number {
  const b = buf;
  let p = pos;
  let lo = 0;
  let hi = 0;
  let x = 128;
  const fast = limit - p > 4;
  for (let i = 0; i < (fast ? 4 : 3) && x >= 128; i++) {
    if (p >= limit) throw FAIL;
    x = b[p++] as number;
    lo = (lo | ((x & 127) << (i * 7))) >>> 0;
  }
  if (x >= 128 && !fast) {
    // The 4th byte is read unchecked, past the end as 0 (`undefined & 127`), its high bit ignored.
    lo = (lo | (((p < b.length ? (b[p] as number) : 0) & 127) << 21)) >>> 0;
    x = 0;
    p++;
  }
  if (x >= 128) {
    x = b[p++] as number;
    lo = (lo | ((x & 127) << 28)) >>> 0;
    hi = (x & 127) >> 4;
    for (let i = 0; i < 5 && x >= 128; i++) {
      if (p >= limit) throw FAIL;
      x = b[p++] as number;
      hi = (hi | ((x & 127) << (i * 7 + 3))) >>> 0;
    }
    if (x >= 128) throw FAIL;
  }
  pos = p;
  if (hi >>> 31) {
    const negLo = (~lo + 1) >>> 0;
    const negHi = negLo ? ~hi >>> 0 : (~hi + 1) >>> 0;
    return -(negLo + negHi * 4294967296);
  }
  return lo + hi * 4294967296;
}

/** A length-delimited field (Reader#bytes's checks): its start; `pos` is left at its end. */
function span(): number {
  const length = uint32();
  const start = pos;
  if (start + length > limit) throw FAIL;
  pos = start + length;
  return start;
}

function string(): string {
  return text(buf, span(), pos); // `pos` read after span() moved it to the end
}

/** Reader#skipType. */
function skip(wireType: number, depth: number): void {
  if (depth > RECURSION_LIMIT) throw FAIL;
  let length = 0;
  switch (wireType) {
    case 0:
      do if (pos >= limit) throw FAIL;
      while ((buf[pos++] as number) & 128);
      return;
    case 1: length = 8; break;
    case 2: length = uint32(); break;
    case 3:
      for (let inner = uint32() & 7; inner !== 4; inner = uint32() & 7) skip(inner, depth + 1);
      return;
    case 5: length = 4; break;
    default: throw FAIL;
  }
  if (pos + length > limit) throw FAIL;
  pos += length;
}

// `classname` repeats ('RC:TxtMsg'…): the last few names' bytes and strings, compared before decoding.
const NAME_SLOTS = 4;
const NAME_MAX = 64;
const nameBytes = new Uint8Array(NAME_SLOTS * NAME_MAX);
const nameLengths = [-1, -1, -1, -1];
const nameStrings = ['', '', '', ''];
let nextSlot = 0;

function className(): string {
  const start = span();
  const b = buf;
  const length = pos - start;
  if (length > NAME_MAX) return text(b, start, pos);
  for (let slot = 0; slot < NAME_SLOTS; slot++) {
    if (nameLengths[slot] !== length) continue;
    const at = slot * NAME_MAX;
    let i = 0;
    while (i < length && nameBytes[at + i] === b[start + i]) i++;
    if (i === length) return nameStrings[slot] as string;
  }
  const slot = nextSlot;
  nextSlot = (slot + 1) % NAME_SLOTS;
  nameBytes.set(b.subarray(start, pos), slot * NAME_MAX);
  nameLengths[slot] = length;
  return (nameStrings[slot] = text(b, start, pos));
}

/** @protobufjs/utf8 `read` of `b[start, end)`: an ASCII run as is, the rest by `lenient`. */
function text(b: Uint8Array, start: number, end: number): string {
  let i = start;
  while (i < end && (b[i] as number) < 0x80) i++;
  const ascii = i === start ? '' : asciiText(b, start, i);
  return i === end ? ascii : ascii + lenient(b, i, end);
}

/** Up to a dozen characters concatenated (V8 keeps them flat), longer runs through String.fromCharCode.apply. */
function asciiText(b: Uint8Array, start: number, end: number): string {
  let s = '';
  if (end - start <= 12) {
    for (let i = start; i < end; i++) s += String.fromCharCode(b[i] as number);
    return s;
  }
  for (let from = start; from < end; from += CHUNK) {
    s += String.fromCharCode.apply(null, b.subarray(from, Math.min(from + CHUNK, end)) as unknown as number[]);
  }
  return s;
}

/** @protobufjs/utf8 `read`, byte for byte; a byte at or past `end` reads as 0, as past its subarray. */
function lenient(b: Uint8Array, start: number, end: number): string {
  const units: number[] = [];
  let out = '';
  while (start < end) {
    const t = b[start++] as number;
    if (t <= 0x7f) {
      units.push(t);
    } else if (t >= 0xc0 && t < 0xe0) {
      const c2 = ((t & 0x1f) << 6) | (at(b, start++, end) & 0x3f);
      units.push(c2 >= 0x80 ? c2 : REPLACEMENT);
    } else if (t >= 0xe0 && t < 0xf0) {
      const c3 = ((t & 0xf) << 12) | ((at(b, start++, end) & 0x3f) << 6) | (at(b, start++, end) & 0x3f);
      units.push(c3 >= 0x800 ? c3 : REPLACEMENT);
    } else if (t >= 0xf0) {
      let c4 = ((t & 7) << 18) | ((at(b, start++, end) & 0x3f) << 12) | ((at(b, start++, end) & 0x3f) << 6) | (at(b, start++, end) & 0x3f);
      if (c4 < 0x10000 || c4 > 0x10ffff) {
        units.push(REPLACEMENT);
      } else {
        c4 -= 0x10000;
        units.push(0xd800 + (c4 >> 10), 0xdc00 + (c4 & 0x3ff));
      }
    } // 0x80 – 0xbf, a continuation byte without a lead: dropped.
    if (units.length >= CHUNK) {
      out += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode.apply(null, units);
}

function at(b: Uint8Array, i: number, end: number): number {
  return i < end ? (b[i] as number) : 0;
}
