import { SessionRegistry, type LocalSession } from '../../../src/gateway/session-registry';
import type { SessionInfo } from '../../../src/gateway/topic-router';

function session(sessionId: string, userId: string, appKey = 'k'): LocalSession {
  const info: SessionInfo = { sessionId, appKey, userId, platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1 };
  return { info, deliver: () => undefined };
}

describe('SessionRegistry (one session held directly, a Set from the second)', () => {
  it('reports first/last correctly through 1 → 3 → 0 sessions of a user', () => {
    const registry = new SessionRegistry();
    const [a, b, c] = [session('a', 'u'), session('b', 'u'), session('c', 'u')];
    expect(registry.add(a)).toBe(true);
    expect(registry.add(a)).toBe(false);
    expect(registry.sessionsOf('k', 'u')).toEqual([a]);
    expect(registry.add(b)).toBe(false);
    expect(registry.add(c)).toBe(false);
    expect(registry.sessionsOf('k', 'u')).toEqual([a, b, c]);
    expect(registry.remove(b)).toBe(false);
    expect(registry.remove(b)).toBe(false);
    expect(registry.remove(a)).toBe(false);
    expect(registry.sessionsOf('k', 'u')).toEqual([c]);
    expect(registry.add(a)).toBe(false);
    expect(registry.remove(c)).toBe(false);
    expect(registry.remove(a)).toBe(true);
    expect(registry.sessionsOf('k', 'u')).toEqual([]);
    expect(registry.size).toBe(0);
  });

  it('never removes another session registered under the same id', () => {
    const registry = new SessionRegistry();
    const a = session('same', 'u');
    const impostor = session('same', 'u');
    registry.add(a);
    expect(registry.remove(impostor)).toBe(false);
    expect(registry.get('same')).toBe(a);
    expect(registry.sessionsOf('k', 'u')).toEqual([a]);
  });

  it('keeps users of different apps apart, also under the same user id', () => {
    const registry = new SessionRegistry();
    const [a, b] = [session('a', 'u', 'k1'), session('b', 'u', 'k2')];
    expect(registry.add(a)).toBe(true);
    expect(registry.add(b)).toBe(true);
    expect(registry.sessionsOf('k1', 'u')).toEqual([a]);
    expect(registry.sessionsOf('k2', 'u')).toEqual([b]);
    expect(registry.sessionsOf('k3', 'u')).toEqual([]);
    expect(registry.remove(a)).toBe(true);
    expect(registry.sessionsOf('k2', 'u')).toEqual([b]);
    expect(registry.add(a)).toBe(true);
    expect(registry.remove(b)).toBe(true);
    expect(registry.remove(a)).toBe(true);
    expect(registry.size).toBe(0);
  });
});

describe('SessionRegistry.soleSessionOf (the per-message delivery path, no list)', () => {
  it('answers the only session, and undefined for none or several, through 0 → 1 → 3 → 1 → 0', () => {
    const registry = new SessionRegistry();
    const [a, b, c] = [session('a', 'u'), session('b', 'u'), session('c', 'u')];
    expect(registry.soleSessionOf('k', 'u')).toBeUndefined();
    registry.add(a);
    expect(registry.soleSessionOf('k', 'u')).toBe(a);
    registry.add(b);
    expect(registry.soleSessionOf('k', 'u')).toBeUndefined();
    registry.add(c);
    expect(registry.soleSessionOf('k', 'u')).toBeUndefined();
    registry.remove(a);
    expect(registry.soleSessionOf('k', 'u')).toBeUndefined();
    registry.remove(c);
    expect(registry.soleSessionOf('k', 'u')).toBe(b);
    expect(registry.sessionsOf('k', 'u')).toEqual([b]);
    registry.remove(b);
    expect(registry.soleSessionOf('k', 'u')).toBeUndefined();
    expect(registry.sessionsOf('k', 'u')).toEqual([]);
  });

  it('scopes by app and user', () => {
    const registry = new SessionRegistry();
    const [a, b] = [session('a', 'u', 'k1'), session('b', 'v', 'k1')];
    registry.add(a);
    registry.add(b);
    expect(registry.soleSessionOf('k1', 'u')).toBe(a);
    expect(registry.soleSessionOf('k1', 'v')).toBe(b);
    expect(registry.soleSessionOf('k2', 'u')).toBeUndefined();
    expect(registry.soleSessionOf('k1', 'w')).toBeUndefined();
  });

  it('agrees with sessionsOf whenever sessionsOf holds exactly one session (seeded adds and removes)', () => {
    const registry = new SessionRegistry();
    const pool = ['a', 'b', 'c', 'd', 'e'].flatMap((id) => [session(`${id}1`, 'u'), session(`${id}2`, 'v')]);
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const s = pool[next(pool.length)] as LocalSession;
      if (next(2) === 0) registry.add(s);
      else registry.remove(s);
      for (const user of ['u', 'v']) {
        const list = registry.sessionsOf('k', user);
        expect(registry.soleSessionOf('k', user)).toBe(list.length === 1 ? list[0] : undefined);
      }
    }
  });

  it('gives a snapshot list that stays as it is while sessions come and go', () => {
    const registry = new SessionRegistry();
    const [a, b] = [session('a', 'u'), session('b', 'u')];
    registry.add(a);
    registry.add(b);
    const list = registry.sessionsOf('k', 'u');
    registry.remove(a);
    expect(list).toEqual([a, b]);
    const none = registry.sessionsOf('k', 'nobody');
    expect(none).toEqual([]);
    expect(Object.isFrozen(none)).toBe(true);
  });
});
