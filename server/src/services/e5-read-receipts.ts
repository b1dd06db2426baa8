/**
 * Read receipts V4 and V5 of engine 5.x (imlib-next ≥ 5.9 / ≥ 5.20; PROTOCOL-E5.md §1.3, §3.4), announced per
 * app on `/v2/navi.json` (`grpRRVer` 3 = V4, 4 = V5; app option `e5ReadReceipts`). Reads are kept as
 * e5-receipt-state.ts describes; private reads also move the reader's read position (read-positions.ts), so
 * server-side unread and our SDK's synced unread follow them.
 *
 * V4 (`sendReadReceiptMessageV4`, `getMessageReadReceiptV4`, `batchGetMessageReadReceiptInfoV4`):
 * - PUBLISH `sendMsgRead` (ReadReceiptMsg{targetId, type, startMsgId, endMsgId}, target = conversation):
 *   private → read up to `endMsgId`; group → every message of the reader's history from `startMsgId` (or
 *   just `endMsgId`) to `endMsgId`, at most MAX_RANGE. Each message's sender gets `RC:RSMsg` (transient, via
 *   `s_msg`; 5.x raises MESSAGE_READ_RECEIPT_V4): private `{endMsgTime}`, group `{msgId, tmn, rrn}`.
 * - `qryMsgRead` (ReceiptQryReq{msgId, targetId} → QueryReceiptResp{num, list[{userId, receiptTime}], readCnt}).
 * - `qryMsgReadCntBatch` (ReceiptCntQryReq{type, msgId[]} → ReceiptCntQryResp{result[{msgId, cnt, tmn}]}).
 * V5 (`sendReadReceiptResponseV5`, `getMessageReadReceiptInfoV5[ByIdentifiers]`, `getMessagesReadReceipt…V5`):
 * - `readReceipt` (ReadReceipt{targetId, type, msgIds[]}, target = the first uid): marks them read; each
 *   message this reader had not read yet becomes a server event of its sender (e5-server-events.ts: the
 *   sender's 5.38 raises MESSAGE_RECEIPT_RESPONSE_V5 live, or after its next connect).
 * - `qryReceipt` (QueryReceiptReq → ReceiptResp): qryType 1 = a page of readers (readType 1) or of members who
 *   have not read (readType 2), `pageToken` = offset; qryType 2 = the given users only; otherwise counts.
 * - `qryReceiptBatch` (QueryReceiptBatchReq{items[{targetId, type, msgIds}]} → QueryReceiptBatchResp).
 * Messages the caller may not see (e5-receipt-state.ts) are left out of lists; a single-message query about
 * one answers 33003.
 */
import type { SessionPort } from '../gateway/topic-router';
import type { ServerContext } from '../context';
import type { MessagingService } from './messaging';
import type { ReadPositionService } from './read-positions';
import type { StoredMessage } from '../store/store';
import { encodeUtf8, ProtocolError, type PublishFrame, type QueryFrame } from './wire';
import { isValidId, WireStatus } from './wire-status';
import {
  decodeE5, encodeE5, field, QueryReceiptBatchReq, QueryReceiptBatchResp, QueryReceiptReq, QueryReceiptResp, ReadReceipt,
  ReadReceiptMsg, ReceiptCntQryReq, ReceiptCntQryResp, ReceiptQryReq, ReceiptResp,
} from './e5-wire';
import type { E5Object, Schema } from './e5-wire';
import { GROUP, PRIVATE, receiptMessage, receiptState } from './e5-receipt-state';
import { E5ServerEvents } from './e5-server-events';
import type { ConversationRef, ReceiptReader, ReceiptState } from './e5-receipt-state';

/** Messages per receipt call (5.x allows 1–100 uids). */
const MAX_UIDS = 100;
/** Group messages one V4 range marks at most. */
const MAX_RANGE = 100;
const MAX_PAGE = 100;
const READ_STATE_OBJECT_NAME = 'RC:RSMsg';

type QueryHandler = (port: SessionPort, frame: QueryFrame) => Promise<void>;
type PublishHandler = (port: SessionPort, frame: PublishFrame) => Promise<void>;

function decoded(schema: Schema, payload: Uint8Array): E5Object | undefined {
  try {
    return decodeE5(schema, payload);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return undefined;
  }
}

function conversationOf(type: number, targetId: string): ConversationRef | undefined {
  return (type === PRIVATE || type === GROUP) && isValidId(targetId) ? { type, targetId } : undefined;
}

const user = (reader: ReceiptReader): E5Object => ({ userId: reader.userId, receiptTime: reader.readTime });

export class E5ReadReceipts {
  private readonly events: E5ServerEvents;

  constructor(
    private readonly ctx: ServerContext,
    private readonly messaging: MessagingService,
    private readonly reads: ReadPositionService,
  ) {
    this.events = new E5ServerEvents(ctx, messaging);
  }

  /** The caller's receipts-visible messages among `uids`, in the given order. */
  private async messages(appKey: string, caller: string, conversation: ConversationRef, uids: readonly string[]): Promise<StoredMessage[]> {
    const out: StoredMessage[] = [];
    for (const uid of new Set(uids)) {
      const message = await receiptMessage(this.ctx, appKey, caller, conversation, uid);
      if (message !== undefined) out.push(message);
    }
    return out;
  }

  /**
   * Marks `messages` (all of `conversation`) read by `reader`: private ones up to the newest received, group
   * ones one by one. Returns the messages that were someone else's (their senders may be told).
   */
  private async markRead(port: SessionPort, conversation: ConversationRef, messages: readonly StoredMessage[]): Promise<StoredMessage[]> {
    const { appKey, userId, sessionId } = port.info;
    const received = messages.filter((m) => m.fromUserId !== userId);
    if (received.length === 0) return [];
    if (conversation.type === PRIVATE) {
      const newest = Math.max(...received.map((m) => m.sentTime));
      await this.reads.markRead(appKey, userId, { type: PRIVATE, targetId: conversation.targetId }, newest, sessionId);
    } else {
      await this.ctx.store.groups.markRead(appKey, conversation.targetId, received.map((m) => m.uid), userId, this.ctx.clock.now());
    }
    return received;
  }

  /** `RC:RSMsg` from the reader to the sender of a message it read (transient: online sessions only). */
  private async tellSender(port: SessionPort, message: StoredMessage, content: Record<string, unknown>): Promise<void> {
    const conversationTarget = message.conversationType === PRIVATE ? message.fromUserId : message.targetId;
    await this.messaging.send({
      appKey: port.info.appKey,
      fromUserId: port.info.userId,
      conversationType: message.conversationType,
      targetId: conversationTarget,
      objectName: READ_STATE_OBJECT_NAME,
      content: encodeUtf8(JSON.stringify(content)),
      flags: 0,
      recipients: [message.fromUserId],
      senderSendbox: false,
    });
  }

  // ── V4 ──────────────────────────────────────────────────────────────────────────────────────────────
  readonly sendMsgRead: PublishHandler = async (port, frame) => {
    const ack = (status: number): void => port.puback(frame.messageId, { status });
    const req = decoded(ReadReceiptMsg, frame.payload);
    const conversation = req && conversationOf(field.num(req, 'type'), field.str(req, 'targetId') || frame.targetId);
    const endId = req ? field.str(req, 'endMsgId') : '';
    if (req === undefined || conversation === undefined || endId === '') return ack(WireStatus.InvalidParameter);
    const { appKey, userId } = port.info;
    const [end] = await this.messages(appKey, userId, conversation, [endId]);
    if (end === undefined) return ack(WireStatus.InvalidParameter);
    let range: StoredMessage[] = [end];
    const startId = field.str(req, 'startMsgId');
    if (conversation.type === GROUP && startId !== '' && startId !== endId) {
      const [start] = await this.messages(appKey, userId, conversation, [startId]);
      if (start === undefined || start.sentTime > end.sentTime) return ack(WireStatus.InvalidParameter);
      const page = await this.ctx.store.messages.history({ appKey, owner: userId, conversation, time: start.sentTime - 1, count: MAX_RANGE, order: 1 });
      range = page.messages.map((entry) => entry.message).filter((m) => m.sentTime <= end.sentTime);
    }
    const received = await this.markRead(port, conversation, range);
    ack(WireStatus.Ok);
    if (conversation.type === PRIVATE) {
      if (received.length > 0) await this.tellSender(port, end, { endMsgTime: end.sentTime });
      return;
    }
    for (const message of received) {
      const state = await receiptState(this.ctx, appKey, message);
      await this.tellSender(port, message, { msgId: message.uid, tmn: state.recipients.length, rrn: state.readers.length });
    }
  };

  readonly qryMsgRead: QueryHandler = async (port, frame) => {
    const req = decoded(ReceiptQryReq, frame.payload);
    const conversation = req && conversationOf(GROUP, field.str(req, 'targetId') || frame.targetId);
    const state = req && conversation && (await this.stateOf(port, conversation, field.str(req, 'msgId')));
    if (!state) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    const payload = encodeE5(QueryReceiptResp, { num: state.recipients.length, list: state.readers.map(user), readCnt: state.readers.length });
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };

  readonly qryMsgReadCntBatch: QueryHandler = async (port, frame) => {
    const req = decoded(ReceiptCntQryReq, frame.payload);
    const conversation = req && conversationOf(field.num(req, 'type') || GROUP, frame.targetId);
    const uids = req ? field.strings(req, 'msgId') : [];
    if (!conversation || uids.length === 0 || uids.length > MAX_UIDS) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    const result: E5Object[] = [];
    for (const message of await this.messages(port.info.appKey, port.info.userId, conversation, uids)) {
      const state = await receiptState(this.ctx, port.info.appKey, message);
      result.push({ msgId: message.uid, cnt: state.readers.length, tmn: state.recipients.length });
    }
    port.queryAck(frame.messageId, WireStatus.Ok, encodeE5(ReceiptCntQryResp, { result }), frame.topic);
  };

  // ── V5 ──────────────────────────────────────────────────────────────────────────────────────────────
  readonly readReceipt: QueryHandler = async (port, frame) => {
    const req = decoded(ReadReceipt, frame.payload);
    const conversation = req && conversationOf(field.num(req, 'type'), field.str(req, 'targetId'));
    const uids = req ? field.strings(req, 'msgIds') : [];
    if (!conversation || uids.length === 0 || uids.length > MAX_UIDS) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    const { appKey, userId } = port.info;
    const messages = await this.messages(appKey, userId, conversation, uids);
    // Only first reads become events: a repeated receipt changes no count.
    const unread: StoredMessage[] = [];
    for (const message of messages) {
      if (message.fromUserId !== userId && (await receiptState(this.ctx, appKey, message)).unread.includes(userId)) unread.push(message);
    }
    await this.markRead(port, conversation, messages);
    const states: ReceiptState[] = [];
    for (const message of unread) states.push(await receiptState(this.ctx, appKey, message));
    await this.events.recordReads(appKey, userId, states);
    port.queryAck(frame.messageId, WireStatus.Ok, undefined, frame.topic);
  };

  readonly qryReceipt: QueryHandler = async (port, frame) => {
    const req = decoded(QueryReceiptReq, frame.payload);
    const conversation = req && conversationOf(field.num(req, 'type'), field.str(req, 'targetId'));
    const uid = req ? (field.strings(req, 'msgIds')[0] ?? frame.targetId) : '';
    const state = req && conversation && (await this.stateOf(port, conversation, uid));
    if (!req || !state) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    const item: Record<string, E5Object[keyof E5Object]> = { ...counts(state) };
    let pageToken: string | undefined;
    const qryType = field.num(req, 'qryType');
    if (qryType === 1) {
      const wantRead = field.num(req, 'readType') !== 2;
      // order 1 (5.x's default): earliest read first; 0: latest first. Unread members keep recipient order.
      const everyone = wantRead ? state.readers.map(user) : state.unread.map((userId) => ({ userId }));
      const ordered = wantRead && field.num(req, 'order') === 0 ? [...everyone].reverse() : everyone;
      const size = Math.min(Math.max(1, field.num(req, 'pageSize') || 20), MAX_PAGE);
      const offset = Math.max(0, Number.parseInt(field.str(req, 'pageToken') || '0', 10) || 0);
      const page = ordered.slice(offset, offset + size);
      item[wantRead ? 'readUser' : 'unreadUser'] = page;
      if (offset + size < ordered.length) pageToken = String(offset + size);
    } else if (qryType === 2) {
      const asked = new Set(field.strings(req, 'users'));
      item.readUser = state.readers.filter((r) => asked.has(r.userId)).map(user);
      item.unreadUser = state.unread.filter((userId) => asked.has(userId)).map((userId) => ({ userId }));
    }
    const payload = encodeE5(ReceiptResp, { resp: [item], ...(pageToken !== undefined ? { pageToken } : {}) });
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };

  readonly qryReceiptBatch: QueryHandler = async (port, frame) => {
    const req = decoded(QueryReceiptBatchReq, frame.payload);
    const items = req ? field.objects(req, 'items') : [];
    const total = items.reduce((sum, item) => sum + field.strings(item, 'msgIds').length, 0);
    if (items.length === 0 || total > MAX_UIDS) return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    const out: E5Object[] = [];
    for (const item of items) {
      const conversation = conversationOf(field.num(item, 'type'), field.str(item, 'targetId'));
      if (conversation === undefined) continue;
      const msg: E5Object[] = [];
      for (const message of await this.messages(port.info.appKey, port.info.userId, conversation, field.strings(item, 'msgIds'))) {
        msg.push(counts(await receiptState(this.ctx, port.info.appKey, message)));
      }
      out.push({ targetId: conversation.targetId, busChannel: field.str(item, 'busChannel'), type: conversation.type, msg });
    }
    port.queryAck(frame.messageId, WireStatus.Ok, encodeE5(QueryReceiptBatchResp, { item: out }), frame.topic);
  };

  private async stateOf(port: SessionPort, conversation: ConversationRef, uid: string): Promise<ReceiptState | undefined> {
    if (uid === '') return undefined;
    const [message] = await this.messages(port.info.appKey, port.info.userId, conversation, [uid]);
    return message === undefined ? undefined : receiptState(this.ctx, port.info.appKey, message);
  }

  queries(): Array<[string, QueryHandler]> {
    return [
      ['qryMsgRead', this.qryMsgRead],
      ['qryMsgReadCntBatch', this.qryMsgReadCntBatch],
      ['readReceipt', this.readReceipt],
      ['qryReceipt', this.qryReceipt],
      ['qryReceiptBatch', this.qryReceiptBatch],
    ];
  }

  publishes(): Array<[string, PublishHandler]> {
    return [['sendMsgRead', this.sendMsgRead]];
  }
}

function counts(state: ReceiptState): E5Object {
  return {
    msgId: state.message.uid,
    msgTime: state.message.sentTime,
    totalCnt: state.recipients.length,
    readCnt: state.readers.length,
    unreadCnt: state.unread.length,
  };
}
