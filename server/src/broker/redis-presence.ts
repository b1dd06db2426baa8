import { Redis } from 'ioredis';
import type { PresenceRegistry, SessionRef } from './presence';

export interface RedisPresenceOptions {
  /** `redis://host:port/db` */
  readonly url: string;
  /** Key prefix so several deployments can share one Redis (default `lianxin:`). */
  readonly keyPrefix?: string;
  readonly onError?: (error: unknown) => void;
}

/*
 * Layout per user: a hash `<p>presence:<appKey>:<userId>` sessionId → JSON SessionRef, and a
 * sorted set `<p>presence-exp:<…>` sessionId → expiry (ms, Redis server clock). Expiry uses the
 * Redis clock (TIME) so node clocks may disagree. Both keys also carry a key TTL ≥ the longest
 * entry TTL, so a user whose every node died leaves nothing behind. Scripts keep each operation
 * atomic.
 */
const NOW_MS = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

const ADD = `${NOW_MS}
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, id in ipairs(stale) do redis.call('HDEL', KEYS[1], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
local keep = tonumber(top[2]) - now + 1000
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
return 1`;

const LIST = `${NOW_MS}
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, id in ipairs(stale) do redis.call('HDEL', KEYS[1], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
return redis.call('HVALS', KEYS[1])`;

const REMOVE = `redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`;

type PresenceCommands = Redis & {
  lxPresenceAdd(hash: string, zset: string, sessionId: string, json: string, ttlMs: number): Promise<number>;
  lxPresenceList(hash: string, zset: string): Promise<string[]>;
  lxPresenceRemove(hash: string, zset: string, sessionId: string): Promise<number>;
};

/** PresenceRegistry on Redis: every node sees every node's sessions; entries expire on their own. */
export class RedisPresence implements PresenceRegistry {
  private readonly redis: PresenceCommands;
  private readonly prefix: string;
  private readonly reconnectListeners = new Set<() => void>();
  private closed = false;

  constructor(options: RedisPresenceOptions) {
    this.prefix = options.keyPrefix ?? 'lianxin:';
    const redis = new Redis(options.url, { maxRetriesPerRequest: 1, connectionName: 'lianxin-presence' });
    redis.on('error', (error: unknown) => options.onError?.(error));
    let readyBefore = false;
    redis.on('ready', () => {
      if (readyBefore && !this.closed) for (const listener of [...this.reconnectListeners]) listener();
      readyBefore = true;
    });
    redis.defineCommand('lxPresenceAdd', { numberOfKeys: 2, lua: ADD });
    redis.defineCommand('lxPresenceList', { numberOfKeys: 2, lua: LIST });
    redis.defineCommand('lxPresenceRemove', { numberOfKeys: 2, lua: REMOVE });
    this.redis = redis as PresenceCommands;
  }

  async add(appKey: string, userId: string, session: SessionRef, ttlMs: number): Promise<void> {
    this.assertOpen();
    const [hash, zset] = this.keys(appKey, userId);
    const ref: SessionRef = {
      nodeId: session.nodeId,
      sessionId: session.sessionId,
      platform: session.platform,
      clientKind: session.clientKind,
      transport: session.transport,
      connectedAt: session.connectedAt,
    };
    await this.redis.lxPresenceAdd(hash, zset, session.sessionId, JSON.stringify(ref), Math.max(1, Math.ceil(ttlMs)));
  }

  async remove(appKey: string, userId: string, sessionId: string): Promise<void> {
    this.assertOpen();
    const [hash, zset] = this.keys(appKey, userId);
    await this.redis.lxPresenceRemove(hash, zset, sessionId);
  }

  async sessionsOf(appKey: string, userId: string): Promise<readonly SessionRef[]> {
    this.assertOpen();
    const [hash, zset] = this.keys(appKey, userId);
    const values = await this.redis.lxPresenceList(hash, zset);
    return values.map((v) => JSON.parse(v) as SessionRef);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reconnectListeners.clear();
    await this.redis.quit().catch(() => undefined);
  }

  /** appKey and userId may contain ':'; the hash tag keeps both keys in one Redis Cluster slot. */
  private keys(appKey: string, userId: string): [string, string] {
    const id = `{${appKey.length}:${appKey}:${userId}}`;
    return [`${this.prefix}presence:${id}`, `${this.prefix}presence-exp:${id}`];
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('presence closed');
  }
}

export function createRedisPresence(options: RedisPresenceOptions): PresenceRegistry {
  return new RedisPresence(options);
}
