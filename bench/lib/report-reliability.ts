/**
 * Results of the long reliability runs of issue #13 (`npm run fuzz`, `npm run soak`, `npm run storm`):
 * the scripts are not bench scenarios (they own their server and run for many minutes), but they
 * save the same ScenarioResult shape under `bench/results/reliability-*.json` and regenerate
 * RESULTS.md through the same writer, so their sections sit with the benchmarks and are never
 * hand-edited. Machine facts are taken when the run STARTS (the load average others caused then).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { commitFacts, machineFacts, repoRoot, type CommitFacts, type MachineFacts } from './machine';
import { saveResult, writeResultsMarkdown, type Figure, type ScenarioResult, type Table } from './results';
import { median } from './stats';

/** Same threshold as bench/run.ts: a 1-minute load average above it means the machine was shared. */
const BUSY_LOAD = 0.7;

export interface RunStart {
  readonly startedAt: Date;
  readonly t0: number;
  readonly machine: MachineFacts;
  readonly commit: CommitFacts;
  /** `npm run <script> -- <args>` as typed. */
  readonly command: string;
}

/**
 * Where results go: `--out DIR` (as in bench/run.ts; e.g. a run from a clean checkout of a commit
 * saving into the working tree's bench/), default `<repo>/bench`.
 */
export function benchDir(argv: readonly string[] = process.argv): string {
  const i = argv.indexOf('--out');
  const out = i >= 0 ? argv[i + 1] : undefined;
  return out !== undefined ? path.resolve(out) : path.join(repoRoot(), 'bench');
}

/** Call first thing in a script: the facts the report needs about the start of the run. */
export function startRun(script: string, argv: readonly string[] = process.argv.slice(2)): RunStart {
  return { startedAt: new Date(), t0: performance.now(), machine: machineFacts(), commit: commitFacts(repoRoot()), command: `npm run ${script}${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}` };
}

export interface ReliabilityOutput {
  /** Results file name (`reliability-fuzz` → bench/results/reliability-fuzz.json). */
  readonly scenario: string;
  readonly title: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly figures: readonly Figure[];
  readonly tables?: readonly Table[];
  readonly notes?: readonly string[];
  /** Whether the run met its pass criteria; a failed run says so in the section title. */
  readonly passed: boolean;
}

export function busyCaveat(machine: MachineFacts): string | undefined {
  const load = machine.loadAverage[0] ?? 0;
  return load > BUSY_LOAD ? `busy machine (load ${load} at start, shared with other work), indicative only` : undefined;
}

/** Saves the run as `bench/results/<scenario>.json` and regenerates bench/RESULTS.md; returns the JSON path. */
export function saveReliabilityResult(start: RunStart, output: ReliabilityOutput, dir: string = benchDir()): string {
  const busy = busyCaveat(start.machine);
  const caveat = [output.passed ? undefined : 'FAILED its pass criteria', busy].filter((c): c is string => c !== undefined).join('; ');
  const result: ScenarioResult = {
    scenario: output.scenario,
    title: output.title,
    ...(caveat !== '' ? { caveat } : {}),
    command: start.command,
    startedAt: start.startedAt.toISOString(),
    durationSeconds: (performance.now() - start.t0) / 1000,
    commit: start.commit,
    machine: start.machine,
    pinning: 'none: the script, its server and the other helpers\u2019 work share the same cores',
    params: output.params,
    runs: 1,
    figures: output.figures,
    ...(output.tables !== undefined ? { tables: output.tables } : {}),
    ...(output.notes !== undefined ? { notes: output.notes } : {}),
  };
  const file = saveResult(dir, result);
  writeResultsMarkdown(dir);
  return file;
}

/** One-value figure (these runs are single long runs, not medians over runs). */
export function one(label: string, unit: string, value: number, target?: string, decimals?: number): Figure {
  // Counts print as integers (the results writer would give a value below 100 two decimals).
  const digits = decimals ?? (Number.isInteger(value) ? 0 : undefined);
  return { label, unit, values: [value], ...(target !== undefined ? { target } : {}), ...(digits !== undefined ? { decimals: digits } : {}) };
}

/**
 * The median "Delivered" throughput of the latest saved P1 result (bench/results/p1-private.json),
 * with where it came from; undefined when there is none.
 */
export function p1DeliveredMedian(dir: string = benchDir()): { msgPerSecond: number; source: string } | undefined {
  const file = path.join(dir, 'results', 'p1-private.json');
  let result: ScenarioResult;
  try {
    result = JSON.parse(readFileSync(file, 'utf8')) as ScenarioResult;
  } catch {
    return undefined;
  }
  const delivered = result.figures.find((f) => f.label === 'Delivered');
  if (delivered === undefined || delivered.values.length === 0) return undefined;
  return { msgPerSecond: median(delivered.values), source: `bench/results/p1-private.json (${result.startedAt}, \`${result.command}\`)` };
}
