/**
 * Results: each scenario run is saved as `<dir>/results/<scenario>.json`, and `RESULTS.md` is
 * regenerated from all saved results, so one scenario's re-run never loses another's figures.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChartRef } from './charts';
import type { CommitFacts, MachineFacts } from './machine';
import { median, minMax } from './stats';
import { printedDigits, targetRows } from './targets';

export interface Figure {
  readonly label: string;
  readonly unit: string;
  /** One value per run. */
  readonly values: readonly number[];
  readonly target?: string;
  /** Digits after the decimal point when printed (default: 0 for values ≥ 100, else 2). */
  readonly decimals?: number;
}

export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly title: string;
  /** e.g. "busy machine, indicative only": printed next to the title. */
  readonly caveat?: string;
  readonly command: string;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly commit: CommitFacts;
  readonly machine: MachineFacts;
  readonly pinning: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly runs: number;
  readonly figures: readonly Figure[];
  readonly tables?: readonly Table[];
  readonly notes?: readonly string[];
  /** SVG charts saved by the scenario under `<dir>/charts/` (bench/lib/charts.ts), linked in its section. */
  readonly charts?: readonly ChartRef[];
}

export function saveResult(dir: string, result: ScenarioResult): string {
  const resultsDir = path.join(dir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${result.scenario}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export function loadResults(dir: string): ScenarioResult[] {
  const resultsDir = path.join(dir, 'results');
  let names: string[];
  try {
    names = readdirSync(resultsDir).filter((name) => name.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((name) => JSON.parse(readFileSync(path.join(resultsDir, name), 'utf8')) as ScenarioResult);
}

export function formatNumber(value: number, decimals?: number): string {
  if (!Number.isFinite(value)) return '—';
  const digits = printedDigits(value, decimals);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function figureRow(figure: Figure): string {
  const { min, max } = minMax(figure.values);
  const range = figure.values.length > 1 ? `${formatNumber(min, figure.decimals)} – ${formatNumber(max, figure.decimals)}` : '';
  return `| ${figure.label} | ${formatNumber(median(figure.values), figure.decimals)} ${figure.unit} | ${range} | ${figure.values.length} | ${figure.target ?? ''} |`;
}

function tableText(table: Table): string {
  const head = `| ${table.columns.join(' | ')} |`;
  const rule = `|${table.columns.map(() => '---').join('|')}|`;
  return [`**${table.title}**`, '', head, rule, ...table.rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** Hand-written analysis (profiles, causes, what was tried) kept in `<dir>/analysis/<scenario>.md`. */
function analysisOf(dir: string, scenario: string): string | undefined {
  const file = path.join(dir, 'analysis', `${scenario}.md`);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

export function renderSection(result: ScenarioResult, analysis?: string): string {
  const m = result.machine;
  const lines = [
    `## ${result.title}${result.caveat !== undefined ? ` — _${result.caveat}_` : ''}`,
    '',
    `- Command: \`${result.command}\``,
    `- Commit: \`${result.commit.commit}\`${result.commit.dirtyFiles > 0 ? ` + ${result.commit.dirtyFiles} uncommitted files` : ''}; run ${result.startedAt} (${formatNumber(result.durationSeconds, 0)} s)`,
    `- Machine: ${m.cpuModel}, ${m.cpus} CPUs, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, open files ${m.openFileLimit}, load average at start ${m.loadAverage.join(' / ')}`,
    `- Pinning: ${result.pinning}`,
    `- Parameters: ${Object.entries(result.params).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '—'}`,
    '',
  ];
  if (result.figures.length > 0) {
    lines.push('| Figure | Median | Min – max | Runs | Target |', '|---|---:|---:|---:|---|', ...result.figures.map(figureRow), '');
  }
  for (const table of result.tables ?? []) lines.push(tableText(table), '');
  const charts = result.charts ?? [];
  if (charts.length > 0) lines.push(charts.map((chart) => `![${chart.title}](${chart.file})`).join(' '), '');
  for (const note of result.notes ?? []) lines.push(`> ${note}`, '');
  if (analysis !== undefined) lines.push('**Analysis** (hand-written, `bench/analysis/' + result.scenario + '.md`)', '', analysis, '');
  return lines.join('\n');
}

/**
 * Every target of the saved results in one table (bench/lib/targets.ts), judged by the median as printed, and
 * where the reasons for the ones not met are: each scenario's hand-written analysis in its section below.
 */
export function renderTargets(results: readonly ScenarioResult[]): string[] {
  const rows = targetRows(results);
  if (rows.length === 0) return [];
  const titles = new Map(results.map((r) => [r.scenario, r.title]));
  const unmet = [...new Set(rows.filter((row) => row.met === false).map((row) => row.scenario))];
  const lines = [
    '## Targets at a glance',
    '',
    'Every figure below that carries a target, judged by its median as printed (with how many runs met it on their own);',
    '"in its section" marks a target that is not a plain bound on the figure. Each scenario\'s section has the',
    'command, commit, machine and every figure, and its hand-written analysis (`bench/analysis/<scenario>.md`).',
    '',
    '| Scenario | Figure | Median (min – max) | Target | Met |',
    '|---|---|---:|---|---|',
  ];
  for (const row of rows) {
    const { figure } = row;
    const { min, max } = minMax(figure.values);
    const range = figure.values.length > 1 ? ` (${formatNumber(min, figure.decimals)} – ${formatNumber(max, figure.decimals)})` : '';
    const value = `${formatNumber(row.median, figure.decimals)}${figure.unit !== '' ? ` ${figure.unit}` : ''}${range}`;
    const runs = `${row.runsMet ?? 0} of ${figure.values.length} run${figure.values.length === 1 ? '' : 's'}`;
    const met = row.met === undefined ? 'in its section' : row.met ? `yes (${runs})` : `**no** (${runs})`;
    lines.push(`| ${row.scenario} | ${figure.label} | ${value} | ${figure.target ?? ''} | ${met} |`);
  }
  lines.push('');
  if (unmet.length > 0) {
    const where = unmet.map((scenario) => `${titles.get(scenario) ?? scenario} (\`bench/analysis/${scenario}.md\`)`).join('; ');
    lines.push(`Not met yet: the profiles behind each, what was changed and what was tried, are in the analysis of ${where}.`, '');
  }
  return lines;
}

/** The whole RESULTS.md: a fixed preamble, the targets at a glance, then one section per saved scenario in name order. */
export function renderResults(results: readonly ScenarioResult[], analysis: (scenario: string) => string | undefined = () => undefined): string {
  const preamble = [
    '# Benchmark results',
    '',
    '_Generated by `npm run bench -- <scenario>` (bench/run.ts) from `bench/results/*.json`; do not edit by hand._',
    '',
    'Method: the server is the real `server/src/main.ts` in its own process; the load generator is a separate',
    'process driving thin protocol clients built on our wire codec (`src/internal`), pinned to another core with',
    '`taskset` when available. Figures are medians over the runs, with the min – max range. Ratios against peers',
    'are only meaningful within one run on one machine. Charts are SVG rendered headless from the same figures',
    '(vega-lite → vega `View.toSVG()`, bench/lib/charts.ts).',
    '',
  ];
  return `${[...preamble, ...renderTargets(results), ...results.map((r) => renderSection(r, analysis(r.scenario)))].join('\n').trimEnd()}\n`;
}

export function writeResultsMarkdown(dir: string): string {
  const file = path.join(dir, 'RESULTS.md');
  writeFileSync(file, renderResults(loadResults(dir), (scenario) => analysisOf(dir, scenario)));
  return file;
}
