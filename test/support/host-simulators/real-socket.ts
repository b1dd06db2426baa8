/**
 * A real WebSocket (the `ws` package, like the host's native socket) behind a simulated task.
 * Reports host-neutral events; each simulator shapes them into its host's callback results.
 * Invariants: `opened` at most once, `closed` exactly once (also for a refused connection, a
 * local close before open, or a cut by the device), nothing after `closed`.
 */
import WebSocket from 'ws';
import { later, toArrayBuffer, type SimulatedDevice } from './simulated-device';

export interface RealSocketEvents {
  opened(): void;
  /** ArrayBuffer for a binary frame, string for a text frame. */
  message(data: ArrayBuffer | string): void;
  error(message: string): void;
  closed(code: number, reason: string): void;
}

export class RealSocket {
  private readonly ws: WebSocket;
  private state: 'connecting' | 'open' | 'closing' | 'closed' = 'connecting';
  private readonly untrack: () => void;

  constructor(
    private readonly device: SimulatedDevice,
    url: string,
    private readonly events: RealSocketEvents,
    options: { readonly headers?: Record<string, string>; readonly protocols?: readonly string[] } = {},
  ) {
    device.socketOpened();
    this.untrack = device.track({ interrupt: (why) => this.cut(why) });
    this.ws = new WebSocket(url, options.protocols === undefined ? undefined : [...options.protocols], {
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      perMessageDeflate: false,
    });
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('open', () => {
      if (this.state !== 'connecting') return;
      this.state = 'open';
      this.events.opened();
    });
    this.ws.on('message', (data: Buffer | Buffer[], isBinary: boolean) => {
      if (this.state !== 'open') return;
      const bytes = Array.isArray(data) ? Buffer.concat(data) : data;
      this.events.message(isBinary ? toArrayBuffer(bytes) : bytes.toString('utf8'));
    });
    this.ws.on('error', (error) => {
      if (this.state === 'connecting' || this.state === 'open') this.events.error(error.message);
    });
    this.ws.on('close', (code, reason) => this.finish(code, reason.toString('utf8')));
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  send(data: ArrayBuffer | string): void {
    this.ws.send(typeof data === 'string' ? data : Buffer.from(new Uint8Array(data)), { binary: typeof data !== 'string' });
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    if (this.state === 'connecting') {
      this.state = 'closing';
      this.ws.removeAllListeners('error');
      this.ws.on('error', () => undefined);
      this.ws.terminate();
      later(() => this.finish(code, reason));
      return;
    }
    this.state = 'closing';
    this.ws.close(code, reason);
  }

  /** The host cut the connection (network lost, app in the background too long). */
  private cut(why: string): void {
    if (this.state === 'closed') return;
    const wasLive = this.state !== 'closing';
    this.ws.removeAllListeners();
    this.ws.on('error', () => undefined);
    this.ws.terminate();
    if (wasLive) this.events.error(`interrupted (${why})`);
    this.finish(1006, `interrupted (${why})`);
  }

  private finish(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.untrack();
    this.device.socketGone();
    this.events.closed(code, reason);
  }
}
