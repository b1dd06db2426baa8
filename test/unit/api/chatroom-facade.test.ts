/**
 * The chatroom and group-receipt instance methods without a network: every one exists and is real
 * (no 39002 any more), bad arguments are 33003 (never thrown), and valid calls before a connection
 * report 30001 RC_NET_CHANNEL_INVALID.
 */
import { CPP_ONLY_METHODS, RTC_METHODS } from '../../../src/api/unsupported';
import { createRongIMLib, ErrorCode, LogLevel } from '../../../src/index';
import type { IMClient } from '../../../src/index';
import { idlePlatform } from './idle-platform';

type Outcome = { kind: 'success'; args: unknown[] } | { kind: 'error'; code: number };
type Cb = { onSuccess: (...a: unknown[]) => void; onError: (code: number) => void };

function outcome(invoke: (cb: Cb) => unknown): Promise<Outcome> {
  return new Promise((resolve) => {
    invoke({ onSuccess: (...args) => resolve({ kind: 'success', args }), onError: (code) => resolve({ kind: 'error', code }) });
  });
}

function instance(): { im: IMClient; logs: string[] } {
  const { RongIMClient } = createRongIMLib(idlePlatform());
  const logs: string[] = [];
  RongIMClient.init('chatroom-app', null, { navi: 'http://127.0.0.1:1', logLevel: LogLevel.DEBUG, logStdout: (_level, text) => logs.push(text) });
  return { im: RongIMClient.getInstance(), logs };
}

const CHATROOM_METHODS = [
  'joinChatRoom', 'quitChatRoom', 'getChatRoomInfo', 'getChatRoomHistoryMessages', 'setChatroomEntry', 'forceSetChatroomEntry',
  'removeChatroomEntry', 'forceRemoveChatroomEntry', 'setChatRoomEntries', 'removeChatRoomEntries', 'getChatroomEntry', 'getAllChatroomEntries',
];

test('the chatroom methods are implemented, not stubs answering 39002', () => {
  const { im } = instance();
  const stubs: readonly string[] = [...CPP_ONLY_METHODS, ...RTC_METHODS];
  for (const name of CHATROOM_METHODS) {
    expect([name, stubs.includes(name)]).toEqual([name, false]);
    expect([name, typeof (im as unknown as Record<string, unknown>)[name]]).toEqual([name, 'function']);
  }
});

test('bad arguments → 33003 with a warning naming the argument', async () => {
  const { im, logs } = instance();
  const cases: Array<[string, (cb: Cb) => unknown]> = [
    ['chatRoomId', (cb) => im.joinChatRoom('', 10, cb)],
    ['count', (cb) => im.joinChatRoom('r', 51, cb)],
    ['count', (cb) => im.joinChatRoom('r', 1.5, cb)],
    ['count', (cb) => im.getChatRoomInfo('r', 21, 1, cb)],
    ['order', (cb) => im.getChatRoomInfo('r', 5, 3, cb)],
    ['count', (cb) => im.getChatRoomHistoryMessages('r', 21, 0, cb)],
    ['order', (cb) => im.getChatRoomHistoryMessages('r', 5, 2 as 0, cb)],
    ['entry.key', (cb) => im.setChatroomEntry('r', { key: 'bad key', value: 'v' }, cb)],
    ['entry.key', (cb) => im.removeChatroomEntry('r', { key: 'k'.repeat(129) }, cb)],
    ['entry.value', (cb) => im.setChatroomEntry('r', { key: 'k', value: '' }, cb)],
    ['entry.value', (cb) => im.forceSetChatroomEntry('r', { key: 'k', value: 'v'.repeat(4097) }, cb)],
    ['entry.isAutoDelete', (cb) => im.setChatroomEntry('r', { key: 'k', value: 'v', isAutoDelete: 'yes' as unknown as boolean }, cb)],
    ['options.entries', (cb) => im.setChatRoomEntries('r', { entries: {} }, cb)],
    ['options.entries[1].value', (cb) => im.setChatRoomEntries('r', { entries: { a: '1', b: '' } }, cb)],
    ['options.entries[0].key', (cb) => im.removeChatRoomEntries('r', { entries: [{ key: 'no spaces' }] }, cb)],
    ['key', (cb) => im.getChatroomEntry('r', '', cb)],
    ['messageUIds', (cb) => im.sendReadReceiptMessage([], 'g', cb)],
    ['messageUId', (cb) => im.getMessageReader('', 'g', cb)],
  ];
  for (const [name, invoke] of cases) {
    logs.length = 0;
    let thrown: unknown;
    const result = await outcome((cb) => {
      try {
        invoke(cb);
      } catch (error) {
        thrown = error;
        cb.onError(-999);
      }
    });
    expect([name, thrown, result]).toEqual([name, undefined, { kind: 'error', code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER }]);
    expect(logs.some((line) => line.includes(`'${name}' is invalid`))).toBe(true);
  }
});

test('valid calls before a connection → 30001', async () => {
  const { im } = instance();
  const calls: Array<(cb: Cb) => unknown> = [
    (cb) => im.joinChatRoom('r', 10, cb),
    (cb) => im.quitChatRoom('r', cb),
    (cb) => im.getChatRoomInfo('r', 10, 1, cb),
    (cb) => im.getChatRoomHistoryMessages('r', 10, 0, cb),
    (cb) => im.setChatroomEntry('r', { key: 'k', value: 'v' }, cb),
    (cb) => im.setChatRoomEntries('r', { entries: [{ key: 'k', value: 'v' }] }, cb),
    (cb) => im.removeChatRoomEntries('r', { entries: ['k'] }, cb),
    (cb) => im.getChatroomEntry('r', 'k', cb),
    (cb) => im.getAllChatroomEntries('r', cb),
    (cb) => im.sendReadReceiptMessage(['uid'], 'g', cb),
    (cb) => im.getMessageReader('uid', 'g', cb),
  ];
  for (const invoke of calls) await expect(outcome(invoke)).resolves.toEqual({ kind: 'error', code: ErrorCode.RC_NET_CHANNEL_INVALID });
});
