/**
 * A Broker wrapper that measures publish→receive lag across nodes. Each payload travels with a
 * 9-byte header (a marker byte and the publisher's wall-clock ms as a float64); the subscriber side
 * strips it and reports `now - stamp`. Wall clocks of different machines may disagree: the figure is
 * exact on one machine (loopback clusters, benchmarks) and as good as NTP otherwise, so negative
 * values are clamped to 0.
 *
 * Invariant: every node of a cluster must use the same wrapping (main.ts always applies it), because
 * the header is part of the bytes on the wire. A payload without the marker is passed through as is.
 */
import type { Broker, BrokerTopic, Unsubscribe } from './broker';

const MARKER = 0xb7;
const HEADER_BYTES = 9;

export interface StampedBrokerOptions {
  /** Called for each received message with its topic and lag in ms. */
  readonly onLag?: (topic: BrokerTopic, lagMs: number) => void;
  /** Called after each successful or failed publish (for counters). */
  readonly onPublish?: (topic: BrokerTopic, ok: boolean) => void;
  /** Wall clock in ms (tests may inject). */
  readonly now?: () => number;
}

export class StampedBroker implements Broker {
  private readonly now: () => number;

  constructor(
    private readonly inner: Broker,
    private readonly options: StampedBrokerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async publish(topic: BrokerTopic, payload: Uint8Array): Promise<number> {
    const framed = new Uint8Array(HEADER_BYTES + payload.byteLength);
    framed[0] = MARKER;
    new DataView(framed.buffer).setFloat64(1, this.now());
    framed.set(payload, HEADER_BYTES);
    let receivers: number;
    try {
      receivers = await this.inner.publish(topic, framed);
    } catch (error) {
      this.options.onPublish?.(topic, false);
      throw error;
    }
    this.options.onPublish?.(topic, true);
    return receivers;
  }

  soleLocalSubscriber(topic: BrokerTopic): boolean {
    return this.inner.soleLocalSubscriber?.(topic) ?? false;
  }

  subscribe(topic: BrokerTopic, onMessage: (payload: Uint8Array) => void): Promise<Unsubscribe> {
    return this.inner.subscribe(topic, (bytes) => {
      if (bytes.byteLength < HEADER_BYTES || bytes[0] !== MARKER) {
        onMessage(bytes);
        return;
      }
      const stamp = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(1);
      this.options.onLag?.(topic, Math.max(0, this.now() - stamp));
      onMessage(bytes.subarray(HEADER_BYTES));
    });
  }

  onReconnect(listener: () => void): () => void {
    return this.inner.onReconnect?.(listener) ?? (() => undefined);
  }

  healthy(): boolean {
    return this.inner.healthy?.() ?? true;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
