/**
 * RESULTS.md's "Targets at a glance" (bench/lib/targets.ts, bench/lib/results.ts): which target texts are read
 * as bounds, and the verdicts on the medians as they are printed.
 */
import { renderTargets, type ScenarioResult } from '../../../bench/lib/results';
import { parseBound, targetRows } from '../../../bench/lib/targets';

function result(scenario: string, figures: ScenarioResult['figures']): ScenarioResult {
  return {
    scenario, title: `${scenario} title`, command: `npm run bench -- ${scenario}`, startedAt: '2026-11-28T00:00:00.000Z', durationSeconds: 1,
    commit: { commit: 'abc', dirtyFiles: 0 } as ScenarioResult['commit'], machine: {} as ScenarioResult['machine'], pinning: 'none', params: {}, runs: 3, figures,
  };
}

test('target texts: comparisons with thousands separators and trailing words, exact values, and prose left alone', () => {
  expect(parseBound('≥ 20,000 (one server core, 200 pairs)')).toEqual({ op: '≥', value: 20_000 });
  expect(parseBound('≤ 50 ms')).toEqual({ op: '≤', value: 50 });
  expect(parseBound('≥ 0.5')).toEqual({ op: '≥', value: 0.5 });
  expect(parseBound('≤ 1,000 ms (10,000 messages)')).toEqual({ op: '≤', value: 1000 });
  expect(parseBound('< 5 %')).toEqual({ op: '<', value: 5 });
  expect(parseBound('>= 3')).toEqual({ op: '≥', value: 3 });
  expect(parseBound('0')).toEqual({ op: '=', value: 0 });
  expect(parseBound('100 %')).toEqual({ op: '=', value: 100 });
  expect(parseBound('10000')).toEqual({ op: '=', value: 10_000 });
  expect(parseBound('≤ cycle 1 + 5 MB')).toBeUndefined();
  expect(parseBound('1099 msg/s asked')).toBeUndefined();
  expect(parseBound('≥20k')).toBeUndefined();
});

test('verdicts use the median as printed and count the runs that met the bound on their own', () => {
  const rows = targetRows([
    result('p1', [
      { label: 'Delivered', unit: 'msg/s', values: [19_000, 21_000, 20_500], target: '≥ 20,000' },
      { label: 'p99', unit: 'ms', values: [49, 51, 52], target: '≤ 50 ms', decimals: 1 },
      // Printed as 0.50: met, although the raw value is below 0.5.
      { label: 'Ratio', unit: '×', values: [0.4996], target: '≥ 0.5', decimals: 2 },
      { label: 'No target', unit: 'x', values: [1] },
      { label: 'Prose', unit: 'MB', values: [3], target: '≤ cycle 1 + 5 MB' },
    ]),
  ]);
  expect(rows.map((r) => [r.figure.label, r.met, r.runsMet])).toEqual([
    ['Delivered', true, 2],
    ['p99', false, 1],
    ['Ratio', true, 1],
    ['Prose', undefined, undefined],
  ]);
});

test('the section lists every target and points at the analysis of the scenarios with one not met', () => {
  const text = renderTargets([
    result('p1-private', [{ label: 'Delivered', unit: 'msg/s', values: [15_000, 16_000, 17_000], target: '≥ 20,000' }]),
    result('p4-offline-sync', [{ label: 'All delivered', unit: 'ms', values: [554], target: '≤ 1,000 ms' }]),
  ]).join('\n');
  expect(text).toContain('| p1-private | Delivered | 16,000 msg/s (15,000 – 17,000) | ≥ 20,000 | **no** (0 of 3 runs) |');
  expect(text).toContain('| p4-offline-sync | All delivered | 554 ms | ≤ 1,000 ms | yes (1 of 1 run) |');
  expect(text).toContain('`bench/analysis/p1-private.md`');
  expect(text).not.toContain('`bench/analysis/p4-offline-sync.md`');
  expect(renderTargets([result('none', [{ label: 'x', unit: '', values: [1] }])])).toEqual([]);
});
