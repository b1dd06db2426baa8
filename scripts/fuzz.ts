/**
 * `npm run fuzz -- --minutes N [--seed S] [--workers W] [--json FILE]` (= `node --import tsx scripts/fuzz.ts …`):
 * the long fuzz run of issue #13 against a real server process started here. Prints progress every
 * 10 s and the report at the end (inputs, inputs/s, violations with the first 50, hangs, close codes,
 * statuses, canary delivery, stored-data check); exits 1 on any violation, hang, crash, canary loss
 * or corruption. The same seed replays the same inputs (timing still interleaves them differently).
 * Bounded version in `npm test`: server/test/e2e/reliability/fuzz.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { issueTokens } from '../bench/lib/bench-server';
import { serverApi } from '../test/support/server-api-client';
import { startServer } from '../test/support/server-launcher';
import { runFuzz } from './fuzz-core';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? fallback;
}

const minutes = Number(flag('minutes', '1'));
const seed = Number(flag('seed', String(Math.floor(Math.random() * 2 ** 31))));
const workers = Math.max(1, Math.min(64, Number(flag('workers', '8'))));
const jsonFile = process.argv.includes('--json') ? flag('json', 'fuzz.json') : undefined;
const APP = { key: 'lxfuzz', secret: 'lxfuzzsecret', options: { maxSendRate: 1_000_000, 'rate.*': 'off' } };

async function main(): Promise<number> {
  if (!(minutes > 0)) throw new Error('--minutes must be > 0');
  const server = await startServer({ apps: [APP], startTimeoutMs: 60_000 });
  try {
    const api = serverApi(server.url, APP.key, APP.secret);
    const ids = ['fzcanaryS', 'fzcanaryR', ...Array.from({ length: workers }, (_, i) => `fz${i + 1}`)];
    const [canarySender, canaryReceiver, ...users] = await issueTokens(api, ids, 8);
    if (canarySender === undefined || canaryReceiver === undefined) throw new Error('no users');
    console.log(`fuzz: seed ${seed}, ${minutes} min, ${workers} WebSocket workers against ${server.url}`);
    const report = await runFuzz({
      url: server.url,
      appKey: APP.key,
      api,
      users,
      canarySender,
      canaryReceiver,
      durationMs: minutes * 60_000,
      seed,
      alive: () => server.proc.exitCode === null && server.proc.signalCode === null,
      log: (line) => console.log(line),
    });
    console.log(JSON.stringify(report, null, 2));
    if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify({ minutes, workers, ...report }, null, 2)}\n`);
    const ok = report.violations === 0 && report.hangs === 0 && report.serverAlive && report.canaryFailures === 0 && report.storedIntact;
    console.log(ok ? `fuzz: OK (${report.inputs} inputs, ${Math.round(report.inputsPerSecond)}/s)` : 'fuzz: FAILED');
    return ok ? 0 : 1;
  } finally {
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
