import { MemoryBroker } from '../../../src/broker/memory-broker';
import { MemoryPresence } from '../../../src/broker/memory-presence';
import { Hub } from '../../../src/gateway/hub';
import { SessionRegistry, type LocalSession } from '../../../src/gateway/session-registry';
import type { SessionInfo } from '../../../src/gateway/topic-router';

function session(sessionId: string, userId: string): LocalSession {
  const info: SessionInfo = { sessionId, appKey: 'k', userId, platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1 };
  return { info, deliver: () => undefined };
}

describe('Hub.onLocalSession', () => {
  it('reports every session attached and detached once (a repeated detach is silent), and survives a throwing listener', async () => {
    const broker = new MemoryBroker();
    const errors: string[] = [];
    const hub = new Hub({ nodeId: 'A', broker, presence: new MemoryPresence(), registry: new SessionRegistry(), presenceTtlMs: 10_000, onError: (_e, where) => errors.push(where) });
    const seen: string[] = [];
    hub.onLocalSession(() => {
      throw new Error('boom');
    });
    const stop = hub.onLocalSession((info, online) => seen.push(`${info.sessionId}:${online ? 'on' : 'off'}`));
    const [s1, s2] = [session('A.1', 'u1'), session('A.2', 'u1')];
    await hub.attach(s1);
    await hub.attach(s2);
    await hub.detach(s1);
    await hub.detach(s1);
    expect(seen).toEqual(['A.1:on', 'A.2:on', 'A.1:off']);
    stop();
    await hub.detach(s2);
    expect(seen).toHaveLength(3);
    expect(errors.filter((e) => e === 'session listener')).toHaveLength(4);
    await hub.close();
    await broker.close();
  });
});
