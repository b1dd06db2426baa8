/**
 * Server API transport rules (SERVER_API.md §1): signature headers and their quirks, envelope,
 * error statuses, routing, body formats — against a real server process.
 */
import { encodeForm, serverApi, sign } from '../../../test/support/server-api-client';
import { startServer } from '../../../test/support/server-launcher';
import type { RunningServer } from '../../../test/support/server-launcher';

const KEY = 'authapp';
const SECRET = 'authsecret';

async function rawPost(url: string, headers: Record<string, string>, body = 'userId=u1', contentType = 'application/x-www-form-urlencoded'): Promise<{ status: number; body: Record<string, unknown>; contentType: string | null }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, contentType: response.headers.get('content-type') };
}

describe('Server API authentication and envelope', () => {
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    server = await startServer({ apps: [{ key: KEY, secret: SECRET }, { key: 'otherapp', secret: 'othersecret' }] });
    url = `${server.url}/user/getToken.json`;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('accepts a correctly signed request: HTTP 200, JSON, numeric code 200', async () => {
    const response = await serverApi(server.url, KEY, SECRET).post('user/getToken', { userId: 'u1' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.text).toMatch(/^\{"code":200,/);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('accepts RC- prefixed headers, any header case and an upper-case hex signature', async () => {
    const nonce = '523412.1234567891';
    const timestamp = '1795625278';
    const result = await rawPost(url, {
      'RC-App-Key': KEY,
      'rc-nonce': nonce,
      'RC-TIMESTAMP': timestamp,
      'Rc-Signature': sign(SECRET, nonce, timestamp).toUpperCase(),
    });
    expect(result.status).toBe(200);
  });

  it('does not enforce freshness or nonce uniqueness by default (the Node SDK reuses one set forever)', async () => {
    const api = serverApi(server.url, KEY, SECRET);
    const old = { nonce: '15027768', timestamp: '1500000000' };
    expect((await api.post('user/getToken', { userId: 'u1' }, old)).status).toBe(200);
    expect((await api.post('user/getToken', { userId: 'u1' }, old)).status).toBe(200);
    expect((await api.post('user/getToken', { userId: 'u1' }, { timestamp: String(Date.now()) })).status).toBe(200);
  });

  it('treats a missing Timestamp as "" (third-party SDKs omit it)', async () => {
    const result = await rawPost(url, { 'App-Key': KEY, Nonce: 'n1', Signature: sign(SECRET, 'n1', '') });
    expect(result.status).toBe(200);
  });

  it('rejects a wrong signature with HTTP 401 and code 1004', async () => {
    const result = await rawPost(url, { 'App-Key': KEY, Nonce: 'n', Timestamp: '1', Signature: sign('wrong', 'n', '1') });
    expect(result.status).toBe(401);
    expect(result.contentType).toBe('application/json; charset=utf-8');
    expect(result.body).toEqual({ code: 1004, errorMessage: 'signature error' });
  });

  it('rejects missing App-Key or Signature with 401/1004', async () => {
    const api = serverApi(server.url, KEY, SECRET);
    for (const omit of [['Signature'], ['App-Key'], ['App-Key', 'Nonce', 'Timestamp', 'Signature']]) {
      const response = await api.post('user/getToken', { userId: 'u1' }, { omit });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ code: 1004 });
      expect(typeof response.body['errorMessage']).toBe('string');
    }
  });

  it('rejects an unknown App-Key with 401/1004', async () => {
    const response = await serverApi(server.url, 'nosuchapp', SECRET).post('user/getToken', { userId: 'u1' });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ code: 1004, errorMessage: 'App-Key is unknown' });
  });

  it('never accepts the secret itself instead of a signature', async () => {
    const bodyOnly = await rawPost(url, { 'App-Key': KEY }, encodeForm({ userId: 'u1', appSecret: SECRET, secret: SECRET, signature: SECRET }));
    expect(bodyOnly.status).toBe(401);
    const asSignature = await rawPost(url, { 'App-Key': KEY, Nonce: 'n', Timestamp: '1', Signature: SECRET });
    expect(asSignature.status).toBe(401);
    const asHeader = await rawPost(url, { 'App-Key': KEY, 'App-Secret': SECRET, Nonce: 'n', Timestamp: '1' });
    expect(asHeader.status).toBe(401);
  });

  it('does not let one app sign for another', async () => {
    const response = await serverApi(server.url, 'otherapp', SECRET).post('user/getToken', { userId: 'u1' });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 1004 });
  });

  it('answers unknown endpoints and .xml with a JSON 404', async () => {
    const api = serverApi(server.url, KEY, SECRET);
    for (const path of ['/user/nothing.json', '/user/getToken.xml', '/nope']) {
      const response = await api.post(path, { userId: 'u1' });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ code: 404, errorMessage: 'not found' });
    }
  });

  it('answers other methods on an endpoint with 405', async () => {
    const response = await fetch(url, { method: 'GET', headers: serverApi(server.url, KEY, SECRET).signedHeaders() });
    expect(response.status).toBe(405);
    expect(await response.json()).toEqual({ code: 405, errorMessage: 'method not allowed, use POST' });
  });

  it('collapses duplicate slashes (SDK base URLs ending in /)', async () => {
    const result = await rawPost(`${server.url}//user//getToken.json`, serverApi(server.url, KEY, SECRET).signedHeaders());
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ code: 200, userId: 'u1' });
  });

  it('accepts JSON bodies, and JSON sent with a form content type', async () => {
    const api = serverApi(server.url, KEY, SECRET);
    expect((await api.postJson('user/getToken', { userId: 'json1' })).body).toMatchObject({ code: 200, userId: 'json1' });
    const sniffed = await rawPost(url, api.signedHeaders(), '{"userId":"json2"}');
    expect(sniffed.body).toMatchObject({ code: 200, userId: 'json2' });
    const noType = await fetch(url, { method: 'POST', headers: api.signedHeaders(), body: new TextEncoder().encode('userId=raw1') });
    expect(await noType.json()).toMatchObject({ code: 200, userId: 'raw1' });
  });

  it('answers malformed JSON with 400/1002', async () => {
    const result = await rawPost(url, serverApi(server.url, KEY, SECRET).signedHeaders(), '{"userId":', 'application/json');
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ code: 1002 });
  });

  it('checks the signature before reading the body', async () => {
    const result = await rawPost(url, { 'App-Key': KEY, Signature: 'x' }, '{"userId":', 'application/json');
    expect(result.status).toBe(401);
    expect(result.body).toMatchObject({ code: 1004 });
  });
});

describe('Server API with --api-clock-skew', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ apps: [{ key: KEY, secret: SECRET }], args: ['--api-clock-skew', '60'] });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('accepts fresh timestamps in seconds or milliseconds', async () => {
    const api = serverApi(server.url, KEY, SECRET);
    expect((await api.post('user/getToken', { userId: 'u1' })).status).toBe(200);
    expect((await api.post('user/getToken', { userId: 'u1' }, { timestamp: String(Date.now()) })).status).toBe(200);
  });

  it('rejects stale, future or missing timestamps with 401/1004', async () => {
    const api = serverApi(server.url, KEY, SECRET);
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [String(now - 3600), String(now + 3600), String((now - 3600) * 1000), '', 'abc']) {
      const response = await api.post('user/getToken', { userId: 'u1' }, { timestamp });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ code: 1004 });
    }
  });
});
