/**
 * `PlatformAdapter.openSocket` over the `ws` package. Guarantees the SocketHandlers contract:
 * no callback from inside openSocket, onOpen at most once, onClose exactly once (also when the
 * URL is invalid or the connection is refused), nothing delivered after onClose.
 */
import WebSocket from 'ws';
import type { PlatformSocket, SocketHandlers, SocketOptions } from '../../src/platform/platform-adapter';

/** Close codes an endpoint may send (RFC 6455 §7.4); anything else becomes 1000. */
function sendableCloseCode(code: number | undefined): number {
  if (code === undefined) return 1000;
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

function toBytes(data: WebSocket.RawData, isBinary: boolean): Uint8Array {
  if (!isBinary) {
    const text = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
    return new Uint8Array(text.buffer, text.byteOffset, text.byteLength);
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) {
    const joined = Buffer.concat(data);
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function openNodeSocket(url: string, handlers: SocketHandlers, options?: SocketOptions): PlatformSocket {
  let closed = false;
  const finish = (code: number, reason: string): void => {
    if (closed) return;
    closed = true;
    handlers.onClose(code, reason);
  };

  let ws: WebSocket;
  try {
    const protocols = options?.protocols === undefined ? undefined : [...options.protocols];
    ws = new WebSocket(url, protocols, {
      ...(options?.headers === undefined ? {} : { headers: { ...options.headers } }),
      // The official server never negotiates compression; keep frames byte-identical.
      perMessageDeflate: false,
    });
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    setTimeout(() => {
      if (closed) return;
      handlers.onError(err);
      finish(1006, err.message);
    }, 0);
    return { send: () => undefined, close: () => finish(1000, '') };
  }

  ws.binaryType = 'nodebuffer';
  ws.on('open', () => {
    if (!closed) handlers.onOpen();
  });
  ws.on('message', (data, isBinary) => {
    if (!closed) handlers.onMessage(toBytes(data, isBinary));
  });
  ws.on('error', (error) => {
    if (!closed) handlers.onError(error);
  });
  ws.on('close', (code, reason) => finish(code, reason.toString('utf8')));

  return {
    send(data: Uint8Array): void {
      // Frames written while not open are dropped: the transport above owns retry policy.
      if (closed || ws.readyState !== WebSocket.OPEN) return;
      ws.send(data, { binary: true });
    },
    close(code?: number, reason?: string): void {
      if (closed) return;
      if (ws.readyState === WebSocket.CONNECTING) {
        // ws reports an abort before open as an error; a local close is not an error.
        ws.removeAllListeners('error');
        ws.on('error', () => undefined);
        ws.terminate();
        return;
      }
      ws.close(sendableCloseCode(code), reason ?? '');
    },
  };
}
