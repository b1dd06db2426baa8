/**
 * The gateway's dispatch contract with topic handlers, over real sockets against an in-process
 * gateway with test handlers (the real ones never throw or stall on purpose): error statuses for
 * throwing/silent handlers, per-session ordering, pushes, hub events, kicks, and id allocation.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createAppConfig, createAppRegistry, type ServerConfig } from '../../src/config';
import { systemClock, type ServerContext } from '../../src/context';
import { attachGateway, mapRouter, type GatewayHandle, type SessionPort, type TopicHandler } from '../../src/gateway/index';
import { createLogger } from '../../src/log';
import { createTokenService } from '../../src/services/auth-tokens';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store';
import { MemoryBroker } from '../../src/broker/memory-broker';
import { MemoryPresence } from '../../src/broker/memory-presence';
import type { Store } from '../../src/store/store';
import type { PubackFrame, PublishFrame } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';

const APP = createAppConfig('dispatchapp', 'dispatchsecret');

let fastify: FastifyInstance;
let gateway: GatewayHandle;
let store: Store;
let ctx: ServerContext;
let url = '';
const clients: RawClient[] = [];
const ports = new Map<string, SessionPort>();
let releaseSlow: (() => void) | undefined;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const handlers: Record<string, TopicHandler> = {
  boom: () => {
    throw new Error('handler exploded');
  },
  silent: () => undefined,
  echoQuery: (port, frame) => port.queryAck(frame.messageId, 0, frame.payload),
  slowQuery: async (port, frame) => {
    await new Promise<void>((resolve) => (releaseSlow = resolve));
    port.queryAck(frame.messageId, 0, new Uint8Array([1]));
  },
  delayed: async (port, frame) => {
    await sleep(50);
    port.queryAck(frame.messageId, 0, new Uint8Array([2]));
  },
  fast: (port, frame) => port.queryAck(frame.messageId, 0, new Uint8Array([3])),
  remember: (port, frame) => {
    ports.set(port.info.userId, port);
    port.queryAck(frame.messageId, 0);
  },
  sendP: (port, frame) => {
    if (frame.kind === 'publish' && frame.messageId !== 0) port.puback(frame.messageId, { status: 0, sentTime: 1_600_000_001_234, messageUId: 'AAAA-BBBB-CCCC-DDDD' });
  },
};

async function connect(userId: string, extra: { sdkVer?: string; platform?: string } = {}): Promise<RawClient> {
  const client = await connectRaw({ url, appKey: APP.appKey, token: ctx.tokens.issue(APP.appKey, userId, Date.now()), ...extra });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  store = createSqliteStore({ file: ':memory:' });
  await store.migrate();
  const apps = createAppRegistry([APP]);
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    publicHosts: [],
    dataDir: '',
    dbFile: ':memory:',
    apps: [APP],
    devApp: false,
    logLevel: 'silent',
    apiClockSkewSeconds: 0,
  };
  ctx = { config, store, apps, tokens: createTokenService({ apps, users: store.users }), clock: systemClock, log: createLogger('silent') };
  fastify = Fastify();
  gateway = await attachGateway(fastify, ctx, mapRouter(handlers), { broker: new MemoryBroker(), presence: new MemoryPresence() });
  await fastify.listen({ host: '127.0.0.1', port: 0 });
  const address = fastify.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  url = `http://127.0.0.1:${address.port}`;
});

afterEach(async () => {
  releaseSlow?.();
  releaseSlow = undefined;
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await gateway.close();
  await fastify.close();
  await store.close();
});

describe('dispatch', () => {
  it('answers 30014 when a handler throws or does not answer, and keeps the session', async () => {
    const c = await connect('u1');
    expect((await c.query('boom', 'u1', new Uint8Array(0))).status).toBe(30014);
    expect((await c.publish('boom', 'u1', new Uint8Array(0))).status).toBe(30014);
    expect((await c.query('silent', 'u1', new Uint8Array(0))).status).toBe(30014);
    const ok = await c.query('echoQuery', 'u1', new Uint8Array([7, 8]));
    expect(ok.status).toBe(0);
    expect(Array.from(ok.payload)).toEqual([7, 8]);
  });

  it('handles the PUBLISH/QUERY frames of one session one at a time, in arrival order', async () => {
    const c = await connect('u2');
    const order: number[] = [];
    const first = c.query('delayed', 'u2', new Uint8Array(0)).then((f) => order.push(f.payload[0] ?? -1));
    const second = c.query('fast', 'u2', new Uint8Array(0)).then((f) => order.push(f.payload[0] ?? -1));
    await Promise.all([first, second]);
    expect(order).toEqual([2, 3]);
  });

  it('never PUBACKs a PUBLISH with messageId 0 (fire-and-forget status messages)', async () => {
    const c = await connect('u3');
    c.send({ kind: 'publish', dup: false, qos: 1, retain: false, topic: 'sendP', targetId: 'x', messageId: 0, payload: new Uint8Array(0) });
    c.send({ kind: 'publish', dup: false, qos: 1, retain: false, topic: 'noSuchTopic', targetId: 'x', messageId: 0, payload: new Uint8Array(0) });
    const ack = await c.publish('sendP', 'x', new Uint8Array(0));
    expect(ack).toMatchObject({ status: 0, date: 1_600_000_001, millisecond: 234, messageUId: 'AAAA-BBBB-CCCC-DDDD' });
    expect(c.frames.filter((f) => f.kind === 'puback')).toHaveLength(1);
  });

  it('pushes from a handler port and from the hub with server ids that avoid in-flight client ids', async () => {
    const c = await connect('u4');
    await c.query('remember', 'u4', new Uint8Array(0));
    // Keep client request 65535 in flight, then push: the push must not reuse 65535.
    const pending = c.query('slowQuery', 'u4', new Uint8Array(0), { messageId: 65535 });
    await sleep(30);
    ports.get('u4')?.push('s_ntf', 'u4', new Uint8Array([8, 1]), 1);
    const push = await c.nextFrame<PublishFrame>((f) => f.kind === 'publish');
    expect(push.messageId).not.toBe(65535);
    expect(push).toMatchObject({ topic: 's_ntf', targetId: 'u4', qos: 1, dup: false });
    releaseSlow?.();
    expect((await pending).messageId).toBe(65535);
    await gateway.hub.toUser(APP.appKey, 'u4', { kind: 'push', topic: 's_msg', targetId: 'someone', payload: new Uint8Array([10, 1, 97]), qos: 0 });
    const viaHub = await c.nextFrame<PublishFrame>((f) => f.kind === 'publish' && f.topic === 's_msg');
    expect(viaHub).toMatchObject({ qos: 0, targetId: 'someone' });
    expect(viaHub.messageId).not.toBe(push.messageId);
  });

  it('reports presence while connected and kicks through the hub with the given reason', async () => {
    const c = await connect('u5');
    expect(await gateway.hub.isOnline(APP.appKey, 'u5')).toBe(true);
    const refs = await gateway.hub.sessionsOf(APP.appKey, 'u5');
    expect(refs).toEqual([expect.objectContaining({ sessionId: c.connack.sessionId, platform: 'web', clientKind: 'E4', transport: 'websocket' })]);
    await gateway.hub.toUser(APP.appKey, 'u5', { kind: 'kick', reason: 2 });
    await c.nextFrame((f) => f.kind === 'disconnect');
    expect(Buffer.from(c.received.find((r) => r.frame.kind === 'disconnect')?.bytes ?? []).toString('hex')).toBe('e00002');
    await c.closed;
    await sleep(20);
    expect(await gateway.hub.isOnline(APP.appKey, 'u5')).toBe(false);
  });

  it('never sends an L2 client a DISCONNECT reason above 5', async () => {
    const c = await connect('u6', { sdkVer: '2.5.3' });
    await gateway.hub.toUser(APP.appKey, 'u6', { kind: 'kick', reason: 6 });
    await c.nextFrame((f) => f.kind === 'disconnect');
    expect(Buffer.from(c.received.find((r) => r.frame.kind === 'disconnect')?.bytes ?? []).toString('hex')).toBe('e00003');
  });

  it('never echoes status topics or recalls, and does echo sends', async () => {
    const c = await connect('u7');
    const up = new Uint8Array([8, 3]);
    for (const topic of ['ppMsgS', 'pgMsgS', 'chatMsgS', 'recallMsg', 'ppMsgP']) {
      await gateway.hub.toUser(APP.appKey, 'u7', { kind: 'echo', topic, targetId: 'peer', upstream: up, sentTime: 1_600_000_000_000, messageUId: 'UID' });
    }
    const echo = await c.nextFrame<PublishFrame>((f) => f.kind === 'publish' && f.dup);
    expect(echo.topic).toBe('ppMsgP');
    await c.ping();
    expect(c.frames.filter((f) => f.kind === 'publish')).toHaveLength(1);
    const ack = c.frames.find((f): f is PubackFrame => f.kind === 'puback' && f.messageId === echo.messageId);
    expect(ack).toBeDefined();
  });
});
