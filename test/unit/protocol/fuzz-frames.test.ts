/**
 * Property tests for the frame codec: arbitrary valid frames round-trip; random bytes and
 * mutations of valid frames decode to a Frame or throw ProtocolError — never anything else —
 * and every decoded frame is a fixpoint of encode∘decode.
 */
import fc from 'fast-check';
import type { Frame, FrameFlags, FrameOrigin } from '../../../src/protocol/frame';
import { ConnectFlag } from '../../../src/protocol/frame-header';
import { decodeFrame } from '../../../src/protocol/frame-reader';
import { encodeFrame } from '../../../src/protocol/frame-writer';
import { ProtocolError } from '../../../src/protocol/protocol-error';

const RUNS = 2000;
const ORIGINS: readonly FrameOrigin[] = ['client', 'server'];

const flagsArb: fc.Arbitrary<FrameFlags> = fc.record({
  dup: fc.boolean(),
  qos: fc.integer({ min: 0, max: 3 }),
  retain: fc.boolean(),
});
const str = fc.string({ unit: 'grapheme', maxLength: 12 });
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const payload = fc.uint8Array({ maxLength: 48 });

function frameArb(origin: FrameOrigin): fc.Arbitrary<Frame> {
  const connect = fc
    .record({ flags: flagsArb, connectFlags: u8, protocolName: str, protocolVersion: u8, keepAlive: u16, clientId: str })
    .chain(({ flags, connectFlags, ...rest }) =>
      fc
        .record({ willTopic: str, will: str, appId: str, token: str })
        .map((opt): Frame => ({
          kind: 'connect',
          ...flags,
          ...rest,
          connectFlags,
          ...((connectFlags & ConnectFlag.HasWill) !== 0 ? { willTopic: opt.willTopic, will: opt.will } : {}),
          ...((connectFlags & ConnectFlag.HasAppId) !== 0 ? { appId: opt.appId } : {}),
          ...((connectFlags & ConnectFlag.HasToken) !== 0 ? { token: opt.token } : {}),
        })),
    );
  const connack = fc.oneof(
    fc.record({ flags: flagsArb, status: u8 }).map(({ flags, status }): Frame => ({ kind: 'connack', ...flags, status })),
    fc
      .record({ flags: flagsArb, status: u8, userId: str, sessionId: str, timestamp: fc.maxSafeNat() })
      .map(({ flags, ...rest }): Frame => ({ kind: 'connack', ...flags, ...rest })),
  );
  const publish = fc
    .record({ flags: flagsArb, date: u32, topic: str, targetId: str, messageId: u16, payload })
    .map(({ flags, date, ...rest }): Frame =>
      origin === 'server' ? { kind: 'publish', ...flags, date, ...rest } : { kind: 'publish', ...flags, ...rest },
    );
  const puback = fc
    .record({ flags: flagsArb, messageId: u16, date: u32, status: u16, millisecond: u16, messageUId: str })
    .map(({ flags, messageId, ...rest }): Frame =>
      origin === 'server'
        ? { kind: 'puback', ...flags, messageId, ...rest }
        : { kind: 'puback', ...flags, messageId },
    );
  return fc.oneof(
    connect,
    connack,
    publish,
    puback,
    fc
      .record({ flags: flagsArb, topic: str, targetId: str, messageId: u16, payload })
      .map(({ flags, ...rest }): Frame => ({ kind: 'query', ...flags, ...rest })),
    fc
      .record({ flags: flagsArb, messageId: u16, date: u32, status: u16, payload })
      .map(({ flags, ...rest }): Frame => ({ kind: 'queryack', ...flags, ...rest })),
    fc.record({ flags: flagsArb, messageId: u16 }).map(({ flags, messageId }): Frame => ({ kind: 'querycon', ...flags, messageId })),
    flagsArb.map((flags): Frame => ({ kind: 'pingreq', ...flags })),
    flagsArb.map((flags): Frame => ({ kind: 'pingresp', ...flags })),
    fc.record({ flags: flagsArb, reason: u8 }).map(({ flags, reason }): Frame => ({ kind: 'disconnect', ...flags, reason })),
  );
}

/** Decodes; asserts the outcome is a Frame (then a fixpoint of encode∘decode) or a ProtocolError. */
function decodeChecked(bytes: Uint8Array, origin: FrameOrigin, strict: boolean): void {
  let frame: Frame;
  try {
    frame = decodeFrame(bytes, origin, { strict });
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return;
  }
  expect(typeof frame.kind).toBe('string');
  const encoded = encodeFrame(frame, origin);
  const again = decodeFrame(encoded, origin, { strict: true });
  if (bytes.length <= 1024) {
    expect(again).toEqual(frame);
  } else {
    // jest's deep equality walks typed arrays element by element; compare canonical bytes instead.
    expect(again.kind).toBe(frame.kind);
    expect(Buffer.from(encodeFrame(again, origin)).equals(Buffer.from(encoded))).toBe(true);
  }
}

type Mutation =
  | { op: 'flip'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), value: u8 }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }),
);

function mutate(input: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Array.from(input);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
    if (m.op === 'flip' && at < bytes.length) bytes[at] = m.value;
    if (m.op === 'truncate') bytes = bytes.slice(0, at);
    if (m.op === 'insert') bytes.splice(at, 0, ...m.bytes);
    if (m.op === 'delete') bytes.splice(at, m.count);
  }
  return Uint8Array.from(bytes);
}

describe.each(ORIGINS)('frames written by the %s', (origin) => {
  it('encode → decode round-trips arbitrary valid frames (strict)', () => {
    fc.assert(
      fc.property(frameArb(origin), (frame) => {
        expect(decodeFrame(encodeFrame(frame, origin), origin, { strict: true })).toEqual(frame);
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes → Frame or ProtocolError', () => {
    const headerBiased = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 }))
      .map(([h, rest]) => Uint8Array.from([h, ...rest]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), headerBiased), fc.boolean(), (bytes, strict) => {
        decodeChecked(bytes, origin, strict);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutations of valid frames → Frame or ProtocolError (decoded by both origins)', () => {
    fc.assert(
      fc.property(frameArb(origin), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.boolean(), (frame, ms, strict) => {
        const bytes = mutate(encodeFrame(frame, origin), ms);
        for (const reader of ORIGINS) decodeChecked(bytes, reader, strict);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('hostile sizes', () => {
  it('large random inputs decode (or fail) quickly and linearly', () => {
    const started = Date.now();
    fc.assert(
      fc.property(fc.constantFrom(0x10, 0x20, 0x32, 0x40, 0x50, 0x60), fc.integer({ min: 0, max: 255 }), (header, fill) => {
        const bytes = new Uint8Array(64 * 1024).fill(fill);
        bytes[0] = header;
        for (const origin of ORIGINS) decodeChecked(bytes, origin, false);
      }),
      { numRuns: 200 },
    );
    // Generous bound: 200 × 2 decodes of 64 KiB; catches accidental quadratic work, not jitter.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('declared lengths are never trusted: 0xFFFF-long strings over tiny buffers fail as truncated', () => {
    for (const header of [0x10, 0x20, 0x32, 0x50]) {
      const bytes = Uint8Array.from([header, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
      for (const origin of ORIGINS) {
        expect(() => decodeFrame(bytes, origin)).toThrow(ProtocolError);
      }
    }
  });
});
