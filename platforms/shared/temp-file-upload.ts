/**
 * Byte uploads for hosts whose `request` cannot send bytes (Baidu's swan.request turns any
 * non-string `data` into a String): the bytes are written to a file of their own in the host's
 * user file directory, that file goes through the host's uploadFile like a picked file (progress
 * from onProgressUpdate, fields as formData), and it is removed once the upload is over, whatever
 * the outcome (answer, failure, abort, timeout). A host adapter opts in with
 * `viaBytes: tempFileUpload(wxStyleTempFiles(host, name))`; other adapters never load this module.
 */
import type { HostRequestOutcome } from './host-request';
import type { HostBytesUpload } from './host-upload';
import { exactArrayBuffer } from './host-data';
import { messageOf } from './task-socket';
import type { WxStyleFailResult } from './wx-style';

/** A file for one upload's bytes. */
export interface HostTempFile {
  readonly path: string;
  /** `done()` once written, `done(reason)` when it could not be. */
  write(bytes: Uint8Array, done: (error?: string) => void): void;
  /** Removes the file and whatever `write` made for it; failures are ignored. */
  remove(): void;
}

/** A new temp file whose base name is `fileName` (already safe, see safeFileName), or why the host has none. */
export type HostTempFiles = (fileName: string) => HostTempFile | string;

/**
 * The upload's file name as the base name of a host file: hosts name the file part after the path
 * (`filename` = base name), and the server keeps that name, so it is kept where a path can hold it;
 * path separators, characters some file systems or path parsers refuse and control characters
 * become `_`; at most 100 characters (the end, with the extension, is kept).
 */
export function safeFileName(name: string): string {
  const safe = name.replace(/[\\/:*?"<>|#%\x00-\x1f\x7f]/g, '_').slice(-100);
  return /^\.*$/.test(safe) ? 'file' : safe;
}

export function tempFileUpload(files: HostTempFiles): HostBytesUpload {
  return (fileName, bytes, send) => {
    const file = files(safeFileName(fileName));
    if (typeof file === 'string') return file;
    return (done) => {
      let task: { abort(): void } | undefined;
      let written = false;
      let over = false;
      const finish = (outcome?: HostRequestOutcome): void => {
        if (over) return;
        over = true;
        // Still being written (abort, timeout): removed once the write reports back.
        if (written) file.remove();
        if (outcome !== undefined) done(outcome);
      };
      file.write(bytes, (error) => {
        written = true;
        if (over) file.remove();
        else if (error !== undefined) finish({ kind: 'network', message: error });
        else {
          try {
            task = send(file.path, finish);
          } catch (thrown) {
            finish({ kind: 'network', message: thrown instanceof Error ? thrown.message : String(thrown) });
          }
        }
      });
      return {
        abort: () => {
          task?.abort();
          finish();
        },
      };
    };
  };
}

interface WxStyleFsCallbacks {
  success?(result: unknown): void;
  fail?(result: WxStyleFailResult): void;
  complete?(result: unknown): void;
}

/** The members of the wx-family FileSystemManager (`getFileSystemManager()`) the temp-file uploads use. */
export interface WxStyleFileSystemManager {
  mkdir(options: { dirPath: string; recursive?: boolean } & WxStyleFsCallbacks): void;
  writeFile(options: { filePath: string; data: string | ArrayBuffer; encoding?: string } & WxStyleFsCallbacks): void;
  unlink(options: { filePath: string } & WxStyleFsCallbacks): void;
  rmdir(options: { dirPath: string; recursive?: boolean } & WxStyleFsCallbacks): void;
  /** Throws when it fails. */
  rmdirSync(dirPath: string, recursive?: boolean): void;
}

/** Local user files: a directory the app may write (`env.USER_DATA_PATH`) and the file system manager. */
export interface WxStyleUserFiles {
  readonly env?: { readonly USER_DATA_PATH?: string };
  getFileSystemManager?(): WxStyleFileSystemManager;
}

const swept = new WeakSet<object>();
let tempFileCount = 0;

/**
 * The temp files of a wx-family host (Baidu: base library ≥ 3.130.1) in its user file directory:
 * `${USER_DATA_PATH}/lianxin-upload/<unique>/<file name>`, so the host's uploadFile names the file
 * part after the upload's own file name. The upload's directory goes with the file. What an app
 * killed mid-upload leaves there is removed by the first byte upload of the next run (the manager
 * is one per runtime).
 */
export function wxStyleTempFiles(host: WxStyleUserFiles, name: string): HostTempFiles {
  return (fileName) => {
    const fs = host.getFileSystemManager?.();
    const root = host.env?.USER_DATA_PATH;
    if (fs === undefined || typeof root !== 'string' || root === '') {
      return `${name}: no user file directory (getFileSystemManager, env.USER_DATA_PATH) for byte uploads; upload a tempFilePath instead`;
    }
    const base = `${root}/lianxin-upload`;
    if (!swept.has(fs)) {
      swept.add(fs);
      try {
        fs.rmdirSync(base, true);
      } catch {
        // Nothing left over, or a host without recursive rmdir: nothing to do.
      }
    }
    const dir = `${base}/${Date.now().toString(36)}-${tempFileCount++}`;
    const path = `${dir}/${fileName}`;
    return {
      path,
      write: (bytes, done) => {
        const fail = (result: WxStyleFailResult): void => done(messageOf(result));
        fs.mkdir({
          dirPath: dir,
          recursive: true,
          success: () => fs.writeFile({ filePath: path, data: exactArrayBuffer(bytes), success: () => done(), fail }),
          fail,
        });
      },
      remove: () => fs.unlink({ filePath: path, complete: () => fs.rmdir({ dirPath: dir, complete: () => undefined }) }),
    };
  };
}
