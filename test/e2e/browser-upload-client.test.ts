/**
 * `UploadClient` (issue #9) in REAL headless Chromium, from the BUILT bundles (dist/lianxin.umd.js
 * with a <script> tag, dist/browser.mjs as an ES module), in a page served on loopback from its own
 * origin (cross-origin to the IM server, like a real app) and used the seed's way:
 *   getFileToken → UploadClient.initFile/initImage(config) → upload(file, { onProgress, onCompleted, onError })
 *   → getFileUrl(fileType, data.filename, data.name, cb, data, data.uploadMethod)
 * with a File from a real <input type="file">. Checked: progress is monotonic and ends at its total,
 * onCompleted's data works with getFileUrl (the download has the identical bytes), initImage's
 * canvas thumbnail is a base64 JPEG inside the documented 160×160 box (and under the seed's 100 KB
 * advice), and refused uploads reach onError with the documented codes (413 too large, 34003 GIF
 * over the GIF limit, 41002 bad token). Needs `npm run build` first (npm test does it).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { bounded, launchChromium, startStaticServer, type ChromiumSession, type StaticServer } from '../support/chromium';
import { serverApi } from '../support/server-api-client';
import { DEFAULT_TEST_APP, REPO_ROOT, startServer, type RunningServer } from '../support/server-launcher';

jest.setTimeout(90_000);

type Bundle = 'umd' | 'esm';

interface UploadOutcome {
  progress: Array<[number, number]>;
  data?: { filename: string; name: string; uploadMethod: number; thumbnail?: string };
  url?: { downloadUrl: string };
  error?: number;
  stage?: string;
}

/** Runs in the page with `window.RongIMLib` set by either bundle. Plain ES2017, no DOM typings needed here. */
const HARNESS = `
(function () {
  var L = window.RongIMLib;
  window.harness = {
    connect: function (appKey, navi, token) {
      L.RongIMClient.init(appKey, null, { navi: navi });
      L.RongIMClient.setConnectionStatusListener({ onChanged: function () {} });
      L.RongIMClient.setOnReceiveMessageListener({ onReceived: function () {} });
      return new Promise(function (resolve, reject) {
        L.RongIMClient.connect(token, {
          onSuccess: resolve,
          onTokenIncorrect: function () { reject(new Error('token incorrect')); },
          onError: function (code) { reject(new Error('connect failed ' + code)); },
        });
      });
    },
    upload: function (image, options) {
      options = options || {};
      var im = L.RongIMClient.getInstance();
      var fileType = image ? L.FileType.IMAGE : L.FileType.FILE;
      var file = document.getElementById('file').files[0];
      var progress = [];
      return new Promise(function (resolve) {
        var config = {
          getToken: function (done) {
            im.getFileToken(fileType, {
              onSuccess: function (data) { done(options.forgeToken ? data.token.slice(0, -6) + 'AAAAAA' : data.token, data); },
              onError: function (code) { resolve({ progress: progress, error: code, stage: 'token' }); },
            });
          },
        };
        (image ? L.UploadClient.initImage : L.UploadClient.initFile)(config, function (uploadFile) {
          uploadFile.upload(file, {
            onProgress: function (loaded, total) { progress.push([loaded, total]); },
            onError: function (code) { resolve({ progress: progress, error: code }); },
            onCompleted: function (data) {
              im.getFileUrl(fileType, data.filename, data.name, {
                onSuccess: function (url) { resolve({ progress: progress, data: data, url: url }); },
                onError: function (code) { resolve({ progress: progress, data: data, error: code, stage: 'url' }); },
              }, data, data.uploadMethod);
            },
          });
        });
      });
    },
    imageSize: function (base64) {
      return new Promise(function (resolve, reject) {
        var img = new Image();
        img.onload = function () { resolve([img.naturalWidth, img.naturalHeight]); };
        img.onerror = function () { reject(new Error('thumbnail is not a decodable image')); };
        img.src = 'data:image/jpeg;base64,' + base64;
      });
    },
  };
})();
`;

const PAGES: Record<Bundle, string> = {
  umd: '<!doctype html><meta charset="utf-8"><title>UploadClient (UMD)</title><input type="file" id="file" aria-label="File"><script src="/dist/lianxin.umd.js"></script><script src="/gen/harness.js"></script>',
  esm: '<!doctype html><meta charset="utf-8"><title>UploadClient (ESM)</title><input type="file" id="file" aria-label="File"><script type="module">import * as RongIMLib from "/dist/browser.mjs"; window.RongIMLib = RongIMLib; const s = document.createElement("script"); s.src = "/gen/harness.js"; document.head.append(s);</script>',
};

const RUN = Date.now().toString(36);
let counter = 0;
let server: RunningServer | undefined;
let statics: StaticServer | undefined;
let session: ChromiumSession | undefined;
const opened: Page[] = [];

/** A real PNG (RGB, gradient) of the given size, so the canvas has something to decode and scale. */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer): number => {
    let c = 0xffffffff;
    for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) raw.set([(x * 255) / width, (y * 255) / height, 128], row + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  for (const file of ['lianxin.umd.js', 'browser.mjs']) {
    if (!existsSync(join(REPO_ROOT, 'dist', file))) throw new Error(`dist/${file} is missing: run \`npm run build\` first`);
  }
  const results = await Promise.allSettled([
    startServer({ args: ['--files', 'maxFile=4M,maxGif=64K'] }).then((s) => (server = s)),
    startStaticServer().then((s) => (statics = s)),
    launchChromium().then((s) => (session = s)),
  ]);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
  statics?.put('/gen/harness.js', HARNESS);
  statics?.put('/gen/umd.html', PAGES.umd);
  statics?.put('/gen/esm.html', PAGES.esm);
}, 60_000);

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((page) => page.context().close()));
});

afterAll(async () => {
  await session?.close();
  await statics?.close();
  await server?.stop();
});

function ready(): { server: RunningServer; statics: StaticServer; session: ChromiumSession } {
  if (server === undefined || statics === undefined || session === undefined) throw new Error('set-up failed');
  return { server, statics, session };
}

/** A connected page on `bundle`. */
async function openPage(bundle: Bundle): Promise<Page> {
  const { server: s, statics: st, session: chromium } = ready();
  const page = await chromium.newPage();
  opened.push(page);
  await bounded(chromium, page, `load the ${bundle} page`, page.goto(st.url(`/gen/${bundle}.html`)));
  await bounded(chromium, page, 'harness ready', page.waitForFunction('typeof window.harness === "object"'));
  counter += 1;
  const userId = `up-${RUN}-${counter}`;
  const answer = await serverApi(s.url, DEFAULT_TEST_APP.key, DEFAULT_TEST_APP.secret).post<{ token: string }>('/user/getToken.json', { userId, name: userId, portraitUri: '' });
  await bounded(chromium, page, 'connect', page.evaluate(([appKey, navi, token]) => (globalThis as unknown as { harness: { connect(a: string, n: string, t: string): Promise<string> } }).harness.connect(appKey, navi, token), [DEFAULT_TEST_APP.key, s.url, answer.body.token] as const));
  return page;
}

async function upload(page: Page, file: { name: string; mimeType: string; buffer: Buffer }, image: boolean, options: { forgeToken?: boolean } = {}): Promise<UploadOutcome> {
  const { session: chromium } = ready();
  await page.setInputFiles('#file', file);
  return bounded(chromium, page, `upload ${file.name}`, page.evaluate(([isImage, opts]) => (globalThis as unknown as { harness: { upload(i: boolean, o: unknown): Promise<UploadOutcome> } }).harness.upload(isImage, opts), [image, options] as const), 30_000);
}

function expectMonotonicToTotal(progress: Array<[number, number]>, atLeast: number): void {
  expect(progress.length).toBeGreaterThan(0);
  for (let i = 1; i < progress.length; i++) {
    const [loaded, total] = progress[i] as [number, number];
    const [prevLoaded, prevTotal] = progress[i - 1] as [number, number];
    expect(loaded).toBeGreaterThanOrEqual(prevLoaded);
    expect(total).toBeGreaterThanOrEqual(prevTotal);
    expect(loaded).toBeLessThanOrEqual(total);
  }
  const [lastLoaded, lastTotal] = progress[progress.length - 1] as [number, number];
  expect(lastLoaded).toBe(lastTotal);
  // The total is the whole multipart body: the file plus the form around it.
  expect(lastTotal).toBeGreaterThanOrEqual(atLeast);
}

describe.each(['umd', 'esm'] as const)('UploadClient from the %s bundle in Chromium', (bundle) => {
  it('initFile: monotonic progress to the total, onCompleted data → getFileUrl → the identical bytes', async () => {
    const page = await openPage(bundle);
    const bytes = randomBytes(3 * 1024 * 1024 + 123);
    const outcome = await upload(page, { name: `report-${bundle}.bin`, mimeType: 'application/octet-stream', buffer: bytes }, false);
    expect(outcome.error).toBeUndefined();
    expectMonotonicToTotal(outcome.progress, bytes.length);
    expect(outcome.data).toMatchObject({ name: `report-${bundle}.bin`, uploadMethod: 1 });
    expect(outcome.data?.filename).toMatch(/\S/);
    const downloadUrl = outcome.url?.downloadUrl ?? '';
    expect(downloadUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const downloaded = await fetch(downloadUrl);
    expect(downloaded.status).toBe(200);
    expect(sha256(new Uint8Array(await downloaded.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('initImage: a canvas thumbnail, base64 JPEG within 160×160 (elongated images cropped to 2.4:1), plus the upload', async () => {
    const page = await openPage(bundle);
    const image = png(800, 400);
    const outcome = await upload(page, { name: 'wide.png', mimeType: 'image/png', buffer: image }, true);
    expect(outcome.error).toBeUndefined();
    expectMonotonicToTotal(outcome.progress, image.length);
    const thumbnail = outcome.data?.thumbnail ?? '';
    expect(thumbnail).not.toMatch(/^data:/);
    const jpeg = Buffer.from(thumbnail, 'base64');
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(thumbnail.length).toBeLessThan(100 * 1024);
    const size = await page.evaluate((b64) => (globalThis as unknown as { harness: { imageSize(b: string): Promise<[number, number]> } }).harness.imageSize(b64), thumbnail);
    expect(size).toEqual([160, 80]);
    const downloaded = await fetch(outcome.url?.downloadUrl ?? '');
    expect(sha256(new Uint8Array(await downloaded.arrayBuffer()))).toBe(sha256(image));

    // A panorama (10:1) is center-cropped to 2.4:1 before shrinking: 160 × 67.
    const panorama = await upload(page, { name: 'pano.png', mimeType: 'image/png', buffer: png(1000, 100) }, true);
    const panoSize = await page.evaluate((b64) => (globalThis as unknown as { harness: { imageSize(b: string): Promise<[number, number]> } }).harness.imageSize(b64), panorama.data?.thumbnail ?? '');
    expect(panoSize).toEqual([160, 67]);
  });

  it('refused uploads reach onError with the documented code: 413 too large, 34003 GIF over the limit, 41002 bad token', async () => {
    const page = await openPage(bundle);
    const tooLarge = await upload(page, { name: 'big.bin', mimeType: 'application/octet-stream', buffer: randomBytes(5 * 1024 * 1024) }, false);
    expect(tooLarge).toMatchObject({ error: 413 });
    expect(tooLarge.data).toBeUndefined();
    // A GIF (sniffed from its bytes) above maxGif=64K as an image.
    const gif = Buffer.concat([Buffer.from('GIF89a', 'ascii'), randomBytes(100 * 1024)]);
    expect(await upload(page, { name: 'anim.gif', mimeType: 'image/gif', buffer: gif }, true)).toMatchObject({ error: 34003 });
    expect(await upload(page, { name: 'x.bin', mimeType: 'application/octet-stream', buffer: randomBytes(1000) }, false, { forgeToken: true })).toMatchObject({ error: 41002 });
  });
});
