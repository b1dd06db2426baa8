/**
 * Media through each host simulator's uploader, end to end against the real server: the RongCloud
 * upload plugin API (createUploadClient) on the host adapter uploads a picked image by its
 * `tempFilePath` (the host's uploadFile, with progress) and raw bytes (a multipart request; on
 * Baidu, whose request sends strings only, a temp user file through uploadFile, removed after); the
 * receiver downloads the URL from the message and gets the same bytes.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import { ConversationType, createUploadClient, FileMessage, FileType, ImageMessage } from '../../src/index';
import type { FileTokenResult, Message, UploadResult } from '../../src/index';
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { SimulatedDevice, SIMULATED_HOST_IDS, simulatedAdapter, type SimulatedHostId } from '../support/host-simulators';
import { userFilesLeft, waitFor } from '../support/host-simulators/host-adapter-cases';
import { call, ok, sdkUser, useSdkAdapter, type SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxhostmedia', secret: 'lxhostmediasecret', options: { maxSendRate: 1000 } };
const THUMB = '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=';
let server: RunningServer;
const users: SdkUser[] = [];
const devices: SimulatedDevice[] = [];
let nextHost: SimulatedHostId = 'wechat';
let nextDevice: SimulatedDevice | undefined;
const adapters = new Map<SdkUser, PlatformAdapter>();
let lastAdapter: PlatformAdapter | undefined;

useSdkAdapter(() => {
  const device = nextDevice ?? new SimulatedDevice();
  nextDevice = undefined;
  devices.push(device);
  lastAdapter = simulatedAdapter(nextHost, device);
  return lastAdapter;
});

beforeAll(async () => {
  server = await startServer({ apps: [APP] });
});
afterAll(async () => {
  for (const device of devices) device.shutdown();
  await server?.stop();
});
afterEach(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
  expect(devices.flatMap((d) => d.misuse)).toEqual([]);
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Deterministic bytes; a JPEG signature first when asked (the server checks image types). */
function sample(length: number, jpegHeader: boolean): Uint8Array {
  const out = Uint8Array.from({ length }, (_, i) => (i * 7919 + 13) & 0xff);
  if (jpegHeader) out.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return out;
}

function download(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${url} → ${res.statusCode}`))));
    }).on('error', reject);
  });
}

async function online(host: SimulatedHostId, name: string, device = new SimulatedDevice()): Promise<{ user: SdkUser; device: SimulatedDevice }> {
  nextHost = host;
  nextDevice = device;
  const user = await sdkUser(server, APP, name);
  if (lastAdapter !== undefined) adapters.set(user, lastAdapter);
  users.push(user);
  await user.connect();
  return { user, device };
}

function upload(user: SdkUser, fileType: number, file: unknown, image: boolean): Promise<{ data: UploadResult; progress: Array<[number, number]> }> {
  const adapter = adapters.get(user);
  if (adapter === undefined) throw new Error('no adapter');
  const client = createUploadClient(adapter, { navi: () => user.im.getNavi() });
  const progress: Array<[number, number]> = [];
  return new Promise((resolve, reject) => {
    (image ? client.initImage : client.initFile)(
      {
        domain: 'upload.qiniup.com',
        fileType,
        getToken: (callback) =>
          user.im.getFileToken(fileType, { onSuccess: (data) => callback((data as FileTokenResult).token, data), onError: (code) => reject(new Error(`token ${code}`)) }),
      },
      (uploadFile) =>
        uploadFile.upload(file, {
          onProgress: (loaded, total) => progress.push([loaded, total]),
          onCompleted: (data) => resolve({ data, progress }),
          onError: (code) => reject(new Error(`upload failed ${code}`)),
        }),
    );
  });
}

async function urlOf(user: SdkUser, fileType: number, data: UploadResult): Promise<string> {
  const result = await ok(call<{ downloadUrl: string }>((cb) => user.im.getFileUrl(fileType, data.filename, data.name, cb, data, data.uploadMethod)), 'getFileUrl');
  return result.downloadUrl;
}

async function deliver(from: SdkUser, to: SdkUser, message: unknown, objectName: string): Promise<Message> {
  await ok(call((cb) => from.im.sendMessage(ConversationType.PRIVATE, to.userId, message, cb)), `send ${objectName}`);
  return to.next((m) => m.objectName === objectName && m.senderUserId === from.userId);
}

describe.each(SIMULATED_HOST_IDS.map((id) => [id]))('%s', (host) => {
  test('an image picked as tempFilePath goes up through the host uploader with progress; the peer downloads the same bytes', async () => {
    const { user: alice, device } = await online(host, 'alice');
    const { user: bob } = await online(host, 'bob');
    const bytes = sample(200_000, true);
    device.files.set('tmp://picked/photo.jpg', bytes);
    const { data, progress } = await upload(alice, FileType.IMAGE, { tempFilePath: 'tmp://picked/photo.jpg', size: bytes.byteLength }, true);
    expect(data).toMatchObject({ name: 'photo.jpg', size: bytes.byteLength });
    expect(progress.length).toBeGreaterThan(1);
    const [loaded, total] = progress[progress.length - 1] ?? [0, 0];
    expect(loaded).toBe(total);
    const url = await urlOf(alice, FileType.IMAGE, data);
    const got = await deliver(alice, bob, new ImageMessage({ content: THUMB, imageUri: url }), 'RC:ImgMsg');
    expect(sha256(await download(String(got.content['imageUri'])))).toBe(sha256(bytes));
  });

  test('bytes go up (a multipart request, or a temp file where request sends strings only); the peer downloads the same bytes', async () => {
    const { user: alice, device } = await online(host, 'alice');
    const { user: bob } = await online(host, 'bob');
    const bytes = sample(50_000, false);
    const { data } = await upload(alice, FileType.FILE, { data: bytes, name: 'notes.bin', type: 'application/octet-stream' }, false);
    expect(data).toMatchObject({ name: 'notes.bin', size: bytes.byteLength });
    await waitFor('no temp files left', () => userFilesLeft(device).length === 0);
    const url = await urlOf(alice, FileType.FILE, data);
    const got = await deliver(alice, bob, new FileMessage({ name: 'notes.bin', size: bytes.byteLength, type: 'bin', fileUrl: url }), 'RC:FileMsg');
    expect(sha256(await download(String(got.content['fileUrl'])))).toBe(sha256(bytes));
  });
});
