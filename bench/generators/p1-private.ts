/**
 * P1 generator: `senders` thin clients each keep `window` persisted private messages (`ppMsgP`, qos 1)
 * in flight to random receivers; receivers get them through `s_ntf` → `pullMsg`. The send time (this
 * process's monotonic clock) travels inside the message, so send→receive latency needs no clock sync.
 * Phases: connect, warm-up (not counted), measure, then drain (no new sends) until every acked message
 * was delivered or `drainMs` passed.
 */
import { decodeUtf8, encodeByName, encodeUtf8 } from '../../src/internal';
import { generatorMain } from '../lib/generator';
import type { BenchUser } from '../lib/bench-server';
import { LatencySampler, percentile } from '../lib/stats';
import { InboxPuller, ThinClient, type PulledMessage } from '../lib/thin-client';

export interface P1Config {
  readonly url: string;
  readonly appKey: string;
  readonly senders: readonly BenchUser[];
  readonly receivers: readonly BenchUser[];
  readonly window: number;
  readonly contentBytes: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly drainMs: number;
}

export interface P1Result {
  readonly connectMs: number;
  readonly deliveredPerSecond: number;
  readonly ackedPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  readonly sent: number;
  readonly acked: number;
  readonly delivered: number;
  /** Acked but never delivered after the drain: must be 0 (the PUBACK promises durability). */
  readonly lost: number;
  readonly duplicates: number;
  readonly refused: number;
  readonly pullErrors: number;
  readonly generatorCpu: number;
}

const STAMP = '"extra":"t=';

async function connectAll(config: P1Config, users: readonly BenchUser[], batch = 50): Promise<ThinClient[]> {
  const clients: ThinClient[] = [];
  for (let i = 0; i < users.length; i += batch) {
    const slice = users.slice(i, i + batch);
    clients.push(...(await Promise.all(slice.map((u) => ThinClient.connect({ url: config.url, appKey: config.appKey, token: u.token })))));
  }
  return clients;
}

async function main(config: P1Config, phase: (name: string) => void): Promise<P1Result> {
  const t0 = performance.now();
  const receivers = await connectAll(config, config.receivers);
  const senders = await connectAll(config, config.senders);
  const connectMs = performance.now() - t0;

  const padding = 'x'.repeat(Math.max(0, config.contentBytes - 40));
  const latency = new LatencySampler();
  const ackLatency = new LatencySampler();
  const seen = new Set<string>();
  let measureStart = Number.POSITIVE_INFINITY;
  let measureEnd = Number.POSITIVE_INFINITY;
  let sendUntil = Number.POSITIVE_INFINITY;
  let sent = 0;
  let acked = 0;
  let refused = 0;
  let delivered = 0;
  let deliveredInWindow = 0;
  let ackedInWindow = 0;
  let duplicates = 0;

  const onMessages = (messages: readonly PulledMessage[]): void => {
    const now = performance.now();
    for (const message of messages) {
      if (seen.has(message.msgId)) {
        duplicates += 1;
        continue;
      }
      seen.add(message.msgId);
      delivered += 1;
      const text = decodeUtf8(message.content);
      const at = text.lastIndexOf(STAMP);
      const sentAt = at < 0 ? Number.NaN : Number.parseFloat(text.slice(at + STAMP.length));
      if (now >= measureStart && now < measureEnd) deliveredInWindow += 1;
      if (sentAt >= measureStart && sentAt < measureEnd) latency.add(now - sentAt);
    }
  };
  const pullers = receivers.map((client) => new InboxPuller(client, onMessages));

  const sendOne = (client: ThinClient): void => {
    const sentAt = performance.now();
    if (sentAt >= sendUntil) return;
    const target = config.receivers[Math.floor(Math.random() * config.receivers.length)] as BenchUser;
    const content = `{"content":"${padding}",${STAMP}${sentAt.toFixed(3)}"}`;
    const payload = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: encodeUtf8(content), configFlag: 0 });
    sent += 1;
    void client.publish('ppMsgP', target.userId, payload).then((ack) => {
      const now = performance.now();
      if (ack.status === 0) {
        acked += 1;
        if (now >= measureStart && now < measureEnd) ackedInWindow += 1;
        if (sentAt >= measureStart && sentAt < measureEnd) ackLatency.add(now - sentAt);
      } else {
        refused += 1;
      }
      sendOne(client);
    });
  };

  const started = performance.now();
  measureStart = started + config.warmupMs;
  measureEnd = measureStart + config.durationMs;
  sendUntil = measureEnd;
  for (const client of senders) for (let i = 0; i < config.window; i++) sendOne(client);

  await sleep(config.warmupMs);
  phase('measure-start');
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  await sleep(Math.max(0, measureEnd - performance.now()));
  phase('measure-end');
  const cpu = process.cpuUsage(cpuStart);
  const wall = performance.now() - wallStart;

  const drainDeadline = performance.now() + config.drainMs;
  while (performance.now() < drainDeadline && (senders.some((c) => c.inFlight > 0) || delivered < acked)) await sleep(20);

  await Promise.all([...senders, ...receivers].map((c) => c.close()));
  const latencies = latency.values();
  const acks = ackLatency.values();
  const seconds = config.durationMs / 1000;
  return {
    connectMs,
    deliveredPerSecond: deliveredInWindow / seconds,
    ackedPerSecond: ackedInWindow / seconds,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    latencyMaxMs: percentile(latencies, 100),
    ackP50Ms: percentile(acks, 50),
    ackP99Ms: percentile(acks, 99),
    sent,
    acked,
    delivered,
    lost: Math.max(0, acked - delivered),
    duplicates,
    refused,
    pullErrors: pullers.reduce((n, p) => n + p.errors, 0),
    generatorCpu: (cpu.user + cpu.system) / 1000 / wall,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

generatorMain(main);
