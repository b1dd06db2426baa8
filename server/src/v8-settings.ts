/**
 * The V8 settings the server runs with, applied by main.ts before it opens the store or accepts a connection
 * (V8 reads these flags at each collection, so setting them at start-up, in-process, is enough — nothing has
 * to be passed on the node command line; the writer and helper threads share the process's flags).
 *
 * Allocation-site pretenuring off. V8 tracks, per allocation site, how many of its objects survive a young
 * collection, and once a site's rate is high it allocates that site's objects straight into the old generation.
 * A message's objects live from its frame's arrival to its PUBACK — a few milliseconds, but across a scavenge
 * often enough at load (hundreds in flight) for V8 to pretenure the send path's sites; from then on each
 * message left ≈ 2 KB in the old generation, found only by full collections, whose marking competes with the
 * event loop and the writer thread for the server's core. Measured (bench P1 round 25): old-generation growth
 * 28 – 39 → 6 – 12 MB/s at saturation and 10 – 14 → 3 – 7 MB/s at 5,000 msg/s; the p99 at 5,000 msg/s offered
 * 104 → 20 ms (medians of three runs with the peers), its latency spikes having lined up with full collections.
 *
 * An operator who wants V8's default back starts node with `--allocation-site-pretenuring`; that wins.
 */
import { setFlagsFromString } from 'node:v8';

/** V8 flags main.ts sets unless the node command line names the flag (either polarity) itself. */
export const SERVER_V8_FLAGS: readonly string[] = ['--no-allocation-site-pretenuring'];

/** Applies SERVER_V8_FLAGS; returns the ones applied (those `execArgv` does not set already). */
export function applyServerV8Flags(execArgv: readonly string[] = process.execArgv): string[] {
  const applied: string[] = [];
  for (const flag of SERVER_V8_FLAGS) {
    const name = flag.replace(/^--(no-)?/, '');
    // V8 reads `_` and `-` alike in flag names.
    const named = execArgv.some((arg) => {
      const bare = (arg.split('=')[0] ?? arg).replace(/_/g, '-');
      return bare === `--${name}` || bare === `--no-${name}`;
    });
    if (named) continue;
    setFlagsFromString(flag);
    applied.push(flag);
  }
  return applied;
}
