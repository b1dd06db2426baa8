/**
 * 60-second soak on a real server process (issue #13): mixed traffic (private messages at a steady
 * rate, a reconnect every second, Server API and /healthz calls) while RSS, heap, open fds and the
 * session count are sampled. No message may be lost, no fd or session may leak, and RSS must stay
 * bounded once warm. The long run is `npm run soak -- --minutes 30` (scripts/soak.ts).
 */
import { issueTokens } from '../../../../bench/lib/bench-server';
import { runSoak } from '../../../../scripts/soak-core';
import { serverApi } from '../../../../test/support/server-api-client';
import { startServer, type RunningServer } from '../../../../test/support/server-launcher';

const APP = { key: 'lxsoak', secret: 'lxsoaksecret', options: { maxSendRate: 1_000_000, 'rate.*': 'off' } };
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
}, 60_000);

afterAll(async () => {
  await server.stop();
});

it('60 s of mixed traffic: nothing lost, no fd or session leak, bounded RSS growth', async () => {
  const api = serverApi(server.url, APP.key, APP.secret);
  const users = await issueTokens(api, Array.from({ length: 40 }, (_, i) => `soak${i}`), 8);
  const report = await runSoak({ url: server.url, appKey: APP.key, users, api, pid: server.proc.pid, durationMs: 60_000, messagesPerSecond: 200, churnEveryMs: 1000, sampleEveryMs: 10_000 });
  const { samples, ...summary } = report;
  process.stdout.write(`soak: ${JSON.stringify(summary)}\nsamples: ${JSON.stringify(samples)}\n`);
  expect(report.acked).toBeGreaterThan(5000);
  expect(report.refused).toBe(0);
  expect(report.errors).toBe(0);
  expect(report.lost).toBe(0);
  expect(report.reconnects).toBeGreaterThan(30);
  // Every reconnect closed its old connection: descriptors and sessions back where they were.
  expect(report.fdLast).toBeLessThanOrEqual(report.fdFirst + 10);
  expect(report.sessionsLast).toBe(report.clients);
  // Warm after the first 10 s; a leak of ~1 KB per message would add > 10 MB here.
  expect(report.rssLastMb).toBeLessThan(report.rssFirstMb * 1.25 + 10);
}, 180_000);
