/**
 * The message object apps receive (listener, history, send results, conversation `latestMessage`):
 * R292's `IReceivedMessageV2` shape as a class with the official 18-argument constructor.
 */
import type { ConversationType, MessageDirection, ReceivedStatus, SentStatus } from './enums';

/** A message's push settings; on a message from the server the push text is null when it has none (as in 2.9.2). */
export interface PushConfig {
  pushTitle?: string;
  pushContent?: string | null;
  pushData?: string | null;
  forceShowDetailContent?: boolean;
  disablePushTitle?: boolean;
  iOSConfig?: { threadId?: string; apnsCollapseId?: string; category?: string; richMediaUri?: string };
  androidConfig?: {
    notificationId?: string;
    channelIdMi?: string;
    channelIdHW?: string;
    channelIdOPPO?: string;
    typeVivo?: string;
    googleConfig?: { collapseKey?: string; imageUrl?: string; priority?: string };
  };
  templateId?: string;
}

/**
 * A message's content as RongIMLib 2.x types it: `any`. Apps read `message.content.content`,
 * `.imageUri`, `.extra`, … by objectName without narrowing, and TypeScript written against the official
 * typings must compile unchanged. The one `any` of the published types (test/unit/public-types.test.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drop-in typing: the official field is `any`
export type MessageContent = any;

export class Message {
  conversationType: ConversationType;
  targetId: string;
  senderUserId: string;
  content: MessageContent;
  objectName: string;
  messageType: string;
  messageId: number;
  messageUId: string;
  messageDirection: MessageDirection;
  offLineMessage: boolean;
  sentStatus: SentStatus;
  sentTime: number;
  receivedStatus: ReceivedStatus;
  receivedTime: number;
  canIncludeExpansion: boolean;
  expansion: Record<string, string> | null;
  receiptResponse: Record<string, number> | undefined;
  disableNotification: boolean;
  /** Multi-organisation placeholder, always ''. */
  channelId = '';
  pushConfig?: PushConfig;

  constructor(
    conversationType: ConversationType,
    targetId: string,
    senderUserId: string,
    content: Record<string, unknown>,
    objectName: string,
    messageType: string,
    messageId: number,
    messageUId: string,
    messageDirection: MessageDirection,
    offLineMessage: boolean,
    sentStatus: SentStatus,
    sentTime: number,
    receivedStatus: ReceivedStatus,
    receivedTime: number,
    canIncludeExpansion: boolean,
    expansion: Record<string, string> | null,
    receiptResponse: Record<string, number> | undefined,
    disableNotification: boolean,
  ) {
    this.conversationType = conversationType;
    this.targetId = targetId;
    this.senderUserId = senderUserId;
    this.content = content;
    this.objectName = objectName;
    this.messageType = messageType;
    this.messageId = messageId;
    this.messageUId = messageUId;
    this.messageDirection = messageDirection;
    this.offLineMessage = offLineMessage;
    this.sentStatus = sentStatus;
    this.sentTime = sentTime;
    this.receivedStatus = receivedStatus;
    this.receivedTime = receivedTime;
    this.canIncludeExpansion = canIncludeExpansion;
    this.expansion = expansion;
    this.receiptResponse = receiptResponse;
    this.disableNotification = disableNotification;
  }

  /** The seed's tables spell it `messageUid`; read-only alias (not enumerable, so JSON stays R292-shaped). */
  get messageUid(): string {
    return this.messageUId;
  }

  /** The seed's group table spells it `offlineMessage`. */
  get offlineMessage(): boolean {
    return this.offLineMessage;
  }
}
