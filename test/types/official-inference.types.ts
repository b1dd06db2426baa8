/**
 * Type test (checked by `npm run typecheck` through tsconfig.types.json): code written against the
 * OFFICIAL 2.9.2 typings leans on inference — `onSuccess: (m) => m.messageUId` with no annotation — so
 * every callback result must arrive precisely typed. Each IMClient method that takes a callback, and
 * RongIMClient's connect / reconnect / listeners, is called here touching its result's fields: a result
 * typed `unknown` anywhere fails the check (`'x' is of type 'unknown'`). A method whose success carries
 * nothing hands on `void` (as the official `ICallback<void>` does), which `none()` accepts and `unknown`
 * does not. The `@ts-expect-error` lines prove wrong usage is still rejected. Nothing here runs.
 */
import * as RongIMLib from '../../platforms/browser/index';

declare const token: string;
declare const received: RongIMLib.Message;

/** Accepts only `void`: an `unknown` success argument does not fit. */
const none = (value: void): void => value;
const use = (...values: Array<string | number | boolean | null | undefined>): void => void values;

export function connectAndListen(): void {
  const { RongIMClient, ConnectionStatus, ErrorCode } = RongIMLib;
  void RongIMClient.connect(token, {
    onSuccess: (userId) => use(userId.toUpperCase()),
    onTokenIncorrect: () => use('token'),
    onError: (code) => use(code.toFixed(), code === ErrorCode.RC_NET_UNAVAILABLE),
  });
  void RongIMClient.reconnect({ onSuccess: (userId) => use(userId.length), onError: (code) => use(code + 1) });

  RongIMClient.setConnectionStatusListener({ onChanged: (status) => use(status === ConnectionStatus.CONNECTED) });
  RongIMClient.onConnectionStatusChange({ onChange: (status, code) => use(status.toFixed(), code?.toFixed()) });
  RongIMClient.setOnReceiveMessageListener({
    onReceived: (message, leftCount, hasMore) => use(message.messageUId, message.sentTime, message.senderUserId, leftCount, hasMore),
  });
  RongIMClient.setConversationStatusListener({
    onChanged: (list) => list.forEach((s) => use(s.conversationType, s.targetId, s.isTop, s.notificationStatus, s.updatedTime, s.channelId)),
  });
  RongIMClient.setMessageExpansionListener({
    onUpdated: (data) => use(data.messageUId, Object.keys(data.expansion).length),
    onDeleted: (data) => use(data.messageUId, data.deletedKeys.join()),
  });
  RongIMClient.setTagListener({ onChanged: () => use('tags') });
  RongIMClient.setConversationTagListener({ onChanged: () => use('conversation tags') });
  RongIMClient.setTypingStatusListener({
    onChanged: (list) => list.forEach((t) => use(t.conversationType, t.targetId, t.list.map((u) => u.userId + u.messageType + u.timestamp).join())),
  });
  RongIMClient.setPullOfflineFinished({ onFinish: () => use('offline done') });
  RongIMClient.setMessageBlockedListener({ onReceived: (info) => use(info.blockedMessageUId, info.conversationType, info.targetId, info.blockType, info.extra) });
  RongIMClient.setChatRoomStatusListener({
    onChanged: (info) => {
      info.updatedEntries?.forEach((e) => use(e.key, e.value, e.type, e.chatroomId, e.timestamp));
      use(info.userChange?.chatroomId, info.chatroomDestroyed);
      if (info.userChange) Object.entries(info.userChange.users).forEach(([id, kind]) => use(id, kind.toFixed()));
    },
  });
  RongIMClient.messageWatch((message) => use(message.messageUId));
  RongIMClient.statusWatch((status) => use(status.toFixed()));

  // @ts-expect-error connect's onSuccess receives the user id, a string
  void RongIMClient.connect(token, { onSuccess: (userId) => userId.toFixed() });
  // @ts-expect-error the status listener receives a number
  RongIMClient.setConnectionStatusListener({ onChanged: (status) => status.toUpperCase() });
}

export function conversations(im: RongIMLib.IMClient): void {
  const types = [RongIMLib.ConversationType.PRIVATE, RongIMLib.ConversationType.GROUP];
  im.getConversationList({
    onSuccess(list) {
      list.forEach((c) => use(c.targetId, c.conversationType, c.unreadMessageCount, c.isTop, c.notificationStatus, c.latestMessage?.messageUId, c.sentTime));
    },
    onError: (code) => use(code),
  }, null, 100);
  im.getConversation(1, 'u2', { onSuccess: (c) => use(c?.targetId, c?.latestMessage?.content['content'] === 'hi') });
  im.removeConversation(1, 'u2', { onSuccess: (nothing) => none(nothing), onError: (code) => use(code) });
  im.clearConversations({ onSuccess: (done) => use(done === true) }, types);
  im.setConversationStatus(1, 'u2', { isTop: true }, { onSuccess: (nothing) => none(nothing) });
  im.getTotalUnreadCount({ onSuccess: (count) => use(count.toFixed()) }, types, true);
  im.getUnreadCount(1, 'u2', { onSuccess: (count) => use(count + 1) });
  im.getConversationUnreadCount(types, { onSuccess: (count) => use(count * 2) });
  im.clearUnreadCount(1, 'u2', { onSuccess: (done) => use(!done) });
  im.clearAllUnreadCount({ onSuccess: (done) => use(!done) });
  im.clearTotalUnreadCount({ onSuccess: (done) => use(!done) });

  // @ts-expect-error conversations have no `messageUId`
  im.getConversationList({ onSuccess: (list) => list.map((c) => c.messageUId) }, null, 10);
  // @ts-expect-error the conversation may be null
  im.getConversation(1, 'u2', { onSuccess: (c) => use(c.targetId) });
}

export function messages(im: RongIMLib.IMClient): void {
  const msg = new RongIMLib.TextMessage({ content: 'hello' });
  im.sendMessage(1, 'u2', msg, {
    onBefore: (messageId) => use(messageId.toFixed()),
    onSuccess: (m) => use(m.messageUId, m.messageId, m.sentTime, m.messageType, m.sentStatus === RongIMLib.SentStatus.SENT),
    // The failed message travels with the code (our runtime; the official typings say `unknown`).
    onError: (code, failed) => use(code === RongIMLib.ErrorCode.SENSITIVE_SHIELD, failed?.messageId, failed?.sentStatus),
  });
  im.sendRecallMessage(received, { onSuccess: (recall) => use(recall.messageUId, recall.objectName) });
  im.sendTypingStatusMessage(1, 'u2', 'RC:TxtMsg', { onSuccess: (m) => use(m.objectName) });
  im.getHistoryMessages(3, 'g1', 0, 20, {
    onSuccess: (list, hasMore) => use(list[0]?.sentTime, list.length, hasMore === true, hasMore.valueOf()),
  });
  im.deleteRemoteMessages(1, 'u2', [received], { onSuccess: (nothing) => none(nothing) });
  im.clearRemoteHistoryMessages({ conversationType: 1, targetId: 'u2', timestamp: 0 }, { onSuccess: (nothing) => none(nothing) });
  im.updateMessageExpansion({ k: 'v' }, received, { onSuccess: (nothing) => none(nothing), onError: (code) => use(code) });
  im.removeMessageExpansionForKey(['k'], received, { onSuccess: (nothing) => none(nothing) });

  im.sendReceiptResponse(3, 'g1', { onSuccess: (m) => use(m?.messageUId ?? 'nothing pending') });
  im.sendReadReceiptMessage(['uid'], 'g1', { onSuccess: (nothing) => none(nothing) });
  im.getMessageReader('uid', 'g1', { onSuccess: (r) => use(r.totalMemberCount, r.list.map((x) => x.userId + x.readTime).join()) });

  // The content is read by objectName without narrowing, as the official typings allow (`content: any`).
  im.sendMessage(1, 'u2', msg, { onSuccess: (m) => use(m.objectName === 'RC:TxtMsg' ? m.content.content.length : m.content.imageUri) });
  // @ts-expect-error a Message has no `messageUID` (the field is `messageUId`)
  im.sendMessage(1, 'u2', msg, { onSuccess: (m) => use(m.messageUID) });
  // @ts-expect-error history's second argument is a boolean
  im.getHistoryMessages(3, 'g1', 0, 20, { onSuccess: (_list, hasMore) => hasMore.toFixed() });
  // @ts-expect-error a method whose success carries nothing gives no value
  im.removeConversation(1, 'u2', { onSuccess: (nothing) => use(nothing.length) });
}

export function tags(im: RongIMLib.IMClient): void {
  const conversation = { type: 1, targetId: 'u2' };
  im.createTag({ tagId: 't1', tagName: 'Work' }, { onSuccess: (nothing) => none(nothing) });
  im.updateTag({ tagId: 't1', tagName: 'Job' }, { onSuccess: (nothing) => none(nothing) });
  im.removeTag('t1', { onSuccess: (nothing) => none(nothing) });
  im.getTagList({ onSuccess: (list) => list.forEach((t) => use(t.tagId, t.tagName, t.conversationCount, t.createdTime)) });
  im.addTagForConversations('t1', [conversation], { onSuccess: (nothing) => none(nothing) });
  im.removeTagForConversations('t1', [conversation], { onSuccess: (nothing) => none(nothing) });
  im.removeTagsForConversation(conversation, ['t1'], { onSuccess: (nothing) => none(nothing) });
  im.getTagsForConversation(conversation, { onSuccess: (list) => list.forEach((t) => use(t.tagId, t.tagName, t.isTop, t.createdTime)) });
  im.getConversationListByTag('t1', 20, 0, { onSuccess: (list) => list.forEach((c) => use(c.targetId, c.isTopInTag, c.unreadMessageCount)) });
  im.getUnreadCountByTag('t1', true, { onSuccess: (count) => use(count.toFixed()) });
  im.setConversationStatusInTag('t1', conversation, { isTop: true }, { onSuccess: (nothing) => none(nothing) });

  // @ts-expect-error tag infos have no `name`
  im.getTagList({ onSuccess: (list) => list.map((t) => t.name) });
}

export function chatrooms(im: RongIMLib.IMClient): void {
  im.joinChatRoom('room1', 10, { onSuccess: (nothing) => none(nothing), onError: (code) => use(code) });
  im.quitChatRoom('room1', { onSuccess: (nothing) => none(nothing) });
  im.getChatRoomInfo('room1', 10, 1, {
    onSuccess: (info) => use(info.userTotalNums, info.userInfos.map((u) => u.id + u.time).join()),
  });
  im.getChatRoomHistoryMessages('room1', 20, 0, { onSuccess: (list, hasMore) => use(list[0]?.messageUId, hasMore) });
  const entry = { key: 'k', value: 'v', isSendNotification: true };
  im.setChatroomEntry('room1', entry, { onSuccess: (nothing) => none(nothing) });
  im.forceSetChatroomEntry('room1', entry, { onSuccess: (nothing) => none(nothing) });
  im.removeChatroomEntry('room1', { key: 'k' }, { onSuccess: (nothing) => none(nothing) });
  im.forceRemoveChatroomEntry('room1', { key: 'k' }, { onSuccess: (nothing) => none(nothing) });
  im.setChatRoomEntries('room1', { entries: [{ key: 'a', value: '1' }] }, {
    onSuccess: (nothing) => none(nothing),
    // A partial failure (23428) names the refused keys with their codes.
    onError: (code, failed) => use(code, failed?.['a']?.toFixed()),
  });
  im.removeChatRoomEntries('room1', { entries: ['a'] }, { onSuccess: (nothing) => none(nothing), onError: (_code, failed) => use(Object.keys(failed ?? {}).length) });
  im.getChatroomEntry('room1', 'k', { onSuccess: (value) => use(value.toUpperCase()) });
  im.getAllChatroomEntries('room1', { onSuccess: (entries) => Object.entries(entries).forEach(([k, v]) => use(k, v.length)) });

  // @ts-expect-error an entry's value is a string
  im.getChatroomEntry('room1', 'k', { onSuccess: (value) => value.toFixed() });
}

export function files(im: RongIMLib.IMClient): void {
  im.getFileToken(RongIMLib.FileType.IMAGE, {
    onSuccess: (auth) => use(auth.token, auth.deadline, auth.fileName, auth.bos, auth.qiniu, auth.ossBucketName, auth.s3BucketName, auth.stcBucketName),
    onError: (code) => use(code),
  });
  im.getFileUrl(RongIMLib.FileType.IMAGE, 'key', 'photo.png', { onSuccess: (res) => use(res.downloadUrl) });

  // @ts-expect-error the download URL result has no `url`
  im.getFileUrl(RongIMLib.FileType.FILE, 'key', null, { onSuccess: (res) => res.url });
}

export function explicitErrorCodeType(im: RongIMLib.IMClient): void {
  // Apps that annotate the official enum type on onError still compile.
  im.getUnreadCount(1, 'u2', { onSuccess: (count: number) => use(count), onError: (code: RongIMLib.ErrorCode) => use(code) });
  im.getConversationList({ onError: (code) => { const typed: RongIMLib.ErrorCode = code; use(typed); } }, null);
}
