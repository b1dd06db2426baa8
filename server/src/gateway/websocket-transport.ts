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

export class WebSocketTransport implements ServerTransport {
  readonly kind = 'websocket' as const;
  private readonly backlog = new SendBacklog(SEND_QUEUE_LIMITS);

  constructor(
    private readonly ws: WebSocket,
    private readonly log: Logger,
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
    const verdict = this.backlog.check(ws.bufferedAmount, Date.now());
    if (verdict !== 'ok') {
      serverMetrics.dropped.inc({ reason: `slow_consumer_${verdict}` });
      this.log.warn('slow consumer disconnected', { reason: verdict, bufferedBytes: ws.bufferedAmount });
      ws.terminate();
      return;
    }
    ws.send(bytes, { binary: true }, () => {
      if (ws.bufferedAmount === 0) this.backlog.drained();
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
