/**
 * The gateway's WebSocket receive path for the frames clients actually send (RFC 6455 §5): complete, final,
 * masked binary frames within the size limit, and pings and pongs. Each is unmasked straight into the bytes
 * the CMP decoder reads (one copy) and handed on synchronously, in order.
 *
 * Anything else — a text, close or continuation frame, a fragmented message, reserved bits, an unmasked frame,
 * a control frame over 125 bytes, a payload over the limit — hands the connection back to `ws` for good, at
 * that frame's first byte: `ws`'s receiver has seen nothing yet, so it starts at a frame boundary and does what
 * it always did (reassembly, UTF-8 checks, the close handshake, the 1002/1003/1009 closes). Frames handed on
 * before it and frames `ws` emits after it keep their order: nothing is handed on by this path once `ws` has
 * the connection.
 *
 * Why (bench P1 round 21): `ws`'s receiver is a Writable stream; per frame it slices and concatenates buffers,
 * unmasks in place, and emits through the stream and the socket's EventEmitter, ≈ 6 % of the event loop at
 * P1's rate, plus the copy the gateway then made of the frame (the socket's read chunk must not be kept).
 */
import type { Socket } from 'node:net';

/** What a connection needs from its `ws` socket (the gateway's socket class: methods and getters, no fields but the state). */
export interface FastReceiveSocket {
  /** Where this path keeps its state: a frame cut by a read, `WS_OWNS` once `ws` has the connection. */
  receiveState: PartialFrame | typeof WS_OWNS | undefined;
  /** The largest binary payload this path takes (larger ones go to `ws`, which closes with 1009 over its maxPayload). */
  readonly fastMaxPayload: number;
  /** One binary message; `bytes` is its own copy. */
  receiveBinary(bytes: Uint8Array): void;
  emit(event: 'ping' | 'pong', data: Buffer): boolean;
}

/** The connection went back to `ws`'s receiver. */
export const WS_OWNS = 1;

/** The reads holding a frame cut by the end of a read, from its first byte on. */
export class PartialFrame {
  readonly parts: Uint8Array[];
  filled: number;

  constructor(
    first: Uint8Array,
    /** The whole frame's size once its header is in (frameSize); 0 before. */
    public size: number,
  ) {
    this.parts = [first];
    this.filled = first.length;
  }
}

const FIN_BINARY = 0x82;
const FIN_PING = 0x89;
const FIN_PONG = 0x8a;
const MASKED = 0x80;
const MAX_CONTROL_PAYLOAD = 125;
/** The longest header before the payload: 2 bytes, a 64-bit length, the mask. */
const MAX_HEADER = 14;

interface Takeover {
  /** The socket property `ws` links a socket to its WebSocket with (found on the first connection). */
  readonly link: symbol;
  /** `ws`'s own 'data' listener (one module function for every socket). */
  readonly wsListener: (chunk: Buffer) => void;
}

let takeover: Takeover | undefined;

/**
 * Moves `socket`'s incoming frames to this path. Call right after `ws` set the connection up (in the upgrade
 * callback: no data has been read yet). Returns false, leaving `ws` in charge, when `ws`'s wiring is not as
 * expected (another `ws` version): the connection then works exactly as before.
 */
export function takeOverReceive(ws: FastReceiveSocket, socket: Socket): boolean {
  const listeners = socket.listeners('data') as ((chunk: Buffer) => void)[];
  if (listeners.length !== 1) return false;
  const wsListener = listeners[0] as (chunk: Buffer) => void;
  if (takeover === undefined) {
    const link = Object.getOwnPropertySymbols(socket).find((symbol) => (socket as unknown as Record<symbol, unknown>)[symbol] === ws);
    if (link === undefined) return false;
    takeover = { link, wsListener };
  }
  if (wsListener !== takeover.wsListener || (socket as unknown as Record<symbol, unknown>)[takeover.link] !== ws) return false;
  socket.removeListener('data', wsListener);
  socket.on('data', onData);
  return true;
}

function onData(this: Socket, chunk: Buffer): void {
  const ws = (this as unknown as Record<symbol, FastReceiveSocket | undefined>)[(takeover as Takeover).link];
  // `ws` unlinks the socket when it closes; nothing is read after that.
  if (ws === undefined) return;
  const held = ws.receiveState;
  if (held === undefined) {
    scan(this, ws, chunk);
    return;
  }
  if (held === WS_OWNS) return;
  // A frame cut by a read: keep the reads until it is whole (as `ws` does: no bytes are copied or reserved
  // before they arrive), then join them once.
  held.parts.push(chunk);
  held.filled += chunk.length;
  if (held.size === 0) {
    const head = join(held.parts, Math.min(held.filled, MAX_HEADER));
    const size = frameSize(head, 0, head.length, ws.fastMaxPayload);
    if (size < 0) {
      handBack(this, ws, join(held.parts, held.filled), 0);
      return;
    }
    if (size === 0) return;
    held.size = size;
  }
  if (held.filled < held.size) return;
  ws.receiveState = undefined;
  scan(this, ws, join(held.parts, held.filled));
}

/** The frames in `data` from its start: handed on while whole, the rest kept in `ws.receiveState`. */
function scan(socket: Socket, ws: FastReceiveSocket, data: Uint8Array): void {
  const end = data.length;
  const maxPayload = ws.fastMaxPayload;
  let at = 0;
  while (at < end) {
    const size = frameSize(data, at, end, maxPayload);
    if (size < 0) {
      handBack(socket, ws, data, at);
      return;
    }
    if (size === 0 || end - at < size) {
      // A view: the read it belongs to is kept until the frame is whole, as `ws` keeps it.
      ws.receiveState = new PartialFrame(data.subarray(at), size);
      return;
    }
    const first = data[at] as number;
    const lengthCode = (data[at + 1] as number) & 0x7f;
    const mask = at + (lengthCode < 126 ? 2 : lengthCode === 126 ? 4 : 10);
    const payload = mask + 4;
    const length = at + size - payload;
    const m0 = data[mask] as number;
    const m1 = data[mask + 1] as number;
    const m2 = data[mask + 2] as number;
    const m3 = data[mask + 3] as number;
    const bytes = first === FIN_BINARY ? new Uint8Array(length) : Buffer.allocUnsafe(length);
    let i = 0;
    for (; i + 4 <= length; i += 4) {
      bytes[i] = (data[payload + i] as number) ^ m0;
      bytes[i + 1] = (data[payload + i + 1] as number) ^ m1;
      bytes[i + 2] = (data[payload + i + 2] as number) ^ m2;
      bytes[i + 3] = (data[payload + i + 3] as number) ^ m3;
    }
    for (; i < length; i++) bytes[i] = (data[payload + i] as number) ^ (data[mask + (i & 3)] as number);
    at += size;
    if (first === FIN_BINARY) ws.receiveBinary(bytes);
    else ws.emit(first === FIN_PING ? 'ping' : 'pong', bytes as Buffer);
    // A handler may have ended the connection (a malformed CMP frame): read no further, as `ws` stops after
    // its socket is destroyed.
    if (socket.destroyed) return;
  }
}

/**
 * The whole size (header, mask, payload) of the frame at `at` when this path takes it; 0 while its header is not
 * all in `data[at, end)`; -1 when the frame is `ws`'s to handle.
 */
function frameSize(data: Uint8Array, at: number, end: number, maxPayload: number): number {
  if (end - at < 2) return 0;
  const first = data[at] as number;
  const second = data[at + 1] as number;
  if ((second & MASKED) === 0 || (first !== FIN_BINARY && first !== FIN_PING && first !== FIN_PONG)) return -1;
  let length = second & 0x7f;
  let header = 2;
  if (length === 126) {
    if (end - at < 4) return 0;
    length = ((data[at + 2] as number) << 8) | (data[at + 3] as number);
    header = 4;
  } else if (length === 127) {
    if (end - at < 10) return 0;
    // Above 2^31 is far past any limit: `ws` refuses it.
    if (data[at + 2] !== 0 || data[at + 3] !== 0 || data[at + 4] !== 0 || data[at + 5] !== 0 || (data[at + 6] as number) >= 0x80) return -1;
    length = (((data[at + 6] as number) << 24) | ((data[at + 7] as number) << 16) | ((data[at + 8] as number) << 8) | (data[at + 9] as number)) >>> 0;
    header = 10;
  }
  if (first === FIN_BINARY ? length > maxPayload : header !== 2 || length > MAX_CONTROL_PAYLOAD) return -1;
  return header + 4 + length;
}

/** The first `count` bytes of `parts`, as one array (the only part itself when it holds them all). */
function join(parts: readonly Uint8Array[], count: number): Uint8Array {
  const only = parts[0] as Uint8Array;
  if (only.length >= count) return only.length === count ? only : only.subarray(0, count);
  const out = new Uint8Array(count);
  let at = 0;
  for (const part of parts) {
    if (at >= count) break;
    const take = Math.min(part.length, count - at);
    out.set(take === part.length ? part : part.subarray(0, take), at);
    at += take;
  }
  return out;
}

/** `ws` takes the connection from the frame at `at` on (its receiver starts at a frame boundary). */
function handBack(socket: Socket, ws: FastReceiveSocket, data: Uint8Array, at: number): void {
  const { wsListener } = takeover as Takeover;
  ws.receiveState = WS_OWNS;
  socket.removeListener('data', onData);
  socket.on('data', wsListener);
  wsListener.call(socket, Buffer.from(data.buffer, data.byteOffset + at, data.length - at));
}
