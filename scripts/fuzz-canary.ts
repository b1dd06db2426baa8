/**
 * The fuzz run's canary users (scripts/fuzz-core.ts): a plain CMP client that sends private
 * messages and receives them the way the official client does (s_ntf → pullMsg), to prove that
 * clients next to the fuzzed ones are unaffected and that stored messages are intact.
 */
import WebSocket from 'ws';
import { decodeByName, decodeFrame, decodeUtf8, encodeByName, encodeFrame, encodeUtf8, type Frame } from '../src/internal';

export interface CanaryUser {
  readonly userId: string;
  readonly token: string;
}

export interface StoredMessage {
  readonly uid: string;
  readonly content: string;
  readonly time: number;
}

const NO_FLAGS = { dup: false, qos: 0, retain: false } as const;

export class CanaryClient {
  private nextId = 0;
  private cursor = 0;
  private readonly waiting = new Map<number, (frame: Frame) => void>();
  private readonly seen: string[] = [];
  private readonly seenWaiters = new Set<() => void>();
  private pulling: Promise<unknown> | undefined;
  /** An s_ntf arrived during a pull: pull once more when it ends. */
  private pullAgain = false;

  private constructor(
    private readonly ws: WebSocket,
    readonly user: CanaryUser,
  ) {}

  static async connect(url: string, appKey: string, user: CanaryUser): Promise<CanaryClient> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/websocket?appId=${encodeURIComponent(appKey)}&token=${encodeURIComponent(user.token)}&sdkVer=2.9.2&pid=undefined&apiVer=normal`, { perMessageDeflate: false });
    const client = new CanaryClient(ws, user);
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('canary: no CONNACK')), 10_000);
      ws.on('message', (data: Buffer) => {
        const frame = decodeFrame(new Uint8Array(data), 'server');
        if (frame.kind === 'connack') {
          clearTimeout(timer);
          if (frame.status === 0) resolve();
          else reject(new Error(`canary: CONNACK ${frame.status}`));
          return;
        }
        client.receive(frame);
      });
    });
    return client;
  }

  /** The messages from `peerId` in the user's inbox, read with a full pullMsg on a fresh connection. */
  static async storedConversation(url: string, appKey: string, user: CanaryUser, peerId: string): Promise<StoredMessage[]> {
    const client = await CanaryClient.connect(url, appKey, user);
    try {
      const all = await client.pullAll();
      return all.filter((m) => m.from === peerId).map(({ uid, content, time }) => ({ uid, content, time }));
    } finally {
      client.close();
    }
  }

  send(to: string, text: string): Promise<{ status: number }> {
    const payload = encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: encodeUtf8(JSON.stringify({ content: text })), configFlag: 0 });
    return this.request('publish', 'ppMsgP', to, payload).then((frame) => ({ status: frame.kind === 'puback' ? (frame.status ?? -1) : -1 }));
  }

  /** Pulls until finished; returns every message pulled. */
  async pullAll(): Promise<{ uid: string; from: string; content: string; time: number }[]> {
    const out: { uid: string; from: string; content: string; time: number }[] = [];
    for (let page = 0; page < 200; page++) {
      const ack = await this.request('query', 'pullMsg', this.user.userId, encodeByName('SyncRequestMsg', { syncTime: this.cursor, ispolling: false, isPullSend: false, sendBoxSyncTime: 0 }));
      if (ack.kind !== 'queryack' || ack.status !== 0) throw new Error('canary: pullMsg failed');
      const list = decodeByName('DownStreamMessages', ack.payload);
      for (const m of list.list) {
        const content = decodeUtf8(m.content);
        out.push({ uid: m.msgId ?? '', from: m.fromUserId, content, time: Number(m.dataTime) });
        this.seen.push(content);
      }
      const syncTime = Number(list.syncTime);
      if (syncTime > this.cursor) this.cursor = syncTime;
      if (list.finished !== false) break;
    }
    for (const waiter of this.seenWaiters) waiter();
    return out;
  }

  /** Resolves true once a message whose content includes `text` was pulled (false after `timeoutMs`). */
  waitFor(text: string, timeoutMs: number): Promise<boolean> {
    const found = (): boolean => this.seen.some((c) => c.includes(text));
    if (found()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (!found()) return;
        this.seenWaiters.delete(check);
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.seenWaiters.delete(check);
        resolve(false);
      }, timeoutMs);
      this.seenWaiters.add(check);
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private receive(frame: Frame): void {
    if (frame.kind === 'queryack' || frame.kind === 'puback') {
      const waiter = this.waiting.get(frame.messageId);
      this.waiting.delete(frame.messageId);
      waiter?.(frame);
      return;
    }
    if (frame.kind === 'publish') {
      if (frame.qos > 0 && !frame.dup) this.ws.send(encodeFrame({ kind: 'puback', ...NO_FLAGS, messageId: frame.messageId }, 'client'));
      if (frame.topic !== 's_ntf') return;
      if (this.pulling !== undefined) {
        this.pullAgain = true;
        return;
      }
      const loop = async (): Promise<void> => {
        do {
          this.pullAgain = false;
          await this.pullAll().catch(() => undefined);
        } while (this.pullAgain);
      };
      this.pulling = loop().finally(() => {
        this.pulling = undefined;
      });
    }
  }

  private request(kind: 'publish' | 'query', topic: string, targetId: string, payload: Uint8Array): Promise<Frame> {
    this.nextId = this.nextId >= 65_000 ? 1 : this.nextId + 1;
    const messageId = this.nextId;
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(messageId);
        reject(new Error(`canary: ${topic} not answered`));
      }, 10_000);
      this.waiting.set(messageId, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
      this.ws.send(encodeFrame({ kind, dup: false, qos: kind === 'query' ? 0 : 1, retain: false, topic, targetId, messageId, payload }, 'client'));
    });
  }
}
