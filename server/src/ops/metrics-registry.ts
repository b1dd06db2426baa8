/**
 * A small Prometheus text-exposition (format 0.0.4) writer: counters, gauges and histograms with
 * labels, plus collect-on-scrape gauges. Written here because `prom-client` is not a dependency; the
 * output is what Prometheus scrapes (`# HELP`, `# TYPE`, one sample per line, `_bucket{le=…}`,
 * `_sum`, `_count`). Invariants: label sets are bounded by the caller (platform, transport, topic,
 * reason — never ids); every series of one metric has the same label names.
 */

export type Labels = Readonly<Record<string, string>>;

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Series per metric above which new label sets are folded into one `overflow` series (cardinality guard). */
const MAX_SERIES = 1000;

interface Metric {
  readonly name: string;
  render(): string;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(names: readonly string[], values: readonly string[], extra?: string): string {
  const parts = names.map((name, i) => `${name}="${escapeLabelValue(values[i] ?? '')}"`);
  if (extra !== undefined) parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

abstract class LabelledMetric<V> implements Metric {
  protected readonly series = new Map<string, { values: string[]; value: V }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly type: string,
  ) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const label of labelNames) if (!LABEL.test(label) || label === 'le') throw new Error(`invalid label ${label}`);
  }

  protected abstract initial(): V;
  protected abstract lines(labels: readonly string[], value: V): string[];

  protected entry(labels: Labels = {}): { values: string[]; value: V } {
    let values = this.labelNames.map((name) => labels[name] ?? '');
    let key = values.join('\u0000');
    let found = this.series.get(key);
    if (found === undefined) {
      if (this.series.size >= MAX_SERIES) {
        values = this.labelNames.map(() => 'overflow');
        key = values.join('\u0000');
        found = this.series.get(key);
      }
      if (found === undefined) {
        found = { values, value: this.initial() };
        this.series.set(key, found);
      }
    }
    return found;
  }

  render(): string {
    const out = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const { values, value } of this.series.values()) out.push(...this.lines(values, value));
    return out.join('\n');
  }
}

export class Counter extends LabelledMetric<{ n: number }> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'counter');
  }

  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) return;
    this.entry(labels).value.n += by;
  }

  /** For counters kept elsewhere (monotonic totals read at scrape time). */
  set(labels: Labels, total: number): void {
    this.entry(labels).value.n = total;
  }

  get(labels?: Labels): number {
    return this.entry(labels).value.n;
  }

  protected initial(): { n: number } {
    return { n: 0 };
  }

  protected lines(values: readonly string[], value: { n: number }): string[] {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatNumber(value.n)}`];
  }
}

export class Gauge extends LabelledMetric<{ n: number }> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'gauge');
  }

  set(labels: Labels, value: number): void {
    this.entry(labels).value.n = value;
  }

  inc(labels?: Labels, by = 1): void {
    this.entry(labels).value.n += by;
  }

  dec(labels?: Labels, by = 1): void {
    this.entry(labels).value.n -= by;
  }

  get(labels?: Labels): number {
    return this.entry(labels).value.n;
  }

  /** Drops every series (collect-on-scrape gauges rebuild them). */
  reset(): void {
    this.series.clear();
  }

  protected initial(): { n: number } {
    return { n: 0 };
  }

  protected lines(values: readonly string[], value: { n: number }): string[] {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatNumber(value.n)}`];
  }
}

interface HistogramValue {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Seconds buckets suited to in-process latencies (0.5 ms … 10 s). */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram extends LabelledMetric<HistogramValue> {
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = LATENCY_BUCKETS) {
    super(name, help, labelNames, 'histogram');
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels | undefined, value: number): void {
    if (!Number.isFinite(value)) return;
    const entry = this.entry(labels).value;
    entry.sum += value;
    entry.count++;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] as number)) entry.counts[i] = (entry.counts[i] ?? 0) + 1;
    }
  }

  snapshot(labels?: Labels): { sum: number; count: number } {
    const { sum, count } = this.entry(labels).value;
    return { sum, count };
  }

  protected initial(): HistogramValue {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  protected lines(values: readonly string[], value: HistogramValue): string[] {
    const out: string[] = [];
    this.buckets.forEach((bound, i) => {
      out.push(`${this.name}_bucket${labelText(this.labelNames, values, `le="${formatNumber(bound)}"`)} ${value.counts[i] ?? 0}`);
    });
    out.push(`${this.name}_bucket${labelText(this.labelNames, values, 'le="+Inf"')} ${value.count}`);
    out.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatNumber(value.sum)}`);
    out.push(`${this.name}_count${labelText(this.labelNames, values)} ${value.count}`);
    return out;
  }
}

/** Holds metrics in registration order and runs collectors (refresh scrape-time gauges) before rendering. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  private readonly collectors = new Set<() => void>();

  register<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }

  /** Runs before each render; returns an unregister function. A throwing collector is skipped. */
  addCollector(collect: () => void): () => void {
    this.collectors.add(collect);
    return () => this.collectors.delete(collect);
  }

  render(): string {
    for (const collect of this.collectors) {
      try {
        collect();
      } catch {
        // One broken source must not take the whole scrape down.
      }
    }
    return `${[...this.metrics.values()].map((m) => m.render()).join('\n')}\n`;
  }
}
