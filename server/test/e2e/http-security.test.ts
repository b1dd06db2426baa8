/**
 * The HTTP surface under hostile input (file service, Server API, console, navi, comet, demo): path traversal and
 * encodings, other tenants' files, upload-token reuse and malleability, oversized and lying bodies, active content
 * served inline, ranges, CORS, console cookies, throttling and CSRF header, signatures, method confusion, oversized
 * and smuggling-style requests, deeply nested JSON, slow-loris headers. Every bad input gets a clear 4xx, never a 5xx,
 * another tenant's data or active content inline. Found failing before their fixes (session 33 QA pass): headers
 * trickled in forever; the password change unthrottled; one address's failed logins locking the admin out
 * everywhere; upload tokens surviving the app secret's rotation; no Secure cookie behind a TLS proxy; a deeply nested
 * JSON body a 500; platform=constructor taken from Object.prototype; an upload token's signature accepted with
 * padding appended; duplicate or invalid Host lines answered.
 */
import * as net from 'node:net';
import { connectRaw, type RawClient } from '../../../test/support/raw-client';
import { cometConnectUrl } from '../../../test/support/comet-raw-client';
import { FileType } from '../../../src/index';
import { serverApi, sign } from '../../../test/support/server-api-client';
import { startServer } from '../../../test/support/server-launcher';
import type { RunningServer, TestApp } from '../../../test/support/server-launcher';
import { call, sdkUser } from '../../../test/e2e/sdk-api-support';
import type { SdkUser } from '../../../test/e2e/sdk-api-support';
import { jpeg, noise, postForm, rawRequest, tokenFor } from '../../../test/e2e/files-support';

jest.setTimeout(60_000);

const APP: TestApp = { key: 'lxhunt', secret: 'lxhuntsecret', options: { maxSendRate: 1000 } };
const OTHER: TestApp = { key: 'lxhunt2', secret: 'lxhunt2secret' };

let server: RunningServer;
let password = '';
let cookie = '';
const users: SdkUser[] = [];
const CH = { 'content-type': 'application/json', 'x-lianxin-console': '1' };

beforeAll(async () => {
  server = await startServer({ apps: [APP, OTHER], devApp: true, args: ['--trust-proxy', '127.0.0.1', '--files', 'maxFile=300K,maxImage=200K,tokenTtlMs=4000'] });
  password = (await server.stderrMatch(/console admin password: (\S+)/))[1] ?? '';
  const res = await fetch(`${server.url}/console/api/login`, { method: 'POST', headers: CH, body: JSON.stringify({ password }) });
  expect(res.status).toBe(200);
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
});
afterAll(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
  await server?.stop();
});

async function online(name: string, app: TestApp = APP): Promise<SdkUser> {
  const user = await sdkUser(server, app, name);
  users.push(user);
  await user.connect();
  return user;
}

async function urlFor(user: SdkUser, fileType: number, key: string): Promise<string> {
  const result = await call<{ downloadUrl: string }>((cb) => user.im.getFileUrl(fileType, key, undefined, cb));
  if (!result.ok) throw new Error(`getFileUrl failed ${result.code}`);
  return result.value.downloadUrl;
}

/** Raw bytes on one socket; the first status code answered (0 if none within the bound). */
function rawExchange(bytes: string | Buffer, timeoutMs = 5000): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(server.port, server.host);
    let text = '';
    const done = (): void => {
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : 0, text });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (/\r\n\r\n/.test(text) && /content-length: (\d+)/i.test(text)) {
        const length = Number(/content-length: (\d+)/i.exec(text)?.[1]);
        const bodyAt = text.indexOf('\r\n\r\n') + 4;
        if (text.length - bodyAt >= length) {
          clearTimeout(timer);
          done();
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      done();
    });
  });
}

function noLeak(text: string): void {
  expect(text).not.toMatch(/at [\w.<>]+ \(|\/work\/|node_modules|server\/src|\.ts:\d+/);
}

let sharedUrl = '';
let sharedSize = 0;

describe('file downloads', () => {
  beforeAll(async () => {
    const alice = await online('alice');
    const data = await tokenFor(alice, FileType.IMAGE, 'a.jpg');
    const bytes = jpeg(5000);
    const res = await postForm(server.url, [{ name: 'key', value: data.fileName }, { name: 'file', value: bytes, filename: 'a.jpg' }, { name: 'token', value: data.token }]);
    expect(res?.status).toBe(200);
    sharedUrl = await urlFor(alice, FileType.IMAGE, data.fileName);
    sharedSize = bytes.length;
  });

  it('HEAD and GET agree (status, length, type, disposition, etag)', async () => {
    const get = await rawRequest(sharedUrl);
    const head = await rawRequest(sharedUrl, { method: 'HEAD' });
    expect(head?.status).toBe(get?.status);
    for (const h of ['content-length', 'content-type', 'content-disposition', 'etag', 'content-security-policy', 'x-content-type-options']) expect([h, head?.headers[h]]).toEqual([h, get?.headers[h]]);
    expect(head?.body.length).toBe(0);
    const ranged = await rawRequest(sharedUrl, { method: 'HEAD', headers: { range: 'bytes=0-9' } });
    expect(ranged?.status).toBe(206);
    expect(ranged?.headers['content-length']).toBe('10');
  });

  it('answers odd ranges with 200/206/416, never 500, never more bytes than the file', async () => {
    const cases: Array<[string, number[]]> = [
      ['bytes=0-99999999999999999999999', [206]],
      ['bytes=99999999999999999999-', [416]],
      ['bytes=-99999999999999999999', [206]],
      ['bytes=0-0,0-0,0-0,0-0', [200, 206]],
      ['bytes=0-1,1-2', [200, 206]],
      ['bytes=1e3-2e3', [200]],
      ['bytes=0x10-0x20', [200]],
      ['bytes=-', [200]],
      ['bytes=--1', [200]],
      ['items=0-5', [200]],
      ['bytes=' + '1'.repeat(5000) + '-', [416, 200]],
      ['bytes=0-' + '9'.repeat(2000), [206, 200]],
    ];
    for (const [range, allowed] of cases) {
      const res = await rawRequest(sharedUrl, { headers: { range } });
      expect([range.slice(0, 40), allowed.includes(res?.status ?? 0)]).toEqual([range.slice(0, 40), true]);
      expect(res?.body.length ?? 0).toBeLessThanOrEqual(sharedSize);
    }
  });

  it('an invalid range (last < first) is ignored or rejected (RFC 9110 §14.2 allows either), never 5xx', async () => {
    const res = await rawRequest(sharedUrl, { headers: { range: 'bytes=10-5' } });
    expect([200, 416]).toContain(res?.status);
  });

  it('refuses other methods and malformed download paths with 4xx, never 500', async () => {
    const u = new URL(sharedUrl);
    const [, , app = '', id = '', sig = ''] = u.pathname.split('/');
    const probes: Array<[string, string]> = [
      ['POST', sharedUrl],
      ['PUT', sharedUrl],
      ['DELETE', sharedUrl],
      ['GET', `${server.url}/files/${app}/${id}/${sig}%00/x`],
      ['GET', `${server.url}/files/${app}/${id}%00/${sig}`],
      ['GET', `${server.url}/files/${app}/${id}/${sig}/%ff%fe`],
            ['GET', `${server.url}/files/%2e%2e/${id}/${sig}`],
      ['GET', `${server.url}/files/${app}/${id.toUpperCase()}/${sig}`],
      ['GET', `${server.url}/files/${app}/${id}/${encodeURIComponent(sig + '=')}`],
      ['GET', `${server.url}/files/${app}/${id}/%E0%A4%A`],
      ['GET', `${server.url}/files/${'a'.repeat(3000)}/${id}/${sig}`],
      ['GET', `${server.url}/files//${app}/${id}/${sig}`],
    ];
    for (const [method, url] of probes) {
      const res = await rawRequest(url, { method });
      const status = res?.status ?? 0;
      expect([method, url.slice(-60), status >= 400 && status < 500 || (url.includes('//' + app) && status === 200)]).toEqual([method, url.slice(-60), true]);
      noLeak(res?.body.toString('utf8') ?? '');
    }
  });

  it('the cosmetic name segment is ignored: traversal there serves the same object, nothing else', async () => {
    const base = sharedUrl.split('/').slice(0, -1).join('/');
    const plain = await rawRequest(sharedUrl);
    for (const tail of ['..%2f..%2f..%2fetc%2fpasswd', '..%5c..%5cfile-secret']) {
      const res = await rawRequest(`${base}/${tail}`);
      expect([tail, res?.status]).toEqual([tail, 200]);
      expect(res?.body.equals(plain?.body ?? Buffer.alloc(0))).toBe(true);
    }
    // Literal dot segments on the wire (a client would normalise them away).
    const path = new URL(base).pathname;
    for (const tail of ['../../../../file-secret', '%2e%2e/%2e%2e/%2e%2e/%2e%2e/file-secret', '..', '../x']) {
      const res = await rawExchange(`GET ${path}/${tail} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect([tail, [200, 404].includes(res.status)]).toEqual([tail, true]);
      if (res.status === 200) expect(res.text.endsWith(plain?.body.toString('latin1') ?? '')).toBe(true);
    }
  });

  it('a stored name with CR/LF or quotes cannot inject headers or flip the disposition', async () => {
    const kim = await online('kim');
    const data = await tokenFor(kim, FileType.FILE);
    const evil = 'a"; inline; filename="x.html\r\nSet-Cookie: lxconsole=pwn\r\nX-Evil: 1';
    const put = await rawRequest(`${server.url}/upload?key=${encodeURIComponent(data.fileName)}&name=${encodeURIComponent(evil)}`, { method: 'PUT', headers: { authorization: `UpToken ${data.token}` }, body: Buffer.from('<html><script>alert(1)</script>') });
    expect(put?.status).toBe(200);
    const res = await rawRequest(await urlFor(kim, FileType.FILE, data.fileName));
    expect(res?.headers['set-cookie']).toBeUndefined();
    expect(res?.headers['x-evil']).toBeUndefined();
    expect(String(res?.headers['content-disposition'])).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''[^\s";]*$/);
  });

  it('a user of another app cannot resolve a key of this app, nor download by guessing', async () => {
    const mallory = await online('mallory', OTHER);
    const alice = await online('alice2');
    const data = await tokenFor(alice, FileType.FILE, 'secret.txt');
    expect((await postForm(server.url, [{ name: 'key', value: data.fileName }, { name: 'file', value: Buffer.from('top secret'), filename: 'secret.txt' }, { name: 'token', value: data.token }]))?.status).toBe(200);
    const result = await call<{ downloadUrl: string }>((cb) => mallory.im.getFileUrl(FileType.FILE, data.fileName, undefined, cb));
    expect(result.ok).toBe(false);
    // A user of the same app cannot resolve alice's key either.
    const bob = await online('bob');
    const same = await call<{ downloadUrl: string }>((cb) => bob.im.getFileUrl(FileType.FILE, data.fileName, undefined, cb));
    expect(same.ok).toBe(false);
  });
});

describe('active content', () => {
  it('html/svg/js/xml uploads are octet-stream attachments with nosniff and a sandbox CSP; PDF is an attachment', async () => {
    const carol = await online('carol');
    const samples: Array<[string, Buffer]> = [
      ['x.html', Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>')],
      ['x.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>')],
      ['x.js', Buffer.from('alert(1)')],
      ['x.xml', Buffer.from('<?xml version="1.0"?><x:script xmlns:x="http://www.w3.org/1999/xhtml">alert(1)</x:script>')],
      ['x.pdf', Buffer.from('%PDF-1.4\n/JS (app.alert(1))')],
      // A GIF header with HTML after it: a polyglot must still not run script.
      ['x.gif.html', Buffer.concat([Buffer.from('GIF89a'), Buffer.from('<script>alert(1)</script>')])],
    ];
    for (const [name, bytes] of samples) {
      const data = await tokenFor(carol, FileType.FILE, name);
      const up = await postForm(server.url, [{ name: 'key', value: data.fileName }, { name: 'file', value: bytes, filename: name, contentType: 'text/html' }, { name: 'token', value: data.token }]);
      expect(up?.status).toBe(200);
      const res = await rawRequest(await urlFor(carol, FileType.FILE, data.fileName));
      const type = String(res?.headers['content-type']);
      expect([name, /html|svg|xml|javascript/i.test(type)]).toEqual([name, false]);
      expect(res?.headers['x-content-type-options']).toBe('nosniff');
      expect(String(res?.headers['content-security-policy'])).toContain('sandbox');
      if (!/^image\/(gif|jpeg|png|webp|bmp)$/.test(type)) expect([name, String(res?.headers['content-disposition']).startsWith('attachment')]).toEqual([name, true]);
    }
  });
});

describe('uploads', () => {
  it('refuses an expired upload token (401, 41002) even with a valid signature', async () => {
    const dave = await online('dave');
    const data = await tokenFor(dave, FileType.FILE, 'late.bin');
    await new Promise((r) => setTimeout(r, 4500));
    const res = await postForm(server.url, [{ name: 'key', value: data.fileName }, { name: 'file', value: noise(10), filename: 'late.bin' }, { name: 'token', value: data.token }]);
    expect(res?.status).toBe(401);
    expect(res?.json()).toMatchObject({ code: 41002 });
    const put = await rawRequest(`${server.url}/upload?key=k`, { method: 'PUT', headers: { authorization: `UpToken ${data.token}` }, body: noise(10) });
    expect(put?.status).toBe(401);
  });

  it('a token of one app cannot place a file in another app (token decides the app; forged app in the token fails)', async () => {
    const erin = await online('erin');
    const data = await tokenFor(erin, FileType.FILE, 'x.bin');
    const [prefix, payload = '', mac = ''] = data.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${prefix}.${Buffer.from(JSON.stringify({ ...claims, a: OTHER.key })).toString('base64url')}.${mac}`;
    const res = await rawRequest(`${server.url}/upload?key=k`, { method: 'PUT', headers: { authorization: `UpToken ${forged}` }, body: noise(10) });
    expect(res?.status).toBe(401);
    // Signature malleability: padding / trailing junk in the MAC must not be accepted either.
  });

  it('an upload token is accepted only in its exact issued form (no MAC malleability via base64 padding/trailing bits)', async () => {
    const ivy = await online('ivy');
    const data = await tokenFor(ivy, FileType.FILE, 'x.bin');
    const [prefix, payload = '', mac = ''] = data.token.split('.');
    const statuses: Array<[string, number | undefined]> = [];
    for (const mac2 of [`${mac}=`, `${mac}==`, `${mac}A`, mac.slice(0, -1), `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, `${mac}%`, ` ${mac}`]) {
      const r = await rawRequest(`${server.url}/upload?key=k`, { method: 'PUT', headers: { authorization: `UpToken ${prefix}.${payload}.${mac2}` }, body: noise(10) });
      statuses.push([mac2.slice(-4), r?.status]);
    }
    expect(statuses.every(([, s]) => s === 401)).toBe(true);
  });

  it('a chunked raw upload without Content-Length above the limit is refused with 413 while streaming (bounded)', async () => {
    const frank = await online('frank');
    const data = await tokenFor(frank, FileType.FILE, 'big.bin');
    const chunk = noise(64 * 1024);
    // 400 KiB max sent > 300K limit.
    const res = await new Promise<number>((resolve) => {
      const socket = net.connect(server.port, server.host);
      let text = '';
      let sent = 0;
      const timer = setTimeout(() => { socket.destroy(); resolve(0); }, 10_000);
      socket.on('connect', () => {
        socket.write(`PUT /upload?key=big HTTP/1.1\r\nHost: x\r\nAuthorization: UpToken ${data.token}\r\nTransfer-Encoding: chunked\r\n\r\n`);
        const pump = (): void => {
          while (sent < 7 && !socket.destroyed) {
            sent += 1;
            socket.write(`${chunk.length.toString(16)}\r\n`);
            socket.write(chunk);
            socket.write('\r\n');
          }
        };
        pump();
      });
      socket.on('data', (c) => {
        text += c.toString('latin1');
        const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
        if (m) { clearTimeout(timer); socket.destroy(); resolve(Number(m[1])); }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => { clearTimeout(timer); const m = /^HTTP\/1\.1 (\d{3})/.exec(text); resolve(m ? Number(m[1]) : 0); });
    });
    expect(res).toBe(413);
  });

  it('a Content-Length that lies (shorter body, then close) stores nothing and the server keeps serving', async () => {
    const gina = await online('gina');
    const data = await tokenFor(gina, FileType.FILE, 'lie.bin');
    await new Promise<void>((resolve) => {
      const socket = net.connect(server.port, server.host);
      socket.on('connect', () => {
        socket.write(`PUT /upload?key=lie HTTP/1.1\r\nHost: x\r\nAuthorization: UpToken ${data.token}\r\nContent-Length: 100000\r\n\r\n`);
        socket.write(noise(1000));
        setTimeout(() => { socket.destroy(); resolve(); }, 300);
      });
      socket.on('error', () => resolve());
    });
    const result = await call<{ downloadUrl: string }>((cb) => gina.im.getFileUrl(FileType.FILE, 'lie', undefined, cb));
    expect(result.ok).toBe(false);
    expect((await fetch(`${server.url}/ping`)).status).toBeLessThan(500);
  });

  it('upload errors never leak stack traces or paths (bad boundary, garbage, huge field, NUL key)', async () => {
    const hank = await online('hank');
    const data = await tokenFor(hank, FileType.FILE, 'x.bin');
    const bodies: Array<[Record<string, string>, Buffer, string]> = [
      [{ 'content-type': 'multipart/form-data; boundary=' }, Buffer.from('x'), 'POST'],
      [{ 'content-type': 'multipart/form-data; boundary=abc' }, Buffer.from('--abc\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nxx'), 'POST'],
      [{ 'content-type': 'application/json' }, Buffer.from('{"a":'), 'POST'],
      [{ 'content-type': 'multipart/form-data; boundary=abc' }, Buffer.from('--abc\r\nContent-Disposition: form-data; name="key"\r\n\r\n' + 'k'.repeat(20000) + '\r\n--abc--\r\n'), 'POST'],
      [{ authorization: `UpToken ${data.token}` }, noise(10), 'PUT?key=%00x'],
      [{ authorization: `UpToken ${data.token}` }, noise(10), `PUT?key=${'k'.repeat(600)}`],
      [{ authorization: `UpToken ${data.token}` }, noise(10), 'PUT?key=a&key=b&name=%E0'],
      [{ authorization: 'UpToken ' + 'x'.repeat(8000) }, noise(10), 'PUT?key=x'],
      [{ authorization: 'UpToken lx1.%%%.%%%' }, noise(10), 'PUT?key=x'],
      [{ authorization: `UpToken lx1.${Buffer.from('[1,2]').toString('base64url')}.AAAA` }, noise(10), 'PUT?key=x'],
    ];
    for (const [headers, body, method] of bodies) {
      const [verb = 'POST', query] = method.split('?');
      const res = await rawRequest(`${server.url}/upload${query ? `?${query}` : ''}`, { method: verb, headers, body });
      const status = res?.status ?? 0;
      expect([method.slice(0, 30), status >= 400 && status < 500 || (method.startsWith('PUT?key=a&') && status === 200)]).toEqual([method.slice(0, 30), true]);
      noLeak(res?.body.toString('utf8') ?? '');
    }
  });
});

describe('Server API', () => {
  function signedHeaders(app: TestApp = APP, nonce = 'n1', ts = '1700000000'): Record<string, string> {
    return { 'App-Key': app.key, Nonce: nonce, Timestamp: ts, Signature: sign(app.secret, nonce, ts) };
  }

  it('grants no CORS to a browser: no ACAO on answers or preflights, with or without credentials', async () => {
    const pre = await fetch(`${server.url}/user/getToken.json`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'app-key,nonce,timestamp,signature' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const post = await fetch(`${server.url}/user/getToken.json`, { method: 'POST', headers: { ...signedHeaders(), origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'userId=u1&name=u1' });
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('GET/PUT/DELETE on a state-changing endpoint is 405 and does nothing', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${server.url}/user/block.json?userId=victim&minute=10`, { method, headers: signedHeaders() });
      expect([method, res.status]).toEqual([method, 405]);
    }
    const check = await serverApi(server.url, APP.key, APP.secret).post<{ users: unknown[] }>('/user/block/query.json', {});
    expect(JSON.stringify(check.body)).not.toContain('victim');
  });

  it('refuses bad signatures with 401/1004 and takes stale timestamps (documented: no freshness check)', async () => {
    const url = `${server.url}/user/getToken.json`;
    const body = 'userId=u2&name=u2';
    const ct = { 'content-type': 'application/x-www-form-urlencoded' };
    const bad: Array<Record<string, string>> = [
      {},
      { 'App-Key': APP.key },
      { 'App-Key': APP.key, Nonce: 'n', Timestamp: '1', Signature: '' },
      { 'App-Key': APP.key, Nonce: 'n', Timestamp: '1', Signature: APP.secret },
      { 'App-Key': APP.key, Nonce: 'n', Timestamp: '1', Signature: sign(OTHER.secret, 'n', '1') },
      { 'App-Key': OTHER.key, Nonce: 'n', Timestamp: '1', Signature: sign(APP.secret, 'n', '1') },
      { 'App-Key': APP.key, Nonce: 'n', Timestamp: '1', Signature: sign(APP.secret, 'n', '1').slice(0, 39) },
      { 'App-Key': APP.key, Nonce: 'n', Timestamp: '1', Signature: sign(APP.secret, 'n', '1') + '0' },
      { 'App-Key': APP.key, Nonce: 'n', Timestamp: '2', Signature: sign(APP.secret, 'n', '1') },
      { 'App-Key': APP.key + ' ', Nonce: 'n', Timestamp: '1', Signature: sign(APP.secret, 'n', '1') + 'x' },
      { 'App-Key': 'x'.repeat(5000), Nonce: 'n', Timestamp: '1', Signature: 'x' },
    ];
    for (const headers of bad) {
      const res = await fetch(url, { method: 'POST', headers: { ...ct, ...headers }, body });
      expect([Object.keys(headers).join(','), res.status]).toEqual([Object.keys(headers).join(','), 401]);
      expect(((await res.json()) as { code: number }).code).toBe(1004);
    }
    const stale = await fetch(url, { method: 'POST', headers: { ...ct, ...signedHeaders(APP, 'n', '1') }, body });
    expect(stale.status).toBe(200);
  });

  it('malformed bodies are 4xx without internals (bad JSON, proto keys, bad encodings, huge body)', async () => {
    const url = `${server.url}/user/getToken.json`;
    const cases: Array<[string, string | Buffer]> = [
      ['application/json', '{"userId":'],
      ['application/json', '{"__proto__":{"admin":true},"userId":"p1","name":"p"}'],
      ['application/json', '{"constructor":{"prototype":{"x":1}},"userId":{"a":1}}'],
      ['application/json', '[1,2,3]'],
      ['application/json', 'null'],
      ['application/x-www-form-urlencoded', 'userId=%E0%A4%A&name=x'],
      ['application/x-www-form-urlencoded', '__proto__[x]=1&userId=p2&name=p'],
      ['text/xml', '<x/>'],
      ['application/json; charset=utf-16', '{}'],
      ['application/x-www-form-urlencoded', Buffer.alloc(3 * 1024 * 1024, 0x61)],
    ];
    for (const [type, body] of cases) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': type, ...signedHeaders() }, body });
      const text = await res.text();
      expect([type, String(body).slice(0, 30), res.status < 500]).toEqual([type, String(body).slice(0, 30), true]);
      noLeak(text);
    }
  });
});


const FUZZ_ROUTES = 'chatroom/ban/add chatroom/ban/check chatroom/ban/query chatroom/ban/rollback chatroom/create chatroom/destroy chatroom/destroy/set chatroom/entry/batch/set chatroom/entry/query chatroom/entry/remove chatroom/entry/set chatroom/get chatroom/keepalive/add chatroom/keepalive/query chatroom/keepalive/remove chatroom/message/priority/add chatroom/message/priority/query chatroom/message/priority/remove chatroom/message/resumeDistribution chatroom/message/stopDistribution chatroom/query chatroom/user/ban/add chatroom/user/ban/query chatroom/user/ban/remove chatroom/user/ban/whitelist/add chatroom/user/ban/whitelist/query chatroom/user/ban/whitelist/rollback chatroom/user/block/add chatroom/user/block/list chatroom/user/block/rollback chatroom/user/exist chatroom/user/gag/add chatroom/user/gag/list chatroom/user/gag/rollback chatroom/user/query chatroom/user/whitelist/add chatroom/user/whitelist/query chatroom/user/whitelist/remove chatroom/users/exist chatroom/whitelist/add chatroom/whitelist/delete chatroom/whitelist/query conversation/message/history/clean conversation/notification/get conversation/notification/set conversation/top/set conversation/type/notification/get conversation/type/notification/set group/ban/add group/ban/query group/ban/rollback group/create group/dismiss group/join group/quit group/refresh group/sync group/user/ban/whitelist/add group/user/ban/whitelist/query group/user/ban/whitelist/rollback group/user/gag/add group/user/gag/list group/user/gag/rollback group/user/query message/broadcast message/broadcast/recall message/chatroom/broadcast message/chatroom/publish message/discussion/publish message/expansion/delete message/expansion/query message/expansion/set message/group/publish message/history message/history/delete message/online/broadcast message/private/publish message/recall message/system/publish sensitiveword/add sensitiveword/batch/add sensitiveword/batch/delete sensitiveword/delete sensitiveword/list statusmessage/group/publish statusmessage/private/publish user/block user/block/query user/blockPushPeriod/delete user/blockPushPeriod/get user/blockPushPeriod/set user/chat/fb/querylist user/chat/fb/set user/checkOnline user/getToken user/group/query user/info user/refresh user/remarks/del user/remarks/get user/remarks/set user/tag/batch/set user/tag/set user/tags/get user/token/expire user/unblock'.split(' ');
const FUZZ_NAMES = 'autoDelete black busChannel chatroomId content contentAvailable conversationType count date destroyTime destroyType disablePush disableUpdateLastMsg entryInfo entryOwnerId expansion extra extraContent fromUserId groupId groupName hex includeStart isAdmin isBan isCounted isDelete isIncludeSender isMentioned isMuted isPersisted isSyncSender json key keys level messageUID minute msgTimestamp msgUID name needNotify num objectName objectnames offset order os page pageNo pageSize pageToken period portraitUri pushContent pushData pushExt recallMsg remarks replaceWord requestId sentTime setTop size startTime state tags targetId time toChatroomId toGroupId toUserId type unpushLevel userId userIds value verifyBlacklist white whiteUserIds word words'.split(' ');

describe('Server API fuzz (types and sizes)', () => {
  it('no endpoint answers 5xx or leaks internals for wrongly typed or extreme values', async () => {
    const api = serverApi(server.url, OTHER.key, OTHER.secret);
    const values: unknown[] = [{ a: { b: 1 } }, [{ x: 1 }, null], -1, 1e308, null, true, 'x'.repeat(5000), ['', ''], '[{"a":', '{"__proto__":{"x":1}}'];
    const failures: string[] = [];
    for (const route of FUZZ_ROUTES) {
      for (const value of values) {
        const body = Object.fromEntries(FUZZ_NAMES.map((n) => [n, value]));
        const res = await fetch(`${server.url}/${route}.json`, { method: 'POST', headers: { 'content-type': 'application/json', ...api.signedHeaders() }, body: JSON.stringify(body) });
        const text = await res.text();
        if (res.status >= 500 || /at [\w.<>]+ \(|node_modules|server\/src/.test(text)) failures.push(`${route} ${JSON.stringify(value).slice(0, 30)} -> ${res.status} ${text.slice(0, 200)}`);
      }
      // Form encoding, each name repeated with odd scalars.
      const form = FUZZ_NAMES.flatMap((n) => [`${n}=-1`, `${n}=1e999`, `${n}=%00`]).join('&');
      const res = await fetch(`${server.url}/${route}.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...api.signedHeaders() }, body: form });
      const text = await res.text();
      if (res.status >= 500) failures.push(`${route} form -> ${res.status} ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  });

  it('no endpoint answers 5xx when one field of an otherwise plausible body is wrongly typed', async () => {
    const api = serverApi(server.url, OTHER.key, OTHER.secret);
    const odd: unknown[] = [{ a: 1 }, [{ a: 1 }], 1e308, [], 'x'.repeat(3000), -1, ['1', ['2']], 0.5];
    const failures: string[] = [];
    let sent = 0;
    for (const [r, route] of FUZZ_ROUTES.entries()) {
      for (const [i, name] of FUZZ_NAMES.entries()) {
        const body: Record<string, unknown> = Object.fromEntries(FUZZ_NAMES.map((n) => [n, '1']));
        body[name] = odd[(r + i) % odd.length];
        sent += 1;
        try {
          const res = await fetch(`${server.url}/${route}.json`, { method: 'POST', headers: { 'content-type': 'application/json', ...api.signedHeaders() }, body: JSON.stringify(body) });
          const text = await res.text();
          if (res.status >= 500) failures.push(`${route} ${name}=${JSON.stringify(body[name]).slice(0, 20)} -> ${res.status} ${text.slice(0, 150)}`);
        } catch (error) {
          failures.push(`${route} ${name} -> ${String(error)}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(1000);
    expect(failures.slice(0, 30)).toEqual([]);
  }, 300_000);
});

describe('Server API deep JSON fields', () => {
  it('no endpoint answers 5xx for a deeply nested JSON string in a JSON-carrying field', async () => {
    const api = serverApi(server.url, OTHER.key, OTHER.secret);
    const deep = '{"content":"x","a":' + '{"a":'.repeat(12_000) + '1' + '}'.repeat(12_000) + '}';
    const deepArr = '[' + '['.repeat(12_000) + ']'.repeat(12_000) + ']';
    const jsonNames = ['content', 'extra', 'pushExt', 'entryInfo', 'expansion', 'extraContent', 'pushData', 'json', 'value', 'tags', 'keys', 'words', 'extraKeyVal'];
    const failures: string[] = [];
    for (const route of FUZZ_ROUTES) {
      for (const [i, name] of jsonNames.entries()) {
        const body: Record<string, unknown> = Object.fromEntries(FUZZ_NAMES.map((n) => [n, '1']));
        Object.assign(body, { fromUserId: 'f1', toUserId: 'f2', userId: 'f1', groupId: 'g1', chatroomId: 'c1', objectName: 'RC:TxtMsg' });
        body[name] = i % 2 === 0 ? deep : deepArr;
        try {
          const res = await fetch(`${server.url}/${route}.json`, { method: 'POST', headers: { 'content-type': 'application/json', ...api.signedHeaders() }, body: JSON.stringify(body) });
          const text = await res.text();
          if (res.status >= 500) failures.push(`${route} ${name} -> ${res.status} ${text.slice(0, 100)}`);
        } catch (error) {
          failures.push(`${route} ${name} -> ${String(error)}`);
        }
      }
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(failures.slice(0, 20)).toEqual([]);
  }, 180_000);
});

describe('generic HTTP robustness', () => {
  it('oversized URL and headers get 4xx (414/431), not 500 or a hang', async () => {
    const longUrl = await rawExchange(`GET /files/${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(longUrl.status).toBeGreaterThanOrEqual(400);
    expect(longUrl.status).toBeLessThan(500);
    const bigHeader = await rawExchange(`GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(100_000)}\r\n\r\n`);
    expect(bigHeader.status).toBeGreaterThanOrEqual(400);
    expect(bigHeader.status).toBeLessThan(500);
  });

  it('smuggling-ish framing (CL+TE, double CL, bad chunk size, obs-fold) is refused with 400', async () => {
    const cases = [
      'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde',
      'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
      'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked, identity\r\n\r\n0\r\n\r\n',
      'GET /ping HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n',
      'GET /ping HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
      'GET /pi\x00ng HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /ping HTTP/1.1\r\n\r\n',
      'GET /ping HTTP/9.9\r\nHost: x\r\n\r\n',
      'POST /user/getToken.json HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'POST /user/getToken.json HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n',
      'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nabc\r\n',
    ];
    for (const raw of cases) {
      const res = await rawExchange(raw);
      expect([raw.slice(0, 60), res.status >= 400 && res.status < 500]).toEqual([raw.slice(0, 60), true]);
    }
  });



  it('a request with two Host header lines or an invalid Host value is refused with 400 (RFC 9112 §3.2 MUST), not answered', async () => {
    const statuses: Array<[string, number]> = [];
    for (const hosts of ['Host: evil.example\r\nHost: 127.0.0.1', 'Host: a b', 'Host: evil.example/../x', 'Host: a@b', 'Host: 127.0.0.1:99999999']) {
      const res = await rawExchange(`GET /ping HTTP/1.1\r\n${hosts}\r\nConnection: close\r\n\r\n`);
      statuses.push([hosts.replace(/\r\n/g, ' | '), res.status]);
    }
    expect(statuses.filter(([, status]) => status !== 400)).toEqual([]);
  });

  it('TRACE does not echo request headers (no XST); CONNECT, OPTIONS * and absolute-form URIs get no 5xx', async () => {
    const trace = await rawExchange('TRACE /ping HTTP/1.1\r\nHost: x\r\nCookie: lxconsole=secretvalue\r\nConnection: close\r\n\r\n');
    expect(trace.status).toBeGreaterThanOrEqual(400);
    expect(trace.text).not.toContain('secretvalue');
    for (const raw of ['CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n', 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'GET http://evil.example/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'GET http://evil.example/user/getToken.json HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n']) {
      const res = await rawExchange(raw, 3000);
      expect([raw.slice(0, 40), res.status < 500]).toEqual([raw.slice(0, 40), true]);
    }
  });

  it('unknown routes and fastify-level errors leak no paths or stacks', async () => {
    for (const path of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/demo/..%2f..%2fpackage.json', '/demo/%2e%2e/%2e%2e/package.json', '/demo/sdk/..%2fpackage.json', '/demo/index.html%00.png', '/demo/.env', '/demo/%E0%A4%A.html', '/message-history/lxhunt/2024010100.zip?expires=99999999999999&sig=x', '/message-history/lxhunt/..%2f..%2flianxin.db']) {
      const res = await fetch(`${server.url}${path}`);
      const text = await res.text();
      expect([path, res.status >= 400 && res.status < 500]).toEqual([path, true]);
      noLeak(text);
    }
  });
});


describe('other endpoints', () => {

  it('HEAD matches GET (status, type, length) on every page kind; no redirect leads off-site', async () => {
    for (const path of ['/', '/console', '/demo/demo.js', '/demo/console.css', '/navi.js?appId=lxhunt&token=x', '/healthz', '/metrics', '/files/a/b/c', '/nope', '/console/api/session', '/demo/api/config']) {
      const get = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      const getBody = Buffer.from(await get.arrayBuffer());
      const head = await fetch(`${server.url}${path}`, { method: 'HEAD', redirect: 'manual' });
      expect([path, head.status]).toEqual([path, get.status]);
      expect([path, head.headers.get('content-type')]).toEqual([path, get.headers.get('content-type')]);
      const headLength = head.headers.get('content-length');
      if (path !== '/metrics' && headLength !== null && get.headers.get('content-length') !== null) expect([path, headLength]).toEqual([path, String(getBody.length)]);
    }
    for (const path of ['//evil.example/', '/\\evil.example/', '/console/', '/console//', '/demo/', '/%2F%2Fevil.example', '/files/', '/upload/']) {
      const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect([path, res.status >= 300 && res.status < 400]).toEqual([path, false]);
      expect(res.status).toBeLessThan(500);
    }
  });


  it('deeply nested JSON bodies (Server API, console, demo, navi) get 4xx/2xx, never 5xx or a crash', async () => {
    const deep = '['.repeat(400_000) + ']'.repeat(400_000);
    const deepObj = '{"a":'.repeat(150_000) + '1' + '}'.repeat(150_000);
    const api = serverApi(server.url, APP.key, APP.secret);
    const targets: Array<[string, Record<string, string>]> = [
      // Server API with a top-level array (objects: see the DEFECT test below).
      ['/user/getToken.json', { 'content-type': 'application/json', ...api.signedHeaders() }],
      ['/console/api/login', { 'content-type': 'application/json', 'x-lianxin-console': '1' }],
      ['/console/api/call', { 'content-type': 'application/json', 'x-lianxin-console': '1', cookie }],
      ['/demo/api/token', { 'content-type': 'application/json' }],
      ['/v2/navi.json', { 'content-type': 'application/json' }],
    ];
    const failures: string[] = [];
    for (const [path, headers] of targets) {
      for (const body of path.endsWith('.json') && path !== '/v2/navi.json' ? [deep] : [deep, deepObj]) {
        try {
          const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
          const text = await res.text();
          if (res.status >= 500) failures.push(`${path} ${body.slice(0, 5)} -> ${res.status} ${text.slice(0, 100)}`);
        } catch (error) {
          failures.push(`${path} ${body.slice(0, 5)} -> ${String(error)}`);
        }
      }
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(failures).toEqual([]);
  });


  it('a deeply nested JSON object body to the Server API is a 4xx (1002), not 500 (RangeError in normalizeInside) — signed or not', async () => {
    const deepObj = '{"a":'.repeat(150_000) + '1' + '}'.repeat(150_000);
    const api = serverApi(server.url, APP.key, APP.secret);
    const signed = await fetch(`${server.url}/user/getToken.json`, { method: 'POST', headers: { 'content-type': 'application/json', ...api.signedHeaders() }, body: deepObj });
    const unsigned = await fetch(`${server.url}/user/getToken.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deepObj });
    expect([signed.status, unsigned.status]).toEqual([400, 401]);
  });


  it('a deeply nested message content with a replaceable sensitive word is answered (4xx or replaced), not 500', async () => {
    const api = serverApi(server.url, OTHER.key, OTHER.secret);
    const added = await api.post('/sensitiveword/add.json', { word: 'badword', replaceWord: '***' });
    expect(added.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const depth = 20_000;
    const content = '{"content":"a badword here","x":' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) + '}';
    expect(Buffer.byteLength(content)).toBeLessThan(128 * 1024);
    const res = await api.post('/message/private/publish.json', { fromUserId: 'deep1', toUserId: 'deep2', objectName: 'RC:TxtMsg', content });
    expect(res.status).toBeLessThan(500);
  });

  it('navi, comet, ops, demo and log-download endpoints answer malformed queries and bodies without 5xx', async () => {
    const paths = ['/navi.js', '/cometnavi.js', '/v2/navi.json', '/ping', '/websocket', '/pullmsg.js', '/readyz', '/healthz', '/metrics', '/demo/api/config', '/demo/api/token', '/demo/api/blacklist', '/console/api/session', '/console/api/logout', '/ops/reload', '/message-history/lxhunt/2024010100.zip', '/upload', '/'];
    const queries = ['', '?appId[]=1&token[a]=2', '?appId=lxhunt&appId=lxhunt2&token=a&token=b', '?appId=lxhunt&token=%', '?appId=' + 'a'.repeat(6000), '?appId=lxhunt&token=x&callBack=a(b)', '?__proto__=1&constructor=2&hasOwnProperty=3', '?appId=lxhunt&token=%00%ff', '?expires=1e400&sig=' + '%'.repeat(10), '?appId=lxhunt&token=x&messageid=-1&timestamp=NaN&sessionid=%%'];
    const bodies: Array<[string, string]> = [['application/json', '{"a":'], ['application/json', '[]'], ['text/plain', '\u0000'], ['application/x-www-form-urlencoded', 'a=%&b'], ['application/octet-stream', 'x'], ['application/json', JSON.stringify({ userId: { toString: 1 }, token: [1], action: { a: 1 } })]];
    const failures: string[] = [];
    for (const path of paths) {
      for (const query of queries) {
        for (const method of ['GET', 'POST']) {
          const list: Array<[string, string] | undefined> = method === 'GET' ? [undefined] : bodies;
          for (const body of list) {
            try {
              const res = await fetch(`${server.url}${path}${query}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': body[0] }, body: body[1] }) });
              const text = await res.text();
              if (res.status >= 500 || /at [\w.<>]+ \(|node_modules|server\/src/.test(text)) failures.push(`${method} ${path}${query.slice(0, 40)} ${body?.[0] ?? ''} -> ${res.status} ${text.slice(0, 120)}`);
            } catch (error) {
              failures.push(`${method} ${path}${query.slice(0, 40)} -> ${String(error)}`);
            }
          }
        }
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
  }, 120_000);
});

describe('console', () => {
  it('session cookie is HttpOnly, SameSite=Strict and scoped to /console', async () => {
    const res = await fetch(`${server.url}/console/api/login`, { method: 'POST', headers: CH, body: JSON.stringify({ password }) });
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/console/);
  });

  it('behind a trusted TLS proxy (X-Forwarded-Proto: https) the session cookie is Secure', async () => {
    const res = await fetch(`${server.url}/console/api/login`, { method: 'POST', headers: { ...CH, 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' }, body: JSON.stringify({ password }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie') ?? '').toMatch(/;\s*Secure/i);
  });

  it('no CORS on the console API; state changes need the CSRF header; GET does not change state', async () => {
    const pre = await fetch(`${server.url}/console/api/password`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-lianxin-console' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const noHeader = await fetch(`${server.url}/console/api/call`, { method: 'POST', headers: { 'content-type': 'text/plain', cookie }, body: JSON.stringify({ appKey: APP.key, path: 'user/block', params: { userId: 'csrf', minute: 10 } }) });
    expect(noHeader.status).toBe(403);
    const get = await fetch(`${server.url}/console/api/call?appKey=${APP.key}&path=user/block`, { headers: { cookie } });
    expect(get.status).toBeGreaterThanOrEqual(400);
    expect(get.status).toBeLessThan(500);
  });

  it('console /api/call cannot reach non-Server-API routes (path is confined)', async () => {
    for (const path of ['../console/api/password', 'ops/reload', '/upload', 'user/getToken.json?x=1', 'user//getToken', '%2e%2e/ops/reload', 'files/x']) {
      const res = await fetch(`${server.url}/console/api/call`, { method: 'POST', headers: { ...CH, cookie }, body: JSON.stringify({ appKey: APP.key, path, params: {} }) });
      const body = (await res.json()) as { status?: number };
      expect([path, res.status === 400 || body.status === 404]).toEqual([path, true]);
    }
  });

  it('malformed console bodies are 4xx without internals', async () => {
    for (const [type, body] of [['application/json', '{"password":'], ['application/json', '"x"'], ['application/xml', '<x/>'], ['application/json', '{"password":{"toString":1}}']] as const) {
      const res = await fetch(`${server.url}/console/api/login`, { method: 'POST', headers: { 'content-type': type, 'x-lianxin-console': '1' }, body });
      expect([body, res.status >= 400 && res.status < 500]).toEqual([body, true]);
      noLeak(await res.text());
    }
  });

  it('rotating an app secret in the console (which revokes its tokens) also revokes upload tokens already issued', async () => {
    const created = await fetch(`${server.url}/console/api/apps`, { method: 'POST', headers: { ...CH, cookie }, body: JSON.stringify({ name: 'RotUp' }) });
    expect(created.status).toBe(200);
    const createdBody = (await created.json()) as { appKey: string; appSecret: string };
    const app: TestApp = { key: createdBody.appKey, secret: createdBody.appSecret };
    const user = await online('rotuser', app);
    const data = await tokenFor(user, FileType.FILE, 'r.bin');
    const rotated = await fetch(`${server.url}/console/api/apps/${app.key}/rotate`, { method: 'POST', headers: { ...CH, cookie }, body: '{}' });
    expect(rotated.status).toBe(200);
    const res = await postForm(server.url, [{ name: 'key', value: data.fileName }, { name: 'file', value: noise(100), filename: 'r.bin' }, { name: 'token', value: data.token }]);
    expect(res?.status).toBe(401);
  });

  it('a connect URL with platform=constructor / __proto__ is classified as a known platform (no prototype lookup), and stats stay clean', async () => {
    const raws: RawClient[] = [];
    try {
      const api = serverApi(server.url, APP.key, APP.secret);
      for (const platform of ['constructor', '__proto__', 'web']) {
        const userId = `proto-${platform.replace(/_/g, 'x')}`;
        const t = (await api.post<{ token: string }>('/user/getToken.json', { userId, name: userId })).body.token;
        for (let i = 0; i < 2; i++) {
          const c = await connectRaw({ url: server.url, appKey: APP.key, token: t, platform });
          raws.push(c);
          expect([platform, c.connack.status]).toEqual([platform, 0]);
        }
        const comet = await fetch(cometConnectUrl({ url: server.url, appKey: APP.key, token: t, platform }, `p${Math.random()}`));
        expect([platform, comet.status < 500]).toEqual([platform, true]);
      }
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const stats = await fetch(`${server.url}/console/api/stats`, { headers: { cookie } });
      expect(stats.status).toBe(200);
      const body = (await stats.json()) as { online: { byPlatform: Record<string, number> } };
      expect(Object.keys(body.online.byPlatform).filter((k) => !['web', 'miniprogram', 'uniapp', 'pc', 'mobile'].includes(k))).toEqual([]);
    } finally {
      await Promise.all(raws.map((c) => c.close()));
    }
  });

  it('the password-change endpoint is throttled like login (no unlimited guessing of the current password with a session)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${server.url}/console/api/password`, { method: 'POST', headers: { ...CH, cookie }, body: JSON.stringify({ current: `wrong-${i}`, next: 'whatever-123' }) });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
  });

  it('failed logins from one address do not lock the admin out from another address (global lockout = DoS)', async () => {
    // Ten wrong passwords from an attacker (through the trusted proxy, as 198.51.100.1)...
    for (let i = 0; i < 11; i++) {
      await fetch(`${server.url}/console/api/login`, { method: 'POST', headers: { ...CH, 'x-forwarded-for': '198.51.100.1' }, body: JSON.stringify({ password: `guess-${i}` }) });
    }
    const attacker = await fetch(`${server.url}/console/api/login`, { method: 'POST', headers: { ...CH, 'x-forwarded-for': '198.51.100.1' }, body: JSON.stringify({ password: 'guess-x' }) });
    expect(attacker.status).toBe(429);
    // ...then the real admin, from elsewhere, with the right password.
    const admin = await fetch(`${server.url}/console/api/login`, { method: 'POST', headers: { ...CH, 'x-forwarded-for': '192.0.2.7' }, body: JSON.stringify({ password }) });
    expect(admin.status).toBe(200);
  });
});

describe('slow-loris (own server, short idle timeout)', () => {
  let slow: RunningServer;
  beforeAll(async () => {
    slow = await startServer({ apps: [APP], env: { LIANXIN_HTTP_IDLE_TIMEOUT_MS: '1000', LIANXIN_COMET_HOLD_MS: '200' } });
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it('a request whose headers trickle in (one byte every 2 s, never idle) is cut within 70 s (Node\'s 60 s headersTimeout), not held forever', async () => {
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const socket = net.connect(slow.port, slow.host);
      const header = `POST /user/getToken.json HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(200)}`;
      let at = 0;
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        if (timer) clearInterval(timer);
        socket.destroy();
        resolve(Date.now() - started);
      };
      socket.on('connect', () => {
        timer = setInterval(() => {
          if (Date.now() - started > 75_000) return finish();
          if (at < header.length) socket.write(header[at++] ?? 'a');
        }, 2000);
      });
      socket.on('close', finish);
      socket.on('error', () => undefined);
    });
    expect(closedAfter).toBeLessThan(70_000);
  }, 90_000);
});
