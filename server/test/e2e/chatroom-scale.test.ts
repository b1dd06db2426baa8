/**
 * A 10,000-member room on loopback, bounded in time: the real gateway, services and store in process, 20
 * members on real WebSocket connections and 9,980 simulated members whose sessions are host-boundary fakes
 * registered in the same Hub (they record the `s_ntf` pushes the fan-out writes to them). A burst of
 * messages must reach every online member as coalesced notifications (at most one per member per flush),
 * and the real members must pull every message.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { decodeByName } from '../../../src/internal';
import { MemoryBroker } from '../../src/broker/memory-broker';
import { MemoryPresence } from '../../src/broker/memory-presence';
import { createAppConfig, createAppRegistry, type ServerConfig } from '../../src/config';
import type { ServerContext } from '../../src/context';
import { attachGateway, type GatewayHandle } from '../../src/gateway/index';
import type { Hub } from '../../src/gateway/hub';
import type { SessionInfo } from '../../src/gateway/topic-router';
import type { UserEvent } from '../../src/gateway/user-event';
import { createLogger } from '../../src/log';
import { createTokenService } from '../../src/services/auth-tokens';
import { createServices, type Services } from '../../src/services/index';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { drain, joinOk, roomNotify, send, up } from './chatroom-support';

const KEY = 'lxscale';
const MEMBERS = 10_000;
const REAL = 20;
const MESSAGES = 20;
/** An app with the seed's default intake quota, for the metrics check. */
const FLOOD_KEY = 'lxscaleflood';

/** A session without a socket: what the fan-out writes to it is counted, nothing else happens. */
class SimulatedSession {
  readonly info: SessionInfo;
  notifications = 0;
  newest = 0;

  constructor(userId: string, private readonly hub: Hub) {
    this.info = { sessionId: `sim.${userId}`, appKey: KEY, userId, platform: 'web', clientKind: 'E4', sdkVer: '2.9.2', transport: 'comet', connectedAt: Date.now() };
  }

  deliver(event: UserEvent): void {
    if (event.kind !== 'push' || event.topic !== 's_ntf') return;
    this.notifications++;
    this.newest = Math.max(this.newest, Number(decodeByName('NotifyMsg', event.payload).time));
  }

  /** The gateway's sweep asks every registered session; chatroom notifications are never re-notified. */
  renotifyIfDue(): boolean {
    return false;
  }

  close(): void {
    void this.hub.detach(this);
  }
}

describe('a 10,000-member room', () => {
  let ctx: ServerContext;
  let fastify: FastifyInstance;
  let gateway: GatewayHandle;
  let hub: Hub | undefined;
  let services: Services | undefined;
  let url: string;
  const clients: RawClient[] = [];
  const simulated: SimulatedSession[] = [];

  beforeAll(async () => {
    const store = createSqliteStore({ file: ':memory:' });
    await store.migrate();
    const apps = createAppRegistry([
      createAppConfig(KEY, 'lxscalesecret', { maxSendRate: '1000', chrmQuotaHigh: '100000' }),
      createAppConfig(FLOOD_KEY, 'lxscalesecret', { maxSendRate: '100000' }),
    ]);
    const config: ServerConfig = {
      host: '127.0.0.1', port: 0, publicHosts: [], dataDir: '/nonexistent', dbFile: ':memory:', apps: apps.list(),
      devApp: false, logLevel: 'silent', apiClockSkewSeconds: 0,
    };
    ctx = { config, store, apps, tokens: createTokenService({ apps, users: store.users }), clock: { now: () => Date.now() }, log: createLogger('silent') };
    fastify = Fastify({ logger: false });
    gateway = await attachGateway(fastify, ctx, (h) => {
      hub = h;
      services = createServices(ctx, h);
      return services.router;
    }, { broker: new MemoryBroker(), presence: new MemoryPresence() });
    url = await fastify.listen({ host: '127.0.0.1', port: 0 });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    if (hub !== undefined) await Promise.all(simulated.map((s) => hub?.detach(s)));
    services?.chatrooms.service.close();
    await gateway.close();
    await fastify.close();
    await ctx.store.close();
  });

  it('delivers a burst to every online member within a bounded time', async () => {
    if (hub === undefined || services === undefined) throw new Error('gateway not built');
    const room = 'stadium';
    const rooms = services.chatrooms.service;

    const real: { client: RawClient; cursor: number }[] = [];
    for (let i = 0; i < REAL; i++) {
      const token = ctx.tokens.issue(KEY, `real${i}`, Date.now());
      const client = await connectRaw({ url, appKey: KEY, token });
      clients.push(client);
      real.push({ client, cursor: await joinOk(client, room) });
    }
    const joinStarted = Date.now();
    for (let i = 0; i < MEMBERS - REAL; i++) {
      const session = new SimulatedSession(`sim${i}`, hub);
      await hub.attach(session);
      simulated.push(session);
      const joined = await rooms.join(KEY, session.info.userId, room, 'join');
      if (joined.status !== 0) throw new Error(`join ${i}: ${joined.status}`);
    }
    const joinMs = Date.now() - joinStarted;
    expect((await rooms.members(KEY, room, 0, 'asc')).total).toBe(MEMBERS);

    const sender = real[0]!;
    const before = rooms.metrics.notifications;
    const started = Date.now();
    let last = 0;
    for (let i = 0; i < MESSAGES; i++) {
      const ack = await send(sender.client, room, 'RC:TxtMsg', { content: `goal ${i}` });
      expect(ack.status).toBe(0);
      last = (ack.date ?? 0) * 1000 + (ack.millisecond ?? 0);
    }
    // Every simulated member is told about the newest message…
    const deadline = Date.now() + 20_000;
    while (simulated.some((s) => s.newest < last) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const fanOutMs = Date.now() - started;
    expect(simulated.filter((s) => s.newest < last)).toHaveLength(0);
    // …with at most one notification per message (coalescing may merge several), never more.
    expect(Math.max(...simulated.map((s) => s.notifications))).toBeLessThanOrEqual(MESSAGES);
    expect(rooms.metrics.notifications - before).toBeLessThanOrEqual(MESSAGES * (MEMBERS - 1));

    // The real members are notified too and pull all of it (the sender's own pull leaves its messages out).
    for (const { client, cursor } of real.slice(1)) {
      await roomNotify(client, room, 10_000);
      const { list } = await drain(client, room, cursor);
      expect(list).toHaveLength(MESSAGES);
    }
    expect((await drain(sender.client, room, sender.cursor)).list).toHaveLength(0);

    // Bounds generous enough for two shared cores, tight enough to catch per-member work per message.
    expect(joinMs).toBeLessThan(30_000);
    expect(fanOutMs).toBeLessThan(15_000);
  }, 90_000);

  it('counts accepted and dropped messages in the metrics, matching what members can pull', async () => {
    if (services === undefined) throw new Error('gateway not built');
    const metrics = services.chatrooms.service.metrics;
    const room = 'flooded';
    const connect = async (userId: string): Promise<RawClient> => {
      const client = await connectRaw({ url, appKey: FLOOD_KEY, token: ctx.tokens.issue(FLOOD_KEY, userId, Date.now()) });
      clients.push(client);
      return client;
    };
    const sender = await connect('flooder');
    const receiver = await connect('watcher');
    await joinOk(sender, room);
    const cursor = await joinOk(receiver, room);
    const before = metrics.snapshot();
    const acks = await Promise.all(Array.from({ length: 120 }, (_, i) => sender.publish('chatMsg', room, up('RC:TxtMsg', { content: `${i}` }))));
    expect(acks.every((ack) => ack.status === 0)).toBe(true);
    const after = metrics.snapshot();
    const accepted = after.accepted.high - before.accepted.high;
    const dropped = after.dropped.high - before.dropped.high;
    expect(accepted + dropped).toBe(120);
    expect(accepted).toBeGreaterThanOrEqual(40);
    expect((await drain(receiver, room, cursor)).list).toHaveLength(accepted);
  });
});
