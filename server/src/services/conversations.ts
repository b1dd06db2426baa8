import { rc, decodeMessage, encodeMessage, ProtocolError, decodeDelRelationType, type QueryFrame } from './wire';
import type { SessionPort } from '../gateway/topic-router';
import type { ServerContext } from '../context';
import type { ConversationKey } from '../store/store';
import { toDownStream } from './message-view';
import { isValidId, WireStatus } from './wire-status';

const DEFAULT_LIST_COUNT = 300;
const MAX_LIST_COUNT = 1000;
const MAX_DELETE_UIDS = 100;

/** Clear-history topics and the conversation type each one clears (PROTOCOL.md §6.3). */
export const CLEAN_TOPICS: Readonly<Record<string, number>> = {
  cleanPMsg: 1,
  cleanDMsg: 2,
  cleanGMsg: 3,
  cleanCMsg: 5,
  cleanSMsg: 6,
};

type Decoder<T> = { decode(bytes: Uint8Array): T };

/** Decodes a query payload or answers it with InvalidParameter and returns undefined. */
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
 * Conversation list: `qryRelationR` (E4, RelationQryInput) and `qryRelation` (L2, RelationsInput). Both
 * clients send type 1 meaning "all" and filter locally (PROTOCOL.md §14 U8); E5 sends no type at all. Every entry carries `msg`
 * (E4 crashes without it). `order` 0 pages backwards from startTime (exclusive), newest first; `order` 1 forwards
 * (exclusive), oldest first — as imlib-next 5.x documents it and as 5.38 answers it from its own cache; neither engine
 * re-sorts the answer.
 */
export function createRelationListHandler(ctx: ServerContext) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    const req: { count?: number | null; startTime?: number | null; order?: number | null; channelType?: number[] | null } | undefined = frame.topic === 'qryRelationR'
      ? read<rc.RelationQryInput>(port, frame, rc.RelationQryInput, 'RelationQryInput')
      : read<rc.RelationsInput>(port, frame, rc.RelationsInput, 'RelationsInput');
    if (!req) return;
    const requested = req.count ?? 0;
    const count = requested <= 0 ? DEFAULT_LIST_COUNT : Math.min(requested, MAX_LIST_COUNT);
    const startTime = Math.max(0, req.startTime ?? 0);
    // order 1 (imlib-next 5.x `getConversationList({ order: 1 })`): the conversations after startTime, oldest first
    // (0 = from the first); anything else, and E4 / L2 without it: before startTime (0 = now), newest first.
    const all = req.order === 1
      ? await ctx.store.conversations.listAfter(port.info.appKey, port.info.userId, count, startTime)
      : await ctx.store.conversations.list(port.info.appKey, port.info.userId, count, startTime);
    // E5 (5.38) sends no `type` and may narrow the list with `channelType[]` (PROTOCOL-E5.md §3.2).
    const only = new Set(req.channelType ?? []);
    const list = only.size === 0 ? all : all.filter((c) => only.has(c.conversation.type));
    const payload = encodeMessage(rc.RelationsOutput, {
      info: list.map((c) => ({ type: c.conversation.type, userId: c.conversation.targetId, msg: toDownStream(c.latest) })),
    });
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };
}

/** `delRelation`: field 1 is the type in both clients' layouts; field 2 clashes, so it is skipped by wire type. */
export function createDelRelationHandler(ctx: ServerContext) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    let type: number;
    try {
      type = decodeDelRelationType(frame.payload);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    }
    if (!isValidId(frame.targetId)) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    await ctx.store.conversations.remove(port.info.appKey, port.info.userId, { type, targetId: frame.targetId });
    port.queryAck(frame.messageId, WireStatus.Ok, undefined, frame.topic);
  };
}

/** `delMsg`: hide up to 100 messages from the caller's own history. */
export function createDeleteMessagesHandler(ctx: ServerContext) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    const req = read<rc.DeleteMsgInput>(port, frame, rc.DeleteMsgInput, 'DeleteMsgInput');
    if (!req) return;
    const targetId = req.conversationId || frame.targetId;
    const uids = (req.msgs ?? []).map((m) => m.msgId).filter((id): id is string => typeof id === 'string' && id.length > 0);
    if (!isValidId(targetId) || !req.type || uids.length === 0 || uids.length > MAX_DELETE_UIDS) {
      return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    }
    await ctx.store.messages.deleteForOwner(port.info.appKey, port.info.userId, { type: req.type, targetId }, uids);
    // L2 names an output type (DeleteMsgOutput{nothing}) and decodes it; E4 has none and ignores it.
    const payload = port.info.clientKind === 'L2' ? encodeMessage(rc.DeleteMsgOutput, { nothing: 1 }) : undefined;
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };
}

/**
 * Hides every message of one conversation sent at or before `upTo` from `owner`'s remote history: the
 * clean-history topics (`clean*Msg`) and the Server API's `conversation/message/history/clean` both come here, so a
 * clean made either way reads the same in every later history page. The other participants keep theirs.
 * A clean never reaches past what is stored: `upTo` (0 = everything) is capped at the app's clock, its newest
 * sentTime. A wall-clock bound hid messages stored after the clean — one in the same millisecond, one from a
 * node whose clock is behind, or all up to a time a client's skewed clock put in the future (engine 4.4.2 fills
 * a falsy timestamp with its estimate of the server time). read-positions.ts has the same rule.
 */
export async function cleanHistory(ctx: ServerContext, appKey: string, owner: string, conversation: ConversationKey, upTo: number): Promise<void> {
  const horizon = await ctx.store.messages.lastSentTime(appKey);
  const through = upTo > 0 ? Math.min(upTo, horizon) : horizon;
  if (through > 0) await ctx.store.messages.clearHistory(appKey, owner, conversation, through);
}

/** `clean*Msg`: hide everything up to `dataTime` (0 = everything stored) from the caller's history of one conversation. */
export function createCleanHistoryHandler(ctx: ServerContext) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    const type = CLEAN_TOPICS[frame.topic];
    const req = read<rc.CleanHisMsgInput>(port, frame, rc.CleanHisMsgInput, 'CleanHisMsgInput');
    if (!req) return;
    const targetId = req.targetId || frame.targetId;
    if (type === undefined || !isValidId(targetId)) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    await cleanHistory(ctx, port.info.appKey, port.info.userId, { type, targetId }, req.dataTime);
    port.queryAck(frame.messageId, WireStatus.Ok, undefined, frame.topic);
  };
}
