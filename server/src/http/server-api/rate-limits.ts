/**
 * Server API rate limits per app and endpoint (app-server-options.ts has the documented defaults and the
 * per-app overrides). A token bucket per (app, endpoint): it holds `limit` units and refills continuously at
 * `limit` per `windowMs`, so a quiet app may burst up to the limit and a busy one gets the documented average.
 *
 * Publish endpoints cost one unit per message, as RongCloud counts them (a private publish to N users is N,
 * a group publish to 3 groups is 3); every other call costs one. A request that fails (bad parameters…)
 * gets its units back: only accepted work is counted. Over the limit: HTTP 429 with code 1008 — never a 5xx,
 * which the SDKs would take for a dead server and fail over.
 */
import { appServerOptionsOf, rateLimitFor, type RateLimit } from '../../app-server-options';
import type { AppConfig } from '../../config';
import { apiError, ServerApiErrors } from '../../errors';

/** The body field whose values count as messages, by endpoint. */
const COUNTED_FIELD: Readonly<Record<string, string>> = {
  'message/private/publish': 'toUserId',
  'message/private/publish_template': 'toUserId',
  'statusmessage/private/publish': 'toUserId',
  'message/system/publish': 'toUserId',
  'message/system/publish_template': 'toUserId',
  'message/group/publish': 'toGroupId',
  'statusmessage/group/publish': 'toGroupId',
  'message/chatroom/publish': 'toChatroomId',
};

export function costOf(endpoint: string, body: unknown): number {
  const field = COUNTED_FIELD[endpoint];
  if (field === undefined || typeof body !== 'object' || body === null) return 1;
  const value = (body as Record<string, unknown>)[field];
  return Math.max(1, Array.isArray(value) ? value.length : value === undefined ? 0 : 1);
}

interface Bucket {
  tokens: number;
  at: number;
  readonly limit: RateLimit;
}

export interface RateCharge {
  /** Gives the units back (the request failed). Idempotent. */
  refund(): void;
}

const FREE: RateCharge = { refund: () => undefined };

export class ApiRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes the request's units or throws the 1008 error. */
  charge(app: AppConfig, endpoint: string, body: unknown, now: number): RateCharge {
    const limit = rateLimitFor(appServerOptionsOf(app), endpoint);
    if (limit === undefined) return FREE;
    const key = `${app.appKey}\u0000${endpoint}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined || bucket.limit.limit !== limit.limit || bucket.limit.windowMs !== limit.windowMs) {
      bucket = { tokens: limit.limit, at: now, limit };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(limit.limit, bucket.tokens + ((now - bucket.at) * limit.limit) / limit.windowMs);
    bucket.at = Math.max(bucket.at, now);
    const cost = costOf(endpoint, body);
    if (cost > bucket.tokens) {
      throw apiError(ServerApiErrors.rateLimited, `rate limit exceeded: ${endpoint} allows ${limit.limit} per ${limit.windowMs} ms`);
    }
    bucket.tokens -= cost;
    const charged = bucket;
    let refunded = false;
    return {
      refund: () => {
        if (refunded) return;
        refunded = true;
        charged.tokens = Math.min(charged.limit.limit, charged.tokens + cost);
      },
    };
  }
}
