/**
 * Blocked users' sessions after a broker outage. `user/block` stores the block, then publishes a kick on the
 * user's topic; the node that took the call keeps a kick it could not publish and sends it again (Hub.keepUnsent),
 * but it may be gone before the broker is back. So when its broker reconnects, each node also disconnects its own
 * sessions of the users the store says are blocked now: a blocked user's session never outlives the outage.
 */
import type { LocalSession, SessionRegistry } from './session-registry';

/** DISCONNECT reason BLOCK (PROTOCOL.md §3.4): E4 reports status 9 and does not reconnect. */
export const DISCONNECT_BLOCK = 2;
/** The Hub's slot of a block's kick kept for a retry (one per user). */
export const BLOCK_KICK_SLOT = 'kick:block';

/** The store's blocked-user listing (UserListRepository.blocked). */
export interface BlockedListing {
  blocked(appKey: string, now: number, offset: number, limit: number): Promise<readonly { readonly userId: string }[]>;
}

export interface BlockedScanLimits {
  readonly pageSize: number;
  /** Pages read per app at most (an app with more blocked users than pageSize × maxPages is read in part). */
  readonly maxPages: number;
}

export const BLOCKED_SCAN_DEFAULTS: BlockedScanLimits = { pageSize: 1000, maxPages: 100 };

/**
 * Kicks (DISCONNECT 2) every session in `registry` whose user the store says is blocked at `now`; reads only the
 * apps with a session here. Resolves with the number of sessions kicked.
 */
export async function kickBlockedSessions(
  registry: SessionRegistry<LocalSession>,
  listing: BlockedListing,
  now: number,
  limits: BlockedScanLimits = BLOCKED_SCAN_DEFAULTS,
): Promise<number> {
  const apps = new Set<string>();
  for (const session of registry.all()) apps.add(session.info.appKey);
  let kicked = 0;
  for (const appKey of apps) {
    for (let page = 0; page < limits.maxPages; page++) {
      const users = await listing.blocked(appKey, now, page * limits.pageSize, limits.pageSize);
      for (const { userId } of users) {
        for (const session of registry.sessionsOf(appKey, userId)) {
          session.deliver({ kind: 'kick', reason: DISCONNECT_BLOCK });
          kicked += 1;
        }
      }
      if (users.length < limits.pageSize) break;
    }
  }
  return kicked;
}
