/** Chatroom wire details: status codes (PROTOCOL.md §11.2), payload shapes the clients decode. */
import type { rc } from '../wire';
import { ROOM_FLAG_INCLUDE_SENDER, type ChatroomEntry, type ChatroomMessage } from '../../store/chatroom-repository';
import { statusFor } from '../message-view';
import { encodeDownStreams } from '../downstream-encode';

export const ChatroomStatus = {
  NotInRoom: 23406,
  /** Gagged in the room, banned in every room, or the room is muted. */
  Muted: 23408,
  /** Kicked and blocked from re-entering. */
  Blocked: 23409,
  NotExist: 23410,
  Full: 23411,
  InvalidParameter: 23412,
  HistoryDisabled: 23414,
  KvLimit: 23423,
  KvNotOwner: 23424,
  /** More client KV changes in a room than `kvChangesPerSecond` allows. */
  KvRate: 23425,
  KvDisabled: 23426,
  KvKeyMissing: 23427,
} as const;

/** `s_cmd` NotifyMsg types: 2 = KV changed (pullKV), 4 = room destroyed (E5's value; E4 ignores unknown types). */
/** A room send's answer (the PUBACK): its status, and the stored message's time and uid when accepted. */
export interface SendOutcome {
  readonly status: number;
  readonly sentTime?: number;
  readonly messageUId?: string;
}

/** A send's answer: a refusal as it came, else the stored message's once committed. */
export async function outcomeOf(queued: SendOutcome | { readonly committed: Promise<ChatroomMessage> }): Promise<SendOutcome> {
  if (!('committed' in queued)) return queued;
  const stored = await queued.committed;
  return { status: 0, sentTime: stored.sentTime, messageUId: stored.uid };
}

export const CommandType = { KvChanged: 2, RoomDestroyed: 4 } as const;

export const CHATROOM_TYPE = 4;
/** Member join/quit notification (status message; content `{userList:[{userId,status}],memberCount}`). */
export const MEMBER_CHANGE_OBJECT_NAME = 'RC:ChrmMemChange';
export const KV_NOTIFY_OBJECT_NAME = 'RC:chrmKVNotiMsg';
/** The sender of the server's own room notices (moderation notices, chatroom-notices.ts): no user of the app. */
export const NOTICE_SENDER = '__system__';

/** A room message as every client receives it: the room id in `groupId`, flags shifted into `status`. */
export function roomDownStream(message: ChatroomMessage): rc.IDownStreamMessage {
  const out: rc.IDownStreamMessage = {
    fromUserId: message.fromUserId,
    type: CHATROOM_TYPE,
    groupId: message.roomId,
    classname: message.objectName,
    content: message.content,
    dataTime: message.sentTime,
    status: statusFor(message.flags & ~ROOM_FLAG_INCLUDE_SENDER, false),
    msgId: message.uid,
  };
  if (message.extraContent !== undefined) out.extraContent = message.extraContent;
  if (message.pushContent !== undefined) out.pushContent = message.pushContent;
  if (message.configFlag !== undefined) out.configFlag = message.configFlag;
  return out;
}

/**
 * A `chrmPull` answer. `finished` is left out on complete pages: E4 reads absent as true, E5 ≥ 5.28 misreads
 * field 3 (PROTOCOL-E5.md §3.3).
 */
export function encodeRoomPage(messages: readonly ChatroomMessage[], syncTime: number, finished: boolean): Uint8Array {
  return encodeDownStreams({ list: messages.map(roomDownStream), syncTime, ...(finished ? {} : { finished: false }) });
}

/** ChrmKVEntity.status bits: 1 auto-delete, 2 overwrite, 4 deleted (PROTOCOL.md §7.6). */
export function entryStatus(entry: ChatroomEntry): number {
  return (entry.autoDelete ? 1 : 0) | (entry.overwrite ? 2 : 0) | (entry.deleted ? 4 : 0);
}

export function toKvEntity(entry: ChatroomEntry): rc.IChrmKVEntity {
  return { key: entry.key, value: entry.value, status: entryStatus(entry), timestamp: entry.updatedTime, uid: entry.userId };
}

/** Key 1–128 characters of `[A-Za-z0-9+=_-]` (API_CHECKLIST §3.10). */
export function isValidEntryKey(key: string): boolean {
  return key.length >= 1 && key.length <= 128 && /^[A-Za-z0-9+=_-]+$/.test(key);
}

export const MAX_ENTRY_VALUE_CHARS = 4096;
