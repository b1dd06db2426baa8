/**
 * Operations endpoints (issue #13) on the real server process: /healthz, /readyz, Prometheus /metrics
 * behind a bearer token, and the series a scrape shows after real traffic.
 */
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';
import { tokenFor, uniqueId, upstream } from './e2e-support';

const METRICS_TOKEN = 'ops-test-metrics-token';
let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ env: { LIANXIN_METRICS_TOKEN: METRICS_TOKEN } });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.stop();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one sample line `name{labels} value` (labels as written by the server, in order). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('health and readiness', () => {
  it('/healthz and /readyz answer 200 with no-store', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { status: string };
      expect(['ok', 'ready']).toContain(body.status);
    }
  });
});

describe('/metrics', () => {
  it('requires the bearer token when one is configured', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
    await scrape();
  });

  it('counts connections, frames, PUBACK latency and store calls after real traffic', async () => {
    const [a, b] = [uniqueId('ma'), uniqueId('mb')];
    const ca = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: await tokenFor(api, a) });
    const cb = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: await tokenFor(api, b) });
    clients.push(ca, cb);
    const before = await scrape();
    const sentBefore = sample(before, 'lianxin_frames_in_total{kind="publish",topic="ppMsgP"}') ?? 0;
    const ackedBefore = sample(before, 'lianxin_puback_latency_seconds_count{topic="ppMsgP"}') ?? 0;
    for (let i = 0; i < 3; i++) expect((await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: `m${i}` }))).status).toBe(0);
    // A topic nobody routes is folded into one label value.
    ca.send({ kind: 'publish', dup: false, qos: 1, retain: false, topic: 'noSuchTopicXyz', targetId: b, messageId: 999, payload: new Uint8Array(0) });
    await ca.nextFrame((f) => f.kind === 'puback' && f.messageId === 999);

    const text = await scrape();
    expect(text).toContain('# TYPE lianxin_connections gauge');
    expect(sample(text, 'lianxin_connections{platform="web",transport="websocket"}')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'lianxin_frames_in_total{kind="publish",topic="ppMsgP"}')).toBe(sentBefore + 3);
    expect(sample(text, 'lianxin_frames_in_total{kind="publish",topic="unsupported"}')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('noSuchTopicXyz');
    expect(sample(text, 'lianxin_frames_out_total{kind="puback",topic=""}')).toBeGreaterThanOrEqual(4);
    expect(sample(text, 'lianxin_frames_out_total{kind="publish",topic="s_ntf"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'lianxin_puback_latency_seconds_count{topic="ppMsgP"}')).toBe(ackedBefore + 3);
    expect(sample(text, 'lianxin_puback_latency_seconds_bucket{topic="ppMsgP",le="+Inf"}')).toBe(ackedBefore + 3);
    expect(text).toMatch(/^lianxin_store_operation_seconds_count\{repository="messages",operation="[a-zA-Z]+"\} [1-9]\d*$/m);
    expect(text).toContain('# TYPE lianxin_dropped_total counter');
    expect(sample(text, 'lianxin_dropped_total{reason="chatroom_low_priority"}')).toBe(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
    // Every non-comment line is `name{labels} number`.
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf|NaN)$/);
    }
  });
});
