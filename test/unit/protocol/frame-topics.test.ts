/**
 * decodeFrame's `options.topics` (the server's known topics): a client PUBLISH/QUERY whose topic bytes the
 * resolver knows gets the resolver's string, and every frame decodes exactly as without the option — the same
 * fields in the same order, the same errors with the same messages. Without the option (the SDK) nothing changes.
 */
import fc from 'fast-check';
import type { Frame, FrameOrigin, PublishFrame, QueryFrame } from '../../../src/protocol/frame';
import { decodeFrame, FrameReader, type TopicResolver } from '../../../src/protocol/frame-reader';
import { encodeFrame } from '../../../src/protocol/frame-writer';
import { ProtocolError } from '../../../src/protocol/protocol-error';

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(/\s+/).filter(Boolean), (h) => parseInt(h, 16));
const F = { dup: false, qos: 0, retain: false } as const;

/** A resolver over ASCII topics that records its calls. */
function resolver(topics: readonly string[]): { resolve: TopicResolver; calls: [number, number][] } {
  const calls: [number, number][] = [];
  const resolve: TopicResolver = (bytes, start, end) => {
    calls.push([start, end]);
    const range = bytes.subarray(start, end);
    if (!range.every((b) => b < 0x80)) return undefined;
    const text = String.fromCharCode(...range);
    return topics.includes(text) ? text : undefined;
  };
  return { resolve, calls };
}

type Outcome = { frame: Frame; keys: string[] } | { code: string; message: string };

function outcome(decode: () => Frame): Outcome {
  try {
    const frame = decode();
    return { frame, keys: Object.keys(frame) };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { code: error.code, message: error.message };
  }
}

const publish = (topic: string, targetId = 'user-00042', messageId = 7): PublishFrame => ({ kind: 'publish', ...F, qos: 1, topic, targetId, messageId, payload: hex('0a 03 61 62 63') });
const query = (topic: string): QueryFrame => ({ kind: 'query', ...F, topic, targetId: 'me', messageId: 9, payload: hex('08 01') });

describe('decodeFrame with options.topics', () => {
  it('gives a known topic the resolver string, the frame otherwise as decoded without it', () => {
    const { resolve, calls } = resolver(['ppMsgP', 'pullMsg']);
    for (const frame of [publish('ppMsgP'), query('pullMsg'), { ...publish('ppMsgP'), dup: true, retain: true, qos: 2 }]) {
      const bytes = encodeFrame(frame, 'client');
      const plain = decodeFrame(bytes, 'client');
      const known = decodeFrame(bytes, 'client', { topics: resolve });
      expect(known).toStrictEqual(plain);
      expect(Object.keys(known)).toEqual(Object.keys(plain));
    }
    // Asked once per frame, with the topic's byte range.
    expect(calls).toEqual([
      [3, 9],
      [3, 10],
      [3, 9],
    ]);
  });

  it('puts the resolver string in the frame and reads on from the end of the topic', () => {
    // (A string's identity is not observable: a resolver breaking its contract shows whose string it is.)
    const marked = decodeFrame(encodeFrame(publish('ppMsgP'), 'client'), 'client', { topics: () => 'resolved' });
    expect(marked).toStrictEqual(publish('resolved'));
    expect(decodeFrame(encodeFrame(query('pullMsg'), 'client'), 'client', { topics: () => 'resolved' })).toStrictEqual(query('resolved'));
  });

  it('decodes an unknown topic (the resolver says undefined), non-ASCII and CESU-8 topics as without it', () => {
    const { resolve } = resolver(['ppMsgP']);
    const cesu = hex('32 00 06 ed a0 bd ed b8 80 00 01 61 00 01');
    const utf8 = hex('32 00 04 f0 9f 98 80 00 01 61 00 01');
    for (const bytes of [encodeFrame(publish('qryHMsg'), 'client'), encodeFrame(publish('中文'), 'client'), encodeFrame(publish(''), 'client'), cesu, utf8]) {
      expect(outcome(() => decodeFrame(bytes, 'client', { topics: resolve }))).toStrictEqual(outcome(() => decodeFrame(bytes, 'client')));
    }
    expect(decodeFrame(cesu, 'client', { topics: resolve })).toMatchObject({ topic: '😀' });
    expect(decodeFrame(utf8, 'client', { topics: resolve })).toMatchObject({ topic: '😀' });
  });

  it('fails past a known topic with the same error and message', () => {
    const { resolve } = resolver(['ppMsgP']);
    for (const text of [
      '32 00 06 70 70 4d 73 67 50', // no targetId
      '32 00 06 70 70 4d 73 67 50 00 05 61', // targetId cut
      '32 00 06 70 70 4d 73 67 50 00 01 ff 00 01', // targetId malformed
      '32 00 06 70 70 4d 73 67 50 00 01 61 00', // messageId cut
      '50 00 06 70 70 4d 73 67 50 00 01 61', // QUERY without messageId
    ]) {
      const bytes = hex(text);
      const plain = outcome(() => decodeFrame(bytes, 'client'));
      expect('code' in plain).toBe(true);
      expect(outcome(() => decodeFrame(bytes, 'client', { topics: resolve }))).toStrictEqual(plain);
    }
  });

  it('asks only for a client PUBLISH/QUERY whose topic is all there', () => {
    const { resolve, calls } = resolver(['ppMsgP']);
    const cases: [string, FrameOrigin][] = [
      ['32', 'client'],
      ['32 00', 'client'],
      ['32 00 06 70 70 4d', 'client'], // topic cut
      ['40 00 07', 'client'],
      ['c0', 'client'],
      ['90 00 01', 'client'],
      ['', 'client'],
    ];
    for (const [text, origin] of cases) {
      const bytes = hex(text);
      expect(outcome(() => decodeFrame(bytes, origin, { topics: resolve }))).toStrictEqual(outcome(() => decodeFrame(bytes, origin)));
    }
    // A server PUBLISH (what the SDK reads) is never resolved.
    const server = encodeFrame({ ...publish('ppMsgP'), date: 1_600_000_000 }, 'server');
    expect(decodeFrame(server, 'server', { topics: resolve })).toStrictEqual(decodeFrame(server, 'server'));
    expect(calls).toEqual([]);
  });

  it('keeps strict mode for the other frames', () => {
    const { resolve } = resolver(['ppMsgP']);
    expect(() => decodeFrame(hex('c0 00'), 'client', { strict: true, topics: resolve })).toThrow(ProtocolError);
    expect(decodeFrame(encodeFrame(publish('ppMsgP'), 'client'), 'client', { strict: true, topics: resolve })).toStrictEqual(publish('ppMsgP'));
  });

  it('FrameReader (the SDK) decodes as decodeFrame without a resolver', () => {
    const bytes = encodeFrame({ ...publish('s_msg'), date: 1_600_000_000 }, 'server');
    expect(new FrameReader('server').push(bytes)).toStrictEqual([decodeFrame(bytes, 'server')]);
  });

  it('decodes any client bytes as without it (property)', () => {
    const known = ['ppMsgP', 'pullMsg', 'qryHMsg', 'a', 'ppMsgS'];
    const { resolve } = resolver(known);
    const topic = fc.oneof(fc.constantFrom(...known, 'ppMsg', 'ppMsgPP', 'pPMsgP', '中文', '😀'), fc.string({ maxLength: 8 }));
    const frame = fc
      .record({ kind: fc.constantFrom('publish' as const, 'query' as const), dup: fc.boolean(), qos: fc.integer({ min: 0, max: 3 }), retain: fc.boolean(), topic, targetId: fc.string({ maxLength: 12 }), messageId: fc.integer({ min: 0, max: 0xffff }), payload: fc.uint8Array({ maxLength: 24 }) })
      .map((f) => encodeFrame(f as Frame, 'client'));
    // Valid frames, cut anywhere, or with one byte changed.
    const bytes = fc.oneof(
      frame,
      frame.chain((b) => fc.integer({ min: 0, max: b.length }).map((n) => b.subarray(0, n))),
      frame.chain((b) => fc.record({ at: fc.integer({ min: 0, max: b.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }).map(({ at, value }) => Uint8Array.from(b, (x, i) => (i === at ? value : x)))),
    );
    fc.assert(
      fc.property(bytes, (input) => {
        expect(outcome(() => decodeFrame(input, 'client', { topics: resolve }))).toStrictEqual(outcome(() => decodeFrame(input, 'client')));
      }),
      { numRuns: 3000 },
    );
  });
});
