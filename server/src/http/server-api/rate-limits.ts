/**
 * Server API rate limits per app and endpoint (app-server-options.ts has the documented defaults and the
 * per-app overrides). A token bucket per (app, endpoint): it holds `limit` units and refills continuously at
 * `limit` per `windowMs`, so a quiet app may burst up to the limit and a busy one gets the documented average.
 *
 * Publish endpoints cost one unit per message, as RongCloud counts them (a private publish to N users is N,
 * a group publish to 3 groups is 3); every other call costs one. Every endpoint — the metered ones (publish,
 * broadcast, push) and any an app limits with `rate.<path>` or `rate.*` — is charged between its handler's
 * check phase and its run (index.ts `ServerApiHandler`): bad input gets its own error (1002…), never 429, and
 * takes nothing from the bucket; a request that fails after the charge gets its units back: only accepted
 * work is counted. A changed limit (config reload) starts a fresh bucket. Over the limit: HTTP 429 with code
 * 1008 — never a 5xx, which the SDKs would take for a dead server and fail over.
 */
import { appServerOptionsOf, rateLimitFor } from '../../app-server-options';
import type { AppConfig } from '../../config';
import { apiError, ServerApiErrors } from '../../errors';
import type { RateBuckets } from '../../broker/rate-buckets';

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

export interface RateCharge {
  /** Gives the units back (the request failed). Idempotent. */
  refund(): Promise<void>;
}

const FREE: RateCharge = { refund: async () => undefined };

/**
 * The buckets live in a RateBuckets engine: in memory for one process, in Redis for a cluster, so an
 * app's limit holds for all nodes together. If the shared engine fails, the request is let through
 * (`onError` reports it): a broker outage must not turn into refused App Server calls.
 */
export class ApiRateLimiter {
  constructor(
    private readonly buckets: RateBuckets,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Takes the request's units or throws the 1008 error. */
  async charge(app: AppConfig, endpoint: string, body: unknown): Promise<RateCharge> {
    const limit = rateLimitFor(appServerOptionsOf(app), endpoint);
    if (limit === undefined) return FREE;
    const key = `${app.appKey}\u0000${endpoint}\u0000${limit.limit}/${limit.windowMs}`;
    const cost = costOf(endpoint, body);
    let taken: boolean;
    try {
      taken = await this.buckets.take(key, cost, limit.limit, limit.windowMs);
    } catch (error) {
      this.onError(error);
      return FREE;
    }
    if (!taken) throw apiError(ServerApiErrors.rateLimited, `rate limit exceeded: ${endpoint} allows ${limit.limit} per ${limit.windowMs} ms`);
    let refunded = false;
    return {
      refund: async () => {
        if (refunded) return;
        refunded = true;
        await this.buckets.refund(key, cost, limit.limit, limit.windowMs).catch(this.onError);
      },
    };
  }
}
