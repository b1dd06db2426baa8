/**
 * The fuzz run's `wire` family (target `ws-frame`): connections below any WebSocket library — a TCP socket
 * that upgrades by hand and writes seeded random streams of WebSocket frames (test/support/ws-client-frames.ts:
 * every length form, control frames, fragments, reserved bits and opcodes, unmasked frames, lengths over the
 * limit, garbage, changed header bytes), cut at random places, whose binary messages carry CMP frames (valid,
 * mutated or random). That is what a hostile client can put on the wire, and what reaches the gateway's fast
 * receive path and `ws` behind it.
 *
 * Streams follow one another on a connection until the server closes it (one may end inside a frame the next
 * completes). Every CHECK_EVERY streams a PINGREQ in a well-formed frame must be answered unless the server
 * closed the connection: the last stream may have ended inside a frame whose header announced more bytes (up to
 * the 256 KiB limit), so when no answer comes within two seconds, zero bytes past any such frame follow (they
 * read as an unmasked frame, which ends the connection); then the answer or the close must come within
 * HANG_MS. A close must carry a close frame with a documented code: ALLOWED_CLOSE, or `ws`'s 1007 (invalid
 * UTF-8) and 1009 (message too big).
 */
import type { Socket } from 'node:net';
import { decodeFrame, encodeFrame } from '../src/internal';
import { clientFrame, randomClientStream, randomCuts, rawUpgrade } from '../test/support/ws-client-frames';
import { ALLOWED_CLOSE, HANG_MS, TOPICS, type Fuzzer, type FuzzUser } from './fuzz-input';

/** The gateway's limit on one WebSocket message (server/src/gateway/websocket-gateway.ts MAX_WS_MESSAGE_BYTES). */
const MAX_PAYLOAD = 256 * 1024;
const WIRE_CLOSE = new Set([...ALLOWED_CLOSE, 1007, 1009]);
const PINGREQ = encodeFrame({ kind: 'pingreq', dup: false, qos: 0, retain: false }, 'client');
/** Enough to complete any frame the server may be waiting for (header, mask, a payload at the limit) and start another. */
const PADDING = Buffer.alloc(MAX_PAYLOAD + 32);
/** Streams between two checks that the connection still answers (streams run into each other in between). */
const CHECK_EVERY = 8;

/** One upgraded raw connection: the server's frames parsed as they come (server frames are never masked). */
class WireConnection {
  private buffer: Buffer = Buffer.alloc(0);
  /** The close code of the server's close frame; 1006 when the socket ended without one. */
  closeCode: number | undefined;
  connacked = false;
  pongs = 0;
  readonly ended: Promise<void>;
  private violation: string | undefined;

  private constructor(readonly socket: Socket) {
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => undefined);
  }

  /** Connects and upgrades; undefined when the server refused. */
  static async open(url: string, path: string): Promise<WireConnection | undefined> {
    const { hostname, port } = new URL(url);
    const upgraded = await rawUpgrade(Number(port), hostname, path).catch(() => undefined);
    if (upgraded === undefined) return undefined;
    const connection = new WireConnection(upgraded.socket);
    if (upgraded.rest.length > 0) connection.read(upgraded.rest);
    upgraded.socket.resume();
    return connection;
  }

  get open(): boolean {
    return this.closeCode === undefined && !this.socket.destroyed;
  }

  /** What the server sent that it must not: an undecodable or text message. */
  takeViolation(): string | undefined {
    const v = this.violation;
    this.violation = undefined;
    return v;
  }

  send(bytes: Uint8Array): void {
    if (this.socket.writable) this.socket.write(bytes);
  }

  private read(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      let length = (b[1] as number) & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + length) return;
      const payload = b.subarray(at, at + length);
      this.buffer = b.subarray(at + length);
      const opcode = (b[0] as number) & 0x0f;
      if (opcode === 0x8) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.socket.destroy();
        return;
      }
      if (opcode === 0x1) this.violation ??= 'server sent a text message';
      if (opcode !== 0x2) continue;
      try {
        const frame = decodeFrame(new Uint8Array(payload), 'server');
        if (frame.kind === 'connack') this.connacked = frame.status === 0;
        if (frame.kind === 'pingresp') this.pongs++;
      } catch (error) {
        this.violation ??= `server sent an undecodable frame: ${(error as Error).message}`;
      }
    }
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return true;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A binary message's CMP content: mostly frames the gateway parses (valid or mutated), sometimes noise of about `size` bytes. */
function cmpPayload(f: Fuzzer, size: number): Uint8Array {
  const roll = f.int(10);
  if (roll < 3) return PINGREQ;
  const query = encodeFrame({ kind: 'query', dup: false, qos: 0, retain: false, topic: f.pick(TOPICS), targetId: 'x', messageId: 60_000 + f.int(5000), payload: f.pick(f.corpus) }, 'client');
  if (roll < 5) return query;
  if (roll < 8) return f.mutate(query);
  const out = new Uint8Array(size);
  for (let i = 0; i < out.length; i++) out[i] = f.int(256);
  return out;
}

/** One user's raw connections, one after the other, until the run ends. */
export async function wireWorker(f: Fuzzer, user: FuzzUser): Promise<void> {
  const path = `/websocket?appId=${encodeURIComponent(f.options.appKey)}&token=${encodeURIComponent(user.token)}&sdkVer=2.9.2&pid=undefined&apiVer=normal`;
  while (f.running()) {
    const c = await WireConnection.open(f.options.url, path);
    if (c === undefined) {
      if (f.running()) f.violation('wire: the WebSocket upgrade failed');
      return;
    }
    if (!(await until(() => c.connacked || !c.open, 10_000)) || !c.connacked) {
      if (f.running()) f.violation(`wire: no CONNACK (close ${c.closeCode ?? 'none'})`);
      c.socket.destroy();
      return;
    }
    let streams = 0;
    while (c.open && f.running()) {
      const { bytes, starts } = randomClientStream(f.rand, { maxPayload: MAX_PAYLOAD, payload: (size) => cmpPayload(f, size), maxFrames: 6 });
      let from = 0;
      for (const to of [...randomCuts(bytes.length, starts, f.rand), bytes.length]) {
        c.send(bytes.subarray(from, to));
        from = to;
        await nextTurn();
      }
      f.count('wire', 'ws-frame');
      const v = c.takeViolation();
      if (v !== undefined) f.violation(`wire: ${v}`);
      if (++streams % CHECK_EVERY !== 0 || !c.open) continue;
      const pongs = c.pongs;
      c.send(clientFrame(0x82, PINGREQ));
      if (!(await until(() => c.pongs > pongs || !c.open, 2000))) {
        c.send(PADDING);
        if (!(await until(() => c.pongs > pongs || !c.open, HANG_MS))) {
          f.hangs++;
          f.violation(`wire: no PINGRESP and no close within ${HANG_MS} ms after a stream (${bytes.subarray(0, 48).toString('hex')}…)`);
          c.socket.destroy();
        }
      }
    }
    if (c.open) c.socket.destroy();
    await c.ended;
    const code = c.closeCode ?? 1006;
    f.closeCodes[`wire ${code}`] = (f.closeCodes[`wire ${code}`] ?? 0) + 1;
    if (f.running() && !WIRE_CLOSE.has(code)) f.violation(`wire: connection closed with code ${code}`);
  }
}
