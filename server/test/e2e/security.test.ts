/**
 * Cheap security checks (issue #13) against the real server process: apps are isolated (tokens,
 * messages, groups and rooms of one app are unreachable from another), a revoked or blocked user is
 * refused and existing sessions of a blocked user are cut, every HTTP response carries the security
 * headers, and no secret (app secret, token, metrics token) reaches the logs.
 */
import { encodeByName, decodeByName } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi, type ServerApiClient } from '../../../test/support/server-api-client';
import { startServer, type RunningServer, type TestApp } from '../../../test/support/server-launcher';
import { tokenFor, uniqueId, upstream, waitFor } from './e2e-support';

const APP_A: TestApp = { key: 'secappaaaa', secret: 'secret-of-app-a-1234' };
const APP_B: TestApp = { key: 'secappbbbb', secret: 'secret-of-app-b-5678' };
const METRICS_TOKEN = 'security-metrics-token-9876';
let server: RunningServer;
let apiA: ServerApiClient;
let apiB: ServerApiClient;
const clients: RawClient[] = [];
const issuedTokens: string[] = [];

beforeAll(async () => {
  // info level: the log lines an operator would keep must not carry secrets either.
  server = await startServer({ apps: [APP_A, APP_B], args: ['--log-level', 'info'], env: { LIANXIN_METRICS_TOKEN: METRICS_TOKEN } });
  apiA = serverApi(server.url, APP_A.key, APP_A.secret);
  apiB = serverApi(server.url, APP_B.key, APP_B.secret);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.stop();
});

async function token(api: ServerApiClient, userId: string): Promise<string> {
  const t = await tokenFor(api, userId);
  issuedTokens.push(t);
  return t;
}

async function connect(app: TestApp, userToken: string): Promise<RawClient> {
  const client = await connectRaw({ url: server.url, appKey: app.key, token: userToken });
  clients.push(client);
  return client;
}

async function pullAll(client: RawClient) {
  const ack = await client.query('pullMsg', client.connack.userId ?? '', encodeByName('SyncRequestMsg', { syncTime: 0, ispolling: false, isPullSend: true, sendBoxSyncTime: 0 }));
  expect(ack.status).toBe(0);
  return decodeByName('DownStreamMessages', ack.payload).list;
}

describe('app isolation', () => {
  it('a token of one app does not open a session in another', async () => {
    const user = uniqueId('iso');
    const client = await connect(APP_B, await token(apiA, user));
    expect(client.connack.status).not.toBe(0);
  });

  it('messages, groups and rooms with the same ids stay in their app', async () => {
    const [u, v, g, room] = [uniqueId('u'), uniqueId('v'), uniqueId('g'), uniqueId('r')];
    const ua = await connect(APP_A, await token(apiA, u));
    expect(ua.connack.status).toBe(0);
    expect((await ua.publish('ppMsgP', v, upstream('RC:TxtMsg', { content: 'app A only' }))).status).toBe(0);
    expect((await apiA.post('group/create', { userId: [u, v], groupId: g, groupName: 'A group' })).body['code']).toBe(200);
    expect((await apiA.post('chatroom/create', { [`chatroom[${room}]`]: 'A room' })).body['code']).toBe(200);

    // The same user ids in app B see none of it.
    const vb = await connect(APP_B, await token(apiB, v));
    const ub = await connect(APP_B, await token(apiB, u));
    expect(vb.connack.status).toBe(0);
    expect(await pullAll(vb)).toHaveLength(0);
    expect(await pullAll(ub)).toHaveLength(0);
    const members = await apiB.post<{ code: number; users: unknown[] }>('group/user/query', { groupId: g });
    expect(members.body.users ?? []).toHaveLength(0);
    const rooms = await apiB.post<{ code: number; chatRooms: unknown[] }>('chatroom/query', { chatroomId: room });
    expect(rooms.body.chatRooms ?? []).toHaveLength(0);
    // Sending to the group from app B is refused: u is not a member there.
    const groupSend = await ub.publish('pgMsgP', g, upstream('RC:TxtMsg', { content: 'from B' }));
    expect(groupSend.status).not.toBe(0);

    // And app A still sees its own data.
    const va = await connect(APP_A, await token(apiA, v));
    expect((await pullAll(va)).map((m) => m.classname)).toContain('RC:TxtMsg');
    expect((await apiA.post<{ users: unknown[] }>('group/user/query', { groupId: g })).body.users).toHaveLength(2);
  });

  it('a Server API request signed with another app\'s secret is refused', async () => {
    const forged = serverApi(server.url, APP_A.key, APP_B.secret);
    const response = await forged.post('user/getToken', { userId: uniqueId('f'), name: 'f', portraitUri: '' });
    expect(response.status).toBe(401);
  });
});

describe('revocation', () => {
  it('an expired-by-API token is refused on connect', async () => {
    const user = uniqueId('rev');
    const old = await token(apiA, user);
    expect((await apiA.post('user/token/expire', { userId: user, time: Date.now() + 1000 })).body['code']).toBe(200);
    const client = await connect(APP_A, old);
    expect(client.connack.status).not.toBe(0);
  });

  it('expiring tokens leaves live sessions connected; only later connects with an older token are refused', async () => {
    const user = uniqueId('rev');
    const old = await token(apiA, user);
    const live = await connect(APP_A, old);
    expect(live.connack.status).toBe(0);
    const cutoff = Date.now();
    expect((await apiA.post('user/token/expire', { userId: user, time: cutoff })).body['code']).toBe(200);
    // SERVER_API.md §2.1: "Connected users stay connected until they disconnect".
    await new Promise((resolve) => setTimeout(resolve, 300));
    await live.ping();
    expect({ closed: live.isClosed, disconnects: live.frames.filter((f) => f.kind === 'disconnect').length }).toEqual({ closed: false, disconnects: 0 });
    expect((await apiA.post('user/checkOnline', { userId: user })).body).toMatchObject({ code: 200, status: '1' });
    // A new connect (or a reconnect) with the token issued before the cutoff is refused, and leaves the live session alone.
    const again = await connect(APP_A, old);
    expect(again.connack.status).toBe(10);
    await live.ping();
    expect(live.isClosed).toBe(false);
    // A token issued after the cutoff connects and is not touched by the same expiry.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const fresh = await connect(APP_A, await token(apiA, user));
    expect(fresh.connack.status).toBe(0);
    expect((await apiA.post('user/token/expire', { userId: user, time: cutoff })).body['code']).toBe(200);
    await fresh.ping();
    expect(fresh.isClosed).toBe(false);
  });

  it('blocking a user disconnects its live session and refuses reconnects', async () => {
    const user = uniqueId('blk');
    const userToken = await token(apiA, user);
    const client = await connect(APP_A, userToken);
    expect(client.connack.status).toBe(0);
    expect((await apiA.post('user/block', { userId: user, minute: 10 })).body['code']).toBe(200);
    await client.nextFrame((f) => f.kind === 'disconnect', 5000);
    await waitFor(() => client.isClosed, 5000, 'blocked session closed');
    expect((await connect(APP_A, userToken)).connack.status).not.toBe(0);
  });
});

describe('HTTP security headers', () => {
  it('are on every kind of response', async () => {
    const requests: [string, RequestInit?][] = [
      ['/healthz'],
      ['/readyz'],
      ['/ping'],
      ['/navi.js?appId=secappaaaa&token=x'],
      ['/metrics'],
      ['/no/such/page'],
      ['/'],
      ['/user/getToken.json', { method: 'POST' }],
    ];
    for (const [path, init] of requests) {
      const response = await fetch(`${server.url}${path}`, init);
      expect([path, response.headers.get('x-content-type-options')]).toEqual([path, 'nosniff']);
      expect([path, response.headers.get('referrer-policy')]).toEqual([path, 'no-referrer']);
      expect([path, response.headers.get('x-frame-options')]).not.toEqual([path, null]);
    }
  });
});

describe('logs', () => {
  it('carry no app secret, user token or metrics token', async () => {
    // Failed auth paths are the ones most tempted to log what they were given.
    await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer not-the-token' } });
    await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    await serverApi(server.url, APP_A.key, 'wrong-secret').post('user/getToken', { userId: 'x', name: 'x', portraitUri: '' });
    const logs = server.stderr() + server.stdout();
    expect(logs.length).toBeGreaterThan(0);
    expect(issuedTokens.length).toBeGreaterThan(3);
    for (const secret of [APP_A.secret, APP_B.secret, METRICS_TOKEN, ...issuedTokens]) expect(logs.includes(secret)).toBe(false);
  });
});
