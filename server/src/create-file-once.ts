/**
 * Files a first start generates in the data directory (the dev app, the file-signing secret, the console
 * password's hash), created so that starts racing on an empty directory — cluster nodes sharing one, or a
 * second server that the data-directory lock then refuses — agree on one file: each writes its candidate to a
 * temporary name and hard-links it to the final name, which fails for every start but the first; they read the
 * winner's file, which is complete (a link publishes the whole file at once). Where hard links are not
 * supported, an exclusive create ('wx') decides instead (a loser could then read a file still being written:
 * the callers' parsers refuse that with a startup error rather than use half a secret).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface CreatedOnce {
  /** The file's content: `content` when this call created it, otherwise what the first creator wrote. */
  readonly content: string;
  readonly created: boolean;
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Creates `file` with `content` (and `mode`) unless it exists; never replaces an existing file. */
export function createFileOnce(file: string, content: string, mode = 0o600): CreatedOnce {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, content, { mode });
  try {
    chmodSync(temporary, mode);
    linkSync(temporary, file);
    return { content, created: true };
  } catch (error) {
    if (code(error) === 'EEXIST') return { content: readFileSync(file, 'utf8'), created: false };
    if (code(error) !== 'EPERM' && code(error) !== 'ENOTSUP' && code(error) !== 'ENOSYS') throw error;
    try {
      writeFileSync(file, content, { mode, flag: 'wx' });
      chmodSync(file, mode);
      return { content, created: true };
    } catch (exclusive) {
      if (code(exclusive) === 'EEXIST') return { content: readFileSync(file, 'utf8'), created: false };
      throw exclusive;
    }
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // Already gone: nothing to clean.
    }
  }
}
