/**
 * WebSocket-level pings against the real server process. The gateway turns `ws`'s auto-pong off (it costs a
 * closure per connection, P2 memory) and answers pings itself: a client's ping must still get its pong with
 * the same payload, before and after authentication, without disturbing the CMP session.
 */
import WebSocket from 'ws';
import { connectRaw, rawWebSocketUrl, type RawClient } from '../../../test/support/raw-client';
import { serverApi } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';

let server: RunningServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer();
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await server.stop();
});

async function connect(userId: string): Promise<RawClient> {
  const api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
  const res = await api.post<{ token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: '' });
  const client = await connectRaw({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: res.body.token });
  clients.push(client);
  return client;
}

function pingPong(ws: WebSocket, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no pong')), 5000);
    ws.once('pong', (data: Buffer) => {
      clearTimeout(timer);
      resolve(data);
    });
    ws.ping(payload);
  });
}

describe('WebSocket pings', () => {
  it('answers each ping with a pong carrying its payload, and the session goes on', async () => {
    const c = await connect('ping-u1');
    expect(c.connack.status).toBe(0);
    for (let i = 0; i < 5; i++) {
      const payload = Buffer.from(`hello-${i}`);
      expect((await pingPong(c.ws, payload)).equals(payload)).toBe(true);
    }
    expect((await pingPong(c.ws, Buffer.alloc(0))).length).toBe(0);
    const pong = c.nextFrame((f) => f.kind === 'pingresp');
    c.send({ kind: 'pingreq', dup: false, qos: 0, retain: false });
    await pong;
    expect(c.isClosed).toBe(false);
    expect(c.garbage).toEqual([]);
  });

  it('answers a ping sent right after the upgrade, before the CONNACK is read', async () => {
    const api = serverApi(server.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret);
    const res = await api.post<{ token: string }>('/user/getToken.json', { userId: 'ping-u2', name: 'ping-u2', portraitUri: '' });
    const ws = new WebSocket(rawWebSocketUrl({ url: server.url, appKey: DEFAULT_TEST_APP.key, token: res.body.token }));
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const payload = Buffer.from('early');
      expect((await pingPong(ws, payload)).equals(payload)).toBe(true);
    } finally {
      ws.terminate();
    }
  });
});
