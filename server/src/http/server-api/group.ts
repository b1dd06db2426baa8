/**
 * `group/*` endpoints (SERVER_API.md §2.3) and `user/group/query`: the App Server owns groups; this server keeps
 * membership and moderation. Response field names are the official ones (`users[].id`, `users[].userId/time`,
 * `groupinfo[].groupId/stat`, `userIds`, `groups[].id/name`): the official SDKs parse (and Java rewrites) them.
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { GroupService } from '../../services/groups/group-service';
import type { GroupJoinResult } from '../../store/group-repository';
import type { ServerApiModule } from './index';
import type { Params } from './params';
import { USER_ID_RULE } from './user';

/** ≤ 64 bytes of letters, digits and `+ = - _`, like user ids (docs: "alphanumeric, ≤ 64"). */
export const GROUP_ID_RULE = { pattern: /^[A-Za-z0-9+=_-]+$/, maxBytes: 64 } as const;
const NAME_MAX_CHARS = 64;
/** userId per create/join/quit call. */
const MEMBER_BATCH = 1000;
/** userId per gag / whitelist call, groupId per ban call. */
const MODERATION_BATCH = 20;
/** Longest gag: 30 days (0 = until lifted). */
const MAX_GAG_MINUTES = 43_200;
const BAN_PAGE_DEFAULT = 50;
const BAN_PAGE_MAX = 200;
const MINUTE_MS = 60_000;

function readGroupName(params: Params, required: boolean): string | undefined {
  const name = required ? params.requiredString('groupName') : params.optionalString('groupName');
  if (name !== undefined && [...name].length > NAME_MAX_CHARS) {
    throw apiError(ServerApiErrors.badParameter, `groupName is too long (max ${NAME_MAX_CHARS} characters)`);
  }
  return name;
}

function members(params: Params, max: number): string[] {
  return params.strings('userId', { ...USER_ID_RULE, required: true, maxItems: max });
}

function joined(result: GroupJoinResult, max: number): void {
  if (!result.ok) {
    throw apiError(ServerApiErrors.badParameter, `group ${result.groupId} would exceed ${max} members (has ${result.memberCount})`);
  }
}

/** `YYYY-MM-DD HH:MM:SS` in the server's local time, as the API's date fields (`user/block/query`'s blockEndTime). */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `group[<id>]=<name>` keys of a form body (group/sync). */
function bracketGroups(params: Params): { groupId: string; name: string }[] {
  const out: { groupId: string; name: string }[] = [];
  for (const [key, value] of Object.entries(params.raw)) {
    const match = /^group\[(.*)\]$/.exec(key);
    if (match === null) continue;
    const groupId = match[1] ?? '';
    const name = Array.isArray(value) ? value[0] : value;
    if (!GROUP_ID_RULE.pattern.test(groupId) || Buffer.byteLength(groupId) > GROUP_ID_RULE.maxBytes) {
      throw apiError(ServerApiErrors.badParameter, `group[${groupId}] is not a valid group id`);
    }
    if (typeof name !== 'string' || [...name].length > NAME_MAX_CHARS) {
      throw apiError(ServerApiErrors.badParameter, `group[${groupId}] needs a name of at most ${NAME_MAX_CHARS} characters`);
    }
    out.push({ groupId, name });
  }
  return out;
}

export function groupRoutes(groups: GroupService): ServerApiModule {
  return (ctx) => {
    const store = ctx.store.groups;
    const now = (): number => ctx.clock.now();
    const groupId = (params: Params): string => params.requiredString('groupId', GROUP_ID_RULE);
    /** groupId that may be empty or absent: '' = every group (gag scope). */
    const scope = (params: Params): string => params.optionalString('groupId', GROUP_ID_RULE) ?? '';

    return {
      // create is join with a mandatory name (RongCloud: "create is an alias of join").
      'group/create': ({ app, params }) => {
        const userIds = members(params, MEMBER_BATCH);
        const id = groupId(params);
        const name = readGroupName(params, true);
        return async () => {
          const max = groups.maxMembers(app.appKey);
          joined(await store.join(app.appKey, id, userIds, { ...(name !== undefined ? { name } : {}), maxMembers: max, now: now() }), max);
        };
      },

      'group/join': ({ app, params }) => {
        const userIds = members(params, MEMBER_BATCH);
        const id = groupId(params);
        const name = readGroupName(params, false);
        return async () => {
          const max = groups.maxMembers(app.appKey);
          joined(await store.join(app.appKey, id, userIds, { ...(name !== undefined ? { name } : {}), maxMembers: max, now: now() }), max);
        };
      },

      'group/quit': ({ app, params }) => {
        const userIds = members(params, MEMBER_BATCH);
        const id = groupId(params);
        return async () => {
          await store.quit(app.appKey, id, userIds);
        };
      },

      'group/dismiss': ({ app, params }) => {
        // The operator (group owner) is required by the API but not checked: the App Server decided.
        params.requiredString('userId', USER_ID_RULE);
        const id = groupId(params);
        return async () => {
          await store.dismiss(app.appKey, id);
        };
      },

      'group/refresh': ({ app, params }) => {
        const id = groupId(params);
        const name = readGroupName(params, true) ?? '';
        return async () => {
          await store.rename(app.appKey, id, name);
        };
      },

      'group/sync': ({ app, params }) => {
        const userId = params.requiredString('userId', USER_ID_RULE);
        const wanted = bracketGroups(params);
        return async () => {
          const max = groups.maxMembers(app.appKey);
          joined(await store.replaceGroupsOf(app.appKey, userId, wanted, { maxMembers: max, now: now() }), max);
        };
      },

      'group/user/query': ({ app, params }) => {
        const id = groupId(params);
        return async () => {
          const list = await store.members(app.appKey, id);
          return { users: list.map((member) => ({ id: member.userId })) };
        };
      },

      'user/group/query': ({ app, params }) => {
        const userId = params.requiredString('userId', USER_ID_RULE);
        return async () => {
          const list = await store.groupsOf(app.appKey, userId);
          return { groups: list.map((group) => ({ id: group.groupId, name: group.name })) };
        };
      },

      'group/user/gag/add': ({ app, params }) => {
        const userIds = members(params, MODERATION_BATCH);
        const id = scope(params);
        const minute = params.integer('minute', { min: 0, max: MAX_GAG_MINUTES });
        return async () => {
          const at = now();
          await store.gag(app.appKey, id, userIds, minute === 0 ? 0 : at + minute * MINUTE_MS, at);
        };
      },

      'group/user/gag/rollback': ({ app, params }) => {
        const userIds = members(params, MODERATION_BATCH);
        const id = scope(params);
        return async () => {
          await store.ungag(app.appKey, id, userIds);
        };
      },

      'group/user/gag/list': ({ app, params }) => {
        const id = scope(params);
        return async () => {
          const gags = await store.gags(app.appKey, id, now());
          return {
            users: gags.map((gag) => ({
              userId: gag.userId,
              // A gag until lifted has no end time.
              time: gag.until === 0 ? '' : formatDateTime(gag.until),
              startTime: formatDateTime(gag.startTime),
            })),
          };
        };
      },

      'group/ban/add': ({ app, params }) => {
        const ids = params.strings('groupId', { ...GROUP_ID_RULE, required: true, maxItems: MODERATION_BATCH });
        return async () => {
          await store.setBanned(app.appKey, ids, true, now());
        };
      },

      'group/ban/rollback': ({ app, params }) => {
        const ids = params.strings('groupId', { ...GROUP_ID_RULE, required: true, maxItems: MODERATION_BATCH });
        return async () => {
          await store.setBanned(app.appKey, ids, false, now());
        };
      },

      // With groupId: the state of each (stat 1 banned, 0 not); without: the banned groups, paged.
      'group/ban/query': ({ app, params }) => {
        const ids = params.strings('groupId', { ...GROUP_ID_RULE, maxItems: MODERATION_BATCH });
        if (ids.length > 0) {
          return async () => {
            const banned = await store.bannedAmong(app.appKey, ids);
            return { groupinfo: [...new Set(ids)].map((id) => ({ groupId: id, stat: banned.has(id) ? 1 : 0 })) };
          };
        }
        const page = params.integer('page', { min: 1, max: 1_000_000, fallback: 1 });
        const size = params.integer('size', { min: 1, max: BAN_PAGE_MAX, fallback: BAN_PAGE_DEFAULT });
        return async () => {
          const list = await store.bannedGroups(app.appKey, (page - 1) * size, size);
          return { groupinfo: list.map((id) => ({ groupId: id, stat: 1 })) };
        };
      },

      'group/user/ban/whitelist/add': ({ app, params }) => {
        const id = groupId(params);
        const userIds = members(params, MODERATION_BATCH);
        return async () => {
          await store.addBanWhitelist(app.appKey, id, userIds);
        };
      },

      'group/user/ban/whitelist/rollback': ({ app, params }) => {
        const id = groupId(params);
        const userIds = members(params, MODERATION_BATCH);
        return async () => {
          await store.removeBanWhitelist(app.appKey, id, userIds);
        };
      },

      'group/user/ban/whitelist/query': ({ app, params }) => {
        const id = groupId(params);
        return async () => ({ userIds: [...(await store.banWhitelist(app.appKey, id))] });
      },
    };
  };
}
