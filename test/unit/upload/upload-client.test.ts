/**
 * The upload helper against a scripted host (the adapter is the host boundary): what it sends (form
 * fields, header token, file part), where it sends it, how progress is cleaned up (non-decreasing,
 * ending at the total), how answers and failures reach the plugin-style callbacks, and thumbnails
 * through the optional host capability.
 */
import { createUploadClient, describeUploadFile, ErrorCode, resolveUploadUrl } from '../../../src/index';
import type { UploadCallbacks, UploadConfig, UploadRequest, UploadResult } from '../../../src/index';
import type { HttpResponse, PlatformAdapter } from '../../../src/platform/platform-adapter';
import { HttpRequestError } from '../../../src/platform/http-request-error';
import { stripDataUrl, thumbnailGeometry } from '../../../src/upload/thumbnail-geometry';

interface Script {
  progress?: Array<[number, number]>;
  response?: HttpResponse;
  error?: Error;
}

function fakeHost(script: Script, extra: Partial<PlatformAdapter> = {}): { platform: PlatformAdapter; requests: UploadRequest[]; aborted: number[] } {
  const requests: UploadRequest[] = [];
  const aborted: number[] = [];
  const platform = {
    upload(request: UploadRequest) {
      requests.push(request);
      let reject: (error: Error) => void = () => undefined;
      const response = new Promise<HttpResponse>((resolve, fail) => {
        reject = fail;
        void Promise.resolve().then(() => {
          for (const [loaded, total] of script.progress ?? []) request.onProgress?.(loaded, total);
          if (script.error) fail(script.error);
          else if (script.response) resolve(script.response);
        });
      });
      return { response, abort: () => { aborted.push(requests.length); reject(new HttpRequestError('aborted', 'aborted')); } };
    },
    ...extra,
  } as unknown as PlatformAdapter;
  return { platform, requests, aborted };
}

function run(platform: PlatformAdapter, file: unknown, config: UploadConfig, image = false): Promise<{ data?: UploadResult & { thumbnail?: string }; error?: number; progress: Array<[number, number]> }> {
  const client = createUploadClient(platform, { navi: () => ({ uploadServer: 'http://im.example.com:9200' }) });
  const progress: Array<[number, number]> = [];
  return new Promise((resolve) => {
    const callbacks: UploadCallbacks = {
      onProgress: (loaded, total) => progress.push([loaded, total]),
      onCompleted: (data) => resolve({ data, progress }),
      onError: (error) => resolve({ error, progress }),
    };
    (image ? client.initImage : client.initFile)(config, (handle) => handle.upload(file, callbacks));
  });
}

const ok = (json: object): HttpResponse => ({ status: 200, headers: {}, body: JSON.stringify(json) });
const tokenData = { token: 'lx1.t.s', fileName: '1__RC-2026-1-2_3_4abc.jpg', qiniu: 'http://files.example.com:9200' };

describe('what is sent', () => {
  it('posts the plugin form (key, token, extras) with the token also in the header, to the token data server', async () => {
    const { platform, requests } = fakeHost({ response: ok({ key: tokenData.fileName, hash: 'h' }) });
    const result = await run(platform, { data: new Uint8Array([1, 2, 3]), name: 'a.jpg', type: 'image/jpeg' }, {
      getToken: (cb) => cb(tokenData.token, tokenData),
      multi_parmas: { extra: 1, token: 'ignored' },
      headers: { 'X-App': 'y' },
    });
    expect(result.data).toEqual({ key: tokenData.fileName, hash: 'h', filename: tokenData.fileName, name: 'a.jpg', uploadMethod: 1 });
    const [request] = requests;
    expect(request).toMatchObject({
      url: 'http://files.example.com:9200',
      fields: { key: tokenData.fileName, token: 'lx1.t.s', extra: '1' },
      headers: { 'X-App': 'y', Authorization: 'UpToken lx1.t.s' },
      fileField: 'file',
      fileName: 'a.jpg',
      contentType: 'image/jpeg',
      source: { kind: 'bytes', bytes: new Uint8Array([1, 2, 3]) },
    });
  });

  it('uses the configured field names and, without token data, a random key with the extension', async () => {
    const { platform, requests } = fakeHost({ response: ok({}) });
    const result = await run(platform, '/tmp/dir/photo.png', { getToken: (cb) => cb('tok'), file_data_name: 'upfile', unique_key: 'objectKey' });
    const [request] = requests;
    expect(request?.url).toBe('http://im.example.com:9200');
    expect(request?.fileField).toBe('upfile');
    expect(Object.keys(request?.fields ?? {})).toEqual(['objectKey', 'token']);
    expect(request?.fields['objectKey']).toMatch(/^[0-9a-f]{18}\.png$/);
    expect(request?.source).toEqual({ kind: 'path', path: '/tmp/dir/photo.png' });
    expect(result.data?.filename).toBe(request?.fields['objectKey']);
    expect(result.data?.name).toBe('photo.png');
  });
});

describe('resolveUploadUrl', () => {
  it('prefers uploadUrl, then the token data, then the navi, then domain; adds a scheme to bare hosts', () => {
    expect(resolveUploadUrl({ uploadUrl: 'https://u/x', domain: 'd' }, { qiniu: 'http://q' }, 'http://n')).toBe('https://u/x');
    expect(resolveUploadUrl({ domain: 'upload.qiniup.com' }, { qiniu: 'http://q:1' }, 'http://n')).toBe('http://q:1');
    expect(resolveUploadUrl({ domain: 'upload.qiniup.com' }, undefined, 'http://n:2')).toBe('http://n:2');
    expect(resolveUploadUrl({ domain: 'upload.qiniup.com' }, undefined, undefined)).toBe('https://upload.qiniup.com');
    expect(resolveUploadUrl({ domain: '//h.example' }, undefined, undefined)).toBe('https://h.example');
    expect(resolveUploadUrl({}, { qiniu: 'files.example.com' }, undefined)).toBe('https://files.example.com');
    expect(resolveUploadUrl({}, {}, undefined)).toBeUndefined();
  });
});

describe('progress', () => {
  it('reaches the app non-decreasing, bounded by the total, and ends at (total, total)', async () => {
    const { platform } = fakeHost({ progress: [[10, 100], [10, 100], [5, 100], [60, 100], [150, 100], [90, 100]], response: ok({}) });
    const { progress, data } = await run(platform, new Uint8Array(80), { getToken: (cb) => cb('t') });
    expect(data).toBeDefined();
    expect(progress).toEqual([[10, 100], [60, 100], [100, 100]]);
  });

  it('completes with (size, size) when the host reported nothing', async () => {
    const { platform } = fakeHost({ response: ok({}) });
    expect((await run(platform, new Uint8Array(42), { getToken: (cb) => cb('t') })).progress).toEqual([[42, 42]]);
  });
});

describe('failures', () => {
  it('passes the server code, else the HTTP status; maps timeouts, network errors, hosts and bad files', async () => {
    const refuse = fakeHost({ response: { status: 413, headers: {}, body: '{"code":34003,"error":"GIF"}' } });
    expect((await run(refuse.platform, new Uint8Array(1), { getToken: (cb) => cb('t') })).error).toBe(34003);
    const plain = fakeHost({ response: { status: 502, headers: {}, body: '<html>bad gateway</html>' } });
    expect((await run(plain.platform, new Uint8Array(1), { getToken: (cb) => cb('t') })).error).toBe(502);
    const timeout = fakeHost({ error: new HttpRequestError('timeout', 't') });
    expect((await run(timeout.platform, new Uint8Array(1), { getToken: (cb) => cb('t') })).error).toBe(ErrorCode.RC_HTTP_REQ_TIMEOUT);
    const network = fakeHost({ error: new HttpRequestError('network', 'n') });
    expect((await run(network.platform, new Uint8Array(1), { getToken: (cb) => cb('t') })).error).toBe(ErrorCode.RC_HTTP_SEND_FAIL);
    const unsupported = fakeHost({ error: new Error('browsers cannot upload from a file path') });
    expect((await run(unsupported.platform, 'a/b', { getToken: (cb) => cb('t') })).error).toBe(ErrorCode.RC_HTTP_SEND_FAIL);
    const noHost = {} as PlatformAdapter;
    expect((await run(noHost, new Uint8Array(1), { getToken: (cb) => cb('t') })).error).toBe(ErrorCode.NOT_SUPPORT);
    expect((await run(fakeHost({}).platform, null, { getToken: (cb) => cb('t') })).error).toBe(ErrorCode.BIZ_ERROR_INVALID_PARAMETER);
    const nowhere = createUploadClient(fakeHost({}).platform);
    const error = await new Promise((resolve) => nowhere.initFile({ getToken: (cb) => cb('t') }, (h) => h.upload(new Uint8Array(1), { onError: resolve })));
    expect(error).toBe(ErrorCode.BIZ_ERROR_INVALID_PARAMETER);
  });

  it('survives app callbacks that throw', async () => {
    const { platform } = fakeHost({ progress: [[1, 2]], response: ok({}) });
    const client = createUploadClient(platform, { navi: () => ({ uploadServer: 'http://x' }) });
    const done = await new Promise<boolean>((resolve) => {
      client.initFile({ getToken: (cb) => cb('t') }, (h) =>
        h.upload(new Uint8Array(2), {
          onProgress: () => {
            throw new Error('app bug');
          },
          onCompleted: () => resolve(true),
        }),
      );
    });
    expect(done).toBe(true);
  });
});

describe('thumbnails (initImage)', () => {
  it('adds data.thumbnail from the host capability with the plugin defaults', async () => {
    const calls: unknown[] = [];
    const { platform } = fakeHost({ response: ok({}) }, {
      createThumbnail: (source, options) => {
        calls.push([source, options]);
        return Promise.resolve({ base64: 'QUJD', width: 10, height: 5 });
      },
    });
    const result = await run(platform, new Uint8Array(3), { getToken: (cb) => cb('t') }, true);
    expect(result.data?.thumbnail).toBe('QUJD');
    expect(calls).toEqual([[{ kind: 'bytes', bytes: new Uint8Array(3) }, { maxWidth: 160, maxHeight: 160, quality: 0.5, scale: 2.4 }]]);
    // initFile never asks for one; a failing host still completes the upload.
    expect((await run(platform, new Uint8Array(3), { getToken: (cb) => cb('t') })).data?.thumbnail).toBeUndefined();
    const failing = fakeHost({ response: ok({}) }, { createThumbnail: () => Promise.reject(new Error('no canvas')) });
    const degraded = await run(failing.platform, new Uint8Array(3), { getToken: (cb) => cb('t'), width: 240, height: 240 }, true);
    expect(degraded.data).toBeDefined();
    expect(degraded.data?.thumbnail).toBeUndefined();
  });

  it('computes the thumbnail box: shrink to fit, center-crop beyond the aspect threshold, never enlarge', () => {
    const box = { maxWidth: 160, maxHeight: 160, quality: 0.5, scale: 2.4 };
    expect(thumbnailGeometry(800, 600, box)).toEqual({ sx: 0, sy: 0, sw: 800, sh: 600, width: 160, height: 120 });
    expect(thumbnailGeometry(100, 50, box)).toEqual({ sx: 0, sy: 0, sw: 100, sh: 50, width: 100, height: 50 });
    expect(thumbnailGeometry(1000, 100, box)).toEqual({ sx: 380, sy: 0, sw: 240, sh: 100, width: 160, height: 67 });
    expect(thumbnailGeometry(100, 1000, box)).toEqual({ sx: 0, sy: 380, sw: 100, sh: 240, width: 67, height: 160 });
    expect(thumbnailGeometry(0, 0, box)).toMatchObject({ width: 1, height: 1 });
    expect(stripDataUrl('data:image/jpeg;base64,AAAA')).toBe('AAAA');
    expect(stripDataUrl('AAAA')).toBe('AAAA');
  });
});

describe('describeUploadFile', () => {
  it('recognises bytes, paths, mini-program temp files, named bytes and host file objects', () => {
    const bytes = new Uint8Array([1, 2]);
    expect(describeUploadFile(bytes)).toEqual({ source: { kind: 'bytes', bytes }, name: '', type: 'application/octet-stream', size: 2 });
    expect(describeUploadFile(bytes.buffer)?.source).toEqual({ kind: 'bytes', bytes: new Uint8Array([1, 2]) });
    expect(describeUploadFile('C:\\x\\a.txt')).toMatchObject({ source: { kind: 'path', path: 'C:\\x\\a.txt' }, name: 'a.txt', size: undefined });
    expect(describeUploadFile({ tempFilePath: 'wxfile://tmp_1.jpg', size: 9 })).toMatchObject({ source: { kind: 'path', path: 'wxfile://tmp_1.jpg' }, name: 'tmp_1.jpg', size: 9 });
    expect(describeUploadFile({ data: bytes, name: 'n.bin', type: 'x/y' })).toMatchObject({ name: 'n.bin', type: 'x/y', size: 2 });
    const file = { name: 'f.png', size: 10, type: 'image/png', slice: () => undefined };
    expect(describeUploadFile(file)).toEqual({ source: { kind: 'host', value: file }, name: 'f.png', type: 'image/png', size: 10 });
    for (const bad of [null, undefined, 3, '', true]) expect(describeUploadFile(bad)).toBeUndefined();
  });
});
