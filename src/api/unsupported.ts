/**
 * Instance methods that exist for drop-in compatibility but do nothing useful on Web:
 *  - tier C: Electron/C++ "protocol stack" methods; R292 logs "'<name>' is unusable!" and reports
 *    39002 NOT_SUPPORT to a callback if one was given (or returns null);
 *  - tier D: RTC/CallLib plumbing our server does not provide;
 *  - PENDING: documented Web features whose service is not built yet (conversation tags).
 *    They answer 39002 as well, with a log that says so, until their service lands.
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

export const PENDING_METHODS = [] as const;

export type UnsupportedMethod = (typeof CPP_ONLY_METHODS)[number] | (typeof RTC_METHODS)[number] | (typeof PENDING_METHODS)[number];

const PENDING: ReadonlySet<string> = new Set(PENDING_METHODS);

/** Reports NOT_SUPPORT to the first argument that looks like a callback; returns null. */
export function unsupported(rt: Runtime, method: string, args: readonly unknown[]): null {
  rt.logger.warn(PENDING.has(method) ? `'${method}' is not available yet in this SDK build` : `'${method}' is unusable!`);
  const callback = args.find((a) => typeof a === 'object' && a !== null && typeof (a as Record<string, unknown>)['onError'] === 'function');
  if (callback !== undefined) later(() => callMember(rt.logger, callback, 'onError', ErrorCode.NOT_SUPPORT));
  return null;
}
