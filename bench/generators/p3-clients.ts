/**
 * The P3 room members, one kind per system, all reporting to the same `Delivery` sink so the three
 * systems are counted the same way:
 * - `lianxin`: our CMP (thin client): `joinChrm`, then the E4 chatroom loop — `s_ntf{type:2}` queues the
 *   notified time and starts a `chrmPull` from the cursor; re-pull while the page is unfinished or a
 *   queued time is newer than the returned syncTime (PROTOCOL.md §8.7). Pages of non-sampled members are
 *   only scanned (entry count, syncTime, finished), sampled members decode every message;
 * - `ws`: one binary WebSocket message per delivery (the peer broadcasts the sender's bytes);
 * - `socketio`: a socket.io `m` event with one binary attachment per delivery.
 * Every delivery is one encoded `DownStreamMessage` whose content carries the send time (epoch ms, shared
 * across generator processes through performance.timeOrigin).
 */
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { decodeByName, decodeUtf8, encodeByName, encodeUtf8 } from '../../src/internal';
import { ThinClient } from '../lib/thin-client';

export type P3Kind = 'lianxin' | 'ws' | 'socketio';

/**
 * Where members report: `count` deliveries of messages sent at or after `since` (epoch ms, the current
 * step's start; a late delivery from an earlier step is not counted), and for sampled members the decoded
 * messages' contents.
 */
export interface Delivery {
  readonly since: number;
  count(n: number): void;
  sample(content: Uint8Array): void;
  error(message: string): void;
}

export interface Member {
  /** Sends one room message (the sender member only). */
  send(bytes: Uint8Array): void;
  /** Heartbeat (ours: PINGREQ; the server closes a connection idle for 45 s). */
  ping(): void;
  close(): Promise<void>;
}

export interface MemberOptions {
  readonly kind: P3Kind;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly appKey: string;
  readonly roomId: string;
  readonly token: string;
  readonly localAddress?: string;
  readonly sampled: boolean;
}

/** Wall-clock milliseconds with sub-ms resolution, comparable across processes of one machine. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** `{"content":"<sentAt> <seq> xxx…"}` padded to about `bytes` bytes. */
export function messageContent(sentAt: number, seq: number, bytes: number): string {
  const head = `{"content":"${sentAt.toFixed(3)} ${seq} `;
  return `${head}${'x'.repeat(Math.max(0, bytes - head.length - 2))}"}`;
}

/** The send time inside a content produced by messageContent; NaN for anything else. */
export function sentAtOf(content: Uint8Array): number {
  const text = decodeUtf8(content.subarray(0, 40));
  return Number(text.slice(12, text.indexOf(' ', 12)));
}

/** The bytes the peers broadcast: exactly what our server delivers per message inside a chrmPull page. */
export function peerMessage(roomId: string, fromUserId: string, content: string, seq: number, sentAt: number): Uint8Array {
  return encodeByName('DownStreamMessage', {
    fromUserId,
    type: 4,
    groupId: roomId,
    classname: 'RC:TxtMsg',
    content: encodeUtf8(content),
    dataTime: Math.floor(sentAt),
    status: 0,
    msgId: `P3PE-ER00-${String(seq % 10_000).padStart(4, '0')}-0000`,
  });
}

export function connectMember(options: MemberOptions, sink: Delivery): Promise<Member> {
  switch (options.kind) {
    case 'lianxin':
      return connectLianxin(options, sink);
    case 'ws':
      return connectWs(options, sink);
    case 'socketio':
      return connectSocketIo(options, sink);
  }
}

interface PageScan {
  /** Entries whose dataTime ≥ the `since` given to scanPage. */
  readonly entries: number;
  readonly syncTime: number;
  readonly finished: boolean;
}

/** Reads a varint at `at`; returns [value, next offset]. Values up to 2^53 (ms timestamps) are exact. */
function varint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  let i = at;
  for (;;) {
    const b = bytes[i++] as number;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, i];
    scale *= 128;
  }
}

/** Walks one message's fields; calls `onVarint` for each varint field. */
function walk(bytes: Uint8Array, from: number, to: number, onVarint: (field: number, value: number) => void, onBytes?: (field: number, start: number, end: number) => void): void {
  let at = from;
  while (at < to) {
    const [tag, afterTag] = varint(bytes, at);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    at = afterTag;
    if (wire === 2) {
      const [length, afterLength] = varint(bytes, at);
      onBytes?.(field, afterLength, afterLength + length);
      at = afterLength + length;
    } else if (wire === 0) {
      const [value, next] = varint(bytes, at);
      onVarint(field, value);
      at = next;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unexpected wire type ${wire}`);
  }
}

/** `DownStreamMessage.dataTime` (field 6) without decoding the message. */
export function dataTimeOf(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let dataTime = 0;
  walk(bytes, from, to, (field, value) => {
    if (field === 6) dataTime = value;
  });
  return dataTime;
}

/**
 * `DownStreamMessages` without decoding its messages: entries (field 1) with dataTime ≥ `since`,
 * syncTime (2), finished (3).
 */
export function scanPage(bytes: Uint8Array, since: number): PageScan {
  let entries = 0;
  let syncTime = 0;
  let finished = true;
  walk(
    bytes,
    0,
    bytes.length,
    (field, value) => {
      if (field === 2) syncTime = value;
      if (field === 3) finished = value !== 0;
    },
    (field, start, end) => {
      if (field === 1 && dataTimeOf(bytes, start, end) >= since) entries++;
    },
  );
  return { entries, syncTime, finished };
}

async function connectLianxin(options: MemberOptions, sink: Delivery): Promise<Member> {
  const client = await ThinClient.connect({ url: options.url, appKey: options.appKey, token: options.token, ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}) });
  const { roomId } = options;
  const joined = await client.query('joinChrm', roomId, encodeByName('ChrmInput', { nothing: 1 }));
  if (joined.status !== 0) throw new Error(`joinChrm ${roomId}: status ${joined.status}`);
  let cursor = 0;
  let notified = 0;
  let pulling = false;
  const pull = (syncTime: number): Promise<void> => {
    pulling = true;
    return client.query('chrmPull', roomId, encodeByName('ChrmPullMsg', { syncTime, count: 10 })).then((ack) => {
      pulling = false;
      if (ack.status !== 0) {
        sink.error(`chrmPull ${roomId}: status ${ack.status}`);
        return;
      }
      const page = scanPage(ack.payload, sink.since);
      if (options.sampled && page.entries > 0) {
        for (const message of decodeByName('DownStreamMessages', ack.payload).list) sink.sample(message.content);
      }
      // The join pull (syncTime 0) returns history from before the measurement: not a delivery.
      if (syncTime > 0) sink.count(page.entries);
      if (page.syncTime > cursor) cursor = page.syncTime;
      if (!page.finished || notified > cursor) void pull(cursor);
    });
  };
  client.onPush = (frame) => {
    if (frame.topic !== 's_ntf') return;
    const notify = decodeByName('NotifyMsg', frame.payload);
    if (notify.type !== 2 || notify.chrmId !== roomId) return;
    const time = Number(notify.time);
    if (time > notified) notified = time;
    if (time > cursor && !pulling) void pull(cursor);
  };
  // The join pull sets the cursor (E4 pulls right after joining); the member counts as joined once it is
  // answered, so a measurement never starts while the server still works through join pulls.
  await pull(0);
  return {
    ping: () => client.ping(),
    send: (bytes) => {
      void client.publish('chatMsg', roomId, bytes).then((ack) => {
        if (ack.status !== 0) sink.error(`chatMsg ${roomId}: status ${ack.status}`);
      });
    },
    close: async () => {
      await client.close();
    },
  };
}

function connectWs(options: MemberOptions, sink: Delivery): Promise<Member> {
  const url = `${options.url.replace(/^http/, 'ws')}/?room=${encodeURIComponent(options.roomId)}`;
  const ws = new WebSocket(url, { perMessageDeflate: false, ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}) });
  ws.binaryType = 'nodebuffer';
  ws.on('message', (data: Buffer) => {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (dataTimeOf(bytes) >= sink.since) sink.count(1);
    if (options.sampled) sink.sample(decodeByName('DownStreamMessage', bytes).content);
  });
  return new Promise<Member>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => undefined);
      resolve({
        ping: () => undefined,
        send: (bytes) => ws.send(bytes, { binary: true }),
        close: () =>
          new Promise<void>((done) => {
            ws.once('close', () => done());
            ws.close();
          }),
      });
    });
  });
}

function connectSocketIo(options: MemberOptions, sink: Delivery): Promise<Member> {
  const socket: Socket = io(options.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    query: { room: options.roomId },
    ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}),
  });
  socket.on('m', (data: Buffer) => {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (dataTimeOf(bytes) >= sink.since) sink.count(1);
    if (options.sampled) sink.sample(decodeByName('DownStreamMessage', bytes).content);
  });
  return new Promise<Member>((resolve, reject) => {
    socket.once('connect_error', reject);
    // The server puts the socket in the room before it acknowledges `join`.
    socket.once('connect', () => {
      socket.emit('join', () => {
        socket.off('connect_error', reject);
        resolve({
          ping: () => undefined,
          send: (bytes) => {
            socket.emit('m', Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          },
          close: async () => {
            socket.disconnect();
          },
        });
      });
    });
  });
}
