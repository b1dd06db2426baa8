/**
 * RoomRelay (gateway/room-relay.ts) when the broker loses signals: a signal it could not publish is followed by a
 * `resync` of the room once the broker takes publishes again (retried every RESYNC_RETRY_MS), and the node's own
 * `onReconnect` runs when the broker's subscriptions come back.
 */
import type { Broker, BrokerTopic, Unsubscribe } from '../../../src/broker/broker';
import { RESYNC_RETRY_MS, RoomRelay, type RoomSignal } from '../../../src/gateway/room-relay';

class FlakyBroker implements Broker {
  down = false;
  readonly published: { topic: BrokerTopic; signal: RoomSignal }[] = [];
  private readonly reconnectListeners = new Set<() => void>();

  publish(topic: BrokerTopic, payload: Uint8Array): Promise<number> {
    if (this.down) return Promise.reject(new Error('broker down'));
    this.published.push({ topic, signal: (JSON.parse(Buffer.from(payload).toString('utf8')) as { s: RoomSignal }).s });
    return Promise.resolve(1);
  }

  subscribe(): Promise<Unsubscribe> {
    return Promise.resolve(() => Promise.resolve());
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  reconnected(): void {
    for (const listener of this.reconnectListeners) listener();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('RoomRelay and lost signals', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('a signal that could not be published is followed by one resync of its room once the broker is back', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const broker = new FlakyBroker();
    const relay = new RoomRelay('n1', broker, () => undefined, () => undefined);
    broker.down = true;
    relay.publish('app', 'r1', { k: 'member', userId: 'u', joined: true, joinTime: 1 });
    relay.publish('app', 'r1', { k: 'member', userId: 'v', joined: false });
    relay.publish('app', 'r2', { k: 'destroy', time: 5 });
    await settle();
    jest.advanceTimersByTime(RESYNC_RETRY_MS);
    await settle();
    expect(broker.published).toEqual([]);
    broker.down = false;
    jest.advanceTimersByTime(RESYNC_RETRY_MS);
    await settle();
    expect(broker.published).toEqual([
      { topic: 'chatroom:app:r1', signal: { k: 'resync' } },
      { topic: 'chatroom:app:r2', signal: { k: 'resync' } },
    ]);
    // Done: nothing more is sent later.
    jest.advanceTimersByTime(RESYNC_RETRY_MS * 3);
    await settle();
    expect(broker.published).toHaveLength(2);
    await relay.close();
  });

  it('runs onReconnect when the broker subscriptions are back, and sends pending resyncs then', async () => {
    const broker = new FlakyBroker();
    let reconnects = 0;
    const relay = new RoomRelay('n1', broker, () => undefined, () => undefined, () => {
      reconnects += 1;
    });
    broker.down = true;
    relay.publish('app', 'r1', { k: 'kv', time: 3, except: 'u' });
    await settle();
    broker.down = false;
    broker.reconnected();
    await settle();
    expect(reconnects).toBe(1);
    expect(broker.published).toEqual([{ topic: 'chatroom:app:r1', signal: { k: 'resync' } }]);
    await relay.close();
    broker.reconnected();
    expect(reconnects).toBe(1);
  });
});
