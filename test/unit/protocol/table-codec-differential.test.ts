/**
 * Differential test: the table codec (src/protocol/table-codec.ts, what the SDK runs) against the
 * pbjs static code (proto/gen/rc.js, the reference oracle) for every message type of the schema.
 *
 * - encode(table) === encode(pbjs) byte for byte, pbjs using its portable Writer (what browsers and
 *   mini-programs run; on Node pbjs switches to a Buffer writer that writes a lone surrogate in a
 *   string of 40+ UTF-16 units as U+FFFD, a host difference the table codec does not copy);
 * - both decoders agree on those bytes (own fields, values, prototype defaults), also with unknown
 *   fields mixed in and with packed encodings of repeated varint fields;
 * - both reject a payload without a required field;
 * - strings: ASCII, BMP, astral and lone surrogates, as pbjs writes and reads them.
 */
import fc from 'fast-check';
import { ProtocolError } from '../../../src/protocol/protocol-error';
import { RC_MESSAGES, decodeMessage, messageCodec } from '../../../src/protocol/messages';
import type { RcField, RcMessageName } from '../../../src/protocol/messages';
import { isEnumName } from '../../../src/protocol/schema';
import { decodeTable, encodeTable } from '../../../src/protocol/table-codec';
import { portableWriter, rc } from '../../../src/protocol/pbjs-reference';
import { MESSAGE_NAMES, stripField } from './protobuf-samples';

interface PbjsClass {
  encode(message: object, writer?: ReturnType<typeof portableWriter>): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
}

function pbjs(name: RcMessageName): PbjsClass {
  return rc[name] as unknown as PbjsClass;
}

function pbjsEncode(name: RcMessageName, message: object): Uint8Array {
  const out = pbjs(name).encode(message, portableWriter()).finish();
  return Uint8Array.from(out);
}

function pbjsDecode(name: RcMessageName, bytes: Uint8Array): object {
  return decodeMessage(pbjs(name), bytes, name);
}

// ------------------------------------------------------------------ arbitraries from the schema

/** Any UTF-16 code unit, so lone surrogates and halves of pairs occur. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const text = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: codeUnit, maxLength: 12 }),
  fc.string({ unit: 'binary-ascii', minLength: 100, maxLength: 300 }),
  fc.constantFrom('', '中文', '😀', 'a\uD800b', '\uDC00', '\uD83D', 'x'.repeat(200) + '😀'),
);
const int32 = fc.oneof(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.constantFrom(0, -1, 127, 128, 0x7fffffff, -0x80000000));
const int64 = fc.oneof(
  fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: 1500000000000, max: 2500000000000 }),
  fc.constantFrom(0, -1, 1, 2 ** 32, 2 ** 32 - 1, -(2 ** 32), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
);
const bytes = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 128, maxLength: 300 }));

const cache = new Map<RcMessageName, fc.Arbitrary<Record<string, unknown>>>();

function valueArb(type: RcField[2]): fc.Arbitrary<unknown> {
  switch (type) {
    case 'int32':
      return int32;
    case 'int64':
      return int64;
    case 'bool':
      return fc.boolean();
    case 'string':
      return text;
    case 'bytes':
      return bytes;
    default:
      return isEnumName(type) ? int32 : fc.constant(null).chain(() => messageArb(type));
  }
}

function messageArb(name: RcMessageName): fc.Arbitrary<Record<string, unknown>> {
  const known = cache.get(name);
  if (known !== undefined) return known;
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const requiredKeys: string[] = [];
  for (const [, field, type, rule] of RC_MESSAGES[name]) {
    model[field] = rule === 'repeated' ? fc.array(valueArb(type), { maxLength: 3 }) : valueArb(type);
    if (rule === 'required') requiredKeys.push(field);
  }
  const arb = fc.record(model, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
  cache.set(name, arb);
  return arb;
}

// ------------------------------------------------------------------ comparison

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  return Object.is(a, b) || (a === 0 && b === 0);
}

/** Both decoded instances: same own fields, same values, same defaults for absent fields. */
function expectSameDecoded(name: RcMessageName, table: object, oracle: object, path: string = name): void {
  const t = table as Record<string, unknown>;
  const o = oracle as Record<string, unknown>;
  for (const [, field, type, rule] of RC_MESSAGES[name]) {
    const at = `${path}.${field}`;
    expect([at, Object.prototype.hasOwnProperty.call(t, field)]).toEqual([at, Object.prototype.hasOwnProperty.call(o, field)]);
    const tv = t[field];
    const ov = o[field];
    const nested = !isEnumName(type) && !['int32', 'int64', 'bool', 'string', 'bytes'].includes(type);
    if (rule === 'repeated') {
      const tl = tv as unknown[];
      const ol = ov as unknown[];
      expect([at, tl.length]).toEqual([at, ol.length]);
      tl.forEach((item, i) => {
        if (nested) expectSameDecoded(type as RcMessageName, item as object, ol[i] as object, `${at}[${i}]`);
        else if (!same(item, ol[i])) expect([at, i, item]).toEqual([at, i, ol[i]]);
      });
    } else if (nested && tv !== null && ov !== null) {
      expectSameDecoded(type as RcMessageName, tv as object, ov as object, at);
    } else if (!same(tv, ov)) {
      expect([at, tv]).toEqual([at, ov]);
    }
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

// ------------------------------------------------------------------ wire helpers for the variants

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** Unknown fields (numbers above every schema field) of every skippable wire type. */
const unknownFields = fc.array(
  fc.oneof(
    fc.tuple(fc.integer({ min: 23, max: 500 }), fc.integer({ min: 0, max: 2 ** 31 })).map(([id, v]) => [...varint(id * 8), ...varint(v)]),
    fc.tuple(fc.integer({ min: 23, max: 500 }), fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([id, v]) => [...varint(id * 8 + 1), ...v]),
    fc.tuple(fc.integer({ min: 23, max: 500 }), fc.uint8Array({ maxLength: 20 })).map(([id, v]) => [...varint(id * 8 + 2), ...varint(v.length), ...v]),
    fc.tuple(fc.integer({ min: 23, max: 500 }), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([id, v]) => [...varint(id * 8 + 5), ...v]),
    fc.integer({ min: 23, max: 500 }).map((id) => [...varint(id * 8 + 3), 0x08, 0x01, ...varint(id * 8 + 4)]),
  ),
  { maxLength: 4 },
);

// ------------------------------------------------------------------ properties

const RUNS = 25;

describe.each(MESSAGE_NAMES)('%s: table codec vs pbjs', (name) => {
  it('encodes byte for byte like pbjs, and both decoders agree (also after re-encoding)', () => {
    fc.assert(
      fc.property(messageArb(name), (message) => {
        const table = encodeTable(name, message);
        const oracle = pbjsEncode(name, message);
        expect(hex(table)).toBe(hex(oracle));
        const decoded = decodeTable(name, table);
        expectSameDecoded(name, decoded, pbjsDecode(name, oracle));
        expect(hex(encodeTable(name, decoded))).toBe(hex(pbjsEncode(name, pbjsDecode(name, oracle))));
      }),
      { numRuns: RUNS },
    );
  });

  it('skips unknown fields placed before and after the known ones, like pbjs', () => {
    fc.assert(
      fc.property(messageArb(name), unknownFields, unknownFields, (message, before, after) => {
        const body = encodeTable(name, message);
        const mixed = Uint8Array.from([...before.flat(), ...body, ...after.flat()]);
        expectSameDecoded(name, decodeTable(name, mixed), pbjsDecode(name, mixed));
      }),
      { numRuns: RUNS },
    );
  });

  const required = RC_MESSAGES[name].filter((f) => f[3] === 'required');
  if (required.length > 0) {
    it('rejects a payload without a required field, like pbjs', () => {
      fc.assert(
        fc.property(messageArb(name), fc.constantFrom(...required), (message, [id, field]) => {
          const bytes = stripField(encodeTable(name, message), id);
          expect(() => pbjsDecode(name, bytes)).toThrow(ProtocolError);
          let caught: unknown;
          try {
            decodeTable(name, bytes);
          } catch (err) {
            caught = err;
          }
          expect(caught).toBeInstanceOf(ProtocolError);
          expect((caught as ProtocolError).code).toBe('protobuf');
          expect((caught as ProtocolError).message).toContain(`missing required '${field}'`);
        }),
        { numRuns: 5 },
      );
    });
  }
});

describe('repeated varint fields: packed and unpacked', () => {
  const cases = MESSAGE_NAMES.flatMap((name) =>
    RC_MESSAGES[name]
      .filter(([, , type, rule]) => rule === 'repeated' && (type === 'int32' || type === 'int64' || type === 'bool' || isEnumName(type)))
      .map((f) => [name, f] as const),
  );

  it('the schema has repeated varint fields to test', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map(([name, f]) => [`${name}.${f[1]}`, name, f] as const))('%s decodes packed like pbjs', (_label, name, [id, field, type]) => {
    const element: fc.Arbitrary<number | boolean> = type === 'bool' ? fc.boolean() : type === 'int64' ? int64 : int32;
    const values = fc.sample(element, 6);
    const base = encodeTable(name, fc.sample(messageArb(name), { numRuns: 1, seed: id })[0] ?? {});
    const stripped = stripField(base, id);
    const body: number[] = [];
    for (const v of values) {
      // Reuse the codec for each element's varint: encode a one-element message and drop the tag.
      const one = encodeTable(name, { ...decodeTable(name, stripped), [field]: [v] });
      const own = one.subarray(stripped.length);
      body.push(...own.subarray(varint(id * 8).length));
    }
    const packed = Uint8Array.from([...stripped, ...varint(id * 8 + 2), ...varint(body.length), ...body]);
    const table = decodeTable(name, packed);
    expectSameDecoded(name, table, pbjsDecode(name, packed));
    expect((table as Record<string, unknown>)[field]).toHaveLength(values.length);
  });
});

describe('strings as pbjs writes and reads them', () => {
  it.each([
    ['ascii', 'hello'],
    ['BMP', '中文 ü'],
    ['astral', '😀 𠀋'],
    ['lone high surrogate', 'a\uD800b'],
    ['lone low surrogate', '\uDC00'],
    ['reversed pair', '\uDC00\uD800'],
    ['long ASCII', 'x'.repeat(5000)],
    ['long mixed', 'é'.repeat(3000) + '😀'],
  ])('%s round-trips identically', (_label, s) => {
    const message = { type: 1, time: 1795625483202, chrmId: s };
    const table = encodeTable('NotifyMsg', message);
    expect(hex(table)).toBe(hex(pbjsEncode('NotifyMsg', message)));
    const decoded = decodeTable('NotifyMsg', table) as { chrmId: string };
    expect(decoded.chrmId).toBe((pbjsDecode('NotifyMsg', table) as { chrmId: string }).chrmId);
    expect(decoded.chrmId).toBe(s);
  });

  it('decodes a CESU-8 surrogate pair like the 4-byte form', () => {
    // NotifyMsg{type 1, chrmId "😀"} with the emoji as two 3-byte surrogates.
    const bytes = Uint8Array.of(0x08, 0x01, 0x1a, 0x06, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80);
    expect((decodeTable('NotifyMsg', bytes) as { chrmId: string }).chrmId).toBe('😀');
    expect((pbjsDecode('NotifyMsg', bytes) as { chrmId: string }).chrmId).toBe('😀');
  });
});

describe('the codec object handed to code written for pbjs classes', () => {
  it('messageCodec(name) has decode(bytes) and encode(obj).finish()', () => {
    const codec = messageCodec('NotifyMsg');
    const bytes = codec.encode({ type: 2, time: 5 }).finish();
    expect(hex(bytes)).toBe(hex(pbjsEncode('NotifyMsg', { type: 2, time: 5 })));
    expect(codec.decode(bytes)).toMatchObject({ type: 2, time: 5 });
  });

  it('writes 0 for a missing required int32/bool and rejects a missing required string, int64, bytes or message', () => {
    expect(hex(encodeTable('ChrmInput', {}))).toBe(hex(pbjsEncode('ChrmInput', {})));
    expect(() => encodeTable('UpStreamMessage', { sessionId: 1, content: new Uint8Array(0) })).toThrow(ProtocolError);
    expect(() => encodeTable('SessionReq', {})).toThrow(ProtocolError);
    expect(() => encodeTable('DeleteChrmKV', {})).toThrow(ProtocolError);
  });
});
