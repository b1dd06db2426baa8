/**
 * P1 persisted private messaging (issue #12): `pairs` senders and `pairs` receivers, each sender keeping
 * `window` messages in flight to random receivers; every message is committed before its PUBACK and
 * reaches the online recipient the way our SDK receives it: the receivers connect with `directPush=1` as
 * the SDK does over WebSocket (src/transport/websocket-transport.ts) and take stored messages as `s_msg`
 * pushes, falling back to s_ntf → pullMsg whenever the server says so. In the same run and the same shape (client count,
 * window, message bytes, pinning), the peers: `aedes` QoS 1 with `mqtt` clients, and a raw `ws`
 * request/ack relay (the runtime's ceiling). A fresh server (and data directory) per run and system; the
 * order of the systems rotates between runs so slow drift of the machine does not favour one of them.
 *
 * Then, per run, the same systems at fixed offered loads (open loop, `--fixed-rate` msg/s over the same
 * senders, whatever the acks, one or more rates comma-separated; 0 skips them): the latency and the CPU per
 * message below saturation, where servers run in production. At saturation the closed loop's latency is set
 * by its window (Little's law: pairs × window / throughput), at a fixed rate by the system.
 *
 * Flags: --pairs --window --size --warmup --duration --drain --runs --fixed-rate R[,R…], --peers aedes,ws|none,
 * --server-profile DIR (V8 CPU profile of our server over each measured window), --server-heap-profile DIR (a
 * sampling heap profile instead: allocated bytes by site, garbage included), --no-direct (receivers
 * connect as the official E4 client does, without `directPush=1`: every message through s_ntf → pullMsg).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { intFlag, intListFlag } from '../lib/args';
import { issueTokens, startBenchServer } from '../lib/bench-server';
import { saveBarChart, type BarDatum, type ChartRef } from '../lib/charts';
import { runGenerator } from '../lib/generator';
import { cpuShare, sampleProcess, type ProcSample } from '../lib/proc-stats';
import { formatNumber, type Table } from '../lib/results';
import { attachHeapProfiler, attachProfiler, INSPECT_ENV, type ServerProfiler } from '../lib/server-profiler';
import { median, minMax } from '../lib/stats';
import { startPeer } from '../peers/peer-process';
import type { P1Config, P1Result } from '../generators/p1-private';
import type { P1PeerConfig } from '../generators/p1-ws-relay';
import { FigureSeries, type Scenario, type ScenarioContext, type ScenarioOutput } from './scenario';

type System = 'ours' | 'aedes' | 'ws';

/**
 * The fixed offered loads of the open-loop runs, msg/s: from well below to about the saturation of the systems
 * on the hosts this has run on (≈ 9,000 – 19,000 msg/s for ours), so the latency and the CPU per message are
 * seen below saturation, not only as queueing.
 */
const FIXED_RATES: readonly number[] = [1_000, 5_000, 10_000];

const LABEL: Readonly<Record<System, string>> = { ours: 'Lianxin (SQLite, fsync before PUBACK)', aedes: 'aedes QoS 1 + mqtt (in memory)', ws: 'raw ws relay (no storage)' };
const SHORT: Readonly<Record<System, string>> = { ours: 'Lianxin', aedes: 'aedes QoS1', ws: 'raw ws relay' };

interface Shape {
  readonly pairs: number;
  readonly window: number;
  /** Open loop at this many msg/s (p1-meter.ts); closed loop with `window` when absent. */
  readonly rate?: number;
  readonly contentBytes: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly drainMs: number;
}

interface Measured {
  readonly result: P1Result;
  readonly serverCpu: number | undefined;
  /** The server's main thread alone (event loop); the rest of `serverCpu` is the SQLite writer and V8's helpers. */
  readonly serverMainCpu?: number | undefined;
  readonly serverRssMb: number | undefined;
  readonly pinned: boolean;
  readonly dataFs?: string;
}

/** Samples the server process at the generator's measurement boundaries. */
function windowSampler(pid: number | undefined, profiler?: { start(): void; stop(): void }) {
  let before: ProcSample | undefined;
  let after: ProcSample | undefined;
  return {
    onPhase: (phase: string): void => {
      if (phase === 'measure-start') {
        before = sampleProcess(pid);
        profiler?.start();
      }
      if (phase === 'measure-end') {
        after = sampleProcess(pid);
        profiler?.stop();
      }
    },
    cpu: (): number | undefined => (before !== undefined && after !== undefined ? cpuShare(before, after) : undefined),
    mainCpu: (): number | undefined => (before !== undefined && after !== undefined ? cpuShare(before, after, true) : undefined),
    rssMb: (): number | undefined => (after !== undefined ? after.rssBytes / 1e6 : undefined),
  };
}

async function runOurs(ctx: ScenarioContext, shape: Shape, run: number): Promise<Measured> {
  const heapProfile = ctx.flags.get('server-heap-profile');
  const profileDir = heapProfile ?? ctx.flags.get('server-profile');
  const server = await startBenchServer(ctx.plan.server, [], profileDir !== undefined ? INSPECT_ENV : {});
  let profiler: ServerProfiler | undefined;
  const profiling: Promise<void>[] = [];
  try {
    if (profileDir !== undefined) {
      mkdirSync(profileDir, { recursive: true });
      profiler = heapProfile !== undefined ? await attachHeapProfiler(server.running) : await attachProfiler(server.running);
    }
    const tag = `${Date.now().toString(36)}r${run}`;
    const ids = (prefix: string): string[] => Array.from({ length: shape.pairs }, (_, i) => `${prefix}${tag}_${i}`);
    const senders = await issueTokens(server.api, ids('s'));
    const receivers = await issueTokens(server.api, ids('r'));
    const config: P1Config = { url: server.url, appKey: 'lxbench', senders, receivers, ...shape, ...(directReceivers(ctx) ? { direct: true } : {}) };
    const active = profiler;
    const sampler = windowSampler(
      server.pid,
      active !== undefined && profileDir !== undefined
        ? {
            start: () => profiling.push(active.start()),
            stop: () => profiling.push(active.stop(path.join(profileDir, `p1-server-run${run + 1}${shape.rate !== undefined ? '-fixed-rate' : ''}.${heapProfile !== undefined ? 'heapprofile' : 'cpuprofile'}`))),
          }
        : undefined,
    );
    const { result, pinned } = await runGenerator<P1Result>(ctx.root, 'p1-private.ts', config, {
      cpus: ctx.plan.generator,
      profileDir: ctx.flags.get('profile'),
      timeoutMs: shape.warmupMs + shape.durationMs + shape.drainMs + 120_000,
      onPhase: sampler.onPhase,
    });
    await Promise.all(profiling);
    return {
      result,
      serverCpu: sampler.cpu(),
      serverMainCpu: sampler.mainCpu(),
      serverRssMb: sampler.rssMb(),
      pinned: pinned && server.pinned,
      dataFs: server.dataFs,
    };
  } finally {
    profiler?.close();
    await server.stop();
  }
}

async function runPeer(ctx: ScenarioContext, shape: Shape, system: 'aedes' | 'ws'): Promise<Measured> {
  const peer = await startPeer(ctx.root, system === 'aedes' ? 'aedes-server.ts' : 'ws-relay-server.ts', [], ctx.plan.server);
  try {
    const config: P1PeerConfig = { url: `${system === 'aedes' ? 'mqtt' : 'ws'}://127.0.0.1:${peer.port}`, ...shape };
    const sampler = windowSampler(peer.pid);
    const { result, pinned } = await runGenerator<P1Result>(ctx.root, system === 'aedes' ? 'p1-mqtt.ts' : 'p1-ws-relay.ts', config, {
      cpus: ctx.plan.generator,
      timeoutMs: shape.warmupMs + shape.durationMs + shape.drainMs + 120_000,
      onPhase: sampler.onPhase,
    });
    return { result, serverCpu: sampler.cpu(), serverRssMb: sampler.rssMb(), pinned: pinned && peer.pinned };
  } finally {
    await peer.stop();
  }
}

/** Receivers behave as our SDK (directPush=1) unless `--no-direct` / `--direct false`. */
function directReceivers(ctx: ScenarioContext): boolean {
  return ctx.flags.get('direct') !== 'false';
}

function peersFlag(text: string | undefined): System[] {
  if (text === 'none') return [];
  const names = (text ?? 'aedes,ws').split(',').map((name) => name.trim());
  for (const name of names) if (name !== 'aedes' && name !== 'ws') throw new Error(`--peers takes aedes,ws or none, got ${name}`);
  return names as System[];
}

async function run(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const { flags, smoke } = ctx;
  const shape: Shape = {
    pairs: intFlag(flags, 'pairs', smoke ? 4 : 200),
    window: intFlag(flags, 'window', smoke ? 2 : 4, 1, 1000),
    contentBytes: intFlag(flags, 'size', 100, 60, 65_536),
    durationMs: intFlag(flags, 'duration', smoke ? 1000 : 10_000, 100, 600_000),
    warmupMs: intFlag(flags, 'warmup', smoke ? 300 : 3000, 0, 600_000),
    drainMs: intFlag(flags, 'drain', smoke ? 3000 : 10_000, 0, 600_000),
  };
  const runs = intFlag(flags, 'runs', smoke ? 1 : 3, 1, 50);
  const fixedRates = intListFlag(flags, 'fixed-rate', smoke ? [200] : FIXED_RATES, 0, 1_000_000).filter((rate) => rate > 0);
  const systems: System[] = ['ours', ...peersFlag(flags.get('peers'))];
  const series = new FigureSeries();
  const perSystem = new Map<System, Measured[]>(systems.map((s) => [s, []]));
  const fixed = new Map<number, Map<System, Measured[]>>(fixedRates.map((rate) => [rate, new Map(systems.map((s) => [s, []]))]));
  const notes: string[] = [];
  let pinningFailed = false;
  let dataFs = '';

  for (let r = 0; r < runs; r++) {
    const order = systems.map((_, i) => systems[(i + r) % systems.length] as System);
    for (const system of order) {
      const measured = system === 'ours' ? await runOurs(ctx, shape, r) : await runPeer(ctx, shape, system);
      const { result } = measured;
      if (!measured.pinned) pinningFailed = true;
      if (measured.dataFs !== undefined) dataFs = measured.dataFs;
      perSystem.get(system)?.push(measured);
      ctx.log(`p1 run ${r + 1}/${runs} ${SHORT[system]}: ${Math.round(result.deliveredPerSecond)} delivered/s, p50 ${result.latencyP50Ms.toFixed(1)} ms, p99 ${result.latencyP99Ms.toFixed(1)} ms, lost ${result.lost}`);
      if (system === 'ours') addOurFigures(series, measured);
      if (result.lost > 0) notes.push(`Run ${r + 1}, ${SHORT[system]}: ${result.lost} acked messages were not delivered within the ${shape.drainMs} ms drain.`);
    }
    const ours = perSystem.get('ours')?.[r]?.result.deliveredPerSecond ?? Number.NaN;
    for (const peer of systems.filter((s) => s !== 'ours')) {
      const theirs = perSystem.get(peer)?.[r]?.result.deliveredPerSecond ?? Number.NaN;
      const target = peer === 'aedes' ? '≥ 1.0' : '≥ 0.5';
      series.add(`ratio-${peer}`, { label: `Ours / ${SHORT[peer]}, delivered (same run)`, unit: '×', target, decimals: 2 }, ours / theirs);
    }
    for (const rate of fixedRates) {
      for (const system of order) {
        const fixedShape: Shape = { ...shape, rate };
        const measured = system === 'ours' ? await runOurs(ctx, fixedShape, r) : await runPeer(ctx, fixedShape, system);
        const { result } = measured;
        if (!measured.pinned) pinningFailed = true;
        fixed.get(rate)?.get(system)?.push(measured);
        ctx.log(`p1 run ${r + 1}/${runs} ${SHORT[system]} at ${rate} msg/s offered: ${Math.round(result.deliveredPerSecond)} delivered/s, p50 ${result.latencyP50Ms.toFixed(1)} ms, p99 ${result.latencyP99Ms.toFixed(1)} ms, lost ${result.lost}`);
        addFixedRateFigures(series, system, rate, measured);
        if (result.lost > 0) notes.push(`Run ${r + 1}, ${SHORT[system]} at ${rate} msg/s: ${result.lost} acked messages were not delivered within the ${shape.drainMs} ms drain.`);
      }
    }
  }
  for (const peer of systems.filter((s) => s !== 'ours')) addPeerFigures(series, peer, perSystem.get(peer) ?? []);

  notes.push(`Server data directory on ${dataFs} (SQLite WAL, synchronous=FULL: one fsync per group commit; fsync cost depends on the filesystem and on other disk traffic).`);
  if (systems.length > 1) {
    notes.push('Peers, same shape and pinning: aedes 1.2.0 over TCP with default in-memory persistence and mqtt 5.16.0 clients (receiver i subscribes p1/r<i> at QoS 1; PUBACK = broker accepted, nothing on disk); raw ws relay = bench/peers/ws-relay-server.ts (ack after forwarding, nothing stored). Same message bytes (bench/generators/p1-meter.ts).');
  }
  const tables: Table[] = systems.length > 1 ? [sideBySide(systems, perSystem)] : [];
  for (const [rate, bySystem] of fixed) tables.push(sideBySide(systems, bySystem, `At ${formatNumber(rate)} msg/s offered (open loop), same run (median, min – max over runs)`));
  if (fixedRates.length > 0) {
    const rates = fixedRates.map((rate) => formatNumber(rate)).join(', ');
    notes.push(`Fixed offered loads: ${rates} msg/s, each sent on a schedule over the ${shape.pairs} senders in turn, whatever the acks (bench/generators/p1-meter.ts); latency counts from each message's scheduled time. The closed loop above keeps ${shape.pairs * shape.window} messages in flight, so its mean latency is ${shape.pairs * shape.window} / throughput (Little's law) whatever the system; a fixed load below a system's saturation shows its own latency, and its CPU per message where servers usually run.`);
  }
  const charts = await p1Charts(ctx, systems, perSystem, fixed, smoke);
  return {
    params: {
      ...shape,
      fixedRates: fixedRates.join(',') || 'none',
      peers: systems.filter((s) => s !== 'ours').join(',') || 'none',
      receivers: directReceivers(ctx) ? 'as our SDK (directPush=1: s_msg)' : 'as the official client (s_ntf → pullMsg)',
    },
    runs,
    pinning: pinningFailed ? `${ctx.plan.note} (pinning failed for some process)` : ctx.plan.note,
    figures: series.figures(),
    tables,
    notes,
    charts,
  };
}

function addOurFigures(series: FigureSeries, measured: Measured): void {
  const { result } = measured;
  series.add('delivered', { label: 'Delivered', unit: 'msg/s', target: '≥ 20,000 (one server core, 200 pairs)' }, result.deliveredPerSecond);
  series.add('acked', { label: 'Acked (PUBACK after commit)', unit: 'msg/s' }, result.ackedPerSecond);
  series.add('p50', { label: 'Send → receive p50', unit: 'ms', decimals: 1 }, result.latencyP50Ms);
  series.add('p99', { label: 'Send → receive p99', unit: 'ms', target: '≤ 50 ms', decimals: 1 }, result.latencyP99Ms);
  series.add('max', { label: 'Send → receive max', unit: 'ms', decimals: 1 }, result.latencyMaxMs);
  series.add('ack99', { label: 'Send → PUBACK p99', unit: 'ms', decimals: 1 }, result.ackP99Ms);
  if (measured.serverCpu !== undefined) {
    series.add('serverCpu', { label: 'Server CPU during measurement', unit: 'cores', decimals: 2 }, measured.serverCpu);
    series.add('cpuPerMsg', { label: 'Server CPU per delivered message', unit: 'µs', decimals: 0 }, cpuPerMessage(measured));
  }
  if (measured.serverCpu !== undefined && measured.serverMainCpu !== undefined) {
    // Where the CPU goes: the event loop (frames, sessions, sockets) vs the SQLite writer thread and V8's helper threads.
    const main = { result, serverCpu: measured.serverMainCpu };
    const others = { result, serverCpu: measured.serverCpu - measured.serverMainCpu };
    series.add('cpuPerMsgMain', { label: '… of which the main thread (event loop)', unit: 'µs', decimals: 0 }, cpuPerMessage(main));
    series.add('cpuPerMsgOther', { label: '… of which other threads (SQLite writer, V8 helpers)', unit: 'µs', decimals: 0 }, cpuPerMessage(others));
  }
  if (measured.serverRssMb !== undefined) series.add('serverRss', { label: 'Server RSS at end of measurement', unit: 'MB', decimals: 0 }, measured.serverRssMb);
  series.add('genCpu', { label: 'Generator CPU during measurement', unit: 'cores', decimals: 2 }, result.generatorCpu);
  series.add('lost', { label: 'Acked but not delivered after drain', unit: 'msg', target: '0', decimals: 0 }, result.lost);
  series.add('dup', { label: 'Duplicate deliveries', unit: 'msg', decimals: 0 }, result.duplicates);
  series.add('refused', { label: 'Refused sends (non-zero PUBACK status)', unit: 'msg', decimals: 0 }, result.refused);
}

function addFixedRateFigures(series: FigureSeries, system: System, rate: number, measured: Measured): void {
  const { result } = measured;
  const at = `at ${formatNumber(rate)} msg/s offered`;
  const key = `fixed-${rate}-${system}`;
  series.add(`${key}-delivered`, { label: `${SHORT[system]} ${at}: delivered`, unit: 'msg/s' }, result.deliveredPerSecond);
  series.add(`${key}-p50`, { label: `${SHORT[system]} ${at}: send → receive p50`, unit: 'ms', decimals: 1 }, result.latencyP50Ms);
  series.add(`${key}-p99`, { label: `${SHORT[system]} ${at}: send → receive p99`, unit: 'ms', decimals: 1 }, result.latencyP99Ms);
  if (measured.serverCpu !== undefined) {
    series.add(`${key}-cpu`, { label: `${SHORT[system]} ${at}: server CPU`, unit: 'cores', decimals: 2 }, measured.serverCpu);
    series.add(`${key}-cpu-msg`, { label: `${SHORT[system]} ${at}: server CPU per delivered message`, unit: 'µs', decimals: 0 }, cpuPerMessage(measured));
  }
  if (measured.serverCpu !== undefined && measured.serverMainCpu !== undefined) {
    series.add(`${key}-cpu-msg-main`, { label: `${SHORT[system]} ${at}: … of which the main thread`, unit: 'µs', decimals: 0 }, cpuPerMessage({ result, serverCpu: measured.serverMainCpu }));
  }
  series.add(`${key}-lost`, { label: `${SHORT[system]} ${at}: acked but not delivered`, unit: 'msg', decimals: 0 }, result.lost);
}

function addPeerFigures(series: FigureSeries, peer: System, runs: readonly Measured[]): void {
  for (const { result, serverCpu } of runs) {
    series.add(`${peer}-delivered`, { label: `${SHORT[peer]}: delivered`, unit: 'msg/s' }, result.deliveredPerSecond);
    series.add(`${peer}-p50`, { label: `${SHORT[peer]}: send → receive p50`, unit: 'ms', decimals: 1 }, result.latencyP50Ms);
    series.add(`${peer}-p99`, { label: `${SHORT[peer]}: send → receive p99`, unit: 'ms', decimals: 1 }, result.latencyP99Ms);
    if (serverCpu !== undefined) {
      series.add(`${peer}-cpu`, { label: `${SHORT[peer]}: server CPU`, unit: 'cores', decimals: 2 }, serverCpu);
      series.add(`${peer}-cpu-msg`, { label: `${SHORT[peer]}: server CPU per delivered message`, unit: 'µs', decimals: 0 }, cpuPerMessage({ result, serverCpu }));
    }
    series.add(`${peer}-lost`, { label: `${SHORT[peer]}: acked but not delivered`, unit: 'msg', decimals: 0 }, result.lost);
  }
}

/**
 * Server CPU time per delivered message: on a machine shared with other work the throughput of each
 * system follows the CPU it happened to get, while this ratio mostly does not.
 */
function cpuPerMessage(measured: { readonly result: P1Result; readonly serverCpu: number | undefined }): number {
  const { serverCpu, result } = measured;
  return serverCpu === undefined || result.deliveredPerSecond <= 0 ? Number.NaN : (serverCpu / result.deliveredPerSecond) * 1e6;
}

function stat(values: readonly number[], decimals?: number): string {
  const { min, max } = minMax(values);
  const mid = formatNumber(median(values), decimals);
  return values.length > 1 ? `${mid} (${formatNumber(min, decimals)} – ${formatNumber(max, decimals)})` : mid;
}

function sideBySide(systems: readonly System[], perSystem: ReadonlyMap<System, readonly Measured[]>, title = 'Side by side, same run (median, min – max over runs)'): Table {
  const ours = perSystem.get('ours') ?? [];
  const rows = systems.map((system) => {
    const runs = perSystem.get(system) ?? [];
    const pick = (f: (m: Measured) => number | undefined): number[] => runs.map(f).filter((v): v is number => v !== undefined && Number.isFinite(v));
    const ratios = system === 'ours' ? [] : runs.map((m, i) => (ours[i]?.result.deliveredPerSecond ?? Number.NaN) / m.result.deliveredPerSecond);
    return [
      LABEL[system],
      stat(pick((m) => m.result.deliveredPerSecond)),
      stat(pick((m) => m.result.latencyP50Ms), 1),
      stat(pick((m) => m.result.latencyP99Ms), 1),
      stat(pick((m) => m.serverCpu), 2),
      stat(pick(cpuPerMessage), 0),
      system === 'ours' ? '—' : stat(ratios.filter(Number.isFinite), 2),
    ];
  });
  return {
    title,
    columns: ['System', 'Delivered msg/s', 'p50 ms', 'p99 ms', 'Server CPU (cores)', 'Server CPU µs / delivered msg', 'Ours / it (delivered)'],
    rows,
  };
}

async function p1Charts(
  ctx: ScenarioContext,
  systems: readonly System[],
  perSystem: ReadonlyMap<System, readonly Measured[]>,
  fixed: ReadonlyMap<number, ReadonlyMap<System, readonly Measured[]>>,
  smoke: boolean,
): Promise<ChartRef[]> {
  const outDir = path.resolve(ctx.root, ctx.flags.get('out') ?? 'bench');
  const prefix = smoke ? 'p1-private-smoke' : 'p1-private';
  const spread = (values: readonly number[]) => ({ value: median(values), ...minMax(values) });
  const of = (system: System, f: (r: P1Result) => number): number[] => (perSystem.get(system) ?? []).map((m) => f(m.result)).filter(Number.isFinite);
  const throughput = await saveBarChart(outDir, `${prefix}-throughput`, {
    title: 'P1 delivered msg/s (same run; whiskers: min – max)',
    yTitle: 'delivered msg/s',
    data: systems.map((system) => ({ group: SHORT[system], ...spread(of(system, (r) => r.deliveredPerSecond)) })),
    rule: { value: 20_000, label: 'target 20k (ours)' },
  });
  const latency = await saveBarChart(outDir, `${prefix}-latency`, {
    title: 'P1 send → receive latency (same run)',
    yTitle: 'ms',
    data: systems.flatMap((system) => [
      { group: SHORT[system], series: 'p50', ...spread(of(system, (r) => r.latencyP50Ms)) },
      { group: SHORT[system], series: 'p99', ...spread(of(system, (r) => r.latencyP99Ms)) },
    ]),
    rule: { value: 50, label: 'p99 target 50 ms (ours)' },
  });
  const cpu = await saveBarChart(outDir, `${prefix}-cpu-per-message`, {
    title: 'P1 server CPU per delivered message (same run)',
    yTitle: 'µs of server CPU / delivered msg',
    data: systems.map((system) => ({ group: SHORT[system], ...spread((perSystem.get(system) ?? []).map(cpuPerMessage).filter(Number.isFinite)) })),
    rule: { value: 50, label: '≈ budget for 20k msg/s on one core' },
  });
  if (fixed.size === 0) return [throughput, latency, cpu];
  // Below saturation: one group per offered load, one bar per system.
  const atRates = (f: (m: Measured) => number): BarDatum[] =>
    [...fixed].flatMap(([rate, bySystem]) =>
      systems.map((system) => ({ group: `${formatNumber(rate)} msg/s`, series: SHORT[system], ...spread((bySystem.get(system) ?? []).map(f).filter(Number.isFinite)) })),
    );
  const fixedP99 = await saveBarChart(outDir, `${prefix}-fixed-rate-p99`, {
    title: 'P1 send → receive p99 at fixed offered loads (same run; log scale)',
    yTitle: 'p99 ms',
    data: atRates((m) => m.result.latencyP99Ms),
    rule: { value: 50, label: 'p99 target 50 ms (ours)' },
    logScale: true,
  });
  const fixedCpu = await saveBarChart(outDir, `${prefix}-fixed-rate-cpu-per-message`, {
    title: 'P1 server CPU per delivered message at fixed offered loads (same run)',
    yTitle: 'µs of server CPU / delivered msg',
    data: atRates(cpuPerMessage),
  });
  return [throughput, latency, cpu, fixedP99, fixedCpu];
}


export const p1Private: Scenario = { name: 'p1-private', aliases: ['p1'], title: 'P1 persisted private messaging', loadSensitive: true, run };
