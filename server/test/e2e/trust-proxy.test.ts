/**
 * `--trust-proxy`: behind a reverse proxy (SCALING.md §2's nginx), what is per client — the online-status
 * callback's `clientIp`, the tokenless-upload slots per address — is the client's address from
 * `X-Forwarded-For`, for WebSocket upgrades and HTTP (comet) alike; a client cannot forge it, and without the
 * option the header is ignored. Real server processes, a real App Server receiving the callbacks.
 */
import { cometConnectUrl } from '../../../test/support/comet-raw-client';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer } from '../../../test/support/server-launcher';
import { AppServerReceiver } from './app-server-receiver';
import { tokenFor, uniqueId, waitFor } from './e2e-support';

const APP = { key: 'lxtrustproxy', secret: 'lxtrustproxysecret' };
const receiver = new AppServerReceiver({ [APP.key]: APP.secret });
const clients: RawClient[] = [];

interface Running {
  readonly server: RunningServer;
  readonly api: ServerApiClient;
}
const servers: RunningServer[] = [];

async function launch(args: readonly string[]): Promise<Running> {
  const server = await startServer({
    apps: [{ ...APP, options: { userStatusUrl: receiver.encodedUrl('/status'), statusBatchMs: 50 } }],
    args,
  });
  servers.push(server);
  return { server, api: serverApi(server.url, APP.key, APP.secret) };
}

/** The `clientIp` of `userId`'s first online event. */
async function onlineIp(userId: string): Promise<unknown> {
  const online = (): Record<string, unknown> | undefined =>
    receiver
      .on('/status')
      .flatMap((request) => JSON.parse(request.body) as Record<string, unknown>[])
      .find((event) => event['userid'] === userId && event['status'] === '0');
  await waitFor(() => online() !== undefined, 5000, `online event of ${userId}`);
  return online()?.['clientIp'];
}

async function websocketIp(running: Running, headers?: Record<string, string>): Promise<unknown> {
  const userId = uniqueId('ws');
  const client = await connectRaw({ url: running.server.url, appKey: APP.key, token: await tokenFor(running.api, userId), ...(headers === undefined ? {} : { headers }) });
  clients.push(client);
  expect(client.connack.status).toBe(0);
  return onlineIp(userId);
}

async function cometIp(running: Running, headers: Record<string, string>): Promise<unknown> {
  const userId = uniqueId('comet');
  const url = cometConnectUrl({ url: running.server.url, appKey: APP.key, token: await tokenFor(running.api, userId) }, String(Math.random()));
  const reply = JSON.parse(await (await fetch(url, { headers })).text()) as { status: number };
  expect(reply.status).toBe(0);
  return onlineIp(userId);
}

beforeAll(() => receiver.start());
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(servers.map((server) => server.stop()));
  await receiver.kill();
});

describe('--trust-proxy loopback', () => {
  let running: Running;
  beforeAll(async () => {
    running = await launch(['--trust-proxy', 'loopback']);
  });

  it('takes the client address from X-Forwarded-For of a WebSocket upgrade through a trusted proxy', async () => {
    expect(await websocketIp(running, { 'x-forwarded-for': '203.0.113.7' })).toBe('203.0.113.7');
    // Trusted hops (a second proxy on loopback) are skipped; what the client wrote itself is left of the hop its proxy appended.
    expect(await websocketIp(running, { 'x-forwarded-for': '198.51.100.1, 203.0.113.8, 127.0.0.1' })).toBe('203.0.113.8');
    expect(await websocketIp(running, { 'x-forwarded-for': '2001:db8::5' })).toBe('2001:db8::5');
  });

  it('does so for comet (HTTP) connects too, and keeps the peer address when no header names a client', async () => {
    expect(await cometIp(running, { 'x-forwarded-for': '203.0.113.9' })).toBe('203.0.113.9');
    expect(await websocketIp(running)).toMatch(/127\.0\.0\.1/);
    // A malformed entry ends the walk: the nearest well-formed hop before it.
    expect(await websocketIp(running, { 'x-forwarded-for': 'not-an-ip, 203.0.113.10' })).toBe('203.0.113.10');
  });
});

describe('without --trust-proxy', () => {
  it('ignores X-Forwarded-For (any client could write it)', async () => {
    const running = await launch([]);
    expect(await websocketIp(running, { 'x-forwarded-for': '203.0.113.11' })).toMatch(/127\.0\.0\.1/);
    expect(await cometIp(running, { 'x-forwarded-for': '203.0.113.12' })).toMatch(/127\.0\.0\.1/);
  });

  it('with a proxy list that does not include the peer, ignores it as well', async () => {
    const running = await launch(['--trust-proxy', '10.0.0.0/8,fd00::/8']);
    expect(await websocketIp(running, { 'x-forwarded-for': '203.0.113.13' })).toMatch(/127\.0\.0\.1/);
  });
});
