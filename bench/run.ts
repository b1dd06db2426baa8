/**
 * `npm run bench -- <scenario> [--runs N] [--smoke] [--out DIR] [--caveat TEXT] [scenario flags]`
 *
 * Runs one scenario, saves its figures to `<out>/results/<scenario>.json` and regenerates
 * `<out>/RESULTS.md` (default out: bench/). `npm run bench -- list` names the scenarios;
 * `npm run bench -- report` only regenerates RESULTS.md. Each scenario documents its own flags.
 */
import path from 'node:path';
import { boolFlag, parseArgs } from './lib/args';
import { commitFacts, machineFacts, repoRoot } from './lib/machine';
import { corePlan } from './lib/pin';
import { saveResult, writeResultsMarkdown, type ScenarioResult } from './lib/results';
import { codecBench } from './scenarios/codec';
import { p1Private } from './scenarios/p1-private';
import { p1Store } from './scenarios/p1-store';
import { p2Connections } from './scenarios/p2-connections';
import { p3Chatroom } from './scenarios/p3-chatroom';
import { p4OfflineSync } from './scenarios/p4-offline-sync';
import { p5Size } from './scenarios/p5-size';
import { p6ReceiveCost } from './scenarios/p6-receive-cost';
import { p7Cluster } from './scenarios/p7-cluster';
import { s0SqliteCommit } from './scenarios/s0-sqlite-commit';
import type { Scenario } from './scenarios/scenario';

const SCENARIOS: readonly Scenario[] = [p1Private, p1Store, p2Connections, p3Chatroom, p4OfflineSync, p5Size, s0SqliteCommit, codecBench, p6ReceiveCost, p7Cluster];
/** A 1-minute load average above this (on any core count) means other work shared the machine. */
const BUSY_LOAD = 0.7;

function find(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name || s.aliases.includes(name));
}

async function main(argv: readonly string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv);
  const name = positional[0] ?? 'list';
  const root = repoRoot();
  const out = path.resolve(root, flags.get('out') ?? 'bench');
  if (name === 'list') {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(18)} ${s.aliases.join(', ').padEnd(12)} ${s.title}`);
    return 0;
  }
  if (name === 'report') {
    console.log(`wrote ${writeResultsMarkdown(out)}`);
    return 0;
  }
  const scenario = find(name);
  if (scenario === undefined) {
    console.error(`unknown scenario "${name}"; try: npm run bench -- list`);
    return 2;
  }
  const machine = machineFacts();
  const commit = commitFacts(root);
  const plan = corePlan();
  const startedAt = new Date();
  const t0 = performance.now();
  const smoke = boolFlag(flags, 'smoke', false);
  const output = await scenario.run({ root, flags, plan, smoke, log: (message) => console.log(message) });
  const load = machine.loadAverage[0] ?? 0;
  const caveat =
    flags.get('caveat') ??
    (smoke ? 'smoke scale, not a measurement' : scenario.loadSensitive && load > BUSY_LOAD ? `busy machine (load ${load} at start), indicative only` : undefined);
  const result: ScenarioResult = {
    scenario: scenario.name,
    title: scenario.title,
    ...(caveat !== undefined ? { caveat } : {}),
    command: `npm run bench -- ${argv.join(' ')}`,
    startedAt: startedAt.toISOString(),
    durationSeconds: (performance.now() - t0) / 1000,
    commit,
    machine,
    ...output,
  };
  const file = saveResult(out, result);
  const md = writeResultsMarkdown(out);
  console.log(`saved ${path.relative(root, file)}; wrote ${path.relative(root, md)}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
