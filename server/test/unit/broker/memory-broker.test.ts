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
});
