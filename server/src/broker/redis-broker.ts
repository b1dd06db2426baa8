import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Broker, BrokerTopic, Unsubscribe } from './broker';

export interface RedisBrokerOptions {
  /** `redis://host:port/db` */
  readonly url: string;
  /** Prepended to every channel so several deployments can share one Redis (default `lianxin:`). */
  readonly channelPrefix?: string;
  /** Called when a subscriber throws or the connection reports an error; delivery goes on. */
  readonly onError?: (error: unknown, topic?: BrokerTopic) => void;
  /**
   * PING period (ms) of the health probe: `healthy()` is false once no PONG came for 3 periods, which
   * catches a black-holed connection (a partition that neither resets nor closes the socket, so the
   * client still says "ready"). Default 1000; 0 disables the probe.
   */
  readonly healthProbeMs?: number;
  /**
   * How long (ms) publishes may wait in the client's offline queue once the publishing connection is down (a
   * short blip loses nothing); past it a publish rejects at once with BrokerDownError, and so does a subscribe
   * once the subscriber connection has been down that long. Default 1000.
   */
  readonly downGraceMs?: number;
}

/** A publish or subscribe refused because the broker is known to be down (see RedisBroker). */
export class BrokerDownError extends Error {
  constructor(what: 'publish' | 'subscribe' = 'publish') {
    super(`broker down: ${what} not taken`);
    this.name = 'BrokerDownError';
  }
}

interface Subscription {
  active: boolean;
  readonly onMessage: (payload: Uint8Array) => void;
}

/**
 * Redis pub/sub broker. One connection publishes, one is in subscriber mode; local subscriptions
 * of one topic share one Redis SUBSCRIBE. Redis pub/sub is at-most-once (a disconnect loses what
 * was published meanwhile), which is exactly the Broker guarantee: the Store is the record and
 * clients catch up by sync. ioredis re-subscribes channels after a reconnect on its own; `onReconnect`
 * listeners run once it has, so services can re-read from the Store what they may have missed.
 *
 * Per-topic subscribe/unsubscribe calls are chained so a SUBSCRIBE and an UNSUBSCRIBE of the
 * same channel never race (the last local state always wins at Redis).
 *
 * A publish while the publishing connection is down (it was ready once and is now reconnecting) waits in
 * ioredis's offline queue only until the connection has been down for `downGraceMs`; past that, or while the
 * probe got no PONG on it for 3 periods (a black-holed link), it rejects at once with BrokerDownError. Without
 * the bound the queue was failed only every second reconnect attempt, up to ~4 s apart in a long outage, and a
 * Server API call awaiting several publishes (user/block of 20 users) waited that long for each. Callers treat a
 * failed publish as lost or keep it for a retry (unsent-events.ts); one that timed out in the queue may still go
 * out on reconnect (the events concerned are idempotent). A SUBSCRIBE is likewise refused before it is sent once
 * the subscriber connection has been down for `downGraceMs` (a cache's first read of an app waited seconds for
 * it on every client send). Before the first ready the queue holds commands as before (start-up).
 */
export class RedisBroker implements Broker {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  private readonly topics = new Map<string, Set<Subscription>>();
  private readonly chains = new Map<string, Promise<void>>();
  /** Channels with a completed SUBSCRIBE (only touched inside the per-channel chain). */
  private readonly atRedis = new Set<string>();
  private readonly reconnectListeners = new Set<() => void>();
  private closed = false;
  private lastPong = Date.now();
  /** The publishing connection was ready once: from then on a publish while it is down is bounded. */
  private pubReadyOnce = false;
  /** When the publishing connection went down (undefined while it is ready). */
  private pubDownSince: number | undefined;
  /** When the subscriber connection went down after its first ready (undefined while it is ready or before). */
  private subDownSince: number | undefined;
  /** The publishing connection's last PONG (or ready), and the probe's verdict: none for 3 periods. */
  private lastPubPong = Date.now();
  private pubStale = false;
  private readonly probe: NodeJS.Timeout | undefined;

  constructor(private readonly options: RedisBrokerOptions) {
    this.prefix = options.channelPrefix ?? 'lianxin:';
    const common: RedisOptions = { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true };
    this.pub = new Redis(options.url, { ...common, connectionName: 'lianxin-pub' });
    this.sub = new Redis(options.url, { ...common, connectionName: 'lianxin-sub' });
    const report = (error: unknown): void => this.options.onError?.(error);
    this.pub.on('error', report);
    this.sub.on('error', report);
    this.pub.on('ready', () => {
      // A fresh connection counts as its PONG: publishes go through again without waiting for the next probe.
      this.pubReadyOnce = true;
      this.pubDownSince = undefined;
      this.lastPubPong = Date.now();
      this.pubStale = false;
    });
    // Emitted again at every failed reconnect attempt: the first one dates the outage.
    this.pub.on('close', () => {
      this.pubDownSince ??= Date.now();
    });
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.dispatch(channel.toString('utf8'), message));
    let readyBefore = false;
    this.sub.on('close', () => {
      if (readyBefore) this.subDownSince ??= Date.now();
    });
    this.sub.on('ready', () => {
      this.subDownSince = undefined;
      if (!readyBefore) {
        readyBefore = true;
        return;
      }
      // Reconnected. ioredis sends the SUBSCRIBE of every channel before this event (emitted a tick later), so
      // the PONG comes after their replies: every subscription is active again when the listeners run.
      this.sub.ping().then(() => {
        if (this.closed) return;
        for (const listener of [...this.reconnectListeners]) {
          try {
            listener();
          } catch (error) {
            this.options.onError?.(error);
          }
        }
      }, () => undefined);
    });
    const every = options.healthProbeMs ?? 1000;
    if (every > 0) {
      this.probe = setInterval(() => {
        // Both connections: a partition may cut either; PING is allowed in subscriber mode.
        // A black-holed link still says "ready": its publishes are refused once it missed 3 PONGs.
        this.pubStale = Date.now() - this.lastPubPong >= every * 3;
        const pubPing = this.pub.ping().then(() => {
          this.lastPubPong = Date.now();
          this.pubStale = false;
        });
        Promise.all([pubPing, this.sub.ping()]).then(() => {
          this.lastPong = Date.now();
        }, () => undefined);
      }, every);
      this.probe.unref();
    }
  }

  async publish(topic: BrokerTopic, payload: Uint8Array): Promise<number> {
    this.assertOpen();
    const message = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    if (this.pubReadyOnce && (this.pub.status !== 'ready' || this.pubStale)) return this.publishWhileDown(this.prefix + topic, message);
    return this.pub.publish(this.prefix + topic, message);
  }

  /** A publish while the connection is down: queued until `downGraceMs` after the outage began, then refused. */
  private async publishWhileDown(channel: string, message: Buffer): Promise<number> {
    const grace = this.options.downGraceMs ?? 1000;
    const left = this.pubStale ? 0 : grace - (Date.now() - (this.pubDownSince ?? Date.now()));
    if (left <= 0) throw new BrokerDownError();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BrokerDownError()), left);
      timer.unref();
    });
    try {
      // race handles a later rejection of the queued publish too.
      return await Promise.race([this.pub.publish(channel, message), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  async subscribe(topic: BrokerTopic, onMessage: (payload: Uint8Array) => void): Promise<Unsubscribe> {
    this.assertOpen();
    const channel = this.prefix + topic;
    const sub: Subscription = { active: true, onMessage };
    let subs = this.topics.get(channel);
    if (!subs) {
      subs = new Set();
      this.topics.set(channel, subs);
    }
    subs.add(sub);
    // Even when not first, wait for any pending SUBSCRIBE so "active once resolved" holds.
    try {
      await this.chain(channel, async () => {
        if (!this.topics.has(channel) || this.atRedis.has(channel)) return;
        // Refused before it is queued, not raced against a timer as a publish is: a SUBSCRIBE still queued when
        // its caller gave up would be made on reconnect, for nobody.
        if (this.subDownSince !== undefined && Date.now() - this.subDownSince >= (this.options.downGraceMs ?? 1000)) throw new BrokerDownError('subscribe');
        await this.sub.subscribe(channel);
        this.atRedis.add(channel);
      });
    } catch (error) {
      // Failed (Redis unreachable): the caller gets no subscription, so none is left behind that it could
      // never remove; a later subscribe of the channel tries again.
      this.drop(channel, sub);
      throw error;
    }
    return async () => {
      if (!this.drop(channel, sub) || this.closed) return;
      await this.chain(channel, async () => {
        if (this.topics.has(channel) || !this.atRedis.has(channel)) return;
        this.atRedis.delete(channel);
        await this.sub.unsubscribe(channel);
      });
    };
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  healthy(): boolean {
    if (this.closed || this.pub.status !== 'ready' || this.sub.status !== 'ready') return false;
    const every = this.options.healthProbeMs ?? 1000;
    return every <= 0 || Date.now() - this.lastPong < every * 3;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.probe);
    this.topics.clear();
    this.reconnectListeners.clear();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }

  private dispatch(channel: string, message: Buffer): void {
    const subs = this.topics.get(channel);
    if (!subs || this.closed) return;
    for (const sub of [...subs]) {
      if (!sub.active) continue;
      const copy = new Uint8Array(message.byteLength);
      copy.set(message);
      try {
        sub.onMessage(copy);
      } catch (error) {
        this.options.onError?.(error, channel.slice(this.prefix.length) as BrokerTopic);
      }
    }
  }

  /** Deactivates `sub`; true when it was the channel's last local subscription (the channel is forgotten). */
  private drop(channel: string, sub: Subscription): boolean {
    if (!sub.active) return false;
    sub.active = false;
    const current = this.topics.get(channel);
    if (!current) return false;
    current.delete(sub);
    if (current.size > 0) return false;
    this.topics.delete(channel);
    return true;
  }

  private chain(channel: string, step: () => Promise<void>): Promise<void> {
    const previous = this.chains.get(channel) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(step);
    const tail = next.catch(() => undefined);
    this.chains.set(channel, tail);
    void tail.then(() => {
      if (this.chains.get(channel) === tail) this.chains.delete(channel);
    });
    return next;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('broker closed');
  }
}

export function createRedisBroker(options: RedisBrokerOptions): Broker {
  return new RedisBroker(options);
}
