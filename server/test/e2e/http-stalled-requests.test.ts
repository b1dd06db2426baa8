/**
 * HTTP connections that stall before their request is complete (a peer gone silently, a client that never
 * finishes its headers or body): fastify turns off Node's request and header timeouts, so the server must
 * close such a connection itself once nothing has moved on it for its idle timeout — with the staged part of an
 * upload it was receiving — instead of holding the socket (and the file) for as long as it runs. An upgraded
 * WebSocket that is silent that long stays open (its session idle sweep has a longer limit).
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { encodeByName, decodeByName } from '../../../src/internal';
import { filesUnder } from '../../../test/e2e/files-support';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { tokenFor, waitFor } from './e2e-support';

jest.setTimeout(60_000);

const APP: TestApp = { key: 'lxstallapp', secret: 'lxstallsecret' };
const COMET_HOLD_MS = 200;
/** What the server makes of LIANXIN_HTTP_IDLE_TIMEOUT_MS=1000 with that hold (httpIdleTimeoutFor: hold + 6 s). */
const EFFECTIVE_IDLE_MS = COMET_HOLD_MS + 6000;

let server: RunningServer;
const sockets: Socket[] = [];
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP], env: { LIANXIN_HTTP_IDLE_TIMEOUT_MS: '1000', LIANXIN_COMET_HOLD_MS: String(COMET_HOLD_MS) } });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(clients.map((c) => c.close()));
  await server.stop();
});

function staging(): string[] {
  return filesUnder(join(server.dataDir, 'files', 'staging'));
}

/** A raw TCP connection that sends `text` (possibly nothing) and then stays silent. */
async function stalled(text: string): Promise<{ readonly closed: () => boolean }> {
  const socket = tcpConnect({ host: server.host, port: server.port });
  sockets.push(socket);
  let closed = false;
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  if (text !== '') socket.write(text);
  return { closed: () => closed };
}

it('closes connections stalled mid-request and discards the upload they staged; a silent WebSocket stays', async () => {
  const api = serverApi(server.url, APP.key, APP.secret);
  const ws = await connectRaw({ url: server.url, appKey: APP.key, token: await tokenFor(api, 'quiet') });
  clients.push(ws);
  expect(ws.connack.status).toBe(0);
  const grant = await ws.query('qnTkn', 'quiet', encodeByName('GetQNupTokenInput', { type: 4 }));
  expect(grant.status).toBe(0);
  const uploadToken = (decodeByName('GetQNupTokenOutput', grant.payload) as { token: string }).token;

  const started = Date.now();
  const boundary = 'lxstall';
  const stalls = [
    await stalled(''),
    await stalled(`GET /healthz HTTP/1.1\r\nHost: x\r\n`),
    await stalled(`GET /websocket?appId=${APP.key}&token=x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n`),
    await stalled(
      `POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: UpToken ${uploadToken}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\n` +
        `Content-Length: 100000\r\n\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\n\r\n${'x'.repeat(2000)}`,
    ),
  ];
  await waitFor(() => staging().length === 1, 10_000, 'the upload to be staged');

  await waitFor(() => stalls.every((s) => s.closed()), EFFECTIVE_IDLE_MS + 20_000, 'the stalled connections to be closed');
  // The idle timeout closed them, not a refusal of what they sent.
  expect(Date.now() - started).toBeGreaterThanOrEqual(EFFECTIVE_IDLE_MS - 500);
  await waitFor(() => staging().length === 0, 10_000, 'the staged upload to be discarded');

  // Silent all along (no PINGREQ): the socket idle timeout does not apply to an upgraded WebSocket.
  expect(ws.isClosed).toBe(false);
  await ws.ping();
});
