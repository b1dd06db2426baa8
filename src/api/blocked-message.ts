/**
 * `setMessageBlockedListener` (seed L632-649, API_CHECKLIST §6.8): our server refuses a message containing a
 * blocking sensitive word with 21501 (SENSITIVE_SHIELD) in the send's answer; the sending device then reports
 * it here as well as through `onError(21501, message)`. The info carries both uid spellings (seed
 * `blockedMessageUid`, 5.x `blockedMessageUId`): the uid the server gave the refused message in its answer.
 */
import type { ImMessage } from '../client/services/im-message';
import { ErrorCode } from '../errors';
import { MessageBlockType } from './enums';
import type { Runtime } from './runtime';

export interface BlockedMessageInfo {
  blockedMessageUId: string;
  blockedMessageUid: string;
  conversationType: number;
  targetId: string;
  channelId: string;
  blockType: MessageBlockType;
  extra: string;
}

/**
 * Reports `message` to the blocked-message listener when `code` says a sensitive word blocked it; `uid` is the
 * one the refusal carried (the failed message itself has none, API_CHECKLIST §3.6).
 */
export function reportIfBlocked(rt: Runtime, code: number, message: ImMessage, uid = ''): void {
  if (code !== ErrorCode.SENSITIVE_SHIELD) return;
  const info: BlockedMessageInfo = {
    blockedMessageUId: uid,
    blockedMessageUid: uid,
    conversationType: message.conversationType,
    targetId: message.targetId,
    channelId: '',
    blockType: MessageBlockType.CUSTOM,
    extra: '',
  };
  rt.listeners.emit('messageBlocked', 'received', info);
}
