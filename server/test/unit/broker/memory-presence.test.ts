import { MemoryPresence } from '../../../src/broker/memory-presence';
import { presenceContract } from '../../../src/broker/presence.contract';

let now = 1_000;

// One MemoryPresence is one backend; its "nodes" share it. The clock is fake.
presenceContract('memory', {
  connect: async (count) => {
    now = 1_000;
    const presence = new MemoryPresence({ now: () => now });
    return Array.from({ length: count }, () => presence);
  },
  advance: async (ms) => {
    now += ms;
  },
});

describe('MemoryPresence specifics', () => {
  it('rejects use after close', async () => {
    const p = new MemoryPresence();
    await p.close();
    await expect(p.sessionsOf('k', 'u')).rejects.toThrow('closed');
  });
});
