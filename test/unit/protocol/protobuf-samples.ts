/**
 * Table-driven sample values for every message in the schema (from proto/gen/rc-schema.ts), plus
 * a wire-level field stripper and a normaliser, shared by the protobuf/comet tests.
 */
import { encodeUtf8 } from '../../../src/codec/utf8';
import { RC_ENUMS, RC_MESSAGES } from '../../../src/protocol/messages';
import type { RcEnumName, RcField, RcMessageName } from '../../../src/protocol/messages';

export const MESSAGE_NAMES = Object.keys(RC_MESSAGES).sort() as RcMessageName[];

/** Exact ms timestamp from PROTOCOL.md §6.5 and the largest exact integer. */
export const INT64_SAMPLES = [1795625483202, Number.MAX_SAFE_INTEGER, 0, -1, 1600000000000] as const;
export const INT32_SAMPLES = [3, -1, 2147483647, -2147483648, 0] as const;

function isEnum(type: string): type is RcEnumName {
  return Object.prototype.hasOwnProperty.call(RC_ENUMS, type);
}

function isMessage(type: string): type is RcMessageName {
  return Object.prototype.hasOwnProperty.call(RC_MESSAGES, type);
}

function pick<T>(values: readonly T[], seed: number): T {
  const v = values[seed % values.length];
  if (v === undefined) throw new Error('empty sample list');
  return v;
}

function sampleValue(type: RcField[2], seed: number, path: string): unknown {
  switch (type) {
    case 'int32':
      return pick(INT32_SAMPLES, seed);
    case 'int64':
      return pick(INT64_SAMPLES, seed);
    case 'bool':
      return seed % 2 === 0;
    case 'string':
      return `${path}#${seed} 中文 😀`;
    case 'bytes':
      return encodeUtf8(`{"content":"${path} héllo 中文 😀 #${seed}"}`);
    default:
      if (isEnum(type)) {
        const values = Object.values(RC_ENUMS[type]);
        // ChannelType 12 (RTC_ROOM) is outside the enum and must still travel as a plain number.
        return type === 'ChannelType' && seed % 3 === 2 ? 12 : pick(values, seed);
      }
      if (isMessage(type)) return sampleMessage(type, seed + 1, path);
      throw new Error(`unknown type ${type}`);
  }
}

/** Every field set (repeated fields get two items). `seed` varies the values between calls. */
export function sampleMessage(type: RcMessageName, seed = 0, path: string = type): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  RC_MESSAGES[type].forEach(([id, name, fieldType, rule], i) => {
    const s = seed + id + i;
    const at = `${path}.${name}`;
    out[name] =
      rule === 'repeated'
        ? [sampleValue(fieldType, s, `${at}[0]`), sampleValue(fieldType, s + 1, `${at}[1]`)]
        : sampleValue(fieldType, s, at);
  });
  return out;
}

/** Only the required fields set. */
export function minimalMessage(type: RcMessageName, seed = 0): Record<string, unknown> {
  const full = sampleMessage(type, seed);
  const out: Record<string, unknown> = {};
  for (const [, name, fieldType, rule] of RC_MESSAGES[type]) {
    if (rule !== 'required') continue;
    out[name] = isMessage(fieldType) ? minimalMessage(fieldType, seed) : full[name];
  }
  return out;
}

/**
 * Own, schema-declared fields as plain data (bytes → number[]; empty repeated fields dropped), for
 * comparing a decoded class instance with the object it was encoded from.
 */
export function plain(type: RcMessageName, message: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [, name, fieldType, rule] of RC_MESSAGES[type]) {
    if (!Object.prototype.hasOwnProperty.call(message, name)) continue;
    const value: unknown = Reflect.get(message, name);
    // Generated constructors give every repeated field an own empty array.
    if (rule === 'repeated' && Array.isArray(value) && value.length === 0) continue;
    const one = (v: unknown): unknown =>
      v instanceof Uint8Array ? Array.from(v) : isMessage(fieldType) && typeof v === 'object' && v !== null ? plain(fieldType, v) : v;
    out[name] = rule === 'repeated' && Array.isArray(value) ? value.map(one) : one(value);
  }
  return out;
}

function readVarint(bytes: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let p = pos; p < bytes.length; p++) {
    const b = bytes[p] ?? 0;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return [value, p + 1];
  }
  throw new Error('truncated varint in test helper');
}

/** Removes every top-level occurrence of field `fieldNumber` from well-formed protobuf bytes. */
export function stripField(bytes: Uint8Array, fieldNumber: number): Uint8Array {
  const keep: number[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(bytes, pos);
    const wire = tag % 8;
    let end: number;
    if (wire === 0) end = readVarint(bytes, afterTag)[1];
    else if (wire === 1) end = afterTag + 8;
    else if (wire === 5) end = afterTag + 4;
    else if (wire === 2) {
      const [len, afterLen] = readVarint(bytes, afterTag);
      end = afterLen + len;
    } else throw new Error(`wire type ${wire} not expected in samples`);
    if (Math.floor(tag / 8) !== fieldNumber) for (let i = start; i < end; i++) keep.push(bytes[i] ?? 0);
    pos = end;
  }
  return Uint8Array.from(keep);
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Parses "08 03 12 …" (whitespace and `|` separators allowed). */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[|\s]+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function ascii(text: string): string {
  return hex(encodeUtf8(text));
}
