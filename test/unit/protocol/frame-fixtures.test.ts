/**
 * Byte-exact fixtures: every hex example of PROTOCOL.md §4.5 and every complete frame line of the
 * §13 worked session. Each one must encode to exactly those bytes AND decode to the structure.
 */
import type { Frame, FrameOrigin } from '../../../src/protocol/frame';
import { decodeFrame } from '../../../src/protocol/frame-reader';
import { encodeFrame } from '../../../src/protocol/frame-writer';

/** Builds bytes from hex groups ("50 00 0a", `|` separators ignored) and `t('ascii')` text parts. */
interface Text {
  readonly text: string;
}
const t = (text: string): Text => ({ text });
function b(...parts: Array<string | Text>): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      for (const h of part.split(/\s+/).filter((x) => x !== '' && x !== '|')) out.push(parseInt(h, 16));
    } else {
      for (let i = 0; i < part.text.length; i++) out.push(part.text.charCodeAt(i));
    }
  }
  return Uint8Array.from(out);
}
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(' ');

const F = { dup: false, qos: 0, retain: false } as const;
const Q1 = { dup: false, qos: 1, retain: false } as const;

interface Fixture {
  readonly name: string;
  readonly origin: FrameOrigin;
  readonly bytes: Uint8Array;
  readonly frame: Frame;
}

const sNtfPayload = b('08 01 10 88 a7 ba bb c8 2e');
const sMsgPayload = b(
  '0a 05 75 73 65 72 33 10 01 22 09 52 43 3a 54 78 74 4d 73 67 2a 1a 7b 22 63 6f 6e 74 65 6e 74 22 3a 22 64 69 72 65 63 74 20 73 5f 6d 73 67 22 7d',
  '30 d0 8f ba bb c8 2e 38 30 4a 13 58 58 58 58 2d 30 30 30 30 2d 30 30 30 30 2d 30 30 30 32',
);
const ppMsgPayload = b(
  '08 03 12 09 52 43 3a 54 78 74 4d 73 67 1a 13 7b 22 63 6f 6e 74 65 6e 74 22 3a 22 68 65 6c 6c 6f 22 7d 48 00',
);
const pullMsgReq = b('08 00 10 00 20 01 30 00');
const emptyPullResp = b('10 80 80 ba bb c8 2e 18 01');

/** PROTOCOL.md §4.5, in document order. */
const SECTION_4_5: Fixture[] = [
  {
    name: 'CONNECT (reference layout)',
    origin: 'client',
    bytes: b('10 00 06 52 43 6c 6f 75 64 03 c2 00 3c 00 02 63 31 00 01 6b 00 01 74'),
    frame: {
      kind: 'connect',
      ...F,
      protocolName: 'RCloud',
      protocolVersion: 3,
      connectFlags: 0xc2,
      keepAlive: 60,
      clientId: 'c1',
      appId: 'k',
      token: 't',
    },
  },
  {
    name: 'CONNACK extended (user1/sess-1)',
    origin: 'server',
    bytes: b('20 00 00 00 05 75 73 65 72 31 00 06 73 65 73 73 2d 31 00 00 01 74 87 6e 80 7b'),
    frame: { kind: 'connack', ...F, status: 0, userId: 'user1', sessionId: 'sess-1', timestamp: 1600000000123 },
  },
  { name: 'CONNACK short token-incorrect', origin: 'server', bytes: b('20 00 04'), frame: { kind: 'connack', ...F, status: 4 } },
  {
    name: 'PUBLISH C→S ppMsgP',
    origin: 'client',
    bytes: b('32 | 00 06 70 70 4d 73 67 50 | 00 05 75 73 65 72 32 | 00 05 |', '08 03 12 09 52 43 3a 54 78 74 4d 73 67 1a 13 7b 22 63 6f 6e 74 65 6e 74 22 3a 22 68 65 6c 6c 6f 22 7d 48 00'),
    frame: { kind: 'publish', ...Q1, topic: 'ppMsgP', targetId: 'user2', messageId: 5, payload: ppMsgPayload },
  },
  {
    name: 'PUBLISH S→C s_ntf',
    origin: 'server',
    bytes: b('32 5f 5e 10 00 00 05 73 5f 6e 74 66 00 05 75 73 65 72 31 ff f0 08 01 10 88 a7 ba bb c8 2e'),
    frame: {
      kind: 'publish',
      ...Q1,
      date: 1600000000,
      topic: 's_ntf',
      targetId: 'user1',
      messageId: 0xfff0,
      payload: sNtfPayload,
    },
  },
  {
    name: 'PUBLISH S→C s_msg 0x33',
    origin: 'server',
    bytes: b('33 5f 5e 10 02 00 05 73 5f 6d 73 67 00 05 75 73 65 72 33 00 01', toHex(sMsgPayload)),
    frame: {
      kind: 'publish',
      dup: false,
      qos: 1,
      retain: true,
      date: 0x5f5e1002,
      topic: 's_msg',
      targetId: 'user3',
      messageId: 1,
      payload: sMsgPayload,
    },
  },
  {
    // The document elides the tail of the payload: the given prefix is itself a valid frame.
    name: 'PUBLISH sync echo 0x3A (prefix)',
    origin: 'server',
    bytes: b('3a 00 00 00 00 00 06 70 70 4d 73 67 50 00 05 75 73 65 72 34 00 02 08 03 12 09 52 43 3a 54 78 74 4d 73 67 1a 24'),
    frame: {
      kind: 'publish',
      dup: true,
      qos: 1,
      retain: false,
      date: 0,
      topic: 'ppMsgP',
      targetId: 'user4',
      messageId: 2,
      payload: b('08 03 12 09 52 43 3a 54 78 74 4d 73 67 1a 24'),
    },
  },
  {
    name: 'PUBACK S→C ok',
    origin: 'server',
    bytes: b('40 00 05 5f 5e 10 01 00 00 00 ea 00 13 42 4b 52 35 2d 32 38 50 34 2d 4a 54 38 35 2d 41 41 41 41'),
    frame: {
      kind: 'puback',
      ...F,
      messageId: 5,
      date: 1600000001,
      status: 0,
      millisecond: 234,
      messageUId: 'BKR5-28P4-JT85-AAAA',
    },
  },
  {
    name: 'PUBACK S→C error 22406',
    origin: 'server',
    bytes: b('40 00 05 5f 5e 10 01 57 86 00 00 00 00'),
    frame: { kind: 'puback', ...F, messageId: 5, date: 1600000001, status: 22406, millisecond: 0, messageUId: '' },
  },
  { name: 'PUBACK C→S', origin: 'client', bytes: b('40 ff f0'), frame: { kind: 'puback', ...F, messageId: 0xfff0 } },
  {
    name: 'QUERY pullMsg E4',
    origin: 'client',
    bytes: b('50 00 07 70 75 6c 6c 4d 73 67 00 05 75 73 65 72 31 00 03 08 00 10 00 20 01 30 00'),
    frame: { kind: 'query', ...F, topic: 'pullMsg', targetId: 'user1', messageId: 3, payload: pullMsgReq },
  },
  {
    name: 'QUERY pullMsg L2 (qos 1)',
    origin: 'client',
    bytes: b('52 00 07 70 75 6c 6c 4d 73 67 00 05 75 73 65 72 31 00 01 08 00 10 00 20 01 30 00'),
    frame: { kind: 'query', ...Q1, topic: 'pullMsg', targetId: 'user1', messageId: 1, payload: pullMsgReq },
  },
  {
    name: 'QUERYACK with payload',
    origin: 'server',
    bytes: b('60 00 03 5f 5e 10 00 00 00 10 80 80 ba bb c8 2e 18 01'),
    frame: { kind: 'queryack', ...F, messageId: 3, date: 1600000000, status: 0, payload: emptyPullResp },
  },
  {
    name: 'QUERYACK empty payload',
    origin: 'server',
    bytes: b('60 00 04 5f 5e 10 00 00 00'),
    frame: { kind: 'queryack', ...F, messageId: 4, date: 1600000000, status: 0, payload: new Uint8Array(0) },
  },
  {
    name: 'QUERYACK error 23406',
    origin: 'server',
    bytes: b('60 00 07 5f 5e 10 00 5b 6e'),
    frame: { kind: 'queryack', ...F, messageId: 7, date: 1600000000, status: 23406, payload: new Uint8Array(0) },
  },
  { name: 'QUERYCON', origin: 'client', bytes: b('70 00 01'), frame: { kind: 'querycon', ...F, messageId: 1 } },
  { name: 'PINGREQ', origin: 'client', bytes: b('c0'), frame: { kind: 'pingreq', ...F } },
  { name: 'PINGRESP', origin: 'server', bytes: b('d0'), frame: { kind: 'pingresp', ...F } },
  { name: 'DISCONNECT kicked', origin: 'server', bytes: b('e0 00 01'), frame: { kind: 'disconnect', ...F, reason: 1 } },
];

const q = (topic: string, targetId: string, messageId: number, payload: Uint8Array): Frame => ({
  kind: 'query',
  ...F,
  topic,
  targetId,
  messageId,
  payload,
});
const ack = (messageId: number, payload: Uint8Array): Frame => ({
  kind: 'queryack',
  ...F,
  messageId,
  date: 1600000000,
  status: 0,
  payload,
});

const reportSdk = '{"engine":"4.4.2","imlib":"2.9.2"}';
const recallJson =
  '{"conversationType":1,"targetId":"user2","messageUId":"BKR5-28P4-JT85-SK8H","sentTime":1600000000000}';

/** PROTOCOL.md §13, every line whose bytes are given completely (elided payloads are skipped). */
const SECTION_13: Fixture[] = [
  {
    name: '§13 pullSeAtts',
    origin: 'client',
    bytes: b('50 00 0a', t('pullSeAtts'), '00 05', t('user1'), '00 01 | 08 00'),
    frame: q('pullSeAtts', 'user1', 1, b('08 00')),
  },
  { name: '§13 SessionStates ack', origin: 'server', bytes: b('60 00 01 5f 5e 10 00 00 00 08 01'), frame: ack(1, b('08 01')) },
  {
    name: '§13 pullUS',
    origin: 'client',
    bytes: b('50 00 06', t('pullUS'), '00 05', t('user1'), '00 02 08 00'),
    frame: q('pullUS', 'user1', 2, b('08 00')),
  },
  { name: '§13 pullUS ack', origin: 'server', bytes: b('60 00 02 5f 5e 10 00 00 00 10 01'), frame: ack(2, b('10 01')) },
  {
    name: '§13 pullMsg',
    origin: 'client',
    bytes: b('50 00 07', t('pullMsg'), '00 05', t('user1'), '00 03 08 00 10 00 20 01 30 00'),
    frame: q('pullMsg', 'user1', 3, pullMsgReq),
  },
  {
    name: '§13 pullMsg ack',
    origin: 'server',
    bytes: b('60 00 03 5f 5e 10 00 00 00 10 80 80 ba bb c8 2e 18 01'),
    frame: ack(3, emptyPullResp),
  },
  {
    name: '§13 reportsdk',
    origin: 'client',
    bytes: b('50 00 09', t('reportsdk'), '00 05', t('user1'), '00 04 0a 22', t(reportSdk)),
    frame: q('reportsdk', 'user1', 4, b('0a 22', t(reportSdk))),
  },
  { name: '§13 reportsdk ack', origin: 'server', bytes: b('60 00 04 5f 5e 10 00 00 00'), frame: ack(4, new Uint8Array(0)) },
  {
    name: '§13 joinChrm',
    origin: 'client',
    bytes: b('50 00 08', t('joinChrm'), '00 05', t('room1'), '00 07 08 01'),
    frame: q('joinChrm', 'room1', 7, b('08 01')),
  },
  {
    name: '§13 joinChrm ack',
    origin: 'server',
    bytes: b('60 00 07 5f 5e 10 00 00 00 08 01 18 f4 83 ba bb c8 2e'),
    frame: ack(7, b('08 01 18 f4 83 ba bb c8 2e')),
  },
  {
    name: '§13 chrmPull',
    origin: 'client',
    bytes: b('50 00 08', t('chrmPull'), '00 05', t('room1'), '00 08 08 00 10 05'),
    frame: q('chrmPull', 'room1', 8, b('08 00 10 05')),
  },
  {
    name: '§13 pullKV',
    origin: 'client',
    bytes: b('50 00 06', t('pullKV'), '00 05', t('room1'), '00 09 08 00'),
    frame: q('pullKV', 'room1', 9, b('08 00')),
  },
  {
    name: '§13 qryPMsg',
    origin: 'client',
    bytes: b('50 00 07', t('qryPMsg'), '00 05', t('user1'), '00 0b 0a 05', t('user2'), '10 00 18 14 20 00'),
    frame: q('qryPMsg', 'user1', 11, b('0a 05', t('user2'), '10 00 18 14 20 00')),
  },
  { name: '§13 qryPMsg ack', origin: 'server', bytes: b('60 00 0b 5f 5e 10 00 00 00 10 00 18 00'), frame: ack(11, b('10 00 18 00')) },
  {
    name: '§13 qryRelationR',
    origin: 'client',
    bytes: b('50 00 0c', t('qryRelationR'), '00 05', t('user1'), '00 0c 08 01 10 64 18 00 20 00'),
    frame: q('qryRelationR', 'user1', 12, b('08 01 10 64 18 00 20 00')),
  },
  {
    name: '§13 delMsg',
    origin: 'client',
    bytes: b(
      '50 00 06',
      t('delMsg'),
      '00 05',
      t('user1'),
      '00 10 08 01 12 05',
      t('user2'),
      '1a 1e 0a 13',
      t('BKR5-28P4-JT85-SK8H'),
      '10 80 80 ba bb c8 2e 18 02',
    ),
    frame: q(
      'delMsg',
      'user1',
      16,
      b('08 01 12 05', t('user2'), '1a 1e 0a 13', t('BKR5-28P4-JT85-SK8H'), '10 80 80 ba bb c8 2e 18 02'),
    ),
  },
  {
    name: '§13 cleanPMsg',
    origin: 'client',
    bytes: b('50 00 09', t('cleanPMsg'), '00 05', t('user1'), '00 11 0a 05', t('user2'), '10 80 80 ba bb c8 2e'),
    frame: q('cleanPMsg', 'user1', 17, b('0a 05', t('user2'), '10 80 80 ba bb c8 2e')),
  },
  {
    name: '§13 recallMsg publish',
    origin: 'client',
    bytes: b('32 00 09', t('recallMsg'), '00 05', t('user1'), '00 06 08 00 12 08', t('RC:RcCmd'), '1a 65', t(recallJson), '48 00'),
    frame: {
      kind: 'publish',
      ...Q1,
      topic: 'recallMsg',
      targetId: 'user1',
      messageId: 6,
      payload: b('08 00 12 08', t('RC:RcCmd'), '1a 65', t(recallJson), '48 00'),
    },
  },
  {
    name: '§13 sync echo PUBACK',
    origin: 'server',
    bytes: b('40 ff f1 5f 5e 10 03 00 00 01 c8 00 13', t('BKR5-28P4-JT85-0009')),
    frame: {
      kind: 'puback',
      ...F,
      messageId: 0xfff1,
      date: 1600000003,
      status: 0,
      millisecond: 456,
      messageUId: 'BKR5-28P4-JT85-0009',
    },
  },
  { name: '§13 DISCONNECT', origin: 'server', bytes: b('e0 00 01'), frame: { kind: 'disconnect', ...F, reason: 1 } },
];

describe.each([
  ['§4.5', SECTION_4_5],
  ['§13', SECTION_13],
])('PROTOCOL.md %s fixtures', (_section, fixtures) => {
  it.each(fixtures.map((f) => [f.name, f] as const))('%s: encodes byte-exact', (_name, f) => {
    expect(toHex(encodeFrame(f.frame, f.origin))).toBe(toHex(f.bytes));
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s: decodes to the structure (strict)', (_name, f) => {
    expect(decodeFrame(f.bytes, f.origin, { strict: true })).toEqual(f.frame);
  });
});

describe('§13 details', () => {
  it('length bytes in the worked session agree with the quoted texts', () => {
    expect(reportSdk.length).toBe(0x22);
    expect(recallJson.length).toBe(0x65);
  });

  it('sync-echo PUBLISH prefix: header flags, date 0, original topic/target', () => {
    const frame = decodeFrame(b('3a 5f 5e 10 00 00 06', t('ppMsgP'), '00 05', t('user2'), 'ff f1 08 03'), 'server');
    expect(frame).toEqual({
      kind: 'publish',
      dup: true,
      qos: 1,
      retain: false,
      date: 1600000000,
      topic: 'ppMsgP',
      targetId: 'user2',
      messageId: 0xfff1,
      payload: b('08 03'),
    });
  });

  it('PUBACK sentTime = date*1000 + millisecond', () => {
    const frame = decodeFrame(b('40 ff f1 5f 5e 10 03 00 00 01 c8 00 13', t('BKR5-28P4-JT85-0009')), 'server');
    if (frame.kind !== 'puback') throw new Error('not a puback');
    expect((frame.date ?? 0) * 1000 + (frame.millisecond ?? 0)).toBe(1600000003456);
  });

  it('wire-format check of §11.2 status codes', () => {
    const codes: Array<[number, string]> = [
      [22406, '57 86'],
      [23406, '5b 6e'],
      [20604, '50 7c'],
      [405, '01 95'],
    ];
    for (const [status, hex] of codes) {
      const bytes = encodeFrame({ kind: 'queryack', ...F, messageId: 1, date: 0, status, payload: new Uint8Array(0) }, 'server');
      expect(toHex(bytes.subarray(7))).toBe(hex);
    }
  });
});
