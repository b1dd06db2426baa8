/**
 * The metrics of this server process, in one prom-client registry scraped at `/metrics`. A
 * process-wide instance (`serverMetrics`) so that hot paths (session frames, store calls, the
 * WebSocket send queue) record with one call and no plumbing; it owns its own `Registry`, never
 * prom-client's global one, so other registries in the process (tests: `new ServerMetrics()`) stay
 * apart. Label values are bounded sets (frame kinds, our own topics or `unsupported`, platforms,
 * repository/method names), never user or message ids; the registry's guard folds any excess.
 *
 * Process metrics (`process_resident_memory_bytes`, `process_start_time_seconds`,
 * `nodejs_eventloop_lag_seconds`, CPU, fds, GC, heap spaces, …) are prom-client's default metrics.
 */
import type { Counter, Gauge, Histogram, LabelValues } from 'prom-client';
import { LATENCY_BUCKETS, MAX_SERIES, MetricsRegistry } from './metrics-registry';

/** One label set of a histogram and an error counter, bound once (store calls: `storeSeries`). */
export interface TimedSeries {
  /** Records one duration in seconds. */
  observe(seconds: number): void;
  /** Counts one failure. */
  error(): void;
}

type Update = (labels?: LabelValues<string> | number, value?: number) => void;

/**
 * Label sets of a hot metric bound once, keyed by their values (nested maps, no key string built per call).
 * At most MAX_SERIES are bound; later ones go through the registry's guarded method (which folds them).
 */
class BoundSeries<S> {
  private readonly byFirst = new Map<string, Map<string, S>>();
  private size = 0;

  constructor(private readonly bind: (first: string, second: string) => S) {}

  get(first: string, second: string): S | undefined {
    let inner = this.byFirst.get(first);
    const known = inner?.get(second);
    if (known !== undefined) return known;
    if (this.size >= MAX_SERIES) return undefined;
    if (inner === undefined) {
      inner = new Map();
      this.byFirst.set(first, inner);
    }
    const series = this.bind(first, second);
    inner.set(second, series);
    this.size++;
    return series;
  }
}

/**
 * A counter whose hot label sets count in plain numbers, added to prom-client when the counter is collected
 * (every scrape and `get()` collect first, so what is read is exact): an increment costs no label hashing.
 * Other calls (no labels, other label names) keep the registry's guarded `inc`.
 */
function fastCounter(registry: MetricsRegistry, counter: Counter<string>, first: string, second: string | undefined): BoundSeries<{ pending: number }> {
  const guarded = counter.inc.bind(counter) as Update;
  const pendings = new Map<{ pending: number }, LabelValues<string>>();
  const series = new BoundSeries<{ pending: number }>((a, b) => {
    const slot = { pending: 0 };
    pendings.set(slot, second === undefined ? { [first]: a } : { [first]: a, [second]: b });
    return slot;
  });
  registry.onCollect(counter, () => {
    for (const [slot, labels] of pendings) {
      if (slot.pending === 0) continue;
      const amount = slot.pending;
      slot.pending = 0;
      guarded(labels, amount);
    }
  });
  counter.inc = ((labels?: LabelValues<string> | number, value?: number): void => {
    if (typeof labels === 'object' && (value === undefined || (Number.isFinite(value) && value >= 0))) {
      const slot = series.get(String(labels[first] ?? ''), second === undefined ? '' : String(labels[second] ?? ''));
      if (slot !== undefined) {
        slot.pending += value ?? 1;
        return;
      }
    }
    guarded(labels, value);
  }) as Counter<string>['inc'];
  return series;
}

/**
 * One hot label set of a histogram, counted here: a bucket index, two additions. prom-client's own `observe`
 * (even through a bound child) rebuilds and hashes the label key and validates the labels on every call —
 * measured at ≈ 2.6 % of the event loop in bench P1, where every message is observed twice (PUBACK latency and
 * the store append).
 */
class HotHistogramSeries {
  /** Per bucket (the last one is +Inf), not cumulative. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: LabelValues<string>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

/** The value rows prom-client's Histogram exposes for one series (same shape, so the registry prints them alike). */
function exportRows(name: string, bounds: readonly number[], series: HotHistogramSeries): object[] {
  const rows: object[] = [];
  let cumulative = 0;
  for (let i = 0; i < bounds.length; i++) {
    cumulative += series.counts[i] as number;
    rows.push({ labels: { le: bounds[i] }, sharedLabels: series.labels, value: cumulative, metricName: `${name}_bucket`, exemplar: null });
  }
  rows.push(
    { labels: { le: '+Inf' }, sharedLabels: series.labels, value: series.count, metricName: `${name}_bucket`, exemplar: null },
    { labels: {}, sharedLabels: series.labels, value: series.sum, metricName: `${name}_sum`, exemplar: undefined },
    { labels: {}, sharedLabels: series.labels, value: series.count, metricName: `${name}_count`, exemplar: undefined },
  );
  return rows;
}

/**
 * A histogram whose hot label sets count in HotHistogramSeries, exported beside prom-client's own series (those
 * recorded past the bound sets: other label names, the guard's overflow) when the histogram is read for a scrape
 * (`getForPromString`, which `get()` also uses); `reset()` clears both. Same exposition text as prom-client's.
 */
function fastHistogram(histogram: Histogram<string>, name: string, first: string, second: string | undefined, bounds: readonly number[]): BoundSeries<HotHistogramSeries> {
  const guarded = histogram.observe.bind(histogram) as Update;
  const all: HotHistogramSeries[] = [];
  const series = new BoundSeries<HotHistogramSeries>((a, b) => {
    const bound = new HotHistogramSeries(second === undefined ? { [first]: a } : { [first]: a, [second]: b }, bounds);
    all.push(bound);
    return bound;
  });
  histogram.observe = ((labels?: LabelValues<string> | number, value?: number): void => {
    if (typeof labels === 'object' && value !== undefined) {
      const bound = series.get(String(labels[first] ?? ''), second === undefined ? '' : String(labels[second] ?? ''));
      if (bound !== undefined) return bound.observe(value);
    }
    guarded(labels, value);
  }) as Histogram<string>['observe'];
  type Exported = { values: object[] };
  const target = histogram as unknown as { getForPromString(): Promise<Exported>; reset(): void };
  const read = target.getForPromString.bind(histogram);
  target.getForPromString = async () => {
    const data = await read();
    for (const bound of all) if (bound.count > 0) data.values.push(...exportRows(name, bounds, bound));
    return data;
  };
  const reset = target.reset.bind(histogram);
  target.reset = () => {
    reset();
    for (const bound of all) {
      bound.counts.fill(0);
      bound.sum = 0;
      bound.count = 0;
    }
  };
  return series;
}

const PUBACK_LATENCY = 'lianxin_puback_latency_seconds';
const QUERYACK_LATENCY = 'lianxin_queryack_latency_seconds';
const STORE_LATENCY = 'lianxin_store_operation_seconds';

export class ServerMetrics {
  readonly registry: MetricsRegistry;
  readonly connections: Gauge<'platform' | 'transport'>;
  readonly framesIn: Counter<'kind' | 'topic'>;
  readonly framesOut: Counter<'kind' | 'topic'>;
  readonly pubackLatency: Histogram<'topic'>;
  readonly queryLatency: Histogram<'topic'>;
  readonly storeLatency: Histogram<'repository' | 'operation'>;
  readonly storeErrors: Counter<'repository' | 'operation'>;
  readonly dropped: Counter<'reason'>;
  readonly chatroomAccepted: Counter<'priority'>;
  readonly chatroomKicked: Counter<'reason'>;
  readonly wsBuffered: Gauge;
  readonly heapUsed: Gauge;

  constructor(registry = new MetricsRegistry()) {
    this.registry = registry;
    // Rebuilt from the session registries at each scrape (collect hooks of ops-routes).
    this.connections = registry.gauge('lianxin_connections', 'Live client sessions on this node.', ['platform', 'transport'], { resetOnCollect: true });
    this.framesIn = registry.counter('lianxin_frames_in_total', 'CMP frames received from clients, by frame kind and topic (publish/query).', ['kind', 'topic']);
    this.framesOut = registry.counter('lianxin_frames_out_total', 'CMP frames written to clients, by frame kind and topic (server publishes).', ['kind', 'topic']);
    this.pubackLatency = registry.histogram(PUBACK_LATENCY, 'Time from a client PUBLISH arriving to its PUBACK being written.', ['topic']);
    this.queryLatency = registry.histogram(QUERYACK_LATENCY, 'Time from a client QUERY arriving to its QUERYACK being written.', ['topic']);
    this.storeLatency = registry.histogram(STORE_LATENCY, 'Duration of store repository calls.', ['repository', 'operation']);
    this.storeErrors = registry.counter('lianxin_store_errors_total', 'Store repository calls that failed.', ['repository', 'operation']);
    this.dropped = registry.counter('lianxin_dropped_total', 'Deliveries or connections dropped on purpose, by reason.', ['reason']);
    // Totals kept by the chatroom service, copied at each scrape.
    this.chatroomAccepted = registry.counter('lianxin_chatroom_messages_accepted_total', 'Chatroom messages accepted, by priority.', ['priority'], { resetOnCollect: true });
    this.chatroomKicked = registry.counter('lianxin_chatroom_members_kicked_total', 'Chatroom members removed by the server, by reason.', ['reason'], { resetOnCollect: true });
    this.wsBuffered = registry.gauge('lianxin_websocket_buffered_bytes', 'Bytes queued for WebSocket clients that the kernel has not taken yet (sum over connections).');
    // Kept beside prom-client's nodejs_heap_size_used_bytes: dashboards and bench scripts read this name.
    this.heapUsed = registry.gauge('nodejs_heap_used_bytes', 'V8 heap used in bytes.');
    const heapUsed = this.heapUsed;
    registry.onCollect(heapUsed, () => heapUsed.set(process.memoryUsage().heapUsed));
    // Recorded per frame / per store call: bound label sets (same series, same values, less work per call).
    fastCounter(registry, this.framesIn as Counter<string>, 'kind', 'topic');
    fastCounter(registry, this.framesOut as Counter<string>, 'kind', 'topic');
    fastHistogram(this.pubackLatency as Histogram<string>, PUBACK_LATENCY, 'topic', undefined, LATENCY_BUCKETS);
    fastHistogram(this.queryLatency as Histogram<string>, QUERYACK_LATENCY, 'topic', undefined, LATENCY_BUCKETS);
    const storeLatency = fastHistogram(this.storeLatency as Histogram<string>, STORE_LATENCY, 'repository', 'operation', LATENCY_BUCKETS);
    const storeErrors = fastCounter(registry, this.storeErrors as Counter<string>, 'repository', 'operation');
    this.storeSeriesOf = (repository, operation) => {
      const observe = storeLatency.get(repository, operation);
      const errors = storeErrors.get(repository, operation);
      const labels = { repository, operation };
      return {
        observe: observe !== undefined ? (seconds) => observe.observe(seconds) : (seconds) => this.storeLatency.observe(labels, seconds),
        error: errors !== undefined ? () => void errors.pending++ : () => this.storeErrors.inc(labels),
      };
    };
  }

  private readonly storeSeriesOf: (repository: string, operation: string) => TimedSeries;

  /** The `lianxin_store_operation_seconds` / `lianxin_store_errors_total` series of one store method; bind it once. */
  storeSeries(repository: string, operation: string): TimedSeries {
    return this.storeSeriesOf(repository, operation);
  }

  /** The exposition text (Prometheus format; content type `contentType`). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

export const serverMetrics = new ServerMetrics();

/** Seconds since `startedAt` (a `performance.now()` value). */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
