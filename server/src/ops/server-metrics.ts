/**
 * The metrics of this server process, in one registry scraped at `/metrics`. A process-wide instance
 * (`serverMetrics`) so that hot paths (session frames, store calls, the WebSocket send queue) record
 * with one call and no plumbing; label values are bounded sets (frame kinds, our own topics or
 * `unsupported`, platforms, repository/method names), never user or message ids.
 */
import { Counter, Gauge, Histogram, MetricsRegistry } from './metrics-registry';

export class ServerMetrics {
  readonly registry = new MetricsRegistry();
  readonly connections = this.registry.register(new Gauge('lianxin_connections', 'Live client sessions on this node.', ['platform', 'transport']));
  readonly framesIn = this.registry.register(new Counter('lianxin_frames_in_total', 'CMP frames received from clients, by frame kind and topic (publish/query).', ['kind', 'topic']));
  readonly framesOut = this.registry.register(new Counter('lianxin_frames_out_total', 'CMP frames written to clients, by frame kind and topic (server publishes).', ['kind', 'topic']));
  readonly pubackLatency = this.registry.register(new Histogram('lianxin_puback_latency_seconds', 'Time from a client PUBLISH arriving to its PUBACK being written.', ['topic']));
  readonly queryLatency = this.registry.register(new Histogram('lianxin_queryack_latency_seconds', 'Time from a client QUERY arriving to its QUERYACK being written.', ['topic']));
  readonly storeLatency = this.registry.register(new Histogram('lianxin_store_operation_seconds', 'Duration of store repository calls.', ['repository', 'operation']));
  readonly storeErrors = this.registry.register(new Counter('lianxin_store_errors_total', 'Store repository calls that failed.', ['repository', 'operation']));
  readonly dropped = this.registry.register(new Counter('lianxin_dropped_total', 'Deliveries or connections dropped on purpose, by reason.', ['reason']));
  readonly chatroomAccepted = this.registry.register(new Counter('lianxin_chatroom_messages_accepted_total', 'Chatroom messages accepted, by priority.', ['priority']));
  readonly chatroomKicked = this.registry.register(new Counter('lianxin_chatroom_members_kicked_total', 'Chatroom members removed by the server, by reason.', ['reason']));
  readonly wsBuffered = this.registry.register(new Gauge('lianxin_websocket_buffered_bytes', 'Bytes queued for WebSocket clients that the kernel has not taken yet (sum over connections).'));
  readonly residentMemory = this.registry.register(new Gauge('process_resident_memory_bytes', 'Resident set size in bytes.'));
  readonly heapUsed = this.registry.register(new Gauge('nodejs_heap_used_bytes', 'V8 heap used in bytes.'));
  readonly startTime = this.registry.register(new Gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch in seconds.'));
  readonly eventLoopLag = this.registry.register(new Gauge('nodejs_eventloop_lag_seconds', 'Delay of the last event-loop probe timer (0.5 s period).'));

  constructor() {
    this.startTime.set({}, Math.floor(Date.now() / 1000 - process.uptime()));
    this.registry.addCollector(() => {
      const usage = process.memoryUsage();
      this.residentMemory.set({}, usage.rss);
      this.heapUsed.set({}, usage.heapUsed);
    });
  }

  render(): string {
    return this.registry.render();
  }
}

export const serverMetrics = new ServerMetrics();

/** Seconds since `startedAt` (a `performance.now()` value). */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
