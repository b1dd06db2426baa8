/**
 * Per-connection bound on what the server has queued for a client but the client has not read
 * (issue #13, slow consumers). A connection whose backlog exceeds `maxBytes`, or has not drained for
 * longer than `maxAgeMs` while data keeps being queued, is cut: the client reconnects and catches up
 * by sync, which is cheaper than buffering without bound for a reader that may never come back.
 */

export interface SendQueueLimits {
  /** Bytes queued in user space for one connection (beyond what the kernel took). */
  readonly maxBytes: number;
  /** How long a backlog may stay non-empty without draining. */
  readonly maxAgeMs: number;
}

export const DEFAULT_SEND_QUEUE_LIMITS: SendQueueLimits = { maxBytes: 8 * 1024 * 1024, maxAgeMs: 60_000 };

/** LIANXIN_WS_MAX_BUFFERED_BYTES / LIANXIN_WS_MAX_BUFFER_AGE_MS override the defaults (operators, tests). */
export function sendQueueLimitsFromEnv(env: NodeJS.ProcessEnv): SendQueueLimits {
  const read = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || !/^\d+$/.test(raw)) return fallback;
    const value = Number(raw);
    return value > 0 ? value : fallback;
  };
  return {
    maxBytes: read('LIANXIN_WS_MAX_BUFFERED_BYTES', DEFAULT_SEND_QUEUE_LIMITS.maxBytes),
    maxAgeMs: read('LIANXIN_WS_MAX_BUFFER_AGE_MS', DEFAULT_SEND_QUEUE_LIMITS.maxAgeMs),
  };
}

export type BacklogVerdict = 'ok' | 'too_many_bytes' | 'too_old';

/** Tracks one connection's backlog; `check` is called with the queued byte count before each write. */
export class SendBacklog {
  private since: number | undefined;

  constructor(private readonly limits: SendQueueLimits) {}

  check(bufferedBytes: number, now: number): BacklogVerdict {
    if (bufferedBytes <= 0) {
      this.since = undefined;
      return 'ok';
    }
    if (bufferedBytes > this.limits.maxBytes) return 'too_many_bytes';
    this.since ??= now;
    return now - this.since > this.limits.maxAgeMs ? 'too_old' : 'ok';
  }

  /** The backlog drained (a write callback ran with nothing left queued). */
  drained(): void {
    this.since = undefined;
  }
}
