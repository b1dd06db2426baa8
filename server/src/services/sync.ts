import { rc, decodeMessage, encodeMessage, ProtocolError, type QueryFrame } from './wire';
import type { SessionPort } from '../gateway/topic-router';
import type { ServerContext } from '../context';
import { toDownStream } from './message-view';
import { encodeDownStreams } from './downstream-encode';
import { WireStatus } from './wire-status';
import type { InboxDelivery } from './inbox-delivery';
import { eventLoopAdmission } from '../gateway/turn-admission';

/** Entries per pullMsg page. E4 re-pulls on `finished=false`; L2 gets an extra s_ntf instead. */
export const SYNC_PAGE_SIZE = 200;
const DAY_MS = 86_400_000;

/**
 * `pullMsg` (PROTOCOL.md §8.3): inbox entries after `syncTime`, sendbox entries after `sendBoxSyncTime`
 * only when `isPullSend`, ascending; `syncTime` on the last page is the owner's high-water mark so E4
 * never loops on a notification time it queued.
 */
export function createPullHandler(ctx: ServerContext, delivery?: InboxDelivery) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    // A storm's pulls (a synchronous store read each, on this thread) run a slice per loop turn.
    if (!delivery) return eventLoopAdmission.schedule(() => pull(ctx, port, frame));
    // Tracked from arrival to answer: an s_msg written meanwhile could reach the client mid-pull.
    const { appKey, userId, sessionId } = port.info;
    delivery.pullStarted(sessionId);
    let answered = false;
    try {
      await eventLoopAdmission.schedule(() =>
        pull(ctx, port, frame, (answer) => {
          answered = true;
          delivery.pullAnswered(appKey, userId, sessionId, answer);
        }),
      );
    } finally {
      if (!answered) delivery.pullAnswered(appKey, userId, sessionId, 'failed');
    }
  };
}

/** `beforeAnswer` runs synchronously right before the page is written. */
async function pull(
  ctx: ServerContext,
  port: SessionPort,
  frame: QueryFrame,
  beforeAnswer?: (answer: { syncTime: number; finished: boolean }) => void,
): Promise<void> {
  let req: rc.SyncRequestMsg;
  try {
    req = decodeMessage(rc.SyncRequestMsg, frame.payload, 'SyncRequestMsg');
  } catch (error) {
    if (error instanceof ProtocolError) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    throw error;
  }
  const { appKey, userId } = port.info;
  port.pullAsked?.();
  const retentionDays = ctx.apps.get(appKey)?.offlineRetentionDays ?? 7;
  const now = ctx.clock.now();
  // A cursor an s_msg moved past this session's pulls (E4 takes a pushed time as its inbox cursor) restarts where
  // they reached: what a not-stored message overtook is pulled, nothing twice (transient-hold.ts).
  const mark = port.pullMark?.() ?? -1;
  const page = await ctx.store.messages.sync(
    appKey,
    userId,
    Math.max(0, mark >= 0 && req.syncTime > mark ? mark : req.syncTime),
    req.isPullSend ? Math.max(0, req.sendBoxSyncTime ?? 0) : null,
    SYNC_PAGE_SIZE,
    now - retentionDays * DAY_MS,
  );
  const payload = encodeDownStreams({
    list: page.entries.map((entry) => toDownStream(entry)),
    // A finished answer reaches every echo time the client may have queued (PROTOCOL.md §8.3 rule 3); the session's
    // mark (pulledTo) stays the real high-water, from which a cursor past it is answered.
    syncTime: page.hasMore ? page.syncTime : Math.max(page.syncTime, port.answerFloor?.() ?? 0),
    finished: !page.hasMore,
  });
  beforeAnswer?.({ syncTime: page.syncTime, finished: !page.hasMore });
  port.pulledTo?.(page.syncTime, page.hasMore);
  port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  if (page.hasMore && port.info.clientKind === 'L2') {
    // L2 does not continue on finished=false; a notification newer than its cursor makes it pull again.
    port.push('s_ntf', userId, encodeMessage(rc.NotifyMsg, { type: 1, time: page.syncTime + 1 }), 1);
  }
}
