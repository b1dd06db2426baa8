/**
 * Chatroom QUERY topics (PROTOCOL.md §6.4, §7.6, §8.7, §8.8). The frame `targetId` is the room for every
 * topic but `qryCHMsg`, where the payload's `targetId` wins (L2 puts its own id in the frame).
 */
import type { SessionPort } from '../../gateway/topic-router';
import { decodeMessage, encodeMessage, ProtocolError, rc, type QueryFrame } from '../wire';
import { isValidId } from '../wire-status';
import type { ChatroomEntries } from './chatroom-kv';
import type { ChatroomService } from './chatroom-service';
import type { KvNotifier } from './kv-notification';
import { ChatroomStatus, encodeRoomPage, roomDownStream, toKvEntity } from './room-wire';

type QueryHandler = (port: SessionPort, frame: QueryFrame) => Promise<void>;

/** getChatRoomInfo returns at most 20 members (API_CHECKLIST §3.10). */
const MAX_INFO_MEMBERS = 20;
const MAX_HISTORY_COUNT = 100;
const DEFAULT_HISTORY_COUNT = 20;
const KvBit = { AutoDelete: 1, Overwrite: 2 } as const;

type Decoder<T> = { decode(reader: Uint8Array): T };

/** The decoded payload, or undefined after answering 23412 (malformed input is a bad chatroom parameter). */
function decodeOrReject<T>(port: SessionPort, frame: QueryFrame, type: Decoder<T>, name: string): T | undefined {
  try {
    return decodeMessage(type, frame.payload, name);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    port.queryAck(frame.messageId, ChatroomStatus.InvalidParameter, undefined, frame.topic);
    return undefined;
  }
}

function roomIdOrReject(port: SessionPort, frame: QueryFrame): string | undefined {
  if (isValidId(frame.targetId)) return frame.targetId;
  port.queryAck(frame.messageId, ChatroomStatus.InvalidParameter, undefined, frame.topic);
  return undefined;
}

/** `notifier` checks and posts a client's KV notification (kv-notification.ts). */
export function createChatroomHandlers(rooms: ChatroomService, entries: ChatroomEntries, notifier: KvNotifier): Array<[string, QueryHandler]> {
  const join = (mode: 'join' | 'rejoin'): QueryHandler => async (port, frame) => {
    const roomId = roomIdOrReject(port, frame);
    if (roomId === undefined) return;
    const result = await rooms.join(port.info.appKey, port.info.userId, roomId, mode);
    if (result.status !== 0) return port.queryAck(frame.messageId, result.status, undefined, frame.topic);
    const payload = encodeMessage(rc.ChrmOutput, { nothing: 1, sessionId: port.info.sessionId, joinTime: result.joinTime ?? 0 });
    port.queryAck(frame.messageId, 0, payload, frame.topic);
  };

  const exit: QueryHandler = async (port, frame) => {
    const roomId = roomIdOrReject(port, frame);
    if (roomId === undefined) return;
    // Quitting a room one is not in succeeds: the client's state is what it asked for.
    await rooms.quit(port.info.appKey, roomId, port.info.userId, port.info.sessionId);
    port.queryAck(frame.messageId, 0, encodeMessage(rc.ChrmOutput, { nothing: 1 }), frame.topic);
  };

  const info: QueryHandler = async (port, frame) => {
    const roomId = roomIdOrReject(port, frame);
    if (roomId === undefined) return;
    const input = decodeOrReject(port, frame, rc.QueryChatRoomInfoInput, 'QueryChatRoomInfoInput');
    if (input === undefined) return;
    if ((await rooms.isMember(port.info.appKey, roomId, port.info.userId)) === undefined) {
      return port.queryAck(frame.messageId, ChatroomStatus.NotExist, undefined, frame.topic);
    }
    const order = input.order ?? 0;
    // count 0 or order 0: the total only (E4 API doc).
    const limit = input.count <= 0 || order === 0 ? 0 : Math.min(input.count, MAX_INFO_MEMBERS);
    const { total, members } = await rooms.members(port.info.appKey, roomId, limit, order === 2 ? 'desc' : 'asc');
    const payload = encodeMessage(rc.QueryChatRoomInfoOutput, {
      userTotalNums: total,
      userInfos: members.map((m) => ({ id: m.userId, time: m.joinTime })),
    });
    port.queryAck(frame.messageId, 0, payload, frame.topic);
  };

  const pull: QueryHandler = async (port, frame) => {
    const roomId = roomIdOrReject(port, frame);
    if (roomId === undefined) return;
    const input = decodeOrReject(port, frame, rc.ChrmPullMsg, 'ChrmPullMsg');
    if (input === undefined) return;
    const result = await rooms.pull(port.info.appKey, port.info.userId, roomId, input.syncTime, input.count);
    if (result.status !== 0 || result.messages === undefined) return port.queryAck(frame.messageId, result.status, undefined, frame.topic);
    const syncTime = result.syncTime ?? 0;
    const shared = result.shared;
    // A shared page (same messages, syncTime and finished for every member) is encoded once for all of them.
    const payload = shared !== undefined ? (shared.encoded ??= encodeRoomPage(shared.messages, shared.syncTime, shared.finished)) : encodeRoomPage(result.messages, syncTime, result.finished !== false);
    port.queryAck(frame.messageId, 0, payload, frame.topic);
    if (result.finished === false && port.info.clientKind === 'L2') {
      // L2 does not continue a truncated page by itself; a new notification makes it pull again.
      port.push('s_ntf', roomId, encodeMessage(rc.NotifyMsg, { type: 2, time: syncTime + 1, chrmId: roomId }), 1);
    }
  };

  const history: QueryHandler = async (port, frame) => {
    const input = decodeOrReject(port, frame, rc.HistoryMsgInput, 'HistoryMsgInput');
    if (input === undefined) return;
    const roomId = input.targetId || frame.targetId;
    if (!isValidId(roomId)) return port.queryAck(frame.messageId, ChatroomStatus.InvalidParameter, undefined, frame.topic);
    if (!rooms.options(port.info.appKey).historyEnabled) return port.queryAck(frame.messageId, ChatroomStatus.HistoryDisabled, undefined, frame.topic);
    // Room history is for members, as chrmPull is (PROTOCOL.md §11): 23410 for an unknown room, 23406 for a
    // user who never joined, left, or was kicked or blocked (KV is the one room read allowed without joining).
    const member = await rooms.isMember(port.info.appKey, roomId, port.info.userId);
    if (member !== true) return port.queryAck(frame.messageId, member === undefined ? ChatroomStatus.NotExist : ChatroomStatus.NotInRoom, undefined, frame.topic);
    const requested = input.count ?? 0;
    const count = requested <= 0 ? DEFAULT_HISTORY_COUNT : Math.min(requested, MAX_HISTORY_COUNT);
    const order = input.order === 1 ? 1 : 0;
    const page = await rooms.history(port.info.appKey, roomId, Math.max(0, input.time ?? 0), count, order);
    const edge = order === 0 ? page.messages[page.messages.length - 1] : page.messages[0];
    const payload = encodeMessage(rc.HistoryMsgOuput, {
      list: page.messages.map(roomDownStream),
      syncTime: edge ? edge.sentTime : 0,
      hasMsg: page.hasMore ? 1 : 0,
    });
    port.queryAck(frame.messageId, 0, payload, frame.topic);
  };

  /**
   * setKV / delKV (E4 sends SetChrmKV for both, L2 DeleteChrmKV for delKV: same layout). With a notification the
   * change is refused, unapplied, when that message may not be posted (kv-notification.ts).
   */
  const modifyEntry = (removal: boolean): QueryHandler => async (port, frame) => {
    const roomId = roomIdOrReject(port, frame);
    if (roomId === undefined) return;
    const input = decodeOrReject(port, frame, rc.SetChrmKV, 'SetChrmKV');
    if (input === undefined) return;
    const status = input.entry.status ?? 0;
    // Decoded nested messages are instances (the check only narrows the generated `IUpStreamMessage | null`).
    const note = input.bNotify === true && input.notification instanceof rc.UpStreamMessage ? input.notification : undefined;
    const request = {
      appKey: port.info.appKey,
      roomId,
      userId: port.info.userId,
      sessionId: port.info.sessionId,
      key: input.entry.key,
      value: input.entry.value,
      autoDelete: (status & KvBit.AutoDelete) !== 0,
      force: (status & KvBit.Overwrite) !== 0,
    };
    const apply = (): Promise<number> => (removal ? entries.remove(request) : entries.set(request));
    if (note === undefined) return port.queryAck(frame.messageId, await apply(), undefined, frame.topic);
    const outcome = await notifier(port, frame, roomId, note, {
      check: () => entries.check(request, !removal),
      apply: async () => {
        const result = await apply();
        return { result, changed: result === 0 };
      },
    });
    port.queryAck(frame.messageId, 'refused' in outcome ? outcome.refused : outcome.result, undefined, frame.topic);
  };

  const pullEntries: QueryHandler = async (port, frame) => {
    const roomId = roomIdOrReject(port, frame);
    if (roomId === undefined) return;
    const input = decodeOrReject(port, frame, rc.QueryChrmKV, 'QueryChrmKV');
    if (input === undefined) return;
    const result = await entries.pull(port.info.appKey, roomId, input.timestamp);
    if (result.status !== 0 || result.changes === undefined) return port.queryAck(frame.messageId, result.status, undefined, frame.topic);
    const payload = encodeMessage(rc.ChrmKVOutput, {
      entries: result.changes.entries.map(toKvEntity),
      bFullUpdate: result.changes.full,
      syncTime: result.changes.syncTime,
    });
    port.queryAck(frame.messageId, 0, payload, frame.topic);
  };

  return [
    ['joinChrm', join('join')],
    ['joinChrmR', join('rejoin')],
    ['exitChrm', exit],
    ['queryChrmI', info],
    ['chrmPull', pull],
    ['qryCHMsg', history],
    ['setKV', modifyEntry(false)],
    ['delKV', modifyEntry(true)],
    ['pullKV', pullEntries],
  ];
}
