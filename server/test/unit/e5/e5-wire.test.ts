/** The local codec for engine 5.x bodies not in proto/ yet (server/src/services/e5-wire.ts). */
import { decodeByName, encodeByName, ProtocolError } from '../../../../src/internal';
import { ChrmKVEntity, decodeE5, encodeE5, QueryReceiptRespItem, SessionsOutput, SetChrmKVS } from '../../../src/services/e5-wire';

describe('e5-wire', () => {
  it('round-trips nested, repeated and 64-bit fields', () => {
    const value = {
      session: [
        { targetId: 'u2', busChannel: '', type: 1, version: 1_795_644_170_786, unread: { cnt: 3, mentionCnt: 0, mentionMeCnt: 0, clearTime: 0, cutOffTime: 1_795_644_170_786, firstUnreadMsg: { msgId: 'A-B', msgTime: 1_795_644_170_000, className: 'RC:TxtMsg' } } },
        { targetId: '群', busChannel: '', type: 3, version: 5, unread: { cnt: 0, mentionCnt: 0, mentionMeCnt: 0, clearTime: 9, cutOffTime: 10 } },
      ],
      pageToken: '3:g1',
    };
    expect(decodeE5(SessionsOutput, encodeE5(SessionsOutput, value))).toEqual(value);
    const item = { msgId: 'm', msgTime: 1, totalCnt: 2, readCnt: 1, readUser: [{ userId: 'a', receiptTime: 7 }], unreadList: ['b', 'c'], unreadCnt: 1 };
    expect(decodeE5(QueryReceiptRespItem, encodeE5(QueryReceiptRespItem, item))).toEqual(item);
  });

  it('writes the bytes the generated codec writes for a shared message, negative int32 included', () => {
    const entry = { key: 'k', value: 'v', status: 3, timestamp: 1_700_000_000_123, uid: 'u1' };
    expect(encodeE5(ChrmKVEntity, entry)).toEqual(encodeByName('ChrmKVEntity', entry));
    expect(decodeE5(ChrmKVEntity, encodeByName('ChrmKVEntity', { ...entry, status: -1 }))).toMatchObject({ status: -1 });
  });

  it('skips unknown fields and reads a SetChrmKV as a one-entry SetChrmKVS', () => {
    const single = encodeByName('SetChrmKV', { entry: { key: 'k', value: 'v' }, bNotify: true, type: 4 });
    expect(decodeE5(SetChrmKVS, single)).toMatchObject({ entry: [{ key: 'k', value: 'v' }], bNotify: true, type: 4 });
    const withUnknown = Uint8Array.from([...encodeE5(ChrmKVEntity, { key: 'k', value: 'v' }), 0x78, 0x05, 0x82, 0x01, 0x02, 0x61, 0x62]);
    expect(decodeE5(ChrmKVEntity, withUnknown)).toEqual({ key: 'k', value: 'v' });
    expect(decodeByName('ChrmKVEntity', encodeE5(ChrmKVEntity, { key: 'k', value: 'v', version: 5 }))).toMatchObject({ key: 'k', value: 'v' });
  });

  it('throws ProtocolError on truncated input', () => {
    const bytes = encodeE5(ChrmKVEntity, { key: 'key', value: 'value' });
    expect(() => decodeE5(ChrmKVEntity, bytes.subarray(0, bytes.length - 2))).toThrow(ProtocolError);
    expect(() => decodeE5(ChrmKVEntity, Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(ProtocolError);
  });
});
