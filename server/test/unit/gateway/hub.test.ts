import { MemoryBroker } from '../../../src/broker/memory-broker';
import { MemoryPresence } from '../../../src/broker/memory-presence';
import { Hub } from '../../../src/gateway/hub';
import { SessionRegistry, type LocalSession } from '../../../src/gateway/session-registry';
import type { PlatformClass, SessionInfo } from '../../../src/gateway/topic-router';
import type { UserEvent } from '../../../src/gateway/user-event';

/** A session endpoint that records what the hub delivers (the hub's only contract with sessions). */
class RecordingSession implements LocalSession {
  readonly events: UserEvent[] = [];
  readonly info: SessionInfo;
  constructor(sessionId: string, userId: string, platform: PlatformClass = 'web', appKey = 'k', connectedAt = 1) {
    this.info = { sessionId, appKey, userId, platform, clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt };
  }
  deliver(event: UserEvent): void {
    this.events.push(event);
  }
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('Hub (two nodes on one memory broker)', () => {
  let now = 1_000;
  let broker: MemoryBroker;
  let presence: MemoryPresence;
  let a: Hub<RecordingSession>;
  let b: Hub<RecordingSession>;

  beforeEach(() => {
    now = 1_000;
    broker = new MemoryBroker();
    presence = new MemoryPresence({ now: () => now });
    const make = (nodeId: string): Hub<RecordingSession> =>
      new Hub({ nodeId, broker, presence, registry: new SessionRegistry<RecordingSession>(), presenceTtlMs: 10_000 });
    a = make('A');
    b = make('B');
  });

  afterEach(async () => {
    await a.close();
    await b.close();
    await broker.close();
  });

  it('fans a user event out to the user sessions on every node, except the excluded one', async () => {
    const s1 = new RecordingSession('A.1', 'u1');
    const s2 = new RecordingSession('B.1', 'u1');
    const other = new RecordingSession('B.2', 'u2');
    await a.attach(s1);
    await b.attach(s2);
    await b.attach(other);
    const event: UserEvent = { kind: 'push', topic: 's_ntf', targetId: 'u1', payload: new Uint8Array([8, 1]), qos: 1 };
    await a.toUser('k', 'u1', event);
    await b.toUser('k', 'u1', event, { exceptSessionId: 'A.1' });
    await tick();
    expect(s1.events).toEqual([event]);
    expect(s2.events).toEqual([event, event]);
    expect(other.events).toEqual([]);
  });

  it('scopes users by app key', async () => {
    const s = new RecordingSession('A.1', 'u1', 'web', 'k1');
    await a.attach(s);
    await b.toUser('k2', 'u1', { kind: 'kick', reason: 1 });
    await tick();
    expect(s.events).toEqual([]);
  });

  it('kicks the other devices of the same platform class only, across nodes', async () => {
    const oldWeb = new RecordingSession('A.1', 'u1', 'web');
    const mini = new RecordingSession('A.2', 'u1', 'miniprogram');
    await a.attach(oldWeb);
    await a.attach(mini);
    const newWeb = new RecordingSession('B.1', 'u1', 'web', 'k', 2);
    await b.attach(newWeb);
    await b.kickOtherDevices(newWeb);
    await tick();
    expect(oldWeb.events).toEqual([{ kind: 'kick', reason: 1, platform: 'web', exceptSessionId: 'B.1', olderThan: 2 }]);
    expect(mini.events).toEqual([]);
    expect(newWeb.events).toEqual([]);
  });

  it('never lets an older login kick a newer one (racing logins)', async () => {
    const older = new RecordingSession('A.1', 'u1', 'web', 'k', 10);
    const newer = new RecordingSession('B.1', 'u1', 'web', 'k', 20);
    await a.attach(older);
    await b.attach(newer);
    // Both logins run their kick; only the older session goes.
    await a.kickOtherDevices(older);
    await b.kickOtherDevices(newer);
    await tick();
    expect(newer.events).toEqual([]);
    expect(older.events.map((e) => e.kind)).toEqual(['kick']);
  });

  it('does not publish a kick when the user has no other device of that class', async () => {
    const s = new RecordingSession('A.1', 'u1', 'web');
    await a.attach(s);
    const published: Uint8Array[] = [];
    await broker.subscribe('user:k:u1', (bytes) => published.push(bytes));
    await a.kickOtherDevices(s);
    await tick();
    expect(published).toEqual([]);
  });

  it('tracks presence across nodes and subscribes a user topic only while the node has sessions of the user', async () => {
    const s1 = new RecordingSession('A.1', 'u1');
    const s2 = new RecordingSession('A.2', 'u1');
    expect(await b.isOnline('k', 'u1')).toBe(false);
    await a.attach(s1);
    await a.attach(s2);
    expect(broker.topicCount).toBe(1);
    expect(await b.isOnline('k', 'u1')).toBe(true);
    expect((await b.sessionsOf('k', 'u1')).map((r) => [r.nodeId, r.sessionId, r.platform]).sort()).toEqual([
      ['A', 'A.1', 'web'],
      ['A', 'A.2', 'web'],
    ]);
    await a.detach(s1);
    expect(broker.topicCount).toBe(1);
    await a.detach(s2);
    await a.detach(s2);
    expect(broker.topicCount).toBe(0);
    expect(await b.isOnline('k', 'u1')).toBe(false);
  });

  it('knows when it is the only listener of a user topic, and delivers through the broker when it is not', async () => {
    const s1 = new RecordingSession('A.1', 'u1');
    const s2 = new RecordingSession('B.1', 'u1');
    expect(a.onlyListener('k', 'u1')).toBe(false); // no session of u1 here
    await a.attach(s1);
    expect(a.onlyListener('k', 'u1')).toBe(true);
    expect(a.onlyListener('other-app', 'u1')).toBe(false);
    await b.attach(s2);
    expect(a.onlyListener('k', 'u1')).toBe(false);
    expect(b.onlyListener('k', 'u1')).toBe(false);
    const event: UserEvent = { kind: 'push', topic: 's_ntf', targetId: 'u1', payload: new Uint8Array([8, 1]), qos: 1 };
    await a.toUser('k', 'u1', event);
    await tick();
    expect(s2.events).toEqual([event]); // through the broker to the other node
    await b.detach(s2);
    expect(a.onlyListener('k', 'u1')).toBe(true);
    await a.toUser('k', 'u1', event);
    await tick();
    expect(s1.events).toEqual([event, event]);
    await a.detach(s1);
    expect(a.onlyListener('k', 'u1')).toBe(false);
  });

  it('names the user\'s sole session only while it is the one session here and only this node listens', async () => {
    const s1 = new RecordingSession('A.1', 'u1');
    const s2 = new RecordingSession('A.2', 'u1');
    const remote = new RecordingSession('B.1', 'u1');
    expect(a.soleSession('k', 'u1')).toBeUndefined(); // none here
    await a.attach(s1);
    expect(a.soleSession('k', 'u1')).toBe(s1);
    expect(a.soleSession('other-app', 'u1')).toBeUndefined();
    expect(a.soleSession('k', 'u2')).toBeUndefined();
    await a.attach(s2);
    expect(a.soleSession('k', 'u1')).toBeUndefined(); // two here
    await a.detach(s1);
    expect(a.soleSession('k', 'u1')).toBe(s2);
    await b.attach(remote);
    expect(a.soleSession('k', 'u1')).toBeUndefined(); // another node listens
    expect(b.soleSession('k', 'u1')).toBeUndefined();
    await b.detach(remote);
    expect(a.soleSession('k', 'u1')).toBe(s2);
    await a.close();
    expect(a.soleSession('k', 'u1')).toBeUndefined(); // a closed hub listens on nothing
  });

  it('never names a sole session over a broker that cannot tell who listens (Redis)', async () => {
    const network = { publish: broker.publish.bind(broker), subscribe: broker.subscribe.bind(broker), close: async () => undefined };
    const hub = new Hub({ nodeId: 'C', broker: network, presence, registry: new SessionRegistry<RecordingSession>(), presenceTtlMs: 10_000 });
    const s = new RecordingSession('C.1', 'u1');
    await hub.attach(s);
    expect(hub.registry.soleSessionOf('k', 'u1')).toBe(s);
    expect(hub.soleSession('k', 'u1')).toBeUndefined();
    expect(hub.onlyListener('k', 'u1')).toBe(false);
    await hub.close();
  });

  it('posts an event like toUser: here a microtask later without a promise, through the broker otherwise', async () => {
    const s1 = new RecordingSession('A.1', 'u1');
    const s2 = new RecordingSession('A.2', 'u1');
    const event: UserEvent = { kind: 'push', topic: 's_ntf', targetId: 'u1', payload: new Uint8Array([8, 1]), qos: 1 };
    await a.attach(s1);
    expect(a.post('k', 'u1', event)).toBeUndefined();
    expect(s1.events).toEqual([]); // never within the caller's turn
    await Promise.resolve();
    expect(s1.events).toEqual([event]); // the same event object, no envelope round trip
    expect(s1.events[0]).toBe(event);
    await a.attach(s2);
    expect(a.post('k', 'u1', event, 'A.1')).toBeUndefined();
    await Promise.resolve();
    expect(s1.events).toHaveLength(1);
    expect(s2.events).toEqual([event]);
    // Another node listens: published (a promise), each node's sessions but the excluded one get it.
    const remote = new RecordingSession('B.1', 'u1');
    await b.attach(remote);
    const publishing = a.post('k', 'u1', event, 'A.2');
    expect(publishing).toBeInstanceOf(Promise);
    await publishing;
    await tick();
    expect(s1.events).toEqual([event, event]);
    expect(s2.events).toEqual([event]);
    expect(remote.events).toEqual([event]);
    // A user with no session here: published too.
    const other = new RecordingSession('B.2', 'u2');
    await b.attach(other);
    await a.post('k', 'u2', event);
    await tick();
    expect(other.events).toEqual([event]);
    await a.close();
    expect(a.post('k', 'u1', event)).toBeUndefined();
    await tick();
    expect(remote.events).toHaveLength(1);
  });

  it('keeps events in order whether posted or sent with toUser', async () => {
    const s = new RecordingSession('A.1', 'u1');
    await a.attach(s);
    const ev = (n: number): UserEvent => ({ kind: 'push', topic: 's_ntf', targetId: 'u1', payload: new Uint8Array([n]), qos: 1 });
    a.post('k', 'u1', ev(1));
    void a.toUser('k', 'u1', ev(2));
    a.post('k', 'u1', ev(3), 'other');
    await tick();
    expect(s.events.map((e) => (e.kind === 'push' ? e.payload[0] : -1))).toEqual([1, 2, 3]);
  });

  it('rejects a failed publish through post, as through toUser', async () => {
    const failing = { publish: () => Promise.reject(new Error('down')), subscribe: broker.subscribe.bind(broker), close: async () => undefined };
    const hub = new Hub({ nodeId: 'C', broker: failing, presence, registry: new SessionRegistry<RecordingSession>(), presenceTtlMs: 10_000 });
    const event: UserEvent = { kind: 'kick', reason: 1 };
    await expect(hub.post('k', 'u1', event)).rejects.toThrow('down');
    await expect(hub.toUser('k', 'u1', event)).rejects.toThrow('down');
    await hub.close();
  });

  it('delivers to every session here when one of them leaves during the delivery', async () => {
    const s1 = new RecordingSession('A.1', 'u1');
    const s2 = new RecordingSession('A.2', 'u1');
    const s3 = new RecordingSession('A.3', 'u1');
    await a.attach(s1);
    await a.attach(s2);
    await a.attach(s3);
    s1.deliver = (e) => {
      s1.events.push(e);
      void a.detach(s2);
    };
    await a.toUser('k', 'u1', { kind: 'kick', reason: 3 });
    await tick();
    expect([s1.events.length, s2.events.length, s3.events.length]).toEqual([1, 1, 1]);
  });

  it('lets presence lapse when a node stops refreshing (crashed node)', async () => {
    const s = new RecordingSession('A.1', 'u1');
    await a.attach(s);
    now += 9_000;
    await a.refresh(s);
    now += 9_000;
    expect(await b.isOnline('k', 'u1')).toBe(true);
    now += 2_000;
    expect(await b.isOnline('k', 'u1')).toBe(false);
  });

  it('keeps delivering to other sessions when one throws', async () => {
    const bad = new RecordingSession('A.1', 'u1');
    bad.deliver = () => {
      throw new Error('broken');
    };
    const good = new RecordingSession('A.2', 'u1');
    const errors: string[] = [];
    const hub = new Hub({ nodeId: 'C', broker, presence, registry: new SessionRegistry<RecordingSession>(), presenceTtlMs: 10_000, onError: (_e, ctx) => errors.push(ctx) });
    await hub.attach(bad);
    await hub.attach(good);
    await hub.toUser('k', 'u1', { kind: 'kick', reason: 3 });
    await tick();
    expect(good.events).toHaveLength(1);
    expect(errors).toEqual(['deliver']);
    await hub.close();
  });
});
