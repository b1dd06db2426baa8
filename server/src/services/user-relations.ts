/**
 * Blacklist and whitelist rules for private messages (SERVER_API.md §2.1, API_CHECKLIST §8): a sender on the
 * recipient's blacklist is refused with 405; in whitelist mode (per app) a sender not on the recipient's
 * whitelist is refused with 407. Only one-to-one PRIVATE conversations are concerned (groups, chatrooms and
 * system messages are not), and a message to oneself always passes. Server API sends apply the same rules only
 * when asked to (`verifyBlacklist=1`), and then leave the refusing recipients out instead of failing.
 * Client sends read the lists through the node's cache (user-relation-cache.ts), which the Server API
 * invalidates with `userListsChanged` after every change; Server API sends read the store.
 */
import { appServerOptionsOf, DEFAULT_APP_SERVER_OPTIONS } from '../app-server-options';
import type { Broker } from '../broker/broker';
import type { ServerContext } from '../context';
import { FilterStatus, PASS, type FilterVerdict, type MessageFilter } from './message-filter-chain';
import { userRelationCache, type UserRelationCache } from './user-relation-cache';

export const USER_RELATIONS_FILTER_NAME = 'user-relations';

const BLACKLISTED: FilterVerdict = { action: 'reject', status: FilterStatus.RejectedByBlacklist, reason: 'sender is on the recipient\'s blacklist' };
const NOT_WHITELISTED: FilterVerdict = { action: 'reject', status: FilterStatus.NotInWhitelist, reason: 'sender is not on the recipient\'s whitelist' };

/** Read per send without building the whole options object. */
function whitelistModeOf(ctx: ServerContext, appKey: string): boolean {
  return ctx.apps.get(appKey)?.appServer?.whitelistMode ?? DEFAULT_APP_SERVER_OPTIONS.whitelistMode;
}

/** The status from cached lists only; undefined when a list must be read from the store. */
function cachedSendStatus(cache: UserRelationCache, ctx: ServerContext, appKey: string, fromUserId: string, toUserId: string): number | undefined {
  if (fromUserId === toUserId) return 0;
  const black = cache.cached(appKey, toUserId, 'black', fromUserId);
  if (black === undefined) return undefined;
  if (black) return FilterStatus.RejectedByBlacklist;
  if (!whitelistModeOf(ctx, appKey)) return 0;
  const white = cache.cached(appKey, toUserId, 'white', fromUserId);
  if (white === undefined) return undefined;
  return white ? 0 : FilterStatus.NotInWhitelist;
}

/** The PUBACK status for `fromUserId` → `toUserId`, or 0 when allowed (lists through the node's cache). */
export async function privateSendStatus(ctx: ServerContext, appKey: string, fromUserId: string, toUserId: string, broker?: Broker): Promise<number> {
  if (fromUserId === toUserId) return 0;
  const cache = userRelationCache(ctx, broker);
  if (await cache.contains(appKey, toUserId, 'black', fromUserId)) return FilterStatus.RejectedByBlacklist;
  if (whitelistModeOf(ctx, appKey) && !(await cache.contains(appKey, toUserId, 'white', fromUserId))) return FilterStatus.NotInWhitelist;
  return 0;
}

/**
 * The Server API changed `owner`'s blacklist or whitelist (after the store write): every node's cached copy is
 * dropped (this node's before this resolves).
 */
export function userListsChanged(ctx: ServerContext, appKey: string, owner: string, broker?: Broker): Promise<void> {
  return userRelationCache(ctx, broker).changed(appKey, owner);
}

/** Of `recipients`, those who accept messages from `fromUserId` (order kept). */
export async function acceptingRecipients(ctx: ServerContext, appKey: string, fromUserId: string, recipients: readonly string[]): Promise<string[]> {
  const others = recipients.filter((id) => id !== fromUserId);
  const lists = ctx.store.userLists;
  const blocking = await lists.ownersListing(appKey, others, 'black', fromUserId);
  const whitelistMode = appServerOptionsOf(ctx.apps.get(appKey)).whitelistMode;
  const allowing = whitelistMode ? await lists.ownersListing(appKey, others, 'white', fromUserId) : undefined;
  return recipients.filter((id) => id === fromUserId || (!blocking.has(id) && (allowing === undefined || allowing.has(id))));
}

function verdictOf(status: number): FilterVerdict {
  return status === 0 ? PASS : status === FilterStatus.RejectedByBlacklist ? BLACKLISTED : NOT_WHITELISTED;
}

/** Order 100. Answers synchronously when the lists are cached (no promise per send). */
export function userRelationsFilter(ctx: ServerContext, broker?: Broker): MessageFilter {
  const cache = userRelationCache(ctx, broker);
  return {
    name: USER_RELATIONS_FILTER_NAME,
    order: 100,
    check(message) {
      if (message.conversationType !== 1) return PASS;
      const { appKey, fromUserId, targetId } = message;
      const status = cachedSendStatus(cache, ctx, appKey, fromUserId, targetId);
      if (status !== undefined) return verdictOf(status);
      return privateSendStatus(ctx, appKey, fromUserId, targetId, broker).then(verdictOf);
    },
  };
}
