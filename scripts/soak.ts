/**
 * `npm run soak -- --minutes N [--rate MSG_PER_S] [--pairs P] [--churn MS] [--json FILE]`
 * (= `node --import tsx scripts/soak.ts …`): mixed traffic against a real server process started here
 * for N minutes; prints a sample every 10 s (RSS, heap, fds, sessions, PUBACK p99) and the drift
 * between the first warm sample and the last. Exits 1 on a lost message, an error, an fd or session
 * leak, or RSS growth above --max-growth percent (default 5, the issue #13 bound for 30 minutes).
 * Issue #13's soak is `--minutes 30 --rate <half the measured P1 throughput>`; the 60-second version
 * runs in `npm test` (server/test/e2e/reliability/soak.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { issueTokens } from '../bench/lib/bench-server';
import { serverApi } from '../test/support/server-api-client';
import { startServer } from '../test/support/server-launcher';
import { runSoak } from './soak-core';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? fallback;
}

const minutes = Number(flag('minutes', '5'));
const rate = Number(flag('rate', '500'));
const pairs = Number(flag('pairs', '50'));
const churnMs = Number(flag('churn', '1000'));
const maxGrowth = Number(flag('max-growth', '5'));
const jsonFile = process.argv.includes('--json') ? flag('json', 'soak.json') : undefined;
const APP = { key: 'lxsoak', secret: 'lxsoaksecret', options: { maxSendRate: 1_000_000, 'rate.*': 'off' } };

async function main(): Promise<number> {
  const server = await startServer({ apps: [APP], startTimeoutMs: 60_000 });
  try {
    const api = serverApi(server.url, APP.key, APP.secret);
    const users = await issueTokens(api, Array.from({ length: pairs * 2 }, (_, i) => `soak${i}`), 16);
    console.log(`soak: ${minutes} min, ${rate} msg/s, ${pairs} pairs, a reconnect every ${churnMs} ms, server pid ${server.proc.pid}`);
    const report = await runSoak({ url: server.url, appKey: APP.key, users, api, pid: server.proc.pid, durationMs: minutes * 60_000, messagesPerSecond: rate, churnEveryMs: churnMs, sampleEveryMs: 10_000, log: (line) => console.log(line) });
    const { samples, ...summary } = report;
    console.log(JSON.stringify(summary, null, 2));
    if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify({ minutes, rate, pairs, churnMs, ...report }, null, 2)}\n`);
    const ok = report.lost === 0 && report.errors === 0 && report.fdLast <= report.fdFirst + 10 && report.sessionsLast === report.clients && report.rssGrowthPercent <= maxGrowth;
    console.log(ok ? `soak: OK (RSS ${report.rssGrowthPercent.toFixed(1)} %, fds ${report.fdFirst} → ${report.fdLast})` : `soak: FAILED (${samples.length} samples)`);
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
