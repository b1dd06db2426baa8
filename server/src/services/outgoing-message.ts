/**
 * What the messaging service is given to dispatch (a client PUBLISH or a Server API send), what it answers, and how
 * such a message becomes the store's row and, for a Server API send, its senders' multi-device echo (messaging.ts).
 */
import { rc, encodeMessage } from './wire';
import type { NewMessage } from '../store/store';
import { echoTopicFor } from './message-view';

/** A message about to be dispatched, whatever its origin (client PUBLISH or Server API). */
export interface OutgoingMessage {
  readonly appKey: string;
  readonly fromUserId: string;
  readonly conversationType: number;
  /** From the sender's point of view. */
  readonly targetId: string;
  readonly objectName: string;
  readonly content: Uint8Array;
  /** UpStreamMessage.sessionId bits; bit 1 decides stored vs transient. */
  readonly flags: number;
  readonly configFlag?: number;
  readonly pushContent?: string;
  readonly pushData?: string;
  readonly pushExt?: Uint8Array;
  readonly extraContent?: string;
  /** Inbox owners other than the sender (never contains the sender). */
  readonly recipients: readonly string[];
  readonly mentionedUserIds?: readonly string[];
  /** Whether the sender's own sync (sendbox) and other sessions see it. */
  readonly senderSendbox: boolean;
}

/** Where a message came from, so the sender's own session is skipped and its other devices get an echo. */
export interface SendOrigin {
  readonly sessionId?: string;
  /** The original client PUBLISH, for the multi-device echo (PROTOCOL.md §5.5). Absent: no echo. */
  readonly echo?: { readonly topic: string; readonly upstream: Uint8Array };
}

export interface SendResult {
  /**
   * Always `WireStatus.Ok` (a refusal rejects or never reaches `send`): the result doubles as a conversation
   * kind's `SendAck`, so a client send hands it on to the PUBACK without another continuation.
   */
  readonly status: 0;
  readonly sentTime: number;
  readonly messageUId: string;
  readonly stored: boolean;
}

/**
 * The multi-device echo of a send that had no client PUBLISH (the Server API's): the UpStreamMessage a client would
 * have sent, on the send topic of the conversation type; none for a type no client files an echo under.
 */
export function serverSendEcho(message: OutgoingMessage): { readonly topic: string; readonly upstream: Uint8Array } | undefined {
  const topic = echoTopicFor(message.conversationType);
  if (topic === undefined) return undefined;
  const upstream = encodeMessage(rc.UpStreamMessage, {
    sessionId: message.flags,
    classname: message.objectName,
    content: message.content,
    ...(message.pushContent !== undefined ? { pushText: message.pushContent } : {}),
    ...(message.pushData !== undefined ? { appData: message.pushData } : {}),
    ...(message.configFlag !== undefined ? { configFlag: message.configFlag } : {}),
    ...(message.extraContent !== undefined ? { extraContent: message.extraContent } : {}),
  });
  return { topic, upstream };
}

/** The store's row for `message`, built field by field (no spread temporary; absent optionals stay absent). */
export function newMessageOf(message: OutgoingMessage, now: number): NewMessage {
  const row: Mutable<NewMessage> = {
    appKey: message.appKey,
    fromUserId: message.fromUserId,
    conversationType: message.conversationType,
    targetId: message.targetId,
    objectName: message.objectName,
    content: message.content,
    flags: message.flags,
    recipients: message.recipients,
    senderSendbox: message.senderSendbox,
    now,
  };
  if (message.configFlag !== undefined) row.configFlag = message.configFlag;
  if (message.pushContent !== undefined) row.pushContent = message.pushContent;
  if (message.pushData !== undefined) row.pushData = message.pushData;
  if (message.pushExt !== undefined) row.pushExt = message.pushExt;
  if (message.extraContent !== undefined) row.extraContent = message.extraContent;
  if (message.mentionedUserIds !== undefined) row.mentionedUserIds = message.mentionedUserIds;
  return row;
}

/** A row built field by field before it is handed on as readonly. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
