import { rc, decodeMessage, encodeMessage, ProtocolError, type QueryFrame } from './wire';
import type { SessionInfo, SessionPort } from '../gateway/topic-router';
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
 * Whether the client reads an order-1 (newer than `time`) page in the order it arrives, so it must come oldest first:
 * imlib-next on the rewritten engine 5.x (5.28 on; 5.38 reverses only order-0 pages, `list: 0===u ? h.reverse() : h`,
 * 5.28.0 reverses none). Everything else gets every page newest first: 2.x (E4 `_formatHistoryMessages` and L2 reverse
 * every page), imlib-next 5.7.3 (its engine reverses every page, as E4) and our SDK (sorts each page by sentTime).
 * A 5.x version we cannot read is taken as the newer engine.
 */
export function wantsOrderOneOldestFirst(info: Pick<SessionInfo, 'clientKind' | 'sdkVer'>): boolean {
  if (info.clientKind !== 'E5') return false;
  const minor = /^5\.(\d+)/.exec(info.sdkVer);
  return minor === null || Number(minor[1]) >= 28;
}

/**
 * Remote history of one conversation. The payload's `targetId` is authoritative (E4 puts its own id in
 * the frame, L2 the conversation id); the list is newest first, except an order-1 page for a client that keeps
 * it as it comes (`wantsOrderOneOldestFirst`): oldest first, so 5.38 shows both orders oldest first, as 2.x does.
 * `syncTime` is the paging cursor: the oldest message's time when paging back (order 0), the newest one's when
 * paging forward (order 1), whatever the list's order.
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
    const newestFirst = page.messages.map((entry) => toDownStream(entry));
    const list = order === 1 && wantsOrderOneOldestFirst(port.info) ? newestFirst.reverse() : newestFirst;
    const edge = order === 0 ? page.messages[page.messages.length - 1] : page.messages[0];
    const payload = encodeMessage(rc.HistoryMsgOuput, {
      list,
      syncTime: edge ? edge.message.sentTime : 0,
      hasMsg: page.hasMore ? 1 : 0,
    });
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };
}
