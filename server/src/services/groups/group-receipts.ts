import { rc, decodeMessage, encodeMessage, ProtocolError, type QueryFrame } from '../wire';
import type { SessionPort } from '../../gateway/topic-router';
import type { ServerContext } from '../../context';
import { isValidId, WireStatus } from '../wire-status';

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
    await ctx.store.groups.markRead(appKey, groupId, uids, userId, ctx.clock.now());
    port.queryAck(frame.messageId, WireStatus.Ok, undefined, frame.topic);
  };
}

/**
 * `rrList` (target = group id, GrpReadReceiptQryReq{msgId[]}, E4 sends one): who read the message, oldest read
 * first, and the group's current member count as `totalMemberNum`. Members only.
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
    const [group, message] = await Promise.all([ctx.store.groups.get(appKey, groupId), ctx.store.messages.get(appKey, uid)]);
    // Readers of a message of another conversation are not this group's business.
    const inGroup = message !== undefined && message.conversationType === 3 && message.targetId === groupId;
    const readers = inGroup ? await ctx.store.groups.readers(appKey, uid) : [];
    const payload = encodeMessage(rc.GrpReadReceiptQryResp, {
      totalMemberNum: group?.memberCount ?? 0,
      list: readers.map((reader) => ({ readTime: reader.readTime, userId: reader.userId })),
    });
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };
}
