/**
 * Conversation settings through the Server API (SERVER_API.md §2.5): do-not-disturb set/get and top. They are
 * the same per-owner states clients change with `setSeAtt` (store `conversationStates`), so after a change the
 * owner's sessions get `s_cmd` type 3 and pull it with `pullSeAtts`, exactly as after a change on another device.
 * `conversation/type/notification/{set,get}` keep an owner's `unpushLevel` for a whole conversation type (store
 * `conversationTypeSettings`); no client protocol carries it, so it is only stored and answered.
 * `conversation/message/history/clean` clears an owner's remote history of one conversation through the same path
 * as a client's clean-history topic (services/conversations.ts `cleanHistory`); for a chatroom (conversationType 4,
 * server-sdk-go `ConversationMessageHistoryClean`: `fromUserId` is then the operator) it clears the room's shared
 * history for every member (ChatroomService `clearHistory`).
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { Chatrooms } from '../../services/chatrooms/index';
import { cleanHistory } from '../../services/conversations';
import { isMutedLevel, NOTIFICATION_LEVELS } from '../../services/session-state';
import type { MessagingService } from '../../services/messaging';
import { encodeMessage, rc } from '../../services/wire';
import type { ServerApiModule } from './index';
import type { Params } from './params';
import { USER_ID_RULE } from './user';

/** s_cmd NotifyMsg type "conversation status changed, pullSeAtts" (PROTOCOL.md §5.4). */
const CONVERSATION_STATUS_CHANGED = 3;
const TARGET_RULE = { maxBytes: 64, pattern: /^[^\s]+$/ } as const;
/** `isMuted=1` without an `unpushLevel`: 5, nothing is notified (and `isMuted=0`: 0, not set). */
const MUTED_LEVEL = 5;

/** Conversation types whose history an owner may clean (private, group, customer service, system), as the clean topics. */
const CLEANABLE_TYPES: ReadonlySet<number> = new Set([1, 3, 5, 6]);
/** A chatroom's history is the room's, shared by every member: cleared for all of them. */
const CHATROOM = 4;

/** `unpushLevel` of a type setting: required, one of -1, 0, 1, 2, 4, 5 (3 means nothing). */
function readUnpushLevel(params: Params): number {
  if ((params.optionalString('unpushLevel') ?? '').trim() === '') throw apiError(ServerApiErrors.badParameter, 'unpushLevel is required');
  const level = params.integer('unpushLevel', { min: -1, max: 5 });
  if (level === 3) throw apiError(ServerApiErrors.badParameter, 'unpushLevel must be -1, 0, 1, 2, 4 or 5');
  return level;
}

function conversationOf(params: Params): { type: number; targetId: string } {
  return { type: params.integer('conversationType', { min: 1, max: 10 }), targetId: params.requiredString('targetId', TARGET_RULE) };
}

export function conversationRoutes(messaging: MessagingService, chatrooms: Chatrooms): ServerApiModule {
  return (ctx) => {
    const changed = (appKey: string, owner: string, version: number): void => {
      messaging.pushToUser(appKey, owner, 's_cmd', encodeMessage(rc.NotifyMsg, { type: CONVERSATION_STATUS_CHANGED, time: version }));
    };
    return {
      'conversation/notification/set': ({ app, params }) => {
        const owner = params.requiredString('requestId', USER_ID_RULE);
        const conversation = conversationOf(params);
        params.optionalString('busChannel', { maxLength: 20 });
        const level = params.has('unpushLevel') ? params.integer('unpushLevel', { min: -1, max: 5 }) : undefined;
        // `isMuted` is required unless `unpushLevel` says the same thing: with neither (or a blank one), nothing changes.
        const muted = (params.optionalString('isMuted') ?? '').trim() !== '' ? params.boolean('isMuted', false) : undefined;
        if (muted === undefined && level === undefined) throw apiError(ServerApiErrors.badParameter, 'isMuted is required');
        // The level is the conversation's (engine 5.x reads it as set; 2.x and our SDK read levels above 0 as muted).
        // `isMuted` alone: 5 or 0. With both, the level wins unless it is 3, which no client knows (then isMuted).
        const notificationLevel = level !== undefined && NOTIFICATION_LEVELS.has(level) ? level : (muted ?? false) ? MUTED_LEVEL : 0;
        return async () => {
          const state = await ctx.store.conversationStates.update(app.appKey, owner, conversation, { notificationLevel }, ctx.clock.now());
          changed(app.appKey, owner, state.updatedTime);
        };
      },

      'conversation/notification/get': ({ app, params }) => {
        const owner = params.requiredString('requestId', USER_ID_RULE);
        const conversation = conversationOf(params);
        params.optionalString('busChannel', { maxLength: 20 });
        return async () => {
          const level = (await ctx.store.conversationStates.get(app.appKey, owner, conversation))?.notificationLevel ?? 0;
          return { isMuted: isMutedLevel(level) ? 1 : 0, unpushLevel: level };
        };
      },

      // A whole conversation type's level for one owner. Stored and answered; this server has no vendor push
      // gateway (docs/server-api-coverage.md, Push), so the level silences no device notification.
      'conversation/type/notification/set': ({ app, params }) => {
        const owner = params.requiredString('requestId', USER_ID_RULE);
        const type = params.integer('conversationType', { min: 1, max: 10 });
        const level = readUnpushLevel(params);
        return async () => {
          await ctx.store.conversationTypeSettings.setUnpushLevel(app.appKey, owner, type, level, ctx.clock.now());
        };
      },

      'conversation/type/notification/get': ({ app, params }) => {
        const owner = params.requiredString('requestId', USER_ID_RULE);
        const type = params.integer('conversationType', { min: 1, max: 10 });
        return async () => {
          const level = await ctx.store.conversationTypeSettings.unpushLevel(app.appKey, owner, type);
          return { unpushLevel: level, isMuted: isMutedLevel(level) ? 1 : 0 };
        };
      },

      'conversation/top/set': ({ app, params }) => {
        const owner = params.requiredString('userId', USER_ID_RULE);
        const conversation = conversationOf(params);
        if (!params.has('setTop')) throw apiError(ServerApiErrors.badParameter, 'setTop is required');
        const isTop = params.boolean('setTop', false);
        return async () => {
          const state = await ctx.store.conversationStates.update(app.appKey, owner, conversation, { isTop }, ctx.clock.now());
          changed(app.appKey, owner, state.updatedTime);
        };
      },

      // The owner's history of one conversation up to msgTimestamp (absent or 0: everything so far); never past the
      // newest stored message, so messages stored later stay visible. The other participants keep theirs. A chatroom's
      // history is the room's: cleared for every member, whoever `fromUserId` (the operator) is; an unknown room is
      // 1002 as for the other chatroom endpoints.
      'conversation/message/history/clean': ({ app, params }) => {
        const conversationType = params.integer('conversationType', { min: 1, max: 10 });
        if (conversationType !== CHATROOM && !CLEANABLE_TYPES.has(conversationType)) throw apiError(ServerApiErrors.badParameter, 'conversationType must be 1, 3, 4, 5 or 6');
        const owner = params.requiredString('fromUserId', USER_ID_RULE);
        const targetId = params.requiredString('targetId', TARGET_RULE);
        const msgTimestamp = params.integer('msgTimestamp', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
        return async () => {
          const now = ctx.clock.now();
          if (conversationType === CHATROOM) {
            // Everything so far is every stored message: a room's sentTime may run a little ahead of the clock
            // (timelineTime + 1 within one millisecond), so "now" would leave the latest ones.
            const upTo = msgTimestamp > 0 && msgTimestamp < now ? msgTimestamp : Number.MAX_SAFE_INTEGER;
            if (!(await chatrooms.service.clearHistory(app.appKey, targetId, upTo))) throw apiError(ServerApiErrors.badParameter, `chatroom ${targetId} does not exist`);
            return;
          }
          // Capped at the app's newest stored message there (a time past it, a future one included, counts as it).
          await cleanHistory(ctx, app.appKey, owner, { type: conversationType, targetId }, msgTimestamp);
        };
      },
    };
  };
}
