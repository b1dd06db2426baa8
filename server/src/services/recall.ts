import { decodeUtf8, type PublishFrame } from './wire';
import type { SessionPort } from '../gateway/topic-router';
import type { ServerContext } from '../context';
import type { MessagingService } from './messaging';
import type { ConversationKinds } from './conversation-kind';
import { ownerConversation } from '../store/owner-conversation';
import { readUpStream } from './send-handlers';
import { WireStatus } from './wire-status';

/** Content of an `RC:RcCmd` (PROTOCOL.md §9.9): the conversation is inside, the frame target is the sender. */
interface RecallContent {
  readonly conversationType: number;
  readonly targetId: string;
  readonly messageUId: string;
  readonly sentTime?: number;
}

function parseRecallContent(content: Uint8Array): RecallContent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(content));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const conversationType = Number(v['conversationType']);
  if (!Number.isInteger(conversationType) || typeof v['targetId'] !== 'string' || typeof v['messageUId'] !== 'string') return undefined;
  return { conversationType, targetId: v['targetId'], messageUId: v['messageUId'] };
}

export interface RecallRequest {
  readonly appKey: string;
  readonly by: string;
  readonly content: Uint8Array;
  /** Server API recalls by an admin skip the sender and window checks. */
  readonly asAdmin?: boolean;
  readonly sessionId?: string;
}

/**
 * Recall: only the sender, within the app's recall window, of a message in the conversation the
 * command names. The original leaves history and conversation lists; the `RC:RcCmd` itself is stored in
 * that conversation (persisted, not counted) so every participant and the sender's other devices get it
 * by sync — not by a DUP echo, which E4 would file under the wrong conversation (PROTOCOL.md §5.5).
 * A kind with its own `recall` (chatrooms: the room timeline) handles the command instead; a recall without a
 * client session (Server API) reaches the sender's devices there too.
 */
export async function recallMessage(ctx: ServerContext, messaging: MessagingService, kinds: ConversationKinds, req: RecallRequest): Promise<{ status: number; sentTime?: number; messageUId?: string }> {
  const command = parseRecallContent(req.content);
  if (!command) return { status: WireStatus.InvalidParameter };
  const own = kinds.get(command.conversationType);
  if (own?.recall !== undefined) {
    // Chatroom messages are on the room timeline, not in the message store: the kind finds and recalls them.
    const windowMs = ctx.apps.get(req.appKey)?.recallWindowMs;
    return own.recall({
      appKey: req.appKey,
      by: req.by,
      targetId: command.targetId,
      messageUId: command.messageUId,
      content: req.content,
      asAdmin: req.asAdmin === true,
      ...(windowMs !== undefined ? { recallWindowMs: windowMs } : {}),
      includeSender: req.sessionId === undefined,
    });
  }
  const original = await ctx.store.messages.get(req.appKey, command.messageUId);
  if (!original) return { status: WireStatus.RecallRefused };
  const app = ctx.apps.get(req.appKey);
  const now = ctx.clock.now();
  if (!req.asAdmin) {
    if (original.fromUserId !== req.by) return { status: WireStatus.RecallRefused };
    if (app && now - original.sentTime > app.recallWindowMs) return { status: WireStatus.RecallRefused };
  }
  const seenBy = ownerConversation(original, req.by);
  if (original.conversationType !== command.conversationType || seenBy.targetId !== command.targetId) {
    return { status: WireStatus.RecallRefused };
  }
  const result = await ctx.store.messages.recall(req.appKey, command.messageUId, original.fromUserId);
  if (!result.ok) return { status: WireStatus.RecallRefused };

  const kind = kinds.get(original.conversationType);
  const recipients = kind ? await kind.recallRecipients(original) : [];
  const sent = await messaging.send(
    {
      appKey: req.appKey,
      fromUserId: original.fromUserId,
      conversationType: original.conversationType,
      targetId: original.targetId,
      objectName: 'RC:RcCmd',
      content: req.content,
      flags: 1,
      recipients,
      senderSendbox: true,
    },
    req.sessionId !== undefined ? { sessionId: req.sessionId } : {},
  );
  return { status: WireStatus.Ok, sentTime: sent.sentTime, messageUId: sent.messageUId };
}

export function createRecallHandler(ctx: ServerContext, messaging: MessagingService, kinds: ConversationKinds) {
  return async (port: SessionPort, frame: PublishFrame): Promise<void> => {
    const up = readUpStream(frame.payload);
    const result = typeof up === 'number'
      ? { status: up }
      : await recallMessage(ctx, messaging, kinds, { appKey: port.info.appKey, by: port.info.userId, content: up.content, sessionId: port.info.sessionId });
    if (frame.messageId !== 0) port.puback(frame.messageId, result);
  };
}
