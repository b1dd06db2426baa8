import { rc, decodeMessage, encodeMessage, ProtocolError, type QueryFrame } from './wire';
import type { SessionPort } from '../gateway/topic-router';
import type { ServerContext } from '../context';
import type { HistoryPage, HistoryQuery } from '../store/store';
import { toDownStream } from './message-view';
import { isValidId, WireStatus } from './wire-status';

/** History topics and the conversation type each one reads (PROTOCOL.md §6.3). */
export const HISTORY_TOPICS: Readonly<Record<string, number>> = {
  qryPMsg: 1,
  qryDMsg: 2,
  qryGMsg: 3,
  qryCMsg: 5,
  qrySMsg: 6,
};

const MAX_HISTORY_COUNT = 100;
const DEFAULT_HISTORY_COUNT = 20;

/** Where a history page comes from; a conversation kind may read more than the owner's own entries (groups: pre-join history). */
export type HistoryReader = (query: HistoryQuery) => Promise<HistoryPage>;

/**
 * Remote history of one conversation. The payload's `targetId` is authoritative (E4 puts its own id in
 * the frame, L2 the conversation id); the list is newest first; `syncTime` is the paging cursor: the
 * oldest message's time when paging back (order 0), the newest one's when paging forward (order 1).
 */
export function createHistoryHandler(ctx: ServerContext, read: HistoryReader = (query) => ctx.store.messages.history(query)) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    const type = HISTORY_TOPICS[frame.topic];
    let req: rc.HistoryMsgInput;
    try {
      req = decodeMessage(rc.HistoryMsgInput, frame.payload, 'HistoryMsgInput');
    } catch (error) {
      if (error instanceof ProtocolError) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
      throw error;
    }
    const targetId = req.targetId || frame.targetId;
    if (type === undefined || !isValidId(targetId)) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    const requested = req.count ?? 0;
    const count = requested <= 0 ? DEFAULT_HISTORY_COUNT : Math.min(requested, MAX_HISTORY_COUNT);
    const order = req.order === 1 ? 1 : 0;
    const page = await read({
      appKey: port.info.appKey,
      owner: port.info.userId,
      conversation: { type, targetId },
      time: Math.max(0, req.time ?? 0),
      count,
      order,
    });
    const list = page.messages.map((entry) => toDownStream(entry));
    const edge = order === 0 ? page.messages[page.messages.length - 1] : page.messages[0];
    const payload = encodeMessage(rc.HistoryMsgOuput, {
      list,
      syncTime: edge ? edge.message.sentTime : 0,
      hasMsg: page.hasMore ? 1 : 0,
    });
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };
}
