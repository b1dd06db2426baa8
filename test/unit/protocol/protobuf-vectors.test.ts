/**
 * Byte-exact payloads from PROTOCOL.md §4.5 and §13 (emitted or accepted by the official clients).
 * Each vector is checked both ways: our encoder produces exactly these bytes, and our decoder
 * reads them back to the same values.
 */
import { decodeUtf8, encodeUtf8 } from '../../../src/codec/utf8';
import { decodeByName, encodeByName } from '../../../src/protocol/messages';
import type { MessageInit, RcMessageName } from '../../../src/protocol/messages';
import { ascii, fromHex, hex, plain } from './protobuf-samples';

interface Vector<N extends RcMessageName> {
  readonly label: string;
  readonly type: N;
  readonly hex: string;
  readonly value: MessageInit<N>;
}

const vectors: ReadonlyArray<Vector<RcMessageName>> = [
  {
    label: '§4.5 PUBLISH ppMsgP UpStreamMessage (E4 sendMessage)',
    type: 'UpStreamMessage',
    hex: `08 03 12 09 ${ascii('RC:TxtMsg')} 1a 13 ${ascii('{"content":"hello"}')} 48 00`,
    value: { sessionId: 3, classname: 'RC:TxtMsg', content: encodeUtf8('{"content":"hello"}'), configFlag: 0 },
  },
  {
    label: '§4.5 s_ntf NotifyMsg',
    type: 'NotifyMsg',
    hex: '08 01 10 88 a7 ba bb c8 2e',
    value: { type: 1, time: 1600000005000 },
  },
  {
    label: '§4.5 s_msg DownStreamMessage',
    type: 'DownStreamMessage',
    hex:
      '0a 05 75 73 65 72 33 10 01 22 09 52 43 3a 54 78 74 4d 73 67 2a 1a 7b 22 63 6f 6e 74 65 6e 74 22 3a 22 64 69 72 65 63 74 20 73 5f 6d 73 67 22 7d ' +
      '30 d0 8f ba bb c8 2e 38 30 4a 13 58 58 58 58 2d 30 30 30 30 2d 30 30 30 30 2d 30 30 30 32',
    value: {
      fromUserId: 'user3',
      type: 1,
      classname: 'RC:TxtMsg',
      content: encodeUtf8('{"content":"direct s_msg"}'),
      dataTime: 1600000002000,
      status: 48,
      msgId: 'XXXX-0000-0000-0002',
    },
  },
  {
    label: '§4.5 QUERY pullMsg SyncRequestMsg (E4 and L2)',
    type: 'SyncRequestMsg',
    hex: '08 00 10 00 20 01 30 00',
    value: { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 },
  },
  {
    label: '§4.5 QUERYACK pullMsg DownStreamMessages',
    type: 'DownStreamMessages',
    hex: '10 80 80 ba bb c8 2e 18 01',
    value: { list: [], syncTime: 1600000000000, finished: true },
  },
  { label: '§13 pullSeAtts SessionReq', type: 'SessionReq', hex: '08 00', value: { time: 0 } },
  { label: '§13 pullSeAtts SessionStates', type: 'SessionStates', hex: '08 01', value: { version: 1 } },
  { label: '§13 pullUS PullUserSettingInput', type: 'PullUserSettingInput', hex: '08 00', value: { version: 0 } },
  { label: '§13 pullUS PullUserSettingOutput', type: 'PullUserSettingOutput', hex: '10 01', value: { version: 1 } },
  {
    label: '§13 reportsdk ReportSDKInput',
    type: 'ReportSDKInput',
    hex: `0a 22 ${ascii('{"engine":"4.4.2","imlib":"2.9.2"}')}`,
    value: { sdkInfo: '{"engine":"4.4.2","imlib":"2.9.2"}' },
  },
  { label: '§13 joinChrm ChrmInput', type: 'ChrmInput', hex: '08 01', value: { nothing: 1 } },
  {
    label: '§13 joinChrm ChrmOutput',
    type: 'ChrmOutput',
    hex: '08 01 18 f4 83 ba bb c8 2e',
    value: { nothing: 1, joinTime: 1600000000500 },
  },
  { label: '§13 chrmPull ChrmPullMsg', type: 'ChrmPullMsg', hex: '08 00 10 05', value: { syncTime: 0, count: 5 } },
  { label: '§13 pullKV QueryChrmKV', type: 'QueryChrmKV', hex: '08 00', value: { timestamp: 0 } },
  {
    label: '§13 qryPMsg HistoryMsgInput',
    type: 'HistoryMsgInput',
    hex: `0a 05 ${ascii('user2')} 10 00 18 14 20 00`,
    value: { targetId: 'user2', time: 0, count: 20, order: 0 },
  },
  {
    label: '§13 qryPMsg HistoryMsgOuput',
    type: 'HistoryMsgOuput',
    hex: '10 00 18 00',
    value: { list: [], syncTime: 0, hasMsg: 0 },
  },
  {
    label: '§13 qryRelationR RelationQryInput',
    type: 'RelationQryInput',
    hex: '08 01 10 64 18 00 20 00',
    value: { type: 1, count: 100, startTime: 0, order: 0 },
  },
  {
    label: '§13 setSeAtt SessionStateModifyReq (DND on + top on)',
    type: 'SessionStateModifyReq',
    hex:
      `08 80 80 ba bb c8 2e 12 1e 08 01 12 05 ${ascii('user2')} 18 80 80 ba bb c8 2e ` +
      `22 05 08 01 12 01 ${ascii('1')} 22 05 08 02 12 01 ${ascii('1')}`,
    value: {
      version: 1600000000000,
      state: [
        {
          type: 1,
          channelId: 'user2',
          time: 1600000000000,
          stateItem: [
            { sessionStateType: 1, value: '1' },
            { sessionStateType: 2, value: '1' },
          ],
        },
      ],
    },
  },
  {
    label: '§13 delMsg DeleteMsgInput',
    type: 'DeleteMsgInput',
    hex: `08 01 12 05 ${ascii('user2')} 1a 1e 0a 13 ${ascii('BKR5-28P4-JT85-SK8H')} 10 80 80 ba bb c8 2e 18 02`,
    value: {
      type: 1,
      conversationId: 'user2',
      msgs: [{ msgId: 'BKR5-28P4-JT85-SK8H', msgDataTime: 1600000000000, direct: 2 }],
    },
  },
  {
    label: '§13 cleanPMsg CleanHisMsgInput',
    type: 'CleanHisMsgInput',
    hex: `0a 05 ${ascii('user2')} 10 80 80 ba bb c8 2e`,
    value: { targetId: 'user2', dataTime: 1600000000000 },
  },
  {
    label: '§13 recallMsg UpStreamMessage',
    type: 'UpStreamMessage',
    hex:
      `08 00 12 08 ${ascii('RC:RcCmd')} 1a 65 ` +
      `${ascii('{"conversationType":1,"targetId":"user2","messageUId":"BKR5-28P4-JT85-SK8H","sentTime":1600000000000}')} 48 00`,
    value: {
      sessionId: 0,
      classname: 'RC:RcCmd',
      content: encodeUtf8('{"conversationType":1,"targetId":"user2","messageUId":"BKR5-28P4-JT85-SK8H","sentTime":1600000000000}'),
      configFlag: 0,
    },
  },
];

describe.each(vectors.map((v) => [v.label, v] as const))('%s', (_label, v) => {
  it('encodes to the documented bytes', () => {
    expect(hex(encodeByName(v.type, v.value))).toBe(hex(fromHex(v.hex)));
  });

  it('decodes the documented bytes to the same values', () => {
    const decoded = decodeByName(v.type, fromHex(v.hex));
    expect(plain(v.type, decoded)).toEqual(plain(v.type, v.value));
  });
});

describe('content bytes', () => {
  it('carry standard 4-byte UTF-8 for non-BMP characters and decode back', () => {
    const text = '{"content":"héllo 中文 😀"}';
    const bytes = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: encodeUtf8(text) });
    const decoded = decodeByName('UpStreamMessage', bytes);
    expect(hex(decoded.content)).toContain('f0 9f 98 80');
    expect(decodeUtf8(decoded.content)).toBe(text);
  });

  it('absent DownStreamMessages.finished is not an own property (clients treat it as true)', () => {
    const decoded = decodeByName('DownStreamMessages', fromHex('10 80 80 ba bb c8 2e'));
    expect(Object.prototype.hasOwnProperty.call(decoded, 'finished')).toBe(false);
    expect(decoded.list).toEqual([]);
  });
});
