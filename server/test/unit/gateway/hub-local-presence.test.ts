import { MemoryBroker } from '../../../src/broker/memory-broker';
import { MemoryPresence } from '../../../src/broker/memory-presence';
import { Hub } from '../../../src/gateway/hub';
import { SessionRegistry, type LocalSession } from '../../../src/gateway/session-registry';
import type { SessionInfo } from '../../../src/gateway/topic-router';

function session(sessionId: string, userId: string): LocalSession {
  const info: SessionInfo = { sessionId, appKey: 'k', userId, platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1 };
  return { info, deliver: () => undefined };
}

describe('Hub.onLocalPresence', () => {
  it('reports a user online at their first session on this node and offline when the last one goes', async () => {
    const broker = new MemoryBroker();
    const hub = new Hub({ nodeId: 'A', broker, presence: new MemoryPresence(), registry: new SessionRegistry(), presenceTtlMs: 10_000 });
    const seen: string[] = [];
    const stop = hub.onLocalPresence((appKey, userId, online) => seen.push(`${appKey}/${userId}:${online ? 'on' : 'off'}`));
    const [s1, s2, other] = [session('A.1', 'u1'), session('A.2', 'u1'), session('A.3', 'u2')];
    await hub.attach(s1);
    await hub.attach(s2);
    await hub.attach(other);
    await hub.detach(s1);
    expect(seen).toEqual(['k/u1:on', 'k/u2:on']);
    await hub.detach(s2);
    await hub.detach(s2);
    expect(seen).toEqual(['k/u1:on', 'k/u2:on', 'k/u1:off']);
    stop();
    await hub.detach(other);
    expect(seen).toHaveLength(3);
    await hub.close();
    await broker.close();
  });

  it('keeps going when a listener throws', async () => {
    const broker = new MemoryBroker();
    const errors: string[] = [];
    const hub = new Hub({ nodeId: 'A', broker, presence: new MemoryPresence(), registry: new SessionRegistry(), presenceTtlMs: 10_000, onError: (_e, context) => errors.push(context) });
    const seen: boolean[] = [];
    hub.onLocalPresence(() => {
      throw new Error('boom');
    });
    hub.onLocalPresence((_a, _u, online) => seen.push(online));
    await hub.attach(session('A.1', 'u1'));
    expect(seen).toEqual([true]);
    expect(errors).toEqual(['presence listener']);
    await hub.close();
    await broker.close();
  });
});
