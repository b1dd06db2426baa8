/**
 * Type test of the public API (checked by `npm run typecheck` through tsconfig.types.json): code in the
 * style of the seed's samples must compile against our typings unchanged, and misuse must not.
 * Nothing here runs.
 */
import * as RongIMLib from '../../platforms/browser/index';

declare const appKey: string;
declare const token: string;

export function sampleApp(): void {
  RongIMLib.RongIMClient.init(appKey, null, { navi: 'http://127.0.0.1:9200', logLevel: RongIMLib.LogLevel.WARN });
  RongIMLib.RongIMClient.setConnectionStatusListener({
    onChanged(status: number) {
      if (status === RongIMLib.ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT) console.log('kicked');
    },
  });
  RongIMLib.RongIMClient.setOnReceiveMessageListener({
    onReceived(message: RongIMLib.Message) {
      const direction: number = message.messageDirection;
      console.log(direction, message.content, message.messageUId, message.sentTime);
    },
  });
  void RongIMLib.RongIMClient.connect(token, {
    onSuccess(userId: string) {
      console.log(userId);
    },
    onTokenIncorrect() {
      console.log('token incorrect');
    },
    onError(errorCode: number) {
      console.log(errorCode === RongIMLib.ErrorCode.RC_NET_UNAVAILABLE);
    },
  });

  const im = RongIMLib.RongIMClient.getInstance();
  const msg = new RongIMLib.TextMessage({ content: 'hello', extra: 'x' });
  im.sendMessage(RongIMLib.ConversationType.PRIVATE, 'user2', msg, {
    onSuccess(message: RongIMLib.Message) {
      console.log(message.messageUId);
    },
    onError(errorCode: number, message?: unknown) {
      console.log(errorCode, message);
    },
  });
  im.getConversationList({
    onSuccess(list: RongIMLib.IConversation[]) {
      console.log(list.length);
    },
  }, null, 100);
  im.getHistoryMessages(RongIMLib.ConversationType.GROUP, 'group1', 0, 20, {
    onSuccess(list: RongIMLib.Message[], hasMore: boolean) {
      console.log(list.length, hasMore);
    },
  });
  im.getTotalUnreadCount({ onSuccess(count: number) { console.log(count); } });
  const tag = new RongIMLib.MessageTag(true, true);
  RongIMLib.RongIMClient.registerMessageType('PersonMessage', 'App:Person', tag, ['name']);

  // @ts-expect-error conversationType is a number, not a string
  im.getConversation('1', 'user2', { onSuccess() {} });
  // @ts-expect-error connect needs a token
  void RongIMLib.RongIMClient.connect();
}
