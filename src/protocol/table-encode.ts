/** Encoding half of the table codec (contract in ./table-codec.ts). Not reentrant: module-level output buffer. */
import { ProtocolError } from './protocol-error';
import { decodeBase64 } from '../codec/base64';
import { BOOL, BYTES, EMPTY, INT32, INT64, MAX_DEPTH, REPEATED, REQUIRED, STRING, fail, specOf } from './table-spec';
import type { FieldSpec, MessageSpec, Obj } from './table-spec';
import type { RcMessageName } from './schema';

let out = new Uint8Array(1024);
let at = 0;

function ensure(n: number): void {
  if (at + n <= out.length) return;
  let size = out.length * 2;
  while (size < at + n) size *= 2;
  const grown = new Uint8Array(size);
  grown.set(out.subarray(0, at));
  out = grown;
}

function writeVarint32(v: number): void {
  ensure(5);
  const buf = out;
  while (v > 127) {
    buf[at++] = (v & 127) | 128;
    v >>>= 7;
  }
  buf[at++] = v;
}

function writeVarint64(lo: number, hi: number): void {
  ensure(10);
  const buf = out;
  while (hi !== 0) {
    buf[at++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  while (lo > 127) {
    buf[at++] = (lo & 127) | 128;
    lo >>>= 7;
  }
  buf[at++] = lo;
}

/** protobufjs's LongBits.fromNumber, written out: two's complement of trunc(|n|) in hi/lo. */
function writeNumber64(n: number): void {
  if (n === 0) {
    ensure(1);
    out[at++] = 0;
    return;
  }
  const negative = n < 0;
  if (negative) n = -n;
  let lo = n >>> 0;
  let hi = ((n - lo) / 4294967296) >>> 0;
  if (negative) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
    if (++lo > 4294967295) {
      lo = 0;
      if (++hi > 4294967295) hi = 0;
    }
  }
  writeVarint64(lo, hi);
}

function writeInt32(v: unknown): void {
  const n = typeof v === 'number' ? v : Number(v);
  if (n < 0) writeNumber64(n);
  else writeVarint32(n >>> 0);
}

function writeInt64(v: unknown, name: string): void {
  if (typeof v === 'number') writeNumber64(v);
  else if (typeof v === 'string') writeNumber64(parseInt(v, 10));
  else if (typeof v === 'object' && v !== null) {
    // A Long-like {low, high} (what protobufjs accepts too).
    const { low, high } = v as { low?: unknown; high?: unknown };
    writeVarint64(Number(low) >>> 0, Number(high) >>> 0);
  } else if (v === undefined || v === null) fail(`${name}: missing int64 value`);
  else writeVarint32(0);
}

function writeString(s: unknown, name: string): void {
  if (typeof s !== 'string') return fail(`${name}: expected a string, got ${s === null ? 'null' : typeof s}`);
  const n = s.length;
  let i = 0;
  while (i < n && s.charCodeAt(i) < 128) i++;
  if (i === n) {
    writeVarint32(n);
    ensure(n);
    const buf = out;
    for (let j = 0; j < n; j++) buf[at++] = s.charCodeAt(j);
    return;
  }
  let length = i;
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 128) length += 1;
    else if (c < 2048) length += 2;
    else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(j + 1) & 0xfc00) === 0xdc00) {
      length += 4;
      j++;
    } else length += 3;
  }
  writeVarint32(length);
  ensure(length);
  const buf = out;
  for (let j = 0; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 128) buf[at++] = c;
    else if (c < 2048) {
      buf[at++] = (c >> 6) | 192;
      buf[at++] = (c & 63) | 128;
    } else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(j + 1) & 0xfc00) === 0xdc00) {
      const cp = 0x10000 + ((c & 0x03ff) << 10) + (s.charCodeAt(++j) & 0x03ff);
      buf[at++] = (cp >> 18) | 240;
      buf[at++] = ((cp >> 12) & 63) | 128;
      buf[at++] = ((cp >> 6) & 63) | 128;
      buf[at++] = (cp & 63) | 128;
    } else {
      buf[at++] = (c >> 12) | 224;
      buf[at++] = ((c >> 6) & 63) | 128;
      buf[at++] = (c & 63) | 128;
    }
  }
}

function writeBytes(v: unknown, name: string): void {
  let bytes: ArrayLike<number>;
  if (v instanceof Uint8Array || Array.isArray(v)) bytes = v as ArrayLike<number>;
  else if (typeof v === 'string') bytes = v.length === 0 ? EMPTY : decodeBase64(v);
  else return fail(`${name}: expected bytes, got ${v === null ? 'null' : typeof v}`);
  const n = bytes.length;
  writeVarint32(n);
  ensure(n);
  out.set(bytes, at);
  at += n;
}

function writeMessage(spec: MessageSpec, message: unknown, depth: number): void {
  if (typeof message !== 'object' || message === null) return fail(`${spec.name}: expected a message object`);
  if (depth >= MAX_DEPTH) fail('messages nested too deep');
  // Reserve one length byte; the rare body of 128+ bytes shifts right to make room.
  const lengthAt = at;
  ensure(1);
  at++;
  writeFields(spec, message as Obj, depth + 1);
  const length = at - lengthAt - 1;
  if (length < 128) {
    out[lengthAt] = length;
    return;
  }
  let extra = 0;
  for (let v = length >>> 7; v > 0; v >>>= 7) extra++;
  ensure(extra);
  out.copyWithin(lengthAt + 1 + extra, lengthAt + 1, at);
  const end = at + extra;
  at = lengthAt;
  writeVarint32(length);
  at = end;
}

function writeValue(field: FieldSpec, value: unknown, depth: number): void {
  writeVarint32(field.tag);
  switch (field.kind) {
    case INT32:
      writeInt32(value);
      return;
    case INT64:
      writeInt64(value, field.name);
      return;
    case BOOL:
      ensure(1);
      out[at++] = value ? 1 : 0;
      return;
    case STRING:
      writeString(value, field.name);
      return;
    case BYTES:
      writeBytes(value, field.name);
      return;
    default:
      writeMessage(specOf(field.type as RcMessageName), value, depth);
  }
}

function writeFields(spec: MessageSpec, message: Obj, depth: number): void {
  const fields = spec.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as FieldSpec;
    const value = message[field.name];
    if (field.rule === REPEATED) {
      if (value === null || value === undefined) continue;
      if (!Array.isArray(value)) fail(`${spec.name}.${field.name}: expected an array`);
      for (let j = 0; j < value.length; j++) writeValue(field, value[j], depth);
    } else if (field.rule === REQUIRED) {
      writeValue(field, value, depth);
    } else if (value !== null && value !== undefined && Object.prototype.hasOwnProperty.call(message, field.name)) {
      writeValue(field, value, depth);
    }
  }
}

/** Encodes a plain object (or a decoded instance) as message `name`; errors are ProtocolError('protobuf'). */
export function encodeTable(name: RcMessageName, message: object): Uint8Array {
  at = 0;
  try {
    const spec = specOf(name);
    if (typeof message !== 'object' || message === null) fail('expected a message object');
    writeFields(spec, message as Obj, 0);
    return out.slice(0, at);
  } catch (err) {
    if (err instanceof ProtocolError) throw new ProtocolError('protobuf', `encode ${name}: ${err.message}`);
    throw new ProtocolError('protobuf', `encode ${name}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    if (out.length > 1 << 20) out = new Uint8Array(1024);
  }
}
