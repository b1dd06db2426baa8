/**
 * P2 generator: opens `count` idle connections to one server and keeps them alive with heartbeats
 * until the orchestrator says stop. Kinds:
 * - `lianxin`: our CMP over WebSocket (auth in the URL query, CONNACK must be 0), a PINGREQ right
 *   after the CONNACK and then every `pingIntervalMs` (E4's cadence), PINGRESP counted;
 * - `ws`: a bare `ws` server (no auth); a 1-byte binary heartbeat echoed by the server;
 * - `aedes`: MQTT 3.1.1 over TCP with the `mqtt` client, keepalive = pingIntervalMs (PINGREQ/PINGRESP).
 * Heartbeats come from one shared 250 ms tick that walks a slice of the clients, so the generator
 * itself does not hold one timer per connection. Each generator stays under its own fd limit: the
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
}

interface Conn {
  ping(): void;
  close(): void;
}

const PINGREQ = encodeFrame({ kind: 'pingreq', dup: false, qos: 0, retain: false }, 'client');
const HEARTBEAT = Buffer.from([0x01]);
const TICK_MS = 250;

let heartbeatsSent = 0;
let heartbeatsAnswered = 0;
let dropped = 0;
let stopping = false;

function connectLianxin(config: P2GeneratorConfig, token: string): Promise<Conn> {
  const base = config.url.replace(/^http/, 'ws').replace(/\/+$/, '');
  const query = `appId=${encodeURIComponent(config.appKey)}&token=${encodeURIComponent(token)}&sdkVer=2.9.2&pid=undefined&apiVer=normal`;
  const ws = new WebSocket(`${base}/websocket?${query}`, { perMessageDeflate: false, ...(config.localAddress !== undefined ? { localAddress: config.localAddress } : {}) });
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
      if (accepted && !stopping) dropped++;
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
      heartbeatsSent++;
      ws.send(PINGREQ);
      resolve({
        ping: () => {
          if (ws.readyState !== WebSocket.OPEN) return;
          heartbeatsSent++;
          ws.send(PINGREQ);
        },
        close: () => ws.terminate(),
      });
    });
  });
}

function connectWs(config: P2GeneratorConfig): Promise<Conn> {
  const ws = new WebSocket(config.url.replace(/^http/, 'ws'), { perMessageDeflate: false, ...(config.localAddress !== undefined ? { localAddress: config.localAddress } : {}) });
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
      if (open && !stopping) dropped++;
    });
    ws.on('message', () => {
      heartbeatsAnswered++;
    });
    ws.on('open', () => {
      open = true;
      clearTimeout(timer);
      resolve({
        ping: () => {
          if (ws.readyState !== WebSocket.OPEN) return;
          heartbeatsSent++;
          ws.send(HEARTBEAT);
        },
        close: () => ws.terminate(),
      });
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
  return new Promise<Conn>((resolve, reject) => {
    let open = false;
    client.on('error', (error) => {
      if (!open) reject(error);
    });
    client.on('close', () => {
      if (open && !stopping) dropped++;
      if (!open) reject(new Error('closed before CONNACK'));
    });
    client.on('packetsend', (packet) => {
      if (packet.cmd === 'pingreq') heartbeatsSent++;
    });
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'pingresp') heartbeatsAnswered++;
    });
    client.once('connect', () => {
      open = true;
      // The client runs its own keepalive (one timer per client, which is the client's cost, not the server's).
      resolve({ ping: () => undefined, close: () => client.end(true) });
    });
  });
}

async function run(config: P2GeneratorConfig, conns: Conn[]): Promise<P2Connected> {
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

/** One shared tick pings the slice of clients whose turn it is, spreading heartbeats evenly. */
function startHeartbeats(conns: readonly Conn[], intervalMs: number): NodeJS.Timeout {
  let cursor = 0;
  return setInterval(() => {
    // The list grows while connecting: every connection is pinged once per interval.
    const perTick = Math.ceil((conns.length * TICK_MS) / intervalMs);
    for (let i = 0; i < perTick && conns.length > 0; i++) {
      (conns[cursor % conns.length] as Conn).ping();
      cursor++;
    }
  }, TICK_MS);
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
  // Heartbeats start with the first connection: connecting 17,000 may take longer than the server's
  // 45 s idle timeout, and a connection that stays silent that long is (rightly) closed.
  const conns: Conn[] = [];
  const ticker = startHeartbeats(conns, config.pingIntervalMs);
  void run(config, conns).then(async (connected) => {
    await send(connected);
    process.on('message', (stopRaw) => {
      if ((stopRaw as { type: string }).type !== 'stop') return;
      stopping = true;
      clearInterval(ticker);
      for (const conn of conns) conn.close();
      const result: P2Result = { type: 'result', heartbeatsSent, heartbeatsAnswered, dropped };
      void send(result).then(() => process.exit(0));
    });
  }, async (error: unknown) => {
    await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  });
});
