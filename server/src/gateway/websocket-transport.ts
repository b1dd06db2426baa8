/** ServerTransport over one `ws` connection: binary frames only, one CMP frame per message. */
import type { WebSocket } from 'ws';
import { encodeFrame, type Frame } from '../../../src/internal';
import type { Logger } from '../context';
import type { ServerTransport } from './server-transport';
import { SendBacklog, sendQueueLimitsFromEnv } from '../ops/send-backlog';
import { serverMetrics } from '../ops/server-metrics';
import { outgoingBytes } from '../byte-slab';

/** Grace period for the WebSocket close handshake before the TCP socket is destroyed. */
const CLOSE_GRACE_MS = 2000;
/** Per-connection send backlog bound (bytes + age); a client that stops reading is cut, then syncs on reconnect. */
const SEND_QUEUE_LIMITS = sendQueueLimitsFromEnv(process.env);

/** The part of net.Socket used to write a turn's frames at once (`ws` keeps it as `_socket`; absent on mocks). */
interface RawSocket {
  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean;
}

function rawSocketOf(ws: WebSocket): RawSocket | undefined {
  const socket = (ws as unknown as { _socket?: Partial<RawSocket> })._socket;
  return socket !== undefined && typeof socket.write === 'function' ? (socket as RawSocket) : undefined;
}

/** Bytes of the header of an unmasked, final, binary WebSocket frame (RFC 6455 §5.2) carrying `length` bytes. */
function headerLength(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

function writeHeader(out: Uint8Array, at: number, length: number): number {
  out[at] = 0x82;
  if (length < 126) {
    out[at + 1] = length;
    return at + 2;
  }
  if (length < 65536) {
    out[at + 1] = 126;
    out[at + 2] = length >>> 8;
    out[at + 3] = length & 0xff;
    return at + 4;
  }
  out[at + 1] = 127;
  // The upper 32 bits stay 0: a CMP frame is far below 4 GiB (MAX_WS_MESSAGE_BYTES).
  out.fill(0, at + 2, at + 6);
  out[at + 6] = (length >>> 24) & 0xff;
  out[at + 7] = (length >>> 16) & 0xff;
  out[at + 8] = (length >>> 8) & 0xff;
  out[at + 9] = length & 0xff;
  return at + 10;
}

/**
 * Transports holding frames for the end of this turn, in the order their turns started: one `setImmediate`
 * per event-loop turn flushes them all, instead of an Immediate and a closure per connection per turn.
 */
let turnsToFlush: WebSocketTransport[] = [];
let flushScheduled = false;

function flushTurns(): void {
  const transports = turnsToFlush;
  // A write during these flushes (none today: socket.write calls back later) starts a new turn and schedules.
  turnsToFlush = [];
  flushScheduled = false;
  for (const transport of transports) {
    // One connection's failure must not leave the others' frames unsent (their turns would never end).
    try {
      transport.flushTurn();
    } catch (error) {
      transport.abort(error);
    }
  }
}

export class WebSocketTransport implements ServerTransport {
  /** A prototype getter, not a field: one less slot per connection (P2 memory). */
  get kind(): 'websocket' {
    return 'websocket';
  }

  /** Created on the first write that finds bytes queued: most connections never need one. */
  private backlog: SendBacklog | undefined;
  /**
   * Frames written in one event-loop turn (PUBACK, s_msg/s_ntf, pull answer…) leave in one socket write of
   * one buffer: they are collected here and framed as WebSocket messages at the end of the turn
   * (`setImmediate`), each CMP frame still its own binary message. This replaces `ws.send` per frame (a
   * header allocation, two socket writes and a callback each) on the hot path; it relies on what the
   * gateway guarantees — no permessage-deflate (`ws` never queues or transforms frames then), so bytes
   * written to the socket directly keep their order with `ws`'s own control frames. While frames wait
   * here `bufferedAmount` does not count them: the backlog is judged on what was queued before the turn
   * (`bufferedBeforeTurn`) plus this turn's bytes for the size cap.
   */
  private turn: Uint8Array[] | undefined;
  private bufferedBeforeTurn = 0;
  private turnBytes = 0;

  constructor(
    private readonly ws: WebSocket,
    readonly log: Logger,
    /** The session id this connection gets (log lines; log.ts conventions). */
    readonly connId?: string,
  ) {}

  /**
   * Answers a client ping (the gateway turns `ws`'s auto-pong off: it costs a closure per connection).
   * `ws` bounded unanswered auto-pongs; here a client whose socket already holds more than the send
   * backlog bound is cut as a slow consumer instead of being sent more.
   */
  pong(data: Uint8Array): void {
    const { ws } = this;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > SEND_QUEUE_LIMITS.maxBytes) {
      serverMetrics.dropped.inc({ reason: 'slow_consumer_too_many_bytes' });
      this.log.warn('slow consumer disconnected', { connId: this.connId, reason: 'too_many_bytes', bufferedBytes: ws.bufferedAmount });
      this.turn = undefined;
      ws.terminate();
      return;
    }
    // Written at once, ahead of this turn's frames, as `ws`'s auto-pong did.
    ws.pong(data, false);
  }

  write(frame: Frame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    let bytes: Uint8Array;
    try {
      // From the slab: the bytes are copied into the turn's one write, or handed to `ws` (which copies or writes them).
      bytes = encodeFrame(frame, 'server', outgoingBytes.allocate);
    } catch (error) {
      this.log.error('cannot encode frame', { kind: frame.kind, error });
      return;
    }
    const { ws } = this;
    const socket = rawSocketOf(ws);
    if (socket !== undefined && this.turn === undefined) this.startTurn();
    const buffered = this.turn !== undefined ? this.bufferedBeforeTurn : ws.bufferedAmount;
    if (buffered > 0 || this.backlog !== undefined) {
      this.backlog ??= new SendBacklog(SEND_QUEUE_LIMITS);
      const verdict = buffered + this.turnBytes > SEND_QUEUE_LIMITS.maxBytes ? 'too_many_bytes' : this.backlog.check(buffered, Date.now());
      if (verdict !== 'ok') {
        serverMetrics.dropped.inc({ reason: `slow_consumer_${verdict}` });
        this.log.warn('slow consumer disconnected', { connId: this.connId, reason: verdict, bufferedBytes: buffered });
        this.turn = undefined;
        ws.terminate();
        return;
      }
    }
    if (this.turn !== undefined) {
      this.turn.push(bytes);
      this.turnBytes += headerLength(bytes.length) + bytes.length;
      return;
    }
    ws.send(bytes, { binary: true }, this.backlog === undefined ? undefined : () => {
      if (ws.bufferedAmount === 0) this.backlog?.drained();
    });
  }

  private startTurn(): void {
    this.turn = [];
    this.bufferedBeforeTurn = this.ws.bufferedAmount;
    this.turnBytes = 0;
    turnsToFlush.push(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushTurns);
    }
  }

  /**
   * Writes the turn's frames, each as one WebSocket binary message, in one socket write. Called at the end
   * of the turn (flushTurns) and before a close; a no-op when the turn was already flushed.
   */
  flushTurn(): void {
    const frames = this.turn;
    const size = this.turnBytes;
    this.turn = undefined;
    this.turnBytes = 0;
    const { ws } = this;
    const socket = rawSocketOf(ws);
    if (frames === undefined || frames.length === 0 || ws.readyState !== ws.OPEN || socket === undefined) return;
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const bytes of frames) {
      at = writeHeader(out, at, bytes.length);
      out.set(bytes, at);
      at += bytes.length;
    }
    socket.write(out, this.backlog === undefined ? undefined : () => {
      if (ws.bufferedAmount === 0) this.backlog?.drained();
    });
  }

  /** A turn that could not be written: the connection is cut (the client syncs on reconnect). */
  abort(error: unknown): void {
    this.log.error('cannot write frames', { connId: this.connId, error });
    this.turn = undefined;
    this.ws.terminate();
  }

  close(): void {
    this.closeWith(1000);
  }

  /** Ends the WebSocket with `code`; frames sent before are flushed first by `ws`. */
  closeWith(code: number, reason = ''): void {
    const { ws } = this;
    if (ws.readyState === ws.CLOSED || ws.readyState === ws.CLOSING) return;
    // This turn's frames go before the close frame, as they would have with ws.send.
    this.flushTurn();
    ws.close(code, reason);
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    timer.unref();
    ws.once('close', () => clearTimeout(timer));
  }
}
