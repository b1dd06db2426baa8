/**
 * The server's own DownStreamMessage(s) encoder (server/src/services/downstream-encode.ts) against
 * protobufjs's generated one, the reference: the same bytes for every message either accepts, a
 * ProtocolError('protobuf') wherever protobufjs throws, on seeded random messages that mix the fast
 * path's shapes (ASCII strings, safe non-negative integers) with everything it hands to protobufjs
 * (non-ASCII and lone surrogates, negative, fractional and unsafe numbers, pushExt, missing fields).
 */
import { encodeDownStream, encodeDownStreams } from '../../../src/services/downstream-encode';
import { rc, ProtocolError } from '../../../src/services/wire';
import { seeded } from '../../../../test/support/seeded';

const SEED = Number(process.env.DOWNSTREAM_SEED ?? 20261127);
const CASES = Number(process.env.DOWNSTREAM_CASES ?? 1500);

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

function asciiText(rng: Rng, max: number): string {
  const length = Math.floor(rng() * max);
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(Math.floor(rng() * 128));
  return out;
}

function text(rng: Rng): string {
  const r = rng();
  if (r < 0.7) return asciiText(rng, rng() < 0.1 ? 300 : 40);
  if (r < 0.8) return `${asciiText(rng, 10)}中文${asciiText(rng, 50)}`;
  if (r < 0.85) return `x😀${asciiText(rng, 45)}`;
  if (r < 0.9) return `${asciiText(rng, 5)}\ud800${asciiText(rng, 50)}`; // lone surrogate, either side of 40 chars
  if (r < 0.95) return '';
  return 'é';
}

const NUMBERS = [0, 1, 127, 128, 16383, 16384, 0x1fffff, 0x200000, 0xfffffff, 0x10000000, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, 2 ** 35 - 1, 2 ** 35, 2 ** 42, 2 ** 49, 2 ** 53 - 1, 1_764_000_000_000];
const ODD_NUMBERS = [-1, -(2 ** 31), 1.5, 2 ** 53, 2 ** 60, Number.NaN];

function int64(rng: Rng): unknown {
  const r = rng();
  if (r < 0.6) return Math.floor(rng() * 2 ** (1 + Math.floor(rng() * 53)));
  if (r < 0.92) return pick(rng, NUMBERS);
  if (r < 0.98) return pick(rng, ODD_NUMBERS);
  return String(Math.floor(rng() * 1e12)); // protobufjs reads a decimal string as an int64
}

function int32(rng: Rng): unknown {
  const r = rng();
  if (r < 0.7) return Math.floor(rng() * 20);
  if (r < 0.95) return pick(rng, NUMBERS.filter((n) => n <= 0xffffffff));
  return pick(rng, ODD_NUMBERS);
}

function bytes(rng: Rng): Uint8Array {
  const out = new Uint8Array(Math.floor(rng() * (rng() < 0.2 ? 3000 : 200)));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rng() * 256);
  return out;
}

function message(rng: Rng, broken: boolean): Record<string, unknown> {
  const m: Record<string, unknown> = {
    fromUserId: rng() < 0.9 ? asciiText(rng, 30) : text(rng),
    type: rng() < 0.9 ? pick(rng, [1, 2, 3, 4, 5, 6, 7, 8, 12]) : int32(rng),
    classname: rng() < 0.9 ? pick(rng, ['RC:TxtMsg', 'RC:ImgMsg', 'RC:RcCmd', 'app:custom']) : text(rng),
    content: bytes(rng),
    dataTime: rng() < 0.8 ? 1_764_000_000_000 + Math.floor(rng() * 1e9) : int64(rng),
    status: rng() < 0.8 ? pick(rng, [0, 16, 48, 112, 2]) : int64(rng),
  };
  const optional: [string, () => unknown][] = [
    ['groupId', () => asciiText(rng, 30)],
    ['extra', () => int64(rng)],
    ['msgId', () => (rng() < 0.9 ? 'BQ4I-9KMN-2PL0-7ZZ1' : text(rng))],
    ['direction', () => int32(rng)],
    ['plantform', () => int32(rng)],
    ['isRemoved', () => int32(rng)],
    ['source', () => text(rng)],
    ['clientUniqueId', () => int64(rng)],
    ['extraContent', () => text(rng)],
    ['pushContent', () => text(rng)],
    ['configFlag', () => int32(rng)],
    ['pushExt', () => ({ title: text(rng), templateId: asciiText(rng, 10) })],
  ];
  for (const [key, value] of optional) {
    const r = rng();
    if (r < (key === 'pushExt' ? 0.05 : 0.35)) m[key] = value();
    else if (r < 0.4) m[key] = rng() < 0.5 ? null : undefined; // present as a key, absent on the wire
  }
  if (broken) {
    const r = rng();
    if (r < 0.3) delete m[pick(rng, ['fromUserId', 'classname'])];
    else if (r < 0.5) m.content = pick(rng, ['aGVsbG8=', [1, 2, 3], undefined]);
    else if (r < 0.7) m.fromUserId = pick(rng, [42, null, {}]);
    else if (r < 0.85) delete m[pick(rng, ['type', 'dataTime', 'status'])];
    else m[pick(rng, ['type', 'direction', 'dataTime'])] = pick(rng, [true, '7', {}, null]);
  }
  return m;
}

/** Bytes from `encode`, or the thrown error's class and code. */
function outcome(encode: () => Uint8Array): Uint8Array | string {
  try {
    return encode();
  } catch (error) {
    return error instanceof ProtocolError ? `ProtocolError ${error.code}` : `${(error as Error).constructor.name}`;
  }
}

function reference(type: { encode(m: never): { finish(): Uint8Array } }, m: unknown): Uint8Array | string {
  return outcome(() => {
    try {
      return Uint8Array.from(type.encode(m as never).finish());
    } catch {
      throw new ProtocolError('protobuf', 'reference');
    }
  });
}

describe('downstream-encode: the same bytes as protobufjs', () => {
  it(`DownStreamMessage: ${CASES} random messages (seed ${SEED})`, () => {
    const rng = seeded(SEED);
    const kept: [Uint8Array, Uint8Array][] = [];
    let fast = 0;
    for (let i = 0; i < CASES; i++) {
      const m = message(rng, rng() < 0.08);
      const expected = reference(rc.DownStreamMessage, m);
      const actual = outcome(() => encodeDownStream(m as unknown as rc.IDownStreamMessage));
      if (typeof expected === 'string' || typeof actual === 'string') {
        expect({ i, actual: typeof actual === 'string' ? actual : 'bytes' }).toEqual({ i, actual: typeof expected === 'string' ? expected : 'bytes' });
        continue;
      }
      expect(actual.constructor).toBe(Uint8Array);
      expect(Buffer.from(actual).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
      kept.push([actual, expected]);
      if (Object.values(m).every((v) => typeof v !== 'string' || /^[\x00-\x7f]*$/.test(v))) fast += 1;
    }
    // Outputs share slabs: none may have been overwritten by a later one.
    for (const [actual, expected] of kept) expect(Buffer.compare(actual, expected)).toBe(0);
    // The mix exercised both paths.
    expect(fast).toBeGreaterThan(CASES / 3);
    expect(kept.length).toBeLessThan(CASES);
  });

  it(`DownStreamMessages: ${CASES / 4} random pages (seed ${SEED + 1})`, () => {
    const rng = seeded(SEED + 1);
    for (let i = 0; i < CASES / 4; i++) {
      const page: Record<string, unknown> = { syncTime: rng() < 0.9 ? 1_764_000_000_000 + Math.floor(rng() * 1e9) : int64(rng) };
      const count = Math.floor(rng() * (rng() < 0.1 ? 200 : 12));
      if (rng() < 0.9) page.list = Array.from({ length: count }, () => message(rng, rng() < 0.01));
      if (rng() < 0.6) page.finished = pick(rng, [true, false, null, 0, 1]);
      if (rng() < 0.2) page.broadcastSyncTime = int64(rng);
      if (rng() < 0.2) page.systemTime = int64(rng);
      if (rng() < 0.05) page.compressioEnabled = rng() < 0.5;
      const expected = reference(rc.DownStreamMessages, page);
      const actual = outcome(() => encodeDownStreams(page as unknown as rc.IDownStreamMessages));
      if (typeof expected === 'string' || typeof actual === 'string') {
        expect({ i, actual: typeof actual === 'string' ? actual : 'bytes' }).toEqual({ i, actual: typeof expected === 'string' ? expected : 'bytes' });
        continue;
      }
      expect(Buffer.from(actual).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
    }
  });

  it('decodes back to what the server meant (a delivery as the clients read it)', () => {
    const content = new TextEncoder().encode('{"content":"hello"}');
    const bytes = encodeDownStream({ fromUserId: 'u1', type: 1, classname: 'RC:TxtMsg', content, dataTime: 1_764_000_000_123, status: 48, msgId: 'BQ4I-9KMN-2PL0-7ZZ1', direction: 1 });
    const back = rc.DownStreamMessage.decode(bytes);
    expect(back.fromUserId).toBe('u1');
    expect(Number(back.dataTime)).toBe(1_764_000_000_123);
    expect(Buffer.from(back.content).toString()).toBe('{"content":"hello"}');
    expect(back.msgId).toBe('BQ4I-9KMN-2PL0-7ZZ1');
  });
});
