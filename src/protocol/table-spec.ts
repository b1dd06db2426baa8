/**
 * The table codec's field specs (./table-codec.ts has the contract): wire kinds and rules as small
 * integers, and one lazily built spec per message type with its field map by number and a
 * constructor whose prototype holds the proto2 defaults.
 */
import { ProtocolError } from './protocol-error';
import { RC_ENUMS, RC_MESSAGES, isEnumName } from './schema';
import type { RcMessageName } from './schema';

export const INT32 = 0;
export const INT64 = 1;
export const BOOL = 2;
export const STRING = 3;
export const BYTES = 4;
export const MESSAGE = 5;

export const OPTIONAL = 0;
export const REQUIRED = 1;
export const REPEATED = 2;

const KINDS: Readonly<Record<string, number>> = { int32: INT32, int64: INT64, bool: BOOL, string: STRING, bytes: BYTES };
const RULES: Readonly<Record<string, number>> = { optional: OPTIONAL, required: REQUIRED, repeated: REPEATED };
/** Groups never occur on this wire; the bound only keeps hostile nesting from exhausting the stack. */
export const MAX_DEPTH = 64;
export const EMPTY = new Uint8Array(0);
export const NO_ITEMS: readonly unknown[] = Object.freeze([]);

export type Obj = Record<string, unknown>;

export interface FieldSpec {
  readonly name: string;
  readonly kind: number;
  readonly rule: number;
  /** Expected wire type: 0 varint, 2 length-delimited. */
  readonly wire: number;
  readonly tag: number;
  /** Sub-message spec (kind MESSAGE), resolved on first use so specs build lazily per type. */
  readonly type: RcMessageName | undefined;
}

export interface MessageSpec {
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
export function specOf(name: RcMessageName): MessageSpec {
  let spec = specs.get(name);
  if (spec === undefined) {
    spec = buildSpec(name);
    specs.set(name, spec);
  }
  return spec;
}

export function fail(why: string): never {
  throw new ProtocolError('protobuf', why);
}
