/**
 * Cross-node broker metrics, registered (once per ServerMetrics) in the server registry scraped at
 * `/metrics`: publish→receive lag by topic family (from StampedBroker's node-stamped publish
 * times), publishes by family and result, and whether the broker is connected. Topic labels are the
 * bounded families `user`/`chatroom`/`node`, never ids.
 */
import type { Counter, Gauge, Histogram } from 'prom-client';
import { topicKind, type BrokerTopic } from '../broker/broker';
import { serverMetrics, type ServerMetrics } from './server-metrics';

/** Lag buckets: loopback deliveries take well under 1 ms; a Redis outage shows up in the seconds. */
const LAG_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

export interface BrokerMetrics {
  readonly lag: Histogram<'topic'>;
  readonly published: Counter<'topic' | 'result'>;
  readonly up: Gauge;
  /** StampedBroker hooks that record into the metrics above. */
  onLag(topic: BrokerTopic, lagMs: number): void;
  onPublish(topic: BrokerTopic, ok: boolean): void;
  /** Sets the `up` gauge from `healthy()` at every scrape; returns the unregister function. */
  watch(healthy: () => boolean): () => void;
}

const created = new WeakMap<ServerMetrics, BrokerMetrics>();

export function brokerMetrics(metrics: ServerMetrics = serverMetrics): BrokerMetrics {
  const existing = created.get(metrics);
  if (existing !== undefined) return existing;
  const lag = metrics.registry.histogram('lianxin_broker_lag_seconds', 'Time from a broker publish (stamped by the publishing node) to its receipt on this node, by topic family.', ['topic'], LAG_BUCKETS);
  const published = metrics.registry.counter('lianxin_broker_published_total', 'Broker publishes from this node, by topic family and result (ok/error).', ['topic', 'result']);
  const up = metrics.registry.gauge('lianxin_broker_up', '1 when the cross-node broker is connected (always 1 for the in-memory broker).');
  const made: BrokerMetrics = {
    lag,
    published,
    up,
    onLag: (topic, lagMs) => lag.observe({ topic: topicKind(topic) }, lagMs / 1000),
    onPublish: (topic, ok) => published.inc({ topic: topicKind(topic), result: ok ? 'ok' : 'error' }),
    watch: (healthy) => metrics.registry.onCollect(up, () => up.set(healthy() ? 1 : 0)),
  };
  created.set(metrics, made);
  return made;
}
