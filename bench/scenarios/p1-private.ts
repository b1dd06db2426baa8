/**
 * P1 persisted private messaging (issue #12): `pairs` senders and `pairs` receivers, each sender
 * keeping `window` messages in flight to random receivers; every message is committed before its
 * PUBACK and reaches the online recipient through s_ntf → pullMsg. A fresh server (and data
 * directory) per run, so runs are independent.
 */
import { intFlag } from '../lib/args';
import { issueTokens, startBenchServer } from '../lib/bench-server';
import { runGenerator } from '../lib/generator';
import { cpuShare, sampleProcess, type ProcSample } from '../lib/proc-stats';
import type { P1Config, P1Result } from '../generators/p1-private';
import { FigureSeries, type Scenario, type ScenarioContext, type ScenarioOutput } from './scenario';

async function run(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const { flags, smoke } = ctx;
  const pairs = intFlag(flags, 'pairs', smoke ? 4 : 200);
  const window = intFlag(flags, 'window', smoke ? 2 : 4, 1, 1000);
  const contentBytes = intFlag(flags, 'size', 100, 40, 65_536);
  const durationMs = intFlag(flags, 'duration', smoke ? 1000 : 10_000, 100, 600_000);
  const warmupMs = intFlag(flags, 'warmup', smoke ? 300 : 3000, 0, 600_000);
  const drainMs = intFlag(flags, 'drain', smoke ? 3000 : 10_000, 0, 600_000);
  const runs = intFlag(flags, 'runs', smoke ? 1 : 3, 1, 50);
  const series = new FigureSeries();
  const notes: string[] = [];
  let pinning = ctx.plan.note;
  let dataFs = '';

  for (let r = 0; r < runs; r++) {
    const server = await startBenchServer(ctx.plan.server);
    dataFs = server.dataFs;
    try {
      const tag = `${Date.now().toString(36)}r${r}`;
      const ids = (prefix: string): string[] => Array.from({ length: pairs }, (_, i) => `${prefix}${tag}_${i}`);
      const senders = await issueTokens(server.api, ids('s'));
      const receivers = await issueTokens(server.api, ids('r'));
      const config: P1Config = { url: server.url, appKey: 'lxbench', senders, receivers, window, contentBytes, warmupMs, durationMs, drainMs };
      let before: ProcSample | undefined;
      let after: ProcSample | undefined;
      const { result, pinned } = await runGenerator<P1Result>(ctx.root, 'p1-private.ts', config, {
        cpus: ctx.plan.generator,
        profileDir: flags.get('profile'),
        timeoutMs: warmupMs + durationMs + drainMs + 120_000,
        onPhase: (phase) => {
          if (phase === 'measure-start') before = sampleProcess(server.pid);
          if (phase === 'measure-end') after = sampleProcess(server.pid);
        },
      });
      if (!pinned || !server.pinned) pinning = `${ctx.plan.note} (pinning failed for ${!server.pinned ? 'server' : 'generator'})`;
      ctx.log(`p1 run ${r + 1}/${runs}: ${Math.round(result.deliveredPerSecond)} delivered/s, p50 ${result.latencyP50Ms.toFixed(1)} ms, p99 ${result.latencyP99Ms.toFixed(1)} ms, lost ${result.lost}`);
      series.add('delivered', { label: 'Delivered', unit: 'msg/s', target: '≥ 20,000 (one server core, 200 pairs)' }, result.deliveredPerSecond);
      series.add('acked', { label: 'Acked (PUBACK after commit)', unit: 'msg/s' }, result.ackedPerSecond);
      series.add('p50', { label: 'Send → receive p50', unit: 'ms', decimals: 1 }, result.latencyP50Ms);
      series.add('p99', { label: 'Send → receive p99', unit: 'ms', target: '≤ 50 ms', decimals: 1 }, result.latencyP99Ms);
      series.add('max', { label: 'Send → receive max', unit: 'ms', decimals: 1 }, result.latencyMaxMs);
      series.add('ack99', { label: 'Send → PUBACK p99', unit: 'ms', decimals: 1 }, result.ackP99Ms);
      if (before !== undefined && after !== undefined) {
        series.add('serverCpu', { label: 'Server CPU during measurement', unit: 'cores', decimals: 2 }, cpuShare(before, after));
        series.add('serverRss', { label: 'Server RSS at end of measurement', unit: 'MB', decimals: 0 }, after.rssBytes / 1e6);
      }
      series.add('genCpu', { label: 'Generator CPU during measurement', unit: 'cores', decimals: 2 }, result.generatorCpu);
      series.add('lost', { label: 'Acked but not delivered after drain', unit: 'msg', target: '0', decimals: 0 }, result.lost);
      series.add('dup', { label: 'Duplicate deliveries', unit: 'msg', decimals: 0 }, result.duplicates);
      series.add('refused', { label: 'Refused sends (non-zero PUBACK status)', unit: 'msg', decimals: 0 }, result.refused);
      if (result.lost > 0) notes.push(`Run ${r + 1}: ${result.lost} acked messages were not delivered within the ${drainMs} ms drain.`);
    } finally {
      await server.stop();
    }
  }
  notes.push(`Server data directory on ${dataFs} (SQLite WAL; fsync cost depends on the filesystem).`);
  notes.push('Peers not measured yet: aedes QoS1 + mqtt are not installed; the raw ws request/ack relay (ws is installed) is the next step.');
  return {
    params: { pairs, window, contentBytes, warmupMs, durationMs, drainMs },
    runs,
    pinning,
    figures: series.figures(),
    notes,
  };
}

export const p1Private: Scenario = { name: 'p1-private', aliases: ['p1'], title: 'P1 persisted private messaging', loadSensitive: true, run };
