/**
 * `user/*` endpoints, first slice (SERVER_API.md §2.1): getToken, refresh (token/expire lives in
 * user-admin.ts: it also disconnects the sessions whose tokens it revokes, which needs the hub).
 */
import { apiError, ServerApiErrors } from '../../errors';
import type { ServerApiModule } from './index';
import type { Params } from './params';

/** ≤ 64 bytes of letters, digits and `+ = - _` (RongCloud's documented user id alphabet). */
export const USER_ID_RULE = { pattern: /^[A-Za-z0-9+=_-]+$/, maxBytes: 64 } as const;
/** Current docs: ≤ 64 characters; older docs: ≤ 128 bytes. Anything within either limit is accepted. */
const NAME_MAX_CHARS = 64;
const NAME_MAX_BYTES = 128;
const PORTRAIT_RULE = { maxBytes: 1024 } as const;

function profileOf(name: string | undefined, portraitUri: string | undefined): { name?: string; portraitUri?: string } {
  const profile: { name?: string; portraitUri?: string } = {};
  if (name !== undefined) profile.name = name;
  if (portraitUri !== undefined) profile.portraitUri = portraitUri;
  return profile;
}

function readName(params: Params): string | undefined {
  const name = params.optionalString('name');
  if (name !== undefined && [...name].length > NAME_MAX_CHARS && Buffer.byteLength(name, 'utf8') > NAME_MAX_BYTES) {
    throw apiError(ServerApiErrors.badParameter, `name is too long (max ${NAME_MAX_CHARS} characters)`);
  }
  return name;
}

export const userRoutes: ServerApiModule = (ctx) => ({
  'user/getToken': ({ app, params }) => {
    const userId = params.requiredString('userId', USER_ID_RULE);
    const name = readName(params);
    const portraitUri = params.optionalString('portraitUri', PORTRAIT_RULE);
    return async () => {
      const now = ctx.clock.now();
      const user = await ctx.store.users.upsert(app.appKey, userId, profileOf(name, portraitUri), now);
      // Tokens issued at or before tokensValidAfter are refused; a getToken in the same millisecond
      // as a token/expire must still yield a usable token.
      const issuedAt = user.tokensValidAfter === now ? now + 1 : now;
      const expiresAt = app.tokenTtlMs !== undefined && app.tokenTtlMs > 0 ? issuedAt + app.tokenTtlMs : undefined;
      const token = ctx.tokens.issue(app.appKey, userId, issuedAt, expiresAt);
      return { userId, token };
    };
  },

  'user/refresh': ({ app, params }) => {
    const userId = params.requiredString('userId', USER_ID_RULE);
    const name = readName(params);
    const portraitUri = params.optionalString('portraitUri', PORTRAIT_RULE);
    return async () => {
      await ctx.store.users.upsert(app.appKey, userId, profileOf(name, portraitUri), ctx.clock.now());
    };
  },

});
