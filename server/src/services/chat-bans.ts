/**
 * Per-user send bans (`user/chat/fb/set`, SERVER_API.md §2.1): a user banned for PERSON may not send private
 * messages from a client, one banned for GROUP may not send group messages. The send is refused in the PUBACK:
 *
 * - PERSON → 20106, "该用户处于单聊禁言状态，禁止发送单聊消息" ("the user is banned from private chat"): the status
 *   table of the product documentation (../shared/seed, status codes, line 11445; API_CHECKLIST §8) and
 *   `ErrorCode.FORBIDDEN_IN_PRIVATE = 20106` of the official engine 5.x (`@rongcloud/engine`, "在单聊中已被禁言",
 *   since 5.9.4; test/e5-clients). engine 4.4.2 and imlib-v2 2.9.2 have no name for it and pass it on as is.
 * - GROUP → 22408, `ErrorCode.FORBIDDEN_IN_GROUP` of engine 4.4.2 ("current user muted in group"), the code
 *   group gags (`group/user/gag/add`) and group bans already answer (wire-status.ts).
 *
 * Only client sends are concerned (status messages included): Server API sends are not subject to bans, as with
 * group gags and the blacklist. The bans live in the store; like the blacklist (user-relations.ts) they are read
 * through a per-node cache so a send costs no store read:
 *
 * - An entry is one app's whole list of one kind (a Set), loaded with one page read; a list longer than
 *   MAX_CACHED_BANS is cached as "large" and each send asks the store.
 * - Every change drops the app's entries: on the changing node synchronously (`chatBansChanged`, called by the
 *   Server API after the store write), on the others through the broker (`app:<appKey>:chat-bans`). A node
 *   subscribes to an app's topic before its first read of that app's bans, so a change published after that
 *   read is seen.
 * - The broker is at-most-once: an entry older than TTL_MS is reloaded, which bounds staleness after a lost
 *   wake-up. A load in flight across an invalidation answers its caller but is not cached.
 */
import { appTopic, type Broker, type BrokerTopic } from '../broker/broker';
import { AppInvalidation } from './app-invalidation';
import type { ServerContext } from '../context';
import type { ChatBanKind } from '../store/chat-ban-repository';
import { PASS, type FilterVerdict, type MessageFilter } from './message-filter-chain';
import { WireStatus } from './wire-status';

export const CHAT_BANS_FILTER_NAME = 'chat-bans';
export const TTL_MS = 5000;
export const MAX_CACHED_BANS = 4096;

const PRIVATE = 1;
const GROUP = 3;

/** The ban kind a conversation type is subject to (undefined: none). */
export function banKindOf(conversationType: number): ChatBanKind | undefined {
  return conversationType === PRIVATE ? 'PERSON' : conversationType === GROUP ? 'GROUP' : undefined;
}

const REFUSALS: Readonly<Record<ChatBanKind, FilterVerdict>> = {
  PERSON: { action: 'reject', status: WireStatus.ForbiddenInPrivate, reason: 'sender is banned from private chat (user/chat/fb)' },
  GROUP: { action: 'reject', status: WireStatus.ForbiddenInGroup, reason: 'sender is banned from group chat (user/chat/fb)' },
};

interface Entry {
  /** undefined: more than MAX_CACHED_BANS users are banned (ask the store). */
  readonly users: ReadonlySet<string> | undefined;
  readonly loadedAt: number;
}

type AppBans = { [K in ChatBanKind]?: Entry };

/** The topic every node caching an app's bans listens on. */
export function chatBansTopic(appKey: string): BrokerTopic {
  return `${appTopic(appKey)}:chat-bans`;
}

export class ChatBanCache {
  private readonly apps = new Map<string, AppBans>();
  private readonly invalidation: AppInvalidation;

  constructor(
    private readonly ctx: ServerContext,
    broker?: Broker,
  ) {
    this.invalidation = new AppInvalidation(ctx, broker, chatBansTopic, 'chat bans', (appKey) => this.apps.delete(appKey));
  }

  /** Whether `userId` is banned for `kind`, when the cache can answer without the store; undefined otherwise. */
  cached(appKey: string, kind: ChatBanKind, userId: string): boolean | undefined {
    const entry = this.apps.get(appKey)?.[kind];
    if (entry === undefined || entry.users === undefined) return undefined;
    if (this.ctx.clock.now() - entry.loadedAt >= TTL_MS) return undefined;
    return entry.users.has(userId);
  }

  /** Whether `userId` is banned for `kind` (loads and caches the app's list). */
  async isBanned(appKey: string, kind: ChatBanKind, userId: string): Promise<boolean> {
    const hit = this.cached(appKey, kind, userId);
    if (hit !== undefined) return hit;
    const generation = this.invalidation.generation;
    await this.invalidation.watch(appKey);
    const bans = this.ctx.store.chatBans;
    const known = this.apps.get(appKey)?.[kind];
    if (known !== undefined && known.users === undefined && this.ctx.clock.now() - known.loadedAt < TTL_MS) return bans.isBanned(appKey, kind, userId);
    const loadedAt = this.ctx.clock.now();
    const page = await bans.page(appKey, kind, 0, MAX_CACHED_BANS + 1);
    const users = page.total > MAX_CACHED_BANS ? undefined : new Set(page.userIds);
    if (generation === this.invalidation.generation) {
      let app = this.apps.get(appKey);
      if (app === undefined) {
        app = {};
        this.apps.set(appKey, app);
      }
      app[kind] = { users, loadedAt };
    }
    return users !== undefined ? users.has(userId) : bans.isBanned(appKey, kind, userId);
  }

  /** The app's bans changed (after the store write): dropped here at once and on every other node. */
  changed(appKey: string): Promise<void> {
    return this.invalidation.changed(appKey);
  }
}

const caches = new WeakMap<ServerContext, ChatBanCache>();

/** The node's cache for `ctx`; the first caller that passes the broker decides it (the filter and the Server API both pass the hub's). */
export function chatBanCache(ctx: ServerContext, broker?: Broker): ChatBanCache {
  let cache = caches.get(ctx);
  if (cache === undefined) {
    cache = new ChatBanCache(ctx, broker);
    caches.set(ctx, cache);
  }
  return cache;
}

/** The Server API changed the app's bans (after the store write): every node's cached copy is dropped. */
export function chatBansChanged(ctx: ServerContext, appKey: string, broker?: Broker): Promise<void> {
  return chatBanCache(ctx, broker).changed(appKey);
}

/** Order 50 (before the blacklist): a banned sender is refused whoever the recipient. Synchronous when cached. */
export function chatBansFilter(ctx: ServerContext, broker?: Broker): MessageFilter {
  const cache = chatBanCache(ctx, broker);
  return {
    name: CHAT_BANS_FILTER_NAME,
    order: 50,
    check(message) {
      const kind = banKindOf(message.conversationType);
      if (kind === undefined) return PASS;
      const { appKey, fromUserId } = message;
      const hit = cache.cached(appKey, kind, fromUserId);
      if (hit !== undefined) return hit ? REFUSALS[kind] : PASS;
      return cache.isBanned(appKey, kind, fromUserId).then((banned) => (banned ? REFUSALS[kind] : PASS));
    },
  };
}
