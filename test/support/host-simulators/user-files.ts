/**
 * A host's "local user files" over a real directory (`device.userDataDir`): `env.USER_DATA_PATH` and
 * the FileSystemManager calls the adapters use (writeFile, unlink, mkdir, rmdir, rmdirSync), plus
 * `read` for the host's uploadFile. Simulated for Baidu (the swan profile): per its file system
 * guide, "local user files" exist from base library 3.130.1, every path must start with
 * swan.env.USER_DATA_PATH, relative segments ('./', '../') are refused, and an app may keep at most
 * 10 MB there; writeFile takes string or ArrayBuffer `data` with an optional `encoding`.
 *
 * The callback shapes — success `{ errMsg: '<api>:ok' }`, fail `{ errMsg: '<api>:fail <why>' }` plus
 * the profile's failure fields (swan `errCode`), rmdirSync throwing an Error — and the failure texts
 * follow the wx family's FileSystemManager: the Baidu pages we could read show `res.errMsg` on
 * success and an error object on failure, but no table of failure messages.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isArrayBuffer, later, type SimulatedDevice } from './simulated-device';

type Options = Record<string, unknown>;

export interface UserFiles {
  readonly env: { readonly USER_DATA_PATH: string };
  getFileSystemManager(): Record<string, unknown>;
  /** The bytes of a user file, undefined when `hostPath` is not one. */
  read(hostPath: string): Uint8Array | undefined;
}

const QUOTA_BYTES = 10 * 1024 * 1024;
const ENCODINGS: Record<string, BufferEncoding> = {
  ascii: 'ascii',
  base64: 'base64',
  binary: 'binary',
  hex: 'hex',
  ucs2: 'ucs2',
  'ucs-2': 'ucs2',
  utf16le: 'utf16le',
  'utf-16le': 'utf16le',
  'utf-8': 'utf8',
  utf8: 'utf8',
  latin1: 'latin1',
};
const CALLBACKS = ['success', 'fail', 'complete'];

function usage(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? usage(full) : statSync(full).size;
  }
  return total;
}

export function createUserFiles(
  device: SimulatedDevice,
  root: string,
  failure: (what: string, message: string) => Record<string, unknown>,
  misuse: (what: string) => void,
): UserFiles {
  /** The real path of a host path under `root`, or undefined (not a user file path). */
  const local = (hostPath: unknown): string | undefined => {
    if (typeof hostPath !== 'string' || (hostPath !== root && !hostPath.startsWith(`${root}/`))) return undefined;
    const segments = hostPath.slice(root.length + 1).split('/').filter((s) => s !== '');
    if (segments.some((s) => s === '.' || s === '..')) return undefined;
    return path.join(device.userDataDir, ...segments);
  };

  /** Checks the options, then runs `work` (a failure message, or undefined for success) asynchronously. */
  const run = (api: string, options: Options, allowed: string[], pathKey: string, work: (file: string, hostPath: string) => string | undefined): void => {
    for (const key of Object.keys(options)) if (![...allowed, pathKey, ...CALLBACKS].includes(key)) misuse(`FileSystemManager.${api}: unknown option ${key}`);
    const hostPath = options[pathKey];
    const file = local(hostPath);
    let why: string | undefined;
    if (file === undefined) {
      misuse(`FileSystemManager.${api}: ${pathKey} must start with ${root}/ and have no relative segments, got ${String(hostPath)}`);
      why = `permission denied, open ${String(hostPath)}`;
    } else why = work(file, String(hostPath));
    const result = why === undefined ? { errMsg: `${api}:ok` } : failure(api, why);
    later(() => {
      const callback = options[why === undefined ? 'success' : 'fail'];
      if (typeof callback === 'function') (callback as (r: unknown) => void)(result);
      if (typeof options['complete'] === 'function') (options['complete'] as (r: unknown) => void)(result);
    });
  };

  const removeDir = (file: string, hostPath: string, recursive: unknown): string | undefined => {
    if (!existsSync(file) || !statSync(file).isDirectory()) return `no such file or directory ${hostPath}`;
    if (recursive !== true && readdirSync(file).length > 0) return 'directory not empty';
    rmSync(file, { recursive: true });
    return undefined;
  };

  const manager = {
    writeFile(options: Options): void {
      run('writeFile', options, ['data', 'encoding'], 'filePath', (file, hostPath) => {
        const { data, encoding } = options;
        if (encoding !== undefined && (typeof encoding !== 'string' || !(encoding in ENCODINGS))) misuse(`FileSystemManager.writeFile: bad encoding ${String(encoding)}`);
        if (typeof data !== 'string' && !isArrayBuffer(data)) {
          misuse(`FileSystemManager.writeFile: data must be a string or an ArrayBuffer, got ${Object.prototype.toString.call(data)}`);
          return 'parameter error: data type error';
        }
        if (!existsSync(path.dirname(file))) return `no such file or directory, open ${hostPath}`;
        if (existsSync(file) && statSync(file).isDirectory()) return `illegal operation on a directory, open ${hostPath}`;
        const bytes = typeof data === 'string' ? Buffer.from(data, ENCODINGS[String(encoding ?? 'utf8')] ?? 'utf8') : Buffer.from(new Uint8Array(data));
        const before = existsSync(file) ? statSync(file).size : 0;
        if (usage(device.userDataDir) - before + bytes.byteLength > QUOTA_BYTES) return 'the maximum size of the file storage limit is exceeded';
        writeFileSync(file, bytes);
        return undefined;
      });
    },
    unlink(options: Options): void {
      run('unlink', options, [], 'filePath', (file, hostPath) => {
        if (!existsSync(file)) return `no such file or directory ${hostPath}`;
        if (statSync(file).isDirectory()) return `operation not permitted, unlink ${hostPath}`;
        unlinkSync(file);
        return undefined;
      });
    },
    mkdir(options: Options): void {
      run('mkdir', options, ['recursive'], 'dirPath', (file, hostPath) => {
        if (existsSync(file)) return `file already exists ${hostPath}`;
        if (options['recursive'] !== true && !existsSync(path.dirname(file))) return `no such file or directory ${hostPath}`;
        mkdirSync(file, { recursive: true });
        return undefined;
      });
    },
    rmdir(options: Options): void {
      run('rmdir', options, ['recursive'], 'dirPath', (file, hostPath) => removeDir(file, hostPath, options['recursive']));
    },
    rmdirSync(dirPath: unknown, recursive?: unknown): void {
      const file = local(dirPath);
      if (file === undefined) misuse(`FileSystemManager.rmdirSync: dirPath must start with ${root}/, got ${String(dirPath)}`);
      const why = file === undefined ? `permission denied, open ${String(dirPath)}` : removeDir(file, String(dirPath), recursive);
      if (why !== undefined) throw new Error(`rmdirSync:fail ${why}`);
    },
  };

  return {
    env: { USER_DATA_PATH: root },
    // One manager per host, as the hosts document ("全局唯一的文件管理器").
    getFileSystemManager: () => manager,
    read(hostPath) {
      const file = local(hostPath);
      return file !== undefined && existsSync(file) && statSync(file).isFile() ? readFileSync(file) : undefined;
    },
  };
}
