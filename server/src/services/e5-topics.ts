/**
 * Topics only engine 5.x clients ask (PROTOCOL-E5.md §3.4, §5): imlib-next 5.38's connect-time queries and
 * its conversation removal. Answers always carry the reply type with every proto2-required field: an empty
 * QUERYACK makes 5.38 throw "Missing at least one required field" (§3.3-2).
 * - `qAppBot` → BotOutput with no bots (the server hosts none).
 * - `pullEventChange` → the caller's server events (read receipts V5 events): e5-server-events.ts.
 * - `pullModifyMsg` → PullModifyMsgResp with no edits, finished, nextVersion = the requested pullVersion
 *   (5.38 throws when nextVersion goes backwards).
 * - `qryRLBatch` → RelationsOutput with the latest message of each listed conversation the request names (5.38
 *   fills `latestMessage` of the lists it builds locally from it: getTopConversationList, getBlockedConversationList,
 *   getConversationsFromTagByPage, getUnreadConversationList, getConversation), see `createRelationBatchHandler`.
 * - `delRelationBatch` (replaces E4 `delRelation`) → removes each listed conversation from the caller's list
 *   and, with `cleanMsg`, also hides its history up to now. No reply payload.
 * - server-side unread (`pullSe`, `qrySessionsUnread`): e5-unread.ts.
 * - read receipts V4/V5 (`sendMsgRead` PUBLISH, `qryMsgRead`, `qryMsgReadCntBatch`, `readReceipt`, `qryReceipt`,
 *   `qryReceiptBatch`): e5-read-receipts.ts.
 */
import { rc, decodeMessage, encodeMessage, ProtocolError, type PublishFrame, type QueryFrame } from './wire';
import type { SessionPort } from '../gateway/topic-router';
import type { ServerContext } from '../context';
import { isValidId, WireStatus } from './wire-status';
import { toDownStream } from './message-view';
import { e5UnreadQueries } from './e5-unread';
import { E5ReadReceipts } from './e5-read-receipts';
import { E5ServerEvents } from './e5-server-events';
import { ReadPositionService } from './read-positions';
import type { MessagingService } from './messaging';

/** As many conversations as one E4 tag call may name; 5.38's batch API allows fewer. */
const MAX_BATCH_CONVERSATIONS = 1000;
/** `qryRLBatch`: 5.38 names at most 100 conversations per query (it slices its list). */
const MAX_QUERY_CONVERSATIONS = 100;

type Decoder<T> = { decode(bytes: Uint8Array): T };
type QueryHandler = (port: SessionPort, frame: QueryFrame) => Promise<void> | void;
type PublishHandler = (port: SessionPort, frame: PublishFrame) => Promise<void> | void;

function read<T>(port: SessionPort, frame: QueryFrame, type: Decoder<T>, name: string): T | undefined {
  try {
    return decodeMessage(type, frame.payload, name);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    return undefined;
  }
}

/**
 * `qryRLBatch` (RelationDelBatchReq{relation[{conversationId, conversationType, busChannel}]} → RelationsOutput): the
 * latest visible message of each named conversation in the caller's list, as `qryRelationR` answers it. 5.38 sends
 * it after building a list from its own cache (top, blocked, unread, tag pages, getConversation) and matches each
 * answered RelationInfo back to its entry by (type, userId, busChannel): an entry it did not ask for would make it
 * throw, so only asked ones are answered, with the asked busChannel echoed (RelationInfo field 6). Conversations
 * not listed (never had a message, removed, everything hidden) are left out and keep 5.38's cached latestMessage.
 * A refused query fails the whole API call (39002 on a missing answer), so an empty request gets an empty answer.
 */
function createRelationBatchHandler(ctx: ServerContext): QueryHandler {
  return async (port, frame) => {
    const req = read(port, frame, rc.RelationDelBatchReq, 'RelationDelBatchReq');
    if (!req) return;
    const relations = req.relation ?? [];
    if (relations.length > MAX_QUERY_CONVERSATIONS || relations.some((r) => !isValidId(r.conversationId) || !(r.conversationType > 0))) {
      return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    }
    const busChannels = new Map(relations.map((r) => [`${r.conversationType}:${r.conversationId}`, r.busChannel ?? '']));
    const found = await ctx.store.conversations.summariesOf(port.info.appKey, port.info.userId, relations.map((r) => ({ type: r.conversationType, targetId: r.conversationId })));
    const info = found.map((c): rc.IRelationInfo => {
      const busChannel = busChannels.get(`${c.conversation.type}:${c.conversation.targetId}`) ?? '';
      return { type: c.conversation.type, userId: c.conversation.targetId, msg: toDownStream(c.latest), ...(busChannel !== '' ? { channelId: busChannel } : {}) };
    });
    port.queryAck(frame.messageId, WireStatus.Ok, encodeMessage(rc.RelationsOutput, { info }), frame.topic);
  };
}

/** PUBLISH topics only engine 5.x clients send. */
export function e5Publishes(ctx: ServerContext, messaging: MessagingService): Array<[string, PublishHandler]> {
  return new E5ReadReceipts(ctx, messaging, new ReadPositionService(ctx, messaging)).publishes();
}

export function e5Queries(ctx: ServerContext, messaging: MessagingService): Array<[string, QueryHandler]> {
  return [
    ['qAppBot', (port, frame) => {
      port.queryAck(frame.messageId, WireStatus.Ok, encodeMessage(rc.BotOutput, { bots: [] }), frame.topic);
    }],
    ['pullEventChange', new E5ServerEvents(ctx, messaging).pullEventChange],
    ['pullModifyMsg', (port, frame) => {
      const req = read(port, frame, rc.PullModifyMsgReq, 'PullModifyMsgReq');
      if (!req) return;
      const payload = encodeMessage(rc.PullModifyMsgResp, { msg: [], nextVersion: Number(req.pullVersion ?? 0), finished: true });
      port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
    }],
    ['qryRLBatch', createRelationBatchHandler(ctx)],
    ['delRelationBatch', async (port, frame) => {
      const req = read(port, frame, rc.RelationDelBatchReq, 'RelationDelBatchReq');
      if (!req) return;
      const relations = req.relation ?? [];
      if (relations.length === 0 || relations.length > MAX_BATCH_CONVERSATIONS || relations.some((r) => !isValidId(r.conversationId) || !(r.conversationType > 0))) {
        return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
      }
      const { appKey, userId } = port.info;
      const now = ctx.clock.now();
      for (const r of relations) {
        const conversation = { type: r.conversationType, targetId: r.conversationId };
        if (req.cleanMsg === true) await ctx.store.messages.clearHistory(appKey, userId, conversation, now);
        await ctx.store.conversations.remove(appKey, userId, conversation);
      }
      port.queryAck(frame.messageId, WireStatus.Ok, undefined, frame.topic);
    }],
    ...e5UnreadQueries(ctx),
    ...new E5ReadReceipts(ctx, messaging, new ReadPositionService(ctx, messaging)).queries(),
  ];
}
