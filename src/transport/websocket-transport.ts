/**
 * CMP over WebSocket (PROTOCOL.md §3): auth in the URL query, no CONNECT frame, one frame per
 * binary message in each direction. The server speaks first (CONNACK).
 */
import type { Frame } from '../protocol/frame';
import { FrameReader } from '../protocol/frame-reader';
import { encodeFrame } from '../protocol/frame-writer';
import type { PlatformAdapter, PlatformSocket } from '../platform/platform-adapter';
import type { CloseReason, Endpoint, Transport, TransportEvents, TransportFactory } from './transport';

export function webSocketUrl(endpoint: Endpoint): string {
  const scheme = endpoint.secure ? 'wss' : 'ws';
  return (
    `${scheme}://${endpoint.host}/websocket?appId=${endpoint.appKey}&token=${encodeURIComponent(endpoint.token)}` +
    `&sdkVer=${endpoint.sdkVersion}&apiVer=normal&lianxin=${encodeURIComponent(endpoint.lianxinVersion)}` +
    // We keep order when a stored message is pushed as s_msg right behind a pull answer (sync.ts holds
    // pushes during a round), so the server may skip the s_ntf → pullMsg round trip (inbox-delivery.ts).
    '&directPush=1'
  );
}

class WebSocketTransport implements Transport {
  readonly kind = 'websocket' as const;
  private readonly socket: PlatformSocket;
  private readonly reader = new FrameReader('server');
  private open = false;
  private closed = false;

  constructor(
    readonly endpoint: Endpoint,
    private readonly events: TransportEvents,
    platform: PlatformAdapter,
  ) {
    this.socket = platform.openSocket(webSocketUrl(endpoint), {
      onOpen: () => {
        if (this.closed || this.open) return;
        this.open = true;
        this.events.onOpen();
      },
      onMessage: (data) => this.receive(data),
      onClose: (code, reason) => this.finish({ kind: 'socket-closed', code, reason }),
      onError: () => undefined, // always followed by onClose, which carries the outcome
    });
  }

  send(frame: Frame): void {
    if (!this.open || this.closed) return;
    this.socket.send(encodeFrame(frame, 'client'));
  }

  close(): void {
    if (this.closed) return;
    // Report first: some hosts call onClose synchronously from inside close().
    this.finish({ kind: 'local' });
    this.socket.close(1000, '');
  }

  private receive(data: Uint8Array): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(data);
    } catch (error) {
      // Both official clients log and drop frames they cannot decode; so do we.
      void error;
      return;
    }
    this.events.onFrames(frames);
  }

  private finish(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.events.onClose(reason);
  }
}

export const createWebSocketTransport: TransportFactory = (endpoint, events, platform) =>
  new WebSocketTransport(endpoint, events, platform);
