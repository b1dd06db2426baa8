/**
 * WebSocket idle timeout (issue #12, P2): the gateway sweep closes a session whose client has been
 * silent longer than the idle timeout and counts it as `lianxin_dropped_total{reason="idle_timeout"}`
 * (the benchmark attributes drops with it), while a client that heartbeats on time stays connected —
 * also while the server is accepting a stream of new connections (upgrades are admitted a slice per
 * loop turn, PINGREQs are not queued behind them).
 */
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { tokenFor, waitFor } from './e2e-support';

jest.setTimeout(60_000);

const IDLE_MS = 3000;
const PING_EVERY_MS = 500;
/** The storm runs for this long: well over one idle timeout. */
const STORM_MS = 2 * IDLE_MS + 1000;
const STORM_CONCURRENCY = 32;
const APP: TestApp = { key: 'lxidleapp', secret: 'lxidlesecret', options: { multiDevice: true } };

let server: RunningServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP], env: { LIANXIN_WS_IDLE_TIMEOUT_MS: String(IDLE_MS) } });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.stop();
});

async function idleCloses(): Promise<number> {
  const series = 'lianxin_dropped_total{reason="idle_timeout"}';
  const line = (await (await fetch(`${server.url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function connect(token: string): Promise<RawClient> {
  const client = await connectRaw({ url: server.url, appKey: APP.key, token, connackTimeoutMs: 20_000 });
  clients.push(client);
  expect(client.connack.status).toBe(0);
  return client;
}

it('closes the silent session and counts it, keeps the heartbeating one while accepting a storm', async () => {
  const api = serverApi(server.url, APP.key, APP.secret);
  const punctual = await connect(await tokenFor(api, 'punctual'));
  const silentStart = Date.now();
  const silent = await connect(await tokenFor(api, 'silent'));
  const stormToken = await tokenFor(api, 'storm');
  const before = await idleCloses();

  let pings = 0;
  let answered = 0;
  const pinger = setInterval(() => {
    pings++;
    void punctual.ping(IDLE_MS).then(() => answered++, () => undefined);
  }, PING_EVERY_MS);
  // Storm: connections opened STORM_CONCURRENCY at a time, each pinging once and closing after its CONNACK.
  let stormed = 0;
  const stormEnds = Date.now() + STORM_MS;
  const stormer = async (): Promise<void> => {
    while (Date.now() < stormEnds) {
      const client = await connectRaw({ url: server.url, appKey: APP.key, token: stormToken, connackTimeoutMs: 20_000 });
      expect(client.connack.status).toBe(0);
      await client.ping(IDLE_MS);
      await client.close();
      stormed++;
    }
  };
  try {
    await Promise.all(Array.from({ length: STORM_CONCURRENCY }, stormer));
  } finally {
    clearInterval(pinger);
  }

  // The silent client was closed by the server within the idle timeout plus a sweep or two.
  await waitFor(() => silent.isClosed, IDLE_MS * 2, 'the silent session to be closed');
  expect(Date.now() - silentStart).toBeGreaterThanOrEqual(IDLE_MS);
  expect(punctual.isClosed).toBe(false);
  expect(stormed).toBeGreaterThan(STORM_CONCURRENCY);
  expect(pings).toBeGreaterThanOrEqual(Math.floor(STORM_MS / PING_EVERY_MS) - 2);
  await waitFor(() => answered === pings, IDLE_MS, 'every PINGREQ answered');
  // Only the silent session was closed for silence: every storm connection had closed itself.
  expect((await idleCloses()) - before).toBe(1);
  await punctual.ping();
});
