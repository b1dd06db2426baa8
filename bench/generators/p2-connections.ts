/**
 * P2 generator: opens `count` idle connections to one server and keeps them alive with heartbeats
 * until the orchestrator says stop. Kinds:
 * - `lianxin`: our CMP over WebSocket (auth in the URL query, CONNACK must be 0), a PINGREQ right
 *   after the CONNACK and then every `pingIntervalMs` (E4's cadence), PINGRESP counted;
 * - `ws`: a bare `ws` server (no auth); a 1-byte binary heartbeat echoed by the server;
 * - `aedes`: MQTT 3.1.1 over TCP with the `mqtt` client, keepalive = pingIntervalMs (PINGREQ/PINGRESP).
 * Heartbeats come from one shared 250 ms tick over a FIFO of the connections ordered by their last
 * PINGREQ: each tick pings every connection whose interval has elapsed (by the clock, not by a count of
 * ticks), so a generator whose loop runs late catches up instead of stretching every connection's
 * interval, and the generator holds no timer per connection. It measures its own punctuality: the gap
 * between consecutive heartbeats of a connection (late = over 1.5 intervals, overdue = at or over the
 * server's idle timeout), and for every connection the server closed, how long the generator had been
 * silent on it — so a drop is attributed to the server (it closed a connection that heartbeated on
 * time) or to the generator (it fell behind). Each generator stays under its own fd limit: the
 * orchestrator gives every generator at most ≈ 17,000 connections and its own source address.
 *
 * IPC: parent → { type: 'start', config }; child → { type: 'connected', … }; parent → { type: 'stop' };
 * child → { type: 'result', … } and exits.
 */
import net from 'node:net';
import WebSocket from 'ws';
import { MqttClient } from 'mqtt';
import { decodeFrame, encodeFrame } from '../../src/internal';

export type P2Kind = 'lianxin' | 'ws' | 'aedes';

export interface P2GeneratorConfig {
  readonly kind: P2Kind;
  /** `http://127.0.0.1:PORT` (lianxin, ws) or the MQTT TCP port's host:port as `mqtt://127.0.0.1:PORT`. */
  readonly url: string;
  readonly appKey: string;
  /** One token per connection (lianxin); `count` connections otherwise. */
  readonly tokens: readonly string[];
  readonly count: number;
  readonly localAddress?: string;
  /** Connection attempts in flight at once. */
  readonly concurrency: number;
  readonly pingIntervalMs: number;
  /** The server's idle timeout: a heartbeat gap at least this long is the generator's fault. */
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

export interface P2Connected {
  readonly type: 'connected';
  readonly connected: number;
  readonly failed: number;
  /** First attempt → last successful CONNACK/open, ms. */
  readonly acceptMs: number;
  readonly firstError?: string;
}

export interface P2Result {
  readonly type: 'result';
  readonly heartbeatsSent: number;
  readonly heartbeatsAnswered: number;
  /** Connections that closed while they should have stayed up. */
  readonly dropped: number;
  /** Of `dropped`: no heartbeat of theirs came an idle timeout late and they were not that silent at the close (the server's fault). */
  readonly droppedWhilePunctual: number;
  /** Heartbeats sent more than 1.5 intervals after the connection's previous one. */
  readonly lateHeartbeats: number;
  /** Heartbeats sent at or after the idle timeout since the previous one (the server may rightly have closed). */
  readonly overdueHeartbeats: number;
  /** Longest gap between two heartbeats of one connection, ms. */
  readonly maxHeartbeatGapMs: number;
  /** Longest gap between two heartbeat ticks of this process (its event loop's lateness), ms. */
  readonly maxTickGapMs: number;
}

/** A live connection as the heartbeat scheduler sees it. */
interface Conn {
  /** performance.now() of the last heartbeat written (the first one right after the CONNACK/open). */
  lastPingAt: number;
  /** Some heartbeat of it went out at or after the idle timeout: a later drop is the generator's fault. */
  overdue: boolean;
  readonly isOpen: () => boolean;
  /** Writes one heartbeat (no bookkeeping: the scheduler does it). */
  readonly ping: () => void;
  readonly close: () => void;
}

const PINGREQ = encodeFrame({ kind: 'pingreq', dup: false, qos: 0, retain: false }, 'client');
const HEARTBEAT = Buffer.from([0x01]);
const TICK_MS = 250;

let heartbeatsSent = 0;
let heartbeatsAnswered = 0;
let dropped = 0;
let droppedWhilePunctual = 0;
let lateHeartbeats = 0;
let overdueHeartbeats = 0;
let maxHeartbeatGapMs = 0;
let maxTickGapMs = 0;
let stopping = false;
/** Set from the config at start. */
let idleTimeoutMs = 45_000;
let pingIntervalMs = 15_000;

/** Bookkeeping of one heartbeat written on `conn` at `now`. */
function heartbeatSent(conn: Conn, now: number): void {
  const gap = now - conn.lastPingAt;
  if (gap > maxHeartbeatGapMs) maxHeartbeatGapMs = gap;
  if (gap > pingIntervalMs * 1.5) lateHeartbeats++;
  if (gap >= idleTimeoutMs) {
    overdueHeartbeats++;
    conn.overdue = true;
  }
  conn.lastPingAt = now;
  heartbeatsSent++;
}

/**
 * A connection closed by the other side while it should have stayed up. It counts as punctual (the
 * server's fault) when none of its heartbeats came late by the idle timeout and it has not been silent
 * that long now. A heartbeat written after the server's close but before this process read it (its
 * loop lagging) makes the connection overdue, not punctual. Seen late, the silence may look longer
 * than it was at the close: the punctual count is a lower bound of the server's faults.
 */
function droppedConn(conn: Conn): void {
  dropped++;
  if (!conn.overdue && performance.now() - conn.lastPingAt < idleTimeoutMs) droppedWhilePunctual++;
}

function connectLianxin(config: P2GeneratorConfig, token: string): Promise<Conn> {
  const base = config.url.replace(/^http/, 'ws').replace(/\/+$/, '');
  const query = `appId=${encodeURIComponent(config.appKey)}&token=${encodeURIComponent(token)}&sdkVer=2.9.2&pid=undefined&apiVer=normal`;
  const ws = new WebSocket(`${base}/websocket?${query}`, { perMessageDeflate: false, ...(config.localAddress !== undefined ? { localAddress: config.localAddress } : {}) });
  const conn: Conn = {
    lastPingAt: 0,
    overdue: false,
    isOpen: () => ws.readyState === WebSocket.OPEN,
    ping: () => ws.send(PINGREQ),
    close: () => ws.terminate(),
  };
  return new Promise<Conn>((resolve, reject) => {
    let accepted = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no CONNACK in time'));
    }, config.connectTimeoutMs);
    ws.on('error', (error) => {
      if (!accepted) {
        clearTimeout(timer);
        reject(error);
      }
    });
    ws.on('close', () => {
      if (accepted && !stopping) droppedConn(conn);
      if (!accepted) {
        clearTimeout(timer);
        reject(new Error('closed before CONNACK'));
      }
    });
    ws.on('message', (data: Buffer) => {
      if (accepted) {
        // PINGRESP is the single byte 0xD0 followed by a zero length.
        if (data[0] === 0xd0) heartbeatsAnswered++;
        return;
      }
      const frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 'server');
      clearTimeout(timer);
      if (frame.kind !== 'connack' || frame.status !== 0) {
        ws.terminate();
        reject(new Error(`CONNACK ${frame.kind === 'connack' ? frame.status : frame.kind}`));
        return;
      }
      accepted = true;
      // E4 and L2 send their first PINGREQ right after the CONNACK.
      conn.lastPingAt = performance.now();
      heartbeatsSent++;
      ws.send(PINGREQ);
      resolve(conn);
    });
  });
}

function connectWs(config: P2GeneratorConfig): Promise<Conn> {
  const ws = new WebSocket(config.url.replace(/^http/, 'ws'), { perMessageDeflate: false, ...(config.localAddress !== undefined ? { localAddress: config.localAddress } : {}) });
  const conn: Conn = {
    lastPingAt: 0,
    overdue: false,
    isOpen: () => ws.readyState === WebSocket.OPEN,
    ping: () => ws.send(HEARTBEAT),
    close: () => ws.terminate(),
  };
  return new Promise<Conn>((resolve, reject) => {
    let open = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no open in time'));
    }, config.connectTimeoutMs);
    ws.on('error', (error) => {
      if (!open) {
        clearTimeout(timer);
        reject(error);
      }
    });
    ws.on('close', () => {
      if (open && !stopping) droppedConn(conn);
    });
    ws.on('message', () => {
      heartbeatsAnswered++;
    });
    ws.on('open', () => {
      open = true;
      clearTimeout(timer);
      conn.lastPingAt = performance.now();
      resolve(conn);
    });
  });
}

let mqttSeq = 0;

function connectAedes(config: P2GeneratorConfig): Promise<Conn> {
  const url = new URL(config.url);
  const clientId = `p2-${process.pid}-${mqttSeq++}`;
  const client = new MqttClient(
    () => net.createConnection({ host: url.hostname, port: Number(url.port), ...(config.localAddress !== undefined ? { localAddress: config.localAddress } : {}) }),
    { clientId, keepalive: Math.round(config.pingIntervalMs / 1000), reconnectPeriod: 0, connectTimeout: config.connectTimeoutMs, protocolVersion: 4, clean: true },
  );
  // The client runs its own keepalive (one timer per client, which is the client's cost, not the
  // server's): the scheduler never pings it (isOpen false), its PINGREQs are only measured.
  const conn: Conn = { lastPingAt: 0,
    overdue: false, isOpen: () => false, ping: () => undefined, close: () => client.end(true) };
  return new Promise<Conn>((resolve, reject) => {
    let open = false;
    client.on('error', (error) => {
      if (!open) reject(error);
    });
    client.on('close', () => {
      if (open && !stopping) droppedConn(conn);
      if (!open) reject(new Error('closed before CONNACK'));
    });
    client.on('packetsend', (packet) => {
      if (packet.cmd === 'pingreq') heartbeatSent(conn, performance.now());
    });
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'pingresp') heartbeatsAnswered++;
    });
    client.once('connect', () => {
      open = true;
      conn.lastPingAt = performance.now();
      resolve(conn);
    });
  });
}

async function run(config: P2GeneratorConfig, conns: Conn[], heartbeats: Heartbeats): Promise<P2Connected> {
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const t0 = performance.now();
  let lastAt = t0;
  const worker = async (): Promise<void> => {
    while (next < config.count) {
      const i = next++;
      try {
        const conn =
          config.kind === 'lianxin' ? await connectLianxin(config, config.tokens[i] as string) : config.kind === 'ws' ? await connectWs(config) : await connectAedes(config);
        conns.push(conn);
        heartbeats.add(conn);
        lastAt = performance.now();
      } catch (error) {
        failed++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, config.count) }, worker));
  return { type: 'connected', connected: conns.length, failed, acceptMs: lastAt - t0, ...(firstError !== undefined ? { firstError } : {}) };
}

/**
 * Heartbeat scheduler: a FIFO of connections in order of their last heartbeat. Every connection has the
 * same interval and is appended when it is pinged (or connects) with the current time, so the queue stays
 * sorted and each tick pings exactly the due prefix — however late the tick runs, no connection waits
 * more than its interval plus this process's loop lateness.
 */
class Heartbeats {
  private readonly queue: Conn[] = [];
  private head = 0;
  private lastTickAt = performance.now();
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly intervalMs: number) {
    this.ticker = setInterval(() => this.tick(), TICK_MS);
  }

  add(conn: Conn): void {
    this.queue.push(conn);
  }

  stop(): void {
    clearInterval(this.ticker);
  }

  private tick(): void {
    const now = performance.now();
    if (now - this.lastTickAt > maxTickGapMs) maxTickGapMs = now - this.lastTickAt;
    this.lastTickAt = now;
    while (this.head < this.queue.length) {
      const conn = this.queue[this.head] as Conn;
      if (now - conn.lastPingAt < this.intervalMs) break;
      this.head++;
      // A closed connection leaves the queue; an open one goes to the back, due one interval from now.
      if (!conn.isOpen()) continue;
      heartbeatSent(conn, now);
      conn.ping();
      this.queue.push(conn);
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

function send(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, undefined, () => resolve());
  });
}

process.on('message', (raw) => {
  const message = raw as { type: string; config?: P2GeneratorConfig };
  if (message.type !== 'start' || message.config === undefined) return;
  const config = message.config;
  idleTimeoutMs = config.idleTimeoutMs;
  pingIntervalMs = config.pingIntervalMs;
  // Heartbeats start with the first connection: connecting 17,000 may take longer than the server's
  // 45 s idle timeout, and a connection that stays silent that long is (rightly) closed.
  const conns: Conn[] = [];
  const heartbeats = new Heartbeats(config.pingIntervalMs);
  void run(config, conns, heartbeats).then(async (connected) => {
    await send(connected);
    process.on('message', (stopRaw) => {
      if ((stopRaw as { type: string }).type !== 'stop') return;
      stopping = true;
      heartbeats.stop();
      for (const conn of conns) conn.close();
      const result: P2Result = {
        type: 'result', heartbeatsSent, heartbeatsAnswered, dropped, droppedWhilePunctual, lateHeartbeats, overdueHeartbeats, maxHeartbeatGapMs, maxTickGapMs,
      };
      void send(result).then(() => process.exit(0));
    });
  }, async (error: unknown) => {
    await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  });
});
