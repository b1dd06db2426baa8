/**
 * P2 connections (issue #12): authenticated idle connections with heartbeats.
 * 1. one server process up to ≈ the per-process open-file limit (`--per-process`, default 19,000);
 * 2. `--total` (default 100,000) across several server processes on one machine (independent
 *    embedded servers, ≤ `--per-server` each), with one generator process per ≤ 17,000
 *    connections, each on its own loopback source address 127.0.0.x (one address's ephemeral port
 *    range holds ≈ 28,000 ports) and under its own fd limit;
 * 3. same-run peers at `--peer-count` (default 20,000): a bare `ws` server and aedes (MQTT over TCP).
 * Figures: server RSS per connection ((RSS with N connected − RSS before connecting) / N, sampled after
 * `--settle` ms with heartbeats running), V8 heap per connection (ours, from /metrics), and the time
 * from the first connection attempt to the last CONNACK. Servers on the server core, generators on
 * the generator core.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { intFlag } from '../lib/args';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { BENCH_APP, issueTokens } from '../lib/bench-server';
import { serverApi } from '../../test/support/server-api-client';
import { startServer } from '../../test/support/server-launcher';
import { pinProcess } from '../lib/pin';
import { sampleProcess } from '../lib/proc-stats';
import type { P2Connected, P2GeneratorConfig, P2Kind, P2Result } from '../generators/p2-connections';
import { DEFAULT_TIMEOUTS } from '../../server/src/gateway/session-manager';
import { FigureSeries, type Scenario, type ScenarioContext, type ScenarioOutput } from './scenario';

/** Connections one generator process opens at most (fd limit 20,000; headroom for its own files). */
const PER_GENERATOR = 17_000;
const PING_INTERVAL_MS = 15_000;
/** The server's default WebSocket idle timeout (GatewayTimeouts.idleTimeoutMs); the generators judge their punctuality by it. */
const IDLE_TIMEOUT_MS = DEFAULT_TIMEOUTS.idleTimeoutMs;

interface Target {
  readonly kind: P2Kind;
  readonly url: string;
  readonly pid: number | undefined;
  readonly tokens: readonly string[];
  /** Our server: scrape heap from /metrics. */
  readonly metricsUrl?: string;
}

interface Measured {
  readonly connected: number;
  readonly failed: number;
  readonly acceptMs: number;
  readonly rssPerConnBytes: number;
  readonly heapPerConnBytes?: number;
  /** V8 heap committed (used + free pages kept) per connection. */
  readonly heapTotalPerConnBytes?: number;
  /** Growth of the young generation's committed size, summed over the processes. */
  readonly newSpaceDeltaMb?: number;
  readonly externalPerConnBytes?: number;
  readonly rssAfterMb: number;
  readonly heartbeatsAnswered: number;
  readonly dropped: number;
  /** Of `dropped`: the generator had heartbeated on the connection within the idle timeout. */
  readonly droppedWhilePunctual: number;
  /** Generator punctuality (see P2Result). */
  readonly lateHeartbeats: number;
  readonly overdueHeartbeats: number;
  readonly maxHeartbeatGapMs: number;
  readonly maxTickGapMs: number;
  /** Our servers' own count of sessions closed by the idle sweep (`lianxin_dropped_total{reason="idle_timeout"}`). */
  readonly serverIdleCloses?: number;
  readonly firstError?: string;
}

class GeneratorProcess {
  private readonly child: ChildProcess;
  private readonly messages: unknown[] = [];
  private readonly waiters: ((message: unknown) => void)[] = [];
  readonly exited: Promise<void>;

  constructor(root: string, cpus: string | undefined) {
    this.child = fork(path.join(root, 'bench', 'generators', 'p2-connections.ts'), [], {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    pinProcess(this.child.pid, cpus);
    this.child.on('message', (message) => {
      const waiter = this.waiters.shift();
      if (waiter !== undefined) waiter(message);
      else this.messages.push(message);
    });
    // 'close' (all stdio, the IPC channel included, drained) rather than 'exit': a child that reports and
    // exits at once may be seen exiting before its last message is delivered.
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
  }

  next<T>(timeoutMs: number): Promise<T> {
    const queued = this.messages.shift();
    if (queued !== undefined) return Promise.resolve(queued as T);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('generator did not answer in time')), timeoutMs);
      void this.exited.then(() => setTimeout(() => reject(new Error('generator exited without answering')), 200));
      this.waiters.push((message) => {
        clearTimeout(timer);
        const typed = message as { type: string; message?: string };
        if (typed.type === 'error') reject(new Error(typed.message));
        else resolve(message as T);
      });
    });
  }

  send(message: unknown): void {
    this.child.send(message as object);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

async function metricValue(metricsUrl: string | undefined, series: string): Promise<number | undefined> {
  if (metricsUrl === undefined) return undefined;
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function heapUsed(metricsUrl: string | undefined): Promise<number | undefined> {
  return metricValue(metricsUrl, 'nodejs_heap_used_bytes');
}

/** Where a server's RSS goes besides live heap (prom-client default metrics): explains RSS − heap. */
interface MemoryParts {
  /** V8 heap committed (all spaces). */
  readonly heapTotal?: number;
  /** The young generation's committed size: grows under allocation pressure, in RSS until shrunk. */
  readonly newSpace?: number;
  /** Memory V8 accounts to external objects (Buffers, ArrayBuffers). */
  readonly external?: number;
}

async function memoryParts(metricsUrl: string | undefined): Promise<MemoryParts> {
  const [heapTotal, newSpace, external] = await Promise.all([
    metricValue(metricsUrl, 'nodejs_heap_size_total_bytes'),
    metricValue(metricsUrl, 'nodejs_heap_space_size_total_bytes{space="new"}'),
    metricValue(metricsUrl, 'nodejs_external_memory_bytes'),
  ]);
  return { ...(heapTotal !== undefined ? { heapTotal } : {}), ...(newSpace !== undefined ? { newSpace } : {}), ...(external !== undefined ? { external } : {}) };
}

/** Sum over targets of after − before for one part; undefined unless every target reported it. */
function partDelta(before: readonly MemoryParts[], after: readonly MemoryParts[], part: keyof MemoryParts): number | undefined {
  let sum = 0;
  for (let i = 0; i < after.length; i++) {
    const a = after[i]?.[part];
    const b = before[i]?.[part];
    if (a === undefined || b === undefined) return undefined;
    sum += a - b;
  }
  return sum;
}

/** Sessions the server closed for silence; 0 when the series does not exist yet (none closed). */
async function idleCloses(metricsUrl: string | undefined): Promise<number | undefined> {
  if (metricsUrl === undefined) return undefined;
  return (await metricValue(metricsUrl, 'lianxin_dropped_total{reason="idle_timeout"}')) ?? 0;
}

/**
 * Opens `counts[i]` connections to `targets[i]` with one generator per ≤ PER_GENERATOR connections, all at
 * once; measures RSS/heap deltas per target after `settleMs`, then closes everything.
 */
/**
 * Opens and closes `n` connections per target first, so the baseline already has what any busy server
 * has — JIT-compiled connection code and a young generation grown to its working size — and the
 * figure is the marginal cost of a connection, not the process's one-time warm-up.
 */
async function warmUp(ctx: ScenarioContext, targets: readonly Target[], n: number, address: number): Promise<void> {
  if (n <= 0) return;
  const gens = targets.map((target, i) => {
    const gen = new GeneratorProcess(ctx.root, ctx.plan.generator);
    const count = target.kind === 'lianxin' ? Math.min(n, target.tokens.length) : n;
    const config: P2GeneratorConfig = {
      kind: target.kind, url: target.url, appKey: 'lxbench', tokens: target.tokens.slice(0, count), count,
      localAddress: `127.0.0.${address + i}`, concurrency: 64, pingIntervalMs: PING_INTERVAL_MS, idleTimeoutMs: IDLE_TIMEOUT_MS, connectTimeoutMs: 60_000,
    };
    gen.send({ type: 'start', config });
    return gen;
  });
  try {
    await Promise.all(gens.map((gen) => gen.next<P2Connected>(300_000)));
    for (const gen of gens) gen.send({ type: 'stop' });
    await Promise.all(gens.map((gen) => gen.next<P2Result>(60_000)));
  } finally {
    for (const gen of gens) gen.kill();
  }
  await new Promise((resolve) => setTimeout(resolve, 3000));
}

async function measure(ctx: ScenarioContext, targets: readonly Target[], counts: readonly number[], settleMs: number, firstAddress: number, warm = 0): Promise<Measured> {
  await warmUp(ctx, targets, warm, firstAddress + 30);
  const before = await Promise.all(targets.map(async (t) => ({ rss: sampleProcess(t.pid).rssBytes, heap: await heapUsed(t.metricsUrl), parts: await memoryParts(t.metricsUrl) })));
  const generators: { gen: GeneratorProcess; target: number }[] = [];
  let address = firstAddress;
  const t0 = performance.now();
  const starts: Promise<P2Connected>[] = [];
  targets.forEach((target, ti) => {
    const count = counts[ti] as number;
    for (let offset = 0; offset < count; offset += PER_GENERATOR) {
      const n = Math.min(PER_GENERATOR, count - offset);
      const gen = new GeneratorProcess(ctx.root, ctx.plan.generator);
      generators.push({ gen, target: ti });
      const config: P2GeneratorConfig = {
        kind: target.kind,
        url: target.url,
        appKey: 'lxbench',
        tokens: target.tokens.slice(offset, offset + n),
        count: n,
        localAddress: `127.0.0.${address++}`,
        concurrency: 64,
        pingIntervalMs: PING_INTERVAL_MS,
        idleTimeoutMs: IDLE_TIMEOUT_MS,
        connectTimeoutMs: 60_000,
      };
      gen.send({ type: 'start', config });
      // Generous: on a busy shared machine 100,000 connections took over 10 min to accept.
      starts.push(gen.next<P2Connected>(1_800_000));
    }
  });
  try {
    const connectedReports = await Promise.all(starts);
    const acceptMs = performance.now() - t0;
    const connected = connectedReports.reduce((sum, r) => sum + r.connected, 0);
    const failed = connectedReports.reduce((sum, r) => sum + r.failed, 0);
    ctx.log(`p2: ${connected} connected (${failed} failed) in ${(acceptMs / 1000).toFixed(1)} s; settling ${settleMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const after = await Promise.all(targets.map(async (t) => ({ rss: sampleProcess(t.pid).rssBytes, heap: await heapUsed(t.metricsUrl), parts: await memoryParts(t.metricsUrl) })));
    const beforeParts = before.map((b) => b.parts);
    const afterParts = after.map((a) => a.parts);
    const heapTotalDelta = partDelta(beforeParts, afterParts, 'heapTotal');
    const newSpaceDelta = partDelta(beforeParts, afterParts, 'newSpace');
    const externalDelta = partDelta(beforeParts, afterParts, 'external');
    const rssDelta = after.reduce((sum, a, i) => sum + a.rss - (before[i]?.rss ?? 0), 0);
    const heapKnown = after.every((a, i) => a.heap !== undefined && before[i]?.heap !== undefined);
    const heapDelta = heapKnown ? after.reduce((sum, a, i) => sum + (a.heap as number) - (before[i]?.heap as number), 0) : undefined;
    for (const { gen } of generators) gen.send({ type: 'stop' });
    const results = await Promise.all(generators.map(({ gen }) => gen.next<P2Result>(120_000)));
    const idle = await Promise.all(targets.map((t) => idleCloses(t.metricsUrl)));
    const serverIdleCloses = idle.every((n) => n !== undefined) ? idle.reduce<number>((sum, n) => sum + (n as number), 0) : undefined;
    const firstError = connectedReports.find((r) => r.firstError !== undefined)?.firstError;
    return {
      connected,
      failed,
      acceptMs,
      rssPerConnBytes: connected > 0 ? rssDelta / connected : Number.NaN,
      ...(heapDelta !== undefined && connected > 0 ? { heapPerConnBytes: heapDelta / connected } : {}),
      ...(heapTotalDelta !== undefined && connected > 0 ? { heapTotalPerConnBytes: heapTotalDelta / connected } : {}),
      ...(newSpaceDelta !== undefined ? { newSpaceDeltaMb: newSpaceDelta / 1e6 } : {}),
      ...(externalDelta !== undefined && connected > 0 ? { externalPerConnBytes: externalDelta / connected } : {}),
      rssAfterMb: after.reduce((sum, a) => sum + a.rss, 0) / 1e6,
      heartbeatsAnswered: results.reduce((sum, r) => sum + r.heartbeatsAnswered, 0),
      dropped: results.reduce((sum, r) => sum + r.dropped, 0),
      droppedWhilePunctual: results.reduce((sum, r) => sum + r.droppedWhilePunctual, 0),
      lateHeartbeats: results.reduce((sum, r) => sum + r.lateHeartbeats, 0),
      overdueHeartbeats: results.reduce((sum, r) => sum + r.overdueHeartbeats, 0),
      maxHeartbeatGapMs: Math.max(0, ...results.map((r) => r.maxHeartbeatGapMs)),
      maxTickGapMs: Math.max(0, ...results.map((r) => r.maxTickGapMs)),
      ...(serverIdleCloses !== undefined ? { serverIdleCloses } : {}),
      ...(firstError !== undefined ? { firstError } : {}),
    };
  } finally {
    for (const { gen } of generators) gen.kill();
  }
}

interface OurServer {
  readonly target: Target;
  stop(): Promise<void>;
}

/**
 * One of our servers with `count` users whose tokens are issued first, by a separate server process on
 * the same data directory: the measured process starts fresh, so its RSS baseline does not contain the
 * garbage of 17,000 getToken requests (which later connections would fill without growing RSS).
 */
async function startOurServer(ctx: ScenarioContext, count: number, tag: string): Promise<OurServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lianxin-p2-'));
  const issuer = await startServer({ apps: [BENCH_APP], dataDir });
  let tokens: string[];
  try {
    const ids = Array.from({ length: count }, (_, j) => `p2${tag}u${j}`);
    tokens = (await issueTokens(serverApi(issuer.url, BENCH_APP.key, BENCH_APP.secret), ids, 64)).map((u) => u.token);
  } finally {
    await issuer.stop();
  }
  const running = await startServer({ apps: [BENCH_APP], dataDir });
  pinProcess(running.proc.pid, ctx.plan.server);
  return {
    target: { kind: 'lianxin', url: running.url, pid: running.proc.pid, tokens, metricsUrl: `${running.url}/metrics` },
    stop: async () => {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startPeer(root: string, kind: 'ws' | 'aedes', cpus: string | undefined): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'generators', 'p2-peer-server.ts'), kind], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  pinProcess(proc.pid, cpus);
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${kind} peer did not start`)), 30_000);
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /listening on (\d+)/.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
  });
  return { url: kind === 'ws' ? `http://127.0.0.1:${port}` : `mqtt://127.0.0.1:${port}`, proc };
}

function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

async function run(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const { flags, smoke } = ctx;
  const perProcess = intFlag(flags, 'per-process', smoke ? 200 : 19_000, 0, 19_900);
  const total = intFlag(flags, 'total', smoke ? 400 : 100_000, 0, 1_000_000);
  const perServer = intFlag(flags, 'per-server', smoke ? 200 : 17_000, 1, 19_900);
  // A peer is one process too: 19,900 keeps it under the 20,000 fd limit with its own files.
  const peerCount = intFlag(flags, 'peer-count', smoke ? 200 : 19_000, 0, 19_900);
  const settleMs = intFlag(flags, 'settle', smoke ? 500 : 5000, 0, 600_000);
  const warm = intFlag(flags, 'warm', smoke ? 20 : 1000, 0, 10_000);
  const runs = intFlag(flags, 'runs', 1, 1, 20);
  const series = new FigureSeries();
  const notes: string[] = [];
  const record = (key: string, label: string, m: Measured, target?: string): void => {
    series.add(`${key}-rss`, { label: `${label}: server RSS per connection`, unit: 'KB', decimals: 2, ...(target !== undefined ? { target } : {}) }, m.rssPerConnBytes / 1024);
    if (m.heapPerConnBytes !== undefined) series.add(`${key}-heap`, { label: `${label}: V8 heap per connection`, unit: 'KB', decimals: 2 }, m.heapPerConnBytes / 1024);
    if (m.heapTotalPerConnBytes !== undefined) series.add(`${key}-heap-committed`, { label: `${label}: V8 heap committed per connection`, unit: 'KB', decimals: 2 }, m.heapTotalPerConnBytes / 1024);
    if (m.newSpaceDeltaMb !== undefined) series.add(`${key}-new-space`, { label: `${label}: young generation growth (all processes)`, unit: 'MB', decimals: 1 }, m.newSpaceDeltaMb);
    if (m.externalPerConnBytes !== undefined) series.add(`${key}-external`, { label: `${label}: external memory per connection`, unit: 'KB', decimals: 2 }, m.externalPerConnBytes / 1024);
    series.add(`${key}-accept`, { label: `${label}: time to accept all`, unit: 's', decimals: 1 }, m.acceptMs / 1000);
    series.add(`${key}-rate`, { label: `${label}: accepted per second`, unit: 'conn/s', decimals: 0 }, m.connected / (m.acceptMs / 1000));
    series.add(`${key}-connected`, { label: `${label}: connected`, unit: 'conn', decimals: 0 }, m.connected);
    series.add(`${key}-dropped`, { label: `${label}: dropped while idle`, unit: 'conn', decimals: 0, target: '0' }, m.dropped);
    // Attribution of drops: a server that closes a connection heartbeating on time is at fault; a
    // generator whose heartbeats went out later than the idle timeout is (the server rightly closed).
    series.add(`${key}-dropped-punctual`, { label: `${label}: dropped although heartbeating on time`, unit: 'conn', decimals: 0, target: '0' }, m.droppedWhilePunctual);
    if (m.serverIdleCloses !== undefined) series.add(`${key}-idle-closes`, { label: `${label}: closed by the server's idle sweep`, unit: 'conn', decimals: 0 }, m.serverIdleCloses);
    series.add(`${key}-late`, { label: `${label}: generator heartbeats late (> 1.5 × ${PING_INTERVAL_MS / 1000} s)`, unit: 'beats', decimals: 0 }, m.lateHeartbeats);
    series.add(`${key}-overdue`, { label: `${label}: generator heartbeats overdue (≥ ${IDLE_TIMEOUT_MS / 1000} s idle timeout)`, unit: 'beats', decimals: 0, target: '0' }, m.overdueHeartbeats);
    series.add(`${key}-max-gap`, { label: `${label}: longest heartbeat gap of a connection`, unit: 's', decimals: 1 }, m.maxHeartbeatGapMs / 1000);
    if (m.failed > 0) notes.push(`${label}: ${m.failed} connection attempts failed (first: ${m.firstError ?? 'unknown'}).`);
  };

  for (let r = 0; r < runs; r++) {
    const tag = `${Date.now().toString(36)}r${r}`;
    // 1. One server process near the fd limit.
    if (perProcess > 0) {
      const server = await startOurServer(ctx, perProcess, `${tag}a`);
      try {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const m = await measure(ctx, [server.target], [perProcess], settleMs, 2, warm);
        ctx.log(`p2 one process: ${m.connected} conns, ${(m.rssPerConnBytes / 1024).toFixed(2)} KB RSS/conn, heap ${((m.heapPerConnBytes ?? 0) / 1024).toFixed(2)} KB/conn, ${(m.acceptMs / 1000).toFixed(1)} s`);
        record('one', `Lianxin, 1 process × ${perProcess}`, m, '≤ 6 KB');
      } finally {
        await server.stop();
      }
    }
    // 2. `total` across several server processes.
    if (total > 0) {
      const n = Math.ceil(total / perServer);
      const counts = split(total, n);
      const servers: OurServer[] = [];
      try {
        for (let i = 0; i < n; i++) servers.push(await startOurServer(ctx, counts[i] as number, `${tag}b${i}`));
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const m = await measure(ctx, servers.map((s) => s.target), counts, settleMs, 20, warm);
        ctx.log(`p2 ${n} processes: ${m.connected} conns, ${(m.rssPerConnBytes / 1024).toFixed(2)} KB RSS/conn, ${(m.acceptMs / 1000).toFixed(1)} s`);
        ctx.log(`p2 ${n} processes: dropped ${m.dropped} (${m.droppedWhilePunctual} while heartbeating on time; server idle sweep ${m.serverIdleCloses ?? '?'}), heartbeats late ${m.lateHeartbeats}, overdue ${m.overdueHeartbeats}, max gap ${(m.maxHeartbeatGapMs / 1000).toFixed(1)} s, max tick gap ${(m.maxTickGapMs / 1000).toFixed(1)} s`);
        record('many', `Lianxin, ${n} processes, ${total} total`, m, '≤ 6 KB');
        series.add('many-rss-total', { label: `Lianxin, ${n} processes: total server RSS`, unit: 'MB', decimals: 0 }, m.rssAfterMb);
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
    }
    // 3. Peers in the same run.
    for (const [k, kind] of (peerCount > 0 ? (['ws', 'aedes'] as const) : []).entries()) {
      const peer = await startPeer(ctx.root, kind, ctx.plan.server);
      try {
        await new Promise((resolve) => setTimeout(resolve, 500));
                // Own source addresses per peer: the previous peer's closed sockets sit in TIME_WAIT on theirs.
        const m = await measure(ctx, [{ kind, url: peer.url, pid: peer.proc.pid, tokens: [] }], [peerCount], settleMs, 60 + 10 * k, warm);
        ctx.log(`p2 peer ${kind}: ${m.connected} conns, ${(m.rssPerConnBytes / 1024).toFixed(2)} KB RSS/conn, ${(m.acceptMs / 1000).toFixed(1)} s`);
        record(kind, kind === 'ws' ? `bare ws server × ${peerCount}` : `aedes (MQTT/TCP) × ${peerCount}`, m);
      } finally {
        peer.proc.kill('SIGTERM');
      }
    }
  }
  notes.push(`RSS per connection = (server RSS with all connected, after the settle time with heartbeats running − RSS before) / connections, where "before" is after a warm-up of ${warm} connections opened and closed (JIT code and the young generation at working size: the marginal cost of a connection); same method for the peers. Kernel socket buffers are not in RSS for any of the three. Our servers issue their users' tokens from a separate process on the same data directory, so their baseline holds no request garbage.`);
  notes.push(`Heartbeats every ${PING_INTERVAL_MS / 1000} s per connection (E4 cadence: CMP PINGREQ; a 1-byte echoed message for bare ws; MQTT keepalive for aedes), scheduled by the clock (a due-time queue), so a generator whose loop runs late catches up. Generators: ≤ ${PER_GENERATOR} connections per process, one loopback source address each.`);
  notes.push(`Drops are attributed: "dropped although heartbeating on time" counts connections closed while none of their heartbeats had come ${IDLE_TIMEOUT_MS / 1000} s (the server's idle timeout) or more after the previous one (the server's fault; target 0); "generator heartbeats overdue" counts heartbeats the generator itself sent that late (the server may rightly close those); "closed by the server's idle sweep" is the servers' own lianxin_dropped_total{reason="idle_timeout"}.`);
  return {
    params: { perProcess, total, perServer, peerCount, settleMs, warm },
    runs,
    pinning: ctx.plan.note,
    figures: series.figures(),
    notes,
  };
}

export const p2Connections: Scenario = { name: 'p2-connections', aliases: ['p2'], title: 'P2 idle connections with heartbeats', loadSensitive: false, run };
