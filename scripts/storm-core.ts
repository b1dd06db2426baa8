/**
 * Reconnect storm (issue #13), shared by the jest test (2,000 clients) and `scripts/storm.ts`
 * (10,000+): N thin CMP clients connect to a real server, are all dropped at once (every socket
 * destroyed = network loss on the client side, or the caller restarts the server), and reconnect
 * with full-jitter exponential back-off. While they are down one message per client is published
 * through the Server API; a client counts as recovered once it is connected again AND its
 * `pullMsg` returned that message (synced). Meanwhile `/healthz` and navi are probed for latency,
 * and `/metrics` gives the session count and RSS before, during and after.
 */
import WebSocket from 'ws';
import { decodeByName, decodeFrame, encodeByName, encodeFrame, type Frame } from '../src/internal';
import type { ServerApiClient } from '../test/support/server-api-client';
import type { GcMemory } from './server-inspector';
import { histogram, scrape, sleep, startProbes, type LatencyFigures } from './storm-probes';

export type { LatencyFigures } from './storm-probes';

export interface StormUser {
  readonly userId: string;
  readonly token: string;
}

export interface StormOptions {
  /** `http://127.0.0.1:PORT`; a getter because a restart may change the port. */
  readonly url: () => string;
  readonly appKey: string;
  readonly users: readonly StormUser[];
  readonly api: () => ServerApiClient;
  /** Bearer token of /metrics, if the server has one. */
  readonly metricsToken?: string;
  /** Upper bound of the first reconnect delay (full jitter: uniform in 0..jitterMs). */
  readonly jitterMs: number;
  /** Back-off after a failed attempt: uniform in 0..min(maxBackoffMs, baseBackoffMs·2^attempt). */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Source addresses for the sockets (127.0.0.x), used round-robin; default the kernel's choice. */
  readonly localAddresses?: readonly string[];
  readonly connectConcurrency: number;
  /** Gives up if not every client is back and synced within this. */
  readonly recoveryTimeoutMs: number;
  /** 'network': the clients destroy their sockets; 'restart': `restart()` kills and restarts the server. */
  readonly mode: 'network' | 'restart';
  readonly restart?: () => Promise<void>;
  /**
   * The server's memory after a forced full GC (scripts/server-inspector.ts). When given, it is taken
   * at the baseline, before the drop and after recovery, and then every client disconnects and it is
   * taken once more with no session left: retained memory shows as heapUsed above the baseline.
   */
  readonly memory?: () => Promise<GcMemory>;
  /** Called right before the drop and once every client is back (e.g. to start/stop a CPU profile). */
  readonly onPhase?: (phase: 'drop' | 'recovered') => Promise<void>;
  readonly log?: (line: string) => void;
}

/** Server memory after a forced GC at each phase (only with StormOptions.memory). */
export interface StormGcMemory {
  readonly baseline: GcMemory;
  readonly beforeDrop: GcMemory;
  readonly afterRecovery: GcMemory;
  /** Every client disconnected and its session gone. */
  readonly afterDisconnect: GcMemory;
  readonly sessionsAfterDisconnect: number;
}


export interface StormReport {
  readonly clients: number;
  readonly initialConnectMs: number;
  /** Drop → every client reconnected and synced. */
  readonly recoveryMs: number;
  /** Drop → the last client's CONNACK (reconnected; its sync may still wait for its message). */
  readonly reconnectedMs: number;
  /** Drop → the Server API publish of one message per client finished (no client can sync before). */
  readonly publishedMs: number;
  readonly recovered: number;
  readonly synced: number;
  readonly attempts: number;
  readonly failedAttempts: number;
  readonly maxAttemptsOneClient: number;
  readonly healthz: LatencyFigures;
  readonly navi: LatencyFigures;
  readonly sessionsBeforeDrop: number;
  readonly sessionsPeak: number;
  readonly sessionsAfter: number;
  readonly rssBaselineMb: number;
  readonly rssBeforeDropMb: number;
  readonly rssPeakMb: number;
  readonly rssAfterMb: number;
  readonly heapAfterMb: number;
  /** Reasons of failed reconnect attempts, counted. */
  readonly failureReasons: Readonly<Record<string, number>>;
  /** Clients whose recovered connection ended again before the end, by reason. */
  readonly endedAfterRecovery: Readonly<Record<string, number>>;
  readonly gc?: StormGcMemory;
  /** Server API publishes retried after a transport error during the storm. */
  readonly publishRetries: number;
}

const NO_FLAGS = { dup: false, qos: 0, retain: false } as const;
const PINGREQ = encodeFrame({ kind: 'pingreq', ...NO_FLAGS }, 'client');
/** E4's heartbeat cadence: the server reaps WebSocket sessions silent for 45 s. */
const PING_INTERVAL_MS = 15_000;
const PING_TICK_MS = 250;
/**
 * /metrics sampling during the storm. Each scrape costs the server O(connections) (prom-client's
 * default metrics list every handle and /proc/self/fd): 0.2–0.9 s at 10,000 connections, so the
 * 250 ms this used to be kept the server's loop busy with the probe itself.
 */
const SAMPLE_EVERY_MS = 2000;
/** Server API publish requests in flight during the storm (1,000 recipients each). */
const PUBLISH_CONCURRENCY = 5;

/** A minimal CMP client: connect (CONNACK), pullMsg, PINGREQ; no frame history. */
class StormClient {
  ws: WebSocket | undefined;
  connected = false;
  synced = false;
  attempts = 0;
  cursor = 0;
  private nextId = 0;
  private readonly waiting = new Map<number, (frame: Frame) => void>();
  onDown: (() => void) | undefined;
  /** Why the connection ended after it had been up (DISCONNECT reason or close code). */
  endedBy: string | undefined;

  constructor(readonly user: StormUser) {}

  connect(url: string, appKey: string, localAddress: string | undefined, timeoutMs: number): Promise<void> {
    this.attempts++;
    const base = url.replace(/^http/, 'ws');
    const ws = new WebSocket(`${base}/websocket?appId=${encodeURIComponent(appKey)}&token=${encodeURIComponent(this.user.token)}&sdkVer=2.9.2&pid=undefined&apiVer=normal`, {
      perMessageDeflate: false,
      ...(localAddress !== undefined ? { localAddress } : {}),
    });
    this.ws = ws;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (why: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(why));
      };
      const timer = setTimeout(() => fail('no CONNACK in time'), timeoutMs);
      ws.on('error', (error) => fail(error.message));
      ws.on('close', () => {
        fail('closed before CONNACK');
        if (this.ws === ws && this.connected) {
          this.connected = false;
          this.endedBy ??= 'socket closed';
          for (const waiter of this.waiting.values()) waiter({ kind: 'disconnect', ...NO_FLAGS, reason: 0 });
          this.waiting.clear();
          this.onDown?.();
        }
      });
      ws.on('message', (data: Buffer) => {
        const frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 'server');
        if (frame.kind === 'connack') {
          if (frame.status !== 0) return fail(`CONNACK ${frame.status}`);
          settled = true;
          clearTimeout(timer);
          this.connected = true;
          resolve();
          return;
        }
        if (frame.kind === 'disconnect') {
          this.endedBy = `DISCONNECT ${frame.reason}`;
          return;
        }
        if (frame.kind === 'queryack') {
          const waiter = this.waiting.get(frame.messageId);
          this.waiting.delete(frame.messageId);
          waiter?.(frame);
        } else if (frame.kind === 'publish' && frame.qos > 0 && !frame.dup) {
          ws.send(encodeFrame({ kind: 'puback', ...NO_FLAGS, messageId: frame.messageId }, 'client'));
        }
      });
    });
  }

  /** pullMsg from the cursor until finished; resolves with the number of messages received. */
  async pull(timeoutMs: number): Promise<number> {
    let received = 0;
    for (let page = 0; page < 20; page++) {
      const ws = this.ws;
      if (ws === undefined || !this.connected) throw new Error('not connected');
      this.nextId = this.nextId >= 65_000 ? 1 : this.nextId + 1;
      const messageId = this.nextId;
      const payload = encodeByName('SyncRequestMsg', { syncTime: this.cursor, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 });
      const ack = await new Promise<Frame>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiting.delete(messageId);
          reject(new Error('pullMsg timed out'));
        }, timeoutMs);
        this.waiting.set(messageId, (frame) => {
          clearTimeout(timer);
          resolve(frame);
        });
        ws.send(encodeFrame({ kind: 'query', dup: false, qos: 0, retain: false, topic: 'pullMsg', targetId: this.user.userId, messageId, payload }, 'client'));
      });
      if (ack.kind !== 'queryack' || ack.status !== 0) throw new Error(`pullMsg failed (${ack.kind === 'queryack' ? ack.status : ack.kind})`);
      const list = decodeByName('DownStreamMessages', ack.payload);
      received += list.list.length;
      const syncTime = Number(list.syncTime);
      if (syncTime > this.cursor) this.cursor = syncTime;
      if (list.finished !== false) break;
    }
    return received;
  }

  ping(): void {
    if (this.connected && this.ws?.readyState === WebSocket.OPEN) this.ws.send(PINGREQ);
  }

  drop(): void {
    // Network loss: the socket dies without a WebSocket close handshake.
    this.ws?.terminate();
  }
}


export async function runStorm(options: StormOptions): Promise<StormReport> {
  const log = options.log ?? ((): void => undefined);
  const clients = options.users.map((user) => new StormClient(user));
  const address = (i: number): string | undefined => (options.localAddresses === undefined || options.localAddresses.length === 0 ? undefined : options.localAddresses[i % options.localAddresses.length]);
  const baseline = await scrape(options.url(), options.metricsToken);
  const gcBaseline = await options.memory?.();

  // Heartbeats like a real client, from one shared tick (a slice of the clients per tick).
  let pingCursor = 0;
  const perTick = Math.max(1, Math.ceil((clients.length * PING_TICK_MS) / PING_INTERVAL_MS));
  const heartbeat = setInterval(() => {
    for (let i = 0; i < perTick; i++) (clients[pingCursor++ % clients.length] as StormClient).ping();
  }, PING_TICK_MS);

  // 1. Everyone connects and syncs once (cursor = now).
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.connectConcurrency, clients.length) }, async () => {
      while (next < clients.length) {
        const i = next++;
        const client = clients[i] as StormClient;
        await client.connect(options.url(), options.appKey, address(i), 30_000);
        await client.pull(30_000);
      }
    }),
  );
  const initialConnectMs = performance.now() - t0;
  await sleep(500);
  const gcBeforeDrop = await options.memory?.();
  const beforeDrop = await scrape(options.url(), options.metricsToken);
  log(`storm: ${clients.length} connected in ${(initialConnectMs / 1000).toFixed(1)} s; server sessions ${beforeDrop.sessions}, RSS ${beforeDrop.rssMb.toFixed(0)} MB`);

  // 2. Drop everyone at once; reconnect with full-jitter back-off.
  let recovered = 0;
  let lastConnackAt = 0;
  /** ms after the drop at which each client was back and synced, in order. */
  const backAt: number[] = [];
  let synced = 0;
  let failedAttempts = 0;
  const failureReasons: Record<string, number> = {};
  let sessionsPeak = beforeDrop.sessions;
  let rssPeak = beforeDrop.rssMb;
  const attemptsBefore = clients.reduce((sum, c) => sum + c.attempts, 0);
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  let publishedAll: () => void = () => undefined;
  const published = new Promise<void>((resolve) => (publishedAll = resolve));
  const reconnect = async (client: StormClient, index: number): Promise<void> => {
    await sleep(Math.random() * options.jitterMs);
    for (let attempt = 0; ; attempt++) {
      try {
        await client.connect(options.url(), options.appKey, address(index + attempt), 30_000);
        lastConnackAt = performance.now();
        let got = await client.pull(30_000);
        // Back before its message was published: a real client pulls again on the s_ntf that follows.
        if (got === 0) {
          await published;
          got = await client.pull(30_000);
        }
        recovered++;
        backAt.push(performance.now() - dropAt);
        client.endedBy = undefined;
        if (got > 0) synced++;
        else log(`storm: ${client.user.userId} reconnected but pulled nothing`);
        if (recovered === clients.length) allDone();
        return;
      } catch (error) {
        failedAttempts++;
        const reason = typeof error === 'object' && error !== null && 'message' in error ? String((error as { message: unknown }).message) : String(error);
        failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
        if (client.connected) client.drop();
        await sleep(Math.random() * Math.min(options.maxBackoffMs, options.baseBackoffMs * 2 ** attempt));
      }
    }
  };
  for (const [i, client] of clients.entries()) {
    client.onDown = () => {
      client.onDown = undefined;
      void reconnect(client, i);
    };
  }
  const probes = startProbes(options, 100);
  const sampler = setInterval(() => {
    scrape(options.url(), options.metricsToken).then((s) => {
      sessionsPeak = Math.max(sessionsPeak, s.sessions);
      rssPeak = Math.max(rssPeak, s.rssMb);
    }, () => undefined);
  }, SAMPLE_EVERY_MS);
  await options.onPhase?.('drop');
  const dropAt = performance.now();
  if (options.mode === 'network') {
    for (const client of clients) client.drop();
  } else {
    if (options.restart === undefined) throw new Error('restart mode needs restart()');
    await options.restart();
  }
  // One message per client while they are away: the pull after reconnecting must bring it.
  const api = options.api();
  let publishRetries = 0;
  // The batches go out PUBLISH_CONCURRENCY at a time: the server stores one batch's recipients one
  // after another, so sequential batches made the publish (not the reconnect) the storm's critical
  // path (50 s for 10,000 messages); an operator's script would parallelise the same way.
  const batches: string[][] = [];
  for (let i = 0; i < clients.length; i += 1000) batches.push(clients.slice(i, i + 1000).map((c) => c.user.userId));
  let nextBatch = 0;
  const publishBatches = async (): Promise<void> => {
    while (nextBatch < batches.length) {
      const to = batches[nextBatch++] as string[];
      const form = { fromUserId: 'storm-sender', toUserId: to, objectName: 'RC:TxtMsg', content: JSON.stringify({ content: 'while you were away' }) };
      // The API shares the listener with the storm: a connection refused/reset in the burst is retried
      // (an operator's script would), counted in the report; a non-200 answer is a failure.
      let response: Awaited<ReturnType<typeof api.post<{ code: number }>>> | undefined;
      for (let attempt = 0; response === undefined; attempt++) {
        try {
          response = await api.post<{ code: number }>('message/private/publish', form);
        } catch (error) {
          if (attempt >= 20) throw error;
          publishRetries++;
          await sleep(1000);
        }
      }
      if (response.body.code !== 200) throw new Error(`publish during the storm failed: ${response.text}`);
    }
  };
  await Promise.all(Array.from({ length: PUBLISH_CONCURRENCY }, publishBatches));
  publishedAll();
  const publishMs = performance.now() - dropAt;
  log(`storm: ${clients.length} messages published ${(publishMs / 1000).toFixed(1)} s after the drop (${publishRetries} retries)`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.recoveryTimeoutMs);
  });
  const outcome = await Promise.race([done.then(() => 'done' as const), timeout]);
  clearTimeout(timer);
  const recoveryMs = performance.now() - dropAt;
  await options.onPhase?.('recovered');
  const latencies = await probes.stop();
  log(`storm: clients back per 4 s after the drop: ${histogram(backAt, 4000)}`);
  // Old sessions are reaped as their sockets close; wait for the count to settle at N.
  let after = await scrape(options.url(), options.metricsToken);
  for (let i = 0; i < 100 && after.sessions !== clients.length; i++) {
    await sleep(200);
    after = await scrape(options.url(), options.metricsToken);
  }
  clearInterval(sampler);
  clearInterval(heartbeat);
  log(`storm: ${outcome}; ${recovered}/${clients.length} back, ${synced} synced in ${(recoveryMs / 1000).toFixed(1)} s; sessions now ${after.sessions} (peak ${sessionsPeak}); RSS ${after.rssMb.toFixed(0)} MB (peak ${rssPeak.toFixed(0)})`);
  const attemptsAfter = clients.reduce((sum, c) => sum + c.attempts, 0);
  const endedAfterRecovery: Record<string, number> = {};
  for (const client of clients) {
    if (!client.connected) endedAfterRecovery[client.endedBy ?? 'never recovered'] = (endedAfterRecovery[client.endedBy ?? 'never recovered'] ?? 0) + 1;
  }
  const gcAfterRecovery = await options.memory?.();
  for (const client of clients) {
    client.onDown = undefined;
    client.ws?.terminate();
  }
  let gc: StormGcMemory | undefined;
  if (options.memory !== undefined && gcBaseline !== undefined && gcBeforeDrop !== undefined && gcAfterRecovery !== undefined) {
    let left = await scrape(options.url(), options.metricsToken);
    for (let i = 0; i < 150 && left.sessions > 0; i++) {
      await sleep(200);
      left = await scrape(options.url(), options.metricsToken);
    }
    const afterDisconnect = await options.memory();
    gc = { baseline: gcBaseline, beforeDrop: gcBeforeDrop, afterRecovery: gcAfterRecovery, afterDisconnect, sessionsAfterDisconnect: left.sessions };
    const line = (name: string, m: GcMemory): string => `${name} heapUsed ${m.heapUsedMb.toFixed(1)} MB, RSS ${m.rssMb.toFixed(0)} MB`;
    log(`storm: after forced GC: ${line('baseline', gcBaseline)}; ${line('connected', gcBeforeDrop)}; ${line('recovered', gcAfterRecovery)}; ${line(`all disconnected (${left.sessions} sessions left)`, afterDisconnect)}`);
  }
  return {
    clients: clients.length,
    initialConnectMs,
    recoveryMs,
    reconnectedMs: lastConnackAt - dropAt,
    publishedMs: publishMs,
    recovered,
    synced,
    attempts: attemptsAfter - attemptsBefore,
    failedAttempts,
    maxAttemptsOneClient: Math.max(...clients.map((c) => c.attempts)) - 1,
    healthz: latencies.healthz,
    navi: latencies.navi,
    sessionsBeforeDrop: beforeDrop.sessions,
    sessionsPeak,
    sessionsAfter: after.sessions,
    rssBaselineMb: baseline.rssMb,
    rssBeforeDropMb: beforeDrop.rssMb,
    rssPeakMb: rssPeak,
    rssAfterMb: after.rssMb,
    heapAfterMb: after.heapMb,
    failureReasons,
    endedAfterRecovery,
    publishRetries,
    ...(gc !== undefined ? { gc } : {}),
  };
}

