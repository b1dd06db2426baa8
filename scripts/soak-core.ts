/**
 * Soak (issue #13), shared by `npm run soak -- --minutes N` and the 60-second jest version: mixed
 * traffic against a real server process for a fixed time — private messages between user pairs at
 * a steady rate (PUBACK, then s_ntf → pullMsg delivery), a client reconnecting every `churnEveryMs`,
 * and a Server API call plus /healthz every second — while the server's RSS, V8 heap, open file
 * descriptors and session count and the send→PUBACK latency are sampled. Reports the drift between
 * the first and the last sample; every acked message must be delivered.
 */
import { readdirSync } from 'node:fs';
import { decodeByName, encodeByName, encodeUtf8, decodeUtf8 } from '../src/internal';
import { ThinClient } from '../bench/lib/thin-client';
import { percentile } from '../bench/lib/stats';
import type { ServerApiClient } from '../test/support/server-api-client';

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
  readonly log?: (line: string) => void;
}

export interface SoakSample {
  readonly atSeconds: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly fds: number;
  readonly sessions: number;
  readonly acked: number;
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
  readonly reconnects: number;
  readonly errors: number;
  readonly samples: readonly SoakSample[];
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
        this.pulling = false;
      },
    );
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? ((): void => undefined);
  const seen = new Set<number>();
  let sent = 0;
  let acked = 0;
  let refused = 0;
  let errors = 0;
  let reconnects = 0;
  const ackedSeqs = new Set<number>();
  let windowLatencies: number[] = [];
  const allLatencies: number[] = [];
  const onContent = (text: string): void => {
    const match = /"seq":(\d+)/.exec(text);
    if (match !== null) seen.add(Number(match[1]));
  };
  const peers = options.users.map((user) => new SoakPeer(user, options, onContent, () => errors++));
  for (const peer of peers) await peer.connect();

  const samples: SoakSample[] = [];
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
      ackP50Ms: percentile(latencies, 50),
      ackP99Ms: percentile(latencies, 99),
    });
    const last = samples[samples.length - 1] as SoakSample;
    log(`soak ${last.atSeconds.toFixed(0)} s: RSS ${last.rssMb.toFixed(1)} MB, heap ${last.heapMb.toFixed(1)} MB, fds ${last.fds}, sessions ${last.sessions}, acked ${acked}, PUBACK p99 ${last.ackP99Ms.toFixed(1)} ms`);
  };
  await sample();

  const deadline = performance.now() + options.durationMs;
  const tickMs = 20;
  const perTick = (options.messagesPerSecond * tickMs) / 1000;
  let credit = 0;
  let nextChurn = performance.now() + options.churnEveryMs;
  let nextSample = performance.now() + options.sampleEveryMs;
  let nextApi = performance.now() + 1000;
  while (performance.now() < deadline) {
    credit += perTick;
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
            allLatencies.push(ms);
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
    }
    await sleep(tickMs);
  }
  // Drain: every acked message must reach its receiver (pull again in case a notification raced a reconnect).
  for (let i = 0; i < 100 && [...ackedSeqs].some((s) => !seen.has(s)); i++) {
    if (i % 10 === 9) for (const peer of peers) peer.pull();
    await sleep(100);
  }
  await sample();
  const lost = [...ackedSeqs].filter((s) => !seen.has(s)).length;
  for (const peer of peers) await peer.client?.close();
  const first = samples[0] as SoakSample;
  const last = samples[samples.length - 1] as SoakSample;
  // The first sample is before any traffic: compare the drift after warm-up (second sample on).
  const warm = samples[1] ?? first;
  return {
    durationMs: options.durationMs,
    clients: peers.length,
    sent,
    acked,
    refused,
    delivered: [...ackedSeqs].filter((s) => seen.has(s)).length,
    lost,
    reconnects,
    errors,
    samples,
    rssFirstMb: warm.rssMb,
    rssLastMb: last.rssMb,
    rssGrowthPercent: ((last.rssMb - warm.rssMb) / warm.rssMb) * 100,
    heapFirstMb: warm.heapMb,
    heapLastMb: last.heapMb,
    fdFirst: warm.fds,
    fdLast: last.fds,
    sessionsLast: last.sessions,
    ackP50Ms: percentile(allLatencies, 50),
    ackP99Ms: percentile(allLatencies, 99),
  };
}
