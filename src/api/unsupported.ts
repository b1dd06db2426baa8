/**
 * Instance methods that exist for drop-in compatibility but do nothing useful on Web:
 *  - tier C: Electron/C++ "protocol stack" methods; R292 logs "'<name>' is unusable!" and reports
 *    39002 NOT_SUPPORT to a callback if one was given (or returns null);
 *  - tier D: RTC/CallLib plumbing our server does not provide (39002 and the same log).
 */
import { ErrorCode } from '../errors';
import { callMember, later } from './callbacks';
import type { Runtime } from './runtime';

export const CPP_ONLY_METHODS = [
  'callExtra', 'getChannel', 'deleteChannels', 'setUserStatusListener', 'setUserStatus', 'getUserStatus',
  'hasRemoteUnreadMessages', 'addToBlacklist', 'removeFromBlacklist', 'getBlacklist', 'getBlacklistStatus',
  'insertMessage', 'getRemoteHistoryMessages', 'deleteLocalMessages', 'deleteLocalMessagesByTimestamp', 'clearMessages',
  'getMessage', 'setMessageSentStatus', 'setMessageReceivedStatus', 'setMessageContent', 'setMessageSearchField',
  'searchConversationByContent', 'searchMessageByContent', 'getUnreadMentionedMessages', 'clearUnreadCountByTimestamp',
  'getConversationNotificationStatus',
] as const;

export const RTC_METHODS = [
  'getRTCUserInfoList', 'getRTCUserList', 'setRTCUserInfo', 'removeRTCUserInfo', 'getRTCRoomInfo', 'setRTCRoomInfo',
  'removeRTCRoomInfo', 'joinRTCRoom', 'quitRTCRoom', 'RTCPing', 'setRTCData', 'getRTCData', 'removeRTCData',
  'setRTCUserData', 'setRTCUserTotalRes', 'getRTCUserData', 'removeRTCUserData', 'setRTCRoomData', 'getRTCRoomData',
  'removeRTCRoomData', 'setRTCOutData', 'getRTCOutData', 'getRTCToken', 'setRTCState',
] as const;

export type UnsupportedMethod = (typeof CPP_ONLY_METHODS)[number] | (typeof RTC_METHODS)[number];

/** Reports NOT_SUPPORT to the first argument that looks like a callback; returns null. */
export function unsupported(rt: Runtime, method: string, args: readonly unknown[]): null {
  rt.logger.warn(`'${method}' is unusable!`);
  const callback = args.find((a) => typeof a === 'object' && a !== null && typeof (a as Record<string, unknown>)['onError'] === 'function');
  if (callback !== undefined) later(() => callMember(rt.logger, callback, 'onError', ErrorCode.NOT_SUPPORT));
  return null;
}
