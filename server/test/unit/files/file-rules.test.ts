/**
 * The file service's pure rules and its local-disk store: settings parsing (flag, env, config file),
 * token and URL signatures, content sniffing, MP4 durations, byte ranges, and the store's commit /
 * abort / lookup invariants on a real temporary directory.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config';
import { DEFAULT_FILE_OPTIONS, parseByteSize, parseFileOptions } from '../../../src/files/file-options';
import { maxBytesFor, maxBytesOverall, UploadFileType } from '../../../src/files/file-kinds';
import { createLocalFileStore } from '../../../src/files/local-file-store';
import { mp4DurationSeconds } from '../../../src/files/mp4-duration';
import { FileSigner, loadOrCreateFileSecret } from '../../../src/files/signing';
import { sniffContentType } from '../../../src/files/sniff';
import { parseRange } from '../../../src/http/files';
import { aac, gif, jpeg, mp4, noise } from '../../../../test/e2e/files-support';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lianxin-files-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('file options', () => {
  it('parses sizes with binary units and every named option; refuses unknown or invalid ones', () => {
    expect(parseByteSize('512')).toBe(512);
    expect(parseByteSize('2k')).toBe(2048);
    expect(parseByteSize('20M')).toBe(20 * 1024 * 1024);
    expect(parseByteSize('1G')).toBe(1024 ** 3);
    for (const bad of ['0', '-1', '1.5M', 'lots', '99999G', '']) expect(parseByteSize(bad)).toBeUndefined();
    expect(parseFileOptions('maxGif=1M, maxSightSeconds=60,tokenTtlMs=5000,enabled=off,baseUrl=https://files.example.com/im/')).toEqual({
      ...DEFAULT_FILE_OPTIONS,
      maxGifBytes: 1024 * 1024,
      maxSightSeconds: 60,
      tokenTtlMs: 5000,
      enabled: false,
      baseUrl: 'https://files.example.com/im',
    });
    expect(parseFileOptions('')).toEqual(DEFAULT_FILE_OPTIONS);
    expect(parseFileOptions('nope=1')).toMatch(/unknown files option "nope"/);
    expect(parseFileOptions('maxGif')).toMatch(/name=value/);
    expect(parseFileOptions('baseUrl=ftp://x')).toMatch(/http\(s\) URL/);
    expect(parseFileOptions('enabled=maybe')).toMatch(/boolean/);
    expect(parseFileOptions('tokenTtlMs=0')).toMatch(/out of range/);
  });

  it('comes from --files, LIANXIN_FILES or the config file "files" (string or object), flag winning', () => {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ apps: ['k:s'], files: { maxGif: '1M', enabled: true } }));
    const io = { cwd: dir, readTextFile: (p: string) => readFileSync(p, 'utf8') };
    const run = (argv: string[], env: Record<string, string> = {}) => {
      const parsed = parseConfig(argv, env, io);
      if (parsed.kind !== 'run') throw new Error('help');
      return parsed.config.files;
    };
    expect(run(['--app', 'k:s'])).toBeUndefined();
    expect(run(['--config', file])?.maxGifBytes).toBe(1024 * 1024);
    expect(run(['--config', file], { LIANXIN_FILES: 'maxGif=3M' })?.maxGifBytes).toBe(3 * 1024 * 1024);
    expect(run(['--config', file, '--files', 'maxGif=4M'], { LIANXIN_FILES: 'maxGif=3M' })?.maxGifBytes).toBe(4 * 1024 * 1024);
    expect(() => run(['--app', 'k:s', '--files', 'maxGif=x'])).toThrow(/maxGif/);
  });

  it('maps file types to limits; the streaming bound is the largest', () => {
    const o = { ...DEFAULT_FILE_OPTIONS, maxImageBytes: 1, maxAudioBytes: 2, maxVideoBytes: 3, maxFileBytes: 4, maxHtmlBytes: 5 };
    expect([1, 2, 3, 4, 5, 6].map((t) => maxBytesFor(o, t as UploadFileType))).toEqual([1, 2, 3, 4, 3, 5]);
    expect(maxBytesOverall(o)).toBe(5);
  });
});

describe('signing', () => {
  it('keeps one secret in the data dir, 0600', () => {
    const a = loadOrCreateFileSecret(dir);
    const b = loadOrCreateFileSecret(dir);
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBe(32);
    writeFileSync(join(dir, 'file-secret'), 'short\n');
    expect(() => loadOrCreateFileSecret(dir)).toThrow(/valid secret/);
  });

  it('verifies upload tokens: claims, expiry, tampering, other secrets', () => {
    const signer = new FileSigner(Buffer.alloc(32, 7));
    const token = signer.issueUploadToken({ appKey: 'app', userId: 'u1', fileType: UploadFileType.Image, expiresAt: 1000 });
    expect(signer.checkUploadToken(token, 999)).toEqual({ ok: true, grant: { appKey: 'app', userId: 'u1', fileType: 1, expiresAt: 1000 } });
    expect(signer.checkUploadToken(token, 1000)).toEqual({ ok: false, reason: 'expired' });
    expect(new FileSigner(Buffer.alloc(32, 8)).checkUploadToken(token, 0)).toEqual({ ok: false, reason: 'signature' });
    const [p, payload = '', mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ a: 'app', u: 'u2', t: 1, e: 1000, n: 'x' })).toString('base64url');
    expect(signer.checkUploadToken(`${p}.${forged}.${mac}`, 0)).toEqual({ ok: false, reason: 'signature' });
    expect(signer.checkUploadToken(`${p}.${payload}`, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(signer.checkUploadToken('garbage', 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(signer.issueUploadToken({ appKey: 'app', userId: 'u1', fileType: 1, expiresAt: 1000 })).not.toBe(token);
    // The issue time rides along when given (FileService compares it with user/token/expire's time).
    const issued = signer.issueUploadToken({ appKey: 'app', userId: 'u1', fileType: 1, expiresAt: 1000, issuedAt: 400 });
    expect(signer.checkUploadToken(issued, 999)).toEqual({ ok: true, grant: { appKey: 'app', userId: 'u1', fileType: 1, expiresAt: 1000, issuedAt: 400 } });
  });

  it('signs download URLs per app and object', () => {
    const signer = new FileSigner(Buffer.alloc(32, 7));
    const sig = signer.downloadSignature('app', 'a'.repeat(32));
    expect(sig).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(signer.checkDownloadSignature('app', 'a'.repeat(32), sig)).toBe(true);
    expect(signer.checkDownloadSignature('app2', 'a'.repeat(32), sig)).toBe(false);
    expect(signer.checkDownloadSignature('app', 'b'.repeat(32), sig)).toBe(false);
    expect(signer.checkDownloadSignature('app', 'a'.repeat(32), `${sig}x`)).toBe(false);
  });
});

describe('sniffing and media rules', () => {
  it('types content from its bytes and only marks passive media inline', () => {
    const cases: Array<[Uint8Array, string, boolean]> = [
      [jpeg(100), 'image/jpeg', true],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'image/png', true],
      [gif(100), 'image/gif', true],
      [Buffer.from('RIFF\0\0\0\0WEBPVP8 '), 'image/webp', true],
      [mp4(1, 10), 'video/mp4', true],
      [aac(100), 'audio/aac', true],
      [Buffer.from('ID3\x03\0'), 'audio/mpeg', true],
      [Buffer.from('OggS\0'), 'audio/ogg', true],
      [Buffer.from('#!AMR\n'), 'audio/amr', true],
      [Buffer.from('%PDF-1.4'), 'application/pdf', false],
      [Buffer.from('<html><script>x</script>'), 'application/octet-stream', false],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'application/octet-stream', false],
      [new Uint8Array(0), 'application/octet-stream', false],
    ];
    for (const [bytes, type, inline] of cases) expect([type, sniffContentType(bytes)]).toEqual([type, { contentType: type, inline }]);
  });

  it('reads MP4 durations with moov first or last, v0 and v1 mvhd, and gives up on anything else', async () => {
    const reader = (bytes: Buffer) => (offset: number, length: number) => Promise.resolve(new Uint8Array(bytes.subarray(offset, offset + length)));
    for (const moovFirst of [true, false]) {
      const file = mp4(12.5, 5000, moovFirst);
      expect(await mp4DurationSeconds(reader(file), file.length)).toBeCloseTo(12.5);
    }
    // Version 1 mvhd: 64-bit times, timescale at 20, duration at 24.
    const v1 = Buffer.alloc(120);
    v1[0] = 1;
    v1.writeUInt32BE(600, 20);
    v1.writeUInt32BE(0, 24);
    v1.writeUInt32BE(600 * 200, 28);
    const sized = (type: string, body: Buffer): Buffer => {
      const b = Buffer.concat([Buffer.alloc(4), Buffer.from(type), body]);
      b.writeUInt32BE(b.length, 0);
      return b;
    };
    const file = Buffer.concat([sized('ftyp', Buffer.from('isom\0\0\0\0')), sized('moov', sized('mvhd', v1))]);
    expect(await mp4DurationSeconds(reader(file), file.length)).toBe(200);
    expect(await mp4DurationSeconds(reader(noise(5000)), 5000)).toBeUndefined();
    const truncated = mp4(3, 100).subarray(0, 60);
    expect(await mp4DurationSeconds(reader(truncated), truncated.length)).toBeUndefined();
  });

  it('parses single byte ranges', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-1', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(parseRange('items=0-1', 100)).toBeUndefined();
  });
});

describe('local file store', () => {
  const meta = { appKey: 'app', ownerId: 'u1', key: 'k1', fileType: UploadFileType.File, name: 'a.bin', contentType: 'application/octet-stream' } as const;

  it('commits atomically, finds by owner+key, reads ranges, and keeps the newest upload per key', async () => {
    const store = await createLocalFileStore({ root: join(dir, 'files'), now: () => 1234 });
    const writer = await store.begin();
    await writer.write(Buffer.from('hello '));
    await writer.write(Buffer.from('world'));
    expect(writer.size).toBe(11);
    expect(Buffer.from(await writer.readStaged(6, 100)).toString()).toBe('world');
    expect(await store.findByKey('app', 'u1', 'k1')).toBeUndefined();
    const file = await writer.commit(meta);
    expect(file).toMatchObject({ ...meta, size: 11, createdAt: 1234 });
    expect(file.id).toMatch(/^[0-9a-f]{32}$/);
    expect(await store.get('app', file.id)).toEqual(file);
    expect(await store.findByKey('app', 'u1', 'k1')).toEqual(file);
    expect(await store.findByKey('app', 'u2', 'k1')).toBeUndefined();
    expect(await store.findByKey('other', 'u1', 'k1')).toBeUndefined();
    const read = async (range?: { start: number; end: number }): Promise<string> => {
      const chunks: Buffer[] = [];
      for await (const chunk of store.open(file, range)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString();
    };
    expect(await read()).toBe('hello world');
    expect(await read({ start: 6, end: 8 })).toBe('wor');
    const again = await store.begin();
    await again.write(Buffer.from('v2'));
    const second = await again.commit(meta);
    expect((await store.findByKey('app', 'u1', 'k1'))?.id).toBe(second.id);
    expect(await store.get('app', file.id)).toEqual(file);
    await expect(again.commit(meta)).rejects.toThrow(/finished/);
    await again.abort();
  });

  it('leaves nothing after abort, ignores malformed ids, and clears a dead process\'s staging on open', async () => {
    const root = join(dir, 'files');
    const staged = (): string[] => readdirSync(join(root, 'staging'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
    const store = await createLocalFileStore({ root });
    const writer = await store.begin();
    await writer.write(noise(1000));
    expect(staged()).toHaveLength(1);
    await writer.abort();
    await writer.abort();
    expect(staged()).toEqual([]);
    await expect(writer.write(Buffer.from('x'))).rejects.toThrow(/finished/);
    for (const id of ['../../x', 'A'.repeat(32), '0'.repeat(31), '']) expect(await store.get('app', id)).toBeUndefined();
    expect(await store.get('../app', '0'.repeat(32))).toBeUndefined();
    const crashed = await store.begin();
    await crashed.write(Buffer.from('half'));
    // Another node sharing the data dir opens its store now: a live upload is not its to remove.
    await createLocalFileStore({ root });
    expect(staged()).toHaveLength(1);
    // A day later the upload's process is long dead: the next open removes what it left.
    await createLocalFileStore({ root, now: () => Date.now() + 25 * 60 * 60 * 1000 });
    expect(staged()).toEqual([]);
    await crashed.abort();
    const bad = await store.begin();
    await expect(bad.commit({ ...meta, appKey: '../../etc' })).rejects.toThrow(/invalid app key/);
    expect(staged()).toEqual([]);
  });
});
