/**
 * `chatroom/*` endpoints (SERVER_API.md §2.4): rooms, members, publish/broadcast, keepalive, whole-room mute
 * and KV. Moderation of users lives in chatroom-moderation.ts. Response field names are the official ones
 * (`chatRooms[].chrmId`, `users[].id/time`, `result[].isInChrm`, `chatroomIds`, `keys[].lastSetTime`).
 */
import type { ErrorDef } from '../../errors';
import { apiError, ServerApiErrors } from '../../errors';
import type { Chatrooms } from '../../services/chatrooms/index';
import { invalidEntry } from '../../services/chatrooms/chatroom-kv';
import { chatroomOptionsOf } from '../../chatroom-options';
import type { AppConfig } from '../../config';
import { IDLE_DESTROY, type RoomDestroy } from '../../store/chatroom-repository';
import { ChatroomStatus, KV_NOTIFY_OBJECT_NAME } from '../../services/chatrooms/room-wire';
import { BAN_NOTICE_OBJECT_NAME, BanNoticeType, sendModerationNotice } from '../../services/chatrooms/moderation-notices';
import { formatDateTime } from './group';
import { flagsOf, readContent } from './message';
import { readPublishOptions } from './publish-options';
import type { ServerApiModule } from './index';
import { checkedJsonValue, type Params } from './params';
import { USER_ID_RULE } from './user';

/** ≤ 64 bytes of letters, digits and `+ = - _`. */
export const CHATROOM_ID_RULE = { pattern: /^[A-Za-z0-9+=_-]+$/, maxBytes: 64 } as const;
const ROOM_NAME_MAX_BYTES = 256;
/** `chatroom/user/query` returns at most 500 members. */
const MAX_QUERY_MEMBERS = 500;
const PUBLISH_MAX_ROOMS = 10;
const EXIST_MAX_USERS = 1000;
const KEY_RULE = { pattern: /^[A-Za-z0-9+=_-]+$/, maxLength: 128 } as const;

/** Keepalive removal of a room that is not kept alive. */
const NOTHING_TO_DELETE: ErrorDef = { code: 1015, httpStatus: 400, message: 'data to delete does not exist' };

/** `destroyTime` of a timed room, in minutes (RongCloud's documented range: 60 minutes to 7 days; 60 when absent). */
const DESTROY_MINUTES = { min: 60, max: 10_080, fallback: 60 } as const;

/**
 * `destroyType` (0 destroyed when idle, 1 at a fixed time; required when `required`, else 0 when absent) and, for
 * type 1, `destroyTime`: the deadline is `destroyTime` minutes (the app's `chrmDestroyMinuteMs` each) from `now`.
 * `destroyTime` is not read for type 0.
 */
function readDestroy(params: Params, app: AppConfig, now: number, required: boolean): RoomDestroy {
  if (required && (params.optionalString('destroyType') ?? '').trim() === '') throw apiError(ServerApiErrors.badParameter, 'destroyType is required');
  const type = params.integer('destroyType', { min: 0, max: 1, fallback: 0 });
  if (type === 0) return IDLE_DESTROY;
  const minutes = params.integer('destroyTime', DESTROY_MINUTES);
  return { type: 1, minutes, at: now + minutes * chatroomOptionsOf(app).destroyMinuteMs };
}

export function chatroomId(params: Params): string {
  return params.requiredString('chatroomId', CHATROOM_ID_RULE);
}

/** `needNotify` and `extra` of a moderation change (SERVER_API.md §2.4). */
export interface NotifyRequest {
  readonly needNotify: boolean;
  /** '' when absent. */
  readonly extra: string;
}

/**
 * `needNotify` (a flag, default false) and `extra` (≤ 4096 bytes) of the moderation endpoints, 1002 when malformed.
 * With `needNotify` the change sends its notice (services/chatrooms/moderation-notices.ts).
 */
export function readNotifyParams(params: Params): NotifyRequest {
  const needNotify = params.boolean('needNotify', false);
  const extra = params.optionalString('extra', { maxBytes: 4096 }) ?? '';
  return { needNotify, extra };
}

/** Maps a chatroom wire status to the Server API's envelope (the code travels in the message). */
export function failOn(status: number, what: string): void {
  if (status === 0) return;
  if (status === ChatroomStatus.KvDisabled || status === ChatroomStatus.HistoryDisabled) throw apiError(ServerApiErrors.notEnabled, `${what}: not enabled for this app (${status})`);
  if (status === ChatroomStatus.NotExist) throw apiError(ServerApiErrors.badParameter, `${what}: chatroom does not exist (${status})`);
  throw apiError(ServerApiErrors.badParameter, `${what}: refused (${status})`);
}

/** `chatroom[<id>]=<name>` keys of a form body (chatroom/create). */
function bracketRooms(params: Params): { roomId: string; name: string }[] {
  const out: { roomId: string; name: string }[] = [];
  for (const [key, value] of Object.entries(params.raw)) {
    const match = /^chatroom\[(.*)\]$/.exec(key);
    if (match === null) continue;
    const roomId = match[1] ?? '';
    const name = Array.isArray(value) ? value[0] : value;
    if (!CHATROOM_ID_RULE.pattern.test(roomId) || Buffer.byteLength(roomId) > CHATROOM_ID_RULE.maxBytes) {
      throw apiError(ServerApiErrors.badParameter, `chatroom[${roomId}] is not a valid chatroom id`);
    }
    if (typeof name !== 'string' || Buffer.byteLength(name) > ROOM_NAME_MAX_BYTES) {
      throw apiError(ServerApiErrors.badParameter, `chatroom[${roomId}] needs a name of at most ${ROOM_NAME_MAX_BYTES} bytes`);
    }
    out.push({ roomId, name });
  }
  return out;
}

export function chatroomRoutes(chatrooms: Chatrooms): ServerApiModule {
  return (ctx) => {
    const store = ctx.store.chatrooms;
    const rooms = chatrooms.service;
    const now = (): number => ctx.clock.now();
    const existing = async (appKey: string, roomId: string) => {
      const room = await store.get(appKey, roomId);
      if (room === undefined) throw apiError(ServerApiErrors.badParameter, `chatroom ${roomId} does not exist`);
      return room;
    };
    const roomMuteNotice = (appKey: string, roomId: string, operateType: number, notify: NotifyRequest): Promise<boolean> =>
      sendModerationNotice(rooms, appKey, { objectName: BAN_NOTICE_OBJECT_NAME, roomId, operateType, durationTime: 0, operateTime: now(), userList: [], extra: notify.extra });

    return {
      'chatroom/create': ({ app, params }) => {
        const wanted = bracketRooms(params);
        if (wanted.length === 0) throw apiError(ServerApiErrors.badParameter, 'chatroom[<id>]=<name> is required');
        return async () => {
          for (const { roomId, name } of wanted) {
            if ((await store.create(app.appKey, roomId, name, now())).created) rooms.announceCreated(app.appKey, roomId);
          }
        };
      },

      'chatroom/create_new': ({ app, params }) => {
        // Every parameter is read and checked before the room is touched: a refused call creates nothing.
        const roomId = chatroomId(params);
        const destroy = readDestroy(params, app, now(), false);
        const isBan = params.boolean('isBan', false);
        const whitelisted = params.strings('whiteUserIds', USER_ID_RULE);
        const owner = params.optionalString('entryOwnerId', USER_ID_RULE);
        const info = params.optionalString('entryInfo');
        const entries = owner !== undefined && info !== undefined ? checkedEntries(info, app.appKey) : undefined;
        return async () => {
          // A new room is created with its destroy setting in one write; an existing one keeps its own
          // (`chatroom/destroy/set` changes it).
          if ((await store.create(app.appKey, roomId, '', now(), destroy)).created) rooms.announceCreated(app.appKey, roomId);
          // The entries go first: on a room that existed, its key cap may still refuse them (all or none), and
          // then the room is left as it was.
          if (owner !== undefined && entries !== undefined) await setEntries(owner, roomId, entries, false, app.appKey);
          if (isBan) await store.setFlag(app.appKey, roomId, 'muted', true);
          if (whitelisted.length > 0) await store.mark(app.appKey, 'muteWhitelist', roomId, whitelisted, 0, now());
        };
      },

      'chatroom/destroy': ({ app, params }) => {
        const roomIds = params.strings('chatroomId', { ...CHATROOM_ID_RULE, required: true });
        return async () => {
          for (const roomId of roomIds) await rooms.destroy(app.appKey, roomId, 'api');
        };
      },

      'chatroom/get': ({ app, params }) => {
        const roomId = chatroomId(params);
        return async () => {
          const room = await existing(app.appKey, roomId);
          const { total } = await rooms.members(app.appKey, room.roomId, 0, 'asc');
          return { chatroomId: room.roomId, createTime: room.createdTime, memberCount: total, destroyType: room.destroy.type, destroyTime: room.destroy.minutes, ban: room.muted };
        };
      },

      'chatroom/destroy/set': ({ app, params }) => {
        const roomId = chatroomId(params);
        const destroy = readDestroy(params, app, now(), true);
        return async () => {
          if (!(await store.setDestroy(app.appKey, roomId, destroy))) throw apiError(ServerApiErrors.badParameter, `chatroom ${roomId} does not exist`);
        };
      },

      'chatroom/query': ({ app, params }) => {
        const roomIds = params.strings('chatroomId', { ...CHATROOM_ID_RULE, required: true });
        return async () => {
          const chatRooms: Record<string, unknown>[] = [];
          for (const roomId of roomIds) {
            const room = await store.get(app.appKey, roomId);
            // The doc example names the id `chatroomId`, the SDKs read `chrmId`: both are sent.
            if (room !== undefined) chatRooms.push({ chrmId: roomId, chatroomId: roomId, name: room.name, time: formatDateTime(room.createdTime) });
          }
          return { chatRooms };
        };
      },

      'chatroom/user/query': ({ app, params }) => {
        const roomId = chatroomId(params);
        const count = params.integer('count', { min: 0, max: MAX_QUERY_MEMBERS, fallback: MAX_QUERY_MEMBERS });
        const order = params.integer('order', { min: 1, max: 2, fallback: 1 });
        return async () => {
          await existing(app.appKey, roomId);
          const { total, members } = await rooms.members(app.appKey, roomId, count, order === 2 ? 'desc' : 'asc');
          return { total, users: members.map((m) => ({ id: m.userId, time: formatDateTime(m.joinTime) })) };
        };
      },

      'chatroom/users/exist': ({ app, params }) => {
        const roomId = chatroomId(params);
        const userIds = params.strings('userId', { ...USER_ID_RULE, required: true, maxItems: EXIST_MAX_USERS });
        return async () => {
          const result: { userId: string; isInChrm: 0 | 1 }[] = [];
          for (const userId of userIds) result.push({ userId, isInChrm: (await rooms.isStoredMember(app.appKey, roomId, userId)) === true ? 1 : 0 });
          return { result };
        };
      },

      'chatroom/user/exist': ({ app, params }) => {
        const roomId = chatroomId(params);
        const userId = params.requiredString('userId', USER_ID_RULE);
        return async () => ({ isInChrm: (await rooms.isStoredMember(app.appKey, roomId, userId)) === true });
      },

      'message/chatroom/publish': async ({ app, params }) => {
        const fromUserId = params.requiredString('fromUserId', USER_ID_RULE);
        const roomIds = params.strings('toChatroomId', { ...CHATROOM_ID_RULE, required: true, maxItems: PUBLISH_MAX_ROOMS });
        const objectName = params.requiredString('objectName', { maxLength: 32 });
        const content = readContent(params);
        const flags = flagsOf(objectName, params);
        // Default 0: the sender's own pulls leave the message out, like its client sends (SERVER_API.md §2.2).
        const includeSender = params.boolean('isIncludeSender', false);
        // Chatroom members are online by definition: push fields are kept with the message, never pushed.
        const { pushContent, extraContent } = readPublishOptions(params);
        const extras = { ...(pushContent !== undefined ? { pushContent } : {}), ...(extraContent !== undefined ? { extraContent } : {}), includeSender };
        // Every room is checked before the message is stored in any (and before the charge): a refused call sends nothing.
        for (const roomId of roomIds) await existing(app.appKey, roomId);
        return async () => {
          const messageUIDs: { chatroomId: string; messageUID: string }[] = [];
          for (const roomId of roomIds) {
            const result = await rooms.send({ appKey: app.appKey, roomId, fromUserId, objectName, content, flags, ...extras }, 'server');
            failOn(result.status, `chatroom ${roomId}`);
            messageUIDs.push({ chatroomId: roomId, messageUID: result.messageUId ?? '' });
          }
          return { messageUIDs };
        };
      },

      'message/chatroom/broadcast': ({ app, params }) => {
        const fromUserId = params.requiredString('fromUserId', USER_ID_RULE);
        const objectName = params.requiredString('objectName', { maxLength: 32 });
        const content = readContent(params);
        const flags = flagsOf(objectName, params);
        // As message/chatroom/publish: with 1 the sender's own pulls include it in every room she is in.
        const includeSender = params.boolean('isIncludeSender', false);
        return async () => {
          for (const roomId of await store.list(app.appKey)) {
            await rooms.send({ appKey: app.appKey, roomId, fromUserId, objectName, content, flags, includeSender }, 'server');
          }
        };
      },

      'chatroom/keepalive/add': ({ app, params }) => {
        const roomId = chatroomId(params);
        return async () => {
          if (!(await store.setFlag(app.appKey, roomId, 'keepalive', true))) throw apiError(ServerApiErrors.badParameter, `chatroom ${roomId} does not exist`);
        };
      },
      'chatroom/keepalive/remove': ({ app, params }) => {
        const roomId = chatroomId(params);
        return async () => {
          if ((await store.get(app.appKey, roomId))?.keepalive !== true) throw apiError(NOTHING_TO_DELETE, `chatroom ${roomId} is not kept alive`);
          await store.setFlag(app.appKey, roomId, 'keepalive', false);
        };
      },
      'chatroom/keepalive/query': ({ app }) => async () => ({ chatroomIds: await store.flagged(app.appKey, 'keepalive') }),

      'chatroom/ban/add': ({ app, params }) => {
        const roomId = chatroomId(params);
        const notify = readNotifyParams(params);
        return async () => {
          if (!(await store.setFlag(app.appKey, roomId, 'muted', true))) throw apiError(ServerApiErrors.badParameter, `chatroom ${roomId} does not exist`);
          if (notify.needNotify) await roomMuteNotice(app.appKey, roomId, BanNoticeType.MuteAll, notify);
        };
      },
      'chatroom/ban/rollback': ({ app, params }) => {
        const roomId = chatroomId(params);
        const notify = readNotifyParams(params);
        return async () => {
          await store.setFlag(app.appKey, roomId, 'muted', false);
          if (notify.needNotify) await roomMuteNotice(app.appKey, roomId, BanNoticeType.UnmuteAll, notify);
        };
      },
      'chatroom/ban/query': ({ app, params }) => {
        const page = params.integer('page', { min: 1, fallback: 1 });
        const size = params.integer('size', { min: 1, max: 1000, fallback: 50 });
        return async () => {
          const all = await store.flagged(app.appKey, 'muted');
          return { chatroomIds: all.slice((page - 1) * size, page * size) };
        };
      },
      'chatroom/ban/check': ({ app, params }) => {
        const roomId = chatroomId(params);
        return async () => ({ status: (await store.get(app.appKey, roomId))?.muted === true ? 1 : 0 });
      },

      'chatroom/entry/set': ({ app, params }) => {
        const roomId = chatroomId(params);
        const userId = params.requiredString('userId', USER_ID_RULE);
        const key = params.requiredString('key', KEY_RULE);
        const value = params.requiredString('value', { maxLength: 4096 });
        const notification = readNotification(params);
        const autoDelete = params.boolean('autoDelete', false);
        return async () => {
          const status = await chatrooms.entries.set({
            appKey: app.appKey, roomId, userId, key, value, autoDelete, force: true, admin: true,
            ...(notification !== undefined ? { notification } : {}),
          });
          failOn(status, `chatroom entry ${key}`);
        };
      },
      'chatroom/entry/batch/set': ({ app, params }) => {
        const roomId = chatroomId(params);
        const owner = params.requiredString('entryOwnerId', USER_ID_RULE);
        const autoDelete = params.boolean('autoDelete', false);
        const entries = checkedEntries(params.requiredString('entryInfo'), app.appKey);
        return async () => {
          await setEntries(owner, roomId, entries, autoDelete, app.appKey);
        };
      },
      'chatroom/entry/remove': ({ app, params }) => {
        const roomId = chatroomId(params);
        const userId = params.requiredString('userId', USER_ID_RULE);
        const key = params.requiredString('key', KEY_RULE);
        const notification = readNotification(params);
        return async () => {
          const status = await chatrooms.entries.remove({
            appKey: app.appKey, roomId, userId, key, value: '', autoDelete: false, force: true, admin: true,
            ...(notification !== undefined ? { notification } : {}),
          });
          failOn(status, `chatroom entry ${key}`);
        };
      },
      'chatroom/entry/query': ({ app, params }) => {
        const roomId = chatroomId(params);
        if (!rooms.options(app.appKey).kvEnabled) failOn(ChatroomStatus.KvDisabled, 'chatroom entries');
        const keys = params.strings('keys', { ...KEY_RULE, maxItems: 100 });
        return async () => {
          await existing(app.appKey, roomId);
          const entries = await store.entries(app.appKey, roomId, keys.length > 0 ? keys : undefined);
          return {
            keys: entries.map((e) => ({ key: e.key, value: e.value, userId: e.userId, autoDelete: e.autoDelete ? 1 : 0, lastSetTime: formatDateTime(e.updatedTime) })),
          };
        };
      },
    };

    function readNotification(params: Params): { objectName: string; content: Uint8Array; flags: number } | undefined {
      const objectName = params.optionalString('objectName', { maxLength: 32 });
      if (objectName === undefined && !params.has('content')) return undefined;
      return { objectName: objectName ?? KV_NOTIFY_OBJECT_NAME, content: readContent(params), flags: 0 };
    }

    /**
     * `entryInfo` (a JSON object of string values), every key and value checked and their number within the
     * room key cap, before anything is written (KV off: 1009).
     */
    function checkedEntries(info: string, appKey: string): { key: string; value: string }[] {
      let parsed: unknown;
      try {
        parsed = JSON.parse(info);
      } catch {
        throw apiError(ServerApiErrors.badParameter, 'entryInfo must be a JSON object');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw apiError(ServerApiErrors.badParameter, 'entryInfo must be a JSON object');
      parsed = checkedJsonValue('entryInfo', parsed);
      const options = rooms.options(appKey);
      if (!options.kvEnabled) failOn(ChatroomStatus.KvDisabled, 'chatroom entries');
      const entries: { key: string; value: string }[] = [];
      for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
        if (typeof value !== 'string') throw apiError(ServerApiErrors.badParameter, `entryInfo.${key} must be a string`);
        if (invalidEntry({ key, value })) failOn(ChatroomStatus.InvalidParameter, `chatroom entry ${key}`);
        entries.push({ key, value });
      }
      if (entries.length > options.maxKeys) throw apiError(ServerApiErrors.badParameter, `entryInfo has ${entries.length} keys, a room holds at most ${options.maxKeys} (${ChatroomStatus.KvLimit})`);
      return entries;
    }

    /** All or none (ChatroomEntries.setAll): the room's existing keys count against its cap too. */
    async function setEntries(owner: string, roomId: string, entries: readonly { key: string; value: string }[], autoDelete: boolean, appKey: string): Promise<void> {
      const result = await chatrooms.entries.setAll({ appKey, roomId, userId: owner }, entries, autoDelete);
      failOn(result.status, result.key !== undefined ? `chatroom entry ${result.key}` : `chatroom ${roomId}`);
    }
  };
}
