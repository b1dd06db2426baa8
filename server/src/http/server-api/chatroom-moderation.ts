/**
 * `chatroom/*` moderation endpoints (SERVER_API.md §2.4): per-room gag, app-wide ban (muted in every room),
 * block (kicked, no re-entry until it expires → 23409 on join), the mute whitelist, the user whitelist
 * (never auto-kicked, never dropped; ≤ 5 per room), the message-type whitelist (`objectnames`, lowercase n,
 * answered as `whitlistMsgType` — the official typo) and low-priority message types.
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { Chatrooms } from '../../services/chatrooms/index';
import type { UserMarkKind } from '../../store/chatroom-repository';
import { chatroomId } from './chatroom';
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

export function chatroomModerationRoutes(chatrooms: Chatrooms): ServerApiModule {
  return (ctx) => {
    const store = ctx.store.chatrooms;
    const rooms = chatrooms.service;
    const now = (): number => ctx.clock.now();
    const until = (params: Params): number => now() + params.integer('minute', { min: 1, max: MAX_MINUTES }) * MINUTE_MS;
    const requireRoom = async (appKey: string, roomId: string): Promise<void> => {
      if ((await store.get(appKey, roomId)) === undefined) throw apiError(ServerApiErrors.badParameter, `chatroom ${roomId} does not exist`);
    };
    const listed = async (appKey: string, kind: UserMarkKind, roomId: string) =>
      (await store.marks(appKey, kind, roomId, now())).map((m) => ({ userId: m.userId, time: m.until === 0 ? '' : formatDateTime(m.until) }));

    return {
      'chatroom/user/gag/add': async ({ app, params }) => {
        const roomId = chatroomId(params);
        const ids = users(params);
        const end = until(params);
        await requireRoom(app.appKey, roomId);
        await store.mark(app.appKey, 'gag', roomId, ids, end, now());
      },
      'chatroom/user/gag/rollback': async ({ app, params }) => {
        await store.unmark(app.appKey, 'gag', chatroomId(params), users(params));
      },
      'chatroom/user/gag/list': async ({ app, params }) => ({ users: await listed(app.appKey, 'gag', chatroomId(params)) }),

      'chatroom/user/ban/add': async ({ app, params }) => {
        const ids = users(params);
        await store.mark(app.appKey, 'ban', '', ids, until(params), now());
      },
      'chatroom/user/ban/remove': async ({ app, params }) => {
        await store.unmark(app.appKey, 'ban', '', users(params));
      },
      'chatroom/user/ban/query': async ({ app }) => ({ users: await listed(app.appKey, 'ban', '') }),

      'chatroom/user/block/add': async ({ app, params }) => {
        const roomId = chatroomId(params);
        const ids = users(params);
        const end = until(params);
        await requireRoom(app.appKey, roomId);
        await store.mark(app.appKey, 'block', roomId, ids, end, now());
        for (const userId of ids) await rooms.leave(app.appKey, roomId, userId, 'blocked');
      },
      'chatroom/user/block/rollback': async ({ app, params }) => {
        await store.unmark(app.appKey, 'block', chatroomId(params), users(params));
      },
      'chatroom/user/block/list': async ({ app, params }) => ({ users: await listed(app.appKey, 'block', chatroomId(params)) }),

      'chatroom/user/ban/whitelist/add': async ({ app, params }) => {
        const roomId = chatroomId(params);
        const ids = users(params);
        await requireRoom(app.appKey, roomId);
        await store.mark(app.appKey, 'muteWhitelist', roomId, ids, 0, now());
      },
      'chatroom/user/ban/whitelist/rollback': async ({ app, params }) => {
        await store.unmark(app.appKey, 'muteWhitelist', chatroomId(params), users(params));
      },
      'chatroom/user/ban/whitelist/query': async ({ app, params }) => ({
        userIds: (await store.marks(app.appKey, 'muteWhitelist', chatroomId(params), now())).map((m) => m.userId),
      }),

      'chatroom/user/whitelist/add': async ({ app, params }) => {
        const roomId = chatroomId(params);
        const ids = users(params, MAX_PROTECTED_USERS);
        await requireRoom(app.appKey, roomId);
        const current = new Set((await store.marks(app.appKey, 'whitelist', roomId, now())).map((m) => m.userId));
        for (const id of ids) current.add(id);
        if (current.size > MAX_PROTECTED_USERS) throw apiError(ServerApiErrors.badParameter, `a chatroom whitelist holds at most ${MAX_PROTECTED_USERS} users`);
        await store.mark(app.appKey, 'whitelist', roomId, ids, 0, now());
        await rooms.refreshProtected(app.appKey, roomId);
      },
      'chatroom/user/whitelist/remove': async ({ app, params }) => {
        const roomId = chatroomId(params);
        await store.unmark(app.appKey, 'whitelist', roomId, users(params, MAX_PROTECTED_USERS));
        await rooms.refreshProtected(app.appKey, roomId);
      },
      'chatroom/user/whitelist/query': async ({ app, params }) => ({
        users: (await store.marks(app.appKey, 'whitelist', chatroomId(params), now())).map((m) => m.userId),
      }),

      'chatroom/whitelist/add': async ({ app, params }) => {
        const names = params.strings('objectnames', { ...OBJECT_NAME_RULE, required: true, maxItems: MAX_WHITELISTED_TYPES });
        const current = new Set([...(await store.appList(app.appKey, 'messageWhitelist')), ...names]);
        if (current.size > MAX_WHITELISTED_TYPES) throw apiError(ServerApiErrors.badParameter, `at most ${MAX_WHITELISTED_TYPES} whitelisted message types`);
        await store.setAppList(app.appKey, 'messageWhitelist', names, true);
      },
      'chatroom/whitelist/delete': async ({ app, params }) => {
        await store.setAppList(app.appKey, 'messageWhitelist', params.strings('objectnames', { ...OBJECT_NAME_RULE, required: true }), false);
      },
      'chatroom/whitelist/query': async ({ app }) => ({ whitlistMsgType: await store.appList(app.appKey, 'messageWhitelist') }),

      'chatroom/message/priority/add': async ({ app, params }) => {
        await store.setAppList(app.appKey, 'lowPriority', params.strings('objectName', { ...OBJECT_NAME_RULE, required: true }), true);
      },
      'chatroom/message/priority/remove': async ({ app, params }) => {
        await store.setAppList(app.appKey, 'lowPriority', params.strings('objectName', { ...OBJECT_NAME_RULE, required: true }), false);
      },
      'chatroom/message/priority/query': async ({ app }) => ({ objectNames: await store.appList(app.appKey, 'lowPriority') }),
    };
  };
}
