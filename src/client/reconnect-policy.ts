/**
 * Pure reconnect back-off: attempt number → delay, with "full jitter" (a uniform draw between a
 * floor and an exponentially growing ceiling) so many clients dropped by one server restart do
 * not come back in lock-step. The ceiling stops growing at `capMs`.
 */
export interface ReconnectPolicy {
  /** Ceiling of the first retry's window; doubles per attempt. */
  readonly baseMs: number;
  /** Largest ceiling. */
  readonly capMs: number;
  /** Smallest delay of any retry after the first, so a failing host is never hammered. */
  readonly floorMs: number;
}

/**
 * Attempt 0 is immediate (the official client retries at once, then every 5 s); later ceilings are
 * 1 s, 2 s, 4 s, 8 s, then 10 s forever, so the mean delay settles near the official 5 s cadence.
 */
export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { baseMs: 1_000, capMs: 10_000, floorMs: 250 };

/**
 * Delay before retry number `attempt` (0-based). `random` returns a value in [0, 1).
 * Invariants: attempt 0 → 0; otherwise floorMs ≤ delay ≤ max(floorMs, min(capMs, baseMs·2^(attempt-1))).
 */
export function delayFor(
  attempt: number,
  random: () => number = Math.random,
  policy: ReconnectPolicy = DEFAULT_RECONNECT_POLICY,
): number {
  if (!(attempt > 0)) return 0;
  const exponent = Math.min(attempt - 1, 30);
  const ceiling = Math.max(policy.floorMs, Math.min(policy.capMs, policy.baseMs * 2 ** exponent));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(policy.floorMs + r * (ceiling - policy.floorMs));
}
