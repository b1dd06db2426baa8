/**
 * Token buckets shared by every node (issue #11: per-app Server API limits hold for the cluster, not
 * per node). A bucket holds up to `limit` tokens and refills continuously at `limit` per `windowMs`;
 * a missing bucket is full. Engines: in-memory (one process, the embedded default) and Redis (one Lua
 * script per call, so concurrent takes from N nodes never oversell).
 *
 * Contract (rate-buckets.contract.ts): `take` is all-or-nothing; `refund` never raises a bucket above
 * `limit`; buckets are independent by key; engines sharing a backend share buckets.
 */
export interface RateBuckets {
  /** Takes `cost` tokens from bucket `key`; false (and nothing taken) when fewer are left. */
  take(key: string, cost: number, limit: number, windowMs: number): Promise<boolean>;
  /** Gives `cost` tokens back (the request failed), capped at `limit`. */
  refund(key: string, cost: number, limit: number, windowMs: number): Promise<void>;
  close(): Promise<void>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** One process: the embedded default (and what the single-node server did before). */
export class MemoryRateBuckets implements RateBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, cost: number, limit: number, windowMs: number): Promise<boolean> {
    const bucket = this.refill(key, limit, windowMs);
    if (cost > bucket.tokens) return false;
    bucket.tokens -= cost;
    return true;
  }

  async refund(key: string, cost: number, limit: number, windowMs: number): Promise<void> {
    const bucket = this.refill(key, limit, windowMs);
    bucket.tokens = Math.min(limit, bucket.tokens + cost);
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }

  private refill(key: string, limit: number, windowMs: number): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: limit, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(limit, bucket.tokens + (Math.max(0, now - bucket.at) * limit) / windowMs);
    bucket.at = Math.max(bucket.at, now);
    return bucket;
  }
}
