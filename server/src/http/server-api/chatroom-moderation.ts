/**
 * `chatroom/*` moderation endpoints (SERVER_API.md §2.4): per-room gag, app-wide ban (muted in every room),
 * block (kicked, no re-entry until it expires → 23409 on join), the mute whitelist, the user whitelist
 * (never auto-kicked, never dropped; ≤ 5 per room), the message-type whitelist (`objectnames`, lowercase n,
 * answered as `whitlistMsgType` — the official typo) and low-priority message types.
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { Chatrooms } from '../../services/chatrooms/index';
import type { UserMarkKind } from '../../store/chatroom-repository';
import { BAN_NOTICE_OBJECT_NAME, BanNoticeType, BLOCK_NOTICE_OBJECT_NAME, BlockNoticeType, sendModerationNotice, type ModerationNotice } from '../../services/chatrooms/moderation-notices';
import { chatroomId, readNotifyParams, type NotifyRequest } from './chatroom';
import { formatDateTime } from './group';
import type { ServerApiModule } from './index';
import type { Params } from './params';
import { USER_ID_RULE } from './user';

const MODERATION_BATCH = 20;
const MAX_MINUTES = 43_200;
const MINUTE_MS = 60_000;
const MAX_PROTECTED_USERS = 5;
const MAX_WHITELISTED_TYPES = 20;
const OBJECT_NAME_RULE = { maxLength: 32 } as const;

function users(params: Params, max = MODERATION_BATCH): string[] {
  return params.strings('userId', { ...USER_ID_RULE, required: true, maxItems: max });
}

/** The users of a gag/ban/block/mute-whitelist change, with its `needNotify` and `extra`. */
function changedUsers(params: Params): { readonly ids: string[]; readonly notify: NotifyRequest } {
  const ids = users(params);
  return { ids, notify: readNotifyParams(params) };
}

export function chatroomModerationRoutes(chatrooms: Chatrooms): ServerApiModule {
  return (ctx) => {
    const store = ctx.store.chatrooms;
    const rooms = chatrooms.service;
    const now = (): number => ctx.clock.now();
    const minutesOf = (params: Params): number => params.integer('minute', { min: 1, max: MAX_MINUTES });
    const until = (minutes: number): number => now() + minutes * MINUTE_MS;
    const requireRoom = async (appKey: string, roomId: string): Promise<void> => {
      if ((await store.get(appKey, roomId)) === undefined) throw apiError(ServerApiErrors.badParameter, `chatroom ${roomId} does not exist`);
    };
    const listed = async (appKey: string, kind: UserMarkKind, roomId: string) =>
      (await store.marks(appKey, kind, roomId, now())).map((m) => ({ userId: m.userId, time: m.until === 0 ? '' : formatDateTime(m.until) }));
    /**
     * With `needNotify`, the change's notice to the room (moderation-notices.ts); a block's also to the blocked
     * users themselves (`directTo`: no longer members, they are sent it directly).
     */
    const notice = async (appKey: string, notify: NotifyRequest, fields: Omit<ModerationNotice, 'operateTime' | 'extra'>, directTo: readonly string[] = []): Promise<void> => {
      if (!notify.needNotify) return;
      await sendModerationNotice(rooms, appKey, { ...fields, operateTime: now(), extra: notify.extra }, directTo);
    };
    const banNotice = (appKey: string, notify: NotifyRequest, roomId: string, operateType: number, userList: readonly string[], durationTime = 0): Promise<void> =>
      notice(appKey, notify, { objectName: BAN_NOTICE_OBJECT_NAME, roomId, operateType, durationTime, userList });
    /**
     * The app-wide ban's notice (MuteGlobal / UnmuteGlobal): one to each room the users are in, naming those of
     * them in that room — the rooms where the change shows. A user in no room is in no notice.
     */
    const globalBanNotice = async (appKey: string, notify: NotifyRequest, ids: readonly string[], operateType: number, durationTime = 0): Promise<void> => {
      if (!notify.needNotify) return;
      const byRoom = new Map<string, string[]>();
      for (const userId of ids) {
        for (const roomId of await store.roomsOf(appKey, userId)) {
          const named = byRoom.get(roomId);
          if (named === undefined) byRoom.set(roomId, [userId]);
          else if (!named.includes(userId)) named.push(userId);
        }
      }
      for (const [roomId, userList] of byRoom) await banNotice(appKey, notify, roomId, operateType, userList, durationTime);
    };

    return {
      'chatroom/user/gag/add': ({ app, params }) => {
        const roomId = chatroomId(params);
        const { ids, notify } = changedUsers(params);
        const minutes = minutesOf(params);
        return async () => {
          await requireRoom(app.appKey, roomId);
          await store.mark(app.appKey, 'gag', roomId, ids, until(minutes), now());
          await banNotice(app.appKey, notify, roomId, BanNoticeType.MuteUsers, ids, minutes * MINUTE_MS);
        };
      },
      'chatroom/user/gag/rollback': ({ app, params }) => {
        const roomId = chatroomId(params);
        const { ids, notify } = changedUsers(params);
        return async () => {
          await store.unmark(app.appKey, 'gag', roomId, ids);
          await banNotice(app.appKey, notify, roomId, BanNoticeType.UnmuteUsers, ids);
        };
      },
      'chatroom/user/gag/list': ({ app, params }) => {
        const roomId = chatroomId(params);
        return async () => ({ users: await listed(app.appKey, 'gag', roomId) });
      },

      'chatroom/user/ban/add': ({ app, params }) => {
        const { ids, notify } = changedUsers(params);
        const minutes = minutesOf(params);
        return async () => {
          await store.mark(app.appKey, 'ban', '', ids, until(minutes), now());
          await globalBanNotice(app.appKey, notify, ids, BanNoticeType.MuteGlobal, minutes * MINUTE_MS);
        };
      },
      'chatroom/user/ban/remove': ({ app, params }) => {
        const { ids, notify } = changedUsers(params);
        return async () => {
          await store.unmark(app.appKey, 'ban', '', ids);
          await globalBanNotice(app.appKey, notify, ids, BanNoticeType.UnmuteGlobal);
        };
      },
      'chatroom/user/ban/query': ({ app }) => async () => ({ users: await listed(app.appKey, 'ban', '') }),

      'chatroom/user/block/add': ({ app, params }) => {
        const roomId = chatroomId(params);
        const { ids, notify } = changedUsers(params);
        const minutes = minutesOf(params);
        return async () => {
          await requireRoom(app.appKey, roomId);
          await store.mark(app.appKey, 'block', roomId, ids, until(minutes), now());
          for (const userId of ids) await rooms.leave(app.appKey, roomId, userId, 'blocked');
          // The blocked users are out of the room by now: they are sent it directly.
          await notice(app.appKey, notify, { objectName: BLOCK_NOTICE_OBJECT_NAME, roomId, operateType: BlockNoticeType.Blocked, durationTime: minutes * MINUTE_MS, userList: ids }, ids);
        };
      },
      'chatroom/user/block/rollback': ({ app, params }) => {
        const roomId = chatroomId(params);
        const { ids, notify } = changedUsers(params);
        return async () => {
          await store.unmark(app.appKey, 'block', roomId, ids);
          // Unblocked users are not members (they could not join): sent it directly, as the engine expects.
          await notice(app.appKey, notify, { objectName: BLOCK_NOTICE_OBJECT_NAME, roomId, operateType: BlockNoticeType.Deblock, durationTime: 0, userList: ids }, ids);
        };
      },
      'chatroom/user/block/list': ({ app, params }) => {
        const roomId = chatroomId(params);
        return async () => ({ users: await listed(app.appKey, 'block', roomId) });
      },

      'chatroom/user/ban/whitelist/add': ({ app, params }) => {
        const roomId = chatroomId(params);
        const { ids, notify } = changedUsers(params);
        return async () => {
          await requireRoom(app.appKey, roomId);
          await store.mark(app.appKey, 'muteWhitelist', roomId, ids, 0, now());
          await banNotice(app.appKey, notify, roomId, BanNoticeType.AddWhitelist, ids);
        };
      },
      'chatroom/user/ban/whitelist/rollback': ({ app, params }) => {
        const roomId = chatroomId(params);
        const { ids, notify } = changedUsers(params);
        return async () => {
          await store.unmark(app.appKey, 'muteWhitelist', roomId, ids);
          await banNotice(app.appKey, notify, roomId, BanNoticeType.RemoveWhitelist, ids);
        };
      },
      'chatroom/user/ban/whitelist/query': ({ app, params }) => {
        const roomId = chatroomId(params);
        return async () => ({ userIds: (await store.marks(app.appKey, 'muteWhitelist', roomId, now())).map((m) => m.userId) });
      },

      'chatroom/user/whitelist/add': ({ app, params }) => {
        const roomId = chatroomId(params);
        const ids = users(params, MAX_PROTECTED_USERS);
        return async () => {
          await requireRoom(app.appKey, roomId);
          const current = new Set((await store.marks(app.appKey, 'whitelist', roomId, now())).map((m) => m.userId));
          for (const id of ids) current.add(id);
          if (current.size > MAX_PROTECTED_USERS) throw apiError(ServerApiErrors.badParameter, `a chatroom whitelist holds at most ${MAX_PROTECTED_USERS} users`);
          await store.mark(app.appKey, 'whitelist', roomId, ids, 0, now());
          await rooms.refreshProtected(app.appKey, roomId);
        };
      },
      'chatroom/user/whitelist/remove': ({ app, params }) => {
        const roomId = chatroomId(params);
        const ids = users(params, MAX_PROTECTED_USERS);
        return async () => {
          await store.unmark(app.appKey, 'whitelist', roomId, ids);
          await rooms.refreshProtected(app.appKey, roomId);
        };
      },
      'chatroom/user/whitelist/query': ({ app, params }) => {
        const roomId = chatroomId(params);
        return async () => ({ users: (await store.marks(app.appKey, 'whitelist', roomId, now())).map((m) => m.userId) });
      },

      'chatroom/whitelist/add': ({ app, params }) => {
        const names = params.strings('objectnames', { ...OBJECT_NAME_RULE, required: true, maxItems: MAX_WHITELISTED_TYPES });
        return async () => {
          const current = new Set([...(await store.appList(app.appKey, 'messageWhitelist')), ...names]);
          if (current.size > MAX_WHITELISTED_TYPES) throw apiError(ServerApiErrors.badParameter, `at most ${MAX_WHITELISTED_TYPES} whitelisted message types`);
          await store.setAppList(app.appKey, 'messageWhitelist', names, true);
        };
      },
      'chatroom/whitelist/delete': ({ app, params }) => {
        const names = params.strings('objectnames', { ...OBJECT_NAME_RULE, required: true });
        return async () => {
          await store.setAppList(app.appKey, 'messageWhitelist', names, false);
        };
      },
      'chatroom/whitelist/query': ({ app }) => async () => ({ whitlistMsgType: await store.appList(app.appKey, 'messageWhitelist') }),

      'chatroom/message/priority/add': ({ app, params }) => {
        const names = params.strings('objectName', { ...OBJECT_NAME_RULE, required: true });
        return async () => {
          await store.setAppList(app.appKey, 'lowPriority', names, true);
        };
      },
      'chatroom/message/priority/remove': ({ app, params }) => {
        const names = params.strings('objectName', { ...OBJECT_NAME_RULE, required: true });
        return async () => {
          await store.setAppList(app.appKey, 'lowPriority', names, false);
        };
      },
      'chatroom/message/priority/query': ({ app }) => async () => ({ objectNames: await store.appList(app.appKey, 'lowPriority') }),
    };
  };
}
