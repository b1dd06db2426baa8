/**
 * Reconnect storm on a real server process (issue #13), at a scale that fits the test budget
 * (2,000 clients; `npm run storm -- --clients 10000` runs the full size, docs/OPERATIONS.md):
 * every client is dropped at once (network loss) and reconnects with full-jitter back-off while one
 * message per client is published. Every client must be back AND synced (its pull brings the
 * message), the session count must return to exactly N (no leaked sessions), /healthz and navi must
 * keep answering within bounds, and the server's memory must come back near where it was (heapUsed
 * after a forced GC, read over the server's inspector, once every client has disconnected).
 */
import { issueTokens } from '../../../../bench/lib/bench-server';
import { INSPECT_ENV } from '../../../../bench/lib/server-profiler';
import { attachInspector, type ServerInspector } from '../../../../scripts/server-inspector';
import { runStorm } from '../../../../scripts/storm-core';
import { serverApi } from '../../../../test/support/server-api-client';
import { startServer, type RunningServer } from '../../../../test/support/server-launcher';

const CLIENTS = 2000;
const APP = { key: 'lxstorm', secret: 'lxstormsecret', options: { 'rate.message/private/publish': 'off' } };
let server: RunningServer;
let inspector: ServerInspector | undefined;

beforeAll(async () => {
  // The inspector on a loopback port: heapUsed after a forced GC tells retained memory from RSS.
  server = await startServer({ apps: [APP], env: INSPECT_ENV });
  inspector = await attachInspector(server);
}, 60_000);

afterAll(async () => {
  inspector?.close();
  await server.stop();
});

it(`${CLIENTS} clients dropped at once all come back synced, with no leaked session`, async () => {
  const api = serverApi(server.url, APP.key, APP.secret);
  const users = await issueTokens(api, Array.from({ length: CLIENTS }, (_, i) => `storm${i}`), 32);
  const report = await runStorm({
    url: () => server.url,
    appKey: APP.key,
    users,
    api: () => api,
    jitterMs: 3000,
    baseBackoffMs: 250,
    maxBackoffMs: 5000,
    connectConcurrency: 100,
    recoveryTimeoutMs: 120_000,
    mode: 'network',
    memory: () => {
      if (inspector === undefined) throw new Error('no inspector');
      return inspector.gcMemory();
    },
  });
  process.stdout.write(`reconnect storm: ${JSON.stringify(report)}\n`);

  expect(report.recovered).toBe(CLIENTS);
  expect(report.synced).toBe(CLIENTS);
  // No leaked session: exactly one live session per client once the old sockets are reaped.
  expect(report.sessionsBeforeDrop).toBe(CLIENTS);
  expect(report.sessionsAfter).toBe(CLIENTS);
  expect(report.sessionsPeak).toBeLessThanOrEqual(2 * CLIENTS);
  // Responsive throughout (bounds generous for a shared 2-core CI machine; figures are in the output).
  expect(report.healthz.failures).toBe(0);
  expect(report.navi.failures).toBe(0);
  expect(report.healthz.count).toBeGreaterThan(5);
  expect(report.healthz.p99).toBeLessThan(2000);
  expect(report.navi.p99).toBeLessThan(2000);
  // Memory comes back near the connected baseline (the reconnect burst's garbage is collectable).
  expect(report.rssAfterMb).toBeLessThan(report.rssBeforeDropMb * 1.5 + 64);
  // Nothing of the storm is retained: once every client has disconnected, no session is left and the
  // heap after a forced GC is back near the baseline (measured: +1.8 MB for 1,000 clients, which does
  // not grow over further storms: per-user caches, not per-connection leftovers).
  expect(report.gc?.sessionsAfterDisconnect).toBe(0);
  expect(report.gc?.afterDisconnect.heapUsedMb ?? Infinity).toBeLessThan((report.gc?.baseline.heapUsedMb ?? 0) + 12);
}, 300_000);
