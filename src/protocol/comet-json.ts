/**
 * Protobuf payload ⇄ comet JSON (PROTOCOL.md §10.3/§10.4). In comet mode every payload travels as a
 * JSON object keyed by the protobuf field names: `bytes` fields are plain strings (the UTF-8 text),
 * int64 are JSON numbers, enums are numbers, nested messages are objects and repeated fields are
 * arrays. The server puts `payloadToCometJson(...)` into a signal's `data` string and turns POST
 * bodies back into protobuf bytes with `cometJsonToPayload(...)`, so both transports share one
 * binary pipeline. The SDK's comet transport does the same in the other direction.
 *
 * Driven by the generated schema table (./schema) and the table codec: no protobufjs, no eval,
 * and UTF-8 via src/codec/utf8 (no TextEncoder/TextDecoder).
 */
import { decodeUtf8, encodeUtf8 } from '../codec/utf8';
import { ProtocolError } from './protocol-error';
import { RC_MESSAGES, isEnumName, isMessageName } from './schema';
import type { RcField, RcMessageName } from './schema';
import { decodeTable, encodeTable } from './table-codec';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function fail(path: string, why: string): never {
  throw new ProtocolError('comet-json', `${path}: ${why}`);
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}

// ---------------------------------------------------------------- protobuf → JSON

function scalarToJson(type: RcField[2], value: unknown, path: string): Json {
  if (type === 'bytes') {
    if (!(value instanceof Uint8Array)) return fail(path, 'expected bytes');
    return decodeUtf8(value);
  }
  if (isMessageName(type)) {
    if (typeof value !== 'object' || value === null) return fail(path, 'expected a message');
    return messageToJson(type, value, path);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return fail(path, `unexpected ${typeof value} for ${type}`);
}

/**
 * Only own properties are emitted, so optional fields the payload did not carry stay absent.
 * Repeated fields are always emitted (as `[]` when empty): that is what the clients' protobuf
 * decoder hands them over WebSocket, so comet consumers see the same shape.
 */
function messageToJson(type: RcMessageName, message: object, path: string): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [, name, fieldType, rule] of RC_MESSAGES[type]) {
    if (!hasOwn(message, name)) continue;
    const value: unknown = Reflect.get(message, name);
    if (value === null || value === undefined) continue;
    const at = `${path}.${name}`;
    if (rule === 'repeated') {
      if (!Array.isArray(value)) return fail(at, 'expected an array');
      out[name] = value.map((item: unknown, i) => scalarToJson(fieldType, item, `${at}[${i}]`));
    } else {
      out[name] = scalarToJson(fieldType, value, at);
    }
  }
  return out;
}

/**
 * Decodes protobuf `bytes` as `typeName` and returns compact JSON text (field-number order), ready
 * to be the `data` string of a comet signal. `bytes` fields are decoded as UTF-8 leniently
 * (malformed sequences become U+FFFD; CESU-8 surrogate pairs are accepted). Throws
 * ProtocolError('protobuf') for bad bytes.
 */
export function payloadToCometJson(typeName: RcMessageName, bytes: Uint8Array): string {
  const message = decodeTable(typeName, bytes);
  return JSON.stringify(messageToJson(typeName, message, typeName));
}

// ---------------------------------------------------------------- JSON → protobuf

function toInteger(value: unknown, path: string, min: number, max: number): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'boolean') n = value ? 1 : 0;
  else if (typeof value === 'string' && value.trim() !== '') n = Number(value);
  else return fail(path, `expected an integer, got ${show(value)}`);
  if (!Number.isFinite(n)) return fail(path, `not a finite number: ${String(value)}`);
  n = Math.trunc(n);
  if (n < min || n > max) return fail(path, `out of range: ${String(value)}`);
  return n === 0 ? 0 : n; // no -0 on the wire side either
}

function toBool(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0' || value === '') return false;
  return fail(path, `expected a boolean, got ${show(value)}`);
}

function toText(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(path, `expected a string, got ${show(value)}`);
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldFromJson(type: RcField[2], value: unknown, path: string): unknown {
  switch (type) {
    case 'string':
      return toText(value, path);
    case 'bytes':
      // Content is JSON text; an app that handed over the parsed object still means that text.
      return encodeUtf8(isPlainObject(value) || Array.isArray(value) ? JSON.stringify(value) : toText(value, path));
    case 'int32':
      return toInteger(value, path, INT32_MIN, INT32_MAX);
    case 'int64':
      return toInteger(value, path, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    case 'bool':
      return toBool(value, path);
    default:
      if (isEnumName(type)) return toInteger(value, path, INT32_MIN, INT32_MAX);
      if (!isPlainObject(value)) return fail(path, `expected an object for ${type}`);
      return messageFromJson(type, value, path);
  }
}

function messageFromJson(type: RcMessageName, json: object, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [, name, fieldType, rule] of RC_MESSAGES[type]) {
    const at = `${path}.${name}`;
    const value: unknown = hasOwn(json, name) ? Reflect.get(json, name) : undefined;
    if (value === undefined || value === null) {
      if (rule === 'required') fail(at, 'missing required field');
      continue;
    }
    if (rule === 'repeated') {
      // A lone value where an array belongs is taken as a one-element list.
      const items: unknown[] = Array.isArray(value) ? value : [value];
      out[name] = items.map((item, i) => fieldFromJson(fieldType, item, `${at}[${i}]`));
    } else {
      out[name] = fieldFromJson(fieldType, value, at);
    }
  }
  return out;
}

/**
 * Encodes a comet JSON payload (text or already-parsed object) as protobuf bytes of `typeName`.
 * Lenient about value types, as JS apps pass them: numbers may be numeric strings, booleans may be
 * 0/1/"true"/"false", strings may be numbers, `bytes` take text. Unknown keys and null values are
 * ignored. Throws ProtocolError('comet-json') for invalid JSON, a missing required field or a value
 * that cannot be converted (non-numeric text for a number, integer out of range, …).
 */
export function cometJsonToPayload(typeName: RcMessageName, json: string | object): Uint8Array {
  let parsed: unknown = json;
  if (typeof json === 'string') {
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      fail(typeName, `invalid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (!isPlainObject(parsed)) return fail(typeName, 'payload must be a JSON object');
  return encodeTable(typeName, messageFromJson(typeName, parsed, typeName));
}
