/** Decoding half of the table codec (contract in ./table-codec.ts). Not reentrant: module-level cursor. */
import { ProtocolError } from './protocol-error';
import { decodeAscii, decodeUtf8 } from '../codec/utf8';
import { BOOL, EMPTY, INT32, INT64, MAX_DEPTH, MESSAGE, REPEATED, STRING, fail, specOf } from './table-spec';
import type { MessageSpec, Obj } from './table-spec';
import type { RcMessageName } from './schema';

let input: Uint8Array = EMPTY;
let pos = 0;

/** A varint's low 32 bits as an unsigned number (int32 callers apply `| 0`). */
function readVarint32(end: number): number {
  const buf = input;
  let p = pos;
  if (end - p >= 10) {
    let b = buf[p++] as number;
    let v = b & 127;
    if (b < 128) {
      pos = p;
      return v;
    }
    b = buf[p++] as number;
    v |= (b & 127) << 7;
    if (b < 128) {
      pos = p;
      return v;
    }
    b = buf[p++] as number;
    v |= (b & 127) << 14;
    if (b < 128) {
      pos = p;
      return v;
    }
    b = buf[p++] as number;
    v |= (b & 127) << 21;
    if (b < 128) {
      pos = p;
      return v >>> 0;
    }
    b = buf[p++] as number;
    v = (v | ((b & 15) << 28)) >>> 0;
    if (b < 128) {
      pos = p;
      return v;
    }
    for (let i = 0; i < 5; i++) {
      if ((buf[p++] as number) < 128) {
        pos = p;
        return v;
      }
    }
    return fail('varint longer than 10 bytes');
  }
  let v = 0;
  for (let i = 0; i < 10; i++) {
    if (p >= end) return fail('truncated varint');
    const b = buf[p++] as number;
    if (i < 5) v |= (b & 127) << (7 * i);
    if (b < 128) {
      pos = p;
      return v >>> 0;
    }
  }
  return fail('varint longer than 10 bytes');
}

/** A signed 64-bit varint as a number (exact below 2^53, like protobufjs's Long-less path). */
function readInt64(end: number): number {
  const buf = input;
  let p = pos;
  let lo = 0;
  let hi = 0;
  let i = 0;
  let b = 128;
  for (; i < 10 && b >= 128; i++) {
    if (p >= end) return fail('truncated varint');
    b = buf[p++] as number;
    if (i < 4) lo |= (b & 127) << (7 * i);
    else if (i === 4) {
      lo |= (b & 127) << 28;
      hi = (b & 127) >> 4;
    } else hi |= (b & 127) << (7 * i - 32);
  }
  if (b >= 128) return fail('varint longer than 10 bytes');
  pos = p;
  lo >>>= 0;
  hi >>>= 0;
  if (hi >>> 31) {
    const nlo = (~lo + 1) >>> 0;
    let nhi = ~hi >>> 0;
    if (nlo === 0) nhi = (nhi + 1) >>> 0;
    return -(nlo + nhi * 4294967296);
  }
  return lo + hi * 4294967296;
}

function readLength(end: number): number {
  const length = readVarint32(end);
  if (length > end - pos) return fail(`length ${length} past the end of the message`);
  return length;
}

function readBytes(end: number): Uint8Array {
  const length = readLength(end);
  const start = pos;
  pos += length;
  return length === 0 ? new Uint8Array(0) : input.subarray(start, pos);
}

/**
 * ASCII strings (ids, object names) go through `decodeAscii`, which returns flat strings: they are
 * hashed right after (dedupe Set, id Map) and a rope would be flattened there first.
 */
function readString(end: number): string {
  const length = readLength(end);
  const buf = input;
  const start = pos;
  const stop = start + length;
  pos = stop;
  for (let i = start; i < stop; i++) if ((buf[i] as number) >= 128) return decodeUtf8(buf, start, stop, { surrogates: 'keep' });
  return decodeAscii(buf, start, stop);
}

function skip(wire: number, end: number, depth: number): void {
  switch (wire) {
    case 0:
      readVarint32(end);
      return;
    case 1:
      if (end - pos < 8) fail('truncated fixed64');
      pos += 8;
      return;
    case 2: {
      const length = readLength(end);
      pos += length;
      return;
    }
    case 3:
      if (depth >= MAX_DEPTH) fail('groups nested too deep');
      for (;;) {
        if (pos >= end) fail('unterminated group');
        const tag = readVarint32(end);
        if ((tag & 7) === 4) return;
        skip(tag & 7, end, depth + 1);
      }
    case 5:
      if (end - pos < 4) fail('truncated fixed32');
      pos += 4;
      return;
    default:
      fail(`invalid wire type ${wire} at offset ${pos}`);
  }
}

function readScalar(kind: number, end: number): unknown {
  switch (kind) {
    case INT32:
      return readVarint32(end) | 0;
    case INT64:
      return readInt64(end);
    case BOOL:
      return readVarint32(end) !== 0;
    case STRING:
      return readString(end);
    default:
      return readBytes(end);
  }
}

function readMessage(spec: MessageSpec, end: number, depth: number): Obj {
  const message = new spec.create();
  const byId = spec.byId;
  while (pos < end) {
    const tag = readVarint32(end);
    const wire = tag & 7;
    const field = byId[tag >>> 3];
    if (field === undefined) {
      skip(wire, end, 0);
      continue;
    }
    const kind = field.kind;
    if (wire !== field.wire) {
      // Packed repeated varints (proto3 writers, protobufjs) are accepted; anything else is a
      // field we cannot read as declared, so it is skipped like an unknown one.
      if (wire === 2 && field.rule === REPEATED && field.wire === 0) {
        const length = readLength(end);
        const stop = pos + length;
        const list = message[field.name] as unknown[];
        while (pos < stop) list.push(readScalar(kind, stop));
        continue;
      }
      skip(wire, end, 0);
      continue;
    }
    let value: unknown;
    if (kind === MESSAGE) {
      if (depth >= MAX_DEPTH) fail('messages nested too deep');
      const length = readLength(end);
      value = readMessage(specOf(field.type as RcMessageName), pos + length, depth + 1);
    } else {
      value = readScalar(kind, end);
    }
    if (field.rule === REPEATED) (message[field.name] as unknown[]).push(value);
    else message[field.name] = value;
  }
  const required = spec.required;
  for (let i = 0; i < required.length; i++) {
    const name = required[i] as string;
    if (!Object.prototype.hasOwnProperty.call(message, name)) fail(`${spec.name}: missing required '${name}'`);
  }
  return message;
}

/**
 * Decodes `bytes` as message `name`. Failures throw ProtocolError('protobuf') whose message
 * starts with the type name.
 */
export function decodeTable(name: RcMessageName, bytes: Uint8Array): Obj {
  input = bytes;
  pos = 0;
  try {
    return readMessage(specOf(name), bytes.length, 0);
  } catch (err) {
    if (err instanceof ProtocolError) throw err.message.startsWith(`${name}: `) ? err : new ProtocolError('protobuf', `${name}: ${err.message}`);
    throw new ProtocolError('protobuf', `${name}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    input = EMPTY;
  }
}
