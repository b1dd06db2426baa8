/**
 * Smoke runs (issue #12: every scenario at tiny scale) of `codec` (table codec vs pbjs) and `p6` (SDK
 * receive cost: our SDK, the official client and two thin-client floors on one stream), exactly as
 * `npm run bench` runs them, writing into a temporary results directory. Asserts the scripts work and
 * their figures are sane — never a speed target.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/dist';

interface Result {
  readonly scenario: string;
  readonly figures: readonly { readonly label: string; readonly values: readonly number[] }[];
  readonly tables?: readonly { readonly rows: readonly (readonly string[])[] }[];
}

let out: string;

beforeAll(() => {
  out = mkdtempSync(path.join(tmpdir(), 'lianxin-bench-smoke-p6-'));
});

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

function bench(args: readonly string[]): Result {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', 'run.ts'), ...args, '--smoke', '--out', out], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 110_000,
  });
  if (run.status !== 0) throw new Error(`bench ${args.join(' ')} exited ${run.status} (${run.signal})\n${run.stdout}\n${run.stderr}`);
  const name = /saved .*results\/([\w-]+)\.json/.exec(run.stdout)?.[1];
  expect(name).toBeDefined();
  return JSON.parse(readFileSync(path.join(out, 'results', `${name}.json`), 'utf8')) as Result;
}

function figure(result: Result, label: string): number {
  const found = result.figures.find((f) => f.label.startsWith(label));
  if (found === undefined) throw new Error(`no figure "${label}" in ${result.scenario}`);
  expect(found.values).toHaveLength(1);
  return found.values[0] as number;
}

test('codec: both codecs run every payload, and the speed-up table covers them', () => {
  const result = bench(['codec']);
  expect(result.scenario).toBe('codec');
  expect(result.figures.length).toBe(30);
  for (const f of result.figures) expect(f.values[0]).toBeGreaterThan(0);
  expect(result.tables?.[0]?.rows).toHaveLength(5);
}, 60_000);

test('p6: our SDK, the official client and the thin client all receive the stream; CPU per message is positive', () => {
  const result = bench(['p6']);
  expect(result.scenario).toBe('p6-receive-cost');
  const ours = figure(result, 'Our SDK (Node adapter): CPU per received message');
  const official = figure(result, 'Official imlib-v2 2.9.2: CPU per received message');
  expect(ours).toBeGreaterThan(0);
  expect(official).toBeGreaterThan(0);
  expect(figure(result, 'Floor: thin protocol client')).toBeGreaterThan(0);
  // The fourth receiver: the thin client taking s_msg pushes (directPush=1).
  expect(figure(result, 'Floor of the direct path')).toBeGreaterThan(0);
  expect(figure(result, 'Ratio ours / official')).toBeCloseTo(ours / official, 5);
}, 120_000);
