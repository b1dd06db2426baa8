/**
 * Hostile bytes must never escape as anything but ProtocolError: random payloads, and valid
 * payloads mutated (bit flips, truncation, insertion), for the types a server/client decodes from
 * the network. Each run is bounded (fast-check numRuns) and jest's timeout catches a hang.
 */
import fc from 'fast-check';

import { cometJsonToPayload, payloadToCometJson } from '../../../src/protocol/comet-json';
import { decodeMessage, encodeMessage, messageCodec } from '../../../src/protocol/messages';
import type { RcMessageName } from '../../../src/protocol/messages';
import { ProtocolError } from '../../../src/protocol/protocol-error';
import { decodeDelRelationType } from '../../../src/protocol/relation-tolerant';
import { sampleMessage } from './protobuf-samples';

const TYPES: readonly RcMessageName[] = [
  'UpStreamMessage',
  'DownStreamMessage',
  'DownStreamMessages',
  'SyncRequestMsg',
  'RelationsOutput',
  'SetChrmKV',
  'SessionStateModifyReq',
  'PullUserSettingOutput',
];

/** Runs `fn`; returns normally if it succeeded or threw a ProtocolError, rethrows anything else. */
function onlyProtocolErrors(fn: () => unknown, code?: string): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    if (code !== undefined && err.code !== code) throw err;
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    if (m.kind === 'flip') out[at] = (out[at] ?? 0) ^ (1 << m.bit);
    else if (m.kind === 'set') out[at] = m.value;
    else if (m.kind === 'cut') out = out.slice(0, at);
    else {
      const next = new Uint8Array(out.length + m.bytes.length);
      next.set(out.subarray(0, at), 0);
      next.set(m.bytes, at);
      next.set(out.subarray(at), at + m.bytes.length);
      out = next;
    }
  }
  return out;
}

describe.each(TYPES)('decodeMessage(%s) on hostile input', (type) => {
  const codec = messageCodec(type);

  it('random bytes decode or throw ProtocolError(protobuf)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        onlyProtocolErrors(() => decodeMessage(codec, bytes, type), 'protobuf');
      }),
      { numRuns: 1500 },
    );
  });

  it('mutated valid payloads decode or throw ProtocolError(protobuf), and comet JSON copes too', () => {
    const valid = [0, 1, 2].map((seed) => encodeMessage(codec, sampleMessage(type, seed)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, ms) => {
        const bytes = mutate(valid[which] ?? new Uint8Array(0), ms);
        onlyProtocolErrors(() => decodeMessage(codec, bytes, type), 'protobuf');
        onlyProtocolErrors(() => payloadToCometJson(type, bytes));
      }),
      { numRuns: 1500 },
    );
  });
});

describe('other decoders on hostile input', () => {
  it('decodeDelRelationType: random and mutated bytes', () => {
    const e4 = Uint8Array.of(0x08, 0x01, 0x10, 0x00, 0x18, 0x00, 0x20, 0x00);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(mutation, { maxLength: 4 }), (random, ms) => {
        onlyProtocolErrors(() => decodeDelRelationType(random), 'protobuf');
        onlyProtocolErrors(() => decodeDelRelationType(mutate(e4, ms)), 'protobuf');
      }),
      { numRuns: 2000 },
    );
  });

  it('cometJsonToPayload: arbitrary JSON values only yield ProtocolError(comet-json)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.jsonValue(), (type, value) => {
        onlyProtocolErrors(() => cometJsonToPayload(type, JSON.stringify(value)), 'comet-json');
      }),
      { numRuns: 1500 },
    );
  });

  it('cometJsonToPayload: objects with the right keys and random values', () => {
    const scalar = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));
    fc.assert(
      fc.property(
        fc.record({
          sessionId: scalar,
          classname: scalar,
          content: scalar,
          userId: scalar,
          delMsgTime: scalar,
          configFlag: scalar,
          pushExt: fc.oneof(scalar, fc.record({ title: scalar, templateIdNoUse: scalar })),
        }),
        (obj) => {
          onlyProtocolErrors(() => cometJsonToPayload('UpStreamMessage', obj), 'comet-json');
        },
      ),
      { numRuns: 1500 },
    );
  });
});
