/**
 * WebSocket endpoint `/websocket` (PROTOCOL.md §3): `ws` in noServer mode on fastify's HTTP
 * server. Authentication is the URL query; the client sends nothing before our CONNACK, but any
 * early frames are kept and replayed once the session exists. Binary messages only, one CMP frame
 * each; a text message, a malformed frame or an oversized message closes that connection only.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { decodeFrame, ProtocolError } from '../../../src/internal';
import type { Logger } from '../context';
import { parseConnectParams } from './client-info';
import { logFields } from './log-fields';
import type { Session } from './session';
import { MISSING_PARAM_STATUS, type SessionManager } from './session-manager';
import { eventLoopAdmission, type TurnAdmission } from './turn-admission';
import { CLIENT_FRAME_OPTIONS } from './topic-router';
import { takeOverReceive, type FastReceiveSocket, type PartialFrame, type WS_OWNS } from './websocket-receive';
import { WebSocketTransport } from './websocket-transport';
import type { TrustedProxies } from '../http/client-address';

export const WEBSOCKET_PATH = '/websocket';
export const MAX_WS_MESSAGE_BYTES = 256 * 1024;
/** Frames a client may send before its CONNACK (it should send none). */
const MAX_EARLY_FRAMES = 16;

/** WebSocket close codes used (RFC 6455). */
const CloseCode = { Normal: 1000, ProtocolError: 1002, UnsupportedData: 1003, PolicyViolation: 1008 } as const;

export interface WebSocketGateway {
  close(): Promise<void>;
}

/**
 * `proxies`: the reverse proxies whose `X-Forwarded-For` names the client (`--trust-proxy`, http/client-address.ts);
 * `admission`: where upgrades queue in a burst (default: the process's event loop admission).
 */
export function attachWebSocketGateway(server: Server, manager: SessionManager, log: Logger, proxies?: TrustedProxies, admission: TurnAdmission = eventLoopAdmission): WebSocketGateway {
  // Per connection, `ws`'s own client tracking costs a close listener closure, its context and a listener
  // array (≈ 180 bytes), and auto-pong a completion closure (≈ 100 bytes): this gateway tracks its sockets
  // in one Set and GatewaySocket answers pings itself (P2 memory, bench/analysis/p2-connections.md).
  const sockets = new Set<GatewaySocket>();
  class TrackedSocket extends GatewaySocket {
    override get tracked(): Set<GatewaySocket> {
      return sockets;
    }
  }
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES, perMessageDeflate: false, clientTracking: false, autoPong: false, WebSocket: TrackedSocket });

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
    const origin = req.headers.origin;
    const arrivedAt = manager.now();
    // In a storm the upgrades (101 write, authentication, session) go through the loop a slice per
    // turn (turn-admission.ts); until then the socket only needs an error listener (http removed its own).
    socket.on('error', ignoreWhileWaiting);
    admission.run(() => {
      socket.off('error', ignoreWhileWaiting);
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        const connId = manager.newSessionId();
        const peer = peerAddress(req.socket);
        const clientIp = proxies === undefined ? peer : proxies.clientAddress(peer, req.headers['x-forwarded-for']);
        handleConnection(ws as GatewaySocket, url.searchParams, manager, log, connId, arrivedAt, clientIp, origin).catch((error: unknown) => {
          log.error('websocket connection setup failed', { connId, error });
          ws.terminate();
        });
      });
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    close: async () => {
      server.off('upgrade', onUpgrade);
      // Resolves once every socket has emitted 'close' (what `ws`'s client tracking waited for): a tracked
      // socket has not emitted it yet, and terminate() makes it do so.
      const closed = [...sockets].map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
      for (const ws of sockets) ws.terminate();
      await Promise.all(closed);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * The server-side socket class (`WebSocketServer({ WebSocket })`): the connection's state lives in
 * fields and the event listeners are shared module functions using `this`, instead of closures per
 * connection (P2 memory: ≈ 0.6 KB less per idle connection, bench/analysis/p2-connections.md).
 */
class GatewaySocket extends WebSocket implements FastReceiveSocket {
  /** Set before any listener runs (handleConnection); holds the log and connection id too. */
  transport: WebSocketTransport | undefined;
  session: Session | undefined;
  /** Frames that arrived before the CONNACK (replayed once the session exists); undefined after it. */
  early: Uint8Array[] | undefined;
  /** The fast receive path's state (websocket-receive.ts). */
  receiveState: PartialFrame | typeof WS_OWNS | undefined;

  get fastMaxPayload(): number {
    return MAX_WS_MESSAGE_BYTES;
  }

  receiveBinary(bytes: Uint8Array): void {
    acceptBinary(this, bytes);
  }

  /** The gateway's set of open sockets: a getter of a per-gateway subclass, so it costs no field. */
  get tracked(): Set<GatewaySocket> | undefined {
    return undefined;
  }

  /**
   * Pings are answered here (RFC 6455 §5.5.3, what `ws`'s auto-pong did) rather than from a `ping`
   * listener: the three listeners below fill the listener table's initial capacity, and a fourth event
   * name would grow it by ≈ 100 bytes per connection.
   */
  // Two fixed arguments, not a rest array: this runs for every frame ('message'), and a server-side
  // socket's events carry at most two ('message' data/isBinary, 'close' code/reason).
  override emit(event: string | symbol, first?: unknown, second?: unknown): boolean {
    if (event === 'ping') this.transport?.pong(first as Uint8Array);
    return super.emit(event, first, second);
  }
}

/**
 * The peer address, without leaving net.Socket's cached `_peername` object ({address, family, port},
 * ≈ 56 bytes) on every connection: nothing reads it again after the upgrade, and a later read
 * simply asks the handle again.
 */
function peerAddress(socket: Socket): string | undefined {
  const address = socket.remoteAddress;
  const cached = socket as unknown as { _peername?: unknown };
  if (cached._peername !== undefined) cached._peername = undefined;
  return address;
}

function ignoreWhileWaiting(): void {
  // The socket is destroyed by then; the queued upgrade sees that and drops it.
}

// `this` is the emitting socket, always a GatewaySocket (the server creates no other kind).
function onSocketError(this: WebSocket, error: Error): void {
  const transport = (this as GatewaySocket).transport;
  transport?.log.debug('websocket error', { connId: transport.connId, error: error.message });
}

function onSocketClose(this: WebSocket): void {
  const ws = this as GatewaySocket;
  ws.tracked?.delete(ws);
  ws.session?.close();
}

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const ws = this as GatewaySocket;
  const transport = ws.transport as WebSocketTransport;
  if (!isBinary) {
    transport.closeWith(CloseCode.UnsupportedData, 'binary frames only');
    ws.session?.close();
    return;
  }
  acceptBinary(ws, toBytes(data));
}

/** One binary message of `ws` (its own bytes), from `ws`'s receiver or the fast path (websocket-receive.ts). */
function acceptBinary(ws: GatewaySocket, bytes: Uint8Array): void {
  if (ws.session) {
    feed(ws, ws.session, bytes);
  } else if ((ws.early ??= []).length < MAX_EARLY_FRAMES) {
    ws.early.push(bytes);
  } else {
    ws.transport?.closeWith(CloseCode.PolicyViolation, 'frames before CONNACK');
  }
}

function feed(ws: GatewaySocket, target: Session, bytes: Uint8Array): void {
  let frame;
  try {
    // A routed topic's bytes map to the string kept for it (KNOWN_TOPICS): no string is built per frame.
    frame = decodeFrame(bytes, 'client', CLIENT_FRAME_OPTIONS);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    ws.transport?.log.info('malformed frame, closing connection', logFields(target.info, { code: error.code, message: error.message }));
    ws.transport?.closeWith(CloseCode.ProtocolError, 'malformed frame');
    target.close();
    return;
  }
  target.receive(frame);
}

async function handleConnection(ws: GatewaySocket, query: URLSearchParams, manager: SessionManager, log: Logger, connId: string, arrivedAt: number, clientIp?: string, origin?: string): Promise<void> {
  const transport = new WebSocketTransport(ws, log, connId);
  ws.transport = transport;
  ws.tracked?.add(ws);
  // Called from the upgrade callback: nothing has been read from the socket yet.
  const socket = (ws as unknown as { _socket?: Socket })._socket;
  if (socket !== undefined) takeOverReceive(ws, socket);
  ws.on('error', onSocketError);
  ws.on('message', onSocketMessage);
  ws.on('close', onSocketClose);

  const parsed = parseConnectParams(query, clientIp);
  if (!parsed.ok) {
    transport.write({ kind: 'connack', dup: false, qos: 0, retain: false, status: MISSING_PARAM_STATUS[parsed.missing] ?? 2 });
    transport.close();
    return;
  }
  const { params } = parsed;
  const auth = await manager.authenticate(params, { connId, origin });
  if (ws.readyState !== ws.OPEN) return;
  if (!auth.ok) {
    transport.write({ kind: 'connack', dup: false, qos: 0, retain: false, status: auth.connackStatus });
    transport.close();
    return;
  }
  const opened = await manager.open(params, auth.userId, auth.app, connId, transport, arrivedAt);
  if (ws.readyState !== ws.OPEN) {
    opened.close();
    return;
  }
  ws.session = opened;
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
  const queued = ws.early ?? [];
  ws.early = undefined;
  for (const bytes of queued) if (!opened.closed) feed(ws, opened, bytes);
  await manager.afterConnack(opened, auth.app);
}

/** A private copy: decoded payloads alias their input, and `ws` may hand out pooled buffers. */
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  return new Uint8Array(data);
}
