/**
 * User tags for tag-targeted pushes (SERVER_API.md §2.1): `user/tag/set` and `user/tag/batch/set` (JSON bodies;
 * the new tags replace the old ones, `tags: []` removes them — rongcloud-sdk's `Tag.remove` / `batchRemove`), and
 * `user/tags/get` (form, `userIds` repeated) answered as `{result: {<userId>: [tags]}}`.
 * Limits: 20 tags per user, a tag ≤ 40 bytes, 1000 users per batch, 50 users per query.
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { ServerApiModule } from './index';
import type { Params } from './params';
import { USER_ID_RULE } from './user';

export const MAX_TAGS_PER_USER = 20;
export const MAX_TAG_BYTES = 40;
const MAX_BATCH_USERS = 1000;
const MAX_QUERY_USERS = 50;

/** `tags` must be present (an empty list clears). */
function readTags(params: Params): string[] {
  if (!params.has('tags')) throw apiError(ServerApiErrors.badParameter, 'tags is required');
  return params.strings('tags', { nonEmpty: true, maxBytes: MAX_TAG_BYTES, maxItems: MAX_TAGS_PER_USER });
}

export function userTagRoutes(): ServerApiModule {
  return (ctx) => ({
    'user/tag/set': ({ app, params }) => {
      const userId = params.requiredString('userId', USER_ID_RULE);
      const tags = readTags(params);
      return async () => {
        await ctx.store.userTags.set(app.appKey, [userId], tags, ctx.clock.now());
      };
    },
    'user/tag/batch/set': ({ app, params }) => {
      const userIds = params.strings('userIds', { ...USER_ID_RULE, required: true, maxItems: MAX_BATCH_USERS });
      const tags = readTags(params);
      return async () => {
        await ctx.store.userTags.set(app.appKey, userIds, tags, ctx.clock.now());
      };
    },
    'user/tags/get': ({ app, params }) => {
      const userIds = params.strings('userIds', { ...USER_ID_RULE, required: true, maxItems: MAX_QUERY_USERS });
      return async () => {
        const tags = await ctx.store.userTags.get(app.appKey, userIds);
        // Null prototype: a user id such as `__proto__` is an ordinary key of the answer.
        const result = Object.create(null) as Record<string, readonly string[]>;
        for (const userId of userIds) result[userId] = tags.get(userId) ?? [];
        return { result };
      };
    },
  });
}
