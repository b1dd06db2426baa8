/**
 * The measurement shared by every P1 generator (ours, aedes + mqtt, raw ws relay), so the three systems
 * are driven by the same load and counted the same way. Closed loop (the default): `senders` each keep
 * `window` messages in flight to random receivers (a new send on each ack) — the throughput at saturation.
 * Open loop (`rate`): sends leave on a fixed schedule, `rate` per second over the senders in turn, whatever
 * the acks — the latency at a given offered load. Each message's latency counts from its scheduled time,
 * so a generator that falls behind its schedule adds to the figure instead of hiding it (no coordinated
 * omission). Warm-up is not counted, then a measured window, then a drain without new sends until every
 * acked message was delivered or `drainMs` passed. The send time (this process's monotonic clock) travels
 * inside the payload, so latency needs no clock sync.
 */
import { LatencySampler, percentile } from '../lib/stats';

export interface P1Shape {
  readonly window: number;
  /** Open loop: messages per second offered, whatever the acks (`window` is then unused). */
  readonly rate?: number;
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
  /** Acked but never delivered after the drain: must be 0 (the ack promises delivery / durability). */
  readonly lost: number;
  readonly duplicates: number;
  readonly refused: number;
  readonly pullErrors: number;
  readonly generatorCpu: number;
}

/** `{"content":"xxx…","extra":"t=<sentAt>;<id>"}`: the same bytes for every system at a given size. */
export const STAMP = '"extra":"t=';

export function messageText(padding: string, sentAt: number, id: string): string {
  return `{"content":"${padding}",${STAMP}${sentAt.toFixed(3)};${id}"}`;
}

/** Padding that makes `messageText` about `contentBytes` long (the stamp takes ~40 bytes). */
export function paddingFor(contentBytes: number): string {
  return 'x'.repeat(Math.max(0, contentBytes - 48));
}

/** The send time and message id carried by `messageText`, or undefined when absent. */
export function readStamp(text: string): { sentAt: number; id: string } | undefined {
  const at = text.lastIndexOf(STAMP);
  if (at < 0) return undefined;
  const rest = text.slice(at + STAMP.length, text.length - 2);
  const semi = rest.indexOf(';');
  if (semi < 0) return undefined;
  return { sentAt: Number.parseFloat(rest.slice(0, semi)), id: rest.slice(semi + 1) };
}

export class P1Meter {
  private readonly latency = new LatencySampler();
  private readonly ackLatency = new LatencySampler();
  private readonly seen = new Set<string>();
  private measureStart = Number.POSITIVE_INFINITY;
  private measureEnd = Number.POSITIVE_INFINITY;
  private sendUntil = Number.POSITIVE_INFINITY;
  private sent = 0;
  private acked = 0;
  private refused = 0;
  private delivered = 0;
  private deliveredInWindow = 0;
  private ackedInWindow = 0;
  private duplicates = 0;
  private seq = 0;

  constructor(private readonly shape: P1Shape) {}

  /** Whether a new send may start now (false once the measured window is over). */
  get sending(): boolean {
    return performance.now() < this.sendUntil;
  }

  /** Whether a sender sends again on each ack (closed loop), rather than on the meter's schedule. */
  get closedLoop(): boolean {
    return this.shape.rate === undefined;
  }

  get outstanding(): number {
    return this.acked - this.delivered;
  }

  /** A fresh message id (unique within this generator run). */
  nextId(sender: number): string {
    this.seq += 1;
    return `${sender}.${this.seq}`;
  }

  onSent(): void {
    this.sent += 1;
  }

  onAck(sentAt: number, ok: boolean): void {
    const now = performance.now();
    if (!ok) {
      this.refused += 1;
      return;
    }
    this.acked += 1;
    if (now >= this.measureStart && now < this.measureEnd) this.ackedInWindow += 1;
    if (sentAt >= this.measureStart && sentAt < this.measureEnd) this.ackLatency.add(now - sentAt);
  }

  /** A message reached its receiver; `text` is its content as sent. */
  onDelivered(text: string): void {
    const now = performance.now();
    const stamp = readStamp(text);
    if (stamp === undefined) return;
    if (this.seen.has(stamp.id)) {
      this.duplicates += 1;
      return;
    }
    this.seen.add(stamp.id);
    this.delivered += 1;
    if (now >= this.measureStart && now < this.measureEnd) this.deliveredInWindow += 1;
    if (stamp.sentAt >= this.measureStart && stamp.sentAt < this.measureEnd) this.latency.add(now - stamp.sentAt);
  }

  /**
   * Starts the senders and runs warm-up, measured window and drain, and returns the figures. Closed loop:
   * `start` is called once per sender slot and keeps its slot busy by sending again on each ack while
   * `sending`. Open loop: `start` sends one message, called on the schedule with the time it was due.
   */
  async run(options: {
    readonly senders: number;
    readonly start: (sender: number, dueAt?: number) => void;
    readonly phase: (name: string) => void;
    /** Whether some send is still awaiting its ack (for the drain). */
    readonly inFlight: () => boolean;
    readonly connectMs: number;
    readonly pullErrors?: () => number;
  }): Promise<P1Result> {
    const { shape } = this;
    const started = performance.now();
    this.measureStart = started + shape.warmupMs;
    this.measureEnd = this.measureStart + shape.durationMs;
    this.sendUntil = this.measureEnd;
    if (shape.rate === undefined) {
      for (let s = 0; s < options.senders; s++) for (let i = 0; i < shape.window; i++) options.start(s);
    } else {
      this.pace(shape.rate, started, options.senders, options.start);
    }

    await sleep(shape.warmupMs);
    options.phase('measure-start');
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    await sleep(Math.max(0, this.measureEnd - performance.now()));
    options.phase('measure-end');
    const cpu = process.cpuUsage(cpuStart);
    const wall = performance.now() - wallStart;

    const drainDeadline = performance.now() + shape.drainMs;
    while (performance.now() < drainDeadline && (options.inFlight() || this.delivered < this.acked)) await sleep(20);

    const latencies = this.latency.values();
    const acks = this.ackLatency.values();
    const seconds = shape.durationMs / 1000;
    return {
      connectMs: options.connectMs,
      deliveredPerSecond: this.deliveredInWindow / seconds,
      ackedPerSecond: this.ackedInWindow / seconds,
      latencyP50Ms: percentile(latencies, 50),
      latencyP99Ms: percentile(latencies, 99),
      latencyMaxMs: percentile(latencies, 100),
      ackP50Ms: percentile(acks, 50),
      ackP99Ms: percentile(acks, 99),
      sent: this.sent,
      acked: this.acked,
      delivered: this.delivered,
      lost: Math.max(0, this.acked - this.delivered),
      duplicates: this.duplicates,
      refused: this.refused,
      pullErrors: options.pullErrors?.() ?? 0,
      generatorCpu: (cpu.user + cpu.system) / 1000 / wall,
    };
  }

  /**
   * The open loop's schedule: every millisecond or so, the sends that came due since, each stamped with the
   * time it was due, over the senders in turn, until `sending` ends (bounded by the measured window).
   */
  private pace(rate: number, started: number, senders: number, start: (sender: number, dueAt: number) => void): void {
    const interval = 1000 / rate;
    let issued = 0;
    const tick = (): void => {
      if (!this.sending) return;
      const due = Math.floor((performance.now() - started) / interval) + 1;
      for (; issued < due; issued++) start(issued % senders, started + issued * interval);
      setTimeout(tick, 1);
    };
    tick();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Connects `count` clients `batch` at a time (a connect storm is not what P1 measures). */
export async function connectInBatches<C>(count: number, connect: (index: number) => Promise<C>, batch = 50): Promise<C[]> {
  const clients: C[] = [];
  for (let i = 0; i < count; i += batch) {
    const slice = Array.from({ length: Math.min(batch, count - i) }, (_, k) => i + k);
    clients.push(...(await Promise.all(slice.map(connect))));
  }
  return clients;
}
