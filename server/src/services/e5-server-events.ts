/**
 * Engine 5.x server events (`pullEventChange`, PROTOCOL-E5.md §3.4), used for the live read receipts V5: when
 * a member reads a message with `readReceipt`, its sender gets one event (changeType 36, subChangeType 0,
 * eventData = MsgReadEvent{msgId, msgTime, totalCnt, readCnt, unreadCnt, readList = the new reader}) in its
 * per-user log (store/server-event-repository.ts), and its online sessions get `s_cmd` type 11 with the
 * event's time. imlib-next 5.38 answers that by pulling from its cursor and raises MESSAGE_RECEIPT_RESPONSE_V5
 * (identifier = {channelType, businessId, secondaryId}: the conversation as the sender sees it).
 *
 * The pull, as 5.38 drives it:
 * - on every connect it asks `syncTime` 0 ("notice online") and reads only `syncTime`/`hasNext` from the
 *   answer: it then keeps `syncTime` as its cursor (fresh connect) and pulls from it at once when `hasNext`.
 *   A client that lost its cursor cannot say what it has seen, so the server keeps, per user, the newest
 *   event time it has answered to any session (events count as delivered once answered) and answers 0 with
 *   it: events recorded while the user was offline arrive right after connect. That cursor is per user, not
 *   per device: an event one device pulled is not replayed to another device's fresh connect. A session
 *   that reconnects on its own pulls from its own cursor instead, so an answer lost with a dropped socket is
 *   answered again.
 * - any other `syncTime` t → the events after t, oldest first, one page; `syncTime` = the last one's time (t
 *   when none; 5.38 throws when it goes backwards), `hasNext` while more remain. It never answers 0 (5.38
 *   would then ask 0 again, which means "notice online", and never get the events).
 * Events expire with the app's offline retention (`offlineRetentionDays`), trimmed per user on append.
 * 2.x clients ignore `s_cmd` type 11 (engine 4.4.2 acts on types 2 and 3 only).
 */
import type { SessionPort } from '../gateway/topic-router';
import type { ServerContext } from '../context';
import type { MessagingService } from './messaging';
import type { ServerEvent } from '../store/server-event-repository';
import { rc, encodeMessage, ProtocolError, type QueryFrame } from './wire';
import { WireStatus } from './wire-status';
import { decodeE5, encodeE5, EventChangeList, field, MsgReadEvent, QueryMsgChange } from './e5-wire';
import type { E5Object } from './e5-wire';
import { PRIVATE } from './e5-receipt-state';
import type { ReceiptState } from './e5-receipt-state';

/** EventChange.changeType of a read receipt V5 (5.38 handles it with subChangeType 0). */
export const READ_RECEIPT_V5_EVENT = 36;
/** s_cmd NotifyMsg type "server event, pullEventChange". */
export const SERVER_EVENT_NOTIFY = 11;
/** Events per `pullEventChange` answer. */
export const EVENT_PAGE = 100;
const DAY_MS = 86_400_000;

type QueryHandler = (port: SessionPort, frame: QueryFrame) => Promise<void>;

function eventChange(event: ServerEvent): E5Object {
  return {
    businessId: event.conversation.targetId,
    channelType: event.conversation.type,
    time: event.time,
    changeType: event.changeType,
    secondaryId: '',
    subChangeType: event.subChangeType,
    eventData: event.data,
  };
}

export class E5ServerEvents {
  constructor(
    private readonly ctx: ServerContext,
    private readonly messaging: MessagingService,
  ) {}

  private retentionStart(appKey: string, now: number): number {
    return now - (this.ctx.apps.get(appKey)?.offlineRetentionDays ?? 7) * DAY_MS;
  }

  /**
   * Records that `reader` has just read each message of `reads` (states taken after the read) in the log of
   * each message's sender, and tells the senders' online sessions to pull.
   */
  async recordReads(appKey: string, reader: string, reads: readonly ReceiptState[]): Promise<void> {
    const bySender = new Map<string, ReceiptState[]>();
    for (const state of reads) {
      const sender = state.message.fromUserId;
      if (sender === reader) continue;
      bySender.set(sender, [...(bySender.get(sender) ?? []), state]);
    }
    const now = this.ctx.clock.now();
    for (const [sender, states] of bySender) {
      const events = states.map((state) => {
        const { message } = state;
        const entry = state.readers.find((r) => r.userId === reader);
        const data = encodeE5(MsgReadEvent, {
          msgId: message.uid,
          msgTime: message.sentTime,
          totalCnt: state.recipients.length,
          readCnt: state.readers.length,
          unreadCnt: state.unread.length,
          readList: entry === undefined ? [] : [{ userId: entry.userId, receiptTime: entry.readTime }],
        });
        // The sender's side of the conversation: the reader (private) or the group.
        const targetId = message.conversationType === PRIVATE ? reader : message.targetId;
        return { changeType: READ_RECEIPT_V5_EVENT, subChangeType: 0, conversation: { type: message.conversationType, targetId }, data };
      });
      const stored = await this.ctx.store.serverEvents.append(appKey, sender, events, now, this.retentionStart(appKey, now));
      const last = stored[stored.length - 1];
      if (last === undefined) continue;
      this.messaging.pushToUser(appKey, sender, 's_cmd', encodeMessage(rc.NotifyMsg, { type: SERVER_EVENT_NOTIFY, time: last.time }));
    }
  }

  readonly pullEventChange: QueryHandler = async (port, frame) => {
    let req: E5Object;
    try {
      req = decodeE5(QueryMsgChange, frame.payload);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    }
    const { appKey, userId } = port.info;
    const log = this.ctx.store.serverEvents;
    const notBefore = this.retentionStart(appKey, this.ctx.clock.now());
    const asked = Math.max(0, field.num(req, 'syncTime'));
    let payload: Uint8Array;
    if (asked === 0) {
      const cursor = Math.max(1, await log.acknowledged(appKey, userId));
      const pending = await log.listAfter(appKey, userId, cursor, 1, notBefore);
      payload = encodeE5(EventChangeList, { list: [], syncTime: cursor, hasNext: pending.events.length > 0 });
    } else {
      const page = await log.listAfter(appKey, userId, asked, EVENT_PAGE, notBefore);
      const syncTime = page.events[page.events.length - 1]?.time ?? asked;
      await log.acknowledge(appKey, userId, syncTime);
      payload = encodeE5(EventChangeList, { list: page.events.map(eventChange), syncTime, hasNext: page.hasMore });
    }
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };
}
