/**
 * The fast WebSocket receive path (websocket-receive.ts) against `ws` alone, byte for byte: seeded random
 * streams of client frames — valid and broken, whole and fragmented, every length form, control frames,
 * reserved bits and opcodes, unmasked frames, payloads over the limit, garbage — are written, cut at the same
 * random places, to two real `ws` servers, one whose connections the fast path takes over and one left to
 * `ws`. Each connection must see the same thing: the same messages (binary, text) with the same bytes, pings
 * and pongs, errors (`ws`'s codes), close code and reason, and the same bytes written back to the client.
 *
 * `npm test` runs a bounded number of streams; `WS_DIFF_STREAMS=20000 WS_DIFF_SEED=7 npx jest
 * websocket-receive-differential` runs more (a failure names its seed and stream, which replays it).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { seeded } from '../../../../test/support/seeded';
import { randomClientStream, randomCuts, rawUpgrade } from '../../../../test/support/ws-client-frames';
import { takeOverReceive, type FastReceiveSocket } from '../../../src/gateway/websocket-receive';

/** Small enough that the 64-bit length form and payloads over the limit are cheap to write. */
const MAX_PAYLOAD = 70_000;
const SEED = Number(process.env.WS_DIFF_SEED ?? 20_261_127);
const STREAMS = Number(process.env.WS_DIFF_STREAMS ?? 160);

type Event = readonly (string | number | boolean)[];

interface Side {
  readonly events: Event[];
  readonly socket: Socket;
  readonly takenOver: boolean;
}

interface Endpoint {
  readonly server: Server;
  readonly wss: WebSocketServer;
  accepted: ((side: Side) => void) | undefined;
}

async function endpoint(fast: boolean): Promise<Endpoint> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, perMessageDeflate: false, clientTracking: false, autoPong: false });
  const server = createServer();
  const point: Endpoint = { server, wss, accepted: undefined };
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (client) => {
      const events: Event[] = [];
      const text = (data: Buffer): string => data.toString('hex');
      const ws = Object.assign(client, {
        receiveState: undefined,
        fastMaxPayload: MAX_PAYLOAD,
        // What `ws` emits for a binary message, so both servers record the same event.
        receiveBinary: (bytes: Uint8Array): void => void events.push(['binary', text(Buffer.from(bytes))]),
      }) as WebSocket & FastReceiveSocket;
      ws.on('message', (data: Buffer, isBinary: boolean) => events.push([isBinary ? 'binary' : 'text', text(data)]));
      ws.on('ping', (data: Buffer) => events.push(['ping', text(data)]));
      ws.on('pong', (data: Buffer) => events.push(['pong', text(data)]));
      ws.on('error', (error: Error & { code?: string; [key: symbol]: unknown }) => {
        const status = Object.getOwnPropertySymbols(error).map((symbol) => error[symbol]);
        events.push(['error', error.code ?? '', error.message, String(status)]);
      });
      ws.on('close', (code: number, reason: Buffer) => events.push(['close', code, text(reason)]));
      const raw = (ws as unknown as { _socket: Socket })._socket;
      const takenOver = fast ? takeOverReceive(ws, raw) : false;
      point.accepted?.({ events, socket: raw, takenOver });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return point;
}

interface Connection {
  readonly client: Socket;
  readonly side: Side;
  /** What the server wrote after the upgrade response. */
  readonly received: Buffer[];
  readonly closed: Promise<void>;
}

async function open(point: Endpoint): Promise<Connection> {
  const { port } = point.server.address() as AddressInfo;
  const side = new Promise<Side>((resolve) => {
    point.accepted = resolve;
  });
  const { socket: client, rest } = await rawUpgrade(port, '127.0.0.1');
  const received: Buffer[] = rest.length > 0 ? [rest] : [];
  client.on('data', (chunk: Buffer) => void received.push(chunk));
  client.on('error', () => undefined);
  client.resume();
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  return { client, side: await side, received, closed };
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** The server read everything written so far, or can read no more. */
const caughtUp = (c: Connection, written: number): boolean => c.side.socket.bytesRead >= written || c.side.socket.destroyed || c.side.socket.readableEnded;

let fast: Endpoint;
let plain: Endpoint;

beforeAll(async () => {
  [fast, plain] = await Promise.all([endpoint(true), endpoint(false)]);
});

afterAll(async () => {
  for (const point of [fast, plain]) {
    await new Promise<void>((resolve) => point.wss.close(() => resolve()));
    await new Promise<void>((resolve) => point.server.close(() => resolve()));
  }
});

describe('fast WebSocket receive against ws alone', () => {
  it(`sees what ws sees on ${STREAMS} random streams cut at random places (seed ${SEED})`, async () => {
    const random = seeded(SEED);
    let handedBack = 0;
    let clean = 0;
    for (let n = 0; n < STREAMS; n++) {
      const { bytes, starts } = randomClientStream(random, { maxPayload: MAX_PAYLOAD, closeFrames: true });
      const points = [...randomCuts(bytes.length, starts, random), bytes.length];
      const a = await open(fast);
      const b = await open(plain);
      expect(a.side.takenOver).toBe(true);
      let from = 0;
      for (const to of points) {
        const piece = bytes.subarray(from, to);
        for (const c of [a, b]) if (c.client.writable) c.client.write(piece);
        from = to;
        await until(() => caughtUp(a, to) && caughtUp(b, to), `stream ${n}: the servers to read ${to} bytes`);
      }
      // What the servers wrote back (close frames) has arrived when both clients hold the same amount for a while.
      const total = (c: Connection): number => c.received.reduce((sum, chunk) => sum + chunk.length, 0);
      let stable = 0;
      let last = -1;
      await until(() => {
        const now = total(a) * 1e9 + total(b);
        stable = now === last ? stable + 1 : 0;
        last = now;
        return stable >= 5;
      }, `stream ${n}: the replies to settle`);
      a.client.destroy();
      b.client.destroy();
      await Promise.all([a.closed, b.closed]);
      await until(() => a.side.socket.destroyed && b.side.socket.destroyed, `stream ${n}: the server sockets to close`);
      await until(() => a.side.events.some((e) => e[0] === 'close') && b.side.events.some((e) => e[0] === 'close'), `stream ${n}: close events`);
      const context = `seed ${SEED}, stream ${n}: ${bytes.subarray(0, 64).toString('hex')}${bytes.length > 64 ? '…' : ''} cut at ${points.join(',')}`;
      expect({ context, events: a.side.events }).toEqual({ context, events: b.side.events });
      expect({ context, replies: Buffer.concat(a.received).toString('hex') }).toEqual({ context, replies: Buffer.concat(b.received).toString('hex') });
      if (a.side.events.some((e) => e[0] === 'error')) handedBack++;
      else if (!a.side.events.some((e) => e[0] === 'text')) clean++;
    }
    // The streams reach both sides of the hand-back: some end in ws's refusals, some stay on the fast path.
    expect(handedBack).toBeGreaterThan(STREAMS / 10);
    expect(clean).toBeGreaterThan(STREAMS / 20);
  }, Math.max(60_000, STREAMS * 500));
});
