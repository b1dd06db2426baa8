/**
 * `openSocket` over the browser WebSocket (binaryType arraybuffer, no subprotocol or headers:
 * browsers cannot set headers). Keeps the SocketHandlers contract: no synchronous callbacks,
 * onClose exactly once, nothing after it, and no onError for a close the app asked for.
 */
import type { PlatformSocket, SocketHandlers, SocketOptions } from '../../src/platform/platform-adapter';
import type { BrowserHost, HostWebSocket } from './browser-host';
import { encodeUtf8 } from '../../src/codec/utf8';

const OPEN = 1;
const CONNECTING = 0;

function sendableCloseCode(code: number | undefined): number {
  if (code === undefined) return 1000;
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

/** Text frames are not part of the protocol; they are passed on as their UTF-8 bytes. */
function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return encodeUtf8(data);
  return undefined;
}

export function openBrowserSocket(
  host: BrowserHost,
  url: string,
  handlers: SocketHandlers,
  options?: SocketOptions,
): PlatformSocket {
  let closed = false;
  let closingLocally = false;
  const finish = (code: number, reason: string): void => {
    if (closed) return;
    closed = true;
    handlers.onClose(code, reason);
  };
  const failLater = (error: Error): PlatformSocket => {
    host.setTimeout(() => {
      if (closed) return;
      handlers.onError(error);
      finish(1006, error.message);
    }, 0);
    return { send: () => undefined, close: () => finish(1000, '') };
  };

  const Ctor = host.WebSocket;
  if (Ctor === undefined) return failLater(new Error('WebSocket is not available on this host'));
  let ws: HostWebSocket;
  try {
    ws = options?.protocols === undefined ? new Ctor(url) : new Ctor(url, [...options.protocols]);
  } catch (error) {
    return failLater(error instanceof Error ? error : new Error(String(error)));
  }
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => {
    if (!closed) handlers.onOpen();
  };
  ws.onmessage = (event) => {
    if (closed) return;
    const bytes = messageBytes(event.data);
    if (bytes !== undefined) handlers.onMessage(bytes);
  };
  ws.onerror = () => {
    if (!closed && !closingLocally) handlers.onError(new Error(`WebSocket error on ${url}`));
  };
  ws.onclose = (event) => finish(event.code, event.reason);

  return {
    send(data: Uint8Array): void {
      if (closed || ws.readyState !== OPEN) return;
      ws.send(data);
    },
    close(code?: number, reason?: string): void {
      if (closed) return;
      closingLocally = true;
      if (ws.readyState === CONNECTING) {
        ws.close();
        return;
      }
      ws.close(sendableCloseCode(code), reason ?? '');
    },
  };
}
