/**
 * The demo/console HTTP surface of the real server process: static files only from demo-web/ (and
 * the browser SDK bundle), the dev token endpoint only for the dev app and never with
 * NODE_ENV=production, the console's password (printed once, kept hashed across restarts,
 * changeable) and its session + header guard in front of the signed Server API and of the app
 * endpoints (list, create, rotate, disable, enable, options).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../support/server-launcher';

jest.setTimeout(90_000);

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.stop()));
});

async function start(options: Parameters<typeof startServer>[0]): Promise<RunningServer> {
  const s = await startServer(options);
  servers.push(s);
  return s;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; cookie: string | null }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, cookie: res.headers.get('set-cookie') };
}

describe('demo and console HTTP surface', () => {
  it('serves the demo, the console page and the SDK bundle, and nothing outside demo-web/', async () => {
    const s = await start({ devApp: true });
    for (const path of ['/', '/console', '/demo/demo.js', '/demo/console.js', '/demo/demo.css', '/demo/sdk/browser.mjs', '/demo/sdk/emoji.mjs', '/demo/sdk/lianxin-emoji.umd.js']) {
      const res = await fetch(s.url + path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
    for (const path of ['/demo/%2e%2e/package.json', '/demo/..%2fpackage.json', '/demo/README.md', '/demo/sdk/lianxin.cjs', '/demo/sdk/%2e%2e%2fpackage.json']) {
      const res = await fetch(s.url + path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const token = await post(`${s.url}/demo/api/token`, { userId: 'web-user' });
    expect(token.status).toBe(200);
    expect(token.json).toMatchObject({ code: 200, userId: 'web-user' });
    expect(String(token.json['appKey'])).toMatch(/^dev/);
    expect((await post(`${s.url}/demo/api/token`, { userId: '../x y' })).status).toBe(400);
  });

  it('refuses dev tokens without a dev app and with NODE_ENV=production', async () => {
    const noDev = await start({});
    expect((await post(`${noDev.url}/demo/api/token`, { userId: 'u1' })).status).toBe(403);
    const prod = await start({ devApp: true, env: { NODE_ENV: 'production' } });
    expect((await post(`${prod.url}/demo/api/token`, { userId: 'u1' })).status).toBe(403);
    expect(await (await fetch(`${prod.url}/demo/api/config`)).json()).toEqual({ appKey: null, devTokens: false });
  });

  it('console password: printed once, hashed on disk, session + header guard, changeable, survives restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lianxin-console-'));
    try {
      const first = await startServer({ devApp: true, dataDir });
      const password = (await first.stderrMatch(/console admin password: (\S+)/))[1] ?? '';
      expect(password).toMatch(/^\S{16}$/);
      expect(readFileSync(join(dataDir, 'console-admin.json'), 'utf8')).not.toContain(password);

      expect((await fetch(`${first.url}/console/api/apps`)).status).toBe(401);
      expect((await post(`${first.url}/console/api/login`, { password })).status).toBe(403); // no x-lianxin-console header
      const h = { 'x-lianxin-console': '1' };
      expect((await post(`${first.url}/console/api/login`, { password: 'nope' }, h)).status).toBe(401);
      const login = await post(`${first.url}/console/api/login`, { password }, h);
      expect(login.status).toBe(200);
      expect(login.cookie).toMatch(/HttpOnly/);
      expect(login.cookie).toMatch(/SameSite=Strict/);
      const cookie = (login.cookie ?? '').split(';')[0] ?? '';

      const apps = (await (await fetch(`${first.url}/console/api/apps`, { headers: { cookie } })).json()) as { apps: Array<{ appKey: string; appSecretMasked: string }> };
      expect(JSON.stringify(apps)).not.toMatch(/appSecret"/);
      const devKey = apps.apps.find((a) => a.appKey.startsWith('dev'))?.appKey ?? '';
      // A Server API call through the console: signed server-side.
      expect((await post(`${first.url}/console/api/call`, { appKey: devKey, path: 'user/getToken', params: { userId: 'c1', name: 'c1' } }, { cookie })).status).toBe(403);
      const called = await post(`${first.url}/console/api/call`, { appKey: devKey, path: 'user/getToken', params: { userId: 'c1', name: 'c1' } }, { cookie, ...h });
      expect(called.json).toMatchObject({ status: 200, body: { code: 200, userId: 'c1' } });
      expect((await post(`${first.url}/console/api/call`, { appKey: devKey, path: '../ping', params: {} }, { cookie, ...h })).status).toBe(400);
      const stats = (await (await fetch(`${first.url}/console/api/stats`, { headers: { cookie } })).json()) as { online: { total: number } };
      expect(stats.online.total).toBe(0);

      // Logout needs no body: a bodyless POST that still names the JSON content type ends the session too.
      const spare = ((await post(`${first.url}/console/api/login`, { password }, h)).cookie ?? '').split(';')[0] ?? '';
      const session = async (c: string) => ((await (await fetch(`${first.url}/console/api/session`, { headers: { cookie: c } })).json()) as { authenticated: boolean }).authenticated;
      expect(await session(spare)).toBe(true);
      const logout = await fetch(`${first.url}/console/api/logout`, { method: 'POST', headers: { 'content-type': 'application/json', ...h, cookie: spare } });
      expect(logout.status).toBe(200);
      expect(logout.headers.get('set-cookie')).toMatch(/Max-Age=0/i);
      expect(await session(spare)).toBe(false);
      expect(await session(cookie)).toBe(true);

      expect((await post(`${first.url}/console/api/password`, { current: password, next: 'short' }, { cookie, ...h })).status).toBe(400);
      expect((await post(`${first.url}/console/api/password`, { current: password, next: 'a-new-password' }, { cookie, ...h })).status).toBe(200);
      await first.stop();

      const second = await startServer({ devApp: true, dataDir });
      servers.push(second);
      expect(second.stderr()).not.toContain('console admin password');
      expect((await post(`${second.url}/console/api/login`, { password }, h)).status).toBe(401);
      expect((await post(`${second.url}/console/api/login`, { password: 'a-new-password' }, h)).status).toBe(200);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the app endpoints (list, create, rotate, disable, enable, options) refuse a request without the session cookie (401) or without the console header (403)', async () => {
    const server = await start({ devApp: true });
    const password = (await server.stderrMatch(/console admin password: (\S+)/))[1] ?? '';
    const h = { 'x-lianxin-console': '1' };
    expect((await fetch(`${server.url}/console/api/apps`)).status).toBe(401);
    expect((await post(`${server.url}/console/api/apps`, { name: 'x' }, h)).status).toBe(401);
    const login = await post(`${server.url}/console/api/login`, { password }, h);
    expect(login.status).toBe(200);
    const cookie = (login.cookie ?? '').split(';')[0] ?? '';
    const created = await post(`${server.url}/console/api/apps`, { name: 'guarded' }, { cookie, ...h });
    expect(created.status).toBe(200);
    const appKey = String(created.json.appKey);
    for (const action of ['rotate', 'disable', 'enable', 'options']) {
      const noHeader = await post(`${server.url}/console/api/apps/${appKey}/${action}`, {}, { cookie });
      expect([action, noHeader.status]).toEqual([action, 403]);
      const noCookie = await post(`${server.url}/console/api/apps/${appKey}/${action}`, {}, h);
      expect([action, noCookie.status]).toEqual([action, 401]);
    }
    expect((await post(`${server.url}/console/api/apps`, {}, { cookie })).status).toBe(403);
    // A text/plain POST (what a cross-site form can send) is refused as well.
    const form = await fetch(`${server.url}/console/api/call`, { method: 'POST', headers: { 'content-type': 'text/plain', cookie }, body: '{}' });
    expect([401, 403, 415]).toContain(form.status);
  });
});
