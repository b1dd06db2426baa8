import type { ServerContext } from '../../context';
import { DEFAULT_MAX_GROUP_MEMBERS } from '../../config';
import type { StoredMessage } from '../../store/store';
import type { ConversationKind, SendAck, SendRequest } from '../conversation-kind';
import type { MessagingService, SendOrigin, SendResult } from '../messaging';
import { optionalFields } from '../send-handlers';
import { WireStatus } from '../wire-status';
import { mentionedRecipients } from './mentions';

export const GROUP = 3;

/** One group message to dispatch, from a client or the Server API. */
export interface GroupDelivery {
  readonly appKey: string;
  readonly fromUserId: string;
  readonly groupId: string;
  readonly objectName: string;
  readonly content: Uint8Array;
  readonly flags: number;
  readonly configFlag?: number;
  readonly pushContent?: string;
  readonly pushData?: string;
  readonly pushExt?: Uint8Array;
  readonly extraContent?: string;
  /** Directed message: only these members receive it (UpStreamMessage.userId / Server API `toUserId`). Empty or absent = every member. */
  readonly directedTo?: readonly string[];
  /** Whether the sender's other devices and sync see it (client sends: always; Server API: `isIncludeSender`). */
  readonly senderSendbox: boolean;
}

/**
 * Group messaging (issue #5). Fan-out model: WRITE diffusion. A stored group message gets one inbox entry per
 * recipient in the same transaction as the message (MessageRepository.append), so `pullMsg`, history and the
 * conversation list of every member work exactly as for private messages, and a member only ever sees messages
 * appended while it was a member (join-time visibility for free). Notifications (`s_ntf`) go out after the
 * commit, sliced over event-loop turns by MessagingService, so the sender's PUBACK waits for the store only.
 * See docs/ARCHITECTURE.md "Group fan-out" for the costs.
 */
export class GroupService {
  constructor(
    private readonly ctx: ServerContext,
    private readonly messaging: MessagingService,
  ) {}

  /** The member cap of the app (`maxGroupMembers`, default 3000). */
  maxMembers(appKey: string): number {
    return this.ctx.apps.get(appKey)?.maxGroupMembers ?? DEFAULT_MAX_GROUP_MEMBERS;
  }

  /**
   * Stores (or, for non-persisted flags, relays to online sessions) one group message. Recipients: the current
   * members but the sender, narrowed to `directedTo` when given (non-members in it are ignored). Mentions are
   * resolved per recipient. An undirected stored message is shared with later members when the app lets them
   * read history from before their join.
   */
  async deliver(delivery: GroupDelivery, origin: SendOrigin = {}): Promise<SendResult> {
    const { appKey, fromUserId, groupId } = delivery;
    const members = await this.ctx.store.groups.members(appKey, groupId);
    const directed = delivery.directedTo !== undefined && delivery.directedTo.length > 0 ? new Set(delivery.directedTo) : undefined;
    const recipients: string[] = [];
    for (const { userId } of members) {
      if (userId !== fromUserId && (directed === undefined || directed.has(userId))) recipients.push(userId);
    }
    const mentioned = mentionedRecipients(delivery.flags, delivery.content, recipients);
    const result = await this.messaging.send(
      {
        appKey,
        fromUserId,
        conversationType: GROUP,
        targetId: groupId,
        objectName: delivery.objectName,
        content: delivery.content,
        flags: delivery.flags,
        ...(delivery.configFlag !== undefined ? { configFlag: delivery.configFlag } : {}),
        ...(delivery.pushContent !== undefined ? { pushContent: delivery.pushContent } : {}),
        ...(delivery.pushData !== undefined ? { pushData: delivery.pushData } : {}),
        ...(delivery.pushExt !== undefined ? { pushExt: delivery.pushExt } : {}),
        ...(delivery.extraContent !== undefined ? { extraContent: delivery.extraContent } : {}),
        recipients,
        ...(mentioned.length > 0 ? { mentionedUserIds: mentioned } : {}),
        senderSendbox: delivery.senderSendbox,
      },
      origin,
    );
    if (result.stored && directed === undefined && this.ctx.apps.get(appKey)?.groupHistoryBeforeJoin === true) {
      await this.ctx.store.groups.shareWithLaterMembers(appKey, result.messageUId);
    }
    return result;
  }

  /** The ConversationKind for GROUP (3): who may send (22406 / 22408), and who learns about a recall. */
  kind(): ConversationKind {
    return {
      send: (request) => this.sendFromClient(request),
      recallRecipients: (message) => this.recallRecipients(message),
    };
  }

  private async sendFromClient({ port, frame, up, statusTopic }: SendRequest): Promise<SendAck> {
    const { appKey, userId, sessionId } = port.info;
    const permission = await this.ctx.store.groups.sendPermission(appKey, frame.targetId, userId, this.ctx.clock.now());
    if (permission === 'not-member') return { status: WireStatus.NotInGroup };
    if (permission === 'muted') return { status: WireStatus.ForbiddenInGroup };
    const result = await this.deliver(
      {
        appKey,
        fromUserId: userId,
        groupId: frame.targetId,
        objectName: up.classname,
        content: up.content,
        // Status topics are never stored whatever the client's bits say (PROTOCOL.md §12).
        flags: statusTopic ? 0 : up.sessionId,
        ...optionalFields(up),
        directedTo: up.userId ?? [],
        senderSendbox: true,
      },
      // Never echo status topics: E4 would crash on the missing ack data (PROTOCOL.md §5.5).
      { sessionId, ...(statusTopic ? {} : { echo: { topic: frame.topic, upstream: frame.payload } }) },
    );
    return { status: WireStatus.Ok, sentTime: result.sentTime, messageUId: result.messageUId };
  }

  /** Whoever holds the message (its inbox owners, members or not any more), so directed messages stay directed. */
  private async recallRecipients(message: StoredMessage): Promise<readonly string[]> {
    const owners = await this.ctx.store.groups.recipientsOf(message.appKey, message.uid);
    return owners.filter((userId) => userId !== message.fromUserId);
  }
}
