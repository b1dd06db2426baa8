/**
 * A short, bounded fuzz run against a real server process (issue #13); `npm run fuzz -- --minutes N`
 * runs the long version (scripts/fuzz.ts, docs/OPERATIONS.md). Raw WebSocket framing broken in every
 * way, mutated and random CMP frames, protobuf payloads on real topics, comet upstream bodies, navi
 * queries and signed Server API requests: the server must not crash or hang, every rejection must be a
 * documented status or a documented close, canary users next to the fuzzed ones must keep messaging,
 * and the messages stored before the run must be unchanged after it.
 */
import { issueTokens } from '../../../../bench/lib/bench-server';
import { runFuzz } from '../../../../scripts/fuzz-core';
import { serverApi } from '../../../../test/support/server-api-client';
import { startServer, type RunningServer } from '../../../../test/support/server-launcher';

const APP = { key: 'lxfuzz', secret: 'lxfuzzsecret', options: { maxSendRate: 1_000_000, 'rate.*': 'off' } };
const SEED = Number(process.env['LIANXIN_FUZZ_SEED'] ?? 0x5eed);
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
}, 60_000);

afterAll(async () => {
  await server.stop();
});

it('survives a bounded fuzz run with no crash, hang, undocumented answer or corruption', async () => {
  const api = serverApi(server.url, APP.key, APP.secret);
  const [canarySender, canaryReceiver, wire, ...users] = await issueTokens(api, ['fzcanaryS', 'fzcanaryR', 'fzwire', 'fz1', 'fz2', 'fz3', 'fz4'], 7);
  if (canarySender === undefined || canaryReceiver === undefined || wire === undefined) throw new Error('no users');
  const report = await runFuzz({
    url: server.url,
    appKey: APP.key,
    api,
    users,
    wireUsers: [wire],
    canarySender,
    canaryReceiver,
    durationMs: 8000,
    seed: SEED,
    alive: () => server.proc.exitCode === null && server.proc.signalCode === null,
  });
  process.stdout.write(`fuzz: ${JSON.stringify(report)}\n`);
  expect(report.firstViolations).toEqual([]);
  expect(report.violations).toBe(0);
  expect(report.hangs).toBe(0);
  expect(report.serverAlive).toBe(true);
  expect(report.inputs).toBeGreaterThan(1000);
  expect(report.byFamily).toEqual(expect.objectContaining({ payload: expect.any(Number), frame: expect.any(Number), wire: expect.any(Number), comet: expect.any(Number), http: expect.any(Number) }));
  expect(report.byTarget).toEqual(expect.objectContaining({ 'cmp-payload': expect.any(Number), 'cmp-frame': expect.any(Number), 'ws-frame': expect.any(Number), comet: expect.any(Number), 'navi-ping': expect.any(Number), 'server-api': expect.any(Number) }));
  // Payload inputs go on connections of their own: nearly all get their single answer checked.
  expect(report.answered).toBeGreaterThan(0.9 * (report.byTarget['cmp-payload'] ?? 0) - 200);
  expect(report.canaryFailures).toBe(0);
  expect(report.canaryDelivered).toBe(report.canarySent);
  expect(report.storedIntact).toBe(true);
}, 120_000);
