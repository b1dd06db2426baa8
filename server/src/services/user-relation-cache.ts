/**
 * A per-node cache of users' blacklists and whitelists, so the private-send rule check (user-relations.ts)
 * costs two map lookups instead of a store read per message.
 *
 * Invariants:
 * - An entry is one owner's whole list of one kind (a Set, usually empty), loaded with one page read; a list
 *   longer than MAX_CACHED_MEMBERS is cached as "large" and checked in the store per send.
 * - Every change drops the owner's entries: on the changing node synchronously (`changed`, called by the
 *   Server API after the store write), on the others through the broker (`app:<appKey>:user-lists`, payload
 *   the owner id; empty = the whole app). A node subscribes to an app's topic before its first read of that
 *   app's lists, so a change published after that read is seen.
 * - The broker is at-most-once: an entry older than TTL_MS is reloaded, which bounds staleness after a lost
 *   wake-up. A load that was in flight across an invalidation answers its caller but is not cached.
 * - Lists of at most MAX_ENTRIES owners, the first loaded dropped first (every entry is reloaded within
 *   TTL_MS anyway, so a hit costs no reordering).
 */
import type { ServerContext } from '../context';
import { appTopic, type Broker, type BrokerTopic } from '../broker/broker';
import { AppInvalidation } from './app-invalidation';
import type { UserListKind } from '../store/user-list-repository';

export const TTL_MS = 5000;
export const MAX_ENTRIES = 20_000;
export const MAX_CACHED_MEMBERS = 256;

interface Entry {
  /** undefined: the list is longer than MAX_CACHED_MEMBERS (ask the store). */
  readonly members: ReadonlySet<string> | undefined;
  readonly loadedAt: number;
}

/** One owner's cached lists (a kind absent = not loaded). */
interface OwnerLists {
  black?: Entry;
  white?: Entry;
}

const EMPTY: ReadonlySet<string> = new Set<string>();
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The topic every node caching an app's user lists listens on. */
export function userListsTopic(appKey: string): BrokerTopic {
  return `${appTopic(appKey)}:user-lists`;
}

export class UserRelationCache {
  /** By app, then owner (nested maps: a lookup hashes the ids as they came, no key string per send). */
  private readonly apps = new Map<string, Map<string, OwnerLists>>();
  private owners = 0;
  private readonly invalidation: AppInvalidation;

  constructor(
    private readonly ctx: ServerContext,
    broker?: Broker,
  ) {
    // Payload: the owner whose lists changed (empty: the whole app).
    this.invalidation = new AppInvalidation(ctx, broker, userListsTopic, 'user lists', (appKey, owner) =>
      this.drop(appKey, owner.length === 0 ? undefined : utf8Decoder.decode(owner)),
    );
  }

  /**
   * Whether `member` is on `owner`'s list of `kind`, when the cache can answer without the store;
   * undefined when the caller must use `contains`.
   */
  cached(appKey: string, owner: string, kind: UserListKind, member: string): boolean | undefined {
    const entry = this.apps.get(appKey)?.get(owner)?.[kind];
    if (entry === undefined || entry.members === undefined) return undefined;
    if (this.ctx.clock.now() - entry.loadedAt >= TTL_MS) return undefined;
    return entry.members.has(member);
  }

  /** Whether `member` is on `owner`'s list of `kind` (loads and caches the list). */
  async contains(appKey: string, owner: string, kind: UserListKind, member: string): Promise<boolean> {
    const hit = this.cached(appKey, owner, kind, member);
    if (hit !== undefined) return hit;
    const generation = this.invalidation.generation;
    await this.invalidation.watch(appKey);
    const known = this.apps.get(appKey)?.get(owner)?.[kind];
    const lists = this.ctx.store.userLists;
    if (known !== undefined && known.members === undefined && this.ctx.clock.now() - known.loadedAt < TTL_MS) {
      return lists.contains(appKey, owner, kind, member);
    }
    const loadedAt = this.ctx.clock.now();
    const page = await lists.page(appKey, owner, kind, '', MAX_CACHED_MEMBERS);
    const members = page.next !== undefined ? undefined : page.userIds.length === 0 ? EMPTY : new Set(page.userIds);
    if (generation === this.invalidation.generation) this.store(appKey, owner, kind, { members, loadedAt });
    return members !== undefined ? members.has(member) : lists.contains(appKey, owner, kind, member);
  }

  /**
   * `owner`'s lists changed (after the store write): dropped here at once and on every other node through the
   * broker. Resolves once the broker took the message; a failed publish is logged (TTL_MS then bounds it).
   */
  changed(appKey: string, owner: string): Promise<void> {
    return this.invalidation.changed(appKey, utf8.encode(owner));
  }

  /** Owners with cached lists (tests, diagnostics). */
  get size(): number {
    return this.owners;
  }

  private store(appKey: string, owner: string, kind: UserListKind, entry: Entry): void {
    let owners = this.apps.get(appKey);
    if (owners === undefined) {
      owners = new Map();
      this.apps.set(appKey, owners);
    }
    let lists = owners.get(owner);
    if (lists === undefined) {
      if (this.owners >= MAX_ENTRIES) this.evictOldest(owners);
      lists = {};
      owners.set(owner, lists);
      this.owners++;
    }
    lists[kind] = entry;
  }

  /** Drops the app's first-loaded owner (map order is first-load order), or another app's when this one is empty. */
  private evictOldest(preferred: Map<string, OwnerLists>): void {
    const from = preferred.size > 0 ? preferred : [...this.apps.values()].find((owners) => owners.size > 0);
    const oldest = from?.keys().next();
    if (from !== undefined && oldest !== undefined && oldest.done !== true) {
      from.delete(oldest.value);
      this.owners--;
    }
  }

  private drop(appKey: string, owner: string | undefined): void {
    const owners = this.apps.get(appKey);
    if (owners === undefined) return;
    if (owner === undefined) {
      this.owners -= owners.size;
      this.apps.delete(appKey);
    } else if (owners.delete(owner)) {
      this.owners--;
    }
  }
}

const caches = new WeakMap<ServerContext, UserRelationCache>();

/**
 * The node's cache for `ctx` (one per server context). The first caller that passes the broker decides it;
 * the send filter and the Server API both pass the hub's broker.
 */
export function userRelationCache(ctx: ServerContext, broker?: Broker): UserRelationCache {
  let cache = caches.get(ctx);
  if (cache === undefined) {
    cache = new UserRelationCache(ctx, broker);
    caches.set(ctx, cache);
  }
  return cache;
}
