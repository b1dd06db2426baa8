/** sendMessage's positional arguments (API_CHECKLIST "Decisions": config in slot 9, or in slot 8 when an object). */
import { normalizeContent, normalizeSendArgs, pushConfigChecks, sendArgChecks, sendOptionsOf } from '../../../src/api/send-args';
import { firstInvalid } from '../../../src/api/validate';
import { TextMessage } from '../../../src/index';

const msg = new TextMessage({ content: 'x' });
const cb = { onSuccess: () => undefined, onError: () => undefined };

test('config in the 9th slot (official order); methodType in the 8th is ignored', () => {
  const a = normalizeSendArgs([1, 't', msg, cb, false, 'pc', 'pd', 2, { isStatusMessage: true }]);
  expect(a).toMatchObject({ conversationType: 1, targetId: 't', msg, callback: cb, isMentioned: false, pushContent: 'pc', pushData: 'pd', options: { isStatusMessage: true } });
});

test('an object in the 8th slot is the config (seed samples), unless the 9th is given', () => {
  expect(normalizeSendArgs([1, 't', msg, cb, false, 'pc', 'pd', { disableNotification: true }]).options).toEqual({ disableNotification: true });
  expect(normalizeSendArgs([1, 't', msg, cb, false, 'pc', 'pd', { a: 1 }, { b: 2 }]).options).toEqual({ b: 2 });
  expect(normalizeSendArgs([1, 't', msg, cb, false, 'pc', 'pd', null, null]).options).toBeUndefined();
  expect(normalizeSendArgs([1, 't', msg, cb]).options).toBeUndefined();
});

test('argument checks name the first bad argument; optional ones accept null/undefined', () => {
  expect(firstInvalid(sendArgChecks(normalizeSendArgs([1, 't', msg, cb])))).toBeUndefined();
  expect(firstInvalid(sendArgChecks(normalizeSendArgs([1, 't', msg, cb, null, null, null, null, null])))).toBeUndefined();
  expect(firstInvalid(sendArgChecks(normalizeSendArgs(['1', 't', msg, cb])))?.name).toBe('conversationType');
  expect(firstInvalid(sendArgChecks(normalizeSendArgs([1, '', msg, cb])))?.name).toBe('targetId');
  expect(firstInvalid(sendArgChecks(normalizeSendArgs([1, 't', 'text', cb])))?.name).toBe('msg');
  expect(firstInvalid(sendArgChecks(normalizeSendArgs([1, 't', msg, cb, 'yes'])))?.name).toBe('isMentioned');
  expect(firstInvalid(sendArgChecks(normalizeSendArgs([1, 't', msg, cb, false, 7])))?.name).toBe('pushContent');
  expect(firstInvalid(sendArgChecks(normalizeSendArgs([1, 't', msg, cb, false, '', '', null, { userIds: [1] }])))?.name).toBe('config.userIds');
});

test('config fields and push-config text are typed (R292 asserts the config fields; §3.6 MessagePushConfig text is strings)', () => {
  const bad = (config: unknown): string | undefined => firstInvalid(sendArgChecks(normalizeSendArgs([1, 't', msg, cb, false, '', '', null, config])))?.name;
  expect(bad({ isVoipPush: 1 })).toBe('config.isVoipPush');
  expect(bad({ disableNotification: 'true' })).toBe('config.disableNotification');
  expect(bad({ canIncludeExpansion: 'true' })).toBe('config.canIncludeExpansion');
  expect(bad({ expansion: 'k=v' })).toBe('config.expansion');
  expect(bad({ pushConfig: 'title' })).toBe('config.pushConfig');
  expect(bad({ pushConfig: { templateId: 7 } })).toBe('config.pushConfig.templateId');
  expect(bad({ pushConfig: { iOSConfig: 'x' } })).toBe('config.pushConfig.iOSConfig');
  expect(bad({ pushConfig: { iOSConfig: { richMediaUri: 1 } } })).toBe('config.pushConfig.iOSConfig.richMediaUri');
  expect(bad({ pushConfig: { androidConfig: { typeVivo: 1 } } })).toBe('config.pushConfig.androidConfig.typeVivo');
  expect(bad({ pushConfig: { androidConfig: { googleConfig: { imageUrl: {} } } } })).toBe('config.pushConfig.androidConfig.googleConfig.imageUrl');
  // Absent fields (undefined / null) and well-typed ones pass.
  expect(bad({ isVoipPush: null, expansion: undefined, pushConfig: { pushTitle: '', iOSConfig: null, androidConfig: { notificationId: 'n', googleConfig: { priority: 'high' } } } })).toBeUndefined();
  expect(firstInvalid(pushConfigChecks('options.pushConfig', { pushData: 5 }))?.name).toBe('options.pushConfig.pushData');
});

test('config fields are copied out by name; the group sample spelling `userId` is accepted', () => {
  expect(sendOptionsOf({ userId: ['a', 3], expansion: { k: 1 }, pushConfig: { pushTitle: 'T' }, unknown: 1 })).toEqual({ userIds: ['a'], expansion: { k: '1' }, pushConfig: { pushTitle: 'T' } });
  expect(sendOptionsOf('nope')).toBeUndefined();
});

test('receipts written with `messageUid` go on the wire as `messageUId`', () => {
  expect(normalizeContent('RC:ReadNtf', { messageUid: 'U', lastMessageSendTime: 1 })).toEqual({ messageUId: 'U', lastMessageSendTime: 1 });
  expect(normalizeContent('RC:RRReqMsg', { messageUid: 'U' })).toEqual({ messageUId: 'U' });
  expect(normalizeContent('RC:TxtMsg', { messageUid: 'U' })).toEqual({ messageUid: 'U' });
});
