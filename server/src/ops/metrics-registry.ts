/**
 * The metrics registry of one server, on `prom-client`: a private `Registry` (never prom-client's
 * global one, so several servers or test registries in one process do not collide), the default
 * process/Node.js metrics, and counters/gauges/histograms that carry two guarantees of their own:
 *
 * - Cardinality guard: each metric holds at most `MAX_SERIES` distinct label sets over its
 *   lifetime; later new sets are folded into one series whose every label is `overflow`. Callers
 *   must still pass only bounded values (platform, transport, topic, reason — never ids); the
 *   guard only keeps a mistake from growing memory without bound.
 * - Uniform label sets: every series of a metric carries all its label names, in declaration order
 *   (a missing one is written as ""), so scrapes are stable for tools that match on text.
 *
 * Values refreshed at scrape time use prom-client's `collect()` hook through `onCollect`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';

/** Distinct label sets per metric above which new ones are folded into the `overflow` series. */
export const MAX_SERIES = 1000;
export const OVERFLOW_LABEL = 'overflow';

/** prom-client default metrics left out: their collection walks every open handle (see the constructor). */
export const SCRAPE_COST_SCALES_WITH_CONNECTIONS: readonly string[] = ['nodejs_active_handles', 'nodejs_active_handles_total', 'nodejs_active_resources', 'nodejs_active_resources_total'];

/** Seconds buckets suited to in-process latencies (0.5 ms … 10 s). */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Maps caller labels to the bounded, complete label object recorded (one cached object per label set). */
class SeriesGuard<T extends string> {
  private readonly seen = new Map<string, LabelValues<T>>();
  private overflow: LabelValues<T> | undefined;

  constructor(private readonly labelNames: readonly T[]) {}

  bound(labels: LabelValues<T>): LabelValues<T> {
    const values = this.labelNames.map((name) => String(labels[name] ?? ''));
    const key = values.join('\u0000');
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    if (this.seen.size >= MAX_SERIES) {
      this.overflow ??= Object.fromEntries(this.labelNames.map((name) => [name, OVERFLOW_LABEL])) as LabelValues<T>;
      return this.overflow;
    }
    const complete = Object.fromEntries(this.labelNames.map((name, i) => [name, values[i] ?? ''])) as LabelValues<T>;
    this.seen.set(key, complete);
    return complete;
  }
}

type Update<T extends string> = (labels?: LabelValues<T> | number, value?: number) => void;

/**
 * Wraps one prom-client update method (`inc`, `dec`, `set`, `observe`: all `(labels?, value?)`) with
 * the guard. Recording never throws into the hot path: a non-finite value (or a negative counter
 * increment) is dropped instead of prom-client's TypeError.
 */
function guarded<T extends string>(guard: SeriesGuard<T>, update: Update<T>, nonNegative = false): Update<T> {
  return (labels, value) => {
    const amount = typeof labels === 'object' ? value : labels;
    if (amount !== undefined && (!Number.isFinite(amount) || (nonNegative && amount < 0))) return;
    if (typeof labels === 'object') update(guard.bound(labels), value);
    else update(labels, value);
  };
}

export interface MetricOptions {
  /** Reset the metric before its `onCollect` hooks run (values wholly rebuilt at each scrape). */
  readonly resetOnCollect?: boolean;
}

/** The scrape-time hooks of one metric, run from its prom-client `collect()`. */
class CollectHooks {
  readonly hooks = new Set<() => void>();
  reset: (() => void) | undefined;

  run(): void {
    this.reset?.();
    for (const hook of this.hooks) {
      try {
        hook();
      } catch {
        // Skipped: see MetricsRegistry.onCollect.
      }
    }
  }
}

export class MetricsRegistry {
  /** prom-client registry scraped at `/metrics`. */
  readonly registry = new Registry();
  private readonly collectors = new Map<object, CollectHooks>();

  /** `defaultMetrics`: prom-client's process and Node.js metrics (CPU, memory, fds, event loop lag, GC, …). */
  constructor(options: { readonly defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({ register: this.registry });
      // These list every live handle/resource on each scrape (an array of 10,000+ objects at P2/storm
      // scale, 0.2–0.9 s of event loop per scrape measured during a 10,000-client storm); connections are
      // counted by our own lianxin_connections gauge instead.
      for (const name of SCRAPE_COST_SCALES_WITH_CONNECTIONS) this.registry.removeSingleMetric(name);
    }
  }

  /** The `Content-Type` of `metrics()` (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; runs every collect hook first. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  counter<T extends string = never>(name: string, help: string, labelNames: readonly T[] = [], options: MetricOptions = {}): Counter<T> {
    const hooks = new CollectHooks();
    const counter = new Counter<T>({ name, help, labelNames, registers: [this.registry], collect: () => hooks.run() });
    const guard = new SeriesGuard(labelNames);
    counter.inc = guarded(guard, counter.inc.bind(counter) as Update<T>, true) as Counter<T>['inc'];
    return this.track(counter, hooks, options, () => counter.reset());
  }

  gauge<T extends string = never>(name: string, help: string, labelNames: readonly T[] = [], options: MetricOptions = {}): Gauge<T> {
    const hooks = new CollectHooks();
    const gauge = new Gauge<T>({ name, help, labelNames, registers: [this.registry], collect: () => hooks.run() });
    const guard = new SeriesGuard(labelNames);
    gauge.inc = guarded(guard, gauge.inc.bind(gauge) as Update<T>) as Gauge<T>['inc'];
    gauge.dec = guarded(guard, gauge.dec.bind(gauge) as Update<T>) as Gauge<T>['dec'];
    gauge.set = guarded(guard, gauge.set.bind(gauge) as Update<T>) as Gauge<T>['set'];
    return this.track(gauge, hooks, options, () => gauge.reset());
  }

  histogram<T extends string = never>(name: string, help: string, labelNames: readonly T[] = [], buckets: readonly number[] = LATENCY_BUCKETS, options: MetricOptions = {}): Histogram<T> {
    const hooks = new CollectHooks();
    const histogram = new Histogram<T>({ name, help, labelNames, buckets: [...buckets], registers: [this.registry], collect: () => hooks.run() });
    const guard = new SeriesGuard(labelNames);
    histogram.observe = guarded(guard, histogram.observe.bind(histogram) as Update<T>) as Histogram<T>['observe'];
    return this.track(histogram, hooks, options, () => histogram.reset());
  }

  /**
   * Runs `refresh` each time `metric` (created by this registry) is collected for a scrape; returns the
   * unregister function. A throwing hook is skipped: one broken source must not fail the whole scrape.
   */
  onCollect(metric: object, refresh: () => void): () => void {
    const hooks = this.collectors.get(metric);
    if (hooks === undefined) throw new Error('onCollect: metric not created by this registry');
    hooks.hooks.add(refresh);
    return () => {
      hooks.hooks.delete(refresh);
    };
  }

  private track<M extends object>(metric: M, hooks: CollectHooks, options: MetricOptions, reset: () => void): M {
    if (options.resetOnCollect === true) hooks.reset = reset;
    this.collectors.set(metric, hooks);
    return metric;
  }
}

/**
 * Sets a counter series to a monotonic total kept elsewhere (read in a collect hook), for series that
 * share a counter with ones incremented live (e.g. `lianxin_dropped_total`).
 */
export function setCounterTotal<T extends string>(counter: Counter<T>, labels: LabelValues<T>, total: number): void {
  counter.remove(labels);
  counter.inc(labels, total);
}
