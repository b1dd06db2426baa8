/**
 * A client send through the filter chain: screen, apply replacements, let the conversation kind deliver,
 * then tell the observers (message routing) about the accepted message with its uid and time.
 */
import type { ConversationKind, SendAck, SendRequest } from './conversation-kind';
import type { CandidateMessage, MessageFilterChain, ScreenResult, SentMessage } from './message-filter-chain';
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

/** Answers the sender (the PUBACK); called exactly once per send, after the observers heard of it. */
export type SendAnswer = (request: SendRequest, ack: SendAck) => void;

/**
 * Not `async`: a refusal is answered synchronously, and with synchronous verdicts (the usual case) an accepted
 * send costs one continuation on the conversation kind's promise, which tells the observers and answers.
 * Returns the promise of that answer, or undefined when it was given synchronously.
 */
export function filteredSend(chain: MessageFilterChain, kind: ConversationKind, request: SendRequest, answer: SendAnswer): Promise<void> | undefined {
  if (chain.isEmpty) return kind.send(request).then((ack) => answer(request, ack));
  const screened = chain.screen(candidateOf(request));
  if (screened instanceof Promise) {
    // The append waits for the verdict: a pipelined session must not start its next send before it.
    request.port.deferOrder?.();
    return screened.then((verdict) => sendScreened(chain, kind, request, verdict, answer));
  }
  return sendScreened(chain, kind, request, screened, answer);
}

function sendScreened(chain: MessageFilterChain, kind: ConversationKind, request: SendRequest, screened: ScreenResult, answer: SendAnswer): Promise<void> | undefined {
  // A refused message still gets a uid, so the sender can name it (setMessageBlockedListener).
  if (!screened.ok) {
    answer(request, { status: screened.status, messageUId: newMessageUidFor(Date.now()) });
    return undefined;
  }
  return kind.send(screenedRequest(request, screened)).then((ack) => {
    reportSent(chain, screened, ack);
    answer(request, ack);
  });
}

/** The request as the filters passed it: with their replacements, if any, in the content and push text. */
export function screenedRequest(request: SendRequest, screened: Extract<ScreenResult, { readonly ok: true }>): SendRequest {
  if (screened.replacedBy.length === 0) return request;
  // The decoded message is this handler's own copy; the echo to the sender's other devices must carry the
  // replaced content too, so the upstream bytes are re-encoded.
  const up = request.up;
  up.content = screened.message.content;
  if (screened.message.pushContent !== undefined) up.pushText = screened.message.pushContent;
  return { ...request, up, frame: { ...request.frame, payload: encodeMessage(rc.UpStreamMessage, up) } };
}

/** Tells the chain's observers (message routing) about a screened message the conversation kind accepted. */
export function reportSent(chain: MessageFilterChain, screened: Extract<ScreenResult, { readonly ok: true }>, ack: SendAck): void {
  if (ack.status === 0 && ack.messageUId !== undefined && chain.hasObservers) chain.sent(sentMessageOf(screened, ack));
}

/**
 * Field by field, not `{ ...message, … }`: the candidate's optional fields give it several shapes, and the
 * spread of such an object took ≈ 4 µs per send in the P1 profile (issue #12).
 */
function sentMessageOf(screened: Extract<ScreenResult, { readonly ok: true }>, ack: SendAck): SentMessage {
  const m = screened.message;
  const sent: Mutable<SentMessage> = {
    appKey: m.appKey,
    fromUserId: m.fromUserId,
    conversationType: m.conversationType,
    targetId: m.targetId,
    objectName: m.objectName,
    content: m.content,
    directedTo: m.directedTo,
    status: m.status,
    platform: m.platform,
    sessionId: m.sessionId,
    messageUId: ack.messageUId ?? '',
    sentTime: ack.sentTime ?? 0,
    replacedBy: screened.replacedBy,
  };
  if (m.pushContent !== undefined) sent.pushContent = m.pushContent;
  if (m.clientIp !== undefined) sent.clientIp = m.clientIp;
  return sent;
}
