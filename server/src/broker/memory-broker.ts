import type { Broker, BrokerTopic, Unsubscribe } from './broker';

export interface MemoryBrokerOptions {
  /** Called when a subscriber throws; delivery to the others goes on. */
  readonly onError?: (error: unknown, topic: BrokerTopic) => void;
}

/** One subscription; `active` turns false at unsubscribe (messages already queued for it are then dropped). */
class Subscription {
  active = true;

  constructor(
    readonly topic: BrokerTopic,
    readonly onMessage: (payload: Uint8Array) => void,
  ) {}
}

/** A topic's subscribers: the subscription itself while there is one (the common case: a user's node), a Set from the second on. */
type Subscribers = Subscription | Set<Subscription>;

/**
 * In-process broker: the embedded single-node default, and the way tests run several
 * gateway "nodes" in one process. Delivery is asynchronous (microtask), like a real broker,
 * so publishers never re-enter their own subscribers synchronously.
 *
 * Memory (P2, bench/analysis/p2-connections.md): every user with a session has a topic here, so a
 * topic with one subscriber holds it without a Set (≈ 150 bytes), and the unsubscribe function is a
 * bound method rather than a closure with its own context.
 */
export class MemoryBroker implements Broker {
  private readonly topics = new Map<BrokerTopic, Subscribers>();
  private closed = false;

  constructor(private readonly options: MemoryBrokerOptions = {}) {}

  async publish(topic: BrokerTopic, payload: Uint8Array): Promise<number> {
    this.assertOpen();
    const subscribers = this.topics.get(topic);
    if (subscribers === undefined) return 0;
    if (subscribers instanceof Subscription) {
      this.deliver(subscribers, payload.slice());
      return 1;
    }
    for (const sub of subscribers) this.deliver(sub, payload.slice());
    return subscribers.size;
  }

  async subscribe(topic: BrokerTopic, onMessage: (payload: Uint8Array) => void): Promise<Unsubscribe> {
    this.assertOpen();
    const sub = new Subscription(topic, onMessage);
    const held = this.topics.get(topic);
    if (held === undefined) this.topics.set(topic, sub);
    else if (held instanceof Subscription) this.topics.set(topic, new Set([held, sub]));
    else held.add(sub);
    return this.unsubscribe.bind(this, sub);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.topics.clear();
  }

  soleLocalSubscriber(topic: BrokerTopic): boolean {
    return !this.closed && this.topics.get(topic) instanceof Subscription;
  }

  /** Number of topics with at least one subscriber (observability and tests). */
  get topicCount(): number {
    return this.topics.size;
  }

  private deliver(sub: Subscription, copy: Uint8Array): void {
    queueMicrotask(() => {
      if (!sub.active || this.closed) return;
      try {
        sub.onMessage(copy);
      } catch (error) {
        this.options.onError?.(error, sub.topic);
      }
    });
  }

  private async unsubscribe(sub: Subscription): Promise<void> {
    sub.active = false;
    const held = this.topics.get(sub.topic);
    if (held === sub) {
      this.topics.delete(sub.topic);
    } else if (held instanceof Set) {
      held.delete(sub);
      if (held.size > 1) return;
      const [last] = held;
      if (last !== undefined) this.topics.set(sub.topic, last);
      else this.topics.delete(sub.topic);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('broker closed');
  }
}
