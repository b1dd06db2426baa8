/**
 * The chatroom moderation notices the Server API sends with `needNotify=true` (SERVER_API.md §2.4;
 * docs/server-api-coverage.md "Chatroom moderation notices"): `RC:ChrmBanMsg` and `RC:ChrmBlockMsg`, content
 * `{chatroomId, operateType, durationTime, operateTime, userList, extra}` (times in ms). imlib-next ≥ 5.7.9 turns a
 * CHATROOM message of these types into the `chatroomNotifyBan` / `chatroomNotifyBlock` chatroom events, for a
 * room it is in (pulled, or pushed as `s_msg`), and a block notice pushed as `s_msg` even for a room it is not
 * tracking (it leaves the room locally when it is among the blocked users). Other clients (2.x, our SDK, imlib-next
 * before 5.7.9) receive them as room messages of an unknown type (`UnknownMessage`).
 *
 * Who gets them: ChatroomService.notice — the room's members through the room timeline (not stored in history,
 * not counted; every node), plus, pushed, the users of `directTo` who are not members (blocked users, removed
 * before the notice).
 */
import { encodeUtf8 } from '../wire';
import type { ChatroomService } from './chatroom-service';

export const BAN_NOTICE_OBJECT_NAME = 'RC:ChrmBanMsg';
export const BLOCK_NOTICE_OBJECT_NAME = 'RC:ChrmBlockMsg';

/** `operateType` of `RC:ChrmBanMsg` (imlib-next's ChrmMemBanType). */
export const BanNoticeType = {
  UnmuteUsers: 0,
  MuteUsers: 1,
  UnmuteAll: 2,
  MuteAll: 3,
  RemoveWhitelist: 4,
  AddWhitelist: 5,
  UnmuteGlobal: 6,
  MuteGlobal: 7,
} as const;

/** `operateType` of `RC:ChrmBlockMsg` (imlib-next's ChrmMemOperateType). */
export const BlockNoticeType = { Deblock: 0, Blocked: 1 } as const;

export interface ModerationNotice {
  readonly objectName: typeof BAN_NOTICE_OBJECT_NAME | typeof BLOCK_NOTICE_OBJECT_NAME;
  readonly roomId: string;
  readonly operateType: number;
  /** ms; 0 for a removal and for changes without a duration. */
  readonly durationTime: number;
  readonly operateTime: number;
  readonly userList: readonly string[];
  readonly extra: string;
}

/** The notice's JSON content, in the field order the official notices use. */
export function noticeContent(notice: ModerationNotice): Uint8Array {
  const { roomId, operateType, durationTime, operateTime, userList, extra } = notice;
  return encodeUtf8(JSON.stringify({ chatroomId: roomId, operateType, durationTime, operateTime, userList, extra }));
}

/** Sends `notice` to its room (and, pushed, to the non-members of `directTo`); false when the room does not exist. */
export function sendModerationNotice(rooms: ChatroomService, appKey: string, notice: ModerationNotice, directTo: readonly string[] = []): Promise<boolean> {
  return rooms.notice(appKey, notice.roomId, notice.objectName, noticeContent(notice), directTo);
}
