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
