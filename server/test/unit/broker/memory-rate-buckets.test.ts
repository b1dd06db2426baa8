/** The in-memory RateBuckets (one process) passes the shared contract on a fake clock. */
import { rateBucketsContract } from '../../../src/broker/rate-buckets.contract';
import { MemoryRateBuckets } from '../../../src/broker/rate-buckets';

let now = 1_000_000;

rateBucketsContract('memory', {
  connect: async (count) => {
    // "Nodes" of one process share one engine: that is the single-node default.
    const shared = new MemoryRateBuckets(() => now);
    return Array.from({ length: count }, () => shared);
  },
  advance: async (ms) => {
    now += ms;
  },
});
