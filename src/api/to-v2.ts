/**
 * Internal models → the public v2 shapes (API_CHECKLIST §6.1/§6.2, R292 `oe()`/`ne()`): `Message`
 * objects with v2 `messageType` names and `IV2Conversation` objects with the deprecated mirror fields
 * filled from `latestMessage`. Unknown object names arrive as 'UnknownMessage' with their content
 * wrapped; content that is not a JSON object is wrapped the same way.
 */
import type { Conversation } from '../client/services/conversations';
import type { ImMessage } from '../client/services/im-message';
import { MessageDirection, ReceivedStatus, SentStatus } from './enums';
import { Message } from './message';
import type { MessageRegistry } from './message-registry';
import { UNKNOWN_MESSAGE_TYPE } from './message-types';

export interface V2Conversation {
  channelId: string;
  conversationType: number;
  targetId: string;
  unreadMessageCount: number;
  latestMessage: Message | null;
  latestMessageId?: number;
  objectName?: string;
  sentTime?: number;
  receivedStatus?: number;
  isTop: boolean;
  notificationStatus: 1 | 2;
  hasMentioned: boolean;
}

export interface V2Options {
  /** Local message id (the official web client makes one up as well). */
  readonly messageId: number;
  readonly sentStatus?: SentStatus;
  readonly receivedTime?: number;
}

export function toV2Message(m: ImMessage, registry: MessageRegistry, options: V2Options): Message {
  const known = registry.messageTypeOf(m.objectName);
  let content: Record<string, unknown>;
  let messageType = known;
  if (known === UNKNOWN_MESSAGE_TYPE || m.content === undefined) {
    messageType = UNKNOWN_MESSAGE_TYPE;
    content = { message: { content: m.content ?? m.contentText, objectName: m.objectName }, messageName: UNKNOWN_MESSAGE_TYPE };
  } else {
    content = m.content;
  }
  const receivedStatus = receivedStatusOf(m);
  const message = new Message(
    m.conversationType,
    m.targetId,
    m.senderUserId,
    content,
    m.objectName,
    messageType,
    options.messageId,
    m.messageUId,
    m.direction === 1 ? MessageDirection.SEND : MessageDirection.RECEIVE,
    m.offline,
    options.sentStatus ?? SentStatus.SENT,
    m.sentTime,
    receivedStatus,
    // 2.9.2's own send results (sent or failed, recall, typing) say 0: nothing was received.
    m.local === true ? 0 : (options.receivedTime ?? m.sentTime),
    m.canIncludeExpansion,
    m.expansion,
    undefined,
    m.disableNotification,
  );
  if (m.local !== true) {
    // 2.9.2 builds it for every message from the server; pushData mirrors the push text (no field of its own).
    const flags = m.configFlag ?? 0;
    const pushContent = m.pushContent ?? null;
    message.pushConfig = { pushContent, pushData: pushContent, disablePushTitle: (flags & 4) !== 0, forceShowDetailContent: (flags & 8) !== 0 };
  } else if (m.ownPushConfig) {
    // This device's own send or recall: the config's pushConfig as the app passed it (not the positional push text).
    message.pushConfig = m.ownPushConfig;
  }
  return message;
}

/**
 * 2.9.2 (engine 4.4.2 `_formatReceivedMessage`) marks every message that came from the server — pulled,
 * pushed, echoed from another device, in a history page or a conversation list — READ, or RETRIEVED when
 * another device fetched it first; only what this device made itself (send results) is UNREAD.
 */
function receivedStatusOf(m: ImMessage): ReceivedStatus {
  if (m.local === true) return ReceivedStatus.UNREAD;
  return m.retrieved ? ReceivedStatus.RETRIEVED : ReceivedStatus.READ;
}

export function toV2Conversation(c: Conversation, toMessage: (m: ImMessage) => Message): V2Conversation {
  const latest = c.latestMessage ? toMessage(c.latestMessage) : null;
  const conversation: V2Conversation = {
    channelId: '',
    conversationType: c.conversationType,
    targetId: c.targetId,
    unreadMessageCount: c.unreadMessageCount,
    latestMessage: latest,
    isTop: c.isTop,
    notificationStatus: c.notificationStatus,
    hasMentioned: c.hasMentioned,
  };
  if (latest) {
    conversation.latestMessageId = latest.messageId;
    // R292 fills this with the v2 class name (not the RC: name the seed describes); we keep R292's.
    conversation.objectName = latest.messageType;
    conversation.sentTime = latest.sentTime;
    conversation.receivedStatus = latest.receivedStatus;
  }
  return conversation;
}
