/** The Redis Broker and PresenceRegistry pass the same contracts as the in-memory engines. */
import { brokerContract } from '../../../src/broker/broker.contract';
import { presenceContract } from '../../../src/broker/presence.contract';
import { RedisBroker } from '../../../src/broker/redis-broker';
import { RedisPresence } from '../../../src/broker/redis-presence';
import { rateBucketsContract } from '../../../src/broker/rate-buckets.contract';
import { RedisRateBuckets } from '../../../src/broker/redis-rate-buckets';
import { redisAvailable, startRedis, warnSkipped } from '../../../../test/support/engines/redis-server';
import type { RunningRedis } from '../../../../test/support/engines/redis-server';

const available = redisAvailable();

if (!available) {
  it('Redis engine contracts (redis-server not installed)', () => {
    warnSkipped('Redis broker/presence contract tests', 'redis-server is not on PATH: install it (apt-get install redis-server).');
  });
} else {
  let redis: RunningRedis;
  // Each test gets its own channel/key prefix on the one shared server, so tests never see
  // each other's leftovers.
  let run = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  brokerContract('redis', {
    connect: async (count) => {
      run += 1;
      const prefix = `t${run}:`;
      return Array.from({ length: count }, () => new RedisBroker({ url: redis.url, channelPrefix: prefix }));
    },
  });

  presenceContract('redis', {
    connect: async (count) => {
      run += 1;
      const prefix = `t${run}:`;
      return Array.from({ length: count }, () => new RedisPresence({ url: redis.url, keyPrefix: prefix }));
    },
    advance: (ms) => new Promise((r) => setTimeout(r, ms)),
  });

  rateBucketsContract('redis', {
    connect: async (count) => {
      run += 1;
      const prefix = `t${run}:`;
      return Array.from({ length: count }, () => new RedisRateBuckets({ url: redis.url, keyPrefix: prefix }));
    },
    advance: (ms) => new Promise((r) => setTimeout(r, ms)),
  });

  describe('Redis engines under a Redis restart', () => {
    it('the broker resubscribes and delivers again after Redis comes back', async () => {
      const a = new RedisBroker({ url: redis.url, channelPrefix: 'restart:', onError: () => undefined });
      const b = new RedisBroker({ url: redis.url, channelPrefix: 'restart:', onError: () => undefined });
      try {
        const got: number[] = [];
        await b.subscribe('user:k:r', (p) => got.push(p[0] ?? -1));
        await a.publish('user:k:r', new Uint8Array([1]));
        await waitFor(() => got.length === 1);
        await redis.restart();
        // Publishes during the outage may be lost (at-most-once); keep publishing until one lands.
        const deadline = Date.now() + 15_000;
        while (!got.includes(2) && Date.now() < deadline) {
          await a.publish('user:k:r', new Uint8Array([2])).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(got).toContain(2);
      } finally {
        await a.close();
        await b.close();
      }
    }, 30_000);

    it('a publish or subscribe in a long outage is refused at once (BrokerDownError), not left in the client\'s queue; both work again once Redis is back', async () => {
      const a = new RedisBroker({ url: redis.url, channelPrefix: 'down:', onError: () => undefined });
      try {
        await a.publish('user:k:d', new Uint8Array([1]));
        await redis.halt();
        try {
          // Long enough for ioredis's reconnect delay to reach ~1 s (it fails its queue every second attempt).
          await new Promise((r) => setTimeout(r, 8000));
          const started = Date.now();
          await expect(a.publish('user:k:d', new Uint8Array([2]))).rejects.toMatchObject({ name: 'BrokerDownError' });
          await expect(a.subscribe('user:k:e', () => undefined)).rejects.toMatchObject({ name: 'BrokerDownError' });
          expect(Date.now() - started).toBeLessThan(1000);
        } finally {
          await redis.resume();
        }
        const got: number[] = [];
        const deadline = Date.now() + 15_000;
        let subscribed = false;
        while (!subscribed && Date.now() < deadline) {
          subscribed = await a.subscribe('user:k:e', (p) => got.push(p[0] ?? -1)).then(() => true, () => false);
          if (!subscribed) await new Promise((r) => setTimeout(r, 100));
        }
        expect(subscribed).toBe(true);
        while (!got.includes(3) && Date.now() < deadline) {
          await a.publish('user:k:e', new Uint8Array([3])).catch(() => undefined);
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(got).toContain(3);
      } finally {
        await a.close();
      }
    }, 40_000);

    it('onReconnect runs once the subscriptions are back; a subscribe that failed in the outage leaves nothing behind', async () => {
      const a = new RedisBroker({ url: redis.url, channelPrefix: 'again:', onError: () => undefined });
      const b = new RedisBroker({ url: redis.url, channelPrefix: 'again:', onError: () => undefined });
      try {
        const got: number[] = [];
        await b.subscribe('chatroom:k:kept', (p) => got.push(p[0] ?? -1));
        let reconnects = 0;
        let deliveredAtReconnect = -1;
        b.onReconnect(() => {
          reconnects += 1;
          // The subscription is active again by now: a publish made in the listener reaches it.
          void a.publish('chatroom:k:kept', new Uint8Array([7])).then((n) => {
            deliveredAtReconnect = n;
          }, () => undefined);
        });
        await redis.halt();
        const lost: number[] = [];
        await expect(b.subscribe('chatroom:k:lost', (p) => lost.push(p[0] ?? -1))).rejects.toThrow();
        await redis.resume();
        await waitFor(() => reconnects === 1 && deliveredAtReconnect >= 0, 15_000);
        expect(deliveredAtReconnect).toBe(1);
        await waitFor(() => got.includes(7));
        // The failed subscription was never made: a new one of the channel works, and only it receives.
        const again: number[] = [];
        await b.subscribe('chatroom:k:lost', (p) => again.push(p[0] ?? -1));
        await a.publish('chatroom:k:lost', new Uint8Array([9]));
        await waitFor(() => again.includes(9));
        expect(lost).toEqual([]);
      } finally {
        await a.close();
        await b.close();
      }
    }, 30_000);
  });
}

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
