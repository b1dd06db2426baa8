/**
 * The metrics of this server process, in one prom-client registry scraped at `/metrics`. A
 * process-wide instance (`serverMetrics`) so that hot paths (session frames, store calls, the
 * WebSocket send queue) record with one call and no plumbing; it owns its own `Registry`, never
 * prom-client's global one, so other registries in the process (tests: `new ServerMetrics()`) stay
 * apart. Label values are bounded sets (frame kinds, our own topics or `unsupported`, platforms,
 * repository/method names), never user or message ids; the registry's guard folds any excess.
 *
 * Process metrics (`process_resident_memory_bytes`, `process_start_time_seconds`,
 * `nodejs_eventloop_lag_seconds`, CPU, fds, GC, heap spaces, …) are prom-client's default metrics.
 */
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry';

export class ServerMetrics {
  readonly registry: MetricsRegistry;
  readonly connections: Gauge<'platform' | 'transport'>;
  readonly framesIn: Counter<'kind' | 'topic'>;
  readonly framesOut: Counter<'kind' | 'topic'>;
  readonly pubackLatency: Histogram<'topic'>;
  readonly queryLatency: Histogram<'topic'>;
  readonly storeLatency: Histogram<'repository' | 'operation'>;
  readonly storeErrors: Counter<'repository' | 'operation'>;
  readonly dropped: Counter<'reason'>;
  readonly chatroomAccepted: Counter<'priority'>;
  readonly chatroomKicked: Counter<'reason'>;
  readonly wsBuffered: Gauge;
  readonly heapUsed: Gauge;

  constructor(registry = new MetricsRegistry()) {
    this.registry = registry;
    // Rebuilt from the session registries at each scrape (collect hooks of ops-routes).
    this.connections = registry.gauge('lianxin_connections', 'Live client sessions on this node.', ['platform', 'transport'], { resetOnCollect: true });
    this.framesIn = registry.counter('lianxin_frames_in_total', 'CMP frames received from clients, by frame kind and topic (publish/query).', ['kind', 'topic']);
    this.framesOut = registry.counter('lianxin_frames_out_total', 'CMP frames written to clients, by frame kind and topic (server publishes).', ['kind', 'topic']);
    this.pubackLatency = registry.histogram('lianxin_puback_latency_seconds', 'Time from a client PUBLISH arriving to its PUBACK being written.', ['topic']);
    this.queryLatency = registry.histogram('lianxin_queryack_latency_seconds', 'Time from a client QUERY arriving to its QUERYACK being written.', ['topic']);
    this.storeLatency = registry.histogram('lianxin_store_operation_seconds', 'Duration of store repository calls.', ['repository', 'operation']);
    this.storeErrors = registry.counter('lianxin_store_errors_total', 'Store repository calls that failed.', ['repository', 'operation']);
    this.dropped = registry.counter('lianxin_dropped_total', 'Deliveries or connections dropped on purpose, by reason.', ['reason']);
    // Totals kept by the chatroom service, copied at each scrape.
    this.chatroomAccepted = registry.counter('lianxin_chatroom_messages_accepted_total', 'Chatroom messages accepted, by priority.', ['priority'], { resetOnCollect: true });
    this.chatroomKicked = registry.counter('lianxin_chatroom_members_kicked_total', 'Chatroom members removed by the server, by reason.', ['reason'], { resetOnCollect: true });
    this.wsBuffered = registry.gauge('lianxin_websocket_buffered_bytes', 'Bytes queued for WebSocket clients that the kernel has not taken yet (sum over connections).');
    // Kept beside prom-client's nodejs_heap_size_used_bytes: dashboards and bench scripts read this name.
    this.heapUsed = registry.gauge('nodejs_heap_used_bytes', 'V8 heap used in bytes.');
    const heapUsed = this.heapUsed;
    registry.onCollect(heapUsed, () => heapUsed.set(process.memoryUsage().heapUsed));
  }

  /** The exposition text (Prometheus format; content type `contentType`). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

export const serverMetrics = new ServerMetrics();

/** Seconds since `startedAt` (a `performance.now()` value). */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
