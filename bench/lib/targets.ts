/**
 * "Targets at a glance": every figure that carries a target, judged by its median, for the top of RESULTS.md.
 * A target is judged only when its text reads as a bound on the figure itself — `≥ N …`, `≤ N …`, `< N …`,
 * `> N …`, or a bare `N` / `N %` meaning exactly N; anything else (`≤ cycle 1 + 5 MB`, `1099 msg/s asked`) is
 * left to the scenario's own section. Numbers may use thousands separators (`20,000`); words after the
 * number (a unit, a shape in parentheses) are the target's wording, not part of the bound.
 */
import type { Figure, ScenarioResult } from './results';
import { median } from './stats';

export interface Bound {
  readonly op: '≥' | '≤' | '<' | '>' | '=';
  readonly value: number;
}

const NUMBER = '(\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.(\\d+))?';
const COMPARED = new RegExp(`^(≥|≤|<|>|>=|<=)\\s*${NUMBER}(?:\\s|$)`);
const EXACT = new RegExp(`^${NUMBER}(?:\\s*%)?$`);

function numberOf(whole: string, fraction: string | undefined): number {
  return Number(`${whole.replace(/,/g, '')}${fraction !== undefined ? `.${fraction}` : ''}`);
}

/** The bound a target text states, or undefined when it is not a plain bound on the figure. */
export function parseBound(target: string): Bound | undefined {
  const text = target.trim();
  const compared = COMPARED.exec(text);
  if (compared !== null) {
    const sign = compared[1] as string;
    const op = sign === '>=' ? '≥' : sign === '<=' ? '≤' : (sign as Bound['op']);
    return { op, value: numberOf(compared[2] as string, compared[3]) };
  }
  const exact = EXACT.exec(text);
  return exact !== null ? { op: '=', value: numberOf(exact[1] as string, exact[2]) } : undefined;
}

export function meets(value: number, bound: Bound): boolean {
  switch (bound.op) {
    case '≥': return value >= bound.value;
    case '≤': return value <= bound.value;
    case '<': return value < bound.value;
    case '>': return value > bound.value;
    case '=': return value === bound.value;
  }
}

/** Digits after the decimal point RESULTS.md prints for `value` (a figure's `decimals`, else 0 from 100 up, else 2). */
export function printedDigits(value: number, decimals: number | undefined): number {
  return decimals ?? (Math.abs(value) >= 100 ? 0 : 2);
}

/** The value as RESULTS.md prints it, so a verdict agrees with the figure shown. */
function printed(value: number, decimals: number | undefined): number {
  return Number(value.toFixed(printedDigits(value, decimals)));
}

export interface TargetRow {
  readonly scenario: string;
  readonly figure: Figure;
  readonly median: number;
  /** Undefined when the target is not a plain bound (judged in the scenario's section). */
  readonly met?: boolean;
  /** Runs whose own value meets the bound. */
  readonly runsMet?: number;
}

/** Every figure with a target, in the results' order. */
export function targetRows(results: readonly ScenarioResult[]): TargetRow[] {
  const rows: TargetRow[] = [];
  for (const result of results) {
    for (const figure of result.figures) {
      if (figure.target === undefined || figure.values.length === 0) continue;
      const bound = parseBound(figure.target);
      const mid = median(figure.values);
      const judged = (value: number): boolean => bound !== undefined && meets(printed(value, figure.decimals), bound);
      if (bound === undefined) {
        rows.push({ scenario: result.scenario, figure, median: mid });
        continue;
      }
      rows.push({
        scenario: result.scenario,
        figure,
        median: mid,
        met: judged(mid),
        runsMet: figure.values.filter(judged).length,
      });
    }
  }
  return rows;
}
