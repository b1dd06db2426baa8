/**
 * Navi bootstrap and the CMP host probe (PROTOCOL.md §2): exact response framing both official
 * client generations parse, fields, status policy, CORS — against a real server process.
 */
import { serverApi } from '../../../test/support/server-api-client';
import { startServer } from '../../../test/support/server-launcher';
import type { RunningServer } from '../../../test/support/server-launcher';

const KEY = 'naviapp';
const SECRET = 'navisecret';
const OTHER_KEY = 'otherapp';

const RECOMMENDED_FIELDS = [
  'code', 'server', 'backupServer', 'userId', 'kvStorage', 'joinMChrm', 'openMp', 'openUS', 'grpRRVer',
  'logSwitch', 'logPolicy', 'voipCallInfo', 'uploadServer', 'historyMsg', 'chatroomMsg',
  // KB; the built-in file service's GIF limit (default 2 MB), which SDKs check before sending (34003).
  'gifSize',
].sort();

/** Engine 4.x: strip the first `getServerEndpoint(`, then a final `);` or `)` anchored at the end. */
function parseLikeE4(body: string): unknown {
  const inner = body.replace('getServerEndpoint(', '').replace(/\);?$/, '');
  return JSON.parse(inner);
}

/** RongIMLib 2.5.3: strip the first `getServerEndpoint(` and the first `);`, then a final `)`. */
function parseLikeL2(body: string): unknown {
  const inner = body.replace('getServerEndpoint(', '').replace(');', '').replace(/\)$/, '');
  return JSON.parse(inner);
}

function naviUrl(base: string, file: string, params: Record<string, string>): string {
  // appId is not URL-encoded by either client; token is (encodeURIComponent).
  const query = Object.entries(params).map(([name, value]) => `${name}=${name === 'appId' ? value : encodeURIComponent(value)}`);
  return `${base}/${file}?${query.join('&')}`;
}

describe('navi and ping', () => {
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    server = await startServer({ apps: [{ key: KEY, secret: SECRET }, { key: OTHER_KEY, secret: 'othersecret' }] });
    const response = await serverApi(server.url, KEY, SECRET).post<{ token: string }>('user/getToken', { userId: 'navi-user' });
    token = response.body.token;
  });
  afterAll(async () => {
    await server.stop();
  });

  async function navi(file: string, params: Record<string, string>): Promise<{ status: number; body: string; headers: Headers }> {
    const response = await fetch(naviUrl(server.url, file, params));
    return { status: response.status, body: await response.text(), headers: response.headers };
  }

  for (const file of ['navi.js', 'cometnavi.js']) {
    describe(`/${file}`, () => {
      it('answers exactly getServerEndpoint(<compact JSON>); with the recommended fields', async () => {
        const response = await navi(file, { appId: KEY, token, callBack: 'getServerEndpoint', v: '2.9.2', r: '1795625482715' });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        const match = /^getServerEndpoint\((\{[^\n]*\})\);$/.exec(response.body);
        expect(match).not.toBeNull();
        expect(response.body.endsWith('});')).toBe(true);
        const json = match?.[1] as string;
        expect(json.includes(');')).toBe(false);
        const parsed = JSON.parse(json) as Record<string, unknown>;
        expect(JSON.stringify(parsed)).toBe(json);
        expect(Object.keys(parsed).sort()).toEqual(RECOMMENDED_FIELDS);
        expect(parsed).toEqual({
          code: 200,
          server: `127.0.0.1:${server.port}`,
          backupServer: '',
          userId: 'navi-user',
          kvStorage: 1,
          joinMChrm: false,
          openMp: 0,
          openUS: 0,
          grpRRVer: 0,
          logSwitch: 0,
          logPolicy: '',
          voipCallInfo: null,
          uploadServer: `http://127.0.0.1:${server.port}`,
          gifSize: 2048,
          historyMsg: true,
          chatroomMsg: true,
        });
        expect('type' in parsed).toBe(false);
        expect(parseLikeE4(response.body)).toEqual(parsed);
        expect(parseLikeL2(response.body)).toEqual(parsed);
      });

      it('accepts the token as opaque@ (engine 4.x) and opaque@hosts (RongIMLib 2.5.3)', async () => {
        for (const variant of [`${token}@`, `${token}@nav.example.com;nav2.example.com`, `${token}@http://127.0.0.1:1`]) {
          const response = await navi(file, { appId: KEY, token: variant, callBack: 'getServerEndpoint', v: '2.5.3', r: '2' });
          expect(response.status).toBe(200);
          expect(parseLikeL2(response.body)).toMatchObject({ code: 200, userId: 'navi-user' });
        }
        // A client that forgets to encode the suffix still works.
        const raw = await fetch(`${server.url}/${file}?appId=${KEY}&token=${token}@nav.example.com;x.y&callBack=getServerEndpoint&v=2.5.3&r=3`);
        expect(raw.status).toBe(200);
      });

      it('unknown app → HTTP 403 with getServerEndpoint({"code":403});', async () => {
        const response = await navi(file, { appId: 'nosuchapp', token, callBack: 'getServerEndpoint', v: '2.9.2', r: '1' });
        expect(response.status).toBe(403);
        expect(response.body).toBe('getServerEndpoint({"code":403});');
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        expect(parseLikeL2(response.body)).toEqual({ code: 403 });
      });

      it('bad, missing or other-app token → HTTP 401 with getServerEndpoint({"code":401});', async () => {
        const otherToken = (await serverApi(server.url, OTHER_KEY, 'othersecret').post<{ token: string }>('user/getToken', { userId: 'navi-user' })).body.token;
        for (const params of [
          { appId: KEY, token: 'garbage', callBack: 'getServerEndpoint' },
          { appId: KEY, token: `${token.slice(0, -2)}AA`, callBack: 'getServerEndpoint' },
          { appId: KEY, callBack: 'getServerEndpoint' },
          { appId: KEY, token: otherToken, callBack: 'getServerEndpoint' },
        ]) {
          const response = await navi(file, params);
          expect(response.status).toBe(401);
          expect(response.body).toBe('getServerEndpoint({"code":401});');
        }
      });

      it('uses a safe custom callBack name and falls back to getServerEndpoint otherwise', async () => {
        const custom = await navi(file, { appId: KEY, token, callBack: 'cb_1.$x', v: '2.9.2', r: '1' });
        expect(custom.body).toMatch(/^cb_1\.\$x\(\{.*\}\);$/);
        for (const callBack of ['alert(1)//', '1abc', '', 'a b']) {
          const response = await navi(file, { appId: KEY, token, callBack });
          expect(response.body).toMatch(/^getServerEndpoint\(\{.*\}\);$/);
        }
      });
    });
  }

  it('answers CORS preflight on navi, ping and comet paths', async () => {
    for (const path of ['/navi.js', '/cometnavi.js', '/ping', '/websocket', '/pullmsg.js']) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(response.headers.get('access-control-allow-methods')).toContain('POST');
      expect(response.headers.get('access-control-allow-headers')).toBe('content-type');
    }
  });

  it('/ping answers 200 with CORS for GET and HEAD, whatever the query', async () => {
    const get = await fetch(`${server.url}/ping?r=4242`);
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
    expect(await get.text()).toBe('ok');
    const head = await fetch(`${server.url}/ping?r=${Date.now()}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await fetch(`${server.url}/navi.xml`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ code: 404, errorMessage: 'not found' });
  });
});

describe('navi with configured public hosts and token expiry', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({
      apps: [{ key: KEY, secret: SECRET, options: { tokenTtlMs: 1 } }],
      args: ['--public-host', 'im.example.com:443', '--public-host', '10.0.0.2:9200', '--public-host', 'backup.example.com:8443'],
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('advertises the first public host as server and the rest as backupServer', async () => {
    const { body } = await serverApi(server.url, KEY, SECRET).post<{ token: string }>('user/getToken', { userId: 'u1' });
    const response = await fetch(naviUrl(server.url, 'navi.js', { appId: KEY, token: body.token, callBack: 'getServerEndpoint' }));
    const parsed = parseLikeE4(await response.text());
    expect(parsed).toMatchObject({ server: 'im.example.com:443', backupServer: '10.0.0.2:9200,backup.example.com:8443', uploadServer: 'http://im.example.com:443' });
  });

  it('still answers 200 for an expired token: the CONNACK reports TOKEN_EXPIRE precisely', async () => {
    const { body } = await serverApi(server.url, KEY, SECRET).post<{ token: string }>('user/getToken', { userId: 'u2' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const response = await fetch(naviUrl(server.url, 'navi.js', { appId: KEY, token: body.token, callBack: 'getServerEndpoint' }));
    expect(response.status).toBe(200);
    expect(parseLikeE4(await response.text())).toMatchObject({ code: 200, userId: 'u2' });
  });
});
