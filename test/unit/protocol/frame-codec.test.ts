/**
 * Frame codec behaviour beyond the fixtures: header helpers, CESU-8 strings, error codes for
 * malformed input and for frames that do not fit their direction's layout, FrameReader.
 */
import type { Frame } from '../../../src/protocol/frame';
import { FrameType } from '../../../src/protocol/frame';
import { ConnectFlag, Header, flagsOf, headerByte, headerOf, kindOfType } from '../../../src/protocol/frame-header';
import { FrameReader, decodeFrame } from '../../../src/protocol/frame-reader';
import { encodeFrame } from '../../../src/protocol/frame-writer';
import { ProtocolError } from '../../../src/protocol/protocol-error';
import type { ProtocolErrorCode } from '../../../src/protocol/protocol-error';

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(/\s+/).filter(Boolean), (h) => parseInt(h, 16));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(' ');
const F = { dup: false, qos: 0, retain: false } as const;

function codeOf(fn: () => unknown): ProtocolErrorCode | 'no error' {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('header byte helpers', () => {
  it('constants equal the bytes built from type + flags', () => {
    expect(Header.PublishQos1).toBe(headerByte(FrameType.Publish, { qos: 1 }));
    expect(Header.PublishQos1Retain).toBe(headerByte(FrameType.Publish, { qos: 1, retain: true }));
    expect(Header.PublishSyncEcho).toBe(headerByte(FrameType.Publish, { qos: 1, dup: true }));
    expect(Header.Puback).toBe(headerByte(FrameType.Puback));
    expect(Header.Query).toBe(headerByte(FrameType.Query));
    expect(Header.QueryAck).toBe(headerByte(FrameType.QueryAck));
    expect(Header.QueryAckQos1Retain).toBe(0x63);
    expect(Header.PingReq).toBe(headerByte(FrameType.PingReq));
    expect(Header.PingResp).toBe(headerByte(FrameType.PingResp));
    expect(Header.Disconnect).toBe(headerByte(FrameType.Disconnect));
    expect([0x32, 0x33, 0x3a, 0x40, 0x50, 0x60, 0xc0, 0xd0, 0xe0]).toEqual([
      Header.PublishQos1,
      Header.PublishQos1Retain,
      Header.PublishSyncEcho,
      Header.Puback,
      Header.Query,
      Header.QueryAck,
      Header.PingReq,
      Header.PingResp,
      Header.Disconnect,
    ]);
  });

  it('flagsOf decodes as the clients do and inverts headerByte', () => {
    expect(flagsOf(0x3a)).toEqual({ dup: true, qos: 1, retain: false });
    expect(flagsOf(0x63)).toEqual({ dup: false, qos: 1, retain: true });
    for (let b = 0; b < 256; b++) {
      const kind = kindOfType(b >> 4);
      if (kind === undefined) continue;
      expect(headerOf({ kind, ...flagsOf(b) })).toBe(b);
    }
  });

  it('types 0, 8–11 and 15 have no kind', () => {
    expect([0, 8, 9, 10, 11, 15].map(kindOfType)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('qos outside 0..3 is an invalid frame', () => {
    expect(codeOf(() => headerByte(FrameType.Publish, { qos: 4 }))).toBe('invalid-frame');
    expect(codeOf(() => encodeFrame({ kind: 'pingreq', dup: false, qos: 1.5, retain: false }, 'client'))).toBe(
      'invalid-frame',
    );
  });
});

describe('frame strings', () => {
  const publish = (targetId: string): Frame => ({
    kind: 'publish',
    ...F,
    qos: 1,
    topic: 'ppMsgP',
    targetId,
    messageId: 1,
    payload: new Uint8Array(0),
  });

  it('are encoded as CESU-8 (non-BMP = two 3-byte surrogates), like both clients', () => {
    const bytes = encodeFrame(publish('😀'), 'client');
    expect(toHex(bytes)).toBe('32 00 06 70 70 4d 73 67 50 00 06 ed a0 bd ed b8 80 00 01');
  });

  it('decode from CESU-8 and from 4-byte UTF-8 to the same string', () => {
    const cesu = hex('32 00 06 70 70 4d 73 67 50 00 06 ed a0 bd ed b8 80 00 01');
    const utf8 = hex('32 00 06 70 70 4d 73 67 50 00 04 f0 9f 98 80 00 01');
    expect(decodeFrame(cesu, 'client')).toEqual(publish('😀'));
    expect(decodeFrame(utf8, 'client')).toEqual(publish('😀'));
  });

  it('BMP non-ASCII round-trips (中文, é)', () => {
    const frame = publish('中文-é');
    expect(decodeFrame(encodeFrame(frame, 'client'), 'client')).toEqual(frame);
  });

  it('malformed bytes are rejected as bad-utf8 (strings are identities)', () => {
    expect(codeOf(() => decodeFrame(hex('32 00 01 ff 00 00 00 01'), 'client'))).toBe('bad-utf8');
    // Lone high surrogate in CESU-8.
    expect(codeOf(() => decodeFrame(hex('32 00 03 ed a0 bd 00 00 00 01'), 'client'))).toBe('bad-utf8');
    // Overlong '/'.
    expect(codeOf(() => decodeFrame(hex('50 00 02 c0 af 00 00 00 01'), 'client'))).toBe('bad-utf8');
  });

  it('longer than 65535 bytes cannot be encoded', () => {
    expect(codeOf(() => encodeFrame(publish('x'.repeat(65536)), 'client'))).toBe('invalid-frame');
    expect(encodeFrame(publish('x'.repeat(65535)), 'client').length).toBe(1 + 8 + 2 + 65535 + 2);
  });
});

describe('decode errors', () => {
  it.each<[string, string, 'client' | 'server', ProtocolErrorCode]>([
    ['empty message', '', 'client', 'truncated'],
    ['type 0', '00', 'client', 'bad-header'],
    ['SUBSCRIBE', '80 00 01', 'client', 'bad-header'],
    ['SUBACK', '90 00 01', 'server', 'bad-header'],
    ['UNSUBSCRIBE', 'a0', 'client', 'bad-header'],
    ['UNSUBACK', 'b0', 'server', 'bad-header'],
    ['type 15', 'f0', 'server', 'bad-header'],
    ['string length beyond the buffer', '50 ff ff 70 75', 'client', 'truncated'],
    ['string length prefix cut', '50 00', 'client', 'truncated'],
    ['PUBLISH without messageId', '32 00 01 61 00 01 62 00', 'client', 'truncated'],
    ['server PUBLISH without full date', '32 5f 5e 10', 'server', 'truncated'],
    ['short server PUBACK', '40 00 05', 'server', 'truncated'],
    ['server PUBACK cut inside messageUId', '40 00 05 5f 5e 10 01 00 00 00 ea 00 13 42 4b', 'server', 'truncated'],
    ['CONNACK of 2 bytes', '20 00', 'server', 'truncated'],
    ['CONNACK with 1 extra byte', '20 00 00 00', 'server', 'truncated'],
    ['CONNACK without timestamp', '20 00 00 00 01 61 00 01 62 00 00 01', 'server', 'truncated'],
    ['CONNACK timestamp ≥ 2^53', '20 00 00 00 01 61 00 01 62 00 20 00 00 00 00 00 00', 'server', 'out-of-range'],
    ['QUERYACK without status', '60 00 03 5f 5e 10 00 00', 'server', 'truncated'],
    ['QUERYCON of 2 bytes', '70 00', 'client', 'truncated'],
    ['DISCONNECT without reason', 'e0 00', 'server', 'truncated'],
    ['CONNECT flagged token missing', '10 00 06 52 43 6c 6f 75 64 03 40 00 3c 00 02 63 31', 'client', 'truncated'],
  ])('%s → %s', (_name, bytes, origin, code) => {
    expect(codeOf(() => decodeFrame(hex(bytes), origin))).toBe(code);
  });

  it('never allocates from a declared length: a 0xFFFF length over 3 bytes fails at once', () => {
    expect(codeOf(() => decodeFrame(hex('32 5f 5e 10 00 ff ff 41 42 43'), 'server'))).toBe('truncated');
  });

  it('largest safe CONNACK timestamp is exact', () => {
    const frame = decodeFrame(hex('20 00 00 00 01 61 00 01 62 00 1f ff ff ff ff ff ff'), 'server');
    expect(frame).toEqual({ kind: 'connack', ...F, status: 0, userId: 'a', sessionId: 'b', timestamp: Number.MAX_SAFE_INTEGER });
  });
});

describe('trailing bytes after fixed-size frames', () => {
  const cases: Array<[string, 'client' | 'server']> = [
    ['c0 00', 'client'],
    ['d0 ff', 'server'],
    ['70 00 01 00', 'client'],
    ['40 ff f0 00', 'client'],
    ['40 00 05 5f 5e 10 01 00 00 00 ea 00 01 41 99', 'server'],
    ['e0 00 01 00', 'server'],
    ['20 00 00 00 01 61 00 01 62 00 00 01 74 87 6e 80 7b 00', 'server'],
  ];

  it.each(cases)('%s is ignored by default (as the clients do)', (bytes, origin) => {
    const frame = decodeFrame(hex(bytes), origin);
    expect(toHex(encodeFrame(frame, origin))).toBe(toHex(hex(bytes).subarray(0, hex(bytes).length - 1)));
  });

  it.each(cases)('%s is rejected in strict mode', (bytes, origin) => {
    expect(codeOf(() => decodeFrame(hex(bytes), origin, { strict: true }))).toBe('trailing-bytes');
  });

  it('reserved bytes of CONNACK/DISCONNECT are ignored on decode and written as 0', () => {
    expect(decodeFrame(hex('e0 7f 01'), 'server')).toEqual({ kind: 'disconnect', ...F, reason: 1 });
    expect(toHex(encodeFrame(decodeFrame(hex('20 99 04'), 'server'), 'server'))).toBe('20 00 04');
  });
});

describe('payload aliasing', () => {
  it('decoded payload is a view into the input buffer', () => {
    const bytes = hex('60 00 03 5f 5e 10 00 00 00 10 80');
    const frame = decodeFrame(bytes, 'server');
    if (frame.kind !== 'queryack') throw new Error('kind');
    expect(frame.payload.buffer).toBe(bytes.buffer);
    expect(frame.payload.byteOffset).toBe(9);
  });

  it('encoded output does not alias the frame payload', () => {
    const payload = hex('08 01');
    const out = encodeFrame({ kind: 'queryack', ...F, messageId: 1, date: 0, status: 0, payload }, 'server');
    payload[0] = 0xff;
    expect(toHex(out)).toBe('60 00 01 00 00 00 00 00 00 08 01');
  });
});

describe('encode validation (direction layouts)', () => {
  const base = { topic: 't', targetId: 'u', messageId: 1, payload: new Uint8Array(0) };
  it.each<[string, Frame, 'client' | 'server']>([
    ['server PUBLISH without date', { kind: 'publish', ...F, ...base }, 'server'],
    ['client PUBLISH with date', { kind: 'publish', ...F, ...base, date: 1 }, 'client'],
    ['server PUBACK without messageUId', { kind: 'puback', ...F, messageId: 1, date: 1, status: 0, millisecond: 0 }, 'server'],
    ['server PUBACK messageId only', { kind: 'puback', ...F, messageId: 1 }, 'server'],
    ['client PUBACK with status', { kind: 'puback', ...F, messageId: 1, status: 0 }, 'client'],
    ['CONNACK with userId only', { kind: 'connack', ...F, status: 0, userId: 'u' }, 'server'],
    ['messageId 65536', { kind: 'querycon', ...F, messageId: 65536 }, 'client'],
    ['negative messageId', { kind: 'querycon', ...F, messageId: -1 }, 'client'],
    ['fractional date', { kind: 'queryack', ...F, messageId: 1, date: 1.5, status: 0, payload: new Uint8Array(0) }, 'server'],
    ['status 65536', { kind: 'queryack', ...F, messageId: 1, date: 1, status: 65536, payload: new Uint8Array(0) }, 'server'],
    ['reason 256', { kind: 'disconnect', ...F, reason: 256 }, 'server'],
    ['CONNACK status 256', { kind: 'connack', ...F, status: 256 }, 'server'],
    ['timestamp 2^53', { kind: 'connack', ...F, status: 0, userId: 'u', sessionId: 's', timestamp: 2 ** 53 }, 'server'],
    [
      'CONNECT token flagged but missing',
      { kind: 'connect', ...F, protocolName: 'RCloud', protocolVersion: 3, connectFlags: ConnectFlag.HasToken, keepAlive: 60, clientId: 'c' },
      'client',
    ],
    [
      'CONNECT appId present but not flagged',
      { kind: 'connect', ...F, protocolName: 'RCloud', protocolVersion: 3, connectFlags: 0, keepAlive: 60, clientId: 'c', appId: 'k' },
      'client',
    ],
  ])('%s → invalid-frame', (_name, frame, origin) => {
    expect(codeOf(() => encodeFrame(frame, origin))).toBe('invalid-frame');
  });

  it('CONNECT with will round-trips', () => {
    const frame: Frame = {
      kind: 'connect',
      ...F,
      protocolName: 'RCloud',
      protocolVersion: 3,
      connectFlags: ConnectFlag.HasWill | ConnectFlag.RetainWill | ConnectFlag.CleanSession,
      keepAlive: 30,
      clientId: 'c',
      willTopic: 'w',
      will: 'bye',
    };
    expect(decodeFrame(encodeFrame(frame, 'client'), 'client', { strict: true })).toEqual(frame);
  });
});

describe('FrameReader', () => {
  it('returns one frame per message and throws ProtocolError on a bad one', () => {
    const reader = new FrameReader('server');
    expect(reader.push(hex('d0'))).toEqual([{ kind: 'pingresp', ...F }]);
    expect(reader.push(hex('40 00 05 5f 5e 10 01 57 86 00 00 00 00'))).toEqual([
      { kind: 'puback', ...F, messageId: 5, date: 1600000001, status: 22406, millisecond: 0, messageUId: '' },
    ]);
    expect(codeOf(() => reader.push(hex('90 00 01')))).toBe('bad-header');
    // Still usable after an error.
    expect(reader.push(hex('e0 00 01'))).toEqual([{ kind: 'disconnect', ...F, reason: 1 }]);
  });

  it('uses its origin for layouts and honours strict', () => {
    expect(new FrameReader('client').push(hex('40 ff f0'))).toEqual([{ kind: 'puback', ...F, messageId: 0xfff0 }]);
    expect(codeOf(() => new FrameReader('client', { strict: true }).push(hex('c0 00')))).toBe('trailing-bytes');
  });
});
