import { decodeUtf8, encodeUtf8 } from '../../../src/codec/utf8';
import { cometJsonToPayload, payloadToCometJson } from '../../../src/protocol/comet-json';
import { RC_MESSAGES, decodeByName, encodeByName, encodeMessage, messageCodec } from '../../../src/protocol/messages';
import type { RcMessageName } from '../../../src/protocol/messages';
import { ProtocolError } from '../../../src/protocol/protocol-error';
import { MESSAGE_NAMES, fromHex, hex, sampleMessage } from './protobuf-samples';

function errorOf(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  throw new Error('expected a ProtocolError');
}

describe('§10.3 downstream data strings', () => {
  // The `data` string of the ✅ pull response in PROTOCOL.md §10.3.
  const pullData =
    '{"list":[{"fromUserId":"user2","type":1,"classname":"RC:TxtMsg","content":"{\\"content\\":\\"hi comet\\"}",' +
    '"dataTime":1600000000000,"status":48,"msgId":"AAAA-BBBB-CCCC-0001"}],"syncTime":1600000000000,"finished":true}';

  it('pull response: JSON → protobuf → the identical JSON text', () => {
    const bytes = cometJsonToPayload('DownStreamMessages', pullData);
    const decoded = decodeByName('DownStreamMessages', bytes);
    expect(decoded.syncTime).toBe(1600000000000);
    expect(decoded.finished).toBe(true);
    const first = decoded.list[0];
    expect(first?.msgId).toBe('AAAA-BBBB-CCCC-0001');
    expect(decodeUtf8(first?.content ?? new Uint8Array(0))).toBe('{"content":"hi comet"}');
    expect(payloadToCometJson('DownStreamMessages', bytes)).toBe(pullData);
  });

  it('the whole signal array embeds the data as a JSON string', () => {
    const bytes = cometJsonToPayload('DownStreamMessages', pullData);
    const signal = [{ headerCode: 96, messageId: 3, status: 0, date: 1600000000, data: payloadToCometJson('DownStreamMessages', bytes) }];
    expect(JSON.stringify(signal)).toBe(
      '[{"headerCode":96,"messageId":3,"status":0,"date":1600000000,"data":"{\\"list\\":[{\\"fromUserId\\":\\"user2\\",' +
        '\\"type\\":1,\\"classname\\":\\"RC:TxtMsg\\",\\"content\\":\\"{\\\\\\"content\\\\\\":\\\\\\"hi comet\\\\\\"}\\",' +
        '\\"dataTime\\":1600000000000,\\"status\\":48,\\"msgId\\":\\"AAAA-BBBB-CCCC-0001\\"}],\\"syncTime\\":1600000000000,' +
        '\\"finished\\":true}"}]',
    );
  });

  it('s_ntf push data', () => {
    const data = '{"type":1,"time":1600000009000}';
    const bytes = cometJsonToPayload('NotifyMsg', data);
    expect(hex(bytes)).toBe(hex(encodeByName('NotifyMsg', { type: 1, time: 1600000009000 })));
    expect(payloadToCometJson('NotifyMsg', bytes)).toBe(data);
  });

  it('empty repeated fields are emitted as [] (the shape the WebSocket decoder gives clients)', () => {
    expect(payloadToCometJson('DownStreamMessages', fromHex('10 80 80 ba bb c8 2e 18 01'))).toBe(
      '{"list":[],"syncTime":1600000000000,"finished":true}',
    );
  });

  it('UserSettingItem.value (bytes) is a plain string', () => {
    const bytes = encodeByName('PullUserSettingOutput', {
      version: 5,
      items: [{ targetId: '', type: 1, key: 'Tag', value: encodeUtf8('[{"tagId":"t1"}]'), version: 5, status: 0 }],
    });
    expect(JSON.parse(payloadToCometJson('PullUserSettingOutput', bytes))).toEqual({
      items: [{ targetId: '', type: 1, key: 'Tag', value: '[{"tagId":"t1"}]', version: 5, status: 0, tags: [] }],
      version: 5,
    });
  });
});

describe('§10.4 upstream bodies → the bytes the WebSocket transport carries', () => {
  it.each([
    ['E4 pullMsg', 'SyncRequestMsg', '{"ispolling":false,"isPullSend":true,"sendBoxSyncTime":0,"syncTime":0}', '08 00 10 00 20 01 30 00'],
    ['L2 pullMsg', 'SyncRequestMsg', '{"ispolling":false,"sendBoxSyncTime":0,"isPullSend":true,"syncTime":0}', '08 00 10 00 20 01 30 00'],
    ['E4 pullSeAtts', 'SessionReq', '{"time":0}', '08 00'],
    ['E4 pullUS', 'PullUserSettingInput', '{"version":0}', '08 00'],
  ] as const)('%s', (_label, type, body, expected) => {
    const bytes = cometJsonToPayload(type, body);
    expect(hex(bytes)).toBe(expected);
    expect(JSON.parse(payloadToCometJson(type, bytes))).toEqual(JSON.parse(body));
  });

  it('E4 ppMsgP with pushExt', () => {
    const body = '{"sessionId":3,"configFlag":0,"classname":"RC:TxtMsg","content":"{\\"content\\":\\"hello\\"}","pushExt":{"title":"T","templateId":"x"}}';
    const bytes = cometJsonToPayload('UpStreamMessage', body);
    const decoded = decodeByName('UpStreamMessage', bytes);
    expect(decoded.sessionId).toBe(3);
    expect(decodeUtf8(decoded.content)).toBe('{"content":"hello"}');
    expect(decoded.pushExt?.title).toBe('T');
    expect(decoded.pushExt?.templateId).toBe('x');
    expect(JSON.parse(payloadToCometJson('UpStreamMessage', bytes))).toEqual({ ...JSON.parse(body), userId: [] });
  });

  it('L2 ppMsgP equals the binary payload of the same send', () => {
    const body = '{"sessionId":3,"configFlag":0,"classname":"RC:TxtMsg","content":"{\\"content\\":\\"hi\\",\\"extra\\":\\"\\"}"}';
    const binary = encodeByName('UpStreamMessage', {
      sessionId: 3,
      classname: 'RC:TxtMsg',
      content: encodeUtf8('{"content":"hi","extra":""}'),
      configFlag: 0,
    });
    expect(hex(cometJsonToPayload('UpStreamMessage', body))).toBe(hex(binary));
  });

  it('E4 reportsdk', () => {
    const body = '{"sdkInfo":"{\\"engine\\":\\"4.4.2\\",\\"imlib\\":\\"2.9.2\\"}"}';
    expect(payloadToCometJson('ReportSDKInput', cometJsonToPayload('ReportSDKInput', body))).toBe(body);
  });

  it('accepts an already-parsed object and nested messages as objects', () => {
    const bytes = cometJsonToPayload('SetChrmKV', {
      entry: { key: 'k1', value: 'v1', status: 1 },
      bNotify: true,
      notification: { sessionId: 3, classname: 'RC:chrmKVNotiMsg', content: '{"key":"k1","value":"v1","type":1}' },
      type: 4,
    });
    const decoded = decodeByName('SetChrmKV', bytes);
    expect(decoded.entry.key).toBe('k1');
    expect(decoded.notification?.classname).toBe('RC:chrmKVNotiMsg');
  });
});

describe('leniency', () => {
  it('coerces the value types JS apps pass', () => {
    const bytes = cometJsonToPayload('HistoryMsgInput', { targetId: 42, time: '1795625483202', count: '20', order: true });
    const decoded = decodeByName('HistoryMsgInput', bytes);
    expect(decoded.targetId).toBe('42');
    expect(decoded.time).toBe(1795625483202);
    expect(decoded.count).toBe(20);
    expect(decoded.order).toBe(1);
    const sync = decodeByName('SyncRequestMsg', cometJsonToPayload('SyncRequestMsg', { syncTime: 0, ispolling: 'false', isPullSend: 1 }));
    expect(sync.ispolling).toBe(false);
    expect(sync.isPullSend).toBe(true);
  });

  it('ignores unknown keys and null values, wraps a lone value for a repeated field', () => {
    const decoded = decodeByName(
      'UpStreamMessage',
      cometJsonToPayload('UpStreamMessage', { sessionId: 1, classname: 'X', content: 'c', userId: 'u1', pushText: null, bogus: 1 }),
    );
    expect(decoded.userId).toEqual(['u1']);
    expect(Object.prototype.hasOwnProperty.call(decoded, 'pushText')).toBe(false);
  });

  it('encodes a content object as its JSON text', () => {
    const decoded = decodeByName('UpStreamMessage', cometJsonToPayload('UpStreamMessage', { sessionId: 1, classname: 'X', content: { content: 'hi' } }));
    expect(decodeUtf8(decoded.content)).toBe('{"content":"hi"}');
  });

  it('int64 keeps exact ms timestamps and 2^53-1', () => {
    for (const t of [1795625483202, Number.MAX_SAFE_INTEGER]) {
      const json = payloadToCometJson('QueryChrmKV', cometJsonToPayload('QueryChrmKV', { timestamp: t }));
      expect(json).toBe(`{"timestamp":${t}}`);
    }
  });
});

describe('errors', () => {
  it.each([
    ['invalid JSON', 'SessionReq', '{"time":'],
    ['not an object', 'SessionReq', '[1]'],
    ['JSON string body', 'SessionReq', '""'],
    ['missing required field', 'UpStreamMessage', '{"sessionId":3,"classname":"RC:TxtMsg"}'],
    ['missing required nested field', 'SetChrmKV', '{"entry":{"key":"k"}}'],
    ['non-numeric int', 'SessionReq', '{"time":"soon"}'],
    ['int32 out of range', 'ChrmInput', '{"nothing":4294967296}'],
    ['int64 beyond 2^53', 'SessionReq', '{"time":18014398509481984}'],
    ['bad boolean', 'SyncRequestMsg', '{"syncTime":0,"ispolling":"maybe"}'],
    ['object for a string', 'ReportSDKInput', '{"sdkInfo":{"a":1}}'],
    ['scalar for a message', 'SetChrmKV', '{"entry":"k=v"}'],
  ] as const)('%s → ProtocolError(comet-json)', (_label, type, json) => {
    expect(errorOf(() => cometJsonToPayload(type, json)).code).toBe('comet-json');
  });

  it('bad protobuf bytes → ProtocolError(protobuf)', () => {
    expect(errorOf(() => payloadToCometJson('UpStreamMessage', fromHex('08 03'))).code).toBe('protobuf');
  });
});

describe.each(MESSAGE_NAMES)('%s via comet JSON', (type: RcMessageName) => {
  it('bytes → JSON → the same bytes', () => {
    const bytes = encodeMessage(messageCodec(type), sampleMessage(type, 1));
    const json = payloadToCometJson(type, bytes);
    expect(hex(cometJsonToPayload(type, json))).toBe(hex(bytes));
    // Bytes fields become strings; nothing non-JSON leaks through.
    const parsed: unknown = JSON.parse(json);
    for (const [, name, fieldType] of RC_MESSAGES[type]) {
      if (fieldType === 'bytes' && typeof parsed === 'object' && parsed !== null) {
        expect(typeof Reflect.get(parsed, name)).toBe('string');
      }
    }
  });
});
