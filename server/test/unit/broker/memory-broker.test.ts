import { brokerContract } from '../../../src/broker/broker.contract';
import { MemoryBroker } from '../../../src/broker/memory-broker';

// One MemoryBroker is one backend; its "clients" are the same object.
brokerContract('memory', {
  connect: async (count) => {
    const broker = new MemoryBroker();
    return Array.from({ length: count }, () => broker);
  },
});

describe('MemoryBroker specifics', () => {
  it('reports subscriber errors to onError and forgets empty topics', async () => {
    const errors: unknown[] = [];
    const broker = new MemoryBroker({ onError: (e) => errors.push(e) });
    const un = await broker.subscribe('user:k:u', () => {
      throw new Error('boom');
    });
    expect(broker.topicCount).toBe(1);
    await broker.publish('user:k:u', new Uint8Array([1]));
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toHaveLength(1);
    await un();
    expect(broker.topicCount).toBe(0);
    await broker.close();
    await expect(broker.publish('user:k:u', new Uint8Array(0))).rejects.toThrow('closed');
  });

  // A topic holds its subscription alone until a second one comes: every transition must keep delivery.
  it('delivers to every subscriber across one ↔ several transitions', async () => {
    const broker = new MemoryBroker();
    const got: string[] = [];
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
    const unA = await broker.subscribe('user:k:u', () => got.push('a'));
    expect(broker.soleLocalSubscriber('user:k:u')).toBe(true);
    const unB = await broker.subscribe('user:k:u', () => got.push('b'));
    const unC = await broker.subscribe('user:k:u', () => got.push('c'));
    expect(broker.soleLocalSubscriber('user:k:u')).toBe(false);
    expect(await broker.publish('user:k:u', new Uint8Array([1]))).toBe(3);
    await settle();
    expect(got.sort()).toEqual(['a', 'b', 'c']);
    got.length = 0;
    await unA();
    await unA();
    await unC();
    expect(broker.soleLocalSubscriber('user:k:u')).toBe(true);
    expect(await broker.publish('user:k:u', new Uint8Array([2]))).toBe(1);
    await settle();
    expect(got).toEqual(['b']);
    await unB();
    expect(broker.topicCount).toBe(0);
    expect(await broker.publish('user:k:u', new Uint8Array([3]))).toBe(0);
    // An old unsubscribe must not remove a newer subscription of the same topic.
    const unD = await broker.subscribe('user:k:u', () => got.push('d'));
    await unB();
    expect(broker.soleLocalSubscriber('user:k:u')).toBe(true);
    await unD();
    await broker.close();
  });
});
