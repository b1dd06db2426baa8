/**
 * P3 chatroom fan-out (issue #12): one room with `--members` members (default 5,000 and 10,000), thin
 * clients spread over generator processes of ≤ `--per-generator` members, each on its own loopback source
 * address 127.0.0.x; one member sends at a fixed rate (open loop). Rate ladder per system: `--start-rate`
 * × `--factor`^k until a step falls behind (fewer than `--min-completion` of its deliveries arrived by the
 * end of the drain); a step is sustained when it kept up with p99 ≤ `--max-p99` ms, and the best
 * sustained step is the system's maximum.
 * Ours runs the ladder on an app whose intake quota is lifted (the server's ceiling), then one step at the
 * drop-policy intake of the default app (40 messages per 200 ms = 200 msg/s) with fresh connections.
 * Same run, same members, same message bytes: a raw `ws` broadcast (bench/peers/p3-ws-broadcast.ts) and a
 * socket.io room broadcast (bench/peers/p3-socketio-room.ts). Server CPU from /proc over each step's
 * window; generator CPU summed over the generator processes (all on the generator core — part of the
 * ceiling). Delivery = one room message reaching one member (ours: through s_ntf → chrmPull pages).
 *
 * Flags: --members 5000,10000 --per-generator 5000 --start-rate 4 --factor 2 --max-rate 3200
 * --duration 3000 --drain 2000 --size 100 --sample 50 --max-p99 2000 --min-completion 0.99
 * --peers ws,socketio|none --intake on|off --runs 1 --server-profile DIR (ours, one profile per step).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { boolFlag, intFlag } from '../lib/args';
import { BENCH_APP, issueTokens, startBenchServer, type BenchServer } from '../lib/bench-server';
import { saveBarChart, type ChartRef } from '../lib/charts';
import { cpuShare, sampleProcess, type ProcSample } from '../lib/proc-stats';
import { formatNumber, type Table } from '../lib/results';
import { attachProfiler, INSPECT_ENV, type ServerProfiler } from '../lib/server-profiler';
import { median, minMax, percentile } from '../lib/stats';
import { startPeer, type PeerProcess } from '../peers/peer-process';
import { serverApi } from '../../test/support/server-api-client';
import { epochNow, type P3Kind } from '../generators/p3-clients';
import { P3Generator } from '../generators/p3-control';
import { runQueueSeconds, type P3StepReport } from '../generators/p3-chatroom';
import { FigureSeries, type Scenario, type ScenarioContext, type ScenarioOutput } from './scenario';

const LIFTED_APP = { key: 'lxbenchq', secret: 'lxbenchqsecret' } as const;
const LIFTED_ARGS = ['--app', `${LIFTED_APP.key}:${LIFTED_APP.secret}:maxSendRate=1000000,chrmQuotaHigh=1000000,chrmQuotaShared=1000000`];
/** Default drop-policy intake: (quotaHigh + quotaShared) per quotaWindowMs = 40 per 200 ms. */
const INTAKE_RATE = 200;
const SHORT: Readonly<Record<P3Kind, string>> = { lianxin: 'Lianxin', ws: 'raw ws broadcast', socketio: 'socket.io room' };

interface Shape {
  readonly perGenerator: number;
  readonly startRate: number;
  readonly factor: number;
  readonly maxRate: number;
  readonly durationMs: number;
  readonly drainMs: number;
  readonly contentBytes: number;
  readonly sampleEvery: number;
  readonly maxP99Ms: number;
  readonly minCompletion: number;
}

export interface StepFigures {
  readonly rate: number;
  readonly sent: number;
  readonly deliveriesPerSecond: number;
  /** Deliveries by the end of the drain / (sent × recipients). */
  readonly completion: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpu: number;
  readonly generatorCpu: number;
  /** Share of the window the server / the generators were runnable but waiting for a CPU (other load). */
  readonly serverWait: number;
  readonly generatorWait: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly sustained: boolean;
}

interface Ladder {
  readonly steps: readonly StepFigures[];
  readonly best: StepFigures | undefined;
  readonly intake?: StepFigures;
  /** Messages of the intake step the drop policy dropped (server /metrics), of `intake.sent`. */
  readonly intakeDropped?: number;
  readonly connectMs: number;
  readonly pinned: boolean;
}

interface Target {
  readonly kind: P3Kind;
  readonly url: string;
  readonly pid: number | undefined;
  readonly appKey: string;
  readonly tokens: readonly string[];
  readonly senderToken: string;
  readonly senderId: string;
}

/** Connects the room's members over `ceil(members / perGenerator)` generator processes. */
async function connectGenerators(ctx: ScenarioContext, shape: Shape, target: Target, roomId: string): Promise<{ generators: P3Generator[]; connectMs: number; pinned: boolean }> {
  const count = Math.ceil(target.tokens.length / shape.perGenerator);
  const generators = Array.from({ length: count }, () => new P3Generator(ctx.root, ctx.plan.generator));
  const t0 = performance.now();
  try {
    await Promise.all(
      generators.map((generator, i) =>
        generator.start(
          {
            kind: target.kind,
            url: target.url,
            appKey: target.appKey,
            roomId,
            tokens: target.tokens.slice(i * shape.perGenerator, (i + 1) * shape.perGenerator),
            ...(i === 0 ? { senderToken: target.senderToken, senderId: target.senderId } : {}),
            localAddress: `127.0.0.${2 + i}`,
            sampleEvery: shape.sampleEvery,
            contentBytes: shape.contentBytes,
            concurrency: target.kind === 'lianxin' ? 16 : 64,
          },
          600_000,
        ),
      ),
    );
  } catch (error) {
    await Promise.all(generators.map((g) => g.stop()));
    throw error;
  }
  return { generators, connectMs: performance.now() - t0, pinned: generators.every((g) => g.pinned) };
}

async function runStep(generators: readonly P3Generator[], recipients: number, shape: Shape, serverPid: number | undefined, rate: number, id: number, profile?: (phase: 'start' | 'stop') => void): Promise<StepFigures> {
  const startAt = epochNow() + 500;
  const endAt = startAt + shape.durationMs;
  let before: ProcSample | undefined;
  let after: ProcSample | undefined;
  let wait0 = 0;
  let wait1 = 0;
  const timers = [
    setTimeout(() => {
      before = sampleProcess(serverPid);
      wait0 = serverPid === undefined ? 0 : runQueueSeconds(serverPid);
      profile?.('start');
    }, startAt - epochNow()),
    setTimeout(() => {
      after = sampleProcess(serverPid);
      wait1 = serverPid === undefined ? 0 : runQueueSeconds(serverPid);
      profile?.('stop');
    }, endAt - epochNow()),
  ];
  let reports: P3StepReport[];
  try {
    reports = await Promise.all(generators.map((g) => g.step({ id, rate, startAt, endAt, drainMs: shape.drainMs }, shape.durationMs + shape.drainMs + 60_000)));
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
  if (process.env['P3_DEBUG'] !== undefined) console.log(reports.map((r) => ({ ...r, latencies: r.latencies.length })));
  const sent = reports.reduce((n, r) => n + r.sent, 0);
  const total = reports.reduce((n, r) => n + r.total, 0);
  const inWindow = reports.reduce((n, r) => n + r.inWindow, 0);
  const latencies = reports.flatMap((r) => r.latencies);
  const p99Ms = percentile(latencies, 99);
  const completion = sent === 0 || recipients === 0 ? 0 : total / (sent * recipients);
  const errors = reports.reduce((n, r) => n + r.errors, 0);
  return {
    rate,
    sent,
    deliveriesPerSecond: inWindow / (shape.durationMs / 1000),
    completion,
    p50Ms: percentile(latencies, 50),
    p99Ms,
    serverCpu: before !== undefined && after !== undefined ? cpuShare(before, after) : Number.NaN,
    generatorCpu: reports.reduce((n, r) => n + r.cpuSeconds, 0) / (shape.durationMs / 1000),
    serverWait: (wait1 - wait0) / (shape.durationMs / 1000),
    generatorWait: reports.reduce((n, r) => n + r.runQueueSeconds, 0) / (shape.durationMs / 1000),
    errors,
    ...(reports.find((r) => r.firstError !== undefined)?.firstError !== undefined ? { firstError: reports.find((r) => r.firstError !== undefined)?.firstError as string } : {}),
    sustained: completion >= shape.minCompletion && p99Ms <= shape.maxP99Ms && errors === 0,
  };
}

/**
 * Rate ladder until the system is saturated: a step fell behind (completion below the bound) and delivered
 * no more than 10% above the step before — more offered load no longer buys deliveries. A step that falls
 * behind while deliveries still grow does not stop the ladder: ours batches (one pull carries every
 * message since the member's cursor), so its deliveries keep growing with the rate after a slow start.
 * After the stop, one step between the last step that kept up and the rate that stopped it. The ladder
 * starts with an unrecorded warm-up step (JIT, connection buffers).
 */
async function ladder(ctx: ScenarioContext, shape: Shape, generators: readonly P3Generator[], recipients: number, pid: number | undefined, label: string, profile?: (rate: number) => (phase: 'start' | 'stop') => void): Promise<StepFigures[]> {
  const steps: StepFigures[] = [];
  const run = async (rate: number): Promise<StepFigures> => {
    const step = await runStep(generators, recipients, shape, pid, rate, steps.length, profile?.(rate));
    steps.push(step);
    ctx.log(`p3 ${label} ${rate} msg/s: sent ${step.sent}, ${Math.round(step.deliveriesPerSecond)} deliveries/s, completion ${step.completion.toFixed(3)}, p50 ${step.p50Ms.toFixed(1)} ms, p99 ${step.p99Ms.toFixed(1)} ms, server CPU ${step.serverCpu.toFixed(2)} (waited ${step.serverWait.toFixed(2)}), generator CPU ${step.generatorCpu.toFixed(2)} (waited ${step.generatorWait.toFixed(2)})${step.errors > 0 ? `, ${step.errors} errors (${step.firstError ?? ''})` : ''}${step.sustained ? '' : ' (not sustained)'}`);
    return step;
  };
  await runStep(generators, recipients, { ...shape, durationMs: Math.min(1000, shape.durationMs) }, pid, shape.startRate, -1);
  let rate = shape.startRate;
  let lastGood: number | undefined;
  let previous: StepFigures | undefined;
  for (;;) {
    const step = await run(rate);
    const behind = step.completion < shape.minCompletion || step.errors > 0;
    if (behind && (previous === undefined || step.deliveriesPerSecond <= previous.deliveriesPerSecond * 1.1 || step.completion < 0.5)) break;
    if (!behind) lastGood = rate;
    previous = step;
    if (rate >= shape.maxRate) return steps;
    rate = Math.min(shape.maxRate, Math.round(rate * shape.factor));
  }
  const stopped = steps[steps.length - 1];
  if (lastGood !== undefined && stopped !== undefined && stopped.completion >= 0.5) {
    const between = Math.round(lastGood * Math.sqrt(shape.factor));
    if (between > lastGood && between < rate) {
      // The overloaded step's backlog must be gone first, or it lands in this step's window.
      await new Promise((resolve) => setTimeout(resolve, 2 * shape.drainMs));
      await run(between);
    }
  }
  return steps;
}

function bestOf(steps: readonly StepFigures[]): StepFigures | undefined {
  return steps.filter((s) => s.sustained).sort((a, b) => b.deliveriesPerSecond - a.deliveriesPerSecond)[0];
}

async function withGenerators<T>(ctx: ScenarioContext, shape: Shape, target: Target, roomId: string, body: (generators: P3Generator[], connectMs: number, pinned: boolean) => Promise<T>): Promise<T> {
  const { generators, connectMs, pinned } = await connectGenerators(ctx, shape, target, roomId);
  try {
    return await body(generators, connectMs, pinned);
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
  }
}

async function runOurs(ctx: ScenarioContext, shape: Shape, members: number, intake: boolean, run: number): Promise<Ladder> {
  const profileDir = ctx.flags.get('server-profile');
  const server: BenchServer = await startBenchServer(ctx.plan.server, LIFTED_ARGS, profileDir !== undefined ? INSPECT_ENV : {});
  let profiler: ServerProfiler | undefined;
  try {
    if (profileDir !== undefined) {
      mkdirSync(profileDir, { recursive: true });
      profiler = await attachProfiler(server.running);
    }
    const active = profiler;
    const profiling: Promise<void>[] = [];
    const profile =
      active !== undefined && profileDir !== undefined
        ? (rate: number) => (phase: 'start' | 'stop') => {
            profiling.push(phase === 'start' ? active.start() : active.stop(path.join(profileDir, `p3-server-m${members}-r${rate}-run${run + 1}.cpuprofile`)));
          }
        : undefined;
    const tag = Date.now().toString(36);
    const ids = Array.from({ length: members - 1 }, (_, i) => `m${tag}_${i}`);
    const lifted = serverApi(server.url, LIFTED_APP.key, LIFTED_APP.secret);
    const senderId = `s${tag}`;
    const [sender] = await issueTokens(lifted, [senderId]);
    const users = await issueTokens(lifted, ids);
    const target: Target = { kind: 'lianxin', url: server.url, pid: server.pid, appKey: LIFTED_APP.key, tokens: users.map((u) => u.token), senderToken: sender?.token ?? '', senderId };
    const result = await withGenerators(ctx, shape, target, `room${tag}`, async (generators, connectMs, pinned) => {
      const steps = await ladder(ctx, shape, generators, target.tokens.length, server.pid, `${SHORT.lianxin} ${members}`, profile);
      await Promise.all(profiling);
      return { steps, best: bestOf(steps), connectMs, pinned: pinned && server.pinned };
    });
    if (!intake) return result;
    // The product's own intake: the default app's drop policy, fresh members in a fresh room.
    const [defaultSender] = await issueTokens(server.api, [senderId]);
    const defaultUsers = await issueTokens(server.api, ids);
    const defaultTarget: Target = { ...target, appKey: BENCH_APP.key, tokens: defaultUsers.map((u) => u.token), senderToken: defaultSender?.token ?? '' };
    const intakeRun = await withGenerators(ctx, shape, defaultTarget, `intake${tag}`, async (generators) => {
      const dropped0 = await droppedByPolicy(server.url);
      const step = await runStep(generators, defaultTarget.tokens.length, shape, server.pid, INTAKE_RATE, 1000);
      const dropped = (await droppedByPolicy(server.url)) - dropped0;
      ctx.log(`p3 ${SHORT.lianxin} ${members} at the drop-policy intake (${INTAKE_RATE} msg/s): sent ${step.sent}, dropped by the policy ${dropped}, ${Math.round(step.deliveriesPerSecond)} deliveries/s, completion ${step.completion.toFixed(3)}, p50 ${step.p50Ms.toFixed(1)} ms, p99 ${step.p99Ms.toFixed(1)} ms, server CPU ${step.serverCpu.toFixed(2)} (waited ${step.serverWait.toFixed(2)}), generator CPU ${step.generatorCpu.toFixed(2)} (waited ${step.generatorWait.toFixed(2)})`);
      return { step, dropped };
    });
    return { ...result, intake: intakeRun.step, intakeDropped: intakeRun.dropped };
  } finally {
    profiler?.close();
    await server.stop();
  }
}

async function runPeer(ctx: ScenarioContext, shape: Shape, members: number, kind: 'ws' | 'socketio'): Promise<Ladder> {
  const peer: PeerProcess = await startPeer(ctx.root, kind === 'ws' ? 'p3-ws-broadcast.ts' : 'p3-socketio-room.ts', [], ctx.plan.server);
  try {
    // Ids shaped like ours (runOurs): the peers broadcast a DownStreamMessage carrying the same fromUserId and
    // groupId lengths as the one our server delivers, so every system moves the same bytes per delivery.
    const tag = Date.now().toString(36);
    const target: Target = { kind, url: `http://127.0.0.1:${peer.port}`, pid: peer.pid, appKey: '', tokens: Array.from({ length: members - 1 }, () => ''), senderToken: '', senderId: `s${tag}` };
    return await withGenerators(ctx, shape, target, `room${tag}`, async (generators, connectMs, pinned) => {
      const steps = await ladder(ctx, shape, generators, target.tokens.length, peer.pid, `${SHORT[kind]} ${members}`);
      return { steps, best: bestOf(steps), connectMs, pinned: pinned && peer.pinned };
    });
  } finally {
    await peer.stop();
  }
}

/** Chatroom messages the drop policy dropped so far (all priorities), from the server's /metrics. */
async function droppedByPolicy(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(/^lianxin_dropped_total\{reason="chatroom_\w+_priority"\} (\d+(?:\.\d+)?)$/gm)) total += Number(match[1]);
  return total;
}

function listFlag(text: string | undefined, fallback: readonly number[]): number[] {
  if (text === undefined) return [...fallback];
  const values = text.split(',').map((v) => Number(v.trim()));
  for (const v of values) if (!Number.isInteger(v) || v < 2) throw new Error(`--members takes integers ≥ 2, got ${text}`);
  return values;
}

function peersFlag(text: string | undefined): ('ws' | 'socketio')[] {
  if (text === 'none') return [];
  const names = (text ?? 'ws,socketio').split(',').map((name) => name.trim());
  for (const name of names) if (name !== 'ws' && name !== 'socketio') throw new Error(`--peers takes ws,socketio or none, got ${name}`);
  return names as ('ws' | 'socketio')[];
}

async function run(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const { flags, smoke } = ctx;
  const shape: Shape = {
    perGenerator: intFlag(flags, 'per-generator', smoke ? 10 : 5000, 1, 17_000),
    startRate: intFlag(flags, 'start-rate', smoke ? 20 : 2, 1, 100_000),
    factor: Number(flags.get('factor') ?? 2),
    maxRate: intFlag(flags, 'max-rate', smoke ? 40 : 3200, 1, 1_000_000),
    durationMs: intFlag(flags, 'duration', smoke ? 600 : 3000, 100, 600_000),
    drainMs: intFlag(flags, 'drain', smoke ? 1000 : 2000, 0, 600_000),
    contentBytes: intFlag(flags, 'size', 100, 40, 65_536),
    sampleEvery: intFlag(flags, 'sample', smoke ? 1 : 50, 1, 100_000),
    maxP99Ms: intFlag(flags, 'max-p99', smoke ? 10_000 : 2000, 1, 600_000),
    minCompletion: Number(flags.get('min-completion') ?? 0.99),
  };
  if (!(shape.factor > 1)) throw new Error('--factor must be > 1');
  const sizes = listFlag(flags.get('members'), smoke ? [21] : [5000, 10_000]);
  const runs = intFlag(flags, 'runs', 1, 1, 20);
  const intake = boolFlag(flags, 'intake', true);
  const peers = peersFlag(flags.get('peers'));
  const systems: P3Kind[] = ['lianxin', ...peers];
  const series = new FigureSeries();
  const last = new Map<string, Ladder>();
  const notes: string[] = [];
  let pinningFailed = false;

  for (let r = 0; r < runs; r++) {
    for (const members of sizes) {
      const order = systems.map((_, i) => systems[(i + r) % systems.length] as P3Kind);
      const byKind = new Map<P3Kind, Ladder>();
      for (const kind of order) {
        const result = kind === 'lianxin' ? await runOurs(ctx, shape, members, intake, r) : await runPeer(ctx, shape, members, kind);
        if (!result.pinned) pinningFailed = true;
        byKind.set(kind, result);
        last.set(`${kind}-${members}`, result);
      }
      addFigures(series, members, byKind);
    }
  }
  notes.push(
    `A step is sustained when ≥ ${shape.minCompletion} of its deliveries (sent × (members − 1)) arrived by the end of a ${shape.drainMs} ms drain, p99 ≤ ${shape.maxP99Ms} ms and no pull failed; deliveries/s counts arrivals inside the ${shape.durationMs} ms window. Rates from ${shape.startRate} msg/s × ${shape.factor} per step (after an unrecorded warm-up step) until the system saturates (a step falls behind and delivers ≤ 10% more than the one before, or completes < 0.5), then one step between the last one that kept up and that rate.`,
    'Run-queue wait (Linux schedstat): the share of the window a process was runnable but waiting for a CPU — other work on the machine. The server is pinned to CPU 0 and the generators to CPU 1, but other processes were not kept off those cores; a high generator wait means the clients, not the server, set the pace.',
    'Ours delivers a room message through s_ntf{type:2} + chrmPull (PROTOCOL.md §8.7): the notification is coalesced per event-loop turn and a pull returns every message since the member\'s cursor, so one pull can carry many deliveries; the peers send one frame per message per member (ws) or one packet + one binary attachment (socket.io).',
    `Latency from every ${shape.sampleEvery}th member (send time inside the content; generators on one machine share the wall clock).`,
  );
  const tables: Table[] = [sideBySide(sizes, systems, last), ...sizes.flatMap((m) => systems.map((kind) => ladderTable(kind, m, last.get(`${kind}-${m}`))))];
  const charts = await p3Charts(ctx, sizes, systems, series, smoke);
  return {
    params: { ...shape, members: sizes.join(','), peers: peers.join(',') || 'none', intake, intakeRate: INTAKE_RATE },
    runs,
    pinning: pinningFailed ? `${ctx.plan.note} (pinning failed for some process)` : ctx.plan.note,
    figures: series.figures(),
    tables,
    notes,
    charts,
  };
}

function addFigures(series: FigureSeries, members: number, byKind: ReadonlyMap<P3Kind, Ladder>): void {
  const m = members.toLocaleString('en-US');
  const ours = byKind.get('lianxin');
  const best = ours?.best;
  if (best !== undefined) {
    series.add(`max-${members}`, { label: `${m} members: max sustained deliveries`, unit: 'deliveries/s' }, best.deliveriesPerSecond);
    series.add(`maxrate-${members}`, { label: `${m} members: at send rate`, unit: 'msg/s', decimals: 0 }, best.rate);
    series.add(`p50-${members}`, { label: `${m} members: p50 at max`, unit: 'ms', decimals: 1 }, best.p50Ms);
    series.add(`p99-${members}`, { label: `${m} members: p99 at max`, unit: 'ms', decimals: 1 }, best.p99Ms);
    series.add(`cpu-${members}`, { label: `${m} members: server CPU at max`, unit: 'cores', decimals: 2 }, best.serverCpu);
    series.add(`us-${members}`, { label: `${m} members: server CPU per delivery at max`, unit: 'µs', decimals: 2 }, cpuPerDelivery(best));
    series.add(`gen-${members}`, { label: `${m} members: generator CPU at max`, unit: 'cores', decimals: 2 }, best.generatorCpu);
  }
  const intake = ours?.intake;
  if (intake !== undefined) {
    series.add(`intake-${members}`, { label: `${m} members: deliveries at the drop-policy intake (${INTAKE_RATE} msg/s)`, unit: 'deliveries/s' }, intake.deliveriesPerSecond);
    series.add(`intake-completion-${members}`, { label: `${m} members: completion at intake (dropped messages count as missing)`, unit: '', decimals: 3 }, intake.completion);
    if (ours?.intakeDropped !== undefined && intake.sent > 0) {
      series.add(`intake-dropped-${members}`, { label: `${m} members: share of the intake step's messages dropped by the policy`, unit: '', decimals: 3 }, ours.intakeDropped / intake.sent);
      const accepted = intake.sent - ours.intakeDropped;
      if (accepted > 0) series.add(`intake-accepted-completion-${members}`, { label: `${m} members: completion of the accepted messages at intake`, unit: '', decimals: 3 }, (intake.completion * intake.sent) / accepted);
    }
    series.add(`intake-p99-${members}`, { label: `${m} members: p99 at intake`, unit: 'ms', decimals: 1 }, intake.p99Ms);
    series.add(`intake-cpu-${members}`, { label: `${m} members: server CPU at intake`, unit: 'cores', decimals: 2 }, intake.serverCpu);
    series.add(`intake-gen-${members}`, { label: `${m} members: generator CPU at intake`, unit: 'cores', decimals: 2 }, intake.generatorCpu);
  }
  for (const kind of ['ws', 'socketio'] as const) {
    const theirs = byKind.get(kind)?.best;
    if (theirs === undefined) continue;
    series.add(`${kind}-max-${members}`, { label: `${m} members: ${SHORT[kind]} max sustained`, unit: 'deliveries/s' }, theirs.deliveriesPerSecond);
    series.add(`${kind}-p99-${members}`, { label: `${m} members: ${SHORT[kind]} p99 at max`, unit: 'ms', decimals: 1 }, theirs.p99Ms);
    series.add(`${kind}-cpu-${members}`, { label: `${m} members: ${SHORT[kind]} server CPU at max`, unit: 'cores', decimals: 2 }, theirs.serverCpu);
    series.add(`${kind}-us-${members}`, { label: `${m} members: ${SHORT[kind]} server CPU per delivery at max`, unit: 'µs', decimals: 2 }, cpuPerDelivery(theirs));
    series.add(`${kind}-gen-${members}`, { label: `${m} members: ${SHORT[kind]} generator CPU at max`, unit: 'cores', decimals: 2 }, theirs.generatorCpu);
    if (best !== undefined) {
      const target = kind === 'ws' ? '≥ 0.9' : '≥ 3';
      series.add(`ratio-${kind}-${members}`, { label: `${m} members: ours / ${SHORT[kind]} (max sustained, same run)`, unit: '×', target, decimals: 2 }, best.deliveriesPerSecond / theirs.deliveriesPerSecond);
    }
  }
}

/** Server CPU µs per delivery: the figure that survives a busy machine better than deliveries/s. */
function cpuPerDelivery(step: StepFigures): number {
  return step.deliveriesPerSecond > 0 ? (step.serverCpu / step.deliveriesPerSecond) * 1e6 : Number.NaN;
}

function fmt(value: number, decimals?: number): string {
  return Number.isFinite(value) ? formatNumber(value, decimals) : '—';
}

function sideBySide(sizes: readonly number[], systems: readonly P3Kind[], last: ReadonlyMap<string, Ladder>): Table {
  const rows = sizes.flatMap((m) =>
    systems.map((kind) => {
      const ladderResult = last.get(`${kind}-${m}`);
      const best = ladderResult?.best;
      return [
        m.toLocaleString('en-US'),
        SHORT[kind],
        best === undefined ? '—' : fmt(best.deliveriesPerSecond),
        best === undefined ? '—' : fmt(best.rate, 0),
        best === undefined ? '—' : fmt(best.p50Ms, 1),
        best === undefined ? '—' : fmt(best.p99Ms, 1),
        best === undefined ? '—' : fmt(best.serverCpu, 2),
        best === undefined ? '—' : fmt(best.generatorCpu, 2),
        ladderResult === undefined ? '—' : fmt(ladderResult.connectMs / 1000, 1),
      ];
    }),
  );
  return {
    title: 'Max sustained, side by side (last run)',
    columns: ['Members', 'System', 'Deliveries/s', 'Send rate msg/s', 'p50 ms', 'p99 ms', 'Server CPU', 'Generator CPU', 'Connect + join s'],
    rows,
  };
}

function ladderTable(kind: P3Kind, members: number, result: Ladder | undefined): Table {
  const steps = [...(result?.steps ?? []), ...(result?.intake !== undefined ? [result.intake] : [])];
  return {
    title: `${SHORT[kind]}, ${members.toLocaleString('en-US')} members: every step (last run${kind === 'lianxin' && result?.intake !== undefined ? `; last row = default app at the drop-policy intake` : ''})`,
    columns: ['Send msg/s', 'Deliveries/s', 'Completion', 'p50 ms', 'p99 ms', 'Server CPU', 'Server µs/delivery', 'Server run-queue wait', 'Generator CPU', 'Generator run-queue wait', 'Sustained'],
    rows: steps.map((s) => [fmt(s.rate, 0), fmt(s.deliveriesPerSecond), fmt(s.completion, 3), fmt(s.p50Ms, 1), fmt(s.p99Ms, 1), fmt(s.serverCpu, 2), fmt(cpuPerDelivery(s), 2), fmt(s.serverWait, 2), fmt(s.generatorCpu, 2), fmt(s.generatorWait, 2), s.sustained ? 'yes' : 'no']),
  };
}

async function p3Charts(ctx: ScenarioContext, sizes: readonly number[], systems: readonly P3Kind[], series: FigureSeries, smoke: boolean): Promise<ChartRef[]> {
  const outDir = path.resolve(ctx.root, ctx.flags.get('out') ?? 'bench');
  const figures = series.figures();
  const spread = (values: readonly number[]) => ({ value: median(values), ...minMax(values) });
  const data = sizes.flatMap((m) =>
    systems.flatMap((kind) => {
      const key = kind === 'lianxin' ? `${m.toLocaleString('en-US')} members: max sustained deliveries` : `${m.toLocaleString('en-US')} members: ${SHORT[kind]} max sustained`;
      const values = figures.find((f) => f.label === key)?.values ?? [];
      return values.length === 0 ? [] : [{ group: `${m.toLocaleString('en-US')} members`, series: SHORT[kind], ...spread(values) }];
    }),
  );
  if (data.length === 0) return [];
  return [
    await saveBarChart(outDir, smoke ? 'p3-chatroom-smoke-throughput' : 'p3-chatroom-throughput', {
      title: 'P3 max sustained deliveries/s, one room (same run; whiskers: min – max)',
      yTitle: 'deliveries/s',
      data,
    }),
  ];
}

export const p3Chatroom: Scenario = { name: 'p3-chatroom', aliases: ['p3'], title: 'P3 chatroom fan-out', loadSensitive: true, run };
