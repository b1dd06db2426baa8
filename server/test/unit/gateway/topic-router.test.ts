/**
 * The gateway's topic resolution (server/src/gateway/topic-router.ts): TopicTable maps a routed topic's bytes to
 * the one string kept for it and finds nothing for any other bytes (so decodeFrame decodes those as before), and
 * topicRoute resolves a router's answers once per routed topic.
 */
import fc from 'fast-check';
import { decodeFrame, encodeFrame, ProtocolError, type Frame } from '../../../../src/internal';
import { encodeCesu8, encodeUtf8 } from '../../../../src/codec/utf8';
import { CLIENT_FRAME_OPTIONS, KNOWN_TOPICS, mapRouter, TopicTable, topicRoute, type TopicHandler, type TopicRouter } from '../../../src/gateway/topic-router';
import { RATE_LIMITED_TOPICS } from '../../../src/gateway/rate-limiter';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** `bytes` inside a larger buffer, at `at`: the table reads a range, not a whole array. */
function within(bytes: Uint8Array, at = 3): [Uint8Array, number, number] {
  const buffer = new Uint8Array(at + bytes.length + 2).fill(0x61);
  buffer.set(bytes, at);
  return [buffer, at, at + bytes.length];
}

describe('TopicTable', () => {
  it('resolves the bytes of a kept topic to its string, and nothing else', () => {
    const table = new TopicTable();
    expect(table.intern('ppMsgP')).toBe('ppMsgP');
    expect(table.intern('pullMsg')).toBe('pullMsg');
    expect(table.resolve(...within(ascii('ppMsgP')))).toBe('ppMsgP');
    expect(table.resolve(...within(ascii('pullMsg'), 0))).toBe('pullMsg');
    for (const other of ['ppMsg', 'ppMsgPP', 'ppMsgS', 'PPMSGP', 'pullMsh', '', 'x']) {
      expect(table.resolve(...within(ascii(other)))).toBeUndefined();
    }
  });

  it('keeps ASCII topics only: non-ASCII, CESU-8 and malformed bytes find nothing', () => {
    const table = new TopicTable();
    expect(table.intern('中文')).toBe('中文');
    expect(table.intern('t😀')).toBe('t😀');
    expect(table.resolve(...within(encodeUtf8('中文')))).toBeUndefined();
    expect(table.resolve(...within(encodeCesu8('t😀')))).toBeUndefined();
    expect(table.resolve(...within(encodeUtf8('t😀')))).toBeUndefined();
    table.intern('ab');
    // 'ab' with the high bit set on a byte is not 'ab'.
    expect(table.resolve(...within(Uint8Array.of(0x61, 0xe2)))).toBeUndefined();
    expect(table.resolve(...within(Uint8Array.of(0xe1, 0x62)))).toBeUndefined();
  });

  it('keeps one string per topic and finds every one among many', () => {
    const table = new TopicTable();
    const topics = Array.from({ length: 600 }, (_, i) => `t${i.toString(36)}Msg${i % 7}`);
    for (const topic of topics) expect(table.intern(topic)).toBe(topic);
    for (const topic of topics) expect(table.intern(topic.slice(0))).toBe(topic);
    for (const topic of topics) expect(table.resolve(...within(ascii(topic)))).toBe(topic);
  });

  it('stops keeping topics past its bound (they are still interned as themselves)', () => {
    const table = new TopicTable();
    for (let i = 0; i < 1024; i++) table.intern(`k${i}`);
    expect(table.intern('late')).toBe('late');
    expect(table.resolve(...within(ascii('late')))).toBeUndefined();
    expect(table.resolve(...within(ascii('k1023')))).toBe('k1023');
  });

  it('leaves decodeFrame’s result unchanged for any client bytes (property)', () => {
    const table = new TopicTable();
    const known = ['ppMsgP', 'ppMsgS', 'pullMsg', 'qryHMsg', 'chatMsg', 'a'];
    for (const topic of known) table.intern(topic);
    const topic = fc.oneof(fc.constantFrom(...known, 'ppMsg', 'ppMsgPP', '中文', '😀', ''), fc.string({ maxLength: 8 }));
    const frame = fc
      .record({ kind: fc.constantFrom('publish' as const, 'query' as const), dup: fc.boolean(), qos: fc.integer({ min: 0, max: 3 }), retain: fc.boolean(), topic, targetId: fc.string({ maxLength: 12 }), messageId: fc.integer({ min: 0, max: 0xffff }), payload: fc.uint8Array({ maxLength: 16 }) })
      .map((f) => encodeFrame(f as Frame, 'client'));
    const bytes = fc.oneof(
      frame,
      frame.chain((b) => fc.integer({ min: 0, max: b.length }).map((n) => b.subarray(0, n))),
      frame.chain((b) => fc.record({ at: fc.integer({ min: 0, max: b.length - 1 }), value: fc.integer({ min: 0, max: 255 }) }).map(({ at, value }) => Uint8Array.from(b, (x, i) => (i === at ? value : x)))),
    );
    const outcome = (decode: () => Frame): unknown => {
      try {
        const decoded = decode();
        return { decoded, keys: Object.keys(decoded) };
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        return { code: error.code, message: error.message };
      }
    };
    fc.assert(
      fc.property(bytes, (input) => {
        expect(outcome(() => decodeFrame(input, 'client', { topics: table.resolve }))).toStrictEqual(outcome(() => decodeFrame(input, 'client')));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('topicRoute', () => {
  const handler: TopicHandler = () => undefined;

  function countingRouter(handlers: Record<string, TopicHandler>, pipelined: readonly string[]): { router: TopicRouter; asked: string[] } {
    const asked: string[] = [];
    const inner = mapRouter(handlers);
    return {
      asked,
      router: {
        handle: (topic) => {
          asked.push(topic);
          return inner.handle(topic);
        },
        pipelined: (topic) => pipelined.includes(topic),
      },
    };
  }

  it('resolves a routed topic once per router: handler, order, send limit, labels', () => {
    const { router, asked } = countingRouter({ ppMsgP: handler, pullMsg: handler }, ['ppMsgP']);
    const route = topicRoute(router, 'ppMsgP');
    expect(route).toMatchObject({ topic: 'ppMsgP', handler, pipelined: true, rateLimited: true });
    expect(route.publishLabels).toEqual({ kind: 'publish', topic: 'ppMsgP' });
    expect(route.queryLabels).toEqual({ kind: 'query', topic: 'ppMsgP' });
    expect(route.latencyLabels).toEqual({ topic: 'ppMsgP' });
    expect(topicRoute(router, 'ppMsgP')).toBe(route);
    expect(topicRoute(router, ['pp', 'MsgP'].join(''))).toBe(route);
    expect(topicRoute(router, 'pullMsg')).toMatchObject({ topic: 'pullMsg', handler, pipelined: false, rateLimited: false });
    expect(topicRoute(router, 'pullMsg')).toBe(topicRoute(router, 'pullMsg'));
    expect(asked).toEqual(['ppMsgP', 'pullMsg']);
    // Another router has its own routes.
    const other = countingRouter({ ppMsgP: handler }, []);
    expect(topicRoute(other.router, 'ppMsgP')).toMatchObject({ topic: 'ppMsgP', handler, pipelined: false });
    expect(topicRoute(other.router, 'ppMsgP')).not.toBe(route);
  });

  it('answers an unrouted topic with `unsupported` labels, afresh each time (clients choose topics)', () => {
    const { router, asked } = countingRouter({}, ['pcuMsgP']);
    expect(RATE_LIMITED_TOPICS.has('pcuMsgP')).toBe(true);
    const route = topicRoute(router, 'pcuMsgP');
    expect(route).toMatchObject({ topic: 'pcuMsgP', handler: undefined, pipelined: true, rateLimited: true });
    expect(route.publishLabels).toEqual({ kind: 'publish', topic: 'unsupported' });
    expect(route.queryLabels).toEqual({ kind: 'query', topic: 'unsupported' });
    expect(route.latencyLabels).toEqual({ topic: 'unsupported' });
    expect(topicRoute(router, 'pcuMsgP')).not.toBe(route);
    expect(asked).toEqual(['pcuMsgP', 'pcuMsgP']);
    expect(KNOWN_TOPICS.resolve(...within(ascii('pcuMsgP')))).toBeUndefined();
  });

  it('makes a routed topic known to the WebSocket gateway’s decoding', () => {
    const { router } = countingRouter({ zzRoutedTopic: handler }, []);
    const bytes = encodeFrame({ kind: 'publish', dup: false, qos: 1, retain: false, topic: 'zzRoutedTopic', targetId: 'u1', messageId: 3, payload: Uint8Array.of(1) }, 'client');
    expect(KNOWN_TOPICS.resolve(bytes, 3, 3 + 'zzRoutedTopic'.length)).toBeUndefined();
    const first = decodeFrame(bytes, 'client', CLIENT_FRAME_OPTIONS);
    const route = topicRoute(router, (first as { topic: string }).topic);
    expect(KNOWN_TOPICS.resolve(bytes, 3, 3 + 'zzRoutedTopic'.length)).toBe('zzRoutedTopic');
    const again = decodeFrame(bytes, 'client', CLIENT_FRAME_OPTIONS);
    expect(again).toStrictEqual(first);
    expect(topicRoute(router, (again as { topic: string }).topic)).toBe(route);
  });
});
