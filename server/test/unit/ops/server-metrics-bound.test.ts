/**
 * The hot series of ServerMetrics (frames in/out, PUBACK/QUERYACK latency, store calls) record through label
 * sets bound once: what a scrape reads must be exactly what the guarded per-call path gave — totals carried
 * across scrapes, bad values dropped, and a store method's bound series (`storeSeries`) in the same families.
 */
import { Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../../../src/ops/metrics-registry';
import { ServerMetrics } from '../../../src/ops/server-metrics';
import { parsePrometheusText, sampleValue, type Family } from '../../prometheus-text';

async function scrape(metrics: ServerMetrics): Promise<Map<string, Family>> {
  return parsePrometheusText(await metrics.render());
}

describe('ServerMetrics bound series', () => {
  it('frame counters keep exact totals across scrapes, per label set, and drop bad increments', async () => {
    const metrics = new ServerMetrics();
    for (let i = 0; i < 5; i++) metrics.framesIn.inc({ kind: 'publish', topic: 'ppMsgP' });
    metrics.framesIn.inc({ kind: 'publish', topic: 'ppMsgP' }, 2);
    metrics.framesIn.inc({ kind: 'publish', topic: 'ppMsgP' }, -1);
    metrics.framesIn.inc({ kind: 'publish', topic: 'ppMsgP' }, Number.NaN);
    metrics.framesIn.inc({ kind: 'ping' });
    let families = await scrape(metrics);
    expect(sampleValue(families, 'lianxin_frames_in_total', { kind: 'publish', topic: 'ppMsgP' })).toBe(7);
    expect(sampleValue(families, 'lianxin_frames_in_total', { kind: 'ping', topic: '' })).toBe(1);
    metrics.framesIn.inc({ kind: 'publish', topic: 'ppMsgP' });
    metrics.framesOut.inc({ kind: 'publish', topic: 's_msg' });
    families = await scrape(metrics);
    expect(sampleValue(families, 'lianxin_frames_in_total', { kind: 'publish', topic: 'ppMsgP' })).toBe(8);
    expect(sampleValue(families, 'lianxin_frames_out_total', { kind: 'publish', topic: 's_msg' })).toBe(1);
    families = await scrape(metrics);
    expect(sampleValue(families, 'lianxin_frames_in_total', { kind: 'publish', topic: 'ppMsgP' })).toBe(8);
  });

  it('a store method’s bound series lands in lianxin_store_operation_seconds and lianxin_store_errors_total', async () => {
    const metrics = new ServerMetrics();
    const append = metrics.storeSeries('messages', 'append');
    append.observe(0.0002);
    append.observe(0.003);
    append.observe(Number.NaN);
    append.error();
    metrics.storeLatency.observe({ repository: 'messages', operation: 'append' }, 0.001);
    const families = await scrape(metrics);
    const labels = { repository: 'messages', operation: 'append' };
    expect(sampleValue(families, 'lianxin_store_operation_seconds_count', labels)).toBe(3);
    expect(sampleValue(families, 'lianxin_store_operation_seconds_sum', labels)).toBeCloseTo(0.0042, 9);
    expect(sampleValue(families, 'lianxin_store_operation_seconds_bucket', { ...labels, le: '0.0005' })).toBe(1);
    expect(sampleValue(families, 'lianxin_store_errors_total', labels)).toBe(1);
  });

  it('a hot histogram prints exactly what prom-client prints for the same observations, and resets with it', async () => {
    const values = [0, 0.0005, 0.0004999, 0.0007, 0.003, 0.003, 0.01, 0.2, 2.5, 7, 10, 10.5, 30, -1, Number.NaN, Number.POSITIVE_INFINITY];
    const metrics = new ServerMetrics();
    const reference = new Registry();
    const plain = new Histogram({ name: 'lianxin_puback_latency_seconds', help: 'Time from a client PUBLISH arriving to its PUBACK being written.', labelNames: ['topic'], buckets: [...LATENCY_BUCKETS], registers: [reference] });
    for (const topic of ['ppMsgP', 'qryPMsg']) {
      for (const v of values) {
        metrics.pubackLatency.observe({ topic }, v);
        if (Number.isFinite(v)) plain.observe({ topic }, v);
      }
    }
    const family = (text: string): string => text.split('\n').filter((line) => line.includes('lianxin_puback_latency_seconds')).join('\n');
    const expected = family(await reference.metrics());
    expect(expected).toContain('lianxin_puback_latency_seconds_bucket{le="0.0005",topic="qryPMsg"} 4');
    expect(family(await metrics.render())).toBe(expected);
    // The JSON form (prom-client's get()) carries the same series too.
    const json = await metrics.pubackLatency.get();
    expect(json.values.find((v) => v.metricName === 'lianxin_puback_latency_seconds_count' && v.labels['topic'] === 'ppMsgP')?.value).toBe(values.filter(Number.isFinite).length);
    metrics.pubackLatency.reset();
    expect(family(await metrics.render())).not.toContain('_count');
    metrics.pubackLatency.observe({ topic: 'ppMsgP' }, 0.002);
    const families = await scrape(metrics);
    expect(sampleValue(families, 'lianxin_puback_latency_seconds_count', { topic: 'ppMsgP' })).toBe(1);
    expect(sampleValue(families, 'lianxin_puback_latency_seconds_bucket', { topic: 'ppMsgP', le: '0.001' })).toBe(0);
    expect(sampleValue(families, 'lianxin_puback_latency_seconds_bucket', { topic: 'ppMsgP', le: '0.0025' })).toBe(1);
  });
});
