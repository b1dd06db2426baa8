import type { Hub } from '../gateway/hub';
import type { SessionPort, TopicHandler, TopicRouter } from '../gateway/topic-router';
import { decodeMessage, rc } from './wire';
import type { PublishFrame, QueryFrame } from './wire';
import { WireStatus } from './wire-status';
import { hasNul } from '../text-values';
import { ChatroomStatus } from './chatrooms/room-wire';
import type { ServerContext } from '../context';
import { MessagingService } from './messaging';
import { createSendHandler, peerConversationKind, SEND_TOPIC_NAMES, sendTopicType } from './send-handlers';
import type { ConversationKind, ConversationKinds } from './conversation-kind';
import { createRecallHandler } from './recall';
import { createPullHandler } from './sync';
import { createHistoryHandler, HISTORY_TOPICS } from './history';
import { CLEAN_TOPICS, createCleanHistoryHandler, createDeleteMessagesHandler, createDelRelationHandler, createRelationListHandler } from './conversations';
import { createPullSessionStatesHandler, createReportSdkHandler, createSetSessionStateHandler } from './session-state';
import { GroupService } from './groups/group-service';
import { groupHistoryReader } from './groups/group-history';
import { createReadersHandler, createReadReceiptHandler } from './groups/group-receipts';
import { createChatrooms, type Chatrooms } from './chatrooms/index';
import { fileQueries } from './files';
import { MessageFilterChain } from './message-filter-chain';
import { userRelationsFilter } from './user-relations';
import { chatBansFilter } from './chat-bans';
import { mediaLimitsFilter } from './media-limits';
import { createAppServerCallbacks, type AppServerCallbacks } from './callbacks/index';
import { createConversationFeatures } from './conversation-features';
import { e5Publishes, e5Queries } from './e5-topics';
import type { SensitiveWords } from './sensitive-words';
import { ChatroomDistribution, distributionGatedKind } from './chatroom-distribution';
import { PushService } from './push-service';

type QueryHandler = (port: SessionPort, frame: QueryFrame) => Promise<void> | void;

/**
 * `qryCMsg` means customer-service history, except that L2 (2.5.x) also sends its generic remote history
 * of a CHATROOM (type 4) on it (PROTOCOL.md §12 "accept both"): an L2 request whose target is an existing
 * room of the app is answered as `qryCHMsg`.
 */
function l2ChatroomHistoryOrCustomerService(ctx: ServerContext, customerService: QueryHandler, roomQueries: ReadonlyArray<readonly [string, QueryHandler]>): QueryHandler {
  const roomHistory = roomQueries.find(([topic]) => topic === 'qryCHMsg')?.[1];
  return async (port, frame) => {
    if (roomHistory !== undefined && port.info.clientKind === 'L2') {
      let targetId = frame.targetId;
      try {
        targetId = decodeMessage(rc.HistoryMsgInput, frame.payload, 'HistoryMsgInput').targetId || frame.targetId;
      } catch {
        // malformed: the customer-service handler answers it
      }
      if ((await ctx.store.chatrooms.get(port.info.appKey, targetId)) !== undefined) return roomHistory(port, frame);
    }
    return customerService(port, frame);
  };
}

/** A chatroom frame refused as malformed: the chatroom code for a bad parameter (room-wire.ts). */
function rejectRoomFrame(port: SessionPort, frame: PublishFrame | QueryFrame): void {
  if (frame.kind === 'query') port.queryAck(frame.messageId, ChatroomStatus.InvalidParameter, undefined, frame.topic);
  else rejectKind(port, frame);
}

/**
 * A PUBLISH on a query topic or a QUERY on a publish topic, or a malformed frame: answered with an error
 * (InvalidParameter), never dropped.
 */
function rejectKind(port: SessionPort, frame: PublishFrame | QueryFrame): void {
  if (frame.kind === 'query') port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
  else if (frame.messageId !== 0) port.puback(frame.messageId, { status: WireStatus.InvalidParameter });
}

export interface Services {
  readonly router: TopicRouter;
  readonly messaging: MessagingService;
  /** Conversation kinds by type (private, group, chatroom…), shared by client sends, recalls and the Server API. */
  readonly kinds: ConversationKinds;
  /** Group messaging (client sends and `message/group/publish`). */
  readonly groups: GroupService;
  /** Chatrooms: membership, delivery, KV (topics, the type-4 kind, the Server API). Close it on shutdown. */
  readonly chatrooms: Chatrooms;
  /** Every client send passes it (send bans, blacklist/whitelist, moderation; observers such as message routing). */
  readonly filters: MessageFilterChain;
  /** App Server callbacks (routing, status syncs, moderation). Close it after the gateway, before the store. */
  readonly callbacks: AppServerCallbacks;
  /** The hub the services fan out through (kicks and online checks of the Server API). */
  readonly hub: Hub;
  /** Sensitive words (filter + cache the Server API invalidates). */
  readonly sensitiveWords: SensitiveWords;
  /** Chatroom message distribution switch (Server API `chatroom/message/*Distribution`). */
  readonly distribution: ChatroomDistribution;
  /** `push`: tag/audience targeted in-app messages and push records. */
  readonly pushes: PushService;
}

/**
 * Builds the services and the topic table the gateway dispatches on. A topic missing here is answered
 * by the gateway with an error status, never silently accepted.
 */
export function createServices(ctx: ServerContext, hub: Hub): Services {
  const messaging = new MessagingService(ctx, hub);
  const handlers = new Map<string, TopicHandler>();
  const kinds = new Map<number, ConversationKind>();
  const peer = peerConversationKind(messaging, (message) => ctx.store.messages.recipientsOf(message.appKey, message.uid));
  kinds.set(1, peer);
  kinds.set(5, peer);
  kinds.set(6, peer);
  const groups = new GroupService(ctx, messaging);
  kinds.set(3, groups.kind());
  const chatrooms = createChatrooms(ctx, hub);
  const distribution = new ChatroomDistribution(ctx);
  const roomKind = distributionGatedKind(chatrooms.kind, chatrooms.service, distribution, ctx);
  kinds.set(4, roomKind);
  const filters = new MessageFilterChain((error, where) => ctx.log.warn('message filter failed', { where, error: String(error) }));
  filters.addFilter(chatBansFilter(ctx, hub.broker));
  filters.addFilter(userRelationsFilter(ctx, hub.broker));
  filters.addFilter(mediaLimitsFilter(ctx));
  const callbacks = createAppServerCallbacks(ctx, hub, filters, chatrooms.service.events);
  const features = createConversationFeatures(ctx, messaging, filters, hub.broker);
  const send = createSendHandler(kinds, filters);
  for (const topic of SEND_TOPIC_NAMES) handlers.set(topic, (port, frame) => (frame.kind === 'publish' ? send(port, frame) : rejectKind(port, frame)));
  const recall = createRecallHandler(ctx, messaging, kinds);
  // KV notifications are client room messages: the same kind and filters as a chatMsg.
  const roomQueries = chatrooms.queries(roomKind, filters);
  handlers.set('recallMsg', (port, frame) => (frame.kind === 'publish' ? recall(port, frame) : rejectKind(port, frame)));

  const queries: Array<[string, (port: SessionPort, frame: QueryFrame) => Promise<void> | void]> = [
    ['pullMsg', createPullHandler(ctx, messaging.delivery)],
    ['qryRelationR', createRelationListHandler(ctx)],
    ['qryRelation', createRelationListHandler(ctx)],
    ['delRelation', createDelRelationHandler(ctx)],
    ['delMsg', createDeleteMessagesHandler(ctx)],
    ['pullSeAtts', createPullSessionStatesHandler(ctx)],
    ['setSeAtt', createSetSessionStateHandler(ctx, messaging)],
    ['reportsdk', createReportSdkHandler()],
    ...Object.keys(HISTORY_TOPICS).map((t): [string, ReturnType<typeof createHistoryHandler>] => [t, createHistoryHandler(ctx)]),
    // Replaces the generic qryGMsg above (later entries win): members may also read pre-join group history.
    ['qryGMsg', createHistoryHandler(ctx, groupHistoryReader(ctx))],
    ['rrMsg', createReadReceiptHandler(ctx)],
    ['rrList', createReadersHandler(ctx)],
    ...Object.keys(CLEAN_TOPICS).map((t): [string, ReturnType<typeof createCleanHistoryHandler>] => [t, createCleanHistoryHandler(ctx)]),
    ...roomQueries,
    // Replaces the generic qryCMsg above: L2's generic getRemoteHistoryMessages asks chatroom history on it.
    ['qryCMsg', l2ChatroomHistoryOrCustomerService(ctx, createHistoryHandler(ctx), roomQueries)],
    ...fileQueries(ctx.files),
    ...features.queries,
    ...e5Queries(ctx, messaging),
  ];
  for (const [topic, handler] of queries) {
    handlers.set(topic, (port, frame) => (frame.kind === 'query' ? handler(port, frame) : rejectKind(port, frame)));
  }
  for (const [topic, handler] of e5Publishes(ctx, messaging)) {
    handlers.set(topic, (port, frame) => (frame.kind === 'publish' ? handler(port, frame) : rejectKind(port, frame)));
  }
  // A raw U+0000 in the frame's target id is a malformed frame on every topic (text-values.ts): refused before any
  // handler could store it (PostgreSQL TEXT refuses the 0x00 byte); payload strings are checked where decoded (wire.ts).
  // Chatroom queries answer a bad room id with the chatroom code (23412), every other topic with 33003.
  const roomTopics = new Set(roomQueries.map(([topic]) => topic));
  for (const [topic, handler] of handlers) {
    const refuse = roomTopics.has(topic) ? rejectRoomFrame : rejectKind;
    handlers.set(topic, (port, frame) => (hasNul(frame.targetId) ? refuse(port, frame) : handler(port, frame)));
  }
  // Sends to the peer kind reach the store append (or the transient delivery) before their first wait — only an
  // asynchronous filter verdict comes first, and filteredSend says so (deferOrder) — so a session's window of
  // such sends may enter the group commit together. Group sends read the member list first; chatroom sends go
  // through the room's own path: those stay one at a time.
  const pipelined = new Set(SEND_TOPIC_NAMES.filter((topic) => kinds.get(sendTopicType(topic) ?? -1) === peer));
  return { router: { handle: (topic) => handlers.get(topic), pipelined: (topic) => pipelined.has(topic) }, messaging, kinds, groups, chatrooms, filters, callbacks, hub, sensitiveWords: features.sensitiveWords, distribution, pushes: new PushService(ctx, messaging) };
}
