/**
 * The RongIMClient facade without a network: init rules, argument validation (33003 + warning, never
 * a throw), init/connection preconditions, unsupported methods (39002), registration and listeners.
 */
import { ListenerSlots } from '../../../src/api/listeners';
import { expansionViolation } from '../../../src/api/expansion-api';
import { SILENT_LOGGER } from '../../../src/client/logger';
import { createRongIMLib, ErrorCode, LogLevel, MessageTag, TextMessage, TypingStatusMessage, InformationNotificationMessage } from '../../../src/index';
import type { RongIMClientStatic } from '../../../src/index';
import { idlePlatform } from './idle-platform';

type Outcome = { kind: 'success'; args: unknown[] } | { kind: 'error'; code: number };

function outcome(invoke: (cb: { onSuccess: (...a: unknown[]) => void; onError: (code: number) => void }) => unknown): Promise<Outcome> {
  return new Promise((resolve) => {
    invoke({ onSuccess: (...args) => resolve({ kind: 'success', args }), onError: (code) => resolve({ kind: 'error', code }) });
  });
}

function initialised(): { client: RongIMClientStatic; logs: Array<[number, string]> } {
  const { RongIMClient } = createRongIMLib(idlePlatform());
  const logs: Array<[number, string]> = [];
  RongIMClient.init('app-1', null, { navi: 'http://127.0.0.1:1', logLevel: LogLevel.DEBUG, logStdout: (level, text) => logs.push([level, text]) });
  return { client: RongIMClient, logs };
}

test('getInstance is undefined before init; a second init keeps the first configuration', () => {
  const { RongIMClient } = createRongIMLib(idlePlatform());
  expect(RongIMClient.getInstance()).toBeUndefined();
  RongIMClient.init('first', null, {});
  const instance = RongIMClient.getInstance();
  RongIMClient.init('second', null, {});
  expect(RongIMClient.getInstance()).toBe(instance);
  expect(instance.getAppInfo()).toEqual({ appKey: 'first' });
  expect(instance.getCurrentUserId()).toBe('');
});

test('init with a bad appKey does not throw and leaves the SDK uninitialised', () => {
  const { RongIMClient } = createRongIMLib(idlePlatform());
  expect(() => RongIMClient.init(42 as unknown as string, null, {})).not.toThrow();
  expect(RongIMClient.getInstance()).toBeUndefined();
});

test('connect before init → 33001; with an empty or non-string token → onTokenIncorrect', async () => {
  const { RongIMClient } = createRongIMLib(idlePlatform());
  await expect(new Promise((resolve) => void RongIMClient.connect('t', { onError: resolve }))).resolves.toBe(ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT);
  RongIMClient.init('app', null, {});
  for (const token of ['', null, 7]) {
    await expect(new Promise((resolve) => void RongIMClient.connect(token as string, { onTokenIncorrect: () => resolve('incorrect'), onError: resolve }))).resolves.toBe('incorrect');
  }
});

test('wrong argument types are reported as 33003 with a warning, never thrown', async () => {
  const { client, logs } = initialised();
  const im = client.getInstance();
  const cases: Array<[string, (cb: never) => unknown]> = [
    ['sendMessage targetId', (cb) => im.sendMessage(1, 5 as unknown as string, new TextMessage({ content: 'x' }), cb)],
    ['sendMessage msg', (cb) => im.sendMessage(1, 't', 'plain text', cb)],
    ['sendMessage conversationType', (cb) => im.sendMessage(99, 't', new TextMessage({ content: 'x' }), cb)],
    ['getHistoryMessages count 0', (cb) => im.getHistoryMessages(1, 't', 0, 0, cb)],
    ['getHistoryMessages count 21', (cb) => im.getHistoryMessages(1, 't', 0, 21, cb)],
    ['getHistoryMessages order', (cb) => im.getHistoryMessages(1, 't', 0, 5, cb, undefined, 2 as 0)],
    ['getConversationList types', (cb) => im.getConversationList(cb, ['1'] as unknown as number[])],
    ['getConversation targetId', (cb) => im.getConversation(1, '', cb)],
    ['deleteRemoteMessages 101', (cb) => im.deleteRemoteMessages(1, 't', Array.from({ length: 101 }, () => ({ messageUId: 'u', sentTime: 1, messageDirection: 1 })), cb)],
    ['deleteRemoteMessages item', (cb) => im.deleteRemoteMessages(1, 't', [{ sentTime: 1 }], cb)],
    ['setConversationStatus', (cb) => im.setConversationStatus(1, 't', { notificationStatus: 3 as 1 }, cb)],
    ['sendRecallMessage', (cb) => im.sendRecallMessage({ conversationType: 1, targetId: 't', sentTime: 1 }, cb)],
    ['clearRemoteHistoryMessages', (cb) => im.clearRemoteHistoryMessages({ conversationType: 1 } as never, cb)],
    ['getTotalUnreadCount includeMuted', (cb) => im.getTotalUnreadCount(cb, [1], 'yes' as unknown as boolean)],
    ['updateMessageExpansion', (cb) => im.updateMessageExpansion('k' as never, { conversationType: 1, targetId: 't', messageUId: 'u' }, cb)],
  ];
  for (const [name, invoke] of cases) {
    let result: Outcome | undefined;
    expect(() => {
      void outcome((cb) => invoke(cb as never)).then((r) => (result = r));
    }).not.toThrow();
    await new Promise((r) => setTimeout(r, 0));
    expect([name, result]).toEqual([name, { kind: 'error', code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER }]);
  }
  expect(logs.filter(([level]) => level === LogLevel.WARN).length).toBeGreaterThanOrEqual(cases.length);
});

test('valid calls before any connect fail with 30001; drafts need a signed-in user', async () => {
  const { client } = initialised();
  const im = client.getInstance();
  await expect(outcome((cb) => im.getConversationList(cb, null))).resolves.toEqual({ kind: 'error', code: ErrorCode.RC_NET_CHANNEL_INVALID });
  await expect(outcome((cb) => im.sendMessage(1, 't', new TextMessage({ content: 'x' }), cb))).resolves.toEqual({ kind: 'error', code: ErrorCode.RC_NET_CHANNEL_INVALID });
  await expect(outcome((cb) => im.getUnreadCount(1, 't', cb))).resolves.toEqual({ kind: 'error', code: ErrorCode.RC_NET_CHANNEL_INVALID });
  expect(im.saveTextMessageDraft(1, 't', 'x')).toBe(false);
  expect(im.getTextMessageDraft(1, 't')).toBeUndefined();
});

test('reconnect before any disconnect is refused with 35007', async () => {
  const { client } = initialised();
  await expect(new Promise((resolve) => void client.reconnect({ onError: resolve }))).resolves.toBe(ErrorCode.CAN_NOT_RECONNECT);
});

test('Electron/C++-only methods report 39002 NOT_SUPPORT (or return null)', async () => {
  const { client, logs } = initialised();
  const im = client.getInstance();
  await expect(outcome((cb) => im.getBlacklist(cb))).resolves.toEqual({ kind: 'error', code: ErrorCode.NOT_SUPPORT });
  await expect(outcome((cb) => im.searchConversationByContent('k', cb))).resolves.toEqual({ kind: 'error', code: ErrorCode.NOT_SUPPORT });
  expect(im.getUnreadMentionedMessages(1, 't')).toBeNull();
  expect(im.getChannel('c')).toBeNull();
  expect(logs.some(([, text]) => text.includes("'getBlacklist' is unusable!"))).toBe(true);
});

test('custom types: RC: names are refused; a registered class sends with its tag flags; object names resolve', () => {
  const { client, logs } = initialised();
  client.registerMessageType('Fake', 'RC:Fake', new MessageTag(true, true), []);
  expect(client.RegisterMessage['Fake']).toBeUndefined();
  expect(logs.some(([, text]) => text.includes('reserved'))).toBe(true);
  client.registerMessageType('PersonMessage', 'App:Person', new MessageTag(false, true), ['name']);
  const Person = client.RegisterMessage['PersonMessage'];
  expect(Person).toBeDefined();
  if (!Person) return;
  expect({ ...new Person({ name: 'A' }) }).toEqual({ messageType: 'PersonMessage', objectName: 'App:Person', content: { name: 'A' }, isPersited: true, isCounted: false });
  expect(client.RegisterMessageTypeMapping).toEqual({ 'App:Person': 'PersonMessage' });
  expect(client.getMessageObjectName('PersonMessage')).toBe('App:Person');
  expect(client.getMessageObjectName('TextMessage')).toBe('RC:TxtMsg');
  expect(client.getMessageObjectName('Nope')).toBe('Nope');
  expect(client.createLogger('RCInternal', 'IM')).toBeNull();
  expect(client.createLogger('MyApp', 'IM')).not.toBeNull();
});

test('built-in classes carry the real storage/count flags', () => {
  expect(new TextMessage({ content: 'x' })).toMatchObject({ isPersited: true, isCounted: true });
  expect(new InformationNotificationMessage({ message: 'x' })).toMatchObject({ isPersited: true, isCounted: false });
  expect(new TypingStatusMessage({ typingContentType: 'RC:TxtMsg' })).toMatchObject({ isPersited: false, isCounted: false });
  expect(new TextMessage({ content: 'x' })).toBeInstanceOf(TextMessage);
});

test('listeners: setting again replaces; documented property aliases are honoured; a throwing listener is contained', () => {
  const slots = new ListenerSlots(SILENT_LOGGER);
  const calls: string[] = [];
  slots.set('connectionStatus', { onChanged: (s: number) => calls.push(`first ${s}`) });
  slots.set('connectionStatus', { onChange: (s: number) => calls.push(`second ${s}`) });
  slots.emit('connectionStatus', 'changed', 0);
  slots.set('conversationStatus', { onChangeed: (list: unknown[]) => calls.push(`status ${list.length}`) });
  slots.emit('conversationStatus', 'changed', [1, 2]);
  slots.set('messageExpansion', { onDelete: () => calls.push('deleted') });
  slots.emit('messageExpansion', 'deleted', {});
  slots.emit('messageExpansion', 'updated', {});
  slots.set('receiveMessage', { onReceived: () => { throw new Error('app bug'); } });
  expect(() => slots.emit('receiveMessage', 'received', {})).not.toThrow();
  slots.set('tag', 'not an object');
  expect(slots.has('tag')).toBe(false);
  expect(calls).toEqual(['second 0', 'status 2', 'deleted']);
});

test('expansion limits: not expandable 34008, >20 keys / long key / long value / >300 total 34010, bad key 33003', () => {
  const base = { conversationType: 1, targetId: 't', messageUId: 'u', canIncludeExpansion: true, expansion: null };
  expect(expansionViolation({ ...base, canIncludeExpansion: false }, { k: 'v' })).toBe(ErrorCode.MESSAGE_KV_NOT_SUPPORT);
  expect(expansionViolation(base, { k: 'v' })).toBeUndefined();
  expect(expansionViolation(base, Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])))).toBe(ErrorCode.EXPANSION_LIMIT_EXCEET);
  expect(expansionViolation(base, { ['k'.repeat(33)]: 'v' })).toBe(ErrorCode.EXPANSION_LIMIT_EXCEET);
  expect(expansionViolation(base, { k: 'v'.repeat(4096) })).toBeUndefined();
  expect(expansionViolation(base, { k: 'v'.repeat(4097) })).toBe(ErrorCode.EXPANSION_LIMIT_EXCEET);
  expect(expansionViolation(base, { '键': 'v' })).toBe(ErrorCode.BIZ_ERROR_INVALID_PARAMETER);
  const full = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`e${i}`, 'v']));
  expect(expansionViolation({ ...base, expansion: full }, { extra: 'v' })).toBe(ErrorCode.EXPANSION_LIMIT_EXCEET);
  expect(expansionViolation({ ...base, expansion: full }, { e1: 'changed' })).toBeUndefined();
});
