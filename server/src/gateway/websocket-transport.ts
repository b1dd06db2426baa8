/** ServerTransport over one `ws` connection: binary frames only, one CMP frame per message. */
import type { WebSocket } from 'ws';
import { encodeFrame, type Frame } from '../../../src/internal';
import type { Logger } from '../context';
import type { ServerTransport } from './server-transport';

/** Grace period for the WebSocket close handshake before the TCP socket is destroyed. */
const CLOSE_GRACE_MS = 2000;

export class WebSocketTransport implements ServerTransport {
  readonly kind = 'websocket' as const;

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
    this.ws.send(bytes, { binary: true });
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
