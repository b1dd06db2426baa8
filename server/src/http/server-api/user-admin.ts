/**
 * `user/*` administration (SERVER_API.md §2.1): block / unblock / block query, online check, user info,
 * blacklist and whitelist. A blocked user is disconnected at once with DISCONNECT reason 2 (BLOCK) on every
 * node and refused with CONNACK 9 until unblocked or the block expires (auth-tokens.ts reads `blockedUntil`).
 * Response field names are the official ones (`users[].blockEndTime`, `status` as a string, `userName`…).
 */
import { appServerOptionsOf } from '../../app-server-options';
import type { ErrorDef } from '../../errors';
import { apiError, ServerApiErrors } from '../../errors';
import { BLOCK_KICK_SLOT, DISCONNECT_BLOCK } from '../../gateway/blocked-sessions';
import type { Hub } from '../../gateway/hub';
import type { UserListKind } from '../../store/user-list-repository';
import { userListsChanged } from '../../services/user-relations';
import { formatDateTime } from './group';
import type { ServerApiHandler, ServerApiModule, ServerApiRequest, ServerApiRun } from './index';
import { USER_ID_RULE } from './user';

export { DISCONNECT_BLOCK } from '../../gateway/blocked-sessions';
const EXPIRE_MAX_USERS = 20;
const MAX_BLOCK_MINUTES = 43_200;
const IDS_PER_CALL = 20;
const BLOCK_QUERY_DEFAULT_SIZE = 50;
/** `user/block/query` without `page`: the first 1000. */
const BLOCK_QUERY_ALL = 1000;
const LIST_PAGE_MAX = 1000;
const COUNT_EXCEEDED: ErrorDef = { code: 1502, httpStatus: 400, message: 'count exceeded' };

function listRoutes(kind: UserListKind, memberField: string, path: string, hub: Hub): Record<string, ServerApiHandler> {
  const add: ServerApiHandler = ({ app, params, ctx }) => {
    const owner = params.requiredString('userId', USER_ID_RULE);
    const members = params.strings(memberField, { ...USER_ID_RULE, required: true, maxItems: IDS_PER_CALL });
    return async () => {
      const max = appServerOptionsOf(app).userListMax;
      const lists = ctx.store.userLists;
      const current = await lists.count(app.appKey, owner, kind);
      if (current + members.length > max) {
        // Only ids not yet listed count toward the cap.
        let fresh = 0;
        for (const id of new Set(members)) if (!(await lists.contains(app.appKey, owner, kind, id))) fresh++;
        if (current + fresh > max) throw apiError(COUNT_EXCEEDED, `${path} holds at most ${max} users`);
      }
      await lists.add(app.appKey, owner, kind, members, ctx.clock.now());
      await userListsChanged(ctx, app.appKey, owner, hub.broker);
    };
  };
  const remove: ServerApiHandler = ({ app, params, ctx }) => {
    const owner = params.requiredString('userId', USER_ID_RULE);
    const members = params.strings(memberField, { ...USER_ID_RULE, required: true, maxItems: IDS_PER_CALL });
    return async () => {
      await ctx.store.userLists.remove(app.appKey, owner, kind, members);
      await userListsChanged(ctx, app.appKey, owner, hub.broker);
    };
  };
  const query: ServerApiHandler = ({ app, params, ctx }) => {
    const owner = params.requiredString('userId', USER_ID_RULE);
    const after = params.optionalString('pageToken', USER_ID_RULE) ?? '';
    const size = params.integer('size', { min: 1, max: LIST_PAGE_MAX, fallback: LIST_PAGE_MAX });
    return async () => {
      const page = await ctx.store.userLists.page(app.appKey, owner, kind, after, size);
      return page.next !== undefined ? { users: page.userIds, next: page.next } : { users: page.userIds };
    };
  };
  return { [`${path}/add`]: add, [`${path}/remove`]: remove, [`${path}/query`]: query };
}

function blockUsers({ app, params, ctx }: ServerApiRequest, hub: Hub): ServerApiRun {
  const userIds = params.strings('userId', { ...USER_ID_RULE, required: true, maxItems: IDS_PER_CALL });
  const minute = params.integer('minute', { min: 1, max: MAX_BLOCK_MINUTES });
  return async () => {
    const now = ctx.clock.now();
    for (const userId of new Set(userIds)) {
      // A user who never called getToken may still hold a valid token: the row must exist to carry the block.
      await ctx.store.users.upsert(app.appKey, userId, {}, now);
      await ctx.store.users.setBlockedUntil(app.appKey, userId, now + minute * 60_000, now);
      // Stored: the call succeeds. A kick the broker cannot take now disconnects this node's sessions at once and
      // is published again until it goes out, unless the user is unblocked by then (a BLOCK disconnect tells the
      // client not to reconnect); every node also re-checks the blocks when its broker reconnects.
      const stillDue = async (): Promise<boolean> => ((await ctx.store.users.get(app.appKey, userId))?.blockedUntil ?? 0) > ctx.clock.now();
      await hub.toUserOrKeep(app.appKey, userId, { kind: 'kick', reason: DISCONNECT_BLOCK }, { slot: BLOCK_KICK_SLOT, rank: now, stillDue });
    }
  };
}

export function userAdminRoutes(hub: Hub): ServerApiModule {
  return (ctx) => ({
    'user/block': (request) => blockUsers(request, hub),

    // Tokens issued at or before `time` stop working for every later CONNECT (and reconnect): CONNACK 10.
    // Sessions already connected are left alone: "Connected users stay connected until they disconnect"
    // (SERVER_API.md §2.1). `user/block` is the call that disconnects.
    'user/token/expire': ({ app, params }) => {
      const userIds = params.strings('userId', { ...USER_ID_RULE, required: true, maxItems: EXPIRE_MAX_USERS });
      const time = params.integer('time', { min: 0, max: 2 ** 48 - 1 });
      return async () => {
        await ctx.store.users.expireTokens(app.appKey, userIds, time);
      };
    },

    'user/unblock': ({ app, params }) => {
      const userIds = params.strings('userId', { ...USER_ID_RULE, required: true, maxItems: IDS_PER_CALL });
      return async () => {
        for (const userId of new Set(userIds)) await ctx.store.users.setBlockedUntil(app.appKey, userId, 0, 0);
      };
    },

    'user/block/query': ({ app, params }) => {
      const paged = params.has('page') || params.has('size');
      const page = params.integer('page', { min: 1, max: 1_000_000, fallback: 1 });
      const size = paged ? params.integer('size', { min: 1, max: BLOCK_QUERY_ALL, fallback: BLOCK_QUERY_DEFAULT_SIZE }) : BLOCK_QUERY_ALL;
      return async () => {
        const blocked = await ctx.store.userLists.blocked(app.appKey, ctx.clock.now(), (page - 1) * size, size);
        return { users: blocked.map((user) => ({ userId: user.userId, blockEndTime: formatDateTime(user.blockedUntil) })) };
      };
    },

    'user/checkOnline': ({ app, params }) => {
      const userId = params.requiredString('userId', USER_ID_RULE);
      return async () => ({ status: (await hub.isOnline(app.appKey, userId)) ? '1' : '0' });
    },

    'user/info': ({ app, params }) => {
      const userId = params.requiredString('userId', USER_ID_RULE);
      return async () => {
        const user = await ctx.store.users.get(app.appKey, userId);
        if (user === undefined) throw apiError(ServerApiErrors.badParameter, `user ${userId} does not exist`);
        return { userName: user.name, userPortrait: user.portraitUri, createTime: formatDateTime(user.createdTime) };
      };
    },

    ...listRoutes('black', 'blackUserId', 'user/blacklist', hub),
    ...listRoutes('white', 'whiteUserId', 'user/whitelist', hub),
  });
}
