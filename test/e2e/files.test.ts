/**
 * Media end to end on the Node adapter: getFileToken → UploadClient (the RongCloud plugin API over
 * PlatformAdapter.upload) → getFileUrl → send Image/File/HQVoice/Sight/GIF messages → the receiver
 * downloads the URL from the message and gets the identical bytes. Progress is checked to only grow
 * and to end at its total; refusals reach `onError` with their codes; a host without the upload
 * primitive gets 39002.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import {
  ConversationType,
  createUploadClient,
  ErrorCode,
  FileMessage,
  FileType,
  GIFMessage,
  HQVoiceMessage,
  ImageMessage,
  SightMessage,
  UploadMethod,
} from '../../src/index';
import type { FileTokenResult, Message, UploadConfig, UploadResult } from '../../src/index';
import type { PlatformAdapter } from '../../src/platform/platform-adapter';
import { startServer } from '../support/server-launcher';
import type { RunningServer, TestApp } from '../support/server-launcher';
import { aac, gif, jpeg, mp4, noise, rawRequest, sha256 } from './files-support';
import { call, ok, sdkUser } from './sdk-api-support';
import type { SdkUser } from './sdk-api-support';

const APP: TestApp = { key: 'lxmedia', secret: 'lxmediasecret', options: { maxSendRate: 1000 } };
// A 1×1 JPEG thumbnail (base64, no prefix) for ImageMessage / SightMessage `content`.
const THUMB = '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=';

let server: RunningServer;
const users: SdkUser[] = [];
let tmp: string;

beforeAll(async () => {
  server = await startServer({ apps: [APP], args: ['--files', 'maxGif=20K,maxSightSeconds=10'] });
  tmp = mkdtempSync(join(tmpdir(), 'lianxin-media-'));
});
afterAll(async () => {
  for (const user of users.splice(0)) await user.im.disconnect();
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function online(name: string): Promise<SdkUser> {
  const user = await sdkUser(server, APP, name);
  users.push(user);
  await user.connect();
  return user;
}

interface Uploaded {
  readonly data: UploadResult & { thumbnail?: string };
  readonly progress: Array<[number, number]>;
}

/** The seed's flow: UploadClient.initFile/initImage with a getToken that asks the IM client. */
function upload(user: SdkUser, fileType: number, file: unknown, options: { image?: boolean; platform?: PlatformAdapter; config?: Partial<UploadConfig>; passData?: boolean } = {}): Promise<Uploaded> {
  const client = createUploadClient(options.platform ?? createNodeAdapter(), { navi: () => user.im.getNavi() });
  const progress: Array<[number, number]> = [];
  const config: UploadConfig = {
    domain: 'upload.qiniup.com',
    fileType,
    getToken: (callback) => {
      user.im.getFileToken(fileType, {
        onSuccess: (data) => (options.passData === false ? callback((data as FileTokenResult).token) : callback((data as FileTokenResult).token, data)),
        onError: (code) => progress.push([-1, code]),
      });
    },
    ...options.config,
  };
  return new Promise((resolve, reject) => {
    const init = options.image === true ? client.initImage : client.initFile;
    init(config, (uploadFile) => {
      uploadFile.upload(file, {
        onProgress: (loaded, total) => progress.push([loaded, total]),
        onCompleted: (data) => resolve({ data, progress }),
        onError: (code) => reject(Object.assign(new Error(`upload failed ${code}`), { code })),
      });
    });
  });
}

function expectGoodProgress(progress: ReadonlyArray<[number, number]>, size: number): void {
  expect(progress.length).toBeGreaterThan(0);
  for (let i = 1; i < progress.length; i++) {
    expect((progress[i] as [number, number])[0]).toBeGreaterThan((progress[i - 1] as [number, number])[0]);
  }
  const [lastLoaded, lastTotal] = progress[progress.length - 1] as [number, number];
  expect(lastLoaded).toBe(lastTotal);
  expect(lastTotal).toBeGreaterThanOrEqual(size);
  for (const [loaded, total] of progress) expect(loaded).toBeLessThanOrEqual(total);
}

async function urlOf(user: SdkUser, fileType: number, data: UploadResult): Promise<string> {
  const result = await ok(call<{ downloadUrl: string }>((cb) => user.im.getFileUrl(fileType, data.filename, data.name, cb, data, data.uploadMethod)), 'getFileUrl');
  return result.downloadUrl;
}

async function downloaded(url: string): Promise<Buffer> {
  const res = await rawRequest(url);
  if (res?.status !== 200) throw new Error(`download ${url} → ${res?.status}`);
  return res.body;
}

async function deliver(from: SdkUser, to: SdkUser, message: unknown, objectName: string): Promise<Message> {
  await ok(call((cb) => from.im.sendMessage(ConversationType.PRIVATE, to.userId, message, cb)), `send ${objectName}`);
  return to.next((m) => m.objectName === objectName && m.senderUserId === from.userId);
}

describe('media messages carry URLs the receiver downloads byte for byte', () => {
  it('ImageMessage (initImage, bytes)', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const bytes = jpeg(300_000);
    const { data, progress } = await upload(alice, FileType.IMAGE, { data: bytes, name: 'photo.jpg', type: 'image/jpeg' }, { image: true });
    expectGoodProgress(progress, bytes.length);
    expect(data).toMatchObject({ name: 'photo.jpg', uploadMethod: UploadMethod.QINIU, hash: sha256(bytes), size: bytes.length });
    expect(data.filename).toMatch(/^1__RC-\d{4}-/);
    // The Node host cannot draw: no thumbnail, the app supplies its own.
    expect(data.thumbnail).toBeUndefined();
    const url = await urlOf(alice, FileType.IMAGE, data);
    const got = await deliver(alice, bob, new ImageMessage({ content: THUMB, imageUri: url }), 'RC:ImgMsg');
    expect(got.content['content']).toBe(THUMB);
    expect(sha256(await downloaded(String(got.content['imageUri'])))).toBe(sha256(bytes));
  });

  it('FileMessage (initFile, from a file path)', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const bytes = noise(1_500_000, 11);
    const path = join(tmp, '季度 report.bin');
    writeFileSync(path, bytes);
    const { data, progress } = await upload(alice, FileType.FILE, path);
    expectGoodProgress(progress, bytes.length);
    expect(data.name).toBe('季度 report.bin');
    const url = await urlOf(alice, FileType.FILE, data);
    const got = await deliver(alice, bob, new FileMessage({ name: data.name, size: bytes.length, type: 'bin', fileUrl: url }), 'RC:FileMsg');
    expect(got.content).toMatchObject({ name: '季度 report.bin', size: bytes.length, type: 'bin' });
    expect(sha256(await downloaded(String(got.content['fileUrl'])))).toBe(sha256(bytes));
  });

  it('HQVoiceMessage (initFile, { path } object)', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const bytes = aac(48_000);
    const path = join(tmp, 'voice.aac');
    writeFileSync(path, bytes);
    const { data, progress } = await upload(alice, FileType.AUDIO, { path, name: 'voice.aac', type: 'audio/aac' });
    expectGoodProgress(progress, bytes.length);
    const url = await urlOf(alice, FileType.AUDIO, data);
    const got = await deliver(alice, bob, new HQVoiceMessage({ remoteUrl: url, duration: 7, type: 'aac' }), 'RC:HQVCMsg');
    expect(got.content).toMatchObject({ duration: 7, type: 'aac' });
    const body = await downloaded(String(got.content['remoteUrl']));
    expect(sha256(body)).toBe(sha256(bytes));
  });

  it('SightMessage (FileType.SIGHT, an MP4 within the duration limit)', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const bytes = mp4(8, 700_000, false);
    const { data, progress } = await upload(alice, FileType.SIGHT, { data: bytes, name: 'clip.mp4', type: 'video/mp4' });
    expectGoodProgress(progress, bytes.length);
    const url = await urlOf(alice, FileType.SIGHT, data);
    const got = await deliver(alice, bob, new SightMessage({ sightUrl: url, content: THUMB, duration: 8, size: bytes.length, name: 'clip.mp4' }), 'RC:SightMsg');
    expect(got.content).toMatchObject({ duration: 8, size: bytes.length, name: 'clip.mp4' });
    const res = await rawRequest(String(got.content['sightUrl']));
    expect(res?.headers['content-type']).toBe('video/mp4');
    expect(sha256(res?.body ?? Buffer.alloc(0))).toBe(sha256(bytes));
  });

  it('GIFMessage (initImage with a GIF within the GIF limit)', async () => {
    const [alice, bob] = [await online('alice'), await online('bob')];
    const bytes = gif(20 * 1024);
    const { data } = await upload(alice, FileType.IMAGE, new Uint8Array(bytes), { image: true });
    const url = await urlOf(alice, FileType.IMAGE, data);
    const got = await deliver(alice, bob, new GIFMessage({ gifDataSize: bytes.length, remoteUrl: url, width: 64, height: 48 }), 'RC:GIFMsg');
    expect(got.content).toMatchObject({ gifDataSize: bytes.length, width: 64, height: 48 });
    const res = await rawRequest(String(got.content['remoteUrl']));
    expect(res?.headers['content-type']).toBe('image/gif');
    expect(sha256(res?.body ?? Buffer.alloc(0))).toBe(sha256(bytes));
  });
});

describe('the upload helper', () => {
  it('finds the server from the connected client when getToken passes only the token (seed sample)', async () => {
    const alice = await online('alice');
    const { data } = await upload(alice, FileType.FILE, { data: noise(1000), name: 'n.txt' }, { passData: false });
    // Without the token data there is no E4 key: the helper made one with the file's extension.
    expect(data.filename).toMatch(/^[0-9a-f]{18}\.txt$/);
    expect(await downloaded(await urlOf(alice, FileType.FILE, data))).toHaveLength(1000);
  });

  it('reports server refusals, cancels and hosts without uploads through onError', async () => {
    const alice = await online('alice');
    await expect(upload(alice, FileType.IMAGE, { data: gif(40_000), name: 'big.gif' })).rejects.toMatchObject({ code: 34003 });
    await expect(upload(alice, FileType.SIGHT, { data: mp4(30, 1000), name: 'long.mp4' })).rejects.toMatchObject({ code: 34002 });
    await expect(upload(alice, FileType.FILE, noise(10), { config: { getToken: (callback) => callback('lx1.forged.token') } })).rejects.toMatchObject({ code: 41002 });
    await expect(upload(alice, FileType.FILE, 42)).rejects.toMatchObject({ code: ErrorCode.BIZ_ERROR_INVALID_PARAMETER });
    await expect(upload(alice, FileType.FILE, join(tmp, 'missing.bin'))).rejects.toMatchObject({ code: ErrorCode.RC_HTTP_SEND_FAIL });
    const { upload: _dropped, ...withoutUpload } = createNodeAdapter();
    void _dropped;
    await expect(upload(alice, FileType.FILE, noise(10), { platform: withoutUpload })).rejects.toMatchObject({ code: ErrorCode.NOT_SUPPORT });

    const client = createUploadClient(createNodeAdapter(), { navi: () => alice.im.getNavi() });
    const token = await ok(call<FileTokenResult>((cb) => alice.im.getFileToken(FileType.FILE, cb)), 'token');
    const cancelled = await new Promise<number>((resolve) => {
      client.initFile({ getToken: (callback) => callback(token.token, token) }, (uploadFile) => {
        uploadFile.upload({ data: noise(30_000_000), name: 'huge.bin' }, {
          onProgress: () => uploadFile.cancel(),
          onCompleted: () => resolve(0),
          onError: resolve,
        });
      });
    });
    expect(cancelled).toBe(ErrorCode.RC_HTTP_SEND_FAIL);
  });
});
