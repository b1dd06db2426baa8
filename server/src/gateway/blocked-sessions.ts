/**
 * Blocked users' sessions after a broker outage. `user/block` stores the block, then publishes a kick on the
 * user's topic; the node that took the call keeps a kick it could not publish and sends it again (Hub.keepUnsent),
 * but it may be gone before the broker is back. So each node also disconnects its own sessions of users the store
 * says are blocked:
 * - when its broker reconnects, all of them (an outage of every node's link: nothing went out meanwhile);
 * - every LIANXIN_BLOCK_RECHECK_MS (30 s), those blocked since its last look (`BlockRecheck`): only the node that
 *   took the call may have lost its link, and it may be gone before the link came back, while this node's link
 *   never dropped — nothing else would tell this node. One indexed read of the recent blocks per look.
 * A blocked user cannot connect again (CONNACK 9), so a session kicked twice by overlapping looks is no harm.
 */
import type { RecentBlock } from '../store/user-list-repository';
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

/** How often each node looks for blocks made since its last look (LIANXIN_BLOCK_RECHECK_MS). */
export const DEFAULT_BLOCK_RECHECK_MS = 30_000;
/**
 * A block is timed by the clock of the node that took the call, which may be behind this one's: each look reaches
 * this far before the previous one.
 */
export const BLOCK_RECHECK_SKEW_MS = 60_000;

/** The store's listing of recent blocks (UserListRepository.blockedSince). */
export interface RecentBlocks {
  blockedSince(since: number, now: number, offset: number, limit: number): Promise<readonly RecentBlock[]>;
}

/** Disconnects this node's sessions of users blocked since the previous look (see the file comment). */
export class BlockRecheck {
  private lastLook: number;
  private running = false;

  constructor(
    private readonly registry: SessionRegistry<LocalSession>,
    private readonly listing: RecentBlocks,
    private readonly now: () => number,
    private readonly limits: BlockedScanLimits = BLOCKED_SCAN_DEFAULTS,
  ) {
    this.lastLook = now();
  }

  /** One look; resolves with the number of sessions kicked (0 while a previous look is still running). */
  async run(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const now = this.now();
      let kicked = 0;
      // No session here: nothing to kick (a blocked user's new connection is refused with CONNACK 9).
      if (this.registry.size > 0) {
        const since = this.lastLook - BLOCK_RECHECK_SKEW_MS;
        for (let page = 0; page < this.limits.maxPages; page++) {
          const blocks = await this.listing.blockedSince(since, now, page * this.limits.pageSize, this.limits.pageSize);
          for (const { appKey, userId } of blocks) kicked += kickSessions(this.registry, appKey, userId);
          if (blocks.length < this.limits.pageSize) break;
        }
      }
      // Moved only after a look that completed: a failed one is covered by the next.
      this.lastLook = now;
      return kicked;
    } finally {
      this.running = false;
    }
  }
}

function kickSessions(registry: SessionRegistry<LocalSession>, appKey: string, userId: string): number {
  const sessions = [...registry.sessionsOf(appKey, userId)];
  for (const session of sessions) session.deliver({ kind: 'kick', reason: DISCONNECT_BLOCK });
  return sessions.length;
}

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
      for (const { userId } of users) kicked += kickSessions(registry, appKey, userId);
      if (users.length < limits.pageSize) break;
    }
  }
  return kicked;
}
