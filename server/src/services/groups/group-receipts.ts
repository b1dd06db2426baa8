import { rc, decodeMessage, encodeMessage, ProtocolError, type QueryFrame } from '../wire';
import type { SessionPort } from '../../gateway/topic-router';
import type { ServerContext } from '../../context';
import { isValidId, WireStatus } from '../wire-status';
import { GROUP, receiptMessage, receiptState } from '../e5-receipt-state';

/** Message uids accepted per `rrMsg` (E4 sends the unread messages of one conversation view). */
const MAX_READ_UIDS = 100;

function read<T>(port: SessionPort, frame: QueryFrame, type: { decode(bytes: Uint8Array): T }, name: string): T | undefined {
  try {
    return decodeMessage(type, frame.payload, name);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    return undefined;
  }
}

/**
 * Group read receipts v2 (PROTOCOL.md §9.10; E4 only, used when navi `grpRRVer=1`, app option
 * `groupReceiptV2`). `rrMsg` (target = group id, GrpReadReceiptMsg{msgId[]}): the caller read these messages
 * of the group; the first read time of each (message, reader) is kept. Members only (22406 otherwise).
 * The readers are fetched by the sender with `rrList`; no push is sent (the content of the real server's
 * `RC:RRMsg` notification is not documented).
 *
 * Same rule as receipts V4/V5 (e5-receipt-state.ts): only a message's recipients read it. Uids the caller did
 * not receive (directed to other members, sent before it joined, its own, recalled, unknown, of another
 * conversation) are left out of the batch and the rest is recorded, still status 0, as V5 `readReceipt` does:
 * the official client sends the unread uids of a conversation view in one call, and one uid it should not have
 * sent must not fail the legitimate reads (nor is an ack told which uids exist).
 */
export function createReadReceiptHandler(ctx: ServerContext) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    const req = read<rc.GrpReadReceiptMsg>(port, frame, rc.GrpReadReceiptMsg, 'GrpReadReceiptMsg');
    if (!req) return;
    const groupId = frame.targetId;
    const uids = (req.msgId ?? []).filter((uid) => typeof uid === 'string' && uid.length > 0);
    if (!isValidId(groupId) || uids.length === 0 || uids.length > MAX_READ_UIDS) {
      return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    }
    const { appKey, userId } = port.info;
    if ((await ctx.store.groups.member(appKey, groupId, userId)) === undefined) {
      return port.queryAck(frame.messageId, WireStatus.NotInGroup, undefined, frame.topic);
    }
    const conversation = { type: GROUP, targetId: groupId };
    const received: string[] = [];
    for (const uid of new Set(uids)) {
      const message = await receiptMessage(ctx, appKey, userId, conversation, uid);
      if (message !== undefined && message.fromUserId !== userId) received.push(uid);
    }
    if (received.length > 0) await ctx.store.groups.markRead(appKey, groupId, received, userId, ctx.clock.now());
    port.queryAck(frame.messageId, WireStatus.Ok, undefined, frame.topic);
  };
}

/**
 * `rrList` (target = group id, GrpReadReceiptQryReq{msgId[]}, E4 sends one): who read the message, oldest read
 * first, and the group's current member count as `totalMemberNum`. Members only (22406 otherwise, as before).
 * As for receipts V4/V5 (e5-receipt-state.ts), only the message's sender and its recipients may ask, and only
 * recipients are listed as readers (a read recorded before this rule, by a member who never received the
 * message, is not shown).
 */
export function createReadersHandler(ctx: ServerContext) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    const req = read<rc.GrpReadReceiptQryReq>(port, frame, rc.GrpReadReceiptQryReq, 'GrpReadReceiptQryReq');
    if (!req) return;
    const groupId = frame.targetId;
    const uid = (req.msgId ?? [])[0];
    if (!isValidId(groupId) || typeof uid !== 'string' || uid.length === 0) {
      return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    }
    const { appKey, userId } = port.info;
    if ((await ctx.store.groups.member(appKey, groupId, userId)) === undefined) {
      return port.queryAck(frame.messageId, WireStatus.NotInGroup, undefined, frame.topic);
    }
    const message = await receiptMessage(ctx, appKey, userId, { type: GROUP, targetId: groupId }, uid);
    if (message === undefined) {
      // A message this member may not ask about (directed to others, sent before it joined, recalled, unknown,
      // of another conversation): 33003, the code V4 `qryMsgRead` / V5 `qryReceipt` answer for the same case.
      // Not 22406: the caller is a member, and PROTOCOL.md §9.10 documents no other code for `rrList`; the
      // official 2.9.2 client and our SDK pass any non-zero status to `onError` unchanged.
      return port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    }
    const [group, state] = await Promise.all([ctx.store.groups.get(appKey, groupId), receiptState(ctx, appKey, message)]);
    const readers = state.readers;
    const payload = encodeMessage(rc.GrpReadReceiptQryResp, {
      totalMemberNum: group?.memberCount ?? 0,
      list: readers.map((reader) => ({ readTime: reader.readTime, userId: reader.userId })),
    });
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };
}
