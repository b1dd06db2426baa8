/**
 * `npm run soak -- [--minutes 30] [--rate MSG_PER_S] [--pairs 50] [--churn MS] [--baseline-minute 3]
 * [--max-growth 5] [--json FILE] [--no-report] [--out DIR]` (= `node --import tsx scripts/soak.ts …`): the soak of
 * issue #13 — mixed traffic against a real server process started here for N minutes; prints a
 * sample every 10 s (RSS, heap, fds, sessions, PUBACK p99) and the drift between the baseline sample
 * (after warm-up, at --baseline-minute) and the last. The default rate is half the median "Delivered"
 * throughput of the latest P1 result (bench/results/p1-private.json); --rate overrides it. Exits 1 on
 * a lost or duplicated message, a refused send, an error, an fd or session leak, or RSS growth above
 * --max-growth percent. Saves bench/results/reliability-soak.json and regenerates bench/RESULTS.md
 * (unless --no-report). The 60-second version runs in `npm test` (server/test/e2e/reliability/soak.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { issueTokens } from '../bench/lib/bench-server';
import { one, p1DeliveredMedian, saveReliabilityResult, startRun } from '../bench/lib/report-reliability';
import { serverApi } from '../test/support/server-api-client';
import { startServer } from '../test/support/server-launcher';
import { INSPECT_ENV } from '../bench/lib/server-profiler';
import { attachInspector } from './server-inspector';
import { runSoak, type SoakReport } from './soak-core';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? fallback;
}

const start = startRun('soak');
const minutes = Number(flag('minutes', '30'));
const p1 = p1DeliveredMedian();
const rateFlag = process.argv.includes('--rate') ? Number(flag('rate', '')) : undefined;
const rate = rateFlag ?? (p1 !== undefined ? Math.round(p1.msgPerSecond / 2) : 500);
const rateSource = rateFlag !== undefined ? '--rate' : p1 !== undefined ? `half the P1 "Delivered" median ${p1.msgPerSecond} msg/s of ${p1.source}` : 'no P1 result saved: default 500 msg/s';
const pairs = Number(flag('pairs', '50'));
const churnMs = Number(flag('churn', '1000'));
const maxGrowth = Number(flag('max-growth', '5'));
const baselineMinute = Number(flag('baseline-minute', String(Math.min(3, minutes / 10))));
const jsonFile = process.argv.includes('--json') ? flag('json', 'soak.json') : undefined;
const report = !process.argv.includes('--no-report');
const APP = { key: 'lxsoak', secret: 'lxsoaksecret', options: { maxSendRate: 1_000_000, 'rate.*': 'off' } };

function verdict(r: SoakReport): { ok: boolean; failures: string[] } {
  const failures: string[] = [];
  if (r.lost !== 0) failures.push(`${r.lost} lost`);
  if (r.duplicated !== 0) failures.push(`${r.duplicated} duplicated`);
  if (r.refused !== 0) failures.push(`${r.refused} refused sends`);
  if (r.errors !== 0) failures.push(`${r.errors} errors`);
  if (!(r.fdLast <= r.fdFirst + 10)) failures.push(`fds ${r.fdFirst} → ${r.fdLast}`);
  if (r.sessionsLast !== r.clients) failures.push(`sessions ${r.sessionsLast} ≠ ${r.clients} clients`);
  if (!(r.rssGrowthPercent <= maxGrowth)) failures.push(`RSS growth ${r.rssGrowthPercent.toFixed(2)} % > ${maxGrowth} %`);
  return { ok: failures.length === 0, failures };
}

function save(r: SoakReport, ok: boolean, failures: readonly string[]): string {
  // One row a minute (and the baseline and last samples) keeps the table readable; the JSON has all.
  const rows = r.samples.filter((s, i) => i === 0 || i === r.samples.length - 1 || s.atSeconds === r.baselineAtSeconds || Math.floor(s.atSeconds / 60) !== Math.floor((r.samples[i - 1]?.atSeconds ?? -60) / 60));
  const achieved = r.sent / (r.durationMs / 1000);
  return saveReliabilityResult(start, {
    scenario: 'reliability-soak',
    title: 'Soak',
    passed: ok,
    params: { minutes, rateMsgPerS: rate, pairs, clients: r.clients, churnEveryMs: churnMs, baselineMinute, maxGrowthPercent: maxGrowth },
    figures: [
      one('Messages sent', 'msg', r.sent),
      one('Achieved send rate', 'msg/s', achieved, `${rate} msg/s asked`, 0),
      one('Acked (PUBACK status 0)', 'msg', r.acked),
      one('Delivered (pulled by the receiver)', 'msg', r.delivered),
      one('Lost (acked, not delivered after drain)', 'msg', r.lost, '0'),
      one('Duplicated deliveries', 'msg', r.duplicated, '0'),
      one('Refused sends (non-zero PUBACK)', 'msg', r.refused, '0'),
      one('Unanswered sends (in flight on a connection the churn closed)', 'msg', r.unanswered),
      one('… of which delivered anyway', 'msg', r.deliveredUnacked),
      one('Errors (timeouts, failed pulls, API, /healthz)', '', r.errors, '0'),
      one('Reconnects (churn)', '', r.reconnects),
      one(`RSS at baseline (${r.baselineAtSeconds.toFixed(0)} s)`, 'MB', r.rssFirstMb, undefined, 1),
      one('RSS at end', 'MB', r.rssLastMb, undefined, 1),
      one('RSS growth baseline → end', '%', r.rssGrowthPercent, `< ${maxGrowth} %`, 2),
      one('Heap used at baseline', 'MB', r.heapFirstMb, undefined, 1),
      one('Heap used at end', 'MB', r.heapLastMb, undefined, 1),
      one('Open fds baseline → end', 'fds', r.fdLast - r.fdFirst, '≤ 10', 0),
      one('heapUsed after forced GC at baseline', 'MB', r.gcBaseline?.heapUsedMb ?? Number.NaN, undefined, 1),
      one('heapUsed after forced GC at end (after drain)', 'MB', r.gcEnd?.heapUsedMb ?? Number.NaN, undefined, 1),
      one('RSS after forced GC at baseline', 'MB', r.gcBaseline?.rssMb ?? Number.NaN, undefined, 1),
      one('RSS after forced GC at end', 'MB', r.gcEnd?.rssMb ?? Number.NaN, undefined, 1),
      one('Send → PUBACK p50', 'ms', r.ackP50Ms),
      one('Send → PUBACK p99', 'ms', r.ackP99Ms),
    ],
    tables: [
      {
        title: 'Server samples (one a minute; every 10 s in the JSON)',
        columns: ['t (s)', 'RSS (MB)', 'heap used (MB)', 'fds', 'sessions', 'acked so far', 'delivered so far', 'PUBACK p99 (ms)'],
        rows: rows.map((s) => [s.atSeconds.toFixed(0), s.rssMb.toFixed(1), s.heapMb.toFixed(1), String(s.fds), String(s.sessions), String(s.acked), String(s.delivered), Number.isFinite(s.ackP99Ms) ? s.ackP99Ms.toFixed(1) : '—']),
      },
    ],
    notes: [
      `Rate: ${rateSource}. Traffic: ${pairs} pairs of thin CMP clients send private messages to each other (ppMsgP, qos 1), the receiver pulls on s_ntf from its own cursor; one client reconnects every ${churnMs} ms; a Server API user/checkOnline and a /healthz every second. RSS and heap come from the server's /metrics; fds from /proc; the "after forced GC" figures from HeapProfiler.collectGarbage + process.memoryUsage() over the server's inspector (--inspect on 127.0.0.1), heapUsed after GC being what the server still references.`,
      `Pass criteria: 0 lost, 0 duplicated, 0 refused, 0 errors, fds within 10 and sessions = clients at the end, RSS growth from the baseline sample (first sample at or after minute ${baselineMinute}, after warm-up) to the last sample ≤ ${maxGrowth} %. ${ok ? 'All met.' : `Not met: ${failures.join(', ')}.`}`,
    ],
  });
}

async function main(): Promise<number> {
  const server = await startServer({ apps: [APP], env: INSPECT_ENV, startTimeoutMs: 60_000 });
  const inspector = await attachInspector(server);
  try {
    const api = serverApi(server.url, APP.key, APP.secret);
    const users = await issueTokens(api, Array.from({ length: pairs * 2 }, (_, i) => `soak${i}`), 16);
    console.log(`soak: ${minutes} min, ${rate} msg/s (${rateSource}), ${pairs} pairs, a reconnect every ${churnMs} ms, baseline at minute ${baselineMinute}, server pid ${server.proc.pid}, load ${start.machine.loadAverage.join(' / ')}`);
    const r = await runSoak({ url: server.url, appKey: APP.key, users, api, pid: server.proc.pid, durationMs: minutes * 60_000, messagesPerSecond: rate, churnEveryMs: churnMs, sampleEveryMs: 10_000, baselineAtMs: baselineMinute * 60_000, memory: () => inspector.gcMemory(), log: (line) => console.log(line) });
    const { samples, ...summary } = r;
    console.log(JSON.stringify(summary, null, 2));
    console.log(`RSS series (s:MB): ${samples.map((s) => `${s.atSeconds.toFixed(0)}:${s.rssMb.toFixed(1)}`).join(' ')}`);
    const { ok, failures } = verdict(r);
    if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify({ minutes, rate, pairs, churnMs, ...r }, null, 2)}\n`);
    if (report) console.log(`saved ${save(r, ok, failures)}; regenerated bench/RESULTS.md`);
    console.log(ok ? `soak: OK (RSS ${r.rssGrowthPercent.toFixed(2)} % from ${r.rssFirstMb.toFixed(1)} MB at ${r.baselineAtSeconds.toFixed(0)} s, fds ${r.fdFirst} → ${r.fdLast})` : `soak: FAILED (${failures.join(', ')})`);
    return ok ? 0 : 1;
  } finally {
    inspector.close();
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
