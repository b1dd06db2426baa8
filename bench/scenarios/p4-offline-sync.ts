/**
 * P4 offline sync (issue #12): a user with `pending` stored messages reconnects with our SDK (Node
 * adapter, public v2 API) in the generator process; figure = reconnect → last message delivered to
 * the listener. Fresh server per run.
 */
import { intFlag } from '../lib/args';
import { issueTokens, startBenchServer } from '../lib/bench-server';
import { runGenerator } from '../lib/generator';
import type { P4Config, P4Result } from '../generators/p4-offline-sync';
import { FigureSeries, type Scenario, type ScenarioContext, type ScenarioOutput } from './scenario';

async function run(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const { flags, smoke } = ctx;
  const pending = intFlag(flags, 'pending', smoke ? 300 : 10_000, 1, 1_000_000);
  const window = intFlag(flags, 'window', 32, 1, 1000);
  const runs = intFlag(flags, 'runs', smoke ? 1 : 3, 1, 50);
  const timeoutMs = intFlag(flags, 'timeout', smoke ? 20_000 : 120_000, 1000, 600_000);
  const series = new FigureSeries();
  const notes: string[] = [];
  let pinning = ctx.plan.note;

  for (let r = 0; r < runs; r++) {
    const server = await startBenchServer(ctx.plan.server);
    try {
      const tag = `${Date.now().toString(36)}r${r}`;
      const [sender, receiver] = await issueTokens(server.api, [`p4s${tag}`, `p4r${tag}`]);
      if (sender === undefined || receiver === undefined) throw new Error('p4: tokens missing');
      const config: P4Config = { url: server.url, appKey: 'lxbench', sender, receiver, pending, window, timeoutMs };
      const { result, pinned } = await runGenerator<P4Result>(ctx.root, 'p4-offline-sync.ts', config, { cpus: ctx.plan.generator,
        profileDir: flags.get('profile'), timeoutMs: timeoutMs * 3 + 30_000 });
      if (!pinned || !server.pinned) pinning = `${ctx.plan.note} (pinning failed)`;
      ctx.log(`p4 run ${r + 1}/${runs}: ${result.received} messages in ${Math.round(result.allDeliveredMs)} ms after reconnect (connect ${Math.round(result.connectMs)} ms)`);
      series.add('all', { label: `Reconnect → all ${pending} at the listener`, unit: 'ms', target: '≤ 1,000 ms (10,000 messages)', decimals: 0 }, result.allDeliveredMs);
      series.add('connect', { label: 'Reconnect → onSuccess', unit: 'ms', decimals: 1 }, result.connectMs);
      series.add('first', { label: 'Reconnect → first message', unit: 'ms', decimals: 1 }, result.firstMessageMs);
      series.add('rate', { label: 'Listener delivery rate', unit: 'msg/s' }, result.received / (result.allDeliveredMs / 1000));
      series.add('sdkCpu', { label: 'SDK process CPU, reconnect → all delivered', unit: 'ms', decimals: 0 }, result.generatorCpuSeconds * 1000);
      series.add('seed', { label: `Seeding rate (1 connection, ${window} in flight)`, unit: 'msg/s' }, result.seedPerSecond);
      if (result.distinct !== pending || !result.inOrder) notes.push(`Run ${r + 1}: ${result.distinct} distinct of ${pending}, in order: ${String(result.inOrder)}.`);
    } finally {
      await server.stop();
    }
  }
  notes.push('The SDK runs from source through tsx (same code as dist/node.mjs); the pull page size is the server\'s (200).');
  return { params: { pending, window }, runs, pinning, figures: series.figures(), notes };
}

export const p4OfflineSync: Scenario = { name: 'p4-offline-sync', aliases: ['p4'], title: 'P4 offline sync', loadSensitive: true, run };
