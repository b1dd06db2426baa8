/**
 * P6 SDK receive cost (issue #12): our SDK (Node adapter) and the official imlib-v2 2.9.2 client, each
 * in its own process and connected to our server as its own user, are fed the same stream in the same
 * run: a thin client sends every message to each receiver in turn, paced at `--rate` messages/s
 * per receiver. Figure = receiving process CPU time (user + system) per message, from the `expect`
 * mark to the listener call that completes the count (socket read, frame + protobuf decode, sync
 * pulls, dispatch to the listener). A third receiver, a thin protocol client with no SDK, measures
 * the floor that any client pays for the same stream on this machine; a fourth, the same thin client
 * connected with `directPush=1` as our SDK is, measures the floor of the direct `s_msg` path, so our
 * SDK's own per-message work is "ours − direct floor". A warm-up stream precedes each measured one (JIT), and each run
 * uses fresh processes and users on one server.
 *
 * Flags: `--messages 3000 --warmup 500 --rate 400 --runs 3 --timeout 120000`; `--profile DIR` writes a
 * V8 CPU profile of each receiver (`--cpu-prof`, sampled every 100 µs: at 1 ms the SDK's share of a
 * message is a handful of samples).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { encodeByName, encodeUtf8 } from '../../src/internal';
import { intFlag } from '../lib/args';
import { issueTokens, startBenchServer, type BenchUser } from '../lib/bench-server';
import { pinProcess } from '../lib/pin';
import { ThinClient } from '../lib/thin-client';
import type { P6ChildMessage, P6ParentMessage } from '../generators/p6-receiver-protocol';
import { FigureSeries, type Scenario, type ScenarioContext, type ScenarioOutput } from './scenario';

interface Receiver {
  readonly label: string;
  readonly child: ChildProcess;
  readonly user: BenchUser;
  readonly pinned: boolean;
  next(): Promise<P6ChildMessage>;
  post(message: P6ParentMessage): void;
}

/**
 * Our receiver is bundled from source with esbuild (ESM, Node platform, `ws` external) and run by
 * plain `node`, like the official client: running it through tsx would add tsx's loader thread to
 * the process CPU time that the figure is made of.
 */
async function bundleReceiver(root: string, dir: string, name: string): Promise<string> {
  const outfile = path.join(dir, `${name}.mjs`);
  await build({
    entryPoints: [path.join(root, 'bench', 'generators', `${name}.ts`)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['ws'],
    outfile,
    logLevel: 'silent',
    banner: { js: `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(path.join(root, 'package.json'))});` },
  });
  return outfile;
}

function startReceiver(root: string, label: string, file: string, user: BenchUser, cpus: string | undefined, profileDir: string | undefined): Receiver {
  const child = fork(file, [], {
    cwd: root,
    execArgv: profileDir !== undefined ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${profileDir}`] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: P6ChildMessage[] = [];
  let waiter: ((message: P6ChildMessage) => void) | undefined;
  child.on('message', (raw) => {
    const message = raw as P6ChildMessage;
    if (waiter !== undefined) {
      const w = waiter;
      waiter = undefined;
      w(message);
    } else queue.push(message);
  });
  child.once('exit', (code) => {
    const message: P6ChildMessage = { type: 'error', message: `${label} receiver exited (code ${code})` };
    if (waiter !== undefined) waiter(message);
    else queue.push(message);
  });
  return {
    label,
    child,
    user,
    pinned: pinProcess(child.pid, cpus),
    next: () => {
      const queued = queue.shift();
      return queued !== undefined ? Promise.resolve(queued) : new Promise((resolve) => (waiter = resolve));
    },
    post: (message) => {
      if (child.connected) child.send(message);
    },
  };
}

async function expectMessage<T extends P6ChildMessage['type']>(receiver: Receiver, type: T, timeoutMs: number): Promise<Extract<P6ChildMessage, { type: T }>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`p6: ${receiver.label} sent no ${type} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const message = await Promise.race([receiver.next(), timeout]);
    if (message.type === 'error') throw new Error(`p6: ${receiver.label}: ${message.message}`);
    if (message.type !== type) throw new Error(`p6: ${receiver.label}: expected ${type}, got ${message.type}`);
    return message as Extract<P6ChildMessage, { type: T }>;
  } finally {
    clearTimeout(timer);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `count` text messages to each receiver, alternating, paced at `rate` per receiver per second. */
async function stream(sender: ThinClient, receivers: readonly Receiver[], count: number, rate: number, tag: string): Promise<void> {
  const t0 = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const content = encodeUtf8(JSON.stringify({ content: `p6 ${tag} message ${i}: a short chat line of about sixty characters`, extra: String(i) }));
    const payload = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content, configFlag: 0 });
    for (const receiver of receivers) inFlight.push(sender.publish('ppMsgP', receiver.user.userId, payload));
    if (inFlight.length >= 64) await Promise.all(inFlight.splice(0));
    const due = t0 + ((i + 1) * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
  }
  await Promise.all(inFlight);
}

async function measure(sender: ThinClient, receivers: readonly Receiver[], count: number, rate: number, tag: string, timeoutMs: number): Promise<Map<string, Extract<P6ChildMessage, { type: 'done' }>>> {
  for (const receiver of receivers) receiver.post({ type: 'expect', count });
  await sleep(100);
  const done = Promise.all(receivers.map((receiver) => expectMessage(receiver, 'done', timeoutMs)));
  await stream(sender, receivers, count, rate, tag);
  const results = await done;
  return new Map(results.map((result, i) => [receivers[i]?.label ?? String(i), result]));
}

async function run(ctx: ScenarioContext): Promise<ScenarioOutput> {
  const { flags, smoke } = ctx;
  const messages = intFlag(flags, 'messages', smoke ? 100 : 3000, 1, 1_000_000);
  const warmup = intFlag(flags, 'warmup', smoke ? 20 : 500, 1, 1_000_000);
  const rate = intFlag(flags, 'rate', 400, 1, 100_000);
  const runs = intFlag(flags, 'runs', smoke ? 1 : 3, 1, 50);
  const timeoutMs = intFlag(flags, 'timeout', smoke ? 30_000 : 120_000, 1000, 600_000);
  const series = new FigureSeries();
  let pinning = `server on CPU ${ctx.plan.server ?? '—'}, all four receivers on CPU ${ctx.plan.generator ?? '—'}, sender in the orchestrator (unpinned)`;
  // Inside the repo's node_modules so the bundle's `import 'ws'` resolves.
  const cache = path.join(ctx.root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(path.join(cache, 'lianxin-p6-'));
  const ourScript = await bundleReceiver(ctx.root, work, 'p6-receiver-lianxin');
  const thinScript = await bundleReceiver(ctx.root, work, 'p6-receiver-thin');
  const officialScript = path.join(ctx.root, 'bench', 'generators', 'p6-receiver-official.cjs');
  const server = await startBenchServer(ctx.plan.server);
  try {
    for (let r = 0; r < runs; r++) {
      const tag = `${Date.now().toString(36)}r${r}`;
      const [senderUser, ours, official, thin, thinDirect] = await issueTokens(server.api, [`p6s${tag}`, `p6l${tag}`, `p6o${tag}`, `p6t${tag}`, `p6d${tag}`]);
      if (senderUser === undefined || ours === undefined || official === undefined || thin === undefined || thinDirect === undefined) throw new Error('p6: tokens missing');
      const receivers = [
        startReceiver(ctx.root, 'lianxin', ourScript, ours, ctx.plan.generator, flags.get('profile')),
        startReceiver(ctx.root, 'official', officialScript, official, ctx.plan.generator, flags.get('profile')),
        startReceiver(ctx.root, 'thin', thinScript, thin, ctx.plan.generator, flags.get('profile')),
        startReceiver(ctx.root, 'thin-direct', thinScript, thinDirect, ctx.plan.generator, flags.get('profile')),
      ];
      if (!server.pinned || receivers.some((x) => !x.pinned)) pinning = `${ctx.plan.note} (pinning failed)`;
      const sender = await ThinClient.connect({ url: server.url, appKey: 'lxbench', token: senderUser.token });
      try {
        for (const receiver of receivers) {
          receiver.post({ type: 'init', config: { url: server.url, appKey: 'lxbench', token: receiver.user.token, ...(receiver.label === 'thin-direct' ? { direct: true } : {}) } });
        }
        await Promise.all(receivers.map((receiver) => expectMessage(receiver, 'ready', timeoutMs)));
        await measure(sender, receivers, warmup, rate, `${tag}w`, timeoutMs);
        const measured = await measure(sender, receivers, messages, rate, tag, timeoutMs);
        const ourCpu = (measured.get('lianxin')?.cpuMicros ?? Number.NaN) / messages;
        const officialCpu = (measured.get('official')?.cpuMicros ?? Number.NaN) / messages;
        const thinCpu = (measured.get('thin')?.cpuMicros ?? Number.NaN) / messages;
        const directCpu = (measured.get('thin-direct')?.cpuMicros ?? Number.NaN) / messages;
        ctx.log(
          `p6 run ${r + 1}/${runs}: lianxin ${ourCpu.toFixed(1)} µs/msg, official ${officialCpu.toFixed(1)} µs/msg (ratio ${(ourCpu / officialCpu).toFixed(2)}), ` +
            `thin-client floor ${thinCpu.toFixed(1)} µs/msg (pull), ${directCpu.toFixed(1)} µs/msg (direct s_msg)`,
        );
        series.add('ours', { label: 'Our SDK (Node adapter): CPU per received message', unit: 'µs', decimals: 1 }, ourCpu);
        series.add('official', { label: 'Official imlib-v2 2.9.2: CPU per received message', unit: 'µs', decimals: 1 }, officialCpu);
        series.add('ratio', { label: 'Ratio ours / official', unit: '×', target: '≤ 0.33', decimals: 2 }, ourCpu / officialCpu);
        // Our SDK takes the direct path, so its split is against the direct floor; "ours − pull floor" is negative.
        series.add('thin', { label: 'Floor: thin protocol client (ws + frames + pull loop, no SDK)', unit: 'µs', decimals: 1 }, thinCpu);
        series.add('officialAboveFloor', { label: 'Official above the floor', unit: 'µs', decimals: 1 }, officialCpu - thinCpu);
        series.add('thinDirect', { label: 'Floor of the direct path: thin client taking s_msg pushes (directPush=1, no SDK)', unit: 'µs', decimals: 1 }, directCpu);
        series.add('oursAboveDirectFloor', { label: 'Our SDK above the direct floor (its own per-message work)', unit: 'µs', decimals: 1 }, ourCpu - directCpu);
        series.add('oursWall', { label: 'Our SDK: stream start → last message at the listener', unit: 'ms', decimals: 0 }, measured.get('lianxin')?.wallMs ?? Number.NaN);
        series.add('officialWall', { label: 'Official: stream start → last message at the listener', unit: 'ms', decimals: 0 }, measured.get('official')?.wallMs ?? Number.NaN);
      } finally {
        await sender.close();
        for (const receiver of receivers) receiver.post({ type: 'exit' });
        await sleep(300);
        for (const receiver of receivers) if (receiver.child.exitCode === null) receiver.child.kill('SIGKILL');
      }
    }
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return {
    params: { messages, warmup, rate, contentBytes: 90 },
    runs,
    pinning,
    figures: series.figures(),
    notes: [
      'All four receivers get the same messages (private RC:TxtMsg from one sender, round-robin over the receivers) in the same run. The official client and the pull-path thin client are notified (s_ntf) and pull (the protocol\'s sync loop); our SDK and the direct thin client connect with directPush=1 and get each stored message pushed as s_msg.',
      'A third receiver, a thin protocol client (bench/lib/thin-client.ts) on the same stream, gives the floor every client pays on this machine (socket, frames, the pull round trips) before doing anything with a message.',
      'A fourth receiver, the same thin client connected with directPush=1 as our SDK is, takes stored messages as s_msg pushes with no round trip: the floor under our SDK, whose own per-message work is the difference.',
      'Our SDK is bundled from source with esbuild and run by plain node (no tsx loader thread in its CPU time); the official client runs unmodified (its CommonJS build) on the browser host shims of test/support/official-client/.',
    ],
  };
}

export const p6ReceiveCost: Scenario = { name: 'p6-receive-cost', aliases: ['p6'], title: 'P6 SDK receive cost', loadSensitive: true, run };
