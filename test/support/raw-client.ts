/**
 * A raw CMP client for tests: opens `/websocket` like the official clients (auth in the URL query),
 * speaks frames with OUR codec, and exposes every received frame. Frames are "claimed" once by
 * `publish`/`query`/`ping`/`nextFrame`, so a frame that arrived before the test asked for it is
 * still found.
 */
import WebSocket from 'ws';
import {
  decodeFrame,
  encodeFrame,
  type ConnackFrame,
  type Frame,
  type PingRespFrame,
  type PubackFrame,
  type QueryAckFrame,
} from '../../src/internal';

export interface RawClientOptions {
  /** Server base URL (`http://127.0.0.1:PORT`) or a full `ws://…/websocket` URL without query. */
  readonly url: string;
  readonly appKey: string;
  readonly token: string;
  readonly sdkVer?: string;
  readonly apiVer?: string;
  readonly platform?: string;
  /** Extra query parameters (e.g. `protocolVer`). */
  readonly query?: Readonly<Record<string, string>>;
  /** PUBACK qos≥1 non-DUP pushes automatically, as both clients do (default true). */
  readonly autoPuback?: boolean;
  /** How long to wait for the CONNACK (default 5 s, E4's value). */
  readonly connackTimeoutMs?: number;
  /** Extra headers of the upgrade request (e.g. `x-forwarded-for`, as a reverse proxy adds it). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Received {
  readonly frame: Frame;
  readonly bytes: Uint8Array;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

const NO_FLAGS = { dup: false, qos: 0, retain: false } as const;

export class RawClient {
  /** Every frame received, in order. */
  readonly received: Received[] = [];
  /** Messages that were not binary CMP frames (the server must never send any). */
  readonly garbage: (string | Uint8Array)[] = [];
  readonly closed: Promise<CloseInfo>;
  private readonly claimed = new Set<number>();
  private readonly waiters = new Set<{ test: (f: Frame) => boolean; resolve: (i: number) => void }>();
  private messageIdCounter = 0;
  private closeInfo: CloseInfo | undefined;
  connack!: ConnackFrame;
  connackBytes!: Uint8Array;

  constructor(
    readonly ws: WebSocket,
    private readonly autoPuback: boolean,
  ) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      });
    });
    ws.on('error', () => undefined);
    ws.on('message', (data: WebSocket.RawData, isBinary) => {
      const bytes = new Uint8Array(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      if (!isBinary) {
        this.garbage.push(Buffer.from(bytes).toString('utf8'));
        return;
      }
      let frame: Frame;
      try {
        frame = decodeFrame(bytes, 'server');
      } catch {
        this.garbage.push(bytes);
        return;
      }
      this.received.push({ frame, bytes });
      if (this.autoPuback && frame.kind === 'publish' && frame.qos > 0 && !frame.dup) {
        this.send({ kind: 'puback', ...NO_FLAGS, messageId: frame.messageId });
      }
      const index = this.received.length - 1;
      for (const waiter of this.waiters) {
        if (!this.claimed.has(index) && waiter.test(frame)) {
          this.claimed.add(index);
          this.waiters.delete(waiter);
          waiter.resolve(index);
        }
      }
    });
  }

  get frames(): Frame[] {
    return this.received.map((r) => r.frame);
  }

  get isClosed(): boolean {
    return this.closeInfo !== undefined;
  }

  /** Next client messageId: 1, 2, … (wraps after 65535 to 1, like the clients). */
  nextMessageId(): number {
    this.messageIdCounter = this.messageIdCounter >= 65535 ? 1 : this.messageIdCounter + 1;
    return this.messageIdCounter;
  }

  send(frame: Frame): void {
    this.ws.send(encodeFrame(frame, 'client'), { binary: true });
  }

  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  /** First unclaimed frame (already received or future) matching `predicate`. */
  nextFrame<F extends Frame = Frame>(predicate: (frame: Frame) => boolean, timeoutMs = 5000): Promise<F> {
    for (let i = 0; i < this.received.length; i++) {
      const r = this.received[i] as Received;
      if (!this.claimed.has(i) && predicate(r.frame)) {
        this.claimed.add(i);
        return Promise.resolve(r.frame as F);
      }
    }
    return new Promise<F>((resolve, reject) => {
      const waiter = {
        test: predicate,
        resolve: (i: number) => {
          clearTimeout(timer);
          resolve((this.received[i] as Received).frame as F);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching frame within ${timeoutMs} ms; received: ${this.frames.map((f) => f.kind).join(',')}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  async publish(topic: string, targetId: string, payload: Uint8Array, opts: { qos?: number; messageId?: number; timeoutMs?: number } = {}): Promise<PubackFrame> {
    const messageId = opts.messageId ?? this.nextMessageId();
    const answer = this.nextFrame<PubackFrame>((f) => f.kind === 'puback' && f.messageId === messageId, opts.timeoutMs);
    this.send({ kind: 'publish', dup: false, qos: opts.qos ?? 1, retain: false, topic, targetId, messageId, payload });
    return answer;
  }

  async query(topic: string, targetId: string, payload: Uint8Array, opts: { qos?: number; messageId?: number; timeoutMs?: number } = {}): Promise<QueryAckFrame> {
    const messageId = opts.messageId ?? this.nextMessageId();
    const answer = this.nextFrame<QueryAckFrame>((f) => f.kind === 'queryack' && f.messageId === messageId, opts.timeoutMs);
    this.send({ kind: 'query', dup: false, qos: opts.qos ?? 0, retain: false, topic, targetId, messageId, payload });
    return answer;
  }

  async ping(timeoutMs = 5000): Promise<PingRespFrame> {
    const answer = this.nextFrame<PingRespFrame>((f) => f.kind === 'pingresp', timeoutMs);
    this.send({ kind: 'pingreq', ...NO_FLAGS });
    return answer;
  }

  async close(): Promise<CloseInfo> {
    if (!this.isClosed) this.ws.close();
    return this.closed;
  }
}

export function rawWebSocketUrl(options: RawClientOptions): string {
  const base = options.url.replace(/^http/, 'ws').replace(/\/+$/, '');
  const endpoint = base.endsWith('/websocket') ? base : `${base}/websocket`;
  const params = [
    `appId=${encodeURIComponent(options.appKey)}`,
    `token=${encodeURIComponent(options.token)}`,
    `sdkVer=${encodeURIComponent(options.sdkVer ?? '2.9.2')}`,
    'pid=undefined',
    `apiVer=${encodeURIComponent(options.apiVer ?? 'normal')}`,
  ];
  if (options.platform !== undefined) params.push(`platform=${encodeURIComponent(options.platform)}`);
  for (const [k, v] of Object.entries(options.query ?? {})) params.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return `${endpoint}?${params.join('&')}`;
}

/** Opens the socket and resolves with the client once the CONNACK (any status) has arrived. */
export async function connectRaw(options: RawClientOptions): Promise<RawClient> {
  const ws = options.headers === undefined ? new WebSocket(rawWebSocketUrl(options)) : new WebSocket(rawWebSocketUrl(options), { headers: { ...options.headers } });
  ws.binaryType = 'nodebuffer';
  const client = new RawClient(ws, options.autoPuback ?? true);
  const timeoutMs = options.connackTimeoutMs ?? 5000;
  const connack = await Promise.race([
    client.nextFrame<ConnackFrame>((f) => f.kind === 'connack', timeoutMs),
    client.closed.then((info) => {
      throw new Error(`socket closed before CONNACK (code ${info.code})`);
    }),
  ]);
  client.connack = connack;
  const first = client.received.find((r) => r.frame === connack);
  client.connackBytes = first ? first.bytes : new Uint8Array(0);
  return client;
}
