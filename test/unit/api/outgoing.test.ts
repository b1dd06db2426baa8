/**
 * Wire form of outgoing messages (PROTOCOL.md §9.2–§9.7): topic choice, sessionId flag bits, push
 * fields, directed recipients, expansion and the 128 KiB limit — all before any I/O.
 */
import { decodeUtf8 } from '../../../src/codec/utf8';
import { buildOutgoing, MAX_CONTENT_BYTES } from '../../../src/client/services/outgoing';
import { unsentMessage } from '../../../src/client/services/send';
import type { OutgoingInput } from '../../../src/client/services/outgoing';
import { ErrorCode, SdkError } from '../../../src/errors';

const ME = 'me';
const text = (overrides: Partial<OutgoingInput> = {}): OutgoingInput => ({
  conversationType: 1,
  targetId: 'peer',
  objectName: 'RC:TxtMsg',
  content: { content: 'hi' },
  isPersited: true,
  isCounted: true,
  ...overrides,
});

function codeOf(work: () => unknown): number | undefined {
  try {
    work();
  } catch (error) {
    return error instanceof SdkError ? error.code : -999;
  }
  return undefined;
}

test('persisted and counted types carry bits 1 and 2 on the send topic of the conversation type', () => {
  expect(buildOutgoing(text(), ME)).toMatchObject({ topic: 'ppMsgP', flags: 3, status: false, statusMessage: false });
  expect(buildOutgoing(text({ conversationType: 3 }), ME).topic).toBe('pgMsgP');
  expect(buildOutgoing(text({ conversationType: 4 }), ME).topic).toBe('chatMsg');
  expect(buildOutgoing(text({ conversationType: 5 }), ME).topic).toBe('pcMsgP');
  expect(buildOutgoing(text({ objectName: 'RC:InfoNtf', isCounted: false }), ME).flags).toBe(1);
  expect(buildOutgoing(text({ objectName: 'RC:CmdMsg', isPersited: false, isCounted: false }), ME).flags).toBe(0);
});

test('status messages: flags 0, status topics for private/group (fire and forget), chatMsg for chatrooms', () => {
  expect(buildOutgoing(text({ options: { isStatusMessage: true } }), ME)).toMatchObject({ topic: 'ppMsgS', flags: 0, status: true, statusMessage: true });
  expect(buildOutgoing(text({ conversationType: 3, options: { isStatus: true } }), ME)).toMatchObject({ topic: 'pgMsgS', statusMessage: true });
  expect(buildOutgoing(text({ conversationType: 4, options: { isStatusMessage: true } }), ME)).toMatchObject({ topic: 'chatMsg', flags: 0, statusMessage: false });
  // isStatusMessage wins over the deprecated isStatus.
  expect(buildOutgoing(text({ options: { isStatusMessage: false, isStatus: true } }), ME).status).toBe(false);
  // A type the table marks as status (RC:TypSts) is a status message by default.
  expect(buildOutgoing(text({ objectName: 'RC:TypSts', isStatusType: true, content: { typingContentType: 'RC:TxtMsg' } }), ME).topic).toBe('ppMsgS');
});

test('a group @ message with every option is sessionId 103 and carries push, directed ids and expansion', () => {
  const out = buildOutgoing(
    text({
      conversationType: 3,
      content: { content: 'hi @u2', mentionedInfo: { type: 2, userIdList: ['u2'] } },
      isMentioned: true,
      pushContent: 'PC-arg',
      pushData: 'PD-arg',
      options: {
        userIds: ['u2', 'u3'],
        disableNotification: true,
        canIncludeExpansion: true,
        expansion: { k: 'v' },
        isVoipPush: true,
        isFilerWhiteBlacklist: true,
        pushConfig: { pushTitle: 'T', pushContent: 'PC', pushData: 'PD', disablePushTitle: true, forceShowDetailContent: true, androidConfig: { notificationId: 'n1', channelIdMi: 'mi' }, templateId: 'tpl' },
      },
    }),
    ME,
  );
  expect(out.flags).toBe(103);
  expect(out.upstream).toMatchObject({ sessionId: 103, classname: 'RC:TxtMsg', pushText: 'PC', appData: 'PD', userId: ['u2', 'u3'], configFlag: 15, extraContent: '{"k":{"v":"v"}}' });
  expect(out.upstream.pushExt).toMatchObject({ title: 'T', pushId: 'n1', templateId: 'tpl' });
  expect(JSON.parse(out.upstream.pushExt?.pushConfigs ?? '[]')).toContainEqual({ MI: { channelId: 'mi' } });
  expect(JSON.parse(decodeUtf8(out.upstream.content))).toEqual({ content: 'hi @u2', mentionedInfo: { type: 2, userIdList: ['u2'] } });
});

test('push text/data fall back to the positional arguments; only iOS config still yields a vendor list', () => {
  const out = buildOutgoing(text({ pushContent: 'arg text', pushData: 'arg data', options: { pushConfig: { iOSConfig: { threadId: 't1' } } } }), ME);
  expect(out.upstream).toMatchObject({ pushText: 'arg text', appData: 'arg data', configFlag: 0 });
  expect(JSON.parse(out.upstream.pushExt?.pushConfigs ?? '[]')).toEqual([{ APNS: { 'thread-id': 't1', 'apns-collapse-id': '', category: '', richMediaUri: '' } }]);
});

test('@ data is dropped outside groups, and the @ bit needs both isMentioned and mentionedInfo', () => {
  const priv = buildOutgoing(text({ content: { content: 'x', mentionedInfo: { type: 1 } }, isMentioned: true }), ME);
  expect(priv.flags & 4).toBe(0);
  expect(priv.content).toEqual({ content: 'x' });
  expect(buildOutgoing(text({ conversationType: 3, isMentioned: true }), ME).flags & 4).toBe(0);
  expect(buildOutgoing(text({ conversationType: 3, content: { content: 'x', mentionedInfo: { type: 1 } } }), ME).flags & 4).toBe(0);
});

test('directed recipients only for groups; read-status sync is always directed to myself', () => {
  expect(buildOutgoing(text({ options: { userIds: ['x'] } }), ME).upstream.userId).toBeUndefined();
  expect(buildOutgoing(text({ objectName: 'RC:SRSMsg', content: { lastMessageSendTime: 1 }, isPersited: false, isCounted: false }), ME).upstream.userId).toEqual([ME]);
  expect(buildOutgoing(text({ options: { expansion: { k: 'v' } } }), ME).upstream.extraContent).toBeUndefined();
});

test('content is limited to 131072 UTF-8 bytes of JSON (30016); unsupported conversation types are 33003, SYSTEM is sent on pbMsgP', () => {
  const overhead = JSON.stringify({ content: '' }).length;
  expect(codeOf(() => buildOutgoing(text({ content: { content: 'a'.repeat(MAX_CONTENT_BYTES - overhead) } }), ME))).toBeUndefined();
  expect(codeOf(() => buildOutgoing(text({ content: { content: 'a'.repeat(MAX_CONTENT_BYTES - overhead + 1) } }), ME))).toBe(ErrorCode.RC_MSG_CONTENT_EXCEED_LIMIT);
  // Multi-byte characters count in bytes, not UTF-16 units.
  expect(codeOf(() => buildOutgoing(text({ content: { content: '字'.repeat(Math.ceil(MAX_CONTENT_BYTES / 3)) } }), ME))).toBe(ErrorCode.RC_MSG_CONTENT_EXCEED_LIMIT);
  // SYSTEM (6) may be sent since 2.9.8 (rule 87), on engine 5.x's topic; ULTRA_GROUP (10) has no send topic here.
  expect(buildOutgoing(text({ conversationType: 6 }), ME).topic).toBe('pbMsgP');
  expect(codeOf(() => buildOutgoing(text({ conversationType: 10 }), ME))).toBe(ErrorCode.BIZ_ERROR_INVALID_PARAMETER);
  expect(codeOf(() => buildOutgoing(text({ conversationType: 0 }), ME))).toBe(ErrorCode.BIZ_ERROR_INVALID_PARAMETER);
});

test('content JSON cannot render (a cycle, a BigInt) is 33003, and the failed message for it builds without throwing', () => {
  const circular: Record<string, unknown> = { content: 'hi' };
  circular['self'] = circular;
  for (const content of [circular, { content: 'hi', extra: BigInt(1) }]) {
    expect(codeOf(() => buildOutgoing(text({ content }), ME))).toBe(ErrorCode.BIZ_ERROR_INVALID_PARAMETER);
    expect(unsentMessage(text({ content }), ME, 5)).toMatchObject({ content, contentText: '', messageUId: '', sentTime: 5 });
  }
});
