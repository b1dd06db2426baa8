/**
 * Comet signals (PROTOCOL.md §10): exact texts of the §10 examples, signal ↔ CometFrame mapping,
 * E4/L2 DISCONNECT forms, upstream POST query parsing, and fuzzing of the body parser.
 */
import fc from 'fast-check';
import type { CometFrame, CometSignal } from '../../../src/protocol/comet-signal';
import {
  cometDisconnect,
  encodeCometConnectReply,
  encodeCometSignals,
  frameToSignal,
  parseCometBody,
  signalToFrame,
} from '../../../src/protocol/comet-signal';
import { cometUpstreamFrame, parseCometQuery, parseCometUpstream } from '../../../src/protocol/comet-upstream';
import { ProtocolError } from '../../../src/protocol/protocol-error';
import type { ProtocolErrorCode } from '../../../src/protocol/protocol-error';

const F = { dup: false, qos: 0, retain: false } as const;
const Q1 = { dup: false, qos: 1, retain: false } as const;

function codeOf(fn: () => unknown): ProtocolErrorCode | 'no error' {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'no error';
}

/** E4 accepts a connect body only if it survives this check (§10.2). */
const e4RoundTrip = (body: string): boolean => JSON.stringify(JSON.parse(body)) === body;

const PULL_RESPONSE =
  '[{"headerCode":96,"messageId":3,"status":0,"date":1600000000,"data":"{\\"list\\":[{\\"fromUserId\\":\\"user2\\",\\"type\\":1,\\"classname\\":\\"RC:TxtMsg\\",\\"content\\":\\"{\\\\\\"content\\\\\\":\\\\\\"hi comet\\\\\\"}\\",\\"dataTime\\":1600000000000,\\"status\\":48,\\"msgId\\":\\"AAAA-BBBB-CCCC-0001\\"}],\\"syncTime\\":1600000000000,\\"finished\\":true}"}]';
const PUSH = '[{"headerCode":50,"messageId":7,"topic":"s_ntf","targetId":"user1","data":"{\\"type\\":1,\\"time\\":1600000009000}"}]';

describe('connect reply (§10.2)', () => {
  it('is the exact compact object with sessionid and key order', () => {
    const body = encodeCometConnectReply({ status: 0, userId: 'user1', sessionId: 'SID123', timestamp: 1600000000123 });
    expect(body).toBe(
      '{"status":0,"userId":"user1","headerCode":32,"messageId":0,"sessionid":"SID123","timestamp":1600000000123}',
    );
    expect(body).toContain('"sessionid":"');
    expect(e4RoundTrip(body)).toBe(true);
  });

  it('failure reply omits the absent fields', () => {
    expect(encodeCometConnectReply({ status: 4 })).toBe('{"status":4,"headerCode":32,"messageId":0}');
  });

  it('parses (as a single object) into a CONNACK frame', () => {
    const [signal, ...rest] = parseCometBody(
      '{"status":0,"userId":"user1","headerCode":32,"messageId":0,"sessionid":"SID123","timestamp":1600000000123}',
    );
    expect(rest).toEqual([]);
    expect(signalToFrame(signal as CometSignal)).toEqual({
      kind: 'connack',
      ...F,
      status: 0,
      userId: 'user1',
      sessionId: 'SID123',
      timestamp: 1600000000123,
    });
  });
});

describe('downstream bodies (§10.3)', () => {
  it.each([
    ['pull response', PULL_RESPONSE],
    ['push', PUSH],
  ])('%s: parse → encode reproduces the exact text', (_name, text) => {
    expect(encodeCometSignals(parseCometBody(text))).toBe(text);
    expect(e4RoundTrip(text)).toBe(true);
  });

  it('pull response maps to a QUERYACK with the payload left as a JSON string', () => {
    const [signal] = parseCometBody(PULL_RESPONSE);
    const frame = signalToFrame(signal as CometSignal);
    expect(frame).toMatchObject({ kind: 'queryack', ...F, messageId: 3, status: 0, date: 1600000000 });
    if (frame.kind !== 'queryack') throw new Error('kind');
    expect(JSON.parse(frame.data)).toMatchObject({ syncTime: 1600000000000, finished: true });
    expect(encodeCometSignals([frameToSignal(frame)])).toBe(PULL_RESPONSE);
  });

  it('push maps to a qos-1 PUBLISH without date and back', () => {
    const [signal] = parseCometBody(PUSH);
    const frame = signalToFrame(signal as CometSignal);
    expect(frame).toEqual({
      kind: 'publish',
      ...Q1,
      topic: 's_ntf',
      targetId: 'user1',
      messageId: 7,
      data: '{"type":1,"time":1600000009000}',
    });
    expect(encodeCometSignals([frameToSignal(frame)])).toBe(PUSH);
  });

  it('sync echo header 58 keeps dup; date is carried when present', () => {
    const frame: CometFrame = {
      kind: 'publish',
      dup: true,
      qos: 1,
      retain: false,
      date: 0,
      topic: 'ppMsgP',
      targetId: 'user2',
      messageId: 65521,
      data: '{"sessionId":3}',
    };
    const text = encodeCometSignals([frameToSignal(frame)]);
    expect(text).toBe(
      '[{"headerCode":58,"messageId":65521,"topic":"ppMsgP","targetId":"user2","date":0,"data":"{\\"sessionId\\":3}"}]',
    );
    expect(signalToFrame(parseCometBody(text)[0] as CometSignal)).toEqual(frame);
  });

  it('PUBACK carries timestamp (read by both clients) plus date/millisecond', () => {
    const frame: CometFrame = {
      kind: 'puback',
      ...F,
      messageId: 5,
      date: 1600000001,
      status: 0,
      millisecond: 234,
      messageUId: 'BKR5-28P4-JT85-AAAA',
    };
    const text = encodeCometSignals([frameToSignal(frame)]);
    expect(text).toBe(
      '[{"headerCode":64,"messageId":5,"status":0,"date":1600000001,"timestamp":1600000001234,"messageUId":"BKR5-28P4-JT85-AAAA","millisecond":234}]',
    );
    expect(signalToFrame(parseCometBody(text)[0] as CometSignal)).toEqual(frame);
    // A server that sends only `timestamp` still yields date + millisecond.
    expect(signalToFrame({ headerCode: 64, messageId: 5, status: 0, timestamp: 1600000001234, messageUId: 'u' })).toEqual(
      { ...frame, messageUId: 'u' },
    );
  });

  it('client-style PUBACK (messageId only) both ways; ack data without status is refused', () => {
    expect(signalToFrame({ headerCode: 64, messageId: 9 })).toEqual({ kind: 'puback', ...F, messageId: 9 });
    expect(frameToSignal({ kind: 'puback', ...F, messageId: 9 })).toEqual({ headerCode: 64, messageId: 9 });
    expect(codeOf(() => frameToSignal({ kind: 'puback', ...F, messageId: 9, date: 1 }))).toBe('invalid-frame');
  });

  it('QUERYACK without output omits data, and parses back to data ""', () => {
    const frame: CometFrame = { kind: 'queryack', ...F, messageId: 4, date: 1600000000, status: 23406, data: '' };
    const text = encodeCometSignals([frameToSignal(frame)]);
    expect(text).toBe('[{"headerCode":96,"messageId":4,"status":23406,"date":1600000000}]');
    expect(signalToFrame(parseCometBody(text)[0] as CometSignal)).toEqual(frame);
  });

  it('empty array means nothing', () => {
    expect(parseCometBody('[]')).toEqual([]);
    expect(encodeCometSignals([])).toBe('[]');
  });
});

describe('DISCONNECT (§10.3, §10.5)', () => {
  it('E4 gets 224, L2 gets -32 with the literal text L2 looks for', () => {
    expect(encodeCometSignals([cometDisconnect(3, 'e4')])).toBe('[{"headerCode":224,"status":3}]');
    const l2 = encodeCometSignals([cometDisconnect(3, 'l2')]);
    expect(l2).toBe('[{"headerCode":-32,"status":3}]');
    expect(l2).toContain('"headerCode":-32,');
  });

  it('frameToSignal picks the form by dialect; both parse back to the same frame', () => {
    const frame: CometFrame = { kind: 'disconnect', ...F, reason: 1 };
    expect(frameToSignal(frame)).toEqual({ headerCode: 224, status: 1 });
    expect(frameToSignal(frame, 'l2')).toEqual({ headerCode: -32, status: 1 });
    expect(signalToFrame({ headerCode: -32, status: 1 })).toEqual(frame);
    expect(signalToFrame({ headerCode: 224, status: 1 })).toEqual(frame);
  });
});

describe('parse errors', () => {
  it.each([
    ['lost params', 'lost params'],
    ['empty body', ''],
    ['empty object (throws in L2)', '{}'],
    ['array with a non-object', '[1]'],
    ['headerCode as string', '[{"headerCode":"96"}]'],
    ['headerCode out of range', '[{"headerCode":300}]'],
    ['data as object', '[{"headerCode":96,"messageId":1,"status":0,"data":{}}]'],
    ['messageId as string', '[{"headerCode":64,"messageId":"1"}]'],
    ['string JSON', '"x"'],
    ['null', 'null'],
  ])('%s → comet-json', (_name, text) => {
    expect(codeOf(() => parseCometBody(text))).toBe('comet-json');
  });

  it('null values count as absent, unknown keys are ignored', () => {
    expect(parseCometBody('[{"headerCode":50,"messageId":1,"topic":"t","targetId":"u","date":null,"extra":[1]}]')).toEqual([
      { headerCode: 50, messageId: 1, topic: 't', targetId: 'u' },
    ]);
  });

  it.each<[string, CometSignal, ProtocolErrorCode]>([
    ['CONNECT has no comet form', { headerCode: 16 }, 'bad-header'],
    ['SUBACK', { headerCode: 144, messageId: 1 }, 'bad-header'],
    ['PUBLISH without topic', { headerCode: 50, messageId: 1, targetId: 'u' }, 'comet-json'],
    ['QUERYACK without status', { headerCode: 96, messageId: 1 }, 'comet-json'],
    ['PUBACK with fractional id', { headerCode: 64, messageId: 1.5 }, 'comet-json'],
    ['PUBACK with time but no status', { headerCode: 64, messageId: 1, timestamp: 5 }, 'comet-json'],
    ['DISCONNECT without status', { headerCode: 224 }, 'comet-json'],
  ])('signalToFrame: %s → %s', (_name, signal, code) => {
    expect(codeOf(() => signalToFrame(signal))).toBe(code);
  });

  it('encode rejects non-finite numbers', () => {
    expect(codeOf(() => encodeCometSignals([{ headerCode: 96, messageId: 1, status: NaN }]))).toBe('comet-json');
  });
});

describe('upstream POST query (§10.1 #5)', () => {
  it('E4 PUBLISH', () => {
    const up = parseCometUpstream(
      'messageid=5&header=50&sessionid=SID123&topic=ppMsgP&targetid=user2&pid=1795625499879.9038',
    );
    expect(up).toEqual({
      kind: 'publish',
      header: 50,
      flags: Q1,
      messageId: 5,
      sessionId: 'SID123',
      pid: '1795625499879.9038',
      topic: 'ppMsgP',
      targetId: 'user2',
    });
    expect(cometUpstreamFrame(up, '{"sessionId":3}')).toEqual({
      kind: 'publish',
      ...Q1,
      topic: 'ppMsgP',
      targetId: 'user2',
      messageId: 5,
      data: '{"sessionId":3}',
    });
  });

  it('L2 pullMsg QUERY qos 1, messageId beyond u16 (comet counters are unbounded)', () => {
    const up = parseCometUpstream('/websocket?messageid=70000&header=82&sessionid=S&topic=pullMsg&targetid=user1&pid=1600000000000.5');
    expect(up).toMatchObject({ kind: 'query', flags: Q1, messageId: 70000, topic: 'pullMsg', targetId: 'user1' });
  });

  it('PUBACK and QUERYCON ignore the body', () => {
    const puback = parseCometUpstream('messageid=7&header=64&sessionid=S&pid=p');
    expect(puback).toEqual({ kind: 'puback', header: 64, flags: F, messageId: 7, sessionId: 'S', pid: 'p' });
    expect(cometUpstreamFrame(puback, '""')).toEqual({ kind: 'puback', ...F, messageId: 7 });
    const querycon = parseCometUpstream('messageid=1&header=112&sessionid=S');
    expect(cometUpstreamFrame(querycon, '{}')).toEqual({ kind: 'querycon', ...F, messageId: 1 });
  });

  it('topic/targetid are taken leniently (clients do not URL-encode them)', () => {
    expect(parseCometQuery('targetid=a+b&x=%E4%B8%AD&bad=%zz&flag&dup=1&dup=2')).toEqual({
      targetid: 'a+b',
      x: '中',
      bad: '%zz',
      flag: '',
      dup: '1',
    });
  });

  it('accepts a pre-parsed record (first value wins for arrays)', () => {
    const up = parseCometUpstream({ messageid: ['3', '4'], header: '80', topic: 'pullMsg', targetid: 'user1' });
    expect(up).toEqual({ kind: 'query', header: 80, flags: F, messageId: 3, topic: 'pullMsg', targetId: 'user1' });
  });

  it.each([
    ['no header', 'messageid=1&topic=t&targetid=u'],
    ['no messageid', 'header=50&topic=t&targetid=u'],
    ['negative messageid', 'messageid=-1&header=50&topic=t&targetid=u'],
    ['header not a number', 'messageid=1&header=x5&topic=t&targetid=u'],
    ['header > 255', 'messageid=1&header=306&topic=t&targetid=u'],
    ['PINGREQ is not upstream', 'messageid=1&header=192'],
    ['PUBLISH without topic', 'messageid=1&header=50&targetid=u'],
    ['QUERY without targetid', 'messageid=1&header=80&topic=pullMsg'],
  ])('%s → comet-query', (_name, query) => {
    expect(codeOf(() => parseCometUpstream(query))).toBe('comet-query');
  });
});

describe('fuzz', () => {
  const checkBody = (text: string): void => {
    let signals: CometSignal[];
    try {
      signals = parseCometBody(text);
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      return;
    }
    for (const signal of signals) {
      try {
        const frame = signalToFrame(signal);
        // Every frame we accept can be written back, and reads back the same.
        expect(signalToFrame(parseCometBody(encodeCometSignals([frameToSignal(frame)]))[0] as CometSignal)).toEqual(frame);
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
      }
    }
  };

  it('random strings → signals or ProtocolError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), checkBody), { numRuns: 2000 });
  });

  it('random JSON → signals or ProtocolError', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 3 }), checkBody), { numRuns: 2000 });
  });

  it('random signal-shaped objects → frames or ProtocolError', () => {
    const value = fc.oneof(fc.integer({ min: -300, max: 70000 }), fc.string({ maxLength: 6 }), fc.constant(null), fc.double());
    const signalish = fc.record(
      {
        headerCode: fc.oneof(
          fc.constantFrom(32, 48, 50, 58, 64, 80, 96, 98, 112, 208, 224, -32),
          fc.integer({ min: -200, max: 300 }),
        ),
        messageId: fc.oneof(fc.nat(), value),
        status: fc.oneof(fc.nat({ max: 65535 }), value),
        topic: fc.oneof(fc.string({ maxLength: 6 }), value),
        targetId: fc.oneof(fc.string({ maxLength: 6 }), value),
        date: fc.oneof(fc.nat(), value),
        timestamp: fc.oneof(fc.maxSafeNat(), value),
        messageUId: value,
        millisecond: value,
        data: fc.oneof(fc.json(), value),
        userId: value,
        sessionid: value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(signalish, { maxLength: 3 }), (signals) => checkBody(JSON.stringify(signals))),
      { numRuns: 2000 },
    );
  });
});
