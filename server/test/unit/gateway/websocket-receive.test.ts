/**
 * The gateway's fast WebSocket receive path (websocket-receive.ts) on real sockets: a `ws` server as the gateway
 * sets it up, and a TCP client that does the upgrade by hand and writes frames byte for byte as a client may
 * (masked, split anywhere, several per write). What the path takes must arrive exactly and in order through
 * it; everything else must reach `ws` from that frame on, with `ws`'s own behaviour (reassembly, text, closes).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientFrame, rawUpgrade } from '../../../../test/support/ws-client-frames';
import { takeOverReceive, WS_OWNS, type FastReceiveSocket } from '../../../src/gateway/websocket-receive';

const MAX_PAYLOAD = 100_000;

type Event = readonly ['fast', string] | readonly ['ws', string, boolean] | readonly ['ping' | 'pong', string];

interface ServerSide {
  readonly ws: WebSocket & FastReceiveSocket;
  readonly events: Event[];
  readonly takenOver: boolean;
  /** Reads of the server's socket (`data` events): the splits the tests ask for did happen. */
  reads: number;
}

let server: Server;
let wss: WebSocketServer;
let accepted: ((side: ServerSide) => void) | undefined;

beforeAll(async () => {
  wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, perMessageDeflate: false, clientTracking: false, autoPong: false });
  server = createServer();
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (client) => {
      const events: Event[] = [];
      // What the gateway's socket class provides, on a plain `ws` socket.
      const ws = Object.assign(client, {
        receiveState: undefined,
        fastMaxPayload: MAX_PAYLOAD,
        receiveBinary(bytes: Uint8Array): void {
          expect(bytes).toBeInstanceOf(Uint8Array);
          events.push(['fast', Buffer.from(bytes).toString('latin1')]);
        },
      }) as WebSocket & FastReceiveSocket;
      ws.on('message', (data: Buffer, isBinary: boolean) => events.push(['ws', data.toString('latin1'), isBinary]));
      ws.on('ping', (data: Buffer) => events.push(['ping', data.toString('latin1')]));
      ws.on('pong', (data: Buffer) => events.push(['pong', data.toString('latin1')]));
      // ws reports the frames it refuses here before closing (the gateway logs them).
      ws.on('error', () => undefined);
      const socket = (ws as unknown as { _socket: Socket })._socket;
      const takenOver = takeOverReceive(ws, socket);
      const side: ServerSide = { ws, events, takenOver, reads: 0 };
      socket.on('data', () => void side.reads++);
      accepted?.(side);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Client {
  readonly socket: Socket;
  readonly side: ServerSide;
  /** Bytes the server wrote after the upgrade response. */
  readonly received: Buffer[];
  closed: Promise<void>;
}

async function open(): Promise<Client> {
  const { port } = server.address() as AddressInfo;
  const sideReady = new Promise<ServerSide>((resolve) => {
    accepted = resolve;
  });
  const { socket, rest } = await rawUpgrade(port, '127.0.0.1');
  const received: Buffer[] = rest.length > 0 ? [rest] : [];
  socket.on('data', (chunk: Buffer) => void received.push(chunk));
  // A reset after the server closed (it refused a frame) ends the connection like a close.
  socket.on('error', () => undefined);
  socket.resume();
  const side = await sideReady;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, side, received, closed };
}

const binary = (text: string): Buffer => clientFrame(0x82, Buffer.from(text, 'latin1'));

/** Writes `bytes` in pieces of `size`, each after the server has read the previous one (no coalescing). */
async function trickle(c: Client, bytes: Buffer, size: number): Promise<void> {
  for (let i = 0; i < bytes.length; i += size) {
    const reads = c.side.reads;
    c.socket.write(bytes.subarray(i, Math.min(bytes.length, i + size)));
    await until(() => c.side.reads > reads, 'the server to read');
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The close code of the server's close frame (unmasked, RFC 6455 §5.5.1), once the connection has ended. */
async function closeCode(client: Client): Promise<number> {
  await client.closed;
  const bytes = Buffer.concat(client.received);
  for (let at = 0; at + 2 <= bytes.length; ) {
    const length = (bytes[at + 1] as number) & 0x7f;
    if (bytes[at] === 0x88) return bytes.readUInt16BE(at + 2);
    at += 2 + length;
  }
  throw new Error('no close frame');
}

describe('fast WebSocket receive', () => {
  it('takes binary frames written together, split at every byte, and in every length form, in order', async () => {
    const c = await open();
    expect(c.side.takenOver).toBe(true);
    const big = 'q'.repeat(70_000);
    const mid = 'm'.repeat(300);
    c.socket.write(Buffer.concat([binary('one'), binary('two'), binary('')]));
    await trickle(c, Buffer.concat([binary(mid), binary('four')]), 1);
    c.socket.write(Buffer.concat([binary(big), binary('six')]));
    // The 16-bit and 64-bit length forms for small payloads too (allowed by RFC 6455's reading side).
    c.socket.write(Buffer.concat([clientFrame(0x82, Buffer.from('seven'), { form: 126 }), clientFrame(0x82, Buffer.from('eight'), { form: 127 })]));
    await until(() => c.side.events.length === 9, 'nine messages');
    expect(c.side.events).toEqual([['fast', 'one'], ['fast', 'two'], ['fast', ''], ['fast', mid], ['fast', 'four'], ['fast', big], ['fast', 'six'], ['fast', 'seven'], ['fast', 'eight']]);
    expect(c.side.ws.receiveState).toBeUndefined();
    c.socket.destroy();
  });

  it('assembles a large frame from many reads, its header cut byte by byte, and goes on with the next', async () => {
    const c = await open();
    const big = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const bytes = Buffer.concat([binary('lead'), clientFrame(0x82, big), binary('tail')]);
    const start = binary('lead').length;
    await trickle(c, bytes.subarray(0, start + 14), 1);
    await trickle(c, bytes.subarray(start + 14), 997);
    expect(c.side.reads).toBeGreaterThan(start + 14 + 70);
    await until(() => c.side.events.length === 3, 'three messages');
    expect(c.side.events).toEqual([['fast', 'lead'], ['fast', big.toString('latin1')], ['fast', 'tail']]);
    c.socket.destroy();
  });

  it('takes pings and pongs between binary frames (emitted as ws emits them) and keeps the connection', async () => {
    const c = await open();
    c.socket.write(Buffer.concat([binary('a'), clientFrame(0x89, Buffer.from('hi')), clientFrame(0x8a, Buffer.from('yo')), binary('b')]));
    await until(() => c.side.events.length === 4, 'four events');
    expect(c.side.events).toEqual([['fast', 'a'], ['ping', 'hi'], ['pong', 'yo'], ['fast', 'b']]);
    expect(c.side.ws.receiveState).not.toBe(WS_OWNS);
    c.socket.destroy();
  });

  it('hands a fragmented message to ws, which reassembles it, and ws keeps the connection from then on', async () => {
    const c = await open();
    const first = clientFrame(0x02, Buffer.from('ab')); // binary, not final
    const last = clientFrame(0x80, Buffer.from('cd')); // continuation, final
    c.socket.write(Buffer.concat([binary('before'), first]));
    c.socket.write(Buffer.concat([last, binary('after')]));
    await until(() => c.side.events.length === 3, 'three messages');
    expect(c.side.events).toEqual([['fast', 'before'], ['ws', 'abcd', true], ['ws', 'after', true]]);
    expect(c.side.ws.receiveState).toBe(WS_OWNS);
    c.socket.destroy();
  });

  it('hands a text frame to ws at its first byte, after the binary frame before it in the same write', async () => {
    const c = await open();
    const text = clientFrame(0x81, Buffer.from('hello'));
    c.socket.write(Buffer.concat([binary('x'), text.subarray(0, 3)]));
    await until(() => c.side.events.length === 1, 'one message');
    c.socket.write(Buffer.concat([text.subarray(3), binary('z')]));
    await until(() => c.side.events.length === 3, 'three messages');
    expect(c.side.events).toEqual([['fast', 'x'], ['ws', 'hello', false], ['ws', 'z', true]]);
    c.socket.destroy();
  });

  it.each([
    ['an unmasked frame', () => clientFrame(0x82, Buffer.from('x'), { masked: false }), 1002],
    ['a reserved bit', () => clientFrame(0xc2, Buffer.from('x')), 1002],
    ['a ping over 125 bytes', () => clientFrame(0x89, Buffer.alloc(126)), 1002],
    ['a fragmented ping', () => clientFrame(0x09, Buffer.from('x')), 1002],
    ['a payload over the limit', () => binary('p'.repeat(MAX_PAYLOAD + 1)), 1009],
    ['a 64-bit length of 2^32', () => Buffer.from([0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4]), 1009],
  ])('leaves %s to ws, which closes with its code', async (_name, make, code) => {
    const c = await open();
    c.socket.write(Buffer.concat([binary('ok'), make()]));
    expect(await closeCode(c)).toBe(code);
    expect(c.side.events).toEqual([['fast', 'ok']]);
  });

  it('hands back at a frame whose header arrives a byte at a time and turns out to be ws’s (text, then unmasked)', async () => {
    const c = await open();
    await trickle(c, Buffer.concat([binary('a'), clientFrame(0x81, Buffer.from('hey')), binary('b')]), 1);
    await until(() => c.side.events.length === 3, 'three messages');
    expect(c.side.events).toEqual([['fast', 'a'], ['ws', 'hey', false], ['ws', 'b', true]]);
    c.socket.destroy();
    const d = await open();
    await trickle(d, Buffer.concat([binary('c'), clientFrame(0x82, Buffer.from('x'), { masked: false })]).subarray(0, 9), 1);
    expect(await closeCode(d)).toBe(1002);
    expect(d.side.events).toEqual([['fast', 'c']]);
  });

  it('leaves a close frame to ws: the close handshake completes with the client’s code', async () => {
    const c = await open();
    const closed = new Promise<number>((resolve) => c.side.ws.once('close', (code: number) => resolve(code)));
    const body = Buffer.alloc(2);
    body.writeUInt16BE(4001);
    c.socket.write(Buffer.concat([binary('bye'), clientFrame(0x88, body)]));
    expect(await closed).toBe(4001);
    expect(await closeCode(c)).toBe(4001);
    expect(c.side.events).toEqual([['fast', 'bye']]);
  });
});
