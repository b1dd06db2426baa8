/**
 * `user/chat/fb/set` and `user/chat/fb/querylist` (SERVER_API.md §2.1): per-user send bans. `type` PERSON bans
 * private messages, GROUP group messages; client sends of a banned user are refused (20106 / 22408, see
 * services/chat-bans.ts), on every node. A ban has no duration: it lasts until `state=0` lifts it.
 *
 * Parameters as the official SDKs send them (server-sdk-go `UserChatFBSetRequest`, `UserChatFBQueryListRequest`):
 * set: `userId` (repeated, 1–1000), `state` (1 ban, 0 lift), `type`; querylist: `num` (default 100, ≤ 200; 0 is
 * the default too: server-sdk-go's `sdk` package turns 0 into 100 itself, the python SDK requires `num` and sends
 * what it is given), `offset` (default 0), `type` → `{code, total, users:["userId",…]}`, users in ban order (the
 * SDKs read `users` as a list of strings).
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { Hub } from '../../gateway/hub';
import { chatBansChanged } from '../../services/chat-bans';
import type { ChatBanKind } from '../../store/chat-ban-repository';
import type { ServerApiModule } from './index';
import type { Params } from './params';
import { USER_ID_RULE } from './user';

const MAX_USERS_PER_CALL = 1000;
const QUERY_DEFAULT_NUM = 100;
const QUERY_MAX_NUM = 200;
const KINDS: ReadonlySet<string> = new Set<ChatBanKind>(['PERSON', 'GROUP']);

function readKind(params: Params): ChatBanKind {
  const type = params.requiredString('type', { maxLength: 16 });
  if (!KINDS.has(type)) throw apiError(ServerApiErrors.badParameter, 'type must be PERSON or GROUP');
  return type as ChatBanKind;
}

export function userChatBanRoutes(hub: Hub): ServerApiModule {
  return (ctx) => ({
    'user/chat/fb/set': ({ app, params }) => {
      const userIds = params.strings('userId', { ...USER_ID_RULE, required: true, maxItems: MAX_USERS_PER_CALL });
      const state = params.integer('state', { min: 0, max: 1 });
      const kind = readKind(params);
      return async () => {
        await ctx.store.chatBans.set(app.appKey, kind, userIds, state === 1, ctx.clock.now());
        await chatBansChanged(ctx, app.appKey, hub.broker);
      };
    },

    'user/chat/fb/querylist': ({ app, params }) => {
      const num = params.integer('num', { min: 1, max: QUERY_MAX_NUM, fallback: QUERY_DEFAULT_NUM, zeroIsUnset: true });
      const offset = params.integer('offset', { min: 0, fallback: 0 });
      const kind = readKind(params);
      return async () => {
        const page = await ctx.store.chatBans.page(app.appKey, kind, offset, num);
        return { total: page.total, users: page.userIds };
      };
    },
  });
}
