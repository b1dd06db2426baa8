/**
 * Interop (automatic reconnect): the legacy `setConnectionStatusListener` sequence of our SDK and of the
 * OFFICIAL web client (@rongcloud/imlib-v2 2.9.2 on engine 4.4.2), side by side, while the path to the
 * server breaks. Both reach the server through a TCP proxy on 127.0.0.1 (navi hands out the proxy as
 * the CMP host), so a test can reset every connection or refuse new ones for a while.
 *
 * What the official client reports (observed against this server): CONNECTING (1) when the session is lost
 * and when each automatic attempt starts, WEBSOCKET_UNAVAILABLE (7) when an attempt fails, CONNECTED (0)
 * when one succeeds — never CONNECTION_CLOSED (4) while it reconnects.
 */
import net from 'node:net';
import { launchOfficialClient, killAllOfficialClients } from '../support/official-client/launch-official-client';
import type { OfficialClient } from '../support/official-client/launch-official-client';
import { DEFAULT_TEST_APP, startServer } from '../support/server-launcher';
import type { RunningServer } from '../support/server-launcher';
import { newUserId, sdkUser, tokenFor } from '../e2e/sdk-api-support';
import type { SdkUser } from '../e2e/sdk-api-support';

const CONNECTED = 0;

/** Forwards 127.0.0.1:<port> to the server; `reset()` destroys every connection, `refuse` drops new ones. */
interface Proxy {
  readonly port: number;
  refuse: boolean;
  reset(): void;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function startProxy(port: number, target: () => number): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  const proxy: Proxy = {
    port,
    refuse: false,
    reset: () => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    close: async () => {
      proxy.reset();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = net.createServer((client) => {
    if (proxy.refuse) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target(), '127.0.0.1');
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('data', (data) => to.write(data));
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => undefined);
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return proxy;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

let server: RunningServer;
let proxy: Proxy;
let ours: SdkUser;
let official: OfficialClient;

beforeAll(async () => {
  const port = await freePort();
  server = await startServer({ apps: [DEFAULT_TEST_APP], args: ['--public-host', `127.0.0.1:${port}`] });
  proxy = await startProxy(port, () => server.port);
  ours = await sdkUser(server, DEFAULT_TEST_APP, 'ours');
  await ours.connect();
  official = await launchOfficialClient({ appKey: DEFAULT_TEST_APP.key, navi: server.url, label: 'official' });
  const officialId = newUserId('official');
  expect(await official.connect(await tokenFor(server, DEFAULT_TEST_APP, officialId))).toEqual({ ok: true, userId: officialId });
}, 60_000);

afterAll(async () => {
  await ours?.im.disconnect();
  await killAllOfficialClients();
  await proxy?.close();
  await server?.stop();
});

/** The statuses each client reports from now on. */
function record(): { ours: () => number[]; official: () => number[] } {
  const fromOurs = ours.statuses.length;
  const fromOfficial = official.statuses.length;
  return { ours: () => ours.statuses.slice(fromOurs), official: () => official.statuses.slice(fromOfficial) };
}

const backOnline = (seen: { ours: () => number[]; official: () => number[] }): boolean =>
  seen.ours().at(-1) === CONNECTED && seen.official().at(-1) === CONNECTED;

test('a reset connection: both report CONNECTING, then CONNECTED — twice in a row', async () => {
  for (let round = 0; round < 2; round++) {
    const seen = record();
    proxy.reset();
    await until('both clients back', () => backOnline(seen), 30_000);
    expect({ ours: seen.ours(), official: seen.official() }).toEqual({ ours: [1, CONNECTED], official: [1, CONNECTED] });
  }
}, 70_000);

test('an outage of several attempts: CONNECTING, then (WEBSOCKET_UNAVAILABLE, CONNECTING) per failed attempt, then CONNECTED', async () => {
  const seen = record();
  proxy.refuse = true;
  proxy.reset();
  // Long enough for each client to fail at least one attempt (both retry within a few seconds).
  await until('a failed attempt on both', () => seen.ours().includes(7) && seen.official().includes(7), 30_000);
  proxy.refuse = false;
  await until('both clients back', () => backOnline(seen), 60_000);
  const shape = /^1(,7,1)+,0$/;
  expect({ ours: seen.ours().join(','), official: seen.official().join(',') }).toEqual({
    ours: expect.stringMatching(shape),
    official: expect.stringMatching(shape),
  });
}, 100_000);
