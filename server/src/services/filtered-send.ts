/**
 * A client send through the filter chain: screen, apply replacements, let the conversation kind deliver,
 * then tell the observers (message routing) about the accepted message with its uid and time.
 */
import type { ConversationKind, SendAck, SendRequest } from './conversation-kind';
import type { CandidateMessage, MessageFilterChain } from './message-filter-chain';
import { encodeMessage, newMessageUidFor, rc } from './wire';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const NOT_DIRECTED: readonly string[] = Object.freeze([]);

export function candidateOf(request: SendRequest): CandidateMessage {
  const { port, frame, up } = request;
  const info = port.info;
  const candidate: Mutable<CandidateMessage> = {
    appKey: info.appKey,
    fromUserId: info.userId,
    conversationType: request.conversationType,
    targetId: frame.targetId,
    objectName: up.classname,
    content: up.content,
    directedTo: up.userId ?? NOT_DIRECTED,
    status: request.statusTopic,
    platform: info.platform,
    sessionId: info.sessionId,
  };
  if (up.pushText) candidate.pushContent = up.pushText;
  if (info.clientIp !== undefined) candidate.clientIp = info.clientIp;
  return candidate;
}

export async function filteredSend(chain: MessageFilterChain, kind: ConversationKind, request: SendRequest): Promise<SendAck> {
  if (chain.isEmpty) return kind.send(request);
  const pending = chain.screen(candidateOf(request));
  const screened = pending instanceof Promise ? await pending : pending;
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
  if (ack.status === 0 && ack.messageUId !== undefined && chain.hasObservers) {
    chain.sent({ ...screened.message, messageUId: ack.messageUId, sentTime: ack.sentTime ?? 0, replacedBy: screened.replacedBy });
  }
  return ack;
}
