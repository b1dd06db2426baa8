/** Chatroom row shapes and their mapping, shared by the SQL engines (both read the same columns back). */
import type { ChatroomEntry, ChatroomMessage, ChatroomRecord, NewChatroomMessage } from './chatroom-repository';
import { IDLE_DESTROY } from './chatroom-repository';
import { keptBytes } from './rows';

export interface RoomRow {
  readonly app_key: string;
  readonly room_id: string;
  readonly name: string;
  readonly created_time: number;
  readonly active_time: number;
  readonly timeline_time: number;
  readonly keepalive: number;
  readonly muted: number;
  readonly destroy_type: number | string;
  readonly destroy_minutes: number | string;
  readonly destroy_at: number | string;
}

export interface MessageRow {
  readonly app_key: string;
  readonly room_id: string;
  readonly sent_time: number;
  readonly uid: string;
  readonly from_user_id: string;
  readonly object_name: string;
  readonly content: Uint8Array;
  readonly flags: number;
  readonly config_flag: number | null;
  readonly push_content: string | null;
  readonly extra_content: string | null;
}

/** A message row read with its recall mark (lookups by uid, migration 018). */
export interface RecallableRow extends MessageRow {
  readonly recalled: number | string;
}

export function toRoom(row: RoomRow): ChatroomRecord {
  return {
    appKey: row.app_key,
    roomId: row.room_id,
    name: row.name,
    createdTime: row.created_time,
    activeTime: row.active_time,
    timelineTime: row.timeline_time,
    keepalive: row.keepalive === 1,
    muted: row.muted === 1,
    destroy: Number(row.destroy_type) === 1 ? { type: 1, minutes: Number(row.destroy_minutes), at: Number(row.destroy_at) } : IDLE_DESTROY,
  };
}

export function toMessage(row: MessageRow): ChatroomMessage {
  return {
    appKey: row.app_key,
    roomId: row.room_id,
    uid: row.uid,
    sentTime: row.sent_time,
    fromUserId: row.from_user_id,
    objectName: row.object_name,
    content: new Uint8Array(row.content),
    flags: row.flags,
    ...(row.config_flag !== null && { configFlag: row.config_flag }),
    ...(row.push_content !== null && { pushContent: row.push_content }),
    ...(row.extra_content !== null && { extraContent: row.extra_content }),
  };
}

/** A KV entry row (`chatroom_entries`). */
export interface EntryRow {
  readonly key: string;
  readonly value: string;
  readonly user_id: string;
  readonly auto_delete: number;
  readonly overwrite: number;
  readonly deleted: number;
  readonly updated_time: number;
}

export const ENTRY_COLUMNS = 'key, value, user_id, auto_delete, overwrite, deleted, updated_time';

export function toEntry(row: EntryRow): ChatroomEntry {
  return {
    key: row.key,
    value: row.value,
    userId: row.user_id,
    autoDelete: row.auto_delete === 1,
    overwrite: row.overwrite === 1,
    deleted: row.deleted === 1,
    updatedTime: row.updated_time,
  };
}

/** What a new room message is once stored with `uid` at `sentTime` (both engines answer appends with it); as storedMessageOf. */
export function storedRoomMessageOf(message: NewChatroomMessage, uid: string, sentTime: number): ChatroomMessage {
  const stored: { -readonly [K in keyof ChatroomMessage]: ChatroomMessage[K] } = {
    appKey: message.appKey,
    roomId: message.roomId,
    uid,
    sentTime,
    fromUserId: message.fromUserId,
    objectName: message.objectName,
    content: keptBytes(message.content),
    flags: message.flags,
  };
  if (message.configFlag !== undefined) stored.configFlag = message.configFlag;
  if (message.pushContent !== undefined) stored.pushContent = message.pushContent;
  if (message.extraContent !== undefined) stored.extraContent = message.extraContent;
  return stored;
}
