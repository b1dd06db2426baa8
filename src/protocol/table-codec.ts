/**
 * Table-driven protobuf (proto2) codec for package rc: one small interpreter over the field table
 * in ./schema instead of per-message generated functions. No eval/new Function, no reflection, no
 * protobufjs or Long at run time; int64 travels as a JS number (hi/lo arithmetic, no BigInt).
 *
 * Contract (checked against the pbjs static code, the reference oracle, by
 * test/unit/protocol/table-codec-differential.test.ts):
 * - encode is byte-for-byte what pbjs writes with its portable Writer: fields in number order;
 *   required fields always written; optional fields only when an own, non-null property; repeated
 *   fields unpacked, one tag per element; strings as UTF-8 with a lone surrogate written as its own
 *   3-byte sequence (what @protobufjs/utf8 does); negative int32 as a 10-byte varint.
 *   A null/undefined required field (or repeated element) of type int32/enum/bool is written as 0,
 *   as pbjs does; of any other type it is an error. Mistyped values are errors (ProtocolError).
 * - decode returns an instance whose prototype holds the defaults ('' / 0 / false / null / empty
 *   bytes) and whose own properties are exactly the fields present, plus an own array for every
 *   repeated field; a field seen twice keeps the last value (sub-messages are replaced, not
 *   merged, as pbjs does); repeated varint fields accept packed and unpacked encodings; unknown
 *   fields, and known fields arriving with another wire type, are skipped; a missing required
 *   field, truncated input, a bad wire type or a varint longer than 10 bytes is
 *   ProtocolError('protobuf'). `bytes` fields are views into the input.
 * - Strings decode with an ASCII fast path, then src/codec/utf8 (lenient, CESU-8 pairs accepted,
 *   lone 3-byte surrogates kept as code units, like @protobufjs/utf8).
 *
 * Not reentrant by design: encode and decode run synchronously over module-level cursors (no
 * callbacks into user code happen in between), which keeps the hot loops free of allocation.
 */
import { decodeBase64 } from '../codec/base64';
import { decodeUtf8 } from '../codec/utf8';
import { ProtocolError } from './protocol-error';
import { RC_ENUMS, RC_MESSAGES, isEnumName } from './schema';
import type { RcMessageName } from './schema';

const INT32 = 0;
const INT64 = 1;
const BOOL = 2;
const STRING = 3;
const BYTES = 4;
const MESSAGE = 5;

const OPTIONAL = 0;
const REQUIRED = 1;
const REPEATED = 2;

const KINDS: Readonly<Record<string, number>> = { int32: INT32, int64: INT64, bool: BOOL, string: STRING, bytes: BYTES };
const RULES: Readonly<Record<string, number>> = { optional: OPTIONAL, required: REQUIRED, repeated: REPEATED };
/** Groups never occur on this wire; the bound only keeps hostile nesting from exhausting the stack. */
const MAX_DEPTH = 64;
const EMPTY = new Uint8Array(0);
const NO_ITEMS: readonly unknown[] = Object.freeze([]);

type Obj = Record<string, unknown>;

interface FieldSpec {
  readonly name: string;
  readonly kind: number;
  readonly rule: number;
  /** Expected wire type: 0 varint, 2 length-delimited. */
  readonly wire: number;
  readonly tag: number;
  /** Sub-message spec (kind MESSAGE), resolved on first use so specs build lazily per type. */
  readonly type: RcMessageName | undefined;
}

interface MessageSpec {
  readonly name: RcMessageName;
  readonly fields: readonly FieldSpec[];
  /** Field spec by field number (field numbers here are small: ≤ 22). */
  readonly byId: readonly (FieldSpec | undefined)[];
  readonly required: readonly string[];
  readonly create: new () => Obj;
}

const specs = new Map<string, MessageSpec>();

function defaultOf(kind: number, rule: number, type: string): unknown {
  if (rule === REPEATED) return NO_ITEMS;
  // proto2: an enum field defaults to the enum's first declared value (pbjs does the same).
  if (isEnumName(type)) {
    for (const key in RC_ENUMS[type]) return RC_ENUMS[type][key];
  }
  return kind === STRING ? '' : kind === BOOL ? false : kind === BYTES ? EMPTY : kind === MESSAGE ? null : 0;
}

function buildSpec(name: RcMessageName): MessageSpec {
  const fields: FieldSpec[] = [];
  const byId: (FieldSpec | undefined)[] = [];
  const required: string[] = [];
  const repeated: string[] = [];
  const proto: Obj = {};
  for (const [id, fieldName, type, ruleName] of RC_MESSAGES[name]) {
    const known = KINDS[type];
    const kind = known ?? (isEnumName(type) ? INT32 : MESSAGE);
    const rule = RULES[ruleName] ?? OPTIONAL;
    const wire = kind === STRING || kind === BYTES || kind === MESSAGE ? 2 : 0;
    const field: FieldSpec = { name: fieldName, kind, rule, wire, tag: ((id << 3) | wire) >>> 0, type: kind === MESSAGE ? (type as RcMessageName) : undefined };
    fields.push(field);
    byId[id] = field;
    if (rule === REQUIRED) required.push(fieldName);
    if (rule === REPEATED) repeated.push(fieldName);
    proto[fieldName] = defaultOf(kind, rule, type);
  }
  // A constructor per type (a closure, not generated code) so instances share one hidden class
  // and read absent fields from the prototype, exactly like the pbjs classes.
  const create = function (this: Obj): void {
    for (let i = 0; i < repeated.length; i++) this[repeated[i] as string] = [];
  } as unknown as new () => Obj;
  create.prototype = proto;
  return { name, fields, byId, required, create };
}

/** The spec of `name`, built on first use. */
function specOf(name: RcMessageName): MessageSpec {
  let spec = specs.get(name);
  if (spec === undefined) {
    spec = buildSpec(name);
    specs.set(name, spec);
  }
  return spec;
}

function fail(why: string): never {
  throw new ProtocolError('protobuf', why);
}

// ---------------------------------------------------------------- decode

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

/** Below this length a char-by-char concatenation beats building an argument list. */
const SHORT_STRING = 24;
const CHUNK = 4096;

function readString(end: number): string {
  const length = readLength(end);
  const buf = input;
  const start = pos;
  const stop = start + length;
  pos = stop;
  if (length <= SHORT_STRING) {
    let s = '';
    for (let i = start; i < stop; i++) {
      const c = buf[i] as number;
      if (c >= 128) return decodeUtf8(buf, start, stop, { surrogates: 'keep' });
      s += String.fromCharCode(c);
    }
    return s;
  }
  for (let i = start; i < stop; i++) if ((buf[i] as number) >= 128) return decodeUtf8(buf, start, stop, { surrogates: 'keep' });
  if (length <= CHUNK) return String.fromCharCode.apply(null, buf.subarray(start, stop) as unknown as number[]);
  let s = '';
  for (let i = start; i < stop; i += CHUNK) s += String.fromCharCode.apply(null, buf.subarray(i, Math.min(i + CHUNK, stop)) as unknown as number[]);
  return s;
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

// ---------------------------------------------------------------- encode

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
