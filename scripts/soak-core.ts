/**
 * Soak (issue #13), shared by `npm run soak -- --minutes N` and the 60-second jest version: mixed
 * traffic against a real server process for a fixed time — private messages between user pairs at
 * a steady rate (PUBACK, then s_ntf → pullMsg delivery), a client reconnecting every `churnEveryMs`,
 * and a Server API call plus /healthz every second — while the server's RSS, V8 heap, open file
 * descriptors and session count and the send→PUBACK latency are sampled. Reports the drift between
 * the baseline sample (the first one at or after `baselineAtMs`, i.e. after warm-up) and the last
 * one; every acked message must be delivered exactly once (sequence numbers in the content).
 */
import { readdirSync } from 'node:fs';
import { decodeByName, encodeByName, encodeUtf8, decodeUtf8 } from '../src/internal';
import { ThinClient } from '../bench/lib/thin-client';
import { LatencySampler, percentile } from '../bench/lib/stats';
import type { ServerApiClient } from '../test/support/server-api-client';
import type { GcMemory } from './server-inspector';

export interface SoakUser {
  readonly userId: string;
  readonly token: string;
}

export interface SoakOptions {
  readonly url: string;
  readonly appKey: string;
  /** An even number: user 2k sends to 2k+1 and back. */
  readonly users: readonly SoakUser[];
  readonly api: ServerApiClient;
  /** Server process id (fd count from /proc); undefined skips the fd figure. */
  readonly pid: number | undefined;
  readonly metricsToken?: string;
  readonly durationMs: number;
  readonly messagesPerSecond: number;
  readonly churnEveryMs: number;
  readonly sampleEveryMs: number;
  /** RSS/heap/fd baseline: the first sample taken at or after this (default: the first sample after traffic started). */
  readonly baselineAtMs?: number;
  /** The server's memory after a forced full GC (scripts/server-inspector.ts), read at the baseline and at the end. */
  readonly memory?: () => Promise<GcMemory>;
  readonly log?: (line: string) => void;
}

export interface SoakSample {
  readonly atSeconds: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly fds: number;
  readonly sessions: number;
  readonly acked: number;
  /** Distinct acked-or-not messages pulled by their receivers so far. */
  readonly delivered: number;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
}

export interface SoakReport {
  readonly durationMs: number;
  readonly clients: number;
  readonly sent: number;
  readonly acked: number;
  readonly refused: number;
  readonly delivered: number;
  /** Acked but not delivered after the drain: must be 0. */
  readonly lost: number;
  /**
   * Sent but never answered: in flight on a connection the churn closed (the thin client drops
   * those requests; a real client would resend). Not acked, so not owed; `deliveredUnacked` of them
   * reached the receiver anyway.
   */
  readonly unanswered: number;
  readonly deliveredUnacked: number;
  /** Deliveries of a sequence number already delivered (same receiver, no SDK dedupe here): must be 0. */
  readonly duplicated: number;
  readonly reconnects: number;
  readonly errors: number;
  readonly samples: readonly SoakSample[];
  /** When the baseline sample was taken (seconds since traffic started). */
  readonly baselineAtSeconds: number;
  readonly rssFirstMb: number;
  readonly rssLastMb: number;
  readonly rssGrowthPercent: number;
  readonly heapFirstMb: number;
  readonly heapLastMb: number;
  readonly fdFirst: number;
  readonly fdLast: number;
  readonly sessionsLast: number;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  /** Only with SoakOptions.memory: after a forced GC at the baseline time and after the drain. */
  readonly gcBaseline?: GcMemory;
  readonly gcEnd?: GcMemory;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function fdCount(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return Number.NaN;
  }
}

async function scrape(url: string, token: string | undefined): Promise<{ sessions: number; rssMb: number; heapMb: number }> {
  const text = await (await fetch(`${url}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })).text();
  let sessions = 0;
  let rss = 0;
  let heap = 0;
  for (const line of text.split('\n')) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('lianxin_connections{')) sessions += value;
    else if (line.startsWith('process_resident_memory_bytes ')) rss = value;
    else if (line.startsWith('nodejs_heap_used_bytes ')) heap = value;
  }
  return { sessions, rssMb: rss / 1e6, heapMb: heap / 1e6 };
}

/** One soak user: a ThinClient that pulls on s_ntf from its own cursor, and reconnects on demand. */
class SoakPeer {
  client: ThinClient | undefined;
  private cursor = 0;
  private pulling = false;
  private again = false;

  constructor(
    readonly user: SoakUser,
    private readonly options: SoakOptions,
    private readonly onContent: (text: string) => void,
    private readonly onError: () => void,
  ) {}

  async connect(): Promise<void> {
    const client = await ThinClient.connect({ url: this.options.url, appKey: this.options.appKey, token: this.user.token });
    client.onPush = (frame) => {
      if (frame.topic === 's_ntf') this.pull();
    };
    this.client = client;
    this.pull();
  }

  async reconnect(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    // ThinClient never settles a request whose connection closed: a pull in flight on the old
    // connection would keep `pulling` set forever and this peer would never pull again.
    this.pulling = false;
    this.again = false;
    await old?.close();
    await this.connect();
  }

  pull(): void {
    const client = this.client;
    if (client === undefined) return;
    if (this.pulling) {
      this.again = true;
      return;
    }
    this.pulling = true;
    this.again = false;
    const payload = encodeByName('SyncRequestMsg', { syncTime: this.cursor, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 });
    client.query('pullMsg', this.user.userId, payload).then(
      (ack) => {
        if (client !== this.client) return; // answered on a connection replaced since
        this.pulling = false;
        if (ack.status !== 0) {
          this.onError();
          return;
        }
        const page = decodeByName('DownStreamMessages', ack.payload);
        for (const m of page.list) this.onContent(decodeUtf8(m.content));
        const syncTime = Number(page.syncTime);
        if (syncTime > this.cursor) this.cursor = syncTime;
        if (page.finished === false || this.again) this.pull();
      },
      () => {
        if (client === this.client) this.pulling = false;
      },
    );
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? ((): void => undefined);
  const seen = new Set<number>();
  let duplicated = 0;
  let sent = 0;
  let acked = 0;
  let refused = 0;
  let errors = 0;
  let reconnects = 0;
  const ackedSeqs = new Set<number>();
  let windowLatencies: number[] = [];
  const allLatencies = new LatencySampler();
  const onContent = (text: string): void => {
    const match = /"seq":(\d+)/.exec(text);
    if (match === null) return;
    const seq = Number(match[1]);
    if (seen.has(seq)) duplicated++;
    else seen.add(seq);
  };
  const peers = options.users.map((user) => new SoakPeer(user, options, onContent, () => errors++));
  for (const peer of peers) await peer.connect();

  const samples: SoakSample[] = [];
  let gcBaseline: GcMemory | undefined;
  const started = performance.now();
  const sample = async (): Promise<void> => {
    const m = await scrape(options.url, options.metricsToken).catch(() => ({ sessions: Number.NaN, rssMb: Number.NaN, heapMb: Number.NaN }));
    const latencies = windowLatencies;
    windowLatencies = [];
    samples.push({
      atSeconds: (performance.now() - started) / 1000,
      rssMb: m.rssMb,
      heapMb: m.heapMb,
      fds: fdCount(options.pid),
      sessions: m.sessions,
      acked,
      delivered: seen.size,
      ackP50Ms: percentile(latencies, 50),
      ackP99Ms: percentile(latencies, 99),
    });
    const last = samples[samples.length - 1] as SoakSample;
    log(`soak ${last.atSeconds.toFixed(0)} s: RSS ${last.rssMb.toFixed(1)} MB, heap ${last.heapMb.toFixed(1)} MB, fds ${last.fds}, sessions ${last.sessions}, acked ${acked}, delivered ${seen.size}, PUBACK p99 ${last.ackP99Ms.toFixed(1)} ms`);
  };
  await sample();

  const deadline = performance.now() + options.durationMs;
  const tickMs = 20;
  // Credit from elapsed time, not per tick: on a busy machine a 20 ms sleep takes longer, and the
  // rate must still be the one asked for (capped at 1 s of backlog so a stall is not one burst).
  let credit = 0;
  let lastTick = performance.now();
  let nextChurn = performance.now() + options.churnEveryMs;
  let nextSample = performance.now() + options.sampleEveryMs;
  let nextApi = performance.now() + 1000;
  while (performance.now() < deadline) {
    const tickAt = performance.now();
    credit = Math.min(credit + (options.messagesPerSecond * (tickAt - lastTick)) / 1000, options.messagesPerSecond);
    lastTick = tickAt;
    while (credit >= 1) {
      credit -= 1;
      const from = Math.floor(Math.random() * peers.length);
      const sender = peers[from] as SoakPeer;
      const receiver = peers[from ^ 1] as SoakPeer;
      const client = sender.client;
      if (client === undefined) continue;
      const seq = sent++;
      const payload = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: encodeUtf8(JSON.stringify({ content: 'soak', seq })), configFlag: 0 });
      const t0 = performance.now();
      client.publish('ppMsgP', receiver.user.userId, payload).then(
        (ack) => {
          if (ack.status === 0) {
            acked++;
            ackedSeqs.add(seq);
            const ms = performance.now() - t0;
            windowLatencies.push(ms);
            allLatencies.add(ms);
          } else {
            refused++;
          }
        },
        () => errors++,
      );
    }
    const now = performance.now();
    if (now >= nextChurn) {
      nextChurn = now + options.churnEveryMs;
      const peer = peers[Math.floor(Math.random() * peers.length)] as SoakPeer;
      reconnects++;
      // Not awaited: traffic goes on while one client is away; its messages wait in its inbox.
      peer.reconnect().catch(() => errors++);
    }
    if (now >= nextApi) {
      nextApi = now + 1000;
      const user = peers[Math.floor(Math.random() * peers.length)] as SoakPeer;
      options.api.post('user/checkOnline', { userId: user.user.userId }).then((r) => {
        if (r.status !== 200) errors++;
      }, () => errors++);
      fetch(`${options.url}/healthz`).then((r) => {
        if (r.status !== 200) errors++;
      }, () => errors++);
    }
    if (now >= nextSample) {
      nextSample = now + options.sampleEveryMs;
      await sample();
      if (gcBaseline === undefined && options.memory !== undefined && (samples[samples.length - 1] as SoakSample).atSeconds * 1000 >= (options.baselineAtMs ?? 0)) {
        gcBaseline = await options.memory();
      }
    }
    await sleep(tickMs);
  }
  // Drain: every acked message must reach its receiver (pull again in case a notification raced a
  // reconnect). Bounded: gives up after 20 s without progress or 180 s in all.
  const missing = (): number => {
    let n = 0;
    for (const s of ackedSeqs) if (!seen.has(s)) n++;
    return n;
  };
  const drainStart = performance.now();
  let lastProgress = performance.now();
  let lastMissing = missing();
  while (lastMissing > 0 && performance.now() - lastProgress < 20_000 && performance.now() - drainStart < 180_000) {
    for (const peer of peers) peer.pull();
    await sleep(1000);
    const now = missing();
    if (now < lastMissing) lastProgress = performance.now();
    lastMissing = now;
  }
  // The point RSS reading first, then the forced GC (a GC before it would flatter the end figure).
  await sample();
  const gcEnd = await options.memory?.();
  const lost = [...ackedSeqs].filter((s) => !seen.has(s)).length;
  for (const peer of peers) await peer.client?.close();
  const first = samples[0] as SoakSample;
  const last = samples[samples.length - 1] as SoakSample;
  // The first sample is before any traffic: compare the drift after warm-up (the second sample, or
  // the first one at or after baselineAtMs: V8 grows its heap and the allocator its arenas for minutes).
  const baselineAt = (options.baselineAtMs ?? 0) / 1000;
  const warm = samples.slice(1, -1).find((s) => s.atSeconds >= baselineAt) ?? samples[1] ?? first;
  return {
    durationMs: options.durationMs,
    clients: peers.length,
    sent,
    acked,
    refused,
    delivered: [...ackedSeqs].filter((s) => seen.has(s)).length,
    lost,
    unanswered: sent - acked - refused,
    deliveredUnacked: [...seen].filter((s) => !ackedSeqs.has(s)).length,
    duplicated,
    reconnects,
    errors,
    samples,
    baselineAtSeconds: warm.atSeconds,
    rssFirstMb: warm.rssMb,
    rssLastMb: last.rssMb,
    rssGrowthPercent: ((last.rssMb - warm.rssMb) / warm.rssMb) * 100,
    heapFirstMb: warm.heapMb,
    heapLastMb: last.heapMb,
    fdFirst: warm.fds,
    fdLast: last.fds,
    sessionsLast: last.sessions,
    ackP50Ms: percentile(allLatencies.values(), 50),
    ackP99Ms: percentile(allLatencies.values(), 99),
    ...(gcBaseline !== undefined ? { gcBaseline } : {}),
    ...(gcEnd !== undefined ? { gcEnd } : {}),
  };
}
