/**
 * Operations endpoints (issue #13) on the real server process: /healthz, /readyz, Prometheus /metrics
 * (prom-client) behind a bearer token, and the series a scrape shows after real traffic. Every scrape
 * goes through a strict text-format reader (HELP/TYPE per family, cumulative histogram buckets).
 */
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';
import { parsePrometheusText, sampleValue, type Family } from '../prometheus-text';
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

async function scrape(): Promise<Map<string, Family>> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('no-store');
  return parsePrometheusText(await response.text());
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
    const sentBefore = sampleValue(before, 'lianxin_frames_in_total', { kind: 'publish', topic: 'ppMsgP' }) ?? 0;
    const ackedBefore = sampleValue(before, 'lianxin_puback_latency_seconds_count', { topic: 'ppMsgP' }) ?? 0;
    for (let i = 0; i < 3; i++) expect((await ca.publish('ppMsgP', b, upstream('RC:TxtMsg', { content: `m${i}` }))).status).toBe(0);
    // A topic nobody routes is folded into one label value.
    ca.send({ kind: 'publish', dup: false, qos: 1, retain: false, topic: 'noSuchTopicXyz', targetId: b, messageId: 999, payload: new Uint8Array(0) });
    await ca.nextFrame((f) => f.kind === 'puback' && f.messageId === 999);

    const families = await scrape();
    expect(families.get('lianxin_connections')).toMatchObject({ type: 'gauge', help: 'Live client sessions on this node.' });
    expect(sampleValue(families, 'lianxin_connections', { platform: 'web', transport: 'websocket' })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(families, 'lianxin_frames_in_total', { kind: 'publish', topic: 'ppMsgP' })).toBe(sentBefore + 3);
    expect(sampleValue(families, 'lianxin_frames_in_total', { kind: 'publish', topic: 'unsupported' })).toBeGreaterThanOrEqual(1);
    for (const family of families.values()) for (const s of family.samples) expect(Object.values(s.labels)).not.toContain('noSuchTopicXyz');
    expect(sampleValue(families, 'lianxin_frames_out_total', { kind: 'puback', topic: '' })).toBeGreaterThanOrEqual(4);
    expect(sampleValue(families, 'lianxin_frames_out_total', { kind: 'publish', topic: 's_ntf' })).toBeGreaterThanOrEqual(1);
    expect(families.get('lianxin_puback_latency_seconds')?.type).toBe('histogram');
    expect(sampleValue(families, 'lianxin_puback_latency_seconds_count', { topic: 'ppMsgP' })).toBe(ackedBefore + 3);
    expect(sampleValue(families, 'lianxin_puback_latency_seconds_bucket', { topic: 'ppMsgP', le: '+Inf' })).toBe(ackedBefore + 3);
    expect(sampleValue(families, 'lianxin_puback_latency_seconds_sum', { topic: 'ppMsgP' })).toBeGreaterThan(0);
    const storeCalls = families.get('lianxin_store_operation_seconds')?.samples.filter((s) => s.name.endsWith('_count') && s.labels['repository'] === 'messages') ?? [];
    expect(storeCalls.length).toBeGreaterThan(0);
    for (const s of storeCalls) expect(s.labels['operation']).toMatch(/^[a-zA-Z]+$/);
    expect(families.get('lianxin_dropped_total')?.type).toBe('counter');
    expect(sampleValue(families, 'lianxin_dropped_total', { reason: 'chatroom_low_priority' })).toBe(0);
    expect(sampleValue(families, 'lianxin_chatroom_messages_accepted_total', { priority: 'low' })).toBe(0);
    expect(sampleValue(families, 'lianxin_broker_up')).toBe(1);
    expect(sampleValue(families, 'nodejs_heap_used_bytes')).toBeGreaterThan(1_000_000);
    // prom-client's default process metrics.
    expect(sampleValue(families, 'process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
    expect(sampleValue(families, 'process_start_time_seconds')).toBeGreaterThan(1_600_000_000);
    for (const name of ['process_cpu_user_seconds_total', 'process_open_fds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_version_info', 'nodejs_gc_duration_seconds']) {
      expect(families.get(name)?.type).toBeDefined();
    }
  });
});
