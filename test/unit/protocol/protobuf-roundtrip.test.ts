import { ProtocolError } from '../../../src/protocol/protocol-error';
import {
  RC_ENUMS,
  RC_MESSAGES,
  decodeByName,
  decodeMessage,
  encodeByName,
  encodeMessage,
  messageCodec,
} from '../../../src/protocol/messages';
import { rc } from '../../../src/protocol/pbjs-reference';
import type { MessageInit, RcMessageName } from '../../../src/protocol/messages';
import { INT64_SAMPLES, MESSAGE_NAMES, minimalMessage, plain, sampleMessage, stripField } from './protobuf-samples';

function encodeSample(type: RcMessageName, sample: Record<string, unknown>): Uint8Array {
  return encodeMessage(messageCodec(type), sample);
}

describe('generated schema', () => {
  it('has one pbjs class per schema message and one runtime enum per schema enum', () => {
    const runtime = Object.keys(rc).sort();
    expect(runtime).toEqual([...MESSAGE_NAMES, ...Object.keys(RC_ENUMS)].sort());
    for (const name of MESSAGE_NAMES) expect(typeof messageCodec(name).decode).toBe('function');
    expect(rc.ChannelType.GROUP).toBe(3);
    expect(rc.targetType.PERSON).toBe(2);
  });

  it('covers every message of PROTOCOL.md §7, including the L2-only ones', () => {
    // 138 types in E4's schema + QueryChatroomInfoInput/Output, DeleteChrmKV, DeleteMsgOutput (L2),
    // + 3 Lianxin additions (proto/lianxin.proto: ReadPositionItem/Req/Output)
    // + 11 E5-only replies/inputs (proto/e5.proto: 9; conversation.proto: RelationOpInput, RelationDelBatchReq).
    expect(MESSAGE_NAMES.length + Object.keys(RC_ENUMS).length).toBe(156);
    for (const name of ['QueryChatroomInfoInput', 'QueryChatroomInfoOutput', 'DeleteChrmKV', 'DeleteMsgOutput'] as const) {
      expect(RC_MESSAGES[name].length).toBeGreaterThan(0);
    }
  });

  it('keeps field names exactly as in the schema (no camel-casing)', () => {
    expect(RC_MESSAGES.SubUserStatusInput).toEqual([[1, 'userid', 'string', 'repeated']]);
    expect(RC_MESSAGES.ChrmKVOutput.map((f) => f[1])).toEqual(['entries', 'bFullUpdate', 'syncTime']);
    expect(RC_MESSAGES.UserSettingItem.map((f) => f[0])).toEqual([1, 2, 4, 5, 6, 7, 8]);
  });
});

describe.each(MESSAGE_NAMES)('%s', (type) => {
  it('round-trips with every field set', () => {
    for (const seed of [0, 1, 2]) {
      const sample = sampleMessage(type, seed);
      const bytes = encodeSample(type, sample);
      const decoded = decodeMessage(messageCodec(type), bytes, type);
      expect(plain(type, decoded)).toEqual(plain(type, sample));
      // Re-encoding the decoded instance reproduces the bytes (field order is by number).
      expect(encodeMessage(messageCodec(type), decoded)).toEqual(bytes);
      expect(bytes.constructor).toBe(Uint8Array);
    }
  });

  it('round-trips with only the required fields set; absent fields stay absent', () => {
    const sample = minimalMessage(type);
    const decoded = decodeMessage(messageCodec(type), encodeSample(type, sample), type);
    expect(plain(type, decoded)).toEqual(plain(type, sample));
  });

  const required = RC_MESSAGES[type].filter((f) => f[3] === 'required');
  if (required.length > 0) {
    it.each(required.map((f) => [f[1], f[0]] as const))('rejects a payload without required field %s', (name, id) => {
      const bytes = stripField(encodeSample(type, sampleMessage(type)), id);
      let caught: unknown;
      try {
        decodeMessage(messageCodec(type), bytes, type);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ProtocolError);
      expect((caught as ProtocolError).code).toBe('protobuf');
      expect((caught as ProtocolError).message).toContain(type);
      expect((caught as ProtocolError).message).toContain(name);
    });
  }
});

describe('int64 as plain numbers', () => {
  it.each(INT64_SAMPLES)('DownStreamMessage.dataTime %p round-trips exactly as a number', (t) => {
    const init: MessageInit<'DownStreamMessage'> = {
      fromUserId: 'u',
      type: 1,
      classname: 'RC:TxtMsg',
      content: new Uint8Array(0),
      dataTime: t,
      status: t,
      clientUniqueId: t,
    };
    const decoded = decodeByName('DownStreamMessage', encodeByName('DownStreamMessage', init));
    expect(typeof decoded.dataTime).toBe('number');
    expect(decoded.dataTime).toBe(t);
    expect(decoded.status).toBe(t);
    expect(decoded.clientUniqueId).toBe(t);
  });

  it('absent optional int64 fields read as the number 0, not a Long', () => {
    const decoded = decodeByName('ChrmOutput', Uint8Array.of(0x08, 0x01));
    expect(decoded.joinTime).toBe(0);
    expect(Object.prototype.hasOwnProperty.call(decoded, 'joinTime')).toBe(false);
  });

  it('decodes the same from a Node Buffer (what ws hands the server) as from a Uint8Array', () => {
    const bytes = encodeByName('NotifyMsg', { type: 2, time: 1795625483202, chrmId: 'room 中文 😀' });
    const fromBuffer = decodeByName('NotifyMsg', Buffer.from(bytes));
    expect(plain('NotifyMsg', fromBuffer)).toEqual(plain('NotifyMsg', decodeByName('NotifyMsg', bytes)));
    expect(fromBuffer.time).toBe(1795625483202);
  });

  it('accepts numeric strings for int64 on encode (Long-less protobufjs parses them)', () => {
    const bytes = encodeByName('SessionReq', { time: '1795625483202' as unknown as number });
    expect(decodeByName('SessionReq', bytes).time).toBe(1795625483202);
  });
});

describe('decodeMessage error mapping', () => {
  it.each([
    ['truncated length-delimited field', [0x0a, 0x05, 0x61]],
    ['invalid wire type 7', [0x0f]],
    ['truncated varint', [0x08, 0xff]],
    ['empty payload for a type with required fields', []],
  ])('%s → ProtocolError(protobuf)', (_label, bytes) => {
    expect(() => decodeByName('UpStreamMessage', Uint8Array.from(bytes))).toThrow(ProtocolError);
  });

  it('encodeMessage maps writer failures to ProtocolError(protobuf)', () => {
    const bad = { sessionId: 1, classname: undefined, content: new Uint8Array(0) } as unknown as MessageInit<'UpStreamMessage'>;
    expect(() => encodeByName('UpStreamMessage', bad)).toThrow(ProtocolError);
  });

  it('skips unknown fields (newer client generations append fields)', () => {
    // NotifyMsg{type 1} + field 4 (E5 destroyType, undeclared) + field 99 length-delimited.
    const bytes = Uint8Array.of(0x08, 0x01, 0x20, 0x07, 0x9a, 0x06, 0x02, 0x61, 0x62);
    const decoded = decodeByName('NotifyMsg', bytes);
    expect(decoded.type).toBe(1);
  });
});
