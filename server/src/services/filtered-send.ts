/**
 * A client send through the filter chain: screen, apply replacements, let the conversation kind deliver,
 * then tell the observers (message routing) about the accepted message with its uid and time.
 */
import type { ConversationKind, SendAck, SendRequest } from './conversation-kind';
import type { CandidateMessage, MessageFilterChain } from './message-filter-chain';
import { encodeMessage, newMessageUidFor, rc } from './wire';

export function candidateOf(request: SendRequest): CandidateMessage {
  const { port, frame, up } = request;
  return {
    appKey: port.info.appKey,
    fromUserId: port.info.userId,
    conversationType: request.conversationType,
    targetId: frame.targetId,
    objectName: up.classname,
    content: up.content,
    ...(up.pushText ? { pushContent: up.pushText } : {}),
    directedTo: up.userId ?? [],
    status: request.statusTopic,
    platform: port.info.platform,
    sessionId: port.info.sessionId,
    ...(port.info.clientIp !== undefined ? { clientIp: port.info.clientIp } : {}),
  };
}

export async function filteredSend(chain: MessageFilterChain, kind: ConversationKind, request: SendRequest): Promise<SendAck> {
  if (chain.isEmpty) return kind.send(request);
  const screened = await chain.screen(candidateOf(request));
  // A refused message still gets a uid, so the sender can name it (setMessageBlockedListener).
  if (!screened.ok) return { status: screened.status, messageUId: newMessageUidFor(Date.now()) };
  let effective = request;
  if (screened.replacedBy.length > 0) {
    // The decoded message is this handler's own copy; the echo to the sender's other devices must carry the
    // replaced content too, so the upstream bytes are re-encoded.
    const up = request.up;
    up.content = screened.message.content;
    if (screened.message.pushContent !== undefined) up.pushText = screened.message.pushContent;
    effective = { ...request, up, frame: { ...request.frame, payload: encodeMessage(rc.UpStreamMessage, up) } };
  }
  const ack = await kind.send(effective);
  if (ack.status === 0 && ack.messageUId !== undefined) {
    chain.sent({ ...screened.message, messageUId: ack.messageUId, sentTime: ack.sentTime ?? 0, replacedBy: screened.replacedBy });
  }
  return ack;
}
