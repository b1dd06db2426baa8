/**
 * Blacklist and whitelist rules for private messages (SERVER_API.md §2.1, API_CHECKLIST §8): a sender on the
 * recipient's blacklist is refused with 405; in whitelist mode (per app) a sender not on the recipient's
 * whitelist is refused with 407. Only one-to-one PRIVATE conversations are concerned (groups, chatrooms and
 * system messages are not), and a message to oneself always passes. Server API sends apply the same rules only
 * when asked to (`verifyBlacklist=1`), and then leave the refusing recipients out instead of failing.
 */
import { appServerOptionsOf } from '../app-server-options';
import type { ServerContext } from '../context';
import { FilterStatus, PASS, type MessageFilter } from './message-filter-chain';

export const USER_RELATIONS_FILTER_NAME = 'user-relations';

/** The PUBACK status for `fromUserId` → `toUserId`, or 0 when allowed. */
export async function privateSendStatus(ctx: ServerContext, appKey: string, fromUserId: string, toUserId: string): Promise<number> {
  if (fromUserId === toUserId) return 0;
  const lists = ctx.store.userLists;
  if (await lists.contains(appKey, toUserId, 'black', fromUserId)) return FilterStatus.RejectedByBlacklist;
  if (appServerOptionsOf(ctx.apps.get(appKey)).whitelistMode && !(await lists.contains(appKey, toUserId, 'white', fromUserId))) {
    return FilterStatus.NotInWhitelist;
  }
  return 0;
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

export function userRelationsFilter(ctx: ServerContext): MessageFilter {
  return {
    name: USER_RELATIONS_FILTER_NAME,
    order: 100,
    async check(message) {
      if (message.conversationType !== 1) return PASS;
      const status = await privateSendStatus(ctx, message.appKey, message.fromUserId, message.targetId);
      if (status === FilterStatus.RejectedByBlacklist) return { action: 'reject', status, reason: 'sender is on the recipient\'s blacklist' };
      if (status !== 0) return { action: 'reject', status, reason: 'sender is not on the recipient\'s whitelist' };
      return PASS;
    },
  };
}
