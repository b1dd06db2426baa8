/**
 * `npm run fuzz -- [--inputs 10000000] [--minutes 90] [--seed S] [--workers 8] [--json FILE]
 * [--no-report] [--out DIR] [--data-parent /dev/shm] [--note TEXT]` (= `node --import tsx scripts/fuzz.ts …`): the long fuzz run of issue #13
 * against a real server process started here (log level warn: the fuzz inputs would otherwise make
 * it write an info line per unsupported topic). Runs until --inputs inputs were sent or --minutes
 * passed, whichever comes first. Prints progress every 10 s and the report at the end (inputs per
 * target and per topic, answers checked, violations with the first 50, hangs, close codes, statuses,
 * bystander delivery, stored-data check, server error log lines); saves
 * bench/results/reliability-fuzz.json and regenerates bench/RESULTS.md (unless --no-report). Exits 1
 * on any violation, hang, crash, server error line, bystander loss or corruption. The same seed
 * replays the same inputs (timing still interleaves them differently). Bounded version in
 * `npm test`: server/test/e2e/reliability/fuzz.test.ts.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { issueTokens } from '../bench/lib/bench-server';
import { one, saveReliabilityResult, startRun } from '../bench/lib/report-reliability';
import { serverApi } from '../test/support/server-api-client';
import { startServer } from '../test/support/server-launcher';
import { runFuzz, type FuzzReport } from './fuzz-core';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? fallback;
}

const start = startRun('fuzz');
const maxInputs = Number(flag('inputs', '10000000'));
const minutes = Number(flag('minutes', '90'));
const seed = Number(flag('seed', String(Math.floor(Math.random() * 2 ** 31))));
const workers = Math.max(2, Math.min(64, Number(flag('workers', '8'))));
const jsonFile = process.argv.includes('--json') ? flag('json', 'fuzz.json') : undefined;
const report = !process.argv.includes('--no-report');
/** Free text for the results section, e.g. what the measured tree holds beyond its commit. */
const note = process.argv.includes('--note') ? flag('note', '') : undefined;
// The server's data on tmpfs: a fuzz input that stores something costs an fsync on disk, which
// measures the disk, not the input handling (what is checked is the same either way).
const dataParent = flag('data-parent', existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
const APP = { key: 'lxfuzz', secret: 'lxfuzzsecret', options: { maxSendRate: 1_000_000, 'rate.*': 'off' } };
const TARGETS: readonly [string, string][] = [
  ['cmp-payload', 'CMP QUERY/PUBLISH with mutated/random protobuf payloads, per topic'],
  ['cmp-frame', 'mutated/truncated/random CMP frames, text frames, PINGREQ'],
  ['ws-frame', 'raw WebSocket frame streams (broken framing of every kind, cut anywhere) around CMP frames'],
  ['comet', 'comet upstream bodies and polls (live and made-up sessions)'],
  ['navi-ping', 'navi.js / cometnavi.js / v2 navi / ping queries and bodies'],
  ['server-api', 'signed Server API requests with random forms'],
];

/** error/fatal lines (pino levels 50/60) the server wrote to stderr during the run. */
interface ErrorLines {
  count: number;
  readonly first: string[];
}

function verdict(r: FuzzReport, errors: ErrorLines): { ok: boolean; failures: string[] } {
  const failures: string[] = [];
  if (r.inputs < maxInputs) failures.push(`${r.inputs} inputs < the ${maxInputs} asked (time bound reached first)`);
  if (r.violations !== 0) failures.push(`${r.violations} violations`);
  if (r.hangs !== 0) failures.push(`${r.hangs} hangs`);
  if (!r.serverAlive) failures.push('server crashed or /healthz failed');
  if (errors.count !== 0) failures.push(`${errors.count} server error log lines`);
  if (r.canaryFailures !== 0 || r.canaryDelivered !== r.canarySent) failures.push(`bystander: ${r.canaryFailures} failures, ${r.canaryDelivered}/${r.canarySent} delivered`);
  if (!r.storedIntact) failures.push('stored messages changed');
  return { ok: failures.length === 0, failures };
}

function save(r: FuzzReport, errors: ErrorLines, ok: boolean, failures: readonly string[]): string {
  const sorted = (record: Readonly<Record<string, number>>): [string, number][] => Object.entries(record).sort((a, b) => b[1] - a[1]);
  return saveReliabilityResult(start, {
    scenario: 'reliability-fuzz',
    title: 'Fuzz long run',
    passed: ok,
    params: { seed, inputBudget: maxInputs, serverDataOn: dataParent, minutesBound: minutes, wsConnections: workers, rawWsConnections: 2, cometSessions: 2, httpWorkers: 2, hangMs: 15_000, serverLogLevel: 'warn' },
    figures: [
      one('Inputs', 'inputs', r.inputs, `≥ ${maxInputs.toLocaleString('en-US')}`),
      one('Inputs per second', 'inputs/s', r.inputsPerSecond),
      one('Elapsed', 's', r.durationMs / 1000),
      one('Answerable payload inputs answered once and checked', 'inputs', r.answered),
      one('Answerable payload inputs unanswered because the server closed the connection', 'inputs', r.unansweredAtClose),
      one('Violations (undocumented status/close, 5xx, malformed answer)', '', r.violations, '0'),
      one('Hangs (no answer within 15 s)', '', r.hangs, '0'),
      one('Crashes (server exited or /healthz failed)', '', r.serverAlive ? 0 : 1, '0'),
      one('Server error log lines', '', errors.count, '0'),
      one('Bystander messages delivered / sent', '%', r.canarySent === 0 ? Number.NaN : (100 * r.canaryDelivered) / r.canarySent, '100 %'),
      one('Bystander send → delivered p99', 'ms', r.canaryP99Ms),
      one('Bystander send → delivered max', 'ms', r.canaryMaxMs),
    ],
    tables: [
      { title: 'Inputs per target', columns: ['Target', 'What', 'Inputs'], rows: TARGETS.map(([key, what]) => [key, what, (r.byTarget[key] ?? 0).toLocaleString('en-US')]) },
      { title: 'cmp-payload inputs per topic', columns: ['Topic', 'Inputs'], rows: sorted(r.byTopic).map(([topic, n]) => [`\`${topic}\``, n.toLocaleString('en-US')]) },
      { title: 'Answers (CMP status codes; HTTP statuses)', columns: ['Kind', 'Code', 'Count'], rows: [...sorted(r.statuses).map(([code, n]) => ['CMP ack status', code, n.toLocaleString('en-US')]), ...sorted(r.httpStatuses).map(([code, n]) => ['HTTP status', code, n.toLocaleString('en-US')]), ...sorted(r.closeCodes).map(([code, n]) => ['WebSocket close (connection kind, code)', code, n.toLocaleString('en-US')])] },
    ],
    notes: [
      `Bystander: two canary users outside the fuzzed set exchanged ${r.canarySent} messages (one every 200 ms, each must be pulled within 5 s); the 5 messages stored before the run were ${r.storedIntact ? 'unchanged' : 'CHANGED'} after it.`,
      'Allowed outcomes: CMP ack status 0 or a documented ErrorCode (src/errors.ts, PROTOCOL.md §11); a WebSocket close 1000/1002/1003/1005/1008 (normal, malformed frame, text frame, frames before CONNACK), on raw connections (ws-frame) also 1007/1009 (invalid UTF-8, message over 256 KiB) and always with a close frame; HTTP never 5xx, comet 200 with a JSON array or 400 `lost params`, Server API a JSON body with a numeric `code`.',
      ...(note !== undefined ? [note] : []),
      `Verdict: ${ok ? 'all criteria met' : `FAILED: ${failures.join(', ')}`}.${r.firstViolations.length > 0 ? ` First violations: ${r.firstViolations.slice(0, 5).join(' | ')}` : ''}${errors.first.length > 0 ? ` First server error lines: ${errors.first.slice(0, 3).join(' | ')}` : ''}`,
    ],
  });
}

async function main(): Promise<number> {
  if (!(minutes > 0) || !(maxInputs > 0)) throw new Error('--minutes and --inputs must be > 0');
  const dataDir = mkdtempSync(path.join(dataParent, 'lianxin-fuzz-'));
  const server = await startServer({ apps: [APP], dataDir, args: ['--log-level', 'warn'], startTimeoutMs: 60_000 });
  const errors: ErrorLines = { count: 0, first: [] };
  let partial = '';
  server.proc.stderr?.on('data', (chunk: Buffer | string) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!/"level":(50|60)\b/.test(line)) continue;
      errors.count++;
      if (errors.first.length < 10) errors.first.push(line.slice(0, 3000));
    }
  });
  try {
    const api = serverApi(server.url, APP.key, APP.secret);
    const ids = ['fzcanaryS', 'fzcanaryR', 'fzcomet1', 'fzcomet2', 'fzwire1', 'fzwire2', ...Array.from({ length: workers }, (_, i) => `fz${i + 1}`)];
    const [canarySender, canaryReceiver, comet1, comet2, wire1, wire2, ...users] = await issueTokens(api, ids, 8);
    if (canarySender === undefined || canaryReceiver === undefined || comet1 === undefined || comet2 === undefined || wire1 === undefined || wire2 === undefined) throw new Error('no users');
    console.log(`fuzz: seed ${seed}, up to ${maxInputs} inputs or ${minutes} min, ${workers} WebSocket connections (half payload, half frame) against ${server.url}; load ${start.machine.loadAverage.join(' / ')}`);
    const r = await runFuzz({
      url: server.url,
      appKey: APP.key,
      api,
      users,
      cometUsers: [comet1, comet2],
      wireUsers: [wire1, wire2],
      canarySender,
      canaryReceiver,
      durationMs: minutes * 60_000,
      maxInputs,
      seed,
      alive: () => server.proc.exitCode === null && server.proc.signalCode === null,
      log: (line) => console.log(line),
    });
    console.log(JSON.stringify({ ...r, serverErrorLines: errors.count, firstServerErrorLines: errors.first }, null, 2));
    const { ok, failures } = verdict(r, errors);
    if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify({ command: start.command, maxInputs, minutes, workers, ...r, serverErrorLines: errors.count, firstServerErrorLines: errors.first }, null, 2)}\n`);
    if (report) console.log(`saved ${save(r, errors, ok, failures)}; regenerated bench/RESULTS.md`);
    console.log(ok ? `fuzz: OK (${r.inputs} inputs in ${(r.durationMs / 1000).toFixed(0)} s, ${Math.round(r.inputsPerSecond)}/s)` : `fuzz: FAILED (${failures.join(', ')})`);
    return ok ? 0 : 1;
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
