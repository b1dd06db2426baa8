/**
 * The navi v2 endpoint engine ≥ 5.28 asks (PROTOCOL-E5.md §1): `POST /v2/navi.json`, app key in `RC-Appkey`,
 * form body, plain JSON reply, CORS preflight answered — beside `/navi.js`, which keeps its JSONP framing.
 */
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP, startServer } from '../support/server-launcher';
import type { RunningServer } from '../support/server-launcher';

let server: RunningServer | undefined;
beforeAll(async () => {
  server = await startServer();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const running = (): RunningServer => {
  if (server === undefined) throw new Error('server not started');
  return server;
};
const tokenFor = async (userId: string): Promise<string> =>
  (await serverApi(running().url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret).post<{ token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: '' })).body.token;

const postNavi = (appKey: string, token: string): Promise<Response> =>
  fetch(`${running().url}/v2/navi.json?cloud=0`, {
    method: 'POST',
    headers: { 'RC-Appkey': appKey, 'Content-Type': 'Application/x-www-form-urlencoded', 'RC-Negotiate': 'conn=5;rtc=4;log=2;iptype=v4,v6' },
    body: `token=${encodeURIComponent(token)}&v=5.38.0&platfrom=browser`,
  });

describe('POST /v2/navi.json', () => {
  it('answers plain JSON with the CMP host, the user, openHistoryMsg 0, openAnti off and no private-cloud marker; the @host suffix is accepted', async () => {
    const token = await tokenFor('navi-v2-user');
    const response = await postNavi(DEFAULT_TEST_APP.key, `${token}@nav.example.com`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 200, server: `${running().host}:${running().port}`, userId: 'navi-v2-user', openHistoryMsg: 0, openAnti: 0 });
    expect(body.type).toBeUndefined();
  });

  it('refuses an unknown app with 403 and a bad token with 401 (both reach the app as 31004)', async () => {
    const token = await tokenFor('navi-v2-other');
    const unknownApp = await postNavi('no-such-app', token);
    expect(unknownApp.status).toBe(403);
    expect(await unknownApp.json()).toEqual({ code: 403 });
    const badToken = await postNavi(DEFAULT_TEST_APP.key, 'garbage');
    expect(badToken.status).toBe(401);
    expect(await badToken.json()).toEqual({ code: 401 });
  });

  it('answers the browser preflight for the RC-Appkey and RC-Negotiate headers', async () => {
    const response = await fetch(`${running().url}/v2/navi.json?cloud=0`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'rc-appkey,rc-negotiate,content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('rc-appkey');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('rc-negotiate');
  });

  it('leaves /navi.js as it was: JSONP, without the v2-only fields', async () => {
    const token = await tokenFor('navi-v1-user');
    const response = await fetch(`${running().url}/navi.js?appId=${DEFAULT_TEST_APP.key}&token=${encodeURIComponent(token)}&callBack=getServerEndpoint&v=5.7.3`);
    const text = await response.text();
    expect(text).toMatch(/^getServerEndpoint\(\{.*\}\);$/);
    expect(text).not.toContain('openHistoryMsg');
  });
});
