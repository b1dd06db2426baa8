/**
 * Connection-level behaviour of the WebSocket gateway against the real server process: CONNACK,
 * authentication statuses, heartbeat, multi-device kicks, frame validation, dispatch errors, rate
 * limit, server push ids and the multi-device echo.
 */
import { join } from 'node:path';
import WebSocket from 'ws';
import { encodeByName, type Frame, type PublishFrame } from '../../../src/internal';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';

const MULTI = { key: 'lxmultiapp', secret: 'lxmultisecret', options: { multiDevice: true } };

let server: RunningServer;
let api: ServerApiClient;
const clients: RawClient[] = [];

async function tokenFor(userId: string, client: ServerApiClient = api): Promise<string> {
  const res = await client.post<{ token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: 'http://example.com/p.png' });
  expect(res.status).toBe(200);
  return res.body.token;
}

async function connect(userId: string, extra: { platform?: string; sdkVer?: string; apiVer?: string; app?: typeof MULTI; token?: string } = {}): Promise<RawClient> {
  const app = extra.app ?? DEFAULT_TEST_APP;
  const token = extra.token ?? (await tokenFor(userId, extra.app ? serverApi(server.url, app.key, app.secret) : api));
  const client = await connectRaw({
    url: server.url,
    appKey: app.key,
    token: `${token}@`,
    ...(extra.platform !== undefined ? { platform: extra.platform } : {}),
    ...(extra.sdkVer !== undefined ? { sdkVer: extra.sdkVer } : {}),
    ...(extra.apiVer !== undefined ? { apiVer: extra.apiVer } : {}),
  });
  clients.push(client);
  return client;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const txtMsg = (content: string): Uint8Array =>
  encodeByName('UpStreamMessage', { sessionId: 3, classname: 'RC:TxtMsg', content: text(JSON.stringify({ content })) });

beforeAll(async () => {
  server = await startServer({ apps: [DEFAULT_TEST_APP, MULTI] });
  api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.stop();
});

describe('CONNACK', () => {
  it('is the extended form with userId, session id and the server time', async () => {
    const before = Date.now();
    const c = await connect('alice');
    const after = Date.now();
    const b = c.connackBytes;
    expect(hex(b.subarray(0, 3))).toBe('200000');
    const buf = Buffer.from(b);
    let offset = 3;
    const userLen = buf.readUInt16BE(offset);
    const userId = buf.toString('utf8', offset + 2, offset + 2 + userLen);
    offset += 2 + userLen;
    const sessLen = buf.readUInt16BE(offset);
    const sessionId = buf.toString('utf8', offset + 2, offset + 2 + sessLen);
    offset += 2 + sessLen;
    const ts = Number(buf.readBigUInt64BE(offset));
    expect(offset + 8).toBe(buf.length);
    expect(userId).toBe('alice');
    expect(sessionId.length).toBeGreaterThan(8);
    expect(ts).toBeGreaterThanOrEqual(before - 1000);
    expect(ts).toBeLessThanOrEqual(after + 1000);
    expect(c.connack).toMatchObject({ status: 0, userId: 'alice', sessionId, timestamp: ts });
  });

  it('answers an unknown app with status 2 and closes', async () => {
    const token = await tokenFor('bob');
    const c = await connectRaw({ url: server.url, appKey: 'nosuchapp', token });
    expect(hex(c.connackBytes)).toBe('200002');
    await c.closed;
  });

  it('answers a bad token with status 4 and closes', async () => {
    const c = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: 'AAAAnot-a-token' });
    expect(hex(c.connackBytes)).toBe('200004');
    expect((await c.closed).code).toBe(1000);
  });

  it('answers a token invalidated by user/token/expire with status 10', async () => {
    const token = await tokenFor('carol');
    const res = await api.post('/user/token/expire.json', { userId: 'carol', time: Date.now() + 1 });
    expect(res.status).toBe(200);
    const c = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token });
    expect(c.connack.status).toBe(10);
    await c.closed;
  });

  it('answers a blocked user with status 9', async () => {
    const token = await tokenFor('dave');
    // No user/block endpoint yet: block through the store, on the server's own database file.
    const store = createSqliteStore({ file: join(server.dataDir, 'lianxin.db') });
    try {
      await store.users.setBlockedUntil(DEFAULT_TEST_APP.key, 'dave', Date.now() + 60_000, Date.now());
    } finally {
      await store.close();
    }
    const c = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token });
    expect(c.connack.status).toBe(9);
    await c.closed;
  });

  it('answers a connect without token with status 4', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/websocket?appId=${DEFAULT_TEST_APP.key}&sdkVer=2.9.2`);
    const first = await new Promise<Buffer>((resolve, reject) => {
      ws.once('message', (data) => resolve(data as Buffer));
      ws.once('error', reject);
    });
    expect(hex(first)).toBe('200004');
    ws.close();
  });

  it('refuses upgrades on other paths', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/other`);
    let opened = false;
    ws.once('open', () => (opened = true));
    const error = await new Promise<Error>((resolve) => ws.once('error', resolve));
    expect(error.message).toMatch(/socket hang up|ECONNRESET/);
    expect(opened).toBe(false);
  });
});

describe('heartbeat', () => {
  it('answers PINGREQ c0 with PINGRESP d0 byte for byte', async () => {
    const c = await connect('erin');
    const pong = c.nextFrame((f) => f.kind === 'pingresp');
    c.sendRaw(new Uint8Array([0xc0]));
    await pong;
    const last = c.received[c.received.length - 1];
    expect(last && hex(last.bytes)).toBe('d0');
  });
});

describe('multi-device', () => {
  it('kicks the older web session with DISCONNECT e0 00 01 when the same user logs in again on web', async () => {
    const first = await connect('frank');
    const second = await connect('frank');
    await first.nextFrame((f) => f.kind === 'disconnect');
    const disconnect = first.received.find((r) => r.frame.kind === 'disconnect');
    expect(disconnect && hex(disconnect.bytes)).toBe('e00001');
    await first.closed;
    await second.ping();
    expect(second.isClosed).toBe(false);
  });

  it('keeps a web and a mini-program session of the same user online together', async () => {
    const web = await connect('gina');
    const mini = await connect('gina', { platform: 'MiniProgram' });
    const uni = await connect('gina', { apiVer: 'uniapp' });
    await Promise.all([web.ping(), mini.ping(), uni.ping()]);
    // A new web login kicks only the web one.
    const web2 = await connect('gina');
    await web.closed;
    await Promise.all([mini.ping(), uni.ping(), web2.ping()]);
    expect(mini.frames.some((f) => f.kind === 'disconnect')).toBe(false);
  });

  it('keeps every session when the app allows multiple devices', async () => {
    const a = await connect('hank', { app: MULTI });
    const b = await connect('hank', { app: MULTI });
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all([a.ping(), b.ping()]);
    expect(a.frames.some((f) => f.kind === 'disconnect')).toBe(false);
  });

  it('echoes a message sent on one device to the other as DUP PUBLISH + PUBACK with the same id', async () => {
    const a = await connect('ivan', { app: MULTI });
    const b = await connect('ivan', { app: MULTI });
    const payload = txtMsg('hello from a');
    const ack = await a.publish('ppMsgP', 'judy', payload);
    expect(ack.status).toBe(0);
    const echo = await b.nextFrame<PublishFrame>((f) => f.kind === 'publish' && f.dup);
    expect(echo).toMatchObject({ topic: 'ppMsgP', targetId: 'judy', date: 0, qos: 1 });
    expect(hex(echo.payload)).toBe(hex(payload));
    const echoBytes = b.received.find((r) => r.frame === echo);
    expect(echoBytes?.bytes[0]).toBe(0x3a);
    const echoAck = await b.nextFrame((f) => f.kind === 'puback' && f.messageId === echo.messageId);
    expect(echoAck).toMatchObject({ status: 0, messageUId: ack.messageUId, date: ack.date, millisecond: ack.millisecond });
    // The client does not PUBACK an echo; the sender's own session gets no echo.
    expect(a.frames.some((f) => f.kind === 'publish' && f.dup)).toBe(false);
  });
});

describe('frames', () => {
  it('closes only the connection that sent a malformed frame', async () => {
    const bad = await connect('kate');
    const good = await connect('liam');
    bad.sendRaw(new Uint8Array([0x32, 0x00]));
    expect((await bad.closed).code).toBe(1002);
    await good.ping();
    const bad2 = await connect('kate');
    bad2.sendRaw(new Uint8Array([0x90]));
    expect((await bad2.closed).code).toBe(1002);
    await good.ping();
  });

  it('closes a connection that sends a text frame', async () => {
    const c = await connect('mona');
    c.sendRaw('c0');
    expect((await c.closed).code).toBe(1003);
  });

  it('closes a connection whose message exceeds 256 KiB', async () => {
    const c = await connect('nick');
    const other = await connect('olga');
    c.sendRaw(new Uint8Array(256 * 1024 + 1));
    expect((await c.closed).code).toBe(1009);
    await other.ping();
  });

  it('accepts a message of exactly 256 KiB', async () => {
    const c = await connect('nick2');
    const big = new Uint8Array(256 * 1024);
    big[0] = 0xc0;
    const pong = c.nextFrame((f) => f.kind === 'pingresp');
    c.sendRaw(big);
    await pong;
  });

  it('answers unknown topics with status 39002 on QUERYACK and PUBACK, and stays up', async () => {
    const c = await connect('pete');
    const qa = await c.query('noSuchTopic', 'pete', new Uint8Array(0));
    expect(qa.status).toBe(39002);
    const pa = await c.publish('noSuchPub', 'pete', new Uint8Array(0));
    expect(pa.status).toBe(39002);
    await c.ping();
  });

  it('limits message sends to 5 per second with PUBACK 20604 for the excess', async () => {
    const c = await connect('quinn');
    const acks = await Promise.all(Array.from({ length: 7 }, (_, i) => c.publish('ppMsgP', 'rose', txtMsg(`m${i}`))));
    const statuses = acks.map((a) => a.status);
    expect(statuses.filter((s) => s === 0)).toHaveLength(5);
    expect(statuses.filter((s) => s === 20604)).toHaveLength(2);
    // Queries are never limited.
    const qa = await c.query('pullMsg', 'quinn', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }));
    expect(qa.status).toBe(0);
  });

  it('allocates server push ids from 65535 downward', async () => {
    const receiver = await connect('sam');
    const sender = await connect('tina');
    await sender.publish('ppMsgP', 'sam', txtMsg('one'));
    await sender.publish('ppMsgP', 'sam', txtMsg('two'));
    const first = await receiver.nextFrame<PublishFrame>((f) => f.kind === 'publish');
    const second = await receiver.nextFrame<PublishFrame>((f) => f.kind === 'publish');
    expect(first.messageId).toBe(65535);
    expect(second.messageId).toBe(65534);
    const pushed = receiver.received.find((r) => r.frame === first);
    expect(pushed && pushed.bytes[0]).toBe(0x32);
  });
});

describe('client kinds', () => {
  it('serves an L2 (2.5.3) client the same CONNACK and mirrors qos 1 on its pullMsg QUERYACK', async () => {
    const c = await connect('uma', { sdkVer: '2.5.3', apiVer: '123456' });
    expect(c.connack.status).toBe(0);
    const qa = await c.query('pullMsg', 'uma', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }), { qos: 1 });
    expect(qa.status).toBe(0);
    expect(qa.qos).toBe(1);
    c.send({ kind: 'querycon', dup: false, qos: 0, retain: false, messageId: qa.messageId } as Frame);
    await c.ping();
  });
});
