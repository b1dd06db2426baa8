/**
 * The Baidu adapter on the `swan` simulator (real sockets and HTTP): the adapter contract plus the
 * host mapping (test/support/host-simulators/host-adapter-cases.ts), then what is Baidu's own:
 * swan.request sends strings only (Baidu converts any other `data` to String), so byte bodies are
 * refused and byte uploads go through a temp file in swan.env.USER_DATA_PATH and swan.uploadFile.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createBaiduAdapter } from '../../platforms/baidu/baidu-adapter';
import type { BaiduHost } from '../../platforms/baidu/baidu-host';
import type { UploadRequest } from '../../src/platform/platform-adapter';
import { HttpRequestError } from '../../src/platform/http-request-error';
import { createSwanSimulator, SimulatedDevice } from '../support/host-simulators';
import { describeHostAdapter, userFilesLeft, useContractServers, waitFor } from '../support/host-simulators/host-adapter-cases';
import { startUploadEchoServer, type ParsedUpload } from '../support/host-simulators/upload-echo-server';

const env = useContractServers();
const MB = 1024 * 1024;

describeHostAdapter({ name: 'baidu (swan simulator)', makeAdapter: (device) => createBaiduAdapter(createSwanSimulator({}, device).host), storageTotalBytes: 10 * MB }, env);

test('baidu: name and capabilities (request bodies: strings only)', () => {
  const adapter = createBaiduAdapter(createSwanSimulator().host);
  expect(adapter.name).toBe('baidu');
  expect(adapter.capabilities).toEqual({ maxConcurrentSockets: 5, binaryFrames: true, binaryRequestBodies: false });
});

describe('baidu: bytes never go through swan.request', () => {
  const devices: SimulatedDevice[] = [];
  let echo: Awaited<ReturnType<typeof startUploadEchoServer>> | undefined;
  beforeAll(async () => {
    echo = await startUploadEchoServer();
  });
  afterAll(async () => {
    await echo?.close();
    for (const device of devices) device.shutdown();
  });
  const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 131 + 7) & 0xff);
  const base = (over: Partial<UploadRequest> = {}): UploadRequest => ({
    url: `${echo?.url ?? ''}/upload`,
    fields: { token: 'tok', key: 'k/1' },
    fileField: 'file',
    fileName: 'photo.jpg',
    contentType: 'image/jpeg',
    source: { kind: 'bytes', bytes },
    timeoutMs: 10_000,
    ...over,
  });
  /** A swan simulator whose uploadFile calls are recorded with whether the file existed then. */
  const setup = (): { device: SimulatedDevice; host: BaiduHost; uploads: Array<{ filePath: string; existed: boolean }> } => {
    const device = new SimulatedDevice();
    devices.push(device);
    const { host } = createSwanSimulator({}, device);
    const uploads: Array<{ filePath: string; existed: boolean }> = [];
    const uploadFile = host.uploadFile?.bind(host);
    if (uploadFile === undefined) throw new Error('no uploadFile');
    const root = host.env?.USER_DATA_PATH ?? '';
    host.uploadFile = (options) => {
      const local = path.join(device.userDataDir, options.filePath.slice(root.length + 1));
      uploads.push({ filePath: options.filePath, existed: options.filePath.startsWith(`${root}/`) && existsSync(local) });
      return uploadFile(options);
    };
    return { device, host, uploads };
  };
  afterEach(() => {
    expect(devices.flatMap((d) => d.misuse)).toEqual([]);
  });

  test('the swan simulator sends ArrayBuffer data as String(data), as Baidu documents (a misuse)', async () => {
    const device = new SimulatedDevice();
    devices.push(device);
    const { host } = createSwanSimulator({}, device);
    const body = await new Promise<unknown>((resolve, reject) => {
      host.request({
        url: `${env().httpUrl}/echo`,
        method: 'POST',
        header: {},
        data: Uint8Array.of(1, 2, 3).buffer,
        dataType: 'string',
        responseType: 'text',
        timeout: 5_000,
        success: (result) => resolve(result.data),
        fail: reject,
      });
    });
    expect(body).toBe('[object ArrayBuffer]');
    expect(device.misuse.splice(0)).toEqual(['swan.request: data must be a string or an object (anything else is sent converted to String)']);
  });

  test('a byte upload goes through a temp user file and swan.uploadFile: the bytes, name and fields arrive, progress grows, the file is removed', async () => {
    const { device, host, uploads } = setup();
    const upload = createBaiduAdapter(host).upload;
    if (upload === undefined) throw new Error('no upload');
    const progress: Array<[number, number]> = [];
    const res = await upload(base({ onProgress: (l, t) => progress.push([l, t]) })).response;
    expect(res.status).toBe(200);
    const parsed = JSON.parse(res.body as string) as ParsedUpload;
    expect(parsed.fields).toEqual({ token: 'tok', key: 'k/1' });
    expect(parsed.file).toMatchObject({ field: 'file', filename: 'photo.jpg', base64: Buffer.from(bytes).toString('base64') });
    expect(uploads).toEqual([{ filePath: expect.stringMatching(/^bdfile:\/\/usr\/lianxin-upload\/[^/]+\/photo\.jpg$/) as unknown, existed: true }]);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[progress.length - 1]).toEqual([progress[progress.length - 1]?.[1], progress[progress.length - 1]?.[1]]);
    await waitFor('temp file removed', () => userFilesLeft(device).length === 0);
  });

  test('two byte uploads with the same name at once each get their own file', async () => {
    const { device, host, uploads } = setup();
    const upload = createBaiduAdapter(host).upload;
    if (upload === undefined) throw new Error('no upload');
    const other = bytes.map((b) => b ^ 0xff);
    const [a, b] = await Promise.all([upload(base()).response, upload(base({ source: { kind: 'bytes', bytes: other } })).response]);
    expect((JSON.parse(a.body as string) as ParsedUpload).file?.base64).toBe(Buffer.from(bytes).toString('base64'));
    expect((JSON.parse(b.body as string) as ParsedUpload).file?.base64).toBe(Buffer.from(other).toString('base64'));
    expect(new Set(uploads.map((u) => u.filePath)).size).toBe(2);
    await waitFor('temp files removed', () => userFilesLeft(device).length === 0);
  });

  test('the temp file is removed after a failed upload, an abort (while writing or sending) and a timeout', async () => {
    const { device, host, uploads } = setup();
    const upload = createBaiduAdapter(host).upload;
    if (upload === undefined) throw new Error('no upload');
    const reasonOf = (e: unknown): unknown => (e instanceof HttpRequestError ? e.reason : e);

    // Nothing listens: the host's uploadFile fails.
    const dead = await upload(base({ url: `http://${env().deadUrl}/upload` })).response.catch(reasonOf);
    expect(dead).toBe('network');
    await waitFor('removed after a failure', () => userFilesLeft(device).length === 0);

    // Aborted before the file is even written: it never reaches uploadFile and is removed once written.
    const early = upload(base());
    early.abort();
    expect(await early.response.catch(reasonOf)).toBe('aborted');
    await waitFor('removed after an early abort', () => userFilesLeft(device).length === 0);
    expect(uploads).toHaveLength(1);

    // Aborted while the host sends it.
    const sending = upload(base({ url: `${echo?.url ?? ''}/upload-slow` }));
    await waitFor('sending', () => uploads.length === 2);
    sending.abort();
    expect(await sending.response.catch(reasonOf)).toBe('aborted');
    await waitFor('removed after an abort', () => userFilesLeft(device).length === 0);

    const slow = await upload(base({ url: `${echo?.url ?? ''}/upload-slow`, timeoutMs: 300 })).response.catch(reasonOf);
    expect(slow).toBe('timeout');
    await waitFor('removed after a timeout', () => userFilesLeft(device).length === 0);
    expect(uploads.every((u) => u.existed)).toBe(true);
  });

  test('what an earlier run left in the upload folder goes with the first byte upload', async () => {
    const { device, host } = setup();
    mkdirSync(path.join(device.userDataDir, 'lianxin-upload', 'old-run'), { recursive: true });
    writeFileSync(path.join(device.userDataDir, 'lianxin-upload', 'old-run', 'big.bin'), Buffer.alloc(1000));
    writeFileSync(path.join(device.userDataDir, 'app-file.txt'), 'the app’s own');
    expect(userFilesLeft(device)).toHaveLength(3);
    const upload = createBaiduAdapter(host).upload;
    if (upload === undefined) throw new Error('no upload');
    expect((await upload(base()).response).status).toBe(200);
    await waitFor('leftovers removed', () => userFilesLeft(device).join() === 'app-file.txt');
  });

  test('a file name that cannot be a path is made safe; the 10 MB user file limit fails the upload with the host reason', async () => {
    const { device, host, uploads } = setup();
    const upload = createBaiduAdapter(host).upload;
    if (upload === undefined) throw new Error('no upload');
    const res = await upload(base({ fileName: '../a/b\\c:d.jpg' })).response;
    expect((JSON.parse(res.body as string) as ParsedUpload).file?.filename).toBe('.._a_b_c_d.jpg');
    expect(uploads[0]?.filePath).toMatch(/\/\.\._a_b_c_d\.jpg$/);
    const huge = upload(base({ source: { kind: 'bytes', bytes: new Uint8Array(10 * 1024 * 1024 + 1) } })).response;
    await expect(huge).rejects.toThrow(/storage limit/);
    await waitFor('nothing left', () => userFilesLeft(device).length === 0);
  });

  test('without a file system manager or USER_DATA_PATH (base library < 3.130.1) a byte upload fails saying why; a path upload still works', async () => {
    const device = new SimulatedDevice();
    devices.push(device);
    const { host } = createSwanSimulator({}, device);
    const old: BaiduHost = { ...host, env: undefined, getFileSystemManager: undefined } as unknown as BaiduHost;
    const upload = createBaiduAdapter(old).upload;
    if (upload === undefined) throw new Error('no upload');
    await expect(upload(base()).response).rejects.toThrow(/no user file directory .*tempFilePath/);
    device.files.set('bdfile://tmp/photo.jpg', bytes);
    const res = await upload(base({ source: { kind: 'path', path: 'bdfile://tmp/photo.jpg' } })).response;
    expect((JSON.parse(res.body as string) as ParsedUpload).file?.base64).toBe(Buffer.from(bytes).toString('base64'));
  });
});
