/**
 * The OFFICIAL client (@rongcloud/imlib-v2 2.9.2 on engine 4.4.2, unmodified) against our file service.
 * Its getFileToken sends `qnTkn` with its own E4 key and hands back our token plus the navi's
 * `uploadServer` as `qiniu`; the upload itself is RongCloud's separate plugin (not in the npm
 * package), whose exact form — `key`, `file`, `token`, posted to `protocol + domain` — is reproduced
 * here; its getFileUrl sends `qnUrl` (or `aliUrl`/`s3Url`/`stcUrl` by upload method) and gets our
 * signed URL. Media then flows both ways between the official client and our SDK.
 */
import { FileMessage, FileType, UploadMethod } from '../../src/index';
import type { FileTokenResult, UploadResult } from '../../src/index';
import { createUploadClient } from '../../src/index';
import { createNodeAdapter } from '../../platforms/node/node-adapter';
import { ConversationType } from '../support/official-client/official-message';
import { expectOk, useInteropServer } from '../support/official-client/interop-fixture';
import { jpeg, noise, postForm, rawRequest, sha256 } from './files-support';
import { call, ok, sdkUser } from './sdk-api-support';
import { DEFAULT_TEST_APP } from '../support/server-launcher';

const interop = useInteropServer();

/** The plugin's own key: `genUId()` (18 hex, a '4' at 7) + the file's suffix. */
const PLUGIN_KEY = /^[0-9a-f]{6}4[0-9a-f]{3}[89ab][0-9a-f]{7}\.jpg$/;

describe('official client with the built-in file service', () => {
  it('getFileToken / upload form / getFileUrl, then an ImageMessage our SDK downloads byte for byte', async () => {
    const alice = await interop.online('alice');
    const bob = await sdkUser(interop.server, DEFAULT_TEST_APP, 'bob');
    await bob.connect();
    try {
      const data = expectOk(await alice.client.call<Record<string, unknown>>('getFileToken', FileType.IMAGE, '$callback', 'cat.jpg'), 'getFileToken');
      // E4 merges navi uploadServer/bosAddr/ossConfig into the result and adds the key it generated.
      expect(data['qiniu']).toBe(interop.server.url);
      expect(data['fileName']).toMatch(/^1__RC-\d{4}-\d{1,2}-\d{1,2}_\d{1,3}_\d{13}[0-9a-f-]{36}\.jpg$/);
      expect(typeof data['token']).toBe('string');
      expect(Number(data['deadline'])).toBeGreaterThan(Date.now());

      // The plugin: `getProtocol() + domain` with domain = the host, form fields key, file, token.
      const domain = String(data['qiniu']).replace(/^https?:\/\//, '');
      const key = '1a2b3c4d5e8f9a0b1c.jpg';
      expect(key).toMatch(PLUGIN_KEY);
      const bytes = jpeg(120_000, 21);
      const res = await postForm(`http://${domain}`, [
        { name: 'key', value: key },
        { name: 'file', value: bytes, filename: 'cat.jpg', contentType: 'image/jpeg' },
        { name: 'token', value: String(data['token']) },
      ]);
      expect(res?.status).toBe(200);
      const uploaded = { ...res?.json(), filename: key, uploadMethod: UploadMethod.QINIU };

      const url = expectOk(await alice.client.call<{ downloadUrl: string }>('getFileUrl', FileType.IMAGE, key, null, '$callback', uploaded, UploadMethod.QINIU), 'getFileUrl');
      expect(url.downloadUrl).toMatch(new RegExp(`^${interop.server.url}/files/${DEFAULT_TEST_APP.key}/`));
      // aliUrl (engine's default for other methods) resolves the same object.
      const viaAli = expectOk(await alice.client.call<{ downloadUrl: string }>('getFileUrl', FileType.IMAGE, key, 'cat.jpg', '$callback', uploaded, UploadMethod.ALI), 'getFileUrl ali');
      expect(viaAli.downloadUrl.split('/').slice(0, -1)).toEqual(url.downloadUrl.split('/').slice(0, -1));
      // A name whose 120-unit cut for the URL would split an emoji (the server's qnUrl handler threw: 30014).
      for (const method of [UploadMethod.QINIU, UploadMethod.ALI]) {
        const long = expectOk(await alice.client.call<{ downloadUrl: string }>('getFileUrl', FileType.IMAGE, key, `${'d'.repeat(119)}😀.jpg`, '$callback', uploaded, method), 'getFileUrl long name');
        expect(long.downloadUrl).toBe(`${url.downloadUrl.split('/').slice(0, -1).join('/')}/${'d'.repeat(119)}`);
      }
      // A Baidu result is returned as is, without a query.
      const bos = { isBosRes: true, downloadUrl: 'https://bos.example/x.jpg' };
      expect(expectOk(await alice.client.call('getFileUrl', FileType.IMAGE, key, null, '$callback', bos), 'bos')).toEqual(bos);

      const sent = await alice.client.sendMessage(ConversationType.PRIVATE, bob.userId, { className: 'ImageMessage', content: { content: '/9j/AA==', imageUri: url.downloadUrl } });
      expectOk(sent, 'send image');
      const got = await bob.next((m) => m.objectName === 'RC:ImgMsg');
      const download = await rawRequest(String(got.content['imageUri']));
      expect(sha256(download?.body ?? Buffer.alloc(0))).toBe(sha256(bytes));
    } finally {
      await bob.im.disconnect();
    }
  });

  it('refuses a type mismatch and unknown keys (33003); a bad type fails in the engine itself', async () => {
    const carol = await interop.online('carol');
    const data = expectOk(await carol.client.call<Record<string, unknown>>('getFileToken', FileType.FILE, '$callback'), 'getFileToken');
    const res = await postForm(interop.server.url, [{ name: 'key', value: 'k.bin' }, { name: 'file', value: noise(100), filename: 'k.bin' }, { name: 'token', value: String(data['token']) }]);
    expect(res?.status).toBe(200);
    const mismatch = await carol.client.call('getFileUrl', FileType.IMAGE, 'k.bin', null, '$callback', {}, UploadMethod.QINIU);
    expect(mismatch).toMatchObject({ ok: false, code: 33003 });
    const unknown = await carol.client.call('getFileUrl', FileType.FILE, 'nope.bin', null, '$callback', {}, UploadMethod.QINIU);
    expect(unknown).toMatchObject({ ok: false, code: 33003 });
    // The server answers qnTkn with 41001, but engine 4.4.2 runs `Object.assign(data, {fileName})` on the
    // missing data of any failed qnTkn before looking at the code, so the app gets a TypeError instead.
    const badType = await carol.client.call('getFileToken', 7, '$callback');
    expect(badType.ok).toBe(false);
    if (!badType.ok) expect(typeof badType.code).not.toBe('number');
  });

  it('receives a FileMessage our SDK uploaded and sent; the URL serves the same bytes', async () => {
    const dave = await interop.online('dave');
    const erin = await sdkUser(interop.server, DEFAULT_TEST_APP, 'erin');
    await erin.connect();
    try {
      const bytes = noise(800_000, 33);
      const client = createUploadClient(createNodeAdapter(), { navi: () => erin.im.getNavi() });
      const data = await new Promise<UploadResult>((resolve, reject) => {
        client.initFile(
          {
            getToken: (callback) =>
              erin.im.getFileToken(FileType.FILE, { onSuccess: (d) => callback((d as FileTokenResult).token, d), onError: (code) => reject(new Error(`token ${code}`)) }, 'data.bin'),
          },
          (uploadFile) => uploadFile.upload({ data: bytes, name: 'data.bin' }, { onCompleted: resolve, onError: (code) => reject(new Error(`upload ${code}`)) }),
        );
      });
      const { downloadUrl } = await ok(call<{ downloadUrl: string }>((cb) => erin.im.getFileUrl(FileType.FILE, data.filename, data.name, cb, data, data.uploadMethod)), 'url');
      await ok(call((cb) => erin.im.sendMessage(ConversationType.PRIVATE, dave.userId, new FileMessage({ name: 'data.bin', size: bytes.length, type: 'bin', fileUrl: downloadUrl }), cb)), 'send');
      const got = await dave.client.nextMessage((m) => m.objectName === 'RC:FileMsg');
      expect(got.content).toMatchObject({ name: 'data.bin', size: bytes.length, type: 'bin' });
      const download = await rawRequest(String(got.content['fileUrl']));
      expect(sha256(download?.body ?? Buffer.alloc(0))).toBe(sha256(bytes));
    } finally {
      await erin.im.disconnect();
    }
  });
});
