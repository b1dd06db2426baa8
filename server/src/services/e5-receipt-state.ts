/**
 * Who has read a message, as read receipts V4 and V5 report it (e5-read-receipts.ts). Derived from what the
 * server already keeps, so no new table:
 * - PRIVATE: the recipient has read a message once its read position of the conversation (read-positions
 *   store: moved by `RC:SRSMsg`, `RC:ReadNtf`, `lxReadPos`, V4/V5 receipts) is at or after the message;
 *   the receipt time is that position.
 * - GROUP: the first read of each (message, member) (the group repository's `markRead`/`readers`, shared with
 *   the V2 receipts `rrMsg`/`rrList`); the members asked about are the message's recipients (who got an inbox
 *   entry: directed messages count only their targets, members who joined later never count).
 * Only the sender and the recipients of a message may ask about it; anything else is "not found".
 */
import type { ServerContext } from '../context';
import type { StoredMessage } from '../store/store';

export const PRIVATE = 1;
export const GROUP = 3;

export interface ReceiptReader {
  readonly userId: string;
  readonly readTime: number;
}

export interface ReceiptState {
  readonly message: StoredMessage;
  /** Everyone who can read it (its recipients, the sender excluded). */
  readonly recipients: readonly string[];
  /** Recipients who read it, earliest first. */
  readonly readers: readonly ReceiptReader[];
  /** Recipients who have not. */
  readonly unread: readonly string[];
}

export interface ConversationRef {
  readonly type: number;
  readonly targetId: string;
}

/** The message `uid` of `conversation` as `caller` sees it, if `caller` may see its receipts. */
export async function receiptMessage(ctx: ServerContext, appKey: string, caller: string, conversation: ConversationRef, uid: string): Promise<StoredMessage | undefined> {
  const message = await ctx.store.messages.get(appKey, uid);
  if (message === undefined || message.recalled || message.conversationType !== conversation.type) return undefined;
  if (conversation.type === PRIVATE) {
    const sentByCaller = message.fromUserId === caller && message.targetId === conversation.targetId;
    const sentToCaller = message.targetId === caller && message.fromUserId === conversation.targetId;
    return sentByCaller || sentToCaller ? message : undefined;
  }
  if (conversation.type !== GROUP || message.targetId !== conversation.targetId) return undefined;
  if (message.fromUserId === caller) return message;
  return (await ctx.store.groups.recipientsOf(appKey, uid)).includes(caller) ? message : undefined;
}

export async function receiptState(ctx: ServerContext, appKey: string, message: StoredMessage): Promise<ReceiptState> {
  if (message.conversationType === PRIVATE) {
    const recipient = message.targetId;
    const readTime = await ctx.store.readPositions.readTime(appKey, recipient, { type: PRIVATE, targetId: message.fromUserId });
    const read = readTime >= message.sentTime;
    return { message, recipients: [recipient], readers: read ? [{ userId: recipient, readTime }] : [], unread: read ? [] : [recipient] };
  }
  const recipients = (await ctx.store.groups.recipientsOf(appKey, message.uid)).filter((userId) => userId !== message.fromUserId);
  const member = new Set(recipients);
  const readers = (await ctx.store.groups.readers(appKey, message.uid)).filter((reader) => member.has(reader.userId));
  const read = new Set(readers.map((reader) => reader.userId));
  return { message, recipients, readers, unread: recipients.filter((userId) => !read.has(userId)) };
}
