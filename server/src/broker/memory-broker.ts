import type { Broker, BrokerTopic, Unsubscribe } from './broker';

export interface MemoryBrokerOptions {
  /** Called when a subscriber throws; delivery to the others goes on. */
  readonly onError?: (error: unknown, topic: BrokerTopic) => void;
}

interface Subscription {
  active: boolean;
  readonly onMessage: (payload: Uint8Array) => void;
}

/**
 * In-process broker: the embedded single-node default, and the way tests run several
 * gateway "nodes" in one process. Delivery is asynchronous (microtask), like a real broker,
 * so publishers never re-enter their own subscribers synchronously.
 */
export class MemoryBroker implements Broker {
  private readonly topics = new Map<BrokerTopic, Set<Subscription>>();
  private closed = false;

  constructor(private readonly options: MemoryBrokerOptions = {}) {}

  async publish(topic: BrokerTopic, payload: Uint8Array): Promise<number> {
    this.assertOpen();
    const subscribers = this.topics.get(topic);
    if (!subscribers) return 0;
    for (const sub of subscribers) {
      const copy = payload.slice();
      queueMicrotask(() => {
        if (!sub.active || this.closed) return;
        try {
          sub.onMessage(copy);
        } catch (error) {
          this.options.onError?.(error, topic);
        }
      });
    }
    return subscribers.size;
  }

  async subscribe(topic: BrokerTopic, onMessage: (payload: Uint8Array) => void): Promise<Unsubscribe> {
    this.assertOpen();
    const sub: Subscription = { active: true, onMessage };
    let subscribers = this.topics.get(topic);
    if (!subscribers) {
      subscribers = new Set();
      this.topics.set(topic, subscribers);
    }
    subscribers.add(sub);
    return async () => {
      sub.active = false;
      const current = this.topics.get(topic);
      if (!current) return;
      current.delete(sub);
      if (current.size === 0) this.topics.delete(topic);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.topics.clear();
  }

  soleLocalSubscriber(topic: BrokerTopic): boolean {
    return !this.closed && this.topics.get(topic)?.size === 1;
  }

  /** Number of topics with at least one subscriber (observability and tests). */
  get topicCount(): number {
    return this.topics.size;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('broker closed');
  }
}

export function createMemoryBroker(options?: MemoryBrokerOptions): Broker {
  return new MemoryBroker(options);
}
