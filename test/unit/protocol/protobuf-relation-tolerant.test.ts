import { encodeUtf8 } from '../../../src/codec/utf8';
import { decodeByName, decodeMessage, encodeByName } from '../../../src/protocol/messages';
import { rc } from '../../../src/protocol/pbjs-reference';
import { ProtocolError } from '../../../src/protocol/protocol-error';
import { decodeDelRelationType } from '../../../src/protocol/relation-tolerant';
import { fromHex } from './protobuf-samples';

describe('decodeDelRelationType', () => {
  it('reads E4 RelationQryInput{type, count=0, startTime=0, order=0} (field 2 = varint)', () => {
    for (const type of [1, 3, 5, 6]) {
      const bytes = encodeByName('RelationQryInput', { type, count: 0, startTime: 0, order: 0 });
      expect(decodeDelRelationType(bytes)).toBe(type);
    }
    expect(decodeDelRelationType(fromHex('08 03 10 00 18 00 20 00'))).toBe(3);
  });

  it('reads L2 RelationsInput{type} and with field 2 as an embedded DownStreamMessage', () => {
    expect(decodeDelRelationType(encodeByName('RelationsInput', { type: 3 }))).toBe(3);
    const withMsg = encodeByName('RelationsInput', {
      type: 1,
      msg: {
        fromUserId: 'user2',
        type: 1,
        classname: 'RC:TxtMsg',
        content: encodeUtf8('{"content":"x"}'),
        dataTime: 1600000000000,
        status: 48,
      },
      count: 10,
      startTime: 1795625483202,
    });
    expect(withMsg[2]).toBe(0x12); // field 2, wire type 2
    expect(decodeDelRelationType(withMsg)).toBe(1);
  });

  it('shows why the pbjs decoders cannot be used for this topic (the table codec skips the clash)', () => {
    const e4 = encodeByName('RelationQryInput', { type: 1, count: 0, startTime: 0, order: 0 });
    // protobufjs 7 ignores the wire type of a known field: RelationsInput reads count=0 as a
    // zero-length `msg`, which then fails its own required fields.
    expect(() => decodeMessage(rc.RelationsInput, e4, 'RelationsInput')).toThrow(ProtocolError);
    // The table codec skips a known field that arrives with another wire type.
    const tolerant = decodeByName('RelationsInput', e4);
    expect(tolerant.type).toBe(1);
    expect(Object.prototype.hasOwnProperty.call(tolerant, 'msg')).toBe(false);
  });

  it('skips fixed32/fixed64/unknown length-delimited fields and groups, last type wins', () => {
    const bytes = fromHex(
      '08 01' + // type = 1
        ' 1d 01 02 03 04' + // field 3 fixed32
        ' 21 01 02 03 04 05 06 07 08' + // field 4 fixed64
        ' 2a 03 61 62 63' + // field 5 bytes
        ' 33 08 07 3a 00 34' + // field 6 group { 1: 7, 7: "" }
        ' 08 05', // type = 5
    );
    expect(decodeDelRelationType(bytes)).toBe(5);
  });

  it('reads a negative enum sent as a 10-byte varint as int32', () => {
    expect(decodeDelRelationType(fromHex('08 ff ff ff ff ff ff ff ff ff 01'))).toBe(-1);
  });

  it.each([
    ['empty payload (type missing)', ''],
    ['only field 2', '10 00'],
    ['field 1 as length-delimited', '0a 01 01'],
    ['truncated varint', '08 80'],
    ['truncated embedded message', '08 01 12 05 0a'],
    ['invalid wire type 7', '08 01 17'],
    ['field number 0', '00 01'],
    ['stray end group', '08 01 14'],
    ['unterminated group', '08 01 13 08 01'],
    ['mismatched end group', '08 01 13 1c'],
    ['varint longer than 10 bytes', '08 ff ff ff ff ff ff ff ff ff ff 01'],
  ])('%s → ProtocolError(protobuf)', (_label, text) => {
    let caught: unknown;
    try {
      decodeDelRelationType(fromHex(text));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as ProtocolError).code).toBe('protobuf');
  });

  it('bounds group nesting (100 nested field-2 groups)', () => {
    const nested = fromHex('08 01 ' + '13 '.repeat(100) + '14 '.repeat(100));
    expect(() => decodeDelRelationType(nested)).toThrow(ProtocolError);
  });
});
