/**
 * FileStore on the local disk, under `<dataDir>/files`:
 *
 *   staging/<process>/<random>.part            uploads in progress, one directory per server process (several
 *                                              nodes may share the data dir); left-overs of dead processes
 *                                              are removed when a store opens
 *   objects/<appKey>/<id[0,2]>/<id>            committed bytes
 *   objects/<appKey>/<id[0,2]>/<id>.json       their metadata (StoredFile)
 *   keys/<appKey>/<h[0,2]>/<h>.json            h = sha256(owner \n key) → { id } of the newest upload
 *
 * Paths are built only from the app key (validated against the config's pattern), ids this store
 * generated (32 hex) and hashes; every path is checked to stay under the root before use. Commit
 * order (bytes, then metadata, then key index, each by rename) means a reader never sees an index
 * entry without its object or an object without its metadata.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { ByteRange, FileStore, FileWriter, NewStoredFile, StoredFile } from './file-store';
import { isUploadFileType } from './file-kinds';

const APP_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const OBJECT_ID = /^[0-9a-f]{32}$/;
/** Staging entries older than this belong to dead processes (an upload never takes a day). */
const STALE_STAGING_MS = 24 * 60 * 60 * 1000;
const HEAD_BYTES = 64 * 1024;

export interface LocalFileStoreOptions {
  /** Directory owned by the store (created if missing), e.g. `<dataDir>/files`. */
  readonly root: string;
  readonly now?: () => number;
}

export async function createLocalFileStore(options: LocalFileStoreOptions): Promise<FileStore> {
  const root = resolve(options.root);
  const stagingRoot = join(root, 'staging');
  await mkdir(stagingRoot, { recursive: true });
  // Anything left by a process that died mid-upload was never committed, never visible. Other live
  // processes (cluster nodes sharing the data dir) keep their own directory: only entries untouched for
  // STALE_STAGING_MS — far longer than any upload — are removed, and never another node's fresh one.
  const now = (options.now ?? Date.now)();
  for (const entry of await readdir(stagingRoot).catch(() => [] as string[])) {
    const path = join(stagingRoot, entry);
    const info = await stat(path).catch(() => undefined);
    if (info !== undefined && now - info.mtimeMs > STALE_STAGING_MS) await rm(path, { recursive: true, force: true });
  }
  const staging = join(stagingRoot, `${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { recursive: true });
  await mkdir(join(root, 'objects'), { recursive: true });
  await mkdir(join(root, 'keys'), { recursive: true });
  return new LocalFileStore(root, staging, options.now ?? Date.now);
}

function inside(root: string, path: string): string {
  const full = resolve(path);
  if (!full.startsWith(root + sep)) throw new Error(`path escapes the file store: ${full}`);
  return full;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, text, { mode: 0o600 });
  await rename(temp, path);
}

function isStoredFile(value: unknown): value is StoredFile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['id'] === 'string' && typeof v['appKey'] === 'string' && typeof v['ownerId'] === 'string' &&
    typeof v['key'] === 'string' && isUploadFileType(v['fileType']) && typeof v['name'] === 'string' &&
    typeof v['contentType'] === 'string' && typeof v['size'] === 'number' && typeof v['sha256'] === 'string' &&
    typeof v['createdAt'] === 'number'
  );
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

class LocalFileStore implements FileStore {
  constructor(
    private readonly root: string,
    private readonly staging: string,
    private readonly now: () => number,
  ) {}

  private objectPath(appKey: string, id: string): string {
    return inside(this.root, join(this.root, 'objects', appKey, id.slice(0, 2), id));
  }

  private keyPath(appKey: string, ownerId: string, key: string): string {
    const h = createHash('sha256').update(ownerId).update('\n').update(key).digest('hex');
    return inside(this.root, join(this.root, 'keys', appKey, h.slice(0, 2), `${h}.json`));
  }

  async begin(): Promise<FileWriter> {
    const path = inside(this.root, join(this.staging, `${randomBytes(16).toString('hex')}.part`));
    const handle = await open(path, 'wx+', 0o600).catch(async (error: unknown) => {
      // Another node that opened its store removed this process's directory as stale (no upload for a day).
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(this.staging, { recursive: true });
      return open(path, 'wx+', 0o600);
    });
    return new LocalFileWriter(this, path, handle);
  }

  /** Called by the writer: moves the staged bytes into place and records metadata and the key. */
  async place(stagedPath: string, meta: NewStoredFile, size: number, sha256: string): Promise<StoredFile> {
    if (!APP_KEY.test(meta.appKey)) throw new Error(`invalid app key for the file store: ${meta.appKey}`);
    const file: StoredFile = { ...meta, id: randomBytes(16).toString('hex'), size, sha256, createdAt: this.now() };
    const target = this.objectPath(file.appKey, file.id);
    await mkdir(resolve(target, '..'), { recursive: true });
    await rename(stagedPath, target);
    await writeAtomically(`${target}.json`, JSON.stringify(file));
    const keyFile = this.keyPath(file.appKey, file.ownerId, file.key);
    await mkdir(resolve(keyFile, '..'), { recursive: true });
    await writeAtomically(keyFile, JSON.stringify({ id: file.id }));
    return file;
  }

  async get(appKey: string, id: string): Promise<StoredFile | undefined> {
    if (!APP_KEY.test(appKey) || !OBJECT_ID.test(id)) return undefined;
    const meta = await readJson(`${this.objectPath(appKey, id)}.json`);
    return isStoredFile(meta) && meta.appKey === appKey && meta.id === id ? meta : undefined;
  }

  async findByKey(appKey: string, ownerId: string, key: string): Promise<StoredFile | undefined> {
    if (!APP_KEY.test(appKey)) return undefined;
    const entry = await readJson(this.keyPath(appKey, ownerId, key));
    if (typeof entry !== 'object' || entry === null) return undefined;
    const id = (entry as Record<string, unknown>)['id'];
    if (typeof id !== 'string') return undefined;
    const file = await this.get(appKey, id);
    return file !== undefined && file.ownerId === ownerId && file.key === key ? file : undefined;
  }

  open(file: StoredFile, range?: ByteRange): Readable {
    const path = this.objectPath(file.appKey, file.id);
    return range === undefined ? createReadStream(path) : createReadStream(path, { start: range.start, end: range.end });
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }
}

class LocalFileWriter implements FileWriter {
  private written = 0;
  private readonly hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private finished = false;

  constructor(
    private readonly store: LocalFileStore,
    private readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  get size(): number {
    return this.written;
  }

  get head(): Uint8Array {
    return Buffer.concat(this.headChunks, this.headLength);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.finished) throw new Error('upload already finished');
    if (chunk.byteLength === 0) return;
    if (this.headLength < HEAD_BYTES) {
      const take = Buffer.from(chunk.subarray(0, HEAD_BYTES - this.headLength));
      this.headChunks.push(take);
      this.headLength += take.length;
    }
    this.hash.update(chunk);
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await this.handle.write(chunk, offset, chunk.byteLength - offset, this.written + offset);
      offset += bytesWritten;
    }
    this.written += chunk.byteLength;
  }

  async readStaged(offset: number, length: number): Promise<Uint8Array> {
    const size = Math.max(0, Math.min(length, this.written - offset));
    const buffer = Buffer.alloc(size);
    if (size === 0) return buffer;
    const { bytesRead } = await this.handle.read(buffer, 0, size, offset);
    return buffer.subarray(0, bytesRead);
  }

  async commit(meta: NewStoredFile): Promise<StoredFile> {
    if (this.finished) throw new Error('upload already finished');
    this.finished = true;
    try {
      await this.handle.close();
      return await this.store.place(this.path, meta, this.written, this.hash.digest('hex'));
    } catch (error) {
      await unlink(this.path).catch(() => undefined);
      throw error;
    }
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.handle.close().catch(() => undefined);
    await unlink(this.path).catch(() => undefined);
  }
}
