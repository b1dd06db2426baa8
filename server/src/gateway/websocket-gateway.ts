/**
 * WebSocket endpoint `/websocket` (PROTOCOL.md §3): `ws` in noServer mode on fastify's HTTP
 * server. Authentication is the URL query; the client sends nothing before our CONNACK, but any
 * early frames are kept and replayed once the session exists. Binary messages only, one CMP frame
 * each; a text message, a malformed frame or an oversized message closes that connection only.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeFrame, ProtocolError } from '../../../src/internal';
import type { Logger } from '../context';
import { parseConnectParams } from './client-info';
import type { Session } from './session';
import { MISSING_PARAM_STATUS, type SessionManager } from './session-manager';
import { WebSocketTransport } from './websocket-transport';

export const WEBSOCKET_PATH = '/websocket';
export const MAX_WS_MESSAGE_BYTES = 256 * 1024;
/** Frames a client may send before its CONNACK (it should send none). */
const MAX_EARLY_FRAMES = 16;

/** WebSocket close codes used (RFC 6455). */
const CloseCode = { Normal: 1000, ProtocolError: 1002, UnsupportedData: 1003, PolicyViolation: 1008 } as const;

export interface WebSocketGateway {
  close(): Promise<void>;
}

export function attachWebSocketGateway(server: Server, manager: SessionManager, log: Logger): WebSocketGateway {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: true });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      socket.destroy();
      return;
    }
    if (url.pathname !== WEBSOCKET_PATH) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      handleConnection(ws, url.searchParams, manager, log, req.socket.remoteAddress).catch((error: unknown) => {
        log.error('websocket connection setup failed', { error });
        ws.terminate();
      });
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    close: async () => {
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

async function handleConnection(ws: WebSocket, query: URLSearchParams, manager: SessionManager, log: Logger, clientIp?: string): Promise<void> {
  const transport = new WebSocketTransport(ws, log);
  let session: Session | undefined;
  let early: Uint8Array[] | undefined = [];

  const feed = (target: Session, bytes: Uint8Array): void => {
    let frame;
    try {
      frame = decodeFrame(bytes, 'client');
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      log.info('malformed frame, closing connection', { sessionId: target.info.sessionId, code: error.code, message: error.message });
      transport.closeWith(CloseCode.ProtocolError, 'malformed frame');
      target.close();
      return;
    }
    target.receive(frame);
  };

  ws.on('error', (error) => log.debug('websocket error', { error: error.message }));
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (!isBinary) {
      transport.closeWith(CloseCode.UnsupportedData, 'binary frames only');
      session?.close();
      return;
    }
    const bytes = toBytes(data);
    if (session) {
      feed(session, bytes);
    } else if (early && early.length < MAX_EARLY_FRAMES) {
      early.push(bytes);
    } else {
      transport.closeWith(CloseCode.PolicyViolation, 'frames before CONNACK');
    }
  });
  ws.on('close', () => session?.close());

  const parsed = parseConnectParams(query, clientIp);
  if (!parsed.ok) {
    transport.write({ kind: 'connack', dup: false, qos: 0, retain: false, status: MISSING_PARAM_STATUS[parsed.missing] ?? 2 });
    transport.close();
    return;
  }
  const { params } = parsed;
  const auth = await manager.authenticate(params);
  if (ws.readyState !== ws.OPEN) return;
  if (!auth.ok) {
    transport.write({ kind: 'connack', dup: false, qos: 0, retain: false, status: auth.connackStatus });
    transport.close();
    return;
  }
  const opened = await manager.open(params, auth.userId, auth.app, manager.newSessionId(), transport);
  if (ws.readyState !== ws.OPEN) {
    opened.close();
    return;
  }
  session = opened;
  transport.write({
    kind: 'connack',
    dup: false,
    qos: 0,
    retain: false,
    status: 0,
    userId: opened.info.userId,
    sessionId: opened.info.sessionId,
    timestamp: opened.info.connectedAt,
  });
  const queued = early ?? [];
  early = undefined;
  for (const bytes of queued) if (!opened.closed) feed(opened, bytes);
  await manager.afterConnack(opened, auth.app);
}

/** A private copy: decoded payloads alias their input, and `ws` may hand out pooled buffers. */
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  return new Uint8Array(data);
}
