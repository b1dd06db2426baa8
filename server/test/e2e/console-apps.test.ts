/**
 * Apps created from the admin console (issue #14) against the real server process: a new app is
 * usable at once (Server API signature, navi, CONNECT) without a restart, its secret is shown once,
 * configured apps stay read-only, disable/enable and secret rotation take effect immediately
 * (live sessions get DISCONNECT 3), and a restart on the same data directory loads the stored apps
 * before the first request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisconnectFrame } from '../../../src/internal';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { serverApi } from '../../../test/support/server-api-client';
import { DEFAULT_TEST_APP, startServer, type RunningServer } from '../../../test/support/server-launcher';

jest.setTimeout(90_000);

const H = { 'content-type': 'application/json', 'x-lianxin-console': '1' };
let server: RunningServer | undefined;
let cookie = '';
const dataDir = mkdtempSync(join(tmpdir(), 'lianxin-console-apps-'));
const clients: RawClient[] = [];

async function login(s: RunningServer, password: string): Promise<string> {
  const res = await fetch(`${s.url}/console/api/login`, { method: 'POST', headers: H, body: JSON.stringify({ password }) });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function consolePost(path: string, body: unknown = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server?.url ?? ''}${path}`, { method: 'POST', headers: { ...H, cookie }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function listApps(): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${server?.url ?? ''}/console/api/apps`, { headers: { cookie } });
  return ((await res.json()) as { apps: Array<Record<string, unknown>> }).apps;
}

async function navi(appKey: string, token: string): Promise<number> {
  const res = await fetch(`${server?.url ?? ''}/navi.js?appId=${appKey}&token=${encodeURIComponent(token)}&callBack=getServerEndpoint&v=2.9.2&r=1`);
  return res.status;
}

async function tokenFor(appKey: string, secret: string, userId: string): Promise<string> {
  const answer = await serverApi(server?.url ?? '', appKey, secret).post<{ code: number; token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: '' });
  expect(answer.body.code).toBe(200);
  return answer.body.token;
}

async function connect(appKey: string, token: string): Promise<RawClient> {
  const client = await connectRaw({ url: server?.url ?? '', appKey, token });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startServer({ devApp: true, dataDir });
  const password = (await server.stderrMatch(/console admin password: (\S+)/))[1] ?? '';
  cookie = await login(server, password);
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('console apps', () => {
  it('creates an app that navi, CONNECT and the Server API accept at once; the secret is shown once', async () => {
    const created = await consolePost('/console/api/apps', { name: 'Shop', options: { multiDevice: '1', maxGroupMembers: 50 } });
    expect(created.status).toBe(200);
    const appKey = String(created.json['appKey']);
    const appSecret = String(created.json['appSecret']);
    expect(appKey).toMatch(/^[a-z0-9]{14}$/);
    expect(appSecret).toMatch(/^[A-Za-z0-9]{24}$/);

    const listed = (await listApps()).find((a) => a['appKey'] === appKey);
    expect(listed).toMatchObject({ source: 'console', readOnly: false, enabled: true, name: 'Shop', options: { multiDevice: true, maxGroupMembers: 50 } });
    expect(JSON.stringify(await listApps())).not.toContain(appSecret);

    const token = await tokenFor(appKey, appSecret, 'u1');
    expect(await navi(appKey, token)).toBe(200);
    const client = await connect(appKey, token);
    expect(client.connack.status).toBe(0);
    expect(client.connack.userId).toBe('u1');

    // Keys are unique (a second create with the same key, or a configured key, is refused) and validated.
    expect((await consolePost('/console/api/apps', { appKey })).status).toBe(409);
    expect((await consolePost('/console/api/apps', { appKey: DEFAULT_TEST_APP.key })).status).toBe(409);
    expect((await consolePost('/console/api/apps', { appKey: 'bad key!' })).status).toBe(400);
    expect((await consolePost('/console/api/apps', { options: { nope: '1' } })).json['errorMessage']).toMatch(/unknown option "nope"/);
    // A chosen key works too.
    const chosen = await consolePost('/console/api/apps', { appKey: 'my-shop-2' });
    expect(chosen).toMatchObject({ status: 200, json: { appKey: 'my-shop-2' } });
  });

  it('keeps configured apps read-only', async () => {
    const apps = await listApps();
    expect(apps.find((a) => a['appKey'] === DEFAULT_TEST_APP.key)).toMatchObject({ source: 'config', readOnly: true, enabled: true });
    expect(apps.find((a) => a['dev'] === true)).toMatchObject({ source: 'config', readOnly: true });
    for (const action of ['disable', 'rotate', 'enable']) {
      expect((await consolePost(`/console/api/apps/${DEFAULT_TEST_APP.key}/${action}`)).status).toBe(403);
    }
    expect((await consolePost('/console/api/apps/ghost-app/disable')).status).toBe(404);
    // Without the session cookie nothing changes.
    const anonymous = await fetch(`${server?.url ?? ''}/console/api/apps`, { method: 'POST', headers: H, body: '{}' });
    expect(anonymous.status).toBe(401);
  });

  it('disable refuses the app everywhere and disconnects its sessions; enable restores it', async () => {
    const created = await consolePost('/console/api/apps', { name: 'Toggle' });
    const appKey = String(created.json['appKey']);
    const appSecret = String(created.json['appSecret']);
    const token = await tokenFor(appKey, appSecret, 'u2');
    const live = await connect(appKey, token);
    expect(live.connack.status).toBe(0);

    expect((await consolePost(`/console/api/apps/${appKey}/disable`)).json).toMatchObject({ code: 200, app: { enabled: false } });
    const disconnect = await live.nextFrame<DisconnectFrame>((f) => f.kind === 'disconnect', 5000);
    expect(disconnect.reason).toBe(3);
    await live.closed;
    expect(await navi(appKey, token)).toBe(403);
    expect((await connect(appKey, token)).connack.status).not.toBe(0);
    const refused = await serverApi(server?.url ?? '', appKey, appSecret).post('/user/getToken.json', { userId: 'u3', name: 'u3', portraitUri: '' });
    expect(refused.status).not.toBe(200);
    expect((await listApps()).find((a) => a['appKey'] === appKey)).toMatchObject({ enabled: false });

    expect((await consolePost(`/console/api/apps/${appKey}/enable`)).json).toMatchObject({ code: 200, app: { enabled: true } });
    expect(await navi(appKey, token)).toBe(200);
    expect((await connect(appKey, token)).connack.status).toBe(0);
  });

  it('rotate gives a new secret once: old signatures and tokens stop working, sessions are disconnected', async () => {
    const created = await consolePost('/console/api/apps', { name: 'Rotate' });
    const appKey = String(created.json['appKey']);
    const oldSecret = String(created.json['appSecret']);
    const oldToken = await tokenFor(appKey, oldSecret, 'u4');
    const live = await connect(appKey, oldToken);
    expect(live.connack.status).toBe(0);

    const rotated = await consolePost(`/console/api/apps/${appKey}/rotate`);
    const newSecret = String(rotated.json['appSecret']);
    expect(newSecret).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(newSecret).not.toBe(oldSecret);
    expect((await live.nextFrame<DisconnectFrame>((f) => f.kind === 'disconnect', 5000)).reason).toBe(3);
    expect((await serverApi(server?.url ?? '', appKey, oldSecret).post('/user/getToken.json', { userId: 'u4', name: 'u4', portraitUri: '' })).status).not.toBe(200);
    expect(await navi(appKey, oldToken)).toBe(401);
    expect((await connect(appKey, oldToken)).connack.status).not.toBe(0);
    const fresh = await tokenFor(appKey, newSecret, 'u4');
    expect((await connect(appKey, fresh)).connack.status).toBe(0);
    expect(JSON.stringify(await listApps())).not.toContain(newSecret);
  });

  it('a restart on the same data directory serves the stored apps from the first request', async () => {
    const created = await consolePost('/console/api/apps', { name: 'Durable' });
    const appKey = String(created.json['appKey']);
    const appSecret = String(created.json['appSecret']);
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await server?.stop();
    server = await startServer({ devApp: true, dataDir });
    // No console login, no wait: the very first request after `listening on` already knows the app.
    const token = await tokenFor(appKey, appSecret, 'u5');
    expect((await connect(appKey, token)).connack.status).toBe(0);
  });
});
