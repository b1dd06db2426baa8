/**
 * The server's prom-client metrics (issue #13): what `/metrics` exposes parses as Prometheus text
 * (HELP/TYPE for every family, cumulative histogram buckets), with the default process metrics, every
 * documented series name/labels/help, the cardinality guard, collect-on-scrape hooks, per-instance
 * registries (never prom-client's global one), the broker metrics and the timed store wrapper.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register as globalRegistry } from 'prom-client';
import { brokerMetrics } from '../../../src/ops/broker-metrics';
import { instrumentStore } from '../../../src/ops/instrument-store';
import { MAX_SERIES, MetricsRegistry, OVERFLOW_LABEL, setCounterTotal } from '../../../src/ops/metrics-registry';
import { ServerMetrics } from '../../../src/ops/server-metrics';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { parsePrometheusText, sampleValue, type Family } from '../../prometheus-text';

async function scrape(metrics: ServerMetrics): Promise<Map<string, Family>> {
  return parsePrometheusText(await metrics.render());
}

/** Names, types, label names and help texts that docs/OPERATIONS.md, dashboards and tests rely on. */
const DOCUMENTED: readonly [string, string, readonly string[], string][] = [
  ['lianxin_connections', 'gauge', ['platform', 'transport'], 'Live client sessions on this node.'],
  ['lianxin_frames_in_total', 'counter', ['kind', 'topic'], 'CMP frames received from clients, by frame kind and topic (publish/query).'],
  ['lianxin_frames_out_total', 'counter', ['kind', 'topic'], 'CMP frames written to clients, by frame kind and topic (server publishes).'],
  ['lianxin_puback_latency_seconds', 'histogram', ['topic'], 'Time from a client PUBLISH arriving to its PUBACK being written.'],
  ['lianxin_queryack_latency_seconds', 'histogram', ['topic'], 'Time from a client QUERY arriving to its QUERYACK being written.'],
  ['lianxin_store_operation_seconds', 'histogram', ['repository', 'operation'], 'Duration of store repository calls.'],
  ['lianxin_store_errors_total', 'counter', ['repository', 'operation'], 'Store repository calls that failed.'],
  ['lianxin_dropped_total', 'counter', ['reason'], 'Deliveries or connections dropped on purpose, by reason.'],
  ['lianxin_chatroom_messages_accepted_total', 'counter', ['priority'], 'Chatroom messages accepted, by priority.'],
  ['lianxin_chatroom_members_kicked_total', 'counter', ['reason'], 'Chatroom members removed by the server, by reason.'],
  ['lianxin_websocket_buffered_bytes', 'gauge', [], 'Bytes queued for WebSocket clients that the kernel has not taken yet (sum over connections).'],
  ['nodejs_heap_used_bytes', 'gauge', [], 'V8 heap used in bytes.'],
];

describe('ServerMetrics exposition', () => {
  it('parses as Prometheus text with every documented family, the default process metrics and one sample per documented label set', async () => {
    const metrics = new ServerMetrics();
    // Rebuilt at each scrape from their sources (ops-routes registers these hooks on a real server).
    metrics.registry.onCollect(metrics.connections, () => metrics.connections.inc({ platform: 'web', transport: 'websocket' }));
    metrics.registry.onCollect(metrics.chatroomAccepted, () => metrics.chatroomAccepted.inc({ priority: 'low' }, 4));
    metrics.registry.onCollect(metrics.chatroomKicked, () => metrics.chatroomKicked.inc({ reason: 'offline' }));
    metrics.framesIn.inc({ kind: 'publish', topic: 'ppMsgP' });
    metrics.framesOut.inc({ kind: 'puback', topic: '' });
    metrics.pubackLatency.observe({ topic: 'ppMsgP' }, 0.002);
    metrics.queryLatency.observe({ topic: 'qryPMsg' }, 0.02);
    metrics.storeLatency.observe({ repository: 'messages', operation: 'append' }, 0.0001);
    metrics.storeErrors.inc({ repository: 'messages', operation: 'append' });
    metrics.dropped.inc({ reason: 'slow_consumer_too_old' });
    metrics.chatroomAccepted.inc({ priority: 'low' }); // overwritten by the collect hook
    await scrape(metrics);
    const families = await scrape(metrics);

    for (const [name, type, labelNames, help] of DOCUMENTED) {
      const family = families.get(name);
      expect(family).toMatchObject({ type, help });
      expect(family?.samples.length).toBeGreaterThan(0);
      for (const sample of family?.samples ?? []) {
        expect(Object.keys(sample.labels).filter((l) => l !== 'le').sort()).toEqual([...labelNames].sort());
      }
    }
    expect(sampleValue(families, 'lianxin_frames_out_total', { kind: 'puback', topic: '' })).toBe(1);
    expect(sampleValue(families, 'lianxin_connections', { platform: 'web', transport: 'websocket' })).toBe(1);
    expect(sampleValue(families, 'lianxin_chatroom_messages_accepted_total', { priority: 'low' })).toBe(4);
    expect(sampleValue(families, 'nodejs_heap_used_bytes')).toBeGreaterThan(1_000_000);

    // prom-client's default metrics, among them the names docs and scripts read.
    for (const name of ['process_resident_memory_bytes', 'process_start_time_seconds', 'process_cpu_user_seconds_total', 'process_open_fds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_version_info', 'nodejs_gc_duration_seconds']) {
      expect(families.get(name)?.type).toBeDefined();
    }
    // …but not those whose collection walks every open handle (a scrape cost growing with connections).
    for (const name of ['nodejs_active_handles', 'nodejs_active_handles_total', 'nodejs_active_resources', 'nodejs_active_resources_total']) {
      expect(families.has(name)).toBe(false);
    }
    expect(sampleValue(families, 'process_resident_memory_bytes')).toBeGreaterThan(1_000_000);
    expect(sampleValue(families, 'process_start_time_seconds')).toBeGreaterThan(1_600_000_000);
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('histogram buckets are cumulative, end in +Inf and match _sum and _count', async () => {
    const metrics = new ServerMetrics();
    const values = [0.0001, 0.0004, 0.003, 0.003, 0.2, 7, 30];
    for (const v of values) metrics.pubackLatency.observe({ topic: 'ppMsgP' }, v);
    const families = await scrape(metrics); // throws unless cumulative and +Inf === _count
    const at = (le: string): number | undefined => sampleValue(families, 'lianxin_puback_latency_seconds_bucket', { topic: 'ppMsgP', le });
    expect(at('0.0005')).toBe(2);
    expect(at('0.005')).toBe(4);
    expect(at('0.25')).toBe(5);
    expect(at('10')).toBe(6);
    expect(at('+Inf')).toBe(7);
    expect(sampleValue(families, 'lianxin_puback_latency_seconds_count', { topic: 'ppMsgP' })).toBe(7);
    expect(sampleValue(families, 'lianxin_puback_latency_seconds_sum', { topic: 'ppMsgP' })).toBeCloseTo(values.reduce((a, b) => a + b, 0), 9);
  });

  it('rejects a non-Prometheus exposition in the reader (the checks above are real)', () => {
    expect(() => parsePrometheusText('x 1\n')).toThrow(/without HELP\/TYPE/);
    expect(() => parsePrometheusText('# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_count 2\n')).toThrow(/cumulative/);
  });

  it('each ServerMetrics has its own registry; nothing goes to prom-client’s global registry', async () => {
    const a = new ServerMetrics();
    const b = new ServerMetrics();
    a.framesIn.inc({ kind: 'ping', topic: '' }, 3);
    expect(sampleValue(await scrape(a), 'lianxin_frames_in_total', { kind: 'ping', topic: '' })).toBe(3);
    expect(sampleValue(await scrape(b), 'lianxin_frames_in_total', { kind: 'ping', topic: '' })).toBeUndefined();
    expect(globalRegistry.getSingleMetric('lianxin_frames_in_total')).toBeUndefined();
    expect(globalRegistry.getSingleMetric('process_resident_memory_bytes')).toBeUndefined();
  });
});

describe('MetricsRegistry guarantees', () => {
  it('folds label sets beyond MAX_SERIES into one overflow series (ids never become unbounded series)', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    const counter = registry.counter('t_by_id_total', 'Test.', ['id', 'kind']);
    for (let i = 0; i < MAX_SERIES + 25; i++) counter.inc({ id: `user-${i}`, kind: 'x' });
    counter.inc({ id: 'user-0', kind: 'x' }); // a known set keeps counting
    const family = parsePrometheusText(await registry.metrics()).get('t_by_id_total');
    expect(family?.samples).toHaveLength(MAX_SERIES + 1);
    expect(family?.samples.find((s) => s.labels['id'] === OVERFLOW_LABEL)).toEqual({ name: 't_by_id_total', labels: { id: OVERFLOW_LABEL, kind: OVERFLOW_LABEL }, value: 25 });
    expect(family?.samples.find((s) => s.labels['id'] === 'user-0')?.value).toBe(2);
  });

  it('writes every label in declaration order (missing ones as ""), and never throws on bad values', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    const counter = registry.counter('t_frames_total', 'Test.', ['kind', 'topic']);
    const histogram = registry.histogram('t_latency_seconds', 'Test.', ['topic']);
    const gauge = registry.gauge('t_level', 'Test.');
    counter.inc({ topic: 'b', kind: 'a' });
    counter.inc({ kind: 'ping' });
    counter.inc({ kind: 'a', topic: 'b' }, -1);
    counter.inc({ kind: 'a', topic: 'b' }, Number.NaN);
    histogram.observe({ topic: 't' }, Number.POSITIVE_INFINITY);
    histogram.observe({ topic: 't' }, 0.01);
    gauge.set(Number.NaN);
    gauge.set(4);
    const text = await registry.metrics();
    expect(text).toContain('t_frames_total{kind="a",topic="b"} 1\n');
    expect(text).toContain('t_frames_total{kind="ping",topic=""} 1\n');
    expect(sampleValue(parsePrometheusText(text), 't_latency_seconds_count', { topic: 't' })).toBe(1);
    expect(text).toContain('t_level 4\n');
  });

  it('runs collect hooks at scrape time: reset-on-collect metrics are rebuilt, a throwing hook is skipped, unregister works', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    const sessions = registry.gauge('t_sessions', 'Test.', ['platform'], { resetOnCollect: true });
    const drops = registry.counter('t_drops_total', 'Test.', ['reason']);
    let live = ['web', 'web', 'ios'];
    registry.onCollect(sessions, () => {
      for (const platform of live) sessions.inc({ platform });
    });
    registry.onCollect(sessions, () => {
      throw new Error('broken source');
    });
    let total = 5;
    const off = registry.onCollect(drops, () => setCounterTotal(drops, { reason: 'policy' }, total));
    drops.inc({ reason: 'live' });

    let families = parsePrometheusText(await registry.metrics());
    expect(sampleValue(families, 't_sessions', { platform: 'web' })).toBe(2);
    expect(sampleValue(families, 't_sessions', { platform: 'ios' })).toBe(1);
    expect(sampleValue(families, 't_drops_total', { reason: 'policy' })).toBe(5);

    live = ['android'];
    total = 9;
    families = parsePrometheusText(await registry.metrics());
    expect(sampleValue(families, 't_sessions', { platform: 'web' })).toBeUndefined();
    expect(sampleValue(families, 't_sessions', { platform: 'android' })).toBe(1);
    expect(sampleValue(families, 't_drops_total', { reason: 'policy' })).toBe(9);
    expect(sampleValue(families, 't_drops_total', { reason: 'live' })).toBe(1);

    off();
    total = 20;
    expect(sampleValue(parsePrometheusText(await registry.metrics()), 't_drops_total', { reason: 'policy' })).toBe(9);
    expect(() => registry.onCollect({}, () => undefined)).toThrow(/not created by this registry/);
  });
});

describe('broker metrics', () => {
  it('records lag and publishes by topic family (never ids) and reads `up` at scrape time', async () => {
    const metrics = new ServerMetrics();
    const broker = brokerMetrics(metrics);
    expect(brokerMetrics(metrics)).toBe(broker);
    broker.onLag('user:app1:alice', 0.4);
    broker.onLag('user:app1:bob', 3);
    broker.onPublish('user:app1:alice', true);
    broker.onPublish('chatroom:app1:r1', false);
    let healthy = true;
    broker.watch(() => healthy);
    let families = await scrape(metrics);
    expect(sampleValue(families, 'lianxin_broker_lag_seconds_count', { topic: 'user' })).toBe(2);
    expect(sampleValue(families, 'lianxin_broker_lag_seconds_bucket', { topic: 'user', le: '0.0005' })).toBe(1);
    expect(sampleValue(families, 'lianxin_broker_published_total', { topic: 'user', result: 'ok' })).toBe(1);
    expect(sampleValue(families, 'lianxin_broker_published_total', { topic: 'chatroom', result: 'error' })).toBe(1);
    expect(sampleValue(families, 'lianxin_broker_up')).toBe(1);
    expect(families.get('lianxin_broker_up')?.help).toBe('1 when the cross-node broker is connected (always 1 for the in-memory broker).');
    expect(await metrics.render()).not.toMatch(/alice|bob|app1|r1/);
    healthy = false;
    families = await scrape(metrics);
    expect(sampleValue(families, 'lianxin_broker_up')).toBe(0);
  });
});

describe('instrumentStore', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('times every repository call of a real store and counts failures, by repository and method', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lianxin-metrics-'));
    dirs.push(dir);
    const metrics = new ServerMetrics();
    const raw = new SqliteStore({ file: join(dir, 'store.db') });
    await raw.migrate();
    const store = instrumentStore(raw, metrics);
    await store.users.upsert('app1', 'u1', { name: 'U' }, 1);
    expect(await store.users.get('app1', 'u1')).toMatchObject({ userId: 'u1' });
    await store.users.get('app1', 'nobody');
    await store.close();
    await expect(store.users.get('app1', 'u1')).rejects.toThrow();
    const families = await scrape(metrics);
    expect(sampleValue(families, 'lianxin_store_operation_seconds_count', { repository: 'users', operation: 'upsert' })).toBe(1);
    expect(sampleValue(families, 'lianxin_store_operation_seconds_count', { repository: 'users', operation: 'get' })).toBe(2);
    expect(sampleValue(families, 'lianxin_store_errors_total', { repository: 'users', operation: 'get' })).toBe(1);
  });
});
