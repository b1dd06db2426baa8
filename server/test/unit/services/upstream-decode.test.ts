/**
 * The server's own UpStreamMessage decoder (server/src/services/upstream-decode.ts) against protobufjs's
 * generated one, the reference: for every payload either both reject (decodeMessage throws ProtocolError) or
 * both give an `rc.UpStreamMessage` with the same own fields in the same order, equal values (numbers by
 * Object.is, strings exactly, `content` the same kind of array viewing the same bytes of the payload) and the
 * same inherited defaults. Payloads: messages protobufjs encodes (ASCII, CJK, astral, lone surrogates, empty
 * strings, negative and large numbers, directed `userId`, `pushExt`), messages written field by field (raw
 * string bytes including invalid UTF-8, over-long and 10-byte varints, wrong wire types for known fields,
 * repeated fields, unknown fields of every wire type, groups nested around the recursion limit), random bytes,
 * and mutations of valid encodings (byte flips, truncation at every position, inserted unknown fields).
 */
import { decodeUpStream } from '../../../src/services/upstream-decode';
import { readUpStream } from '../../../src/services/send-handlers';
import { WireStatus } from '../../../src/services/wire-status';
import { rc } from '../../../src/services/wire';
// The SDK's decodeMessage, protobufjs as it is (the server's services/wire.ts one also refuses U+0000 in strings).
import { decodeMessage, ProtocolError } from '../../../../src/internal';
import { seeded } from '../../../../test/support/seeded';

const SEED = Number(process.env.UPSTREAM_SEED ?? 20261128);
const CASES = Number(process.env.UPSTREAM_CASES ?? 1000);

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);

const UP_FIELDS = ['sessionId', 'classname', 'content', 'pushText', 'appData', 'userId', 'delMsgTime', 'delMsgId', 'configFlag', 'clientUniqueId', 'extraContent', 'pushExt', 'busChannel', 'optionBits'];
const PUSH_FIELDS = ['title', 'templateIdNoUse', 'pushId', 'pushConfigs', 'templateId'];

// ---- Reference and comparison ----

function reference(payload: Uint8Array): rc.UpStreamMessage | 'reject' {
  try {
    return decodeMessage(rc.UpStreamMessage, payload, 'UpStreamMessage');
  } catch (error) {
    if (error instanceof ProtocolError) return 'reject';
    throw error;
  }
}

/** The first difference between two decoded values, or '' when they are the same to every reader. */
function difference(actual: unknown, expected: unknown, path: string, fields?: readonly string[]): string {
  if (typeof actual !== typeof expected) return `${path}: ${typeof actual} vs ${typeof expected}`;
  if (actual === null || expected === null || typeof actual !== 'object') {
    return Object.is(actual, expected) ? '' : `${path}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  if (a.constructor !== e.constructor) return `${path}: ${a.constructor.name} vs ${e.constructor.name}`;
  if (a instanceof Uint8Array && e instanceof Uint8Array) {
    if (Buffer.compare(a, e) !== 0) return `${path}: bytes ${Buffer.from(a).toString('hex')} vs ${Buffer.from(e).toString('hex')}`;
    if (e.length > 0 && (a.buffer !== e.buffer || a.byteOffset !== e.byteOffset)) return `${path}: not the same view`;
    return '';
  }
  if (Array.isArray(a) && Array.isArray(e)) {
    if (a.length !== e.length) return `${path}: length ${a.length} vs ${e.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], e[i], `${path}[${i}]`);
      if (d) return d;
    }
    return '';
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(e)) return `${path}: prototype`;
  const keys = Object.keys(a).join();
  if (keys !== Object.keys(e).join()) return `${path}: own keys ${keys} vs ${Object.keys(e).join()}`;
  // Every field as code reads it: own values, and the prototype's defaults for the absent ones.
  for (const key of fields ?? Object.keys(e)) {
    const d = difference(a[key], e[key], `${path}.${key}`, key === 'pushExt' ? PUSH_FIELDS : undefined);
    if (d) return d;
  }
  return '';
}

interface Tally {
  cases: number;
  accepted: number;
  failures: string[];
}

/** Compares the two on `payload`; whether protobufjs accepted it. */
function check(tally: Tally, payload: Uint8Array, label: string): boolean {
  const expected = reference(payload);
  const actual = decodeUpStream(payload) ?? 'reject';
  tally.cases += 1;
  if (expected !== 'reject') tally.accepted += 1;
  const d = difference(actual, expected, 'up', UP_FIELDS);
  if (d && tally.failures.length < 10) tally.failures.push(`${label} ${Buffer.from(payload).toString('hex')}: ${d}`);
  return expected !== 'reject';
}

// ---- Writing payloads field by field ----

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** A varint as protobufjs would write it, or padded with redundant 0x80 bytes, or a 10-byte negative. */
function oddVarint(rng: Rng, value: bigint): number[] {
  const out = varint(value);
  const r = rng();
  if (r < 0.15 && out.length < 10) {
    // Padding: the last byte gets its high bit and zero bytes follow (over-long, as some encoders write).
    const pad = 1 + int(rng, 10 - out.length);
    out[out.length - 1] = (out[out.length - 1] as number) | 0x80;
    for (let i = 0; i < pad - 1; i++) out.push(0x80);
    out.push(0);
  } else if (r < 0.2) {
    for (let i = 0; i < out.length; i++) if (rng() < 0.3) out[i] = (out[i] as number) ^ 0x80; // continuation bits garbled
  }
  return out;
}

const tag = (field: number, wireType: number): number[] => varint(BigInt(field * 8 + wireType));
const delimited = (field: number, body: readonly number[]): number[] => [...tag(field, 2), ...varint(BigInt(body.length)), ...body];

function numberValue(rng: Rng): bigint {
  const r = rng();
  if (r < 0.4) return BigInt(int(rng, 200));
  if (r < 0.6) return BigInt(Math.floor(rng() * 2 ** (1 + int(rng, 63))));
  if (r < 0.75) return -BigInt(int(rng, 2 ** 31)) - 1n;
  if (r < 0.85) return pick(rng, [0x7fffffffn, 0x80000000n, 0xffffffffn, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, -(2n ** 63n), -1n]);
  return BigInt(1_764_000_000_000 + int(rng, 1e9));
}

/** String bytes: UTF-8 text, or bytes from every class (leads, continuations, overlong, surrogates, > U+10FFFF). */
function stringBytes(rng: Rng): number[] {
  const r = rng();
  if (r < 0.35) return [...Buffer.from(pick(rng, ['', 'u1', 'RC:TxtMsg', 'user-000123', 'x'.repeat(int(rng, 300))]))];
  if (r < 0.5) return [...Buffer.from(pick(rng, ['中文推送', 'ok 😀 done', 'é', '\u{10ffff}', 'a\u0800b']))];
  const out: number[] = [];
  const length = int(rng, rng() < 0.01 ? 9000 : 24);
  for (let i = 0; i < length; i++) {
    const c = rng();
    if (c < 0.4) out.push(0x20 + int(rng, 0x5f));
    else if (c < 0.55) out.push(0x80 + int(rng, 0x40));
    else if (c < 0.65) out.push(pick(rng, [0xc0, 0xc1, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xf8, 0xff]));
    else if (c < 0.8) out.push(0xc2 + int(rng, 0x1e), 0x80 + int(rng, 0x40));
    else if (c < 0.9) out.push(0xe0 + int(rng, 0x10), 0x80 + int(rng, 0x40), 0x80 + int(rng, 0x40));
    else out.push(0xf0 + int(rng, 0x10), 0x80 + int(rng, 0x40), 0x80 + int(rng, 0x40), 0x80 + int(rng, 0x40));
  }
  return out;
}

/** Groups nested `depth` deep around an optional body (field 99), as one unknown field. */
function group(depth: number, body: readonly number[] = []): number[] {
  const out: number[] = [];
  for (let i = 0; i < depth; i++) out.push(...tag(99, 3));
  out.push(...body);
  for (let i = 0; i < depth; i++) out.push(...tag(99, 4));
  return out;
}

function unknownField(rng: Rng): number[] {
  const field = pick(rng, [0, 14, 15, 21, 23, 99, 1000, 2 ** 28, 2 ** 29 - 1]);
  switch (int(rng, 8)) {
    case 0: return [...tag(field, 0), ...oddVarint(rng, numberValue(rng))];
    case 1: return [...tag(field, 1), ...Array.from({ length: 8 }, () => int(rng, 256))];
    case 2: return delimited(field, stringBytes(rng));
    case 3: return group(1 + int(rng, 3), rng() < 0.5 ? [...tag(7, 0), 5, ...delimited(2, [65])] : []);
    case 4: return tag(field, 4); // an end-group with no start
    case 5: return [...tag(field, 5), 1, 2, 3, 4];
    case 6: return rng() < 0.5 ? group(pick(rng, [99, 100, 101, 102, 103])) : tag(field, pick(rng, [6, 7]));
    default: return [...tag(field, 3), ...tag(field, 0), 1, ...tag(field + 1, 4)]; // group closed by another field's end
  }
}

function pushExtBody(rng: Rng): number[] {
  const out: number[] = [];
  const count = int(rng, 6);
  for (let i = 0; i < count; i++) {
    const r = rng();
    if (r < 0.15) out.push(...unknownField(rng));
    else if (r < 0.2) out.push(...group(pick(rng, [99, 100, 101])));
    else if (r < 0.35) out.push(...tag(2, 0), ...oddVarint(rng, numberValue(rng)));
    else out.push(...delimited(pick(rng, [1, 3, 4, 5]), stringBytes(rng)));
  }
  return out;
}

/** One known field of UpStreamMessage with a random value, now and then under another wire type. */
function knownField(rng: Rng, field: number): number[] {
  const wireType = rng() < 0.05 ? int(rng, 6) : undefined;
  switch (field) {
    case 1: case 9: case 22: case 7: case 10:
      return [...tag(field, wireType ?? 0), ...oddVarint(rng, numberValue(rng))];
    case 3: {
      const length = rng() < 0.2 ? 0 : int(rng, 200);
      return [...tag(3, wireType ?? 2), ...varint(BigInt(length)), ...Array.from({ length }, () => int(rng, 256))];
    }
    case 12: {
      const body = pushExtBody(rng);
      return [...tag(12, wireType ?? 2), ...varint(BigInt(body.length)), ...body];
    }
    default: {
      const body = field === 2 && rng() < 0.7 ? [...Buffer.from(pick(rng, ['RC:TxtMsg', 'RC:ImgMsg', 'RC:SRSMsg', 'app:custom', 'RC:TxtMsh']))] : stringBytes(rng);
      return [...tag(field, wireType ?? 2), ...varint(BigInt(body.length)), ...body];
    }
  }
}

function rawMessage(rng: Rng): Uint8Array {
  const parts: number[][] = [];
  for (const field of [1, 2, 3]) if (rng() < 0.95) parts.push(knownField(rng, field));
  for (const field of [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 22]) {
    if (rng() < 0.3) parts.push(knownField(rng, field));
    if (field === 6 && rng() < 0.2) for (let i = int(rng, 4); i >= 0; i--) parts.push(knownField(rng, 6));
  }
  for (let i = int(rng, 3); i > 0; i--) parts.splice(int(rng, parts.length + 1), 0, rng() < 0.7 ? unknownField(rng) : knownField(rng, pick(rng, [1, 2, 3, 12])));
  if (rng() < 0.3) parts.sort(() => rng() - 0.5);
  return Uint8Array.from(parts.flat());
}

// ---- Messages protobufjs writes ----

function text(rng: Rng): string {
  return pick(rng, ['', 'u1', 'hello', 'x'.repeat(int(rng, 200)), '中文推送', 'ok 😀', '\ud800x', 'x\udc00', '{"a":1}']);
}

function encodedMessage(rng: Rng): Uint8Array {
  const m: rc.IUpStreamMessage = {
    sessionId: pick(rng, [0, 1, 3, 7, 35, 64, -1, 2 ** 31 - 1, -(2 ** 31)]),
    classname: rng() < 0.8 ? pick(rng, ['RC:TxtMsg', 'RC:ImgMsg', 'RC:RcCmd', 'RC:SRSMsg']) : text(rng),
    content: Buffer.from(JSON.stringify({ content: text(rng), extra: rng() < 0.5 ? '' : text(rng) })),
  };
  if (rng() < 0.3) m.pushText = text(rng);
  if (rng() < 0.2) m.appData = text(rng);
  if (rng() < 0.2) m.userId = Array.from({ length: int(rng, 4) }, () => text(rng));
  if (rng() < 0.2) m.delMsgTime = pick(rng, [0, 1_764_000_000_000, -5, 2 ** 53 - 1]);
  if (rng() < 0.2) m.delMsgId = text(rng);
  if (rng() < 0.4) m.configFlag = pick(rng, [0, 1, 2, -1, 2 ** 31 - 1]);
  if (rng() < 0.2) m.clientUniqueId = pick(rng, [1, 1_764_000_000_123, -1, 2 ** 52]);
  if (rng() < 0.2) m.extraContent = text(rng);
  if (rng() < 0.15) m.pushExt = { title: text(rng), templateIdNoUse: pick(rng, [0, 5, -3]), pushId: text(rng), pushConfigs: '[{"HW":{"channelId":"x"}}]', templateId: text(rng) };
  if (rng() < 0.1) m.busChannel = text(rng);
  if (rng() < 0.1) m.optionBits = pick(rng, [0, 1, -1]);
  return Uint8Array.from(rc.UpStreamMessage.encode(m).finish());
}

function mutate(rng: Rng, payload: Uint8Array): Uint8Array {
  const bytes = [...payload];
  const r = rng();
  if (r < 0.4 || bytes.length === 0) {
    const at = int(rng, bytes.length + 1);
    bytes.splice(at, 0, ...(rng() < 0.8 ? unknownField(rng) : knownField(rng, int(rng, 24))));
  } else if (r < 0.8) {
    for (let n = 1 + int(rng, 3); n > 0; n--) {
      const at = int(rng, bytes.length);
      bytes[at] = rng() < 0.5 ? (bytes[at] as number) ^ (1 << int(rng, 8)) : int(rng, 256);
    }
  } else {
    bytes.splice(int(rng, bytes.length), 1 + int(rng, 4));
  }
  return Uint8Array.from(bytes);
}

/** A payload inside a larger buffer, as the frame reader hands it over (a subarray). */
function framed(payload: Uint8Array, rng: Rng): Uint8Array {
  const before = int(rng, 8);
  const outer = new Uint8Array(before + payload.length + int(rng, 8)).fill(0x80);
  outer.set(payload, before);
  return outer.subarray(before, before + payload.length);
}

/** sessionId 3, classname 'RC:TxtMsg', content '{}': what a random tail is appended to. */
const MINIMAL = [8, 3, 18, 9, ...Buffer.from('RC:TxtMsg'), 26, 2, 123, 125];

describe('upstream-decode: the same message as protobufjs', () => {
  it(`random, raw, mutated and truncated payloads (seed ${SEED})`, () => {
    const rng = seeded(SEED);
    const tally: Tally = { cases: 0, accepted: 0, failures: [] };
    let wholeAccepted = 0;
    for (let i = 0; i < CASES; i++) {
      const valid = rng() < 0.5 ? encodedMessage(rng) : rawMessage(rng);
      if (check(tally, framed(valid, rng), `case ${i} whole`)) wholeAccepted += 1;
      check(tally, framed(mutate(rng, valid), rng), `case ${i} mutated`);
      const random = Array.from({ length: int(rng, 48) }, () => (rng() < 0.3 ? pick(rng, [8, 18, 26, 0x80, 0xff, 3, 4]) : int(rng, 256)));
      check(tally, Uint8Array.from(rng() < 0.5 ? random : [...MINIMAL, ...random]), `case ${i} random`);
      if (i % 30 === 0 && valid.length < 300) for (let end = 0; end < valid.length; end++) check(tally, valid.subarray(0, end), `case ${i} cut at ${end}`);
    }
        expect(tally.failures).toEqual([]);
    expect(tally.cases).toBeGreaterThan(5 * CASES);
    // Both outcomes are exercised: most whole messages decode, most damaged ones do not.
    expect(wholeAccepted).toBeGreaterThan(CASES / 2);
    expect(tally.accepted - wholeAccepted).toBeGreaterThan(CASES / 4);
    expect(tally.accepted).toBeLessThan(tally.cases / 2);
  });

  it('the varint, int64 and group corner cases, one by one', () => {
    const tally: Tally = { cases: 0, accepted: 0, failures: [] };
    const head = MINIMAL;
    const cases: number[][] = [
      [...head, 56, 0x80, 0x80, 0x80], // int64, 3 bytes left: the 4th read past the end
      [...head, 56, 0x80, 0x80, 0x80, 0x80], // 4 left: the 4th's high bit ignored
      [...head, 56, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // -1
      [...head, 56, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 11 bytes
      [...head, 72, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00], // int32: 5 bytes skipped unread
      [...head, 72, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // … one short
      [...head, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // a tag of 10 bytes
      [...head, ...group(101)], [...head, ...group(102)],
      [...head, ...delimited(12, group(100))], [...head, ...delimited(12, group(101))],
      [...head, 98, 3, 10, 1, 65, 98, 2, 26, 0], // two pushExt: the last wins
      [...head, 98, 2, 10, 5, 65], // a pushExt string overrunning its own length
      [...head, 50, 0, 50, 1, 65], // userId '' then 'A'
      [...head.slice(0, 13)], // content missing
      [8, 3, 18, 0, 26, 0], // empty classname and content
    ];
    for (const [i, bytes] of cases.entries()) check(tally, Uint8Array.from(bytes), `corner ${i}`);
    expect(tally.failures).toEqual([]);
  });

  it('repeated class names come back as the same string, other names decode anew', () => {
    const payload = (name: string) => rc.UpStreamMessage.encode({ sessionId: 3, classname: name, content: new Uint8Array([1]) }).finish();
    const names = ['RC:TxtMsg', 'RC:ImgMsg', 'RC:TxtMsh', 'A', 'RC:TxtMsg', '中文', 'RC:TxtMs', 'RC:TxtMsg', 'B', 'C', 'D', 'RC:TxtMsg'];
    for (const name of names) expect(decodeUpStream(Uint8Array.from(payload(name)))?.classname).toBe(name);
    expect(decodeUpStream(Uint8Array.from(payload('RC:TxtMsg')))?.classname).toBe('RC:TxtMsg');
  });

  it('a Buffer payload (BufferReader in protobufjs) is decoded by protobufjs', () => {
    const bytes = Buffer.from(rc.UpStreamMessage.encode({ sessionId: 1, classname: 'RC:TxtMsg', content: Buffer.from('{}'), pushText: 'p' }).finish());
    const up = decodeUpStream(bytes);
    expect(difference(up, reference(bytes), 'up', UP_FIELDS)).toBe('');
    expect(Buffer.isBuffer(up?.content)).toBe(true);
    expect(decodeUpStream(Buffer.from([8]))).toBeUndefined();
  });

  it('readUpStream keeps its contract', () => {
    const ok = Uint8Array.from(rc.UpStreamMessage.encode({ sessionId: 3, classname: 'RC:TxtMsg', content: Buffer.from('{"content":"hi"}') }).finish());
    const up = readUpStream(ok);
    expect(typeof up).toBe('object');
    expect(up).toBeInstanceOf(rc.UpStreamMessage);
    expect(readUpStream(ok.subarray(0, ok.length - 1))).toBe(WireStatus.InvalidParameter);
    expect(readUpStream(Uint8Array.from([8, 3, 18, 0, 26, 0]))).toBe(WireStatus.InvalidParameter); // empty object name
    const big = Uint8Array.from(rc.UpStreamMessage.encode({ sessionId: 3, classname: 'RC:TxtMsg', content: new Uint8Array(128 * 1024 + 1) }).finish());
    expect(readUpStream(big)).toBe(WireStatus.ContentTooLarge);
  });

  it('readUpStream refuses a raw U+0000 in any string field and makes lone surrogates U+FFFD; content bytes are kept', () => {
    const encode = (fields: Partial<rc.IUpStreamMessage>): Uint8Array =>
      Uint8Array.from(rc.UpStreamMessage.encode({ sessionId: 3, classname: 'RC:TxtMsg', content: Buffer.from('{}'), ...fields }).finish());
    for (const fields of [{ classname: 'X:a\u0000b' }, { pushText: 'a\u0000' }, { appData: '\u0000' }, { extraContent: '{"k":"\u0000"}' }, { userId: ['u1', 'u\u0000'] }, { pushExt: { title: 't\u0000' } }]) {
      expect({ fields, status: readUpStream(encode(fields)) }).toEqual({ fields, status: WireStatus.InvalidParameter });
    }
    const kept = readUpStream(encode({ pushText: 'x\ud800y', content: Buffer.from([0x7b, 0, 0x7d]) }));
    expect(kept).toBeInstanceOf(rc.UpStreamMessage);
    expect((kept as rc.UpStreamMessage).pushText).toBe('x\ufffdy');
    expect([...(kept as rc.UpStreamMessage).content]).toEqual([0x7b, 0, 0x7d]);
  });
});
