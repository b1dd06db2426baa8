/**
 * The built-in file service against a real server process: upload tokens over the IM connection
 * (`qnTkn`), uploads in the official plugin's form (token after the file), with a header token, and
 * raw; signed download URLs (`qnUrl`/`aliUrl`/…), Range/ETag/HEAD, safe serving of user content;
 * every limit and auth failure, path traversal, and no partial file left behind by any refusal.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, FileType, UploadMethod } from '../../../src/index';
import { serverApi } from '../../../test/support/server-api-client';
import { startServer } from '../../../test/support/server-launcher';
import type { RunningServer, TestApp } from '../../../test/support/server-launcher';
import { call, sdkUser } from '../../../test/e2e/sdk-api-support';
import type { SdkUser } from '../../../test/e2e/sdk-api-support';
import { filesUnder, gif, jpeg, mp4, multipart, noise, postForm, rawRequest, sha256, tokenFor } from '../../../test/e2e/files-support';
import type { FormPart } from '../../../test/e2e/files-support';

const APP: TestApp = { key: 'lxfiles', secret: 'lxfilessecret', options: { maxSendRate: 1000 } };
const OTHER: TestApp = { key: 'lxfiles2', secret: 'lxfiles2secret' };
const LIMITS = 'maxImage=200K,maxGif=20K,maxFile=300K,maxVideo=400K,maxAudio=100K,maxHtml=50K,maxSightSeconds=10';

let server: RunningServer;
const users: SdkUser[] = [];

beforeAll(async () => {
  server = await startServer({ apps: [APP, OTHER], args: ['--files', LIMITS] });
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

async function urlFor(user: SdkUser, fileType: number, key: string, oriName?: string, method?: number): Promise<{ ok: true; url: string } | { ok: false; code: number }> {
  const result = await call<{ downloadUrl: string }>((cb) => user.im.getFileUrl(fileType, key, oriName, cb, undefined, method));
  return result.ok ? { ok: true, url: result.value.downloadUrl } : { ok: false, code: result.code };
}

/** getFileToken + the official plugin's form (key, file, token) under `filename`. */
async function uploadNamed(user: SdkUser, type: number, filename: string, bytes: Buffer, on: RunningServer = server): Promise<{ key: string; status: number | undefined; body: Record<string, unknown> | undefined }> {
  const data = await tokenFor(user, type, filename);
  const res = await postForm(on.url, [{ name: 'key', value: data.fileName }, { name: 'file', value: bytes, filename }, { name: 'token', value: data.token }]);
  return { key: data.fileName, status: res?.status, body: res?.status === 200 ? res.json() : undefined };
}

/** The decoded `filename*` of a Content-Disposition header. */
function dispositionName(header: unknown): string {
  return decodeURIComponent(/filename\*=UTF-8''(.*)$/.exec(String(header))?.[1] ?? '');
}

function staging(): string[] {
  return filesUnder(join(server.dataDir, 'files', 'staging'));
}

function objects(): string[] {
  return filesUnder(join(server.dataDir, 'files', 'objects'));
}

/** Runs `refuse`, then checks nothing was committed or left in staging. */
async function expectNothingStored(refuse: () => Promise<void>): Promise<void> {
  const before = objects();
  await refuse();
  expect(staging()).toEqual([]);
  expect(objects()).toEqual(before);
}

describe('upload tokens (qnTkn)', () => {
  it('answers getFileToken with the documented fields, an E4-format key and our upload server', async () => {
    const alice = await online('alice');
    const before = Date.now();
    const data = await tokenFor(alice, FileType.IMAGE, 'photo.jpg');
    expect(typeof data.token).toBe('string');
    expect(data.token.length).toBeGreaterThan(20);
    expect(data.deadline).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(data.deadline).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
    expect(data.fileName).toMatch(/^1__RC-\d{4}-\d{1,2}-\d{1,2}_\d{1,3}_\d{13}[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.jpg$/);
    expect(data.qiniu).toBe(server.url);
    for (const field of ['bos', 'ossConfig', 'bosToken', 'bosDate', 'path', 'osskeyId', 'ossPolicy', 'ossSign', 'ossBucketName', 's3Credential', 's3Algorithm', 's3Date', 's3Policy', 's3Signature', 's3BucketName', 'stcAuthorization', 'stcContentSha256', 'stcDate', 'stcBucketName'] as const) {
      expect(data[field]).toBe('');
    }
  });

  it('refuses unknown file types (41001) and bad arguments (33003), and needs a connection (30001)', async () => {
    const alice = await online('alice');
    const bad = await call((cb) => alice.im.getFileToken(9, cb));
    expect(bad).toMatchObject({ ok: false, code: ErrorCode.QNTKN_FILETYPE_ERROR });
    const badArg = await call((cb) => alice.im.getFileToken('1' as unknown as number, cb));
    expect(badArg).toMatchObject({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    const offline = await sdkUser(server, APP, 'offline');
    const notConnected = await call((cb) => offline.im.getFileToken(FileType.FILE, cb));
    expect(notConnected).toMatchObject({ ok: false, code: ErrorCode.RC_NET_CHANNEL_INVALID });
  });
});

describe('uploads and downloads', () => {
  it('takes the official plugin form (key, file, then token) at the navi uploadServer and serves identical bytes', async () => {
    const alice = await online('alice');
    const data = await tokenFor(alice, FileType.IMAGE, 'cat.jpg');
    const bytes = jpeg(150_000);
    const key = 'a1b2c3d4e5f64a7b8c.jpg';
    const res = await postForm(`${data.qiniu}/`, [
      { name: 'key', value: key },
      { name: 'file', value: bytes, filename: 'cat.jpg', contentType: 'image/jpeg' },
      { name: 'token', value: data.token },
    ]);
    expect(res?.status).toBe(200);
    expect(res?.headers['access-control-allow-origin']).toBe('*');
    expect(res?.json()).toEqual({ key, hash: sha256(bytes), name: 'cat.jpg', size: bytes.length, mimeType: 'image/jpeg', fileType: 1 });

    const found = await urlFor(alice, FileType.IMAGE, key, 'cat.jpg');
    if (!found.ok) throw new Error(`getFileUrl failed ${found.code}`);
    expect(found.url).toMatch(new RegExp(`^${server.url}/files/${APP.key}/[0-9a-f]{32}/[A-Za-z0-9_-]{22}/cat\\.jpg$`));
    const download = await rawRequest(found.url);
    expect(download?.status).toBe(200);
    expect(sha256(download?.body ?? Buffer.alloc(0))).toBe(sha256(bytes));
    expect(download?.headers).toMatchObject({
      'content-type': 'image/jpeg',
      'content-length': String(bytes.length),
      'cache-control': 'public, max-age=31536000, immutable',
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox',
      'access-control-allow-origin': '*',
    });
    expect(download?.headers['content-disposition']).toBe(`inline; filename="cat.jpg"; filename*=UTF-8''cat.jpg`);
    expect(download?.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);

    // Every URL topic resolves the same upload (the upload method only picks the topic).
    for (const method of [UploadMethod.ALI, UploadMethod.AWS, UploadMethod.STC]) {
      const other = await urlFor(alice, FileType.IMAGE, key, undefined, method);
      expect(other).toMatchObject({ ok: true });
      if (other.ok) expect(other.url.split('/').slice(0, -1)).toEqual(found.url.split('/').slice(0, -1));
    }
  });

  it('takes a header token (checked before the body), the file first, a server-chosen key, and raw PUT bodies', async () => {
    const bob = await online('bob');
    const data = await tokenFor(bob, FileType.FILE, 'report.pdf');
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), noise(40_000, 9)]);
    const res = await postForm(`${server.url}/upload`, [{ name: 'file', value: pdf, filename: '报告 final.pdf' }], { authorization: `UpToken ${data.token}` });
    expect(res?.status).toBe(200);
    const body = res?.json<{ key: string; name: string; mimeType: string }>();
    expect(body?.key).toMatch(/^4__lx_[0-9a-f]{32}\.pdf$/);
    expect(body?.name).toBe('报告 final.pdf');
    expect(body?.mimeType).toBe('application/pdf');
    const found = await urlFor(bob, FileType.FILE, body?.key ?? '');
    if (!found.ok) throw new Error(`getFileUrl failed ${found.code}`);
    const download = await rawRequest(found.url);
    expect(download?.body.equals(pdf)).toBe(true);
    expect(download?.headers['content-disposition']).toBe(`attachment; filename="__ final.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%20final.pdf`);

    const audio = Buffer.from([0xff, 0xf1, 0x50, 0x80, ...noise(5000, 4)]);
    const voice = await tokenFor(bob, FileType.AUDIO);
    const put = await rawRequest(`${server.url}/upload?key=${encodeURIComponent(voice.fileName)}&name=${encodeURIComponent('v "1".aac')}`, { method: 'PUT', headers: { authorization: `UpToken ${voice.token}` }, body: audio });
    expect(put?.status).toBe(200);
    expect(put?.json()).toMatchObject({ key: voice.fileName, name: 'v "1".aac', mimeType: 'audio/aac', fileType: 2 });
    const voiceUrl = await urlFor(bob, FileType.AUDIO, voice.fileName);
    if (!voiceUrl.ok) throw new Error('voice url');
    const voiceDownload = await rawRequest(voiceUrl.url);
    expect(voiceDownload?.body.equals(audio)).toBe(true);
    expect(voiceDownload?.headers['content-disposition']).toBe(`inline; filename="v _1_.aac"; filename*=UTF-8''v%20%221%22.aac`);
  });

  it('serves ranges, conditional requests and HEAD', async () => {
    const carol = await online('carol');
    const data = await tokenFor(carol, FileType.VIDEO);
    const video = mp4(3, 100_000);
    expect((await postForm(server.url, [{ name: 'token', value: data.token }, { name: 'key', value: data.fileName }, { name: 'file', value: video, filename: 'v.mp4' }]))?.status).toBe(200);
    const found = await urlFor(carol, FileType.VIDEO, data.fileName);
    if (!found.ok) throw new Error('url');
    const part = await rawRequest(found.url, { headers: { range: 'bytes=10-19' } });
    expect(part?.status).toBe(206);
    expect(part?.headers['content-range']).toBe(`bytes 10-19/${video.length}`);
    expect(part?.body.equals(video.subarray(10, 20))).toBe(true);
    const tail = await rawRequest(found.url, { headers: { range: 'bytes=-5' } });
    expect(tail?.body.equals(video.subarray(video.length - 5))).toBe(true);
    const open = await rawRequest(found.url, { headers: { range: `bytes=${video.length - 3}-` } });
    expect(open?.body.equals(video.subarray(video.length - 3))).toBe(true);
    const beyond = await rawRequest(found.url, { headers: { range: `bytes=${video.length}-` } });
    expect(beyond?.status).toBe(416);
    expect(beyond?.headers['content-range']).toBe(`bytes */${video.length}`);
    const full = await rawRequest(found.url);
    expect(full?.headers['content-type']).toBe('video/mp4');
    const etag = String(full?.headers.etag);
    expect((await rawRequest(found.url, { headers: { 'if-none-match': etag } }))?.status).toBe(304);
    const stale = await rawRequest(found.url, { headers: { range: 'bytes=0-1', 'if-range': '"other"' } });
    expect(stale?.status).toBe(200);
    expect(stale?.body.length).toBe(video.length);
    const head = await rawRequest(found.url, { method: 'HEAD' });
    expect(head?.status).toBe(200);
    expect(head?.headers['content-length']).toBe(String(video.length));
    expect(head?.body.length).toBe(0);
  });

  it('never serves user uploads as active content', async () => {
    const dave = await online('dave');
    const cases: Array<[number, string, Buffer]> = [
      [FileType.FILE, 'page.html', Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>')],
      [FileType.IMAGE, 'x.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
      [FileType.FILE, 'x.xml', Buffer.from('<?xml version="1.0"?><a/>')],
    ];
    for (const [type, name, bytes] of cases) {
      const data = await tokenFor(dave, type, name);
      const res = await postForm(server.url, [{ name: 'key', value: data.fileName }, { name: 'file', value: bytes, filename: name, contentType: 'text/html' }, { name: 'token', value: data.token }]);
      expect(res?.status).toBe(200);
      const found = await urlFor(dave, type, data.fileName);
      if (!found.ok) throw new Error('url');
      const download = await rawRequest(found.url);
      expect(download?.headers['content-type']).toBe('application/octet-stream');
      expect(download?.headers['content-disposition']).toMatch(/^attachment;/);
      expect(download?.headers['x-content-type-options']).toBe('nosniff');
      expect(download?.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    }
  });

  it('stores and serves a zero-byte file (200, Content-Length 0)', async () => {
    const user = await online('zero');
    const up = await uploadNamed(user, FileType.FILE, 'empty.txt', Buffer.alloc(0));
    expect(up.status).toBe(200);
    expect(up.body?.['size']).toBe(0);
    const found = await urlFor(user, FileType.FILE, up.key);
    if (!found.ok) throw new Error('url');
    const res = await rawRequest(found.url);
    expect(res?.status).toBe(200);
    expect(res?.headers['content-length']).toBe('0');
    expect(res?.body.length).toBe(0);
  });

  it('keeps eight concurrent uploads of one user apart (tokens after the file: half wait for a tokenless slot)', async () => {
    const user = await online('parallel');
    const files = Array.from({ length: 8 }, (_, i) => noise(40_000 + i * 1000, 100 + i));
    const ups = await Promise.all(files.map((bytes, i) => uploadNamed(user, FileType.FILE, `p${i}.bin`, bytes)));
    for (const [i, up] of ups.entries()) {
      expect(up.status).toBe(200);
      const found = await urlFor(user, FileType.FILE, up.key);
      if (!found.ok) throw new Error('url');
      const res = await rawRequest(found.url);
      expect(sha256(res?.body ?? Buffer.alloc(0))).toBe(sha256(files[i] as Buffer));
    }
    expect(staging()).toEqual([]);
  });
});

describe('URLs are private to the uploader and unforgeable', () => {
  it('resolves keys only for their uploader, in their app, with the upload type (33003 otherwise)', async () => {
    const erin = await online('erin');
    const frank = await online('frank');
    const outsider = await online('outsider', OTHER);
    const data = await tokenFor(erin, FileType.IMAGE, 'me.jpg');
    expect((await postForm(server.url, [{ name: 'key', value: data.fileName }, { name: 'file', value: jpeg(1000), filename: 'me.jpg' }, { name: 'token', value: data.token }]))?.status).toBe(200);
    expect(await urlFor(erin, FileType.IMAGE, data.fileName)).toMatchObject({ ok: true });
    expect(await urlFor(frank, FileType.IMAGE, data.fileName)).toEqual({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    expect(await urlFor(outsider, FileType.IMAGE, data.fileName)).toEqual({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    expect(await urlFor(erin, FileType.FILE, data.fileName)).toEqual({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    expect(await urlFor(erin, FileType.IMAGE, 'no-such-key')).toEqual({ ok: false, code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    expect(await urlFor(erin, 9, data.fileName)).toEqual({ ok: false, code: ErrorCode.QNTKN_FILETYPE_ERROR });
  });

  it('answers 404 alike for forged signatures, unknown ids, other apps and traversal attempts', async () => {
    const gina = await online('gina');
    const data = await tokenFor(gina, FileType.FILE);
    // A key full of traversal; it is metadata only, never a path.
    const key = '../../../../etc/passwd';
    expect((await postForm(server.url, [{ name: 'key', value: key }, { name: 'file', value: noise(100), filename: '../../x.bin' }, { name: 'token', value: data.token }]))?.status).toBe(200);
    const found = await urlFor(gina, FileType.FILE, key);
    if (!found.ok) throw new Error('url');
    expect((await rawRequest(found.url))?.status).toBe(200);
    const [, , app = '', id = '', sig = ''] = new URL(found.url).pathname.split('/');
    expect([app, id.length, sig.length]).toEqual([APP.key, 32, 22]);
    expect(new URL(found.url).pathname.split('/')[1]).toBe('files');
    const base = `${server.url}/files`;
    const forged = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    const probes = [
      `${base}/${app}/${id}/${forged}/x`,
      `${base}/${app}/${'0'.repeat(32)}/${sig}/x`,
      `${base}/${OTHER.key}/${id}/${sig}/x`,
      `${base}/${app}/${id}`,
      `${base}/${app}/..%2F..%2F..%2Flianxin.db/${sig}/x`,
      `${base}/..%2F..%2Fdev-app.json/${id}/${sig}`,
      `${base}/${app}/${id.slice(0, 2)}%2F..%2F..%2F..%2Ffile-secret/${sig}`,
      `${base}/${app}/${id}.json/${sig}`,
      `${server.url}/files/../file-secret`,
    ];
    for (const probe of probes) {
      const res = await rawRequest(probe);
      expect([probe, res?.status]).toEqual([probe, 404]);
      expect(res?.body.toString()).not.toContain(data.token.slice(0, 10));
    }
    // Nothing was written outside the store's own layout.
    for (const path of filesUnder(join(server.dataDir, 'files'))) expect(path).toMatch(/^(objects\/[A-Za-z0-9_-]+\/[0-9a-f]{2}\/[0-9a-f]{32}(\.json)?|keys\/[A-Za-z0-9_-]+\/[0-9a-f]{2}\/[0-9a-f]{64}\.json)$/);
  });
});

describe('file names', () => {
  it('cuts a long name at 255 UTF-16 units without splitting a surrogate pair, and serves it (was 500)', async () => {
    const user = await online('longname');
    const name = `${'a'.repeat(254)}😀`; // 256 units: a cut at 255 would keep half of the emoji
    const bytes = noise(300, 7);
    const up = await uploadNamed(user, FileType.FILE, name, bytes);
    expect(up.status).toBe(200);
    expect(up.body?.['name']).toBe('a'.repeat(254));
    const found = await urlFor(user, FileType.FILE, up.key);
    if (!found.ok) throw new Error(`getFileUrl ${found.code}`);
    const res = await rawRequest(found.url);
    expect(res?.status).toBe(200);
    expect(sha256(res?.body ?? Buffer.alloc(0))).toBe(sha256(bytes));
    expect(dispositionName(res?.headers['content-disposition'])).toBe('a'.repeat(254));
    // Within the limit an astral character is kept whole.
    const fits = await uploadNamed(user, FileType.FILE, `${'a'.repeat(253)}😀`, bytes);
    expect(fits.body?.['name']).toBe(`${'a'.repeat(253)}😀`);
  });

  it('answers getFileUrl when the 120-unit URL name would split an emoji, for stored names and the oriName a client passes (was 30014)', async () => {
    const user = await online('urlname');
    const name = `${'b'.repeat(119)}😀.txt`;
    const bytes = noise(200, 8);
    const up = await uploadNamed(user, FileType.FILE, name, bytes);
    expect(up.status).toBe(200);
    const found = await urlFor(user, FileType.FILE, up.key);
    if (!found.ok) throw new Error(`getFileUrl ${found.code}`);
    expect(found.url.endsWith(`/${'b'.repeat(119)}`)).toBe(true);
    expect((await rawRequest(found.url))?.status).toBe(200);
    const given = await urlFor(user, FileType.FILE, up.key, `${'c'.repeat(119)}😀.txt`);
    if (!given.ok) throw new Error(`getFileUrl oriName ${given.code}`);
    expect(given.url.endsWith(`/${'c'.repeat(119)}`)).toBe(true);
    // A lone surrogate in the oriName (whatever the client's encoder made of it) is U+FFFD in the URL.
    const lone = await urlFor(user, FileType.FILE, up.key, 'x\uD83D.txt');
    if (!lone.ok) throw new Error(`getFileUrl lone ${lone.code}`);
    expect(decodeURIComponent(lone.url.split('/').pop() ?? '')).toBe('x\uFFFD.txt');
    expect((await rawRequest(lone.url))?.status).toBe(200);
  });

  it('keeps unicode names, and sends them back in Content-Disposition filename* (RFC 6266)', async () => {
    const user = await online('uniname');
    const name = '报告 "最终" 版😀.pdf';
    const up = await uploadNamed(user, FileType.FILE, name, Buffer.concat([Buffer.from('%PDF-1.4\n'), noise(100)]));
    expect(up.status).toBe(200);
    // The form helper percent-encodes `"` as browsers do (WHATWG), so the stored name keeps `%22`.
    expect(up.body?.['name']).toBe('报告 %22最终%22 版😀.pdf');
    const found = await urlFor(user, FileType.FILE, up.key);
    if (!found.ok) throw new Error('url');
    const res = await rawRequest(found.url);
    expect(res?.status).toBe(200);
    expect(dispositionName(res?.headers['content-disposition'])).toBe(String(up.body?.['name']));
  });

  it('serves a file whose stored name holds a lone surrogate (as older versions stored them) with U+FFFD in its place', async () => {
    const user = await online('oldname');
    const up = await uploadNamed(user, FileType.FILE, 'old.bin', noise(100, 12));
    expect(up.status).toBe(200);
    const found = await urlFor(user, FileType.FILE, up.key);
    if (!found.ok) throw new Error('url');
    const [, , app = '', id = ''] = new URL(found.url).pathname.split('/');
    const metaPath = join(server.dataDir, 'files', 'objects', app, id.slice(0, 2), `${id}.json`);
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(metaPath, JSON.stringify({ ...meta, name: `${'a'.repeat(10)}\uD83D` }));
    const res = await rawRequest(found.url);
    expect(res?.status).toBe(200);
    expect(dispositionName(res?.headers['content-disposition'])).toBe(`${'a'.repeat(10)}\uFFFD`);
    const again = await urlFor(user, FileType.FILE, up.key);
    expect(again).toMatchObject({ ok: true });
    if (again.ok) expect(decodeURIComponent(again.url.split('/').pop() ?? '')).toBe(`${'a'.repeat(10)}\uFFFD`);
  });
});

describe('limits and auth failures leave nothing behind', () => {
  it('refuses missing, forged and malformed tokens (401, code 41002)', async () => {
    const hank = await online('hank');
    const data = await tokenFor(hank, FileType.IMAGE);
    const file = { name: 'file', value: jpeg(5000), filename: 'a.jpg' };
    const forged = `${data.token.slice(0, -2)}${data.token.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const parts of [[file], [file, { name: 'token', value: forged }], [file, { name: 'token', value: 'not-a-token' }]]) {
      await expectNothingStored(async () => {
        const res = await postForm(server.url, parts);
        expect(res?.status).toBe(401);
        expect(res?.json()).toMatchObject({ code: 41002 });
      });
    }
    await expectNothingStored(async () => {
      const res = await postForm(`${server.url}/upload`, [file], { authorization: `UpToken ${forged}` });
      expect(res?.status).toBe(401);
    });
    await expectNothingStored(async () => {
      const res = await rawRequest(`${server.url}/upload?key=k`, { method: 'PUT', body: jpeg(1000) });
      expect(res?.status).toBe(401);
    });
    // Tampering with the claims (another user, a longer life) breaks the signature too.
    const [prefix, payload = '', mac = ''] = data.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const stretched = Buffer.from(JSON.stringify({ ...claims, e: Number(claims['e']) + 86_400_000 })).toString('base64url');
    await expectNothingStored(async () => {
      expect((await postForm(server.url, [file, { name: 'token', value: `${prefix}.${stretched}.${mac}` }]))?.status).toBe(401);
    });
  });

  it('refuses the tokens of a user blocked since they were issued (401, 41002) until unblocked; their stored files stay downloadable', async () => {
    const user = await online('blockme');
    const before = await uploadNamed(user, FileType.FILE, 'before.bin', noise(100, 13));
    const beforeUrl = await urlFor(user, FileType.FILE, before.key);
    if (!beforeUrl.ok) throw new Error('url');
    const data = await tokenFor(user, FileType.FILE, 'b.bin');
    const api = serverApi(server.url, APP.key, APP.secret);
    expect((await api.post<{ code: number }>('/user/block.json', { userId: user.userId, minute: 10 })).body.code).toBe(200);
    const form = [{ name: 'key', value: data.fileName }, { name: 'file', value: noise(100), filename: 'b.bin' }, { name: 'token', value: data.token }];
    await expectNothingStored(async () => {
      const res = await postForm(server.url, form);
      expect(res?.status).toBe(401);
      expect(res?.json()).toEqual({ code: 41002, error: 'upload token of a blocked user' });
    });
    await expectNothingStored(async () => {
      expect((await postForm(`${server.url}/upload`, [form[1] as FormPart], { authorization: `UpToken ${data.token}` }))?.status).toBe(401);
    });
    await expectNothingStored(async () => {
      expect((await postForm(server.url, [form[2] as FormPart, form[1] as FormPart]))?.status).toBe(401);
    });
    // Others keep the files the user sent before.
    expect((await rawRequest(beforeUrl.url))?.status).toBe(200);
    expect((await api.post<{ code: number }>('/user/unblock.json', { userId: user.userId })).body.code).toBe(200);
    expect((await postForm(server.url, form))?.status).toBe(200);
  });

  it("refuses upload tokens issued before the user's tokens were expired (user/token/expire, 401, 41002); a new one works", async () => {
    const user = await online('expireme');
    const old = await tokenFor(user, FileType.FILE, 'old.bin');
    const api = serverApi(server.url, APP.key, APP.secret);
    expect((await api.post<{ code: number }>('/user/token/expire.json', { userId: user.userId, time: Date.now() })).body.code).toBe(200);
    const form = (token: string, key: string): FormPart[] => [
      { name: 'key', value: key },
      { name: 'file', value: noise(100, 7), filename: 'x.bin' },
      { name: 'token', value: token },
    ];
    await expectNothingStored(async () => {
      const res = await postForm(server.url, form(old.token, old.fileName));
      expect(res?.status).toBe(401);
      expect(res?.json()).toEqual({ code: 41002, error: 'upload token of an expired login' });
    });
    // The session stays connected ("connected users stay connected", SERVER_API.md §2.1) and its next token works.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const fresh = await tokenFor(user, FileType.FILE, 'new.bin');
    expect((await postForm(server.url, form(fresh.token, fresh.fileName)))?.status).toBe(200);
  });

  it('refuses the tokens of an app disabled in the console since they were issued, and serves none of its files until it is enabled again', async () => {
    const H = { 'content-type': 'application/json', 'x-lianxin-console': '1' };
    const consoleServer = await startServer({ devApp: true });
    try {
      const password = (await consoleServer.stderrMatch(/console admin password: (\S+)/))[1] ?? '';
      const login = await fetch(`${consoleServer.url}/console/api/login`, { method: 'POST', headers: H, body: JSON.stringify({ password }) });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const post = async (path: string, body: unknown = {}): Promise<Record<string, unknown>> => {
        const res = await fetch(`${consoleServer.url}${path}`, { method: 'POST', headers: { ...H, cookie }, body: JSON.stringify(body) });
        return (await res.json()) as Record<string, unknown>;
      };
      const created = await post('/console/api/apps', { name: 'FilesDisabled' });
      const app: TestApp = { key: String(created['appKey']), secret: String(created['appSecret']) };
      const user = await sdkUser(consoleServer, app, 'disabled');
      await user.connect();
      const kept = await uploadNamed(user, FileType.FILE, 'kept.bin', noise(100, 14), consoleServer);
      expect(kept.status).toBe(200);
      const keptUrl = await urlFor(user, FileType.FILE, kept.key);
      if (!keptUrl.ok) throw new Error('url');
      const data = await tokenFor(user, FileType.FILE, 'a.bin');
      await user.im.disconnect();
      const stored = (): string[] => filesUnder(join(consoleServer.dataDir, 'files', 'objects'));
      const before = stored();
      expect(await post(`/console/api/apps/${app.key}/disable`)).toMatchObject({ code: 200 });
      const form = [{ name: 'key', value: data.fileName }, { name: 'file', value: noise(100), filename: 'a.bin' }, { name: 'token', value: data.token }];
      const res = await postForm(consoleServer.url, form);
      expect(res?.status).toBe(401);
      expect(res?.json()).toEqual({ code: 41002, error: 'upload token of a disabled app' });
      expect(stored()).toEqual(before);
      expect((await rawRequest(keptUrl.url))?.status).toBe(404);
      expect(await post(`/console/api/apps/${app.key}/enable`)).toMatchObject({ code: 200 });
      expect((await rawRequest(keptUrl.url))?.status).toBe(200);
      expect((await postForm(consoleServer.url, form))?.status).toBe(200);
    } finally {
      await consoleServer.stop();
    }
  });

  it('refuses malformed forms (400, code 33003)', async () => {
    const ivy = await online('ivy');
    const data = await tokenFor(ivy, FileType.FILE);
    const auth = { authorization: `UpToken ${data.token}` };
    await expectNothingStored(async () => {
      const res = await postForm(server.url, [{ name: 'token', value: data.token }]);
      expect(res?.status).toBe(400);
      expect(res?.json()).toMatchObject({ code: 33003 });
    });
    await expectNothingStored(async () => {
      const res = await postForm(server.url, [{ name: 'file', value: noise(10), filename: 'a' }, { name: 'file2', value: noise(10), filename: 'b' }], auth);
      expect(res?.status).toBe(400);
    });
    await expectNothingStored(async () => {
      const form = multipart([{ name: 'file', value: noise(50_000), filename: 'a' }]);
      const res = await rawRequest(server.url, { method: 'POST', headers: { ...auth, 'content-type': form.contentType }, body: form.body.subarray(0, form.body.length - 10) });
      expect(res?.status).toBe(400);
    });
    await expectNothingStored(async () => {
      const res = await rawRequest(server.url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: Buffer.from('{}') });
      expect(res?.status).toBe(400);
    });
    await expectNothingStored(async () => {
      const res = await postForm(server.url, [{ name: 'key', value: 'a\u0001b' }, { name: 'file', value: noise(10), filename: 'a' }], auth);
      expect(res?.status).toBe(400);
    });
  });

  it('enforces the per-type size limits while streaming and after the token arrives (413)', async () => {
    const jack = await online('jack');
    const image = await tokenFor(jack, FileType.IMAGE);
    // Header token: refused as soon as the body passes the image limit.
    await expectNothingStored(async () => {
      const res = await postForm(`${server.url}/upload`, [{ name: 'file', value: jpeg(260_000), filename: 'big.jpg' }], { authorization: `UpToken ${image.token}` });
      expect(res?.status).toBe(413);
      expect(res?.json()).toMatchObject({ code: 413 });
    });
    // Official order: 300 KB passes the streaming bound (the largest limit, 400 KB), then fails the image rule.
    await expectNothingStored(async () => {
      const res = await postForm(server.url, [{ name: 'key', value: 'big' }, { name: 'file', value: jpeg(300_000), filename: 'big.jpg' }, { name: 'token', value: image.token }]);
      expect(res?.status).toBe(413);
      expect(res?.json()).toMatchObject({ code: 413 });
    });
    // Beyond every limit: cut off mid-stream, before the token is even seen. The 413 goes out while the client is
    // still sending, and the connection closes behind it: a client that is slow to read may see the reset first
    // (undefined here), which is as much a refusal — what matters is that nothing is stored.
    await expectNothingStored(async () => {
      const res = await postForm(server.url, [{ name: 'key', value: 'huge' }, { name: 'file', value: noise(2_000_000), filename: 'huge.bin' }, { name: 'token', value: image.token }]);
      if (res !== undefined) expect(res.status).toBe(413);
    });
    const raw = await tokenFor(jack, FileType.AUDIO);
    await expectNothingStored(async () => {
      const res = await rawRequest(`${server.url}/upload?key=v`, { method: 'PUT', headers: { authorization: `UpToken ${raw.token}` }, body: noise(150_000) });
      expect(res?.status).toBe(413);
    });
    // Exactly at the limit is fine.
    const ok = await postForm(server.url, [{ name: 'key', value: 'edge' }, { name: 'file', value: jpeg(200 * 1024), filename: 'edge.jpg' }, { name: 'token', value: image.token }]);
    expect(ok?.status).toBe(200);
  });

  it('applies the GIF rule to images (34003) and the sight duration rule (34002)', async () => {
    const kim = await online('kim');
    const image = await tokenFor(kim, FileType.IMAGE);
    await expectNothingStored(async () => {
      const res = await postForm(server.url, [{ name: 'file', value: gif(30_000), filename: 'a.gif' }, { name: 'token', value: image.token }]);
      expect(res?.status).toBe(413);
      expect(res?.json()).toMatchObject({ code: 34003 });
    });
    await expectNothingStored(async () => {
      const res = await postForm(`${server.url}/upload`, [{ name: 'file', value: gif(30_000), filename: 'a.gif' }], { authorization: `UpToken ${image.token}` });
      expect(res?.json()).toMatchObject({ code: 34003 });
    });
    expect((await postForm(server.url, [{ name: 'file', value: gif(20 * 1024), filename: 'ok.gif' }, { name: 'token', value: image.token }]))?.status).toBe(200);
    // The same GIF as a plain file is not an image message: only the file limit applies.
    const file = await tokenFor(kim, FileType.FILE);
    expect((await postForm(server.url, [{ name: 'file', value: gif(30_000), filename: 'a.gif' }, { name: 'token', value: file.token }]))?.status).toBe(200);

    const sight = await tokenFor(kim, FileType.SIGHT);
    for (const moovFirst of [true, false]) {
      await expectNothingStored(async () => {
        const res = await postForm(server.url, [{ name: 'file', value: mp4(15, 20_000, moovFirst), filename: 's.mp4' }, { name: 'token', value: sight.token }]);
        expect(res?.status).toBe(422);
        expect(res?.json()).toMatchObject({ code: 34002 });
      });
    }
    expect((await postForm(server.url, [{ name: 'file', value: mp4(9.5, 20_000, false), filename: 's.mp4' }, { name: 'token', value: sight.token }]))?.status).toBe(200);
    // A 15 s video as a plain video (type 3) is not a sight message.
    const video = await tokenFor(kim, FileType.VIDEO);
    expect((await postForm(server.url, [{ name: 'file', value: mp4(15, 20_000), filename: 'v.mp4' }, { name: 'token', value: video.token }]))?.status).toBe(200);
  });
});

describe('interrupted uploads', () => {
  it('discards the staged bytes when the client goes away mid-upload', async () => {
    const lee = await online('lee');
    const data = await tokenFor(lee, FileType.FILE);
    const before = objects();
    for (const headerToken of [true, false]) {
      const form = multipart([{ name: 'file', value: noise(250_000), filename: 'cut.bin' }, { name: 'token', value: data.token }]);
      const req = http.request(server.url, {
        method: 'POST',
        headers: { 'content-type': form.contentType, 'content-length': String(form.body.length), ...(headerToken ? { authorization: `UpToken ${data.token}` } : {}) },
      });
      req.on('error', () => undefined);
      await new Promise<void>((resolve) => req.write(form.body.subarray(0, 120_000), () => resolve()));
      // Wait until the server has staged some of it, then drop the connection.
      for (let i = 0; i < 100 && staging().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(staging()).toHaveLength(1);
      req.destroy();
      for (let i = 0; i < 100 && staging().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(staging()).toEqual([]);
    }
    expect(objects()).toEqual(before);
  });
});

describe('uploads that stage a file before their token', () => {
  /** Starts a tokenless form (file before token) and sends the first `sent` bytes of it. */
  async function partial(sent: number): Promise<http.ClientRequest> {
    const form = multipart([{ name: 'file', value: noise(250_000), filename: 'slow.bin' }, { name: 'token', value: 'later' }]);
    const req = http.request(server.url, { method: 'POST', headers: { 'content-type': form.contentType, 'content-length': String(form.body.length) } });
    req.on('error', () => undefined);
    await new Promise<void>((resolve) => req.write(form.body.subarray(0, sent), () => resolve()));
    return req;
  }

  async function until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 150 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  it('stages at most four at once from one address; more wait for a slot, uploads with a token first do not', async () => {
    const mia = await online('mia');
    const slow = await Promise.all([1, 2, 3, 4].map(() => partial(60_000)));
    await until(() => staging().length === 4);
    expect(staging()).toHaveLength(4);
    // A fifth tokenless upload (the official plugin's form) is not read, let alone staged, while they run.
    const data = await tokenFor(mia, FileType.FILE, 'fifth.bin');
    const fifthBytes = noise(50_000, 15);
    let fifthDone = false;
    const fifth = postForm(server.url, [{ name: 'key', value: data.fileName }, { name: 'file', value: fifthBytes, filename: 'fifth.bin' }, { name: 'token', value: data.token }]).finally(() => (fifthDone = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(staging()).toHaveLength(4);
    expect(fifthDone).toBe(false);
    // A header token or a token field before the file needs no slot.
    const viaHeader = await tokenFor(mia, FileType.FILE);
    expect((await postForm(`${server.url}/upload`, [{ name: 'file', value: noise(1000), filename: 'h.bin' }], { authorization: `UpToken ${viaHeader.token}` }))?.status).toBe(200);
    const tokenFirst = await tokenFor(mia, FileType.FILE);
    expect((await postForm(server.url, [{ name: 'token', value: tokenFirst.token }, { name: 'file', value: noise(1000), filename: 't.bin' }]))?.status).toBe(200);
    expect(fifthDone).toBe(false);
    // One slow upload gives up: the fifth takes its slot and completes.
    slow[0]?.destroy();
    const res = await fifth;
    expect(res?.status).toBe(200);
    const found = await urlFor(mia, FileType.FILE, data.fileName);
    if (!found.ok) throw new Error('url');
    expect(sha256((await rawRequest(found.url))?.body ?? Buffer.alloc(0))).toBe(sha256(fifthBytes));
    for (const req of slow) req.destroy();
    await until(() => staging().length === 0);
    expect(staging()).toEqual([]);
  });

  it('refuses one that waited tokenlessWaitMs for a slot (429), staging nothing', async () => {
    const small = await startServer({ apps: [APP], args: ['--files', 'tokenlessPerAddress=1,tokenlessWaitMs=300'] });
    try {
      const form = multipart([{ name: 'file', value: noise(250_000), filename: 'slow.bin' }, { name: 'token', value: 'later' }]);
      const req = http.request(small.url, { method: 'POST', headers: { 'content-type': form.contentType, 'content-length': String(form.body.length) } });
      req.on('error', () => undefined);
      await new Promise<void>((resolve) => req.write(form.body.subarray(0, 60_000), () => resolve()));
      const stagedOn = (): string[] => filesUnder(join(small.dataDir, 'files', 'staging'));
      for (let i = 0; i < 150 && stagedOn().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stagedOn()).toHaveLength(1);
      const refused = await postForm(small.url, [{ name: 'file', value: noise(1000), filename: 'x.bin' }, { name: 'token', value: 'whatever' }]);
      expect(refused?.status).toBe(429);
      expect(refused?.json()).toMatchObject({ code: 429 });
      expect(stagedOn()).toHaveLength(1);
      req.destroy();
    } finally {
      await small.stop();
    }
  });
});

describe('restart', () => {
  it('keeps files, download URLs, key lookups and unexpired upload tokens across a server restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lianxin-files-restart-'));
    let first: RunningServer | undefined = await startServer({ apps: [APP], dataDir });
    let second: RunningServer | undefined;
    try {
      const before = await sdkUser(first, APP, 'restarter');
      await before.connect();
      const bytes = jpeg(20_000, 9);
      const data = await tokenFor(before, FileType.IMAGE, 'keep.jpg');
      const spare = await tokenFor(before, FileType.FILE, 'later.bin');
      expect((await postForm(first.url, [{ name: 'key', value: data.fileName }, { name: 'file', value: bytes, filename: 'keep.jpg' }, { name: 'token', value: data.token }]))?.status).toBe(200);
      const found = await urlFor(before, FileType.IMAGE, data.fileName);
      if (!found.ok) throw new Error('url');
      await before.im.disconnect();
      await first.stop();
      first = undefined;

      second = await startServer({ apps: [APP], dataDir });
      // The download URL names host:port of the first process; the path must still resolve.
      const path = new URL(found.url).pathname;
      const res = await rawRequest(`${second.url}${path}`);
      expect(res?.status).toBe(200);
      expect(sha256(res?.body ?? Buffer.alloc(0))).toBe(sha256(bytes));
      const after = await sdkUser(second, APP, 'restarter', { userId: before.userId });
      await after.connect();
      const again = await call<{ downloadUrl: string }>((cb) => after.im.getFileUrl(FileType.IMAGE, data.fileName, undefined, cb));
      expect(again.ok ? new URL(again.value.downloadUrl).pathname.split('/').slice(0, 5) : again).toEqual(path.split('/').slice(0, 5));
      const late = await postForm(second.url, [{ name: 'key', value: spare.fileName }, { name: 'file', value: noise(50), filename: 'later.bin' }, { name: 'token', value: spare.token }]);
      expect(late?.status).toBe(200);
      await after.im.disconnect();
    } finally {
      await first?.stop();
      await second?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('server settings', () => {
  it('expires upload tokens after tokenTtlMs', async () => {
    const short = await startServer({ apps: [APP], args: ['--files', 'tokenTtlMs=400'] });
    try {
      const user = await sdkUser(short, APP, 'ttl');
      await user.connect();
      const data = await tokenFor(user, FileType.FILE);
      expect(data.deadline - Date.now()).toBeLessThanOrEqual(400);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const res = await postForm(short.url, [{ name: 'file', value: noise(10), filename: 'a' }, { name: 'token', value: data.token }]);
      expect(res?.status).toBe(401);
      expect(res?.json()).toMatchObject({ code: 41002, error: 'upload token expired' });
      expect(filesUnder(join(short.dataDir, 'files', 'objects'))).toEqual([]);
      await user.im.disconnect();
    } finally {
      await short.stop();
    }
  });

  it('turns the service off with enabled=0 (topics 39002, no routes)', async () => {
    const off = await startServer({ apps: [APP], args: ['--files', 'enabled=0'] });
    try {
      const user = await sdkUser(off, APP, 'off');
      await user.connect();
      expect(await call((cb) => user.im.getFileToken(FileType.FILE, cb))).toMatchObject({ ok: false, code: ErrorCode.NOT_SUPPORT });
      expect((await postForm(off.url, [{ name: 'file', value: noise(10), filename: 'a' }]))?.status).toBe(404);
      await user.im.disconnect();
    } finally {
      await off.stop();
    }
  });

  it('rejects bad --files settings at startup', async () => {
    const bad = startServer({ apps: [APP], args: ['--files', 'maxGif=lots'], startTimeoutMs: 15_000 });
    await expect(bad).rejects.toThrow(/maxGif/);
  });
});
