/**
 * SVG charts for RESULTS.md, rendered headless: a vega-lite spec compiled to vega, then
 * `View.toSVG()` with renderer 'none' (no canvas, no browser). Scenarios build the data from their
 * own figures and save the SVG under `<out>/charts/`; the results writer links what a result lists
 * in `charts`. The generic shape is a bar chart of one value per (group, series) with an optional
 * min–max whisker, which covers "ours vs peers" throughput and latency percentiles alike.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatNumber } from './results';

/** A chart saved next to RESULTS.md; `file` is relative to the results directory (e.g. `charts/p1-throughput.svg`). */
export interface ChartRef {
  readonly title: string;
  readonly file: string;
}

export interface BarDatum {
  /** The bar's category on the x axis (e.g. a system: "Lianxin", "aedes"). */
  readonly group: string;
  /** Bars of one group side by side (e.g. "p50", "p99"); one series when absent. */
  readonly series?: string;
  /** The bar's height (a median over runs). */
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
}

export interface BarChartOptions {
  readonly title: string;
  /** Axis title, with the unit (e.g. "delivered msg/s"). */
  readonly yTitle: string;
  readonly data: readonly BarDatum[];
  /** A horizontal rule with its label (a target). */
  readonly rule?: { readonly value: number; readonly label: string };
  /** A logarithmic y axis, for values that span orders of magnitude (all must be > 0). */
  readonly logScale?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/** Renders any vega-lite spec to an SVG string, headless. */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function barChartSpec(options: BarChartOptions): TopLevelSpec {
  const values = options.data
    .filter((d) => Number.isFinite(d.value))
    .map((d) => ({ group: d.group, series: d.series ?? '', value: d.value, min: d.min ?? d.value, max: d.max ?? d.value, label: formatNumber(d.value) }));
  const grouped = values.some((d) => d.series !== '');
  const log = options.logScale === true;
  // On a log axis a bar cannot start at 0: it starts at the power of ten below the smallest whisker.
  const floor = log ? 10 ** Math.floor(Math.log10(Math.min(...values.map((d) => d.min).filter((v) => v > 0), 1))) : 0;
  const scale = log ? { type: 'log' as const, domainMin: floor } : { zero: true };
  const x = { field: 'group', type: 'nominal' as const, title: null, sort: null, axis: { labelAngle: 0 } };
  const bars = {
    mark: { type: 'bar' as const, tooltip: true },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative' as const, title: options.yTitle, scale },
      ...(log ? { y2: { datum: floor } } : {}),
      ...(grouped ? { xOffset: { field: 'series', type: 'nominal' as const, sort: null }, color: { field: 'series', type: 'nominal' as const, title: null, sort: null } } : {}),
    },
  };
  const whiskers = {
    mark: { type: 'rule' as const, color: '#333' },
    encoding: {
      x,
      y: { field: 'min', type: 'quantitative' as const, scale },
      y2: { field: 'max' },
      ...(grouped ? { xOffset: { field: 'series', type: 'nominal' as const, sort: null } } : {}),
    },
  };
  const labels = {
    mark: { type: 'text' as const, dy: -6, fontSize: 10 },
    encoding: {
      x,
      y: { field: 'max', type: 'quantitative' as const, scale },
      text: { field: 'label', type: 'nominal' as const },
      ...(grouped ? { xOffset: { field: 'series', type: 'nominal' as const, sort: null } } : {}),
    },
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width: options.width ?? 360,
    height: options.height ?? 220,
    background: 'white',
    layer: [{ data: { values }, layer: [bars, whiskers, labels] }, ...(options.rule !== undefined ? [ruleLayer(options.rule, scale)] : [])],
  };
  return spec as TopLevelSpec;
}

/** A dashed horizontal line across the plot with its label at the left end (a target). */
function ruleLayer(rule: { readonly value: number; readonly label: string }, scale: object): object {
  return {
    data: { values: [{ y: rule.value, label: rule.label }] },
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#c0392b' }, encoding: { y: { field: 'y', type: 'quantitative', scale } } },
      {
        mark: { type: 'text', align: 'left', dx: 4, dy: -5, color: '#c0392b', fontSize: 10 },
        encoding: { x: { value: 0 }, y: { field: 'y', type: 'quantitative', scale }, text: { field: 'label' } },
      },
    ],
  };
}

/** Renders a bar chart and saves it as `<outDir>/charts/<name>.svg`. */
export async function saveBarChart(outDir: string, name: string, options: BarChartOptions): Promise<ChartRef> {
  const svg = await renderVegaLite(barChartSpec(options));
  const dir = path.join(outDir, 'charts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.svg`), svg);
  return { title: options.title, file: `charts/${name}.svg` };
}
