/**
 * `npm run storm -- [--clients 10000] [--mode network|restart] [--jitter 5000] [--sources N] [--cycles 2]
 * [--json FILE] [--no-report] [--out DIR] [--cpu-prof FILE]` (= `node --import tsx scripts/storm.ts …`): the full-size
 * reconnect storm of issue #13 against a real server process started here (its own data directory,
 * inspector on a loopback port for forced-GC memory readings, scripts/server-inspector.ts).
 * `network`: every client socket dies at once; `restart`: the server is killed with SIGKILL and
 * restarted on the same port and data. Each cycle connects N fresh clients, drops them, waits until
 * every one is back and synced, then disconnects them all; the server's heapUsed and RSS after a
 * forced GC are read at the baseline, before the drop, after recovery and after the disconnect, so
 * retained memory (a leak) is told apart from RSS that V8/the allocator keep after the peak.
 * The server's event-loop stalls are measured inside it over the same inspector from the drop to
 * recovery; `--cpu-prof FILE` also saves a CPU profile of that window per cycle (FILE-<cycle>.cpuprofile,
 * summarise with bench/lib/cpu-profile-summary.ts).
 * Prints the report (time to recovery, attempts, /healthz and navi latency, sessions, RSS and heap);
 * saves bench/results/reliability-storm.json and regenerates bench/RESULTS.md (unless --no-report).
 * Exits 1 when a client did not come back synced, a session leaked, or heapUsed after the disconnect
 * grew by more than --max-cycle-growth MB (default 5) from one cycle to the next. Scale-down
 * version: the jest test server/test/e2e/reliability/reconnect-storm.test.ts.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { issueTokens } from '../bench/lib/bench-server';
import { one, saveReliabilityResult, startRun } from '../bench/lib/report-reliability';
import { INSPECT_ENV, attachProfiler, type ServerProfiler } from '../bench/lib/server-profiler';
import type { Figure } from '../bench/lib/results';
import { serverApi } from '../test/support/server-api-client';
import { startServer, type RunningServer } from '../test/support/server-launcher';
import { attachInspector, type GcMemory, type ServerInspector } from './server-inspector';
import { runStorm, type StormReport } from './storm-core';
import { readStalls, STALL_MONITOR, type StallReading } from './storm-probes';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  return value ?? fallback;
}

const start = startRun('storm');
const clients = Number(flag('clients', '10000'));
const mode = flag('mode', 'network') === 'restart' ? 'restart' : 'network';
const jitterMs = Number(flag('jitter', '5000'));
// One source address per 1,000 clients: each connection leaves its client port in TIME_WAIT for 60 s, and
// a cycle uses two ports per client (connect + reconnect), so with one address per 5,000 clients the
// second cycle's bind() searched a nearly full port range (28,232 ports) and its connects stalled.
const sources = Math.max(1, Math.min(50, Number(flag('sources', String(Math.ceil(clients / 1000))))));
const cycles = Math.max(1, Math.min(10, Number(flag('cycles', '2'))));
const maxCycleGrowthMb = Number(flag('max-cycle-growth', '5'));
const jsonFile = process.argv.includes('--json') ? flag('json', 'storm.json') : undefined;
const report = !process.argv.includes('--no-report');
const cpuProf = process.argv.includes('--cpu-prof') ? flag('cpu-prof', 'storm.cpuprofile') : undefined;
const APP = { key: 'lxstorm', secret: 'lxstormsecret', options: { 'rate.message/private/publish': 'off' } };

const mem = (m: GcMemory | undefined): string => (m === undefined ? '—' : `${m.heapUsedMb.toFixed(1)} / ${m.rssMb.toFixed(0)}`);

function verdict(reports: readonly StormReport[]): { ok: boolean; failures: string[] } {
  const failures: string[] = [];
  for (const [i, r] of reports.entries()) {
    if (r.recovered !== clients || r.synced !== clients) failures.push(`cycle ${i + 1}: ${r.recovered} back, ${r.synced} synced of ${clients}`);
    if (r.sessionsAfter !== clients) failures.push(`cycle ${i + 1}: ${r.sessionsAfter} sessions after recovery`);
    if (r.healthz.failures !== 0) failures.push(`cycle ${i + 1}: ${r.healthz.failures} /healthz failures`);
    if (r.gc !== undefined && r.gc.sessionsAfterDisconnect !== 0) failures.push(`cycle ${i + 1}: ${r.gc.sessionsAfterDisconnect} sessions left after every client disconnected`);
    const previous = reports[i - 1]?.gc;
    if (previous !== undefined && r.gc !== undefined && r.gc.afterDisconnect.heapUsedMb - previous.afterDisconnect.heapUsedMb > maxCycleGrowthMb) {
      failures.push(`cycle ${i + 1}: heapUsed after disconnect grew ${(r.gc.afterDisconnect.heapUsedMb - previous.afterDisconnect.heapUsedMb).toFixed(1)} MB over cycle ${i}`);
    }
  }
  return { ok: failures.length === 0, failures };
}

function verdictText(retainedMb: number, cycleGrowthMb: number): string {
  return retainedMb <= maxCycleGrowthMb && cycleGrowthMb <= maxCycleGrowthMb
    ? ': the RSS growth after a storm is collectable garbage of the reconnect burst plus pages V8 and the allocator keep after the peak, not retained sessions, timers or map entries.'
    : `: ${retainedMb.toFixed(1)} MB stay referenced after every client left (${cycleGrowthMb.toFixed(1)} MB more after the last storm): retained memory, to be found with a heap snapshot.`;
}

/** What the forced-GC readings say about the RSS seen after recovery (retained memory or not). */
function memoryReading(reports: readonly StormReport[]): string[] {
  const first = reports[0];
  const last = reports[reports.length - 1];
  if (first?.gc === undefined || last?.gc === undefined) return [];
  const g = first.gc;
  const perClientKb = ((g.beforeDrop.heapUsedMb - g.baseline.heapUsedMb) * 1000) / clients;
  return [
    `Memory: RSS after recovery was ${first.rssAfterMb.toFixed(0)} MB (before the drop ${first.rssBeforeDropMb.toFixed(0)} MB), but after a forced GC the recovered server held ${g.afterRecovery.heapUsedMb.toFixed(1)} MB of heap (RSS ${g.afterRecovery.rssMb.toFixed(0)} MB) against ${g.beforeDrop.heapUsedMb.toFixed(1)} MB with the same ${clients} clients before the drop (≈ ${perClientKb.toFixed(1)} KB per connected client). With every client gone the heap went back to ${g.afterDisconnect.heapUsedMb.toFixed(1)} MB (baseline ${g.baseline.heapUsedMb.toFixed(1)} MB)${reports.length > 1 ? `, and to ${last.gc.afterDisconnect.heapUsedMb.toFixed(1)} MB after storm ${reports.length}` : ''}${verdictText(g.afterDisconnect.heapUsedMb - g.baseline.heapUsedMb, last.gc.afterDisconnect.heapUsedMb - g.afterDisconnect.heapUsedMb)}`,
  ];
}

function save(reports: readonly StormReport[], stalls: readonly StallReading[], ok: boolean, failures: readonly string[]): string {
  const first = reports[0] as StormReport;
  const last = reports[reports.length - 1] as StormReport;
  const figures: Figure[] = [
    one('Time to recovery (drop → every client back and synced)', 's', first.recoveryMs / 1000, undefined, 1),
    one('Clients back and synced', 'clients', first.synced, `${clients}`),
    one('Drop → last client reconnected (CONNACK)', 's', first.reconnectedMs / 1000, undefined, 1),
    one('Drop → one message per client published (Server API)', 's', first.publishedMs / 1000, undefined, 1),
    one('Initial connect of all clients', 's', first.initialConnectMs / 1000, undefined, 1),
    one('Reconnect attempts', '', first.attempts, undefined, 0),
    one('Failed attempts', '', first.failedAttempts, undefined, 0),
    one('/healthz p99 during the storm', 'ms', first.healthz.p99),
    one('navi p99 during the storm', 'ms', first.navi.p99),
    one('Sessions peak', 'sessions', first.sessionsPeak, `≤ ${2 * clients}`),
    one('/healthz failures during the storm', '', first.healthz.failures, '0', 0),
    ...(stalls[0] !== undefined
      ? [
          one('Server event loop: longest stall during the storm', 'ms', stalls[0].maxStallMs, undefined, 0),
          one('Server event loop: delay p99 during the storm', 'ms', stalls[0].delayP99Ms, undefined, 0),
        ]
      : []),
    one('Server API publish retries after a transport error', '', first.publishRetries, undefined, 0),
    one('RSS before drop', 'MB', first.rssBeforeDropMb, undefined, 0),
    one('RSS peak', 'MB', first.rssPeakMb, undefined, 0),
    one('RSS after recovery', 'MB', first.rssAfterMb, undefined, 0),
  ];
  if (first.gc !== undefined && last.gc !== undefined) {
    figures.push(
      one('heapUsed after GC: baseline (no client)', 'MB', first.gc.baseline.heapUsedMb, undefined, 1),
      one(`heapUsed after GC: ${clients} connected`, 'MB', first.gc.beforeDrop.heapUsedMb, undefined, 1),
      one(`heapUsed after GC: ${clients} recovered`, 'MB', first.gc.afterRecovery.heapUsedMb, undefined, 1),
      one('heapUsed after GC: all disconnected (cycle 1)', 'MB', first.gc.afterDisconnect.heapUsedMb, undefined, 1),
      one(`heapUsed after GC: all disconnected (cycle ${reports.length})`, 'MB', last.gc.afterDisconnect.heapUsedMb, `≤ cycle ${Math.max(1, reports.length - 1)} + ${maxCycleGrowthMb} MB`, 1),
      one(`RSS after GC: all disconnected (cycle ${reports.length})`, 'MB', last.gc.afterDisconnect.rssMb, undefined, 0),
    );
  }
  return saveReliabilityResult(start, {
    scenario: 'reliability-storm',
    title: 'Reconnect storm',
    passed: ok,
    params: { clients, mode, jitterMs, sourceAddresses: sources, cycles, baseBackoffMs: 250, maxBackoffMs: 10_000, connectConcurrency: 200 },
    figures,
    tables: [
      {
        title: 'Per cycle (server memory after a forced full GC: heapUsed MB / RSS MB)',
        columns: ['Cycle', 'Recovery (s)', 'Reconnected / published (s)', 'Longest server stall (ms)', 'Back / synced', 'Attempts (failed)', 'Sessions before / peak / after', 'RSS before drop / peak / after recovery (MB, /metrics)', 'Baseline', 'Connected', 'Recovered', 'All disconnected'],
        rows: reports.map((r, i) => [
          String(i + 1),
          (r.recoveryMs / 1000).toFixed(1),
          `${(r.reconnectedMs / 1000).toFixed(1)} / ${(r.publishedMs / 1000).toFixed(1)}`,
          stalls[i] === undefined ? '—' : String(stalls[i]?.maxStallMs),
          `${r.recovered} / ${r.synced}`,
          `${r.attempts} (${r.failedAttempts})`,
          `${r.sessionsBeforeDrop} / ${r.sessionsPeak} / ${r.sessionsAfter}`,
          `${r.rssBeforeDropMb.toFixed(0)} / ${r.rssPeakMb.toFixed(0)} / ${r.rssAfterMb.toFixed(0)}`,
          mem(r.gc?.baseline),
          mem(r.gc?.beforeDrop),
          mem(r.gc?.afterRecovery),
          mem(r.gc?.afterDisconnect),
        ]),
      },
    ],
    notes: [
      `Each cycle: ${clients} thin CMP clients connect and sync, all sockets are destroyed at once (${mode}), they reconnect with full-jitter back-off (first delay uniform in 0..${jitterMs} ms) while one message per client is published through the Server API (1,000 recipients a request, 5 requests in flight); a client counts once it is connected again and its pullMsg brought that message. Then every client disconnects. Memory is read after HeapProfiler.collectGarbage over the server's inspector (started with --inspect on 127.0.0.1), heapUsed being what the server still references.`,
      'Server event-loop stalls are measured inside the server (a 20 ms interval timer and monitorEventLoopDelay installed over its inspector at the drop); /healthz and navi are probed from a worker thread of the storm process, so a stall of the storm process itself (it opens thousands of sockets at once) is not counted against the server.',
      ...memoryReading(reports),
      `Verdict: ${ok ? 'all criteria met' : `FAILED: ${failures.join('; ')}`}.`,
    ],
  });
}

async function main(): Promise<number> {
  let server: RunningServer = await startServer({ apps: [APP], env: INSPECT_ENV, startTimeoutMs: 60_000 });
  const port = server.port;
  const dataDir = server.dataDir;
  let profiler: ServerProfiler | undefined;
  const stalls: StallReading[] = [];
  let inspector: { pid: number | undefined; client: ServerInspector } | undefined;
  const memory = async (): Promise<GcMemory> => {
    if (inspector === undefined || inspector.pid !== server.proc.pid) {
      inspector?.client.close();
      inspector = { pid: server.proc.pid, client: await attachInspector(server) };
    }
    return inspector.client.gcMemory();
  };
  try {
    const api = serverApi(server.url, APP.key, APP.secret);
    console.log(`storm: issuing ${clients} tokens… (load ${start.machine.loadAverage.join(' / ')})`);
    const users = await issueTokens(api, Array.from({ length: clients }, (_, i) => `storm${i}`), 64);
    const reports: StormReport[] = [];
    for (let cycle = 1; cycle <= cycles; cycle++) {
      console.log(`storm: cycle ${cycle} of ${cycles}`);
      const r = await runStorm({
        url: () => server.url,
        appKey: APP.key,
        users,
        api: () => serverApi(server.url, APP.key, APP.secret),
        jitterMs,
        baseBackoffMs: 250,
        maxBackoffMs: 10_000,
        localAddresses: Array.from({ length: sources }, (_, i) => `127.0.0.${i + 2}`),
        connectConcurrency: 200,
        recoveryTimeoutMs: 600_000,
        mode,
        restart: async () => {
          server.kill9();
          await server.exited;
          server = await startServer({ apps: [APP], dataDir, env: INSPECT_ENV, args: ['--port', String(port)], startTimeoutMs: 60_000 });
        },
        memory,
        onPhase: async (phase) => {
          if (inspector === undefined || inspector.pid !== server.proc.pid) await memory();
          const client = (inspector as { client: ServerInspector }).client;
          if (phase === 'drop') {
            await client.evaluate(STALL_MONITOR);
            if (cpuProf !== undefined) {
              profiler ??= await attachProfiler(server);
              await profiler.start();
            }
            return;
          }
          if (profiler !== undefined && cpuProf !== undefined) await profiler.stop(cpuProf.replace(/(\.cpuprofile)?$/, `-${cycle}.cpuprofile`));
          stalls.push(await readStalls(client));
        },
        log: (line) => console.log(line),
      });
      reports.push(r);
      console.log(JSON.stringify(r, null, 2));
      const stall = stalls[cycle - 1];
      if (stall !== undefined) console.log(`storm: server event loop: longest stall ${stall.maxStallMs} ms, delay p99 ${stall.delayP99Ms.toFixed(0)} ms; stalls > 200 ms (ms after drop, length): ${JSON.stringify(stall.stalls)}`);
    }
    const { ok, failures } = verdict(reports);
    if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify({ command: start.command, mode, jitterMs, sources, cycles, reports }, null, 2)}\n`);
    if (report) console.log(`saved ${save(reports, stalls, ok, failures)}; regenerated bench/RESULTS.md`);
    console.log(ok ? 'storm: OK' : `storm: FAILED (${failures.join('; ')})`);
    return ok ? 0 : 1;
  } finally {
    profiler?.close();
    inspector?.client.close();
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
