/**
 * WebSocket frames as a client writes them (RFC 6455 §5), whole or broken, for tests and the fuzz run that
 * talk to a server below any WebSocket library: the gateway's fast receive path
 * (server/src/gateway/websocket-receive.ts) must see exactly what `ws` would, and the server must survive
 * whatever a client can put on the wire.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** A TCP connection upgraded by hand, paused: attach a 'data' listener, then resume(). */
export interface RawUpgrade {
  readonly socket: Socket;
  /** What the server wrote after its 101 response (frames, already). */
  readonly rest: Buffer;
}

/**
 * Connects to `host:port` and upgrades to WebSocket by hand (RFC 6455 §4.1), Nagle off. Rejects when the
 * connection fails or the server answers anything but 101 with the key's Sec-WebSocket-Accept.
 */
export function rawUpgrade(port: number, host: string, path = '/'): Promise<RawUpgrade> {
  const socket = connect(port, host);
  socket.setNoDelay(true);
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('close', onClose);
      socket.pause();
      const response = head.subarray(0, end).toString('latin1');
      if (!response.startsWith('HTTP/1.1 101') || !response.includes(`\r\nSec-WebSocket-Accept: ${accept}`)) fail(new Error(`upgrade refused: ${response.split('\r\n')[0]}`));
      else resolve({ socket, rest: head.subarray(end + 4) });
    };
    const onClose = (): void => fail(new Error('closed before the upgrade'));
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('close', onClose);
  });
}

export interface ClientFrameOptions {
  /** Unmasked when false (a client must mask; a server must refuse it). */
  readonly masked?: boolean;
  /** The 16- or 64-bit length form whatever the length (the minimal form otherwise). */
  readonly form?: 126 | 127;
  /** The length the header claims, when it is not the payload's (a header announcing more than follows). */
  readonly claimed?: number;
  /** The masking key (random when not given). */
  readonly mask?: Uint8Array;
}

/** One frame: `first` is the FIN bit, the reserved bits and the opcode. */
export function clientFrame(first: number, payload: Uint8Array, options: ClientFrameOptions = {}): Buffer {
  const length = options.claimed ?? payload.length;
  const form = options.form ?? (length < 126 ? 0 : length < 65_536 ? 126 : 127);
  const header = Buffer.alloc(form === 0 ? 2 : form === 126 ? 4 : 10);
  header[0] = first;
  header[1] = form === 0 ? length : form;
  if (form === 126) header.writeUInt16BE(length, 2);
  if (form === 127) header.writeBigUInt64BE(BigInt(length), 2);
  if (options.masked === false) return Buffer.concat([header, payload]);
  header[1] = (header[1] as number) | 0x80;
  const mask = options.mask ?? randomBytes(4);
  return Buffer.concat([header, mask, Buffer.from(payload.map((byte, i) => byte ^ (mask[i & 3] as number)))]);
}

export interface RandomStreamOptions {
  /** The receiver's payload limit: lengths around and over it are tried. */
  readonly maxPayload: number;
  /** A binary message's payload of about `size` bytes (random bytes when not given). */
  readonly payload?: (size: number) => Uint8Array;
  /** Whether the stream may hold close frames (valid and invalid codes and reasons). */
  readonly closeFrames?: boolean;
  /** Most frames in one stream. */
  readonly maxFrames?: number;
}

/**
 * A random stream of client frames from the seeded `random`: binary frames of every length form, pings and
 * pongs (within and over 125 bytes), text (valid and invalid UTF-8), fragmented messages with control frames
 * between their fragments, stray continuations, reserved bits and opcodes, unmasked frames, close frames,
 * lengths over the limit or past 2^32 and 2^53, garbage, and valid frames with a header byte changed.
 * Returns the bytes and where each frame starts.
 */
export function randomClientStream(random: () => number, options: RandomStreamOptions): { readonly bytes: Buffer; readonly starts: readonly number[] } {
  const { maxPayload } = options;
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
  const payload = (n: number): Uint8Array => options.payload?.(n) ?? bytes(n);
  const frame = (first: number, body: Uint8Array, extra: Omit<ClientFrameOptions, 'mask'> = {}): Buffer =>
    clientFrame(first, body, { ...extra, mask: bytes(4) });
  const size = (): number => pick([0, 1, 2, int(8), int(126), 125, 126, 127, int(600), int(4000), 65_535, 65_536, maxPayload].filter((n) => n <= maxPayload));
  const utf8 = (): Buffer => Buffer.from(pick(['', 'a', 'héllo', '你好', '😀'.repeat(int(40))]));
  const closeBody = (): Buffer => {
    const code = Buffer.alloc(2);
    code.writeUInt16BE(pick([1000, 1001, 1002, 1003, 1005, 1006, 1011, 1015, 2999, 3000, 4001, 4999, 5000, 0]));
    return pick([Buffer.alloc(0), Buffer.alloc(1), code, Buffer.concat([code, utf8()]), Buffer.concat([code, Buffer.from([0xc3, 0x28])])]);
  };
  const frames: Buffer[] = [];
  const count = 1 + int(options.maxFrames ?? 10);
  for (let i = 0; i < count; i++) {
    const roll = int(20);
    if (roll < 6) {
      frames.push(frame(0x82, payload(size())));
    } else if (roll === 6) {
      frames.push(frame(0x82, payload(int(200)), { form: pick([126, 127] as const) }));
    } else if (roll === 7) {
      frames.push(frame(pick([0x89, 0x8a]), bytes(pick([0, 1, int(126), 125]))));
    } else if (roll === 8) {
      // Control frames over 125 bytes (16-bit length form), and fragmented ones.
      frames.push(frame(pick([0x89, 0x8a, 0x09, 0x0a]), bytes(pick([126, 127, 300, int(20)]))));
    } else if (roll === 9) {
      frames.push(frame(0x81, pick([utf8(), Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), bytes(int(20))])));
    } else if (roll === 10) {
      // A fragmented message, control frames between its fragments now and then.
      const parts = 1 + int(4);
      const opcode = pick([0x01, 0x02]);
      for (let p = 0; p <= parts; p++) {
        frames.push(frame((p === parts ? 0x80 : 0) | (p === 0 ? opcode : 0x00), opcode === 0x01 ? utf8() : bytes(int(300))));
        if (int(3) === 0) frames.push(frame(pick([0x89, 0x8a]), bytes(int(10))));
      }
    } else if (roll === 11) {
      frames.push(frame(pick([0x80, 0x00]), bytes(int(20)))); // a continuation with nothing to continue
    } else if (roll === 12) {
      frames.push(frame(pick([0x82, 0x81, 0x89]) | pick([0x40, 0x20, 0x10]), bytes(int(20)))); // reserved bits
    } else if (roll === 13) {
      frames.push(frame(0x80 | pick([0x3, 0x4, 0x7, 0xb, 0xf]), bytes(int(20)))); // reserved opcodes
    } else if (roll === 14) {
      frames.push(clientFrame(pick([0x82, 0x89, 0x81]), bytes(int(20)), { masked: false }));
    } else if (roll === 15 && options.closeFrames === true) {
      frames.push(frame(0x88, closeBody()));
    } else if (roll === 15 || roll === 16) {
      // A length over the limit, or past 2^32 or 2^53: the header alone decides.
      frames.push(frame(0x82, bytes(int(30)), { form: 127, claimed: pick([maxPayload + 1, 2 ** 32, 2 ** 40, 2 ** 53 + 2, 2 ** 62]) }));
    } else if (roll === 17) {
      frames.push(frame(0x82, bytes(maxPayload + 1 + int(3))));
    } else if (roll === 18) {
      frames.push(bytes(1 + int(24)));
    } else {
      // A valid frame with one of its first two bytes changed.
      const whole = frame(pick([0x82, 0x89]), payload(int(140)));
      whole[int(2)] = int(256);
      frames.push(whole);
    }
  }
  const starts: number[] = [];
  let at = 0;
  for (const one of frames) {
    starts.push(at);
    at += one.length;
  }
  return { bytes: Buffer.concat(frames), starts };
}

/**
 * Where to cut a stream of `length` bytes whose frames start at `starts`: nowhere, at a few random places,
 * byte by byte through the first 15 bytes of every frame (each header cut at each of its bytes), or in
 * random strides. Ascending, inside the stream.
 */
export function randomCuts(length: number, starts: readonly number[], random: () => number): number[] {
  const points = new Set<number>();
  const kind = Math.floor(random() * 4);
  if (kind === 1) for (let i = 1 + Math.floor(random() * 8); i > 0; i--) points.add(1 + Math.floor(random() * Math.max(1, length - 1)));
  if (kind === 2) for (const start of starts) for (let i = 1; i < 16; i++) points.add(start + i);
  if (kind === 3) for (let at = 1 + Math.floor(random() * 997); at < length; at += 1 + Math.floor(random() * 997)) points.add(at);
  return [...points].filter((at) => at > 0 && at < length).sort((a, b) => a - b);
}
