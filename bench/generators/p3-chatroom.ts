/**
 * P3 generator: one process holds a slice of the room's members (all three systems: ours, raw `ws`
 * broadcast, socket.io room) and, in one of the processes, the sender. The orchestrator
 * (scenarios/p3-chatroom.ts, through p3-control.ts) runs rate steps: every process gets the same step
 * with absolute start/end times (epoch ms), the sender publishes at `rate` msg/s between them (open loop,
 * paced by elapsed time, not by acks), every member counts deliveries, and sampled members record
 * send → receive latency. A delivery counts for the window when it arrives between start and end; the
 * drain after `end` lets late deliveries arrive (they count for completion, not for the rate).
 *
 * IPC: parent → { type: 'start', config }; child → { type: 'ready', … };
 * parent → { type: 'step', step } (repeated); child → { type: 'step', … } after end + drain;
 * parent → { type: 'stop' }; child closes its members and exits.
 */
import { readFileSync } from 'node:fs';
import { encodeByName, encodeUtf8 } from '../../src/internal';
import { LatencySampler } from '../lib/stats';
import { connectMember, epochNow, messageContent, peerMessage, sentAtOf, type Delivery, type Member, type P3Kind } from './p3-clients';

export interface P3GeneratorConfig {
  readonly kind: P3Kind;
  readonly url: string;
  readonly appKey: string;
  readonly roomId: string;
  /** One per member of this process (ws/socketio: only the count matters). */
  readonly tokens: readonly string[];
  /** This process also hosts the sender (connected and joined first). */
  readonly senderToken?: string;
  readonly senderId?: string;
  readonly localAddress?: string;
  /** Every `sampleEvery`-th member decodes its messages for latency. */
  readonly sampleEvery: number;
  readonly contentBytes: number;
  /** Connection (and join) attempts in flight at once. */
  readonly concurrency: number;
}

export interface P3Step {
  readonly id: number;
  /** Messages per second the sender publishes. */
  readonly rate: number;
  readonly startAt: number;
  readonly endAt: number;
  readonly drainMs: number;
}

export interface P3Ready {
  readonly type: 'ready';
  readonly connected: number;
  readonly connectMs: number;
}

export interface P3StepReport {
  readonly type: 'step';
  readonly id: number;
  /** Messages the sender published (0 in processes without the sender). */
  readonly sent: number;
  /** Deliveries that arrived between start and end. */
  readonly inWindow: number;
  /** Deliveries from start to end + drain. */
  readonly total: number;
  readonly latencies: readonly number[];
  readonly errors: number;
  readonly firstError?: string;
  /** This process's CPU seconds between start and end. */
  readonly cpuSeconds: number;
  /** Seconds this process was runnable but waiting for a CPU between start and end (Linux schedstat). */
  readonly runQueueSeconds: number;
}

/** Seconds `pid` (default: this process) has waited on a run queue so far; 0 where schedstat is missing. */
export function runQueueSeconds(pid: number | 'self' = 'self'): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return 0;
  }
}

type Inbound = { readonly type: 'start'; readonly config: P3GeneratorConfig } | { readonly type: 'step'; readonly step: P3Step } | { readonly type: 'stop' };

/** Sends at most this many messages per pacing tick (a stalled timer must not turn into one huge burst). */
const MAX_BURST = 200;

class Counter implements Delivery {
  inWindow = 0;
  total = 0;
  errors = 0;
  firstError: string | undefined;
  latencies = new LatencySampler(100_000);
  window: { readonly startAt: number; readonly endAt: number } | undefined;

  get since(): number {
    return this.window === undefined ? Number.POSITIVE_INFINITY : Math.floor(this.window.startAt);
  }

  count(n: number): void {
    if (this.window === undefined || n === 0) return;
    this.total += n;
    const now = epochNow();
    if (now >= this.window.startAt && now <= this.window.endAt) this.inWindow += n;
  }

  sample(content: Uint8Array): void {
    if (this.window === undefined) return;
    const sentAt = sentAtOf(content);
    if (sentAt >= this.window.startAt) this.latencies.add(epochNow() - sentAt);
  }

  error(message: string): void {
    this.errors++;
    this.firstError ??= message;
  }

  reset(window: { readonly startAt: number; readonly endAt: number }): void {
    this.inWindow = 0;
    this.total = 0;
    this.latencies = new LatencySampler(100_000);
    this.window = window;
  }
}

const counter = new Counter();
let members: Member[] = [];
/** Every connected member (and the sender) as they connect: the heartbeat walks it. */
const live: Member[] = [];
let sender: Member | undefined;
let seq = 0;

function send(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, undefined, () => resolve());
  });
}

async function connectAll(config: P3GeneratorConfig): Promise<P3Ready> {
  const t0 = performance.now();
  const base = { kind: config.kind, url: config.url, appKey: config.appKey, roomId: config.roomId, ...(config.localAddress !== undefined ? { localAddress: config.localAddress } : {}) };
  startHeartbeats();
  if (config.senderToken !== undefined) {
    sender = await connectMember({ ...base, token: config.senderToken, sampled: false }, counter);
    live.push(sender);
  }
  const connected: Member[] = new Array<Member>(config.tokens.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < config.tokens.length) {
      const index = next++;
      const member = await connectMember({ ...base, token: config.tokens[index] as string, sampled: index % config.sampleEvery === 0 }, counter);
      connected[index] = member;
      live.push(member);
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, config.tokens.length) }, worker));
  members = connected;
  return { type: 'ready', connected: members.length, connectMs: performance.now() - t0 };
}

/** E4's 15 s heartbeat from one shared tick walking a slice of the members (no timer per member). */
const HEARTBEAT_MS = 15_000;
const HEARTBEAT_TICK_MS = 250;
function startHeartbeats(): void {
  let next = 0;
  const timer = setInterval(() => {
    const slice = Math.ceil((live.length * HEARTBEAT_TICK_MS) / HEARTBEAT_MS);
    for (let i = 0; i < slice && live.length > 0; i++) (live[next++ % live.length] as Member).ping();
  }, HEARTBEAT_TICK_MS);
  timer.unref();
}

function payloadFor(config: P3GeneratorConfig, sentAt: number): Uint8Array {
  seq++;
  const content = messageContent(sentAt, seq, config.contentBytes);
  if (config.kind === 'lianxin') return encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: encodeUtf8(content), configFlag: 0 });
  return peerMessage(config.roomId, config.senderId ?? 'sender', content, seq, sentAt);
}

/** Open-loop pacing: at each 1 ms tick, send what `rate` says should have been sent by now. */
function paceSender(config: P3GeneratorConfig, step: P3Step): Promise<number> {
  const member = sender;
  if (member === undefined) return Promise.resolve(0);
  return new Promise((resolve) => {
    let sent = 0;
    const tick = (): void => {
      const now = epochNow();
      const due = Math.min(Math.floor(((Math.min(now, step.endAt) - step.startAt) / 1000) * step.rate), sent + MAX_BURST);
      while (sent < due) {
        member.send(payloadFor(config, epochNow()));
        sent++;
      }
      if (now >= step.endAt) {
        clearInterval(timer);
        resolve(sent);
      }
    };
    const timer = setInterval(tick, 1);
  });
}

const sleepUntil = (at: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - epochNow())));

async function runStep(config: P3GeneratorConfig, step: P3Step): Promise<P3StepReport> {
  await sleepUntil(step.startAt);
  counter.reset(step);
  const cpu0 = process.cpuUsage();
  const wait0 = runQueueSeconds();
  const sending = paceSender(config, step);
  await sleepUntil(step.endAt);
  const cpu = process.cpuUsage(cpu0);
  const waited = runQueueSeconds() - wait0;
  const sent = await sending;
  await sleepUntil(step.endAt + step.drainMs);
  const report: P3StepReport = {
    type: 'step',
    id: step.id,
    sent,
    inWindow: counter.inWindow,
    total: counter.total,
    latencies: counter.latencies.values(),
    errors: counter.errors,
    ...(counter.firstError !== undefined ? { firstError: counter.firstError } : {}),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    runQueueSeconds: waited,
  };
  counter.window = undefined;
  return report;
}

let config: P3GeneratorConfig | undefined;
process.on('message', (raw) => {
  const message = raw as Inbound;
  const fail = (error: unknown): Promise<void> => send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  if (message.type === 'start') {
    config = message.config;
    connectAll(message.config).then(send, fail);
  } else if (message.type === 'step' && config !== undefined) {
    runStep(config, message.step).then(send, fail);
  } else if (message.type === 'stop') {
    void Promise.race([Promise.all(live.map((m) => m.close())), new Promise((resolve) => setTimeout(resolve, 3000))]).finally(() => process.exit(0));
  }
});
