import { rc, storableStrings, type PublishFrame } from './wire';
import type { SessionPort } from '../gateway/topic-router';
import type { MessagingService, OutgoingMessage } from './messaging';
import type { ConversationKind, ConversationKinds, SendAck, SendRequest } from './conversation-kind';
import type { StoredMessage } from '../store/store';
import type { MessageFilterChain } from './message-filter-chain';
import { filteredSend } from './filtered-send';
import { decodeUpStream } from './upstream-decode';
import { isValidId, isValidObjectName, MAX_CONTENT_BYTES, WireStatus } from './wire-status';

/** Send topics and their conversation type (PROTOCOL.md §6.1). Status topics deliver online only. */
const SEND_TOPICS: Readonly<Record<string, { readonly type: number; readonly status: boolean }>> = {
  ppMsgP: { type: 1, status: false },
  ppMsgS: { type: 1, status: true },
  pdMsgP: { type: 2, status: false },
  pgMsgP: { type: 3, status: false },
  pgMsgS: { type: 3, status: true },
  chatMsg: { type: 4, status: false },
  chatMsgS: { type: 4, status: true },
  pcMsgP: { type: 5, status: false },
  // SYSTEM (6): engine 5.x's topic; 2.9.8+ clients may send SYSTEM-conversation messages (API_CHECKLIST rule 87).
  pbMsgP: { type: 6, status: false },
};

export const SEND_TOPIC_NAMES: readonly string[] = Object.keys(SEND_TOPICS);

/** The conversation type a send topic carries (undefined for any other topic). */
export function sendTopicType(topic: string): number | undefined {
  return SEND_TOPICS[topic]?.type;
}

const SYSTEM = 6;

/** The refusal for a conversation type no kind serves: the sender cannot be a member of it. */
const NOT_A_MEMBER: Readonly<Record<number, number>> = {
  2: WireStatus.NotInDiscussion,
  3: WireStatus.NotInGroup,
  4: WireStatus.NotInChatroom,
};

export type UpStream = rc.UpStreamMessage;

/** Decodes and validates an UpStreamMessage; returns a wire status on bad input. */
export function readUpStream(payload: Uint8Array): UpStream | number {
  // What decodeMessage(rc.UpStreamMessage, …) returns, undefined where it throws (upstream-decode.ts).
  const up = decodeUpStream(payload);
  if (up === undefined) return WireStatus.InvalidParameter;
  if (!isValidObjectName(up.classname)) return WireStatus.InvalidParameter;
  // A raw U+0000 in classname, pushText, appData, … is refused like any malformed field (wire.ts decodeMessage);
  // lone surrogates become U+FFFD. Content is bytes: its bytes are kept.
  if (storableStrings(up) !== undefined) return WireStatus.InvalidParameter;
  if (up.content.length > MAX_CONTENT_BYTES) return WireStatus.ContentTooLarge;
  return up;
}

/**
 * Handler for every client send topic: validate, screen through `filters` (blacklist, moderation…; see
 * message-filter-chain.ts), then let the conversation kind store or relay it; PUBACK after the commit.
 */
export function createSendHandler(kinds: ConversationKinds, filters?: MessageFilterChain) {
  // Not `async`: a refusal answers synchronously, an accepted send has one continuation (the PUBACK) on the
  // promise of its conversation kind, which for a private message is the store append's own continuation.
  return (port: SessionPort, frame: PublishFrame): Promise<void> | undefined => {
    const spec = SEND_TOPICS[frame.topic];
    if (!spec || !isValidId(frame.targetId)) return ackSend(port, frame, { status: WireStatus.InvalidParameter });
    const up = readUpStream(frame.payload);
    if (typeof up === 'number') return ackSend(port, frame, { status: up });
    const kind = kinds.get(spec.type);
    if (!kind) return ackSend(port, frame, { status: NOT_A_MEMBER[spec.type] ?? WireStatus.InvalidParameter });
    const request: SendRequest = { port, frame, up, conversationType: spec.type, statusTopic: spec.status };
    if (filters !== undefined) return filteredSend(filters, kind, request, answerSend);
    return kind.send(request).then((ack) => ackSend(port, frame, ack));
  };
}

function answerSend(request: SendRequest, ack: SendAck): void {
  ackSend(request.port, request.frame, ack);
}

function ackSend(port: SessionPort, frame: PublishFrame, result: SendAck): undefined {
  // Status messages (messageId 0) are fire-and-forget: the client ignores any PUBACK for id 0.
  if (frame.messageId !== 0) port.puback(frame.messageId, result);
  return undefined;
}

/**
 * The peer, unless the message is directed (UpStreamMessage.userId) to a list without it: E4 sends
 * `RC:SRSMsg` directed to [own id] so only the sender's other devices see it (PROTOCOL.md §9.7).
 */
function peerRecipients(targetId: string, senderId: string, directed: readonly string[] | null | undefined): string[] {
  if (targetId === senderId) return [];
  if (directed && directed.length > 0 && !directed.includes(targetId)) return [];
  return [targetId];
}

/**
 * One-to-one conversations (PRIVATE 1, CUSTOMER_SERVICE 5, SYSTEM 6): the target is the only recipient; a
 * message to oneself has none and lives only in the sender's own sync. The exception is a SYSTEM message its
 * sender addressed to itself with recipients (`message/broadcast`, a push's in-app message): a recall of it must
 * reach every inbox it is in, which `fanOutRecipients` reads from the store.
 */
export function peerConversationKind(messaging: MessagingService, fanOutRecipients?: (message: StoredMessage) => Promise<readonly string[]>): ConversationKind {
  return {
    // Not `async`: the messaging result is already a SendAck (status 0), handed on without a continuation.
    send({ port, frame, up, conversationType, statusTopic }) {
      const info = port.info;
      const userId = info.userId;
      const message: Mutable<OutgoingMessage> = {
        appKey: info.appKey,
        fromUserId: userId,
        conversationType,
        targetId: frame.targetId,
        objectName: up.classname,
        content: up.content,
        // Status topics are never stored whatever the client's bits say (PROTOCOL.md §12).
        flags: statusTopic ? 0 : up.sessionId,
        recipients: peerRecipients(frame.targetId, userId, up.userId),
        senderSendbox: true,
      };
      addOptionalFields(message, up);
      return messaging.send(message, statusTopic ? { sessionId: info.sessionId } : { sessionId: info.sessionId, echo: { topic: frame.topic, upstream: frame.payload } });
    },
    async recallRecipients(message) {
      if (message.targetId !== message.fromUserId) return [message.targetId];
      return message.conversationType === SYSTEM && fanOutRecipients !== undefined ? fanOutRecipients(message) : [];
    },
  };
}

type OptionalFields = { configFlag?: number; pushContent?: string; pushData?: string; pushExt?: Uint8Array; extraContent?: string };
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sets the optional UpStreamMessage fields carried into storage and delivery on `out` (those present only). */
export function addOptionalFields(out: OptionalFields, up: UpStream): void {
  if (up.configFlag) out.configFlag = up.configFlag;
  if (up.pushText) out.pushContent = up.pushText;
  if (up.appData) out.pushData = up.appData;
  if (up.extraContent) out.extraContent = up.extraContent;
  if (up.pushExt) out.pushExt = rc.PushExtra.encode(up.pushExt).finish();
}

/** The optional UpStreamMessage fields carried into storage and delivery. */
export function optionalFields(up: UpStream): OptionalFields {
  const out: OptionalFields = {};
  addOptionalFields(out, up);
  return out;
}
