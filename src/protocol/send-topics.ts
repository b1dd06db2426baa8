/**
 * Send and status topics (PROTOCOL.md §6.1): the client PUBLISHes an UpStreamMessage on a topic
 * named after the conversation type. Server and SDK both read these maps: the server to file a sent
 * message, the SDK to pick the topic it sends on and to label a multi-device echo.
 */

/**
 * Send topics (client PUBLISH of an UpStreamMessage) → conversation type. This is how a server
 * files a sent message and how a client labels a multi-device echo (E4 maps ppMsgP→1, pgMsgP→3,
 * chatMsg→4, pcMsgP→5; L2 maps by the first two letters, which also yields pdMsgP→2).
 */
export const SEND_TOPIC_CONVERSATION_TYPE = {
  ppMsgP: 1,
  pdMsgP: 2,
  pgMsgP: 3,
  chatMsg: 4,
  pcMsgP: 5,
  pcuMsgP: 5,
  pmcMsgN: 7,
  pmpMsgN: 8,
  prMsgS: 12,
  prMsgP: 13,
  // SYSTEM (6): the topic engine 5.x sends a SYSTEM-conversation message on (its send-topic map, 5.38); E4
  // refuses such a send client-side (33003) and L2 uses an empty topic. 2.9.8 lifted the refusal (rule 87).
  pbMsgP: 6,
} as const;
export type SendTopic = keyof typeof SEND_TOPIC_CONVERSATION_TYPE;

/**
 * Status topics (typing indicators, custom status): never persisted, never echoed to the sender's
 * other devices (E4 processes them without waiting for a PUBACK and crashes on an echo's ack).
 */
export const STATUS_TOPIC_CONVERSATION_TYPE = {
  ppMsgS: 1,
  pgMsgS: 3,
  chatMsgS: 4,
} as const;
export type StatusTopic = keyof typeof STATUS_TOPIC_CONVERSATION_TYPE;

export function isSendTopic(topic: string): topic is SendTopic {
  return Object.prototype.hasOwnProperty.call(SEND_TOPIC_CONVERSATION_TYPE, topic);
}

export function isStatusTopic(topic: string): topic is StatusTopic {
  return Object.prototype.hasOwnProperty.call(STATUS_TOPIC_CONVERSATION_TYPE, topic);
}

/** Conversation type carried by a send or status topic, or undefined for any other topic. */
export function conversationTypeOfTopic(topic: string): number | undefined {
  if (isSendTopic(topic)) return SEND_TOPIC_CONVERSATION_TYPE[topic];
  if (isStatusTopic(topic)) return STATUS_TOPIC_CONVERSATION_TYPE[topic];
  return undefined;
}

/**
 * Topic a client uses to send to a conversation type, as E4 does: status messages go to
 * ppMsgS/pgMsgS for PRIVATE/GROUP and to chatMsg for CHATROOM (E4 has no chatroom status topic on
 * the send side); SYSTEM (6) on engine 5.x's pbMsgP. Undefined for types no send topic exists for.
 */
export function sendTopicFor(conversationType: number, status = false): SendTopic | StatusTopic | undefined {
  switch (conversationType) {
    case 1:
      return status ? 'ppMsgS' : 'ppMsgP';
    case 2:
      return 'pdMsgP';
    case 3:
      return status ? 'pgMsgS' : 'pgMsgP';
    case 4:
      return 'chatMsg';
    case 5:
      return 'pcMsgP';
    case 6:
      return 'pbMsgP';
    case 7:
      return 'pmcMsgN';
    case 8:
      return 'pmpMsgN';
    case 12:
      return 'prMsgS';
    default:
      return undefined;
  }
}
