/** Order statistics for benchmark figures: medians across runs, percentiles within a run. */

/** Nearest-rank percentile of an unsorted sample (p in 0..100); NaN for an empty sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function minMax(values: readonly number[]): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length === 0 ? { min: Number.NaN, max: Number.NaN } : { min, max };
}

/**
 * Latency samples kept in a fixed-size reservoir so a long run does not grow memory without bound;
 * below `capacity` samples it is exact.
 */
export class LatencySampler {
  private readonly samples: Float64Array;
  private seen = 0;

  constructor(private readonly capacity = 200_000) {
    this.samples = new Float64Array(capacity);
  }

  add(value: number): void {
    if (this.seen < this.capacity) {
      this.samples[this.seen] = value;
    } else {
      const slot = Math.floor(Math.random() * (this.seen + 1));
      if (slot < this.capacity) this.samples[slot] = value;
    }
    this.seen += 1;
  }

  get count(): number {
    return this.seen;
  }

  values(): number[] {
    return Array.from(this.samples.subarray(0, Math.min(this.seen, this.capacity)));
  }
}
