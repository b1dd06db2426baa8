/**
 * Work over every session of a node, spread over a few turns of the event loop instead of one (the wake-up of
 * every session after a broker reconnect, SessionManager.wakeAll): a node with 100 000 sessions would otherwise
 * write 100 000 frames in one turn. One batch runs at once and one more every `tickMs`; batches are at least
 * `batch` items and grow so that the last one runs within `maxMs`, so the whole takes at most
 * ⌈maxMs / tickMs⌉ + 1 batches whatever the count. Timers are unref'd; the returned function stops what is left.
 */
export interface SpreadLimits {
  readonly batch: number;
  readonly tickMs: number;
  readonly maxMs: number;
}

export const WAKE_SPREAD: SpreadLimits = { batch: 500, tickMs: 10, maxMs: 2000 };

/** The batch size `spreadBatches` uses for `count` items. */
export function batchSizeFor(count: number, limits: SpreadLimits): number {
  const ticks = Math.max(1, Math.floor(limits.maxMs / limits.tickMs));
  return Math.max(1, limits.batch, Math.ceil(count / ticks));
}

export function spreadBatches<T>(items: readonly T[], each: (item: T) => void, limits: SpreadLimits = WAKE_SPREAD, onError?: (error: unknown) => void): () => void {
  const size = batchSizeFor(items.length, limits);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = (from: number): void => {
    timer = undefined;
    if (stopped) return;
    const end = Math.min(items.length, from + size);
    for (let i = from; i < end; i++) {
      try {
        each(items[i] as T);
      } catch (error) {
        onError?.(error);
      }
    }
    if (end >= items.length) return;
    timer = setTimeout(() => run(end), limits.tickMs);
    timer.unref();
  };
  run(0);
  return () => {
    stopped = true;
    clearTimeout(timer);
    timer = undefined;
  };
}
