/**
 * The load generator's protocol client: one WebSocket speaking CMP frames with OUR codec
 * (src/internal), nothing else. Unlike test/support/raw-client it keeps no frame history: acks are
 * matched through a messageId → resolver map and pushes go to one callback, so thousands of clients
 * in one process cost little CPU and memory.
 */
import WebSocket from 'ws';
import {
  decodeByName,
  decodeFrame,
  encodeByName,
  encodeFrame,
  type Frame,
  type PubackFrame,
  type PublishFrame,
  type QueryAckFrame,
} from '../../src/internal';

export interface ThinClientOptions {
  /** Server base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly appKey: string;
  readonly token: string;
  readonly connackTimeoutMs?: number;
  /** Local source address (127.0.0.x) when one address's port range is not enough. */
  readonly localAddress?: string;
  /** `lianxin=<value>&directPush=1` in the URL: the server may push stored messages as `s_msg` (InboxPuller direct mode). */
  readonly lianxin?: string;
}

type AckFrame = PubackFrame | QueryAckFrame;
const NO_FLAGS = { dup: false, qos: 0, retain: false } as const;
const MAX_MESSAGE_ID = 65535;

export class ThinClient {
  /** Server pushes (PUBLISH S→C); qos ≥ 1 non-DUP ones are PUBACKed before this runs. */
  onPush: ((frame: PublishFrame) => void) | undefined;
  readonly closed: Promise<number>;
  userId = '';
  private readonly pending = new Map<number, (frame: AckFrame) => void>();
  private lastMessageId = 0;
  private connackWaiter: ((frame: Frame) => void) | undefined;

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.receive(data);
    });
  }

  static async connect(options: ThinClientOptions): Promise<ThinClient> {
    const base = options.url.replace(/^http/, 'ws').replace(/\/+$/, '');
    const query = `appId=${encodeURIComponent(options.appKey)}&token=${encodeURIComponent(options.token)}&sdkVer=2.9.2&pid=undefined&apiVer=normal${options.lianxin !== undefined ? `&lianxin=${encodeURIComponent(options.lianxin)}&directPush=1` : ''}`;
    const ws = new WebSocket(`${base}/websocket?${query}`, { perMessageDeflate: false, ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}) });
    ws.binaryType = 'nodebuffer';
    const client = new ThinClient(ws);
    const timeoutMs = options.connackTimeoutMs ?? 10_000;
    const connack = await new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no CONNACK within ${timeoutMs} ms`)), timeoutMs);
      client.connackWaiter = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      void client.closed.then((code) => {
        clearTimeout(timer);
        reject(new Error(`socket closed before CONNACK (code ${code})`));
      });
    });
    if (connack.kind !== 'connack' || connack.status !== 0) throw new Error(`CONNACK refused: ${JSON.stringify(connack)}`);
    client.userId = connack.userId ?? '';
    return client;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  publish(topic: string, targetId: string, payload: Uint8Array, qos = 1): Promise<PubackFrame> {
    return this.request('publish', topic, targetId, payload, qos) as Promise<PubackFrame>;
  }

  query(topic: string, targetId: string, payload: Uint8Array): Promise<QueryAckFrame> {
    return this.request('query', topic, targetId, payload, 0) as Promise<QueryAckFrame>;
  }

  /** PINGREQ: a client that sends nothing for the server's idle timeout (45 s) is disconnected. */
  ping(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeFrame({ kind: 'pingreq', ...NO_FLAGS }, 'client'), { binary: true });
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }

  private request(kind: 'publish' | 'query', topic: string, targetId: string, payload: Uint8Array, qos: number): Promise<AckFrame> {
    if (this.pending.size >= MAX_MESSAGE_ID - 1) return Promise.reject(new Error('too many requests in flight'));
    let messageId = this.lastMessageId;
    do messageId = messageId >= MAX_MESSAGE_ID ? 1 : messageId + 1;
    while (this.pending.has(messageId));
    this.lastMessageId = messageId;
    return new Promise<AckFrame>((resolve) => {
      this.pending.set(messageId, resolve);
      this.ws.send(encodeFrame({ kind, dup: false, qos, retain: false, topic, targetId, messageId, payload }, 'client'), { binary: true });
    });
  }

  private receive(data: Buffer): void {
    const frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 'server');
    switch (frame.kind) {
      case 'connack':
        this.connackWaiter?.(frame);
        this.connackWaiter = undefined;
        return;
      case 'puback':
      case 'queryack': {
        const resolve = this.pending.get(frame.messageId);
        if (resolve === undefined) return;
        this.pending.delete(frame.messageId);
        resolve(frame);
        return;
      }
      case 'publish':
        if (frame.qos > 0 && !frame.dup) this.ws.send(encodeFrame({ kind: 'puback', ...NO_FLAGS, messageId: frame.messageId }, 'client'), { binary: true });
        this.onPush?.(frame);
        return;
      default:
        return;
    }
  }
}

export interface PulledMessage {
  readonly fromUserId: string;
  readonly msgId: string;
  readonly dataTime: number;
  readonly content: Uint8Array;
}

/**
 * The inbox half of a client (PROTOCOL.md §8): `s_ntf` newer than the cursor starts a `pullMsg`;
 * one pull at a time; re-pull while the page is not finished or a queued notification is newer
 * than the returned syncTime — the same loop the official E4 client runs.
 */
export class InboxPuller {
  private cursor = 0;
  private pulling = false;
  private notifiedTime = 0;
  /** Bounds the re-pull loop when a notification time is never reached by a page's syncTime. */
  private emptyRepulls = 0;
  pulls = 0;
  errors = 0;

  /** Direct mode: every inbox entry up to this time was handed to `onMessages` (s_msg or pull). */
  private delivered = 0;
  /** Direct mode: pushes that arrived while a pull was in flight, delivered after its page. */
  private held: PulledMessage[] = [];

  /**
   * `direct`: the client connected with `lianxin=` and takes `s_msg` pushes of stored messages like our
   * SDK; it pulls once at start (the server pushes only after a finished pull), holds pushes while a pull
   * is in flight (one may be read in the same TCP chunk as the pull answer, before the answer's promise
   * continuation runs) and delivers them after the page, dropping entries at or below what it already
   * delivered (a pull may return a pushed entry again). This is what `directPush=1` promises the server.
   * One node only (P1): in a cluster an entry another node stored can come after a newer push, and this
   * time-based drop would lose it (the SDK dedupes by uid instead, src/client/services/sync.ts; P7 pulls).
   */
  constructor(
    private readonly client: ThinClient,
    private readonly onMessages: (messages: readonly PulledMessage[]) => void,
    private readonly direct = false,
  ) {
    client.onPush = (frame) => {
      if (direct && frame.topic === 's_msg') {
        const m = decodeByName('DownStreamMessage', frame.payload);
        const message = { fromUserId: m.fromUserId, msgId: m.msgId ?? '', dataTime: Number(m.dataTime), content: m.content };
        if (this.pulling) this.held.push(message);
        else this.deliverDirect([message]);
        return;
      }
      if (frame.topic !== 's_ntf') return;
      const notify = decodeByName('NotifyMsg', frame.payload);
      if (notify.type === 2) return;
      const time = Number(notify.time);
      if (time > this.notifiedTime) this.notifiedTime = time;
      if (time > this.cursor) this.pull();
    };
  }

  /** Entries in ascending order; those already delivered are dropped. */
  private deliverDirect(list: readonly PulledMessage[]): void {
    const fresh = list.filter((m) => m.dataTime > this.delivered);
    for (const m of fresh) this.delivered = m.dataTime;
    if (fresh.length > 0) this.onMessages(fresh);
  }

  pull(): void {
    if (this.pulling) return;
    this.pulling = true;
    this.pulls += 1;
    const payload = encodeByName('SyncRequestMsg', { syncTime: this.cursor, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 });
    void this.client.query('pullMsg', this.client.userId, payload).then((ack) => {
      this.pulling = false;
      if (ack.status !== 0) {
        this.errors += 1;
        if (this.direct) this.deliverDirect(this.held.splice(0));
        return;
      }
      const page = decodeByName('DownStreamMessages', ack.payload);
      const syncTime = Number(page.syncTime);
      if (syncTime > this.cursor) this.cursor = syncTime;
      const list = page.list.map((m) => ({ fromUserId: m.fromUserId, msgId: m.msgId ?? '', dataTime: Number(m.dataTime), content: m.content }));
      if (this.direct) {
        this.deliverDirect(list);
        this.deliverDirect(this.held.splice(0));
      } else if (list.length > 0) {
        this.onMessages(list);
      }
      this.emptyRepulls = page.list.length === 0 ? this.emptyRepulls + 1 : 0;
      if (page.finished === false || (this.notifiedTime > this.cursor && this.emptyRepulls < 3)) this.pull();
    });
  }
}
