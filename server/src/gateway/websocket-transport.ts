/** ServerTransport over one `ws` connection: binary frames only, one CMP frame per message. */
import type { WebSocket } from 'ws';
import { encodeFrame, type Frame } from '../../../src/internal';
import type { Logger } from '../context';
import type { ServerTransport } from './server-transport';
import { SendBacklog, sendQueueLimitsFromEnv } from '../ops/send-backlog';
import { serverMetrics } from '../ops/server-metrics';

/** Grace period for the WebSocket close handshake before the TCP socket is destroyed. */
const CLOSE_GRACE_MS = 2000;
/** Per-connection send backlog bound (bytes + age); a client that stops reading is cut, then syncs on reconnect. */
const SEND_QUEUE_LIMITS = sendQueueLimitsFromEnv(process.env);

/** The part of net.Socket used to batch writes (`ws` keeps it as `_socket`; absent on mocks). */
interface CorkableSocket {
  cork(): void;
  uncork(): void;
}

function corkableSocketOf(ws: WebSocket): CorkableSocket | undefined {
  const socket = (ws as unknown as { _socket?: Partial<CorkableSocket> })._socket;
  return socket !== undefined && typeof socket.cork === 'function' && typeof socket.uncork === 'function' ? (socket as CorkableSocket) : undefined;
}

export class WebSocketTransport implements ServerTransport {
  readonly kind = 'websocket' as const;
  /** Created on the first write that finds bytes queued: most connections never need one. */
  private backlog: SendBacklog | undefined;
  /**
   * Frames written in one event-loop turn (PUBACK, s_ntf/s_msg, pull answer…) leave in one `writev`: the
   * socket is corked at the turn's first write and uncorked in `setImmediate`. Each CMP frame stays its own
   * WebSocket message. While corked, `bufferedAmount` includes this turn's own frames, so the backlog is
   * judged on what was queued before the turn (`bufferedBeforeTurn`) plus this turn's bytes for the size cap.
   */
  private corked = false;
  private bufferedBeforeTurn = 0;
  private turnBytes = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly log: Logger,
    /** The session id this connection gets (log lines; log.ts conventions). */
    private readonly connId?: string,
  ) {}

  write(frame: Frame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame(frame, 'server');
    } catch (error) {
      this.log.error('cannot encode frame', { kind: frame.kind, error });
      return;
    }
    const { ws } = this;
    if (!this.corked) this.cork();
    const buffered = this.corked ? this.bufferedBeforeTurn : ws.bufferedAmount;
    if (buffered > 0 || this.backlog !== undefined) {
      this.backlog ??= new SendBacklog(SEND_QUEUE_LIMITS);
      const verdict = buffered + this.turnBytes > SEND_QUEUE_LIMITS.maxBytes ? 'too_many_bytes' : this.backlog.check(buffered, Date.now());
      if (verdict !== 'ok') {
        serverMetrics.dropped.inc({ reason: `slow_consumer_${verdict}` });
        this.log.warn('slow consumer disconnected', { connId: this.connId, reason: verdict, bufferedBytes: buffered });
        ws.terminate();
        return;
      }
    }
    if (this.corked) this.turnBytes += bytes.length;
    ws.send(bytes, { binary: true }, this.backlog === undefined ? undefined : () => {
      if (ws.bufferedAmount === 0) this.backlog?.drained();
    });
  }

  private cork(): void {
    const socket = corkableSocketOf(this.ws);
    if (socket === undefined) return;
    this.bufferedBeforeTurn = this.ws.bufferedAmount;
    this.turnBytes = 0;
    this.corked = true;
    socket.cork();
    setImmediate(() => {
      this.corked = false;
      this.turnBytes = 0;
      socket.uncork();
    });
  }

  close(): void {
    this.closeWith(1000);
  }

  /** Ends the WebSocket with `code`; frames sent before are flushed first by `ws`. */
  closeWith(code: number, reason = ''): void {
    const { ws } = this;
    if (ws.readyState === ws.CLOSED || ws.readyState === ws.CLOSING) return;
    ws.close(code, reason);
    const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
    timer.unref();
    ws.once('close', () => clearTimeout(timer));
  }
}
