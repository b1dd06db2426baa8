/**
 * Where a message goes after the store commits (server/src/services/messaging.ts): `s_msg` straight to a
 * recipient session that takes it (inbox-delivery.ts), `s_ntf` to every other one, here and on other nodes, and
 * the sender's other devices get the echo and the sendbox `s_ntf`. Two hubs (nodes) on one memory broker; the
 * store is a fake that commits at once.
 */
import { MemoryBroker } from '../../../src/broker/memory-broker';
import { MemoryPresence } from '../../../src/broker/memory-presence';
import type { ServerContext } from '../../../src/context';
import { Hub } from '../../../src/gateway/hub';
import { SessionRegistry, type LocalSession } from '../../../src/gateway/session-registry';
import type { SessionInfo } from '../../../src/gateway/topic-router';
import type { UserEvent } from '../../../src/gateway/user-event';
import { MessagingService, type OutgoingMessage, type SendOrigin } from '../../../src/services/messaging';
import { rc } from '../../../src/services/wire';
import type { NewMessage, StoredMessage } from '../../../src/store/store';

interface Received {
  readonly via: 'push' | 'deliver';
  readonly what: string;
  readonly targetId?: string;
  readonly qos?: number;
  readonly payload?: Uint8Array;
}

/** A session that takes events only (`deliver`). */
class EventSession implements LocalSession {
  readonly got: Received[] = [];
  readonly info: SessionInfo;
  constructor(sessionId: string, userId: string, directPush = true) {
    this.info = { sessionId, appKey: 'k', userId, platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'websocket', connectedAt: 1, ...(directPush ? { directPush: true as const } : {}) };
  }
  deliver(event: UserEvent): void {
    if (event.kind === 'push') this.got.push({ via: 'deliver', what: event.topic, targetId: event.targetId, qos: event.qos, payload: event.payload });
    else if (event.kind === 'echo') this.got.push({ via: 'deliver', what: `echo ${event.topic}`, targetId: event.targetId });
    else this.got.push({ via: 'deliver', what: 'kick' });
  }
}

/** A session that also takes a push as such (as gateway/session.ts does). */
class PushSession extends EventSession {
  push(topic: string, targetId: string, payload: Uint8Array, qos: 0 | 1): void {
    this.got.push({ via: 'push', what: topic, targetId, qos, payload });
  }
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
const what = (s: EventSession): string[] => s.got.map((g) => g.what);

function setup(): { nodes: { hub: Hub; messaging: MessagingService }[]; close: () => Promise<void> } {
  const broker = new MemoryBroker();
  const presence = new MemoryPresence();
  let time = 1_700_000_000_000;
  const store = {
    messages: {
      append(m: NewMessage): Promise<StoredMessage> {
        time += 1;
        const stored: StoredMessage = {
          appKey: m.appKey, uid: `UID-${time}`, sentTime: time, fromUserId: m.fromUserId, conversationType: m.conversationType,
          targetId: m.targetId, objectName: m.objectName, content: m.content, flags: m.flags, recalled: false,
        };
        return Promise.resolve(stored);
      },
      reserveTime(_appKey: string, t: number): Promise<void> {
        time = Math.max(time, t);
        return Promise.resolve();
      },
    },
  };
  const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const ctx = { store, clock: { now: () => time }, log } as unknown as ServerContext;
  const nodes = ['A', 'B'].map((nodeId) => {
    const hub = new Hub({ nodeId, broker, presence, registry: new SessionRegistry(), presenceTtlMs: 60_000 });
    return { hub, messaging: new MessagingService(ctx, hub) };
  });
  return {
    nodes,
    close: async () => {
      for (const n of nodes) await n.hub.close();
      await broker.close();
    },
  };
}

/** The session has pulled its inbox to the end (what makes it take `s_msg`). */
function pulled(messaging: MessagingService, s: EventSession, syncTime = 1_700_000_000_000): void {
  messaging.delivery.pullStarted(s.info.sessionId);
  messaging.delivery.pullAnswered('k', s.info.userId, s.info.sessionId, { syncTime, finished: true });
}

function privateMessage(from: string, to: string, persisted = true): OutgoingMessage {
  return {
    appKey: 'k', fromUserId: from, conversationType: 1, targetId: to, objectName: 'RC:TxtMsg', content: new Uint8Array([1, 2, 3]),
    flags: persisted ? 3 : 0, recipients: [to], senderSendbox: true,
  };
}

const origin = (s: EventSession): SendOrigin => ({ sessionId: s.info.sessionId, echo: { topic: 'ppMsgP', upstream: new Uint8Array([9]) } });

describe('MessagingService: delivery of stored messages', () => {
  let sys: ReturnType<typeof setup>;
  beforeEach(() => {
    sys = setup();
  });
  afterEach(() => sys.close());

  it('pushes s_msg to the recipient\'s one session as a push (no event object), and nothing to a sender alone', async () => {
    const [a] = sys.nodes;
    const sender = new PushSession('A.1', 'alice');
    const bob = new PushSession('A.2', 'bob');
    await a!.hub.attach(sender);
    await a!.hub.attach(bob);
    pulled(a!.messaging, bob);
    const result = await a!.messaging.send(privateMessage('alice', 'bob'), origin(sender));
    await tick();
    expect(bob.got).toHaveLength(1);
    const [got] = bob.got;
    expect(got).toMatchObject({ via: 'push', what: 's_msg', targetId: 'alice', qos: 0 });
    const down = rc.DownStreamMessage.decode(got!.payload!);
    expect(down.fromUserId).toBe('alice');
    expect(Number(down.dataTime)).toBe(result.sentTime);
    expect(down.msgId).toBe(result.messageUId);
    expect(sender.got).toEqual([]);
    expect(a!.messaging.delivery.stateOf('A.2')?.delivered).toBe(result.sentTime);
    // The next one follows directly too.
    await a!.messaging.send(privateMessage('alice', 'bob'), origin(sender));
    await tick();
    expect(what(bob)).toEqual(['s_msg', 's_msg']);
  });

  it('gives the event to a session that has no push method', async () => {
    const [a] = sys.nodes;
    const bob = new EventSession('A.2', 'bob');
    await a!.hub.attach(bob);
    pulled(a!.messaging, bob);
    await a!.messaging.send(privateMessage('alice', 'bob'));
    await tick();
    expect(bob.got).toMatchObject([{ via: 'deliver', what: 's_msg', targetId: 'alice', qos: 0 }]);
  });

  it('notifies (s_ntf) a recipient session that has not pulled, or does not take direct pushes', async () => {
    const [a] = sys.nodes;
    const bob = new PushSession('A.2', 'bob');
    const carol = new PushSession('A.3', 'carol', false);
    await a!.hub.attach(bob);
    await a!.hub.attach(carol);
    pulled(a!.messaging, carol);
    const toBob = await a!.messaging.send(privateMessage('alice', 'bob'));
    await a!.messaging.send(privateMessage('alice', 'carol'));
    await tick();
    expect(bob.got).toMatchObject([{ via: 'deliver', what: 's_ntf', targetId: 'bob', qos: 1 }]);
    expect(Number(rc.NotifyMsg.decode(bob.got[0]!.payload!).time)).toBe(toBob.sentTime);
    expect(what(carol)).toEqual(['s_ntf']);
  });

  it('pushes here and notifies the recipient\'s session on another node', async () => {
    const [a, b] = sys.nodes;
    const here = new PushSession('A.2', 'bob');
    const there = new PushSession('B.2', 'bob');
    await a!.hub.attach(here);
    await b!.hub.attach(there);
    pulled(a!.messaging, here);
    await a!.messaging.send(privateMessage('alice', 'bob'));
    await tick();
    expect(what(here)).toEqual(['s_msg']);
    expect(what(there)).toEqual(['s_ntf']);
  });

  it('echoes to the sender\'s other devices, here and on another node, with the sendbox s_ntf, never to the sending one', async () => {
    const [a, b] = sys.nodes;
    const sender = new PushSession('A.1', 'alice');
    const phone = new PushSession('B.1', 'alice');
    await a!.hub.attach(sender);
    await b!.hub.attach(phone);
    await a!.messaging.send(privateMessage('alice', 'bob'), origin(sender));
    await tick();
    expect(sender.got).toEqual([]);
    expect(what(phone)).toEqual(['echo ppMsgP', 's_ntf']);
    await b!.hub.detach(phone);
    const tablet = new PushSession('A.3', 'alice');
    await a!.hub.attach(tablet);
    await a!.messaging.send(privateMessage('alice', 'bob'), origin(sender));
    await tick();
    expect(sender.got).toEqual([]);
    expect(what(tablet)).toEqual(['echo ppMsgP', 's_ntf']);
    // Sent through the Server API (no session): every session of the sender hears of it (s_ntf), no echo.
    await a!.messaging.send(privateMessage('alice', 'bob'));
    await tick();
    expect(what(sender)).toEqual(['s_ntf']);
  });

  it('pushes to each of the recipient\'s devices that takes it, and s_ntf to the others only', async () => {
    const [a] = sys.nodes;
    const d1 = new PushSession('A.2', 'bob');
    const d2 = new EventSession('A.3', 'bob');
    const d3 = new PushSession('A.4', 'bob');
    await a!.hub.attach(d1);
    await a!.hub.attach(d2);
    pulled(a!.messaging, d1);
    pulled(a!.messaging, d2);
    await a!.messaging.send(privateMessage('alice', 'bob'));
    await tick();
    expect(d1.got.map((g) => `${g.via} ${g.what}`)).toEqual(['push s_msg']);
    expect(d2.got.map((g) => `${g.via} ${g.what}`)).toEqual(['deliver s_msg']);
    await a!.hub.attach(d3); // has not pulled
    await a!.messaging.send(privateMessage('alice', 'bob'));
    await tick();
    // Two pushed, one skipped: the s_ntf goes to every session (harmless to the pushed ones).
    expect(what(d1)).toEqual(['s_msg', 's_msg', 's_ntf']);
    expect(what(d2)).toEqual(['s_msg', 's_msg', 's_ntf']);
    expect(what(d3)).toEqual(['s_ntf']);
  });

  it('skips the one pushed session in the s_ntf for the recipient\'s others', async () => {
    const [a] = sys.nodes;
    const d1 = new PushSession('A.2', 'bob');
    const d2 = new PushSession('A.3', 'bob');
    const d3 = new EventSession('A.4', 'bob', false);
    await a!.hub.attach(d1);
    await a!.hub.attach(d2);
    await a!.hub.attach(d3);
    pulled(a!.messaging, d1);
    await a!.messaging.send(privateMessage('alice', 'bob'));
    await tick();
    expect(what(d1)).toEqual(['s_msg']);
    expect(what(d2)).toEqual(['s_ntf']);
    expect(what(d3)).toEqual(['s_ntf']);
    // Back to one session here: the direct path again.
    await a!.hub.detach(d2);
    await a!.hub.detach(d3);
    await a!.messaging.send(privateMessage('alice', 'bob'));
    await tick();
    expect(what(d1)).toEqual(['s_msg', 's_msg']);
  });

  it('reaches an offline recipient through its inbox only, and a transient message only online sessions', async () => {
    const [a] = sys.nodes;
    const bob = new PushSession('A.2', 'bob');
    const result = await a!.messaging.send(privateMessage('alice', 'nobody-online'));
    expect(result.stored).toBe(true);
    await a!.hub.attach(bob);
    const transient = await a!.messaging.send({ ...privateMessage('alice', 'bob', false), mentionedUserIds: ['bob'] });
    expect(transient.stored).toBe(false);
    await a!.messaging.send(privateMessage('alice', 'nobody-online', false));
    await tick();
    expect(bob.got).toMatchObject([{ via: 'deliver', what: 's_msg', targetId: 'alice', qos: 0 }]);
    const down = rc.DownStreamMessage.decode(bob.got[0]!.payload!);
    expect(down.msgId).toBe(transient.messageUId);
    expect(down.status & 0x40).toBe(0x40); // mentioned (StatusBit)
  });

  it('a message stored after a large fan-out is not pushed ahead of it to a recipient whose slice has not run yet', async () => {
    const [a] = sys.nodes;
    const sender = new PushSession('A.1', 'alice');
    const bob = new PushSession('A.2', 'bob');
    await a!.hub.attach(sender);
    await a!.hub.attach(bob);
    pulled(a!.messaging, bob);
    // bob is past the first slice of FAN_OUT_SLICE (256) recipients: his entry is handed over a turn later.
    const members = [...Array.from({ length: 300 }, (_, i) => `m${i}`), 'bob'];
    const group: OutgoingMessage = {
      appKey: 'k', fromUserId: 'alice', conversationType: 3, targetId: 'g', objectName: 'RC:TxtMsg', content: new Uint8Array([1]),
      flags: 3, recipients: members, senderSendbox: true,
    };
    const first = await a!.messaging.send(group, origin(sender));
    const second = await a!.messaging.send(privateMessage('alice', 'bob'), origin(sender));
    expect(second.sentTime).toBeGreaterThan(first.sentTime);
    await tick();
    // Pushing the private message at once would put it before the group one, stored first (only s_ntf follows).
    expect(what(bob)).not.toContain('s_msg');
    expect(what(bob)).toContain('s_ntf');
  });
});
