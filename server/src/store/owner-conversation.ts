import type { ConversationKey, UserId } from './store';

/**
 * Conversation types whose conversation is a pair of users (or a user and a service account): each side
 * sees the other as the target. PRIVATE (1), CUSTOMER_SERVICE (5: the user talks to the service id and the
 * replies come from it), SYSTEM (6), APP_PUBLIC_SERVICE (7), PUBLIC_SERVICE (8).
 * Every other type (DISCUSSION 2, GROUP 3, CHATROOM 4, unknown) is keyed by the message's `targetId`
 * for everyone.
 */
const PEER_TYPES: ReadonlySet<number> = new Set([1, 5, 6, 7, 8]);

export interface ConversationAddress {
  readonly conversationType: number;
  readonly fromUserId: UserId;
  /** From the sender's point of view. */
  readonly targetId: string;
}

/** The conversation a message belongs to as `owner` sees it (engine-independent, shared by all stores). */
export function ownerConversation(message: ConversationAddress, owner: UserId): ConversationKey {
  const type = message.conversationType;
  if (PEER_TYPES.has(type) && owner !== message.fromUserId) return { type, targetId: message.fromUserId };
  return { type, targetId: message.targetId };
}
