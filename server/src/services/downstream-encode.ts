/**
 * `DownStreamMessage` and `DownStreamMessages` (PROTOCOL.md §7.2, §8) encoded without protobufjs's writer:
 * every delivery and every pull page is one of them, and the generic writer builds a list of operations
 * and a buffer per message (bench/analysis/p1-private.md Round 23).
 *
 * The output is byte-identical to `rc.DownStreamMessage.encode(m).finish()` (same field order, the same
 * presence rule `m.f != null && own property`, the same varints). Only the shapes the server produces take
 * this path: strings that are all ASCII (ids, object names, uids — and most texts), `content` as bytes,
 * integers that are safe and not negative, no `pushExt`. Anything else — a non-ASCII string, whose bytes
 * protobufjs writes in two ways depending on its length for lone surrogates, a negative or fractional
 * number, a missing required field — is handed to protobufjs whole, which produces what it always did
 * (or throws ProtocolError('protobuf') through `encodeMessage`). Checked against protobufjs by
 * server/test/unit/services/downstream-encode.test.ts on random messages of both kinds.
 */
import { rc, encodeMessage } from './wire';
import { outgoingBytes } from '../byte-slab';

type Message = rc.IDownStreamMessage;
type Page = rc.IDownStreamMessages;

const hasOwn = Object.prototype.hasOwnProperty;
/** Returned by a writer when a value is outside the fast path. */
const SLOW = -1;

/** protobufjs's presence rule for an optional field whose value is `value`: set, and not inherited. */
function isSet(value: unknown, m: object, key: string): boolean {
  return value != null && hasOwn.call(m, key);
}

function isInt32(value: unknown): value is number {
  // protobufjs writes `value | 0`: from 2^31 on, a negative number's ten bytes.
  return typeof value === 'number' && value >= 0 && value <= 0x7fffffff && value % 1 === 0;
}

function isInt53(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER && value % 1 === 0;
}

function varint(b: Uint8Array, pos: number, value: number): number {
  if (value <= 0xffffffff) {
    while (value > 0x7f) {
      b[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
  } else {
    // Above 2^32 the bit operators would truncate: 7-bit groups by division (exact below 2^53).
    while (value > 0x7f) {
      b[pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
  }
  b[pos++] = value;
  return pos;
}

/** Tag (one or two bytes), length and the characters of an all-ASCII string; SLOW for anything else. */
function ascii(b: Uint8Array, pos: number, tag: number, value: unknown): number {
  if (typeof value !== 'string') return SLOW;
  pos = varint(b, pos, tag);
  pos = varint(b, pos, value.length);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f) return SLOW;
    b[pos++] = c;
  }
  return pos;
}

function int32Field(b: Uint8Array, pos: number, tag: number, value: unknown): number {
  if (!isInt32(value)) return SLOW;
  b[pos++] = tag;
  return varint(b, pos, value);
}

function int53Field(b: Uint8Array, pos: number, tag: number, value: unknown): number {
  if (!isInt53(value)) return SLOW;
  b[pos++] = tag;
  return varint(b, pos, value);
}

function stringLength(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

/** An upper bound of a message's bytes on the fast path (ASCII strings: one byte per character). */
function bound(m: Message): number {
  return (
    (m.content instanceof Uint8Array ? m.content.length : 0) +
    stringLength(m.fromUserId) +
    stringLength(m.groupId) +
    stringLength(m.classname) +
    stringLength(m.msgId) +
    stringLength(m.source) +
    stringLength(m.extraContent) +
    stringLength(m.pushContent) +
    // The 9 numbers with their tags (at most 67 bytes), the 8 tags and length prefixes of strings and content (55).
    122
  );
}

/** Writes one message body at `pos` (room checked by the caller); the end, or SLOW. */
function writeMessage(b: Uint8Array, pos: number, m: Message): number {
  const { content } = m;
  if (!(content instanceof Uint8Array)) return SLOW;
  // Required fields are written whatever their value (protobufjs throws on a missing string: SLOW).
  if ((pos = ascii(b, pos, 10, m.fromUserId)) < 0) return SLOW;
  if ((pos = int32Field(b, pos, 16, m.type)) < 0) return SLOW;
  if (isSet(m.groupId, m, 'groupId') && (pos = ascii(b, pos, 26, m.groupId)) < 0) return SLOW;
  if ((pos = ascii(b, pos, 34, m.classname)) < 0) return SLOW;
  b[pos++] = 42;
  pos = varint(b, pos, content.length);
  b.set(content, pos);
  pos += content.length;
  if ((pos = int53Field(b, pos, 48, m.dataTime)) < 0) return SLOW;
  if ((pos = int53Field(b, pos, 56, m.status)) < 0) return SLOW;
  if (isSet(m.extra, m, 'extra') && (pos = int53Field(b, pos, 64, m.extra)) < 0) return SLOW;
  if (isSet(m.msgId, m, 'msgId') && (pos = ascii(b, pos, 74, m.msgId)) < 0) return SLOW;
  if (isSet(m.direction, m, 'direction') && (pos = int32Field(b, pos, 80, m.direction)) < 0) return SLOW;
  if (isSet(m.plantform, m, 'plantform') && (pos = int32Field(b, pos, 88, m.plantform)) < 0) return SLOW;
  if (isSet(m.isRemoved, m, 'isRemoved') && (pos = int32Field(b, pos, 96, m.isRemoved)) < 0) return SLOW;
  if (isSet(m.source, m, 'source') && (pos = ascii(b, pos, 106, m.source)) < 0) return SLOW;
  if (isSet(m.clientUniqueId, m, 'clientUniqueId') && (pos = int53Field(b, pos, 112, m.clientUniqueId)) < 0) return SLOW;
  if (isSet(m.extraContent, m, 'extraContent') && (pos = ascii(b, pos, 122, m.extraContent)) < 0) return SLOW;
  if (isSet(m.pushContent, m, 'pushContent') && (pos = ascii(b, pos, 130, m.pushContent)) < 0) return SLOW;
  if (isSet(m.configFlag, m, 'configFlag')) {
    if (!isInt32(m.configFlag)) return SLOW;
    pos = varint(b, varint(b, pos, 136), m.configFlag);
  }
  if (isSet(m.pushExt, m, 'pushExt')) return SLOW;
  return pos;
}

/** `rc.DownStreamMessage.encode(m).finish()` as a plain Uint8Array. */
export function encodeDownStream(m: Message): Uint8Array {
  // Written straight into the slab; a message that leaves the fast path leaves the slab as it was.
  const need = bound(m);
  const b = outgoingBytes.room(need);
  const start = outgoingBytes.start(b);
  const end = writeMessage(b, start, m);
  if (end < 0) return encodeMessage(rc.DownStreamMessage, m);
  return outgoingBytes.take(b, checked(end - start, need));
}

/** `rc.DownStreamMessages.encode(page).finish()` as a plain Uint8Array. */
export function encodeDownStreams(page: Page): Uint8Array {
  const list = page.list != null && page.list.length > 0 ? page.list : undefined;
  let need = 3 * 11 + 2;
  if (list !== undefined) for (const m of list) need += bound(m) + 6;
  const b = outgoingBytes.room(need);
  const start = outgoingBytes.start(b);
  let pos = start;
  if (list !== undefined) {
    for (const m of list) {
      // The body goes one byte after the tag, then moves if its length takes more than one byte.
      const at = pos + 2;
      const end = writeMessage(b, at, m);
      if (end < 0) return encodeMessage(rc.DownStreamMessages, page);
      const length = end - at;
      b[pos] = 10;
      const lengthBytes = length < 0x80 ? 1 : length < 0x4000 ? 2 : length < 0x200000 ? 3 : 4;
      if (lengthBytes > 1) b.copyWithin(pos + 1 + lengthBytes, at, end);
      varint(b, pos + 1, length);
      pos += 1 + lengthBytes + length;
    }
  }
  if ((pos = int53Field(b, pos, 16, page.syncTime)) < 0) return encodeMessage(rc.DownStreamMessages, page);
  if (isSet(page.finished, page, 'finished')) {
    b[pos++] = 24;
    b[pos++] = page.finished ? 1 : 0;
  }
  if (isSet(page.broadcastSyncTime, page, 'broadcastSyncTime') && (pos = int53Field(b, pos, 32, page.broadcastSyncTime)) < 0) {
    return encodeMessage(rc.DownStreamMessages, page);
  }
  if (isSet(page.systemTime, page, 'systemTime') && (pos = int53Field(b, pos, 40, page.systemTime)) < 0) {
    return encodeMessage(rc.DownStreamMessages, page);
  }
  if (isSet(page.compressioEnabled, page, 'compressioEnabled')) return encodeMessage(rc.DownStreamMessages, page);
  return outgoingBytes.take(b, checked(pos - start, need));
}

/** A typed array drops writes past its end silently: a length over the bound is a layout bug, not output. */
function checked(length: number, need: number): number {
  if (length > need) throw new Error(`downstream-encode: wrote ${length} bytes, bound ${need} (layout bug)`);
  return length;
}
