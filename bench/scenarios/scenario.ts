/** What a scenario module provides to bench/run.ts. */
import type { Flags } from '../lib/args';
import type { CorePlan } from '../lib/pin';
import type { ChartRef } from '../lib/charts';
import type { Figure, Table } from '../lib/results';

export interface ScenarioContext {
  readonly root: string;
  readonly flags: Flags;
  readonly plan: CorePlan;
  /** Tiny scale for the smoke test: seconds, not minutes. */
  readonly smoke: boolean;
  log(message: string): void;
}

export interface ScenarioOutput {
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly runs: number;
  readonly pinning: string;
  readonly figures: readonly Figure[];
  readonly tables?: readonly Table[];
  readonly notes?: readonly string[];
  /** SVG charts the scenario saved (bench/lib/charts.ts); paths relative to the results directory. */
  readonly charts?: readonly ChartRef[];
}

export interface Scenario {
  /** Results file name and the first word of `npm run bench -- <name>`. */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly title: string;
  /** Whether CPU contention changes the figures (sizes do not; throughput does). */
  readonly loadSensitive: boolean;
  run(ctx: ScenarioContext): Promise<ScenarioOutput>;
}

/** Collects one value per run for each figure key. */
export class FigureSeries {
  private readonly series = new Map<string, { figure: Omit<Figure, 'values'>; values: number[] }>();

  add(key: string, figure: Omit<Figure, 'values'>, value: number): void {
    const entry = this.series.get(key) ?? { figure, values: [] };
    entry.values.push(value);
    this.series.set(key, entry);
  }

  figures(): Figure[] {
    return [...this.series.values()].map(({ figure, values }) => ({ ...figure, values }));
  }
}
