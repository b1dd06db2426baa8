import { MemoryPresence } from '../../../src/broker/memory-presence';
import type { SessionRef } from '../../../src/broker/presence';
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

const session = (sessionId: string, connectedAt = 500): SessionRef => ({ nodeId: 'n1', sessionId, platform: 'web', clientKind: 'E4', transport: 'websocket', connectedAt });
const idsOf = (refs: readonly SessionRef[]): string[] => refs.map((r) => r.sessionId).sort();

describe('MemoryPresence specifics', () => {
  // A user's entries switch between one entry and a map: every transition must keep the set of sessions.
  it('keeps a user\'s sessions across one ↔ several transitions, refreshes and expiries', async () => {
    let clock = 1_000;
    const p = new MemoryPresence({ now: () => clock });
    await p.add('k', 'u', session('a'), 100);
    await p.add('k', 'u', session('a'), 300); // refresh of the single entry: no second entry
    expect(idsOf(await p.sessionsOf('k', 'u'))).toEqual(['a']);
    await p.add('k', 'u', session('b'), 100);
    await p.add('k', 'u', session('c'), 100);
    expect(idsOf(await p.sessionsOf('k', 'u'))).toEqual(['a', 'b', 'c']);
    await p.remove('k', 'u', 'b');
    await p.remove('k', 'u', 'c');
    expect(idsOf(await p.sessionsOf('k', 'u'))).toEqual(['a']);
    await p.add('k', 'u', session('d'), 100);
    await p.remove('k', 'u', 'nope');
    expect(idsOf(await p.sessionsOf('k', 'u'))).toEqual(['a', 'd']);
    clock += 150; // d expired, a (ttl 300) not
    expect(idsOf(await p.sessionsOf('k', 'u'))).toEqual(['a']);
    await p.remove('k', 'u', 'other'); // another id leaves the single entry alone
    expect(idsOf(await p.sessionsOf('k', 'u'))).toEqual(['a']);
    clock += 200;
    expect(await p.sessionsOf('k', 'u')).toEqual([]);
    await p.add('k', 'u', session('e'), 100);
    await p.remove('k', 'u', 'e');
    expect(await p.sessionsOf('k', 'u')).toEqual([]);
  });

  it('returns copies with the fields as added, also for epoch-scale connection times', async () => {
    const p = new MemoryPresence({ now: () => 1_700_000_000_000 });
    const ref = session('a', 1_699_999_999_000);
    await p.add('k', 'u', ref, 60_000);
    const [seen] = await p.sessionsOf('k', 'u');
    expect(seen).toEqual(ref);
    expect(seen).not.toBe(ref);
  });

  it('rejects use after close', async () => {
    const p = new MemoryPresence();
    await p.close();
    await expect(p.sessionsOf('k', 'u')).rejects.toThrow('closed');
  });
});
