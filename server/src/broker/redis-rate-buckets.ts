import { Redis } from 'ioredis';
import type { RateBuckets } from './rate-buckets';

export interface RedisRateBucketsOptions {
  /** `redis://host:port/db` */
  readonly url: string;
  /** Key prefix so several deployments can share one Redis (default `lianxin:`). */
  readonly keyPrefix?: string;
  readonly onError?: (error: unknown) => void;
}

/*
 * One hash per bucket: `tokens` and `at` (ms, Redis server clock, so node clocks may disagree). The
 * script refills, then takes (ARGV[4] = 1) or refunds (0); it runs atomically, so N nodes taking from
 * one bucket at once never oversell it. The key expires once a full refill would have happened anyway.
 */
const BUCKET = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1]); local limit = tonumber(ARGV[2]); local window = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]); local at = tonumber(state[2])
if tokens == nil then tokens = limit; at = now end
if now > at then tokens = math.min(limit, tokens + (now - at) * limit / window); at = now end
local ok = 1
if ARGV[4] == '1' then
  if cost > tokens then ok = 0 else tokens = tokens - cost end
else
  tokens = math.min(limit, tokens + cost)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], window * 2)
return ok`;

type BucketCommands = Redis & {
  lxBucket(key: string, cost: number, limit: number, windowMs: number, take: '1' | '0'): Promise<number>;
};

export class RedisRateBuckets implements RateBuckets {
  private readonly redis: BucketCommands;
  private readonly prefix: string;

  constructor(options: RedisRateBucketsOptions) {
    this.prefix = options.keyPrefix ?? 'lianxin:';
    const redis = new Redis(options.url, { maxRetriesPerRequest: 1, connectionName: 'lianxin-rate' });
    redis.on('error', (error: unknown) => options.onError?.(error));
    redis.defineCommand('lxBucket', { numberOfKeys: 1, lua: BUCKET });
    this.redis = redis as BucketCommands;
  }

  async take(key: string, cost: number, limit: number, windowMs: number): Promise<boolean> {
    return (await this.redis.lxBucket(this.prefix + 'rate:' + key, cost, limit, Math.max(1, windowMs), '1')) === 1;
  }

  async refund(key: string, cost: number, limit: number, windowMs: number): Promise<void> {
    await this.redis.lxBucket(this.prefix + 'rate:' + key, cost, limit, Math.max(1, windowMs), '0');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}

export function createRedisRateBuckets(options: RedisRateBucketsOptions): RateBuckets {
  return new RedisRateBuckets(options);
}
