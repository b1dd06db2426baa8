/**
 * The data directory at startup: made usable (created, a directory, writable) and locked against a second
 * server, each failure a DataDirError whose message names the path and the cause (main.ts prints it as a
 * startup error, exit 2).
 *
 * Why a lock: a server on SQLite without a broker is the database file's sole writer and answers pulls from
 * its in-memory sync tails (store/sqlite/sqlite-sync-tail.ts), so a second such process on the same file
 * would store messages the first never shows. Such a server uses its directory **alone**. Servers that
 * are one of several nodes (a broker, or the PostgreSQL store) may share a directory (uploads stage per
 * process, ARCHITECTURE "Store"; the repository's cluster rig gives its nodes one), so they use it
 * **shared**: they start beside each other, but not beside a server that runs alone on it, nor it beside
 * them (a node started without its --store or --broker flag would otherwise become a second sole writer).
 *
 * How: `lianxin.lock` in the directory is locked with the operating system's advisory record locks
 * (fcntl), taken through SQLite, which is already how the database file is locked: a server alone holds an
 * EXCLUSIVE lock on it (an open `BEGIN EXCLUSIVE` that writes nothing), a shared one a SHARED lock (an open
 * read transaction), for as long as the process lives; a conflicting attempt gets SQLITE_BUSY after 1 s. The kernel drops a process's record locks when it ends, however it
 * ends, so a holder killed with SIGKILL (or a crashed host's stale file) never blocks the next start, and
 * there is nothing to guess from pids, which are reused (a container's server is often pid 1 after every
 * restart) and mean nothing on another host. The file stays (0 bytes): unlinking a lock file another
 * process may be opening lets two processes lock two different files of one name. Nothing else in the
 * process may open it, since closing any descriptor of a file drops the process's fcntl locks on it.
 * Only one connection opens it; the store's own connections (worker threads included) are unaffected.
 *
 * Who holds it is written, once the lock is taken, to `lianxin.lock.holder` (pid, host, start time, use),
 * only so that a refused start can name the holder (with shared use, the node that started last); a server
 * alone removes it on a clean exit, and a stale one (after SIGKILL) is overwritten by the next holder.
 */
import { accessSync, constants, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';

export const LOCK_FILE_NAME = 'lianxin.lock';
export const LOCK_HOLDER_FILE_NAME = 'lianxin.lock.holder';
/** How long a start waits for a lock another start holds for a moment (two starts racing), not for a holder. */
const LOCK_WAIT_MS = 1000;

export class DataDirError extends Error {}

export type DataDirUse = 'alone' | 'shared';

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly use: DataDirUse;
}

export interface DataDirLock {
  /** Idempotent. Drops the lock and, for a server alone, the holder file. */
  release(): void;
}

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EEXIST: 'already exists',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/** A Node file system error (has `code`), or undefined. */
function errno(error: unknown): NodeJS.ErrnoException | undefined {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' ? error as NodeJS.ErrnoException : undefined;
}

/** The cause of a file system error in words, with its code (`read-only file system, EROFS`). */
export function fsCause(error: unknown): string {
  const e = errno(error);
  if (e === undefined) return error instanceof Error ? error.message : String(error);
  const code = e.code ?? '';
  return `${CAUSES[code] ?? e.message}${CAUSES[code] === undefined ? '' : `, ${code}`}`;
}

/**
 * A startup error for a failed file system call on `path` (e.g. writing the dev app file into an unusable
 * data directory), or undefined when `error` is not a file system error that names a path.
 */
export function fsStartupError(error: unknown): DataDirError | undefined {
  const e = errno(error);
  if (e?.path === undefined) return undefined;
  if (e.syscall === 'mkdir') return new DataDirError(cannotCreate('directory', e.path, e));
  return new DataDirError(`${e.syscall === 'open' ? 'cannot open' : 'cannot access'} ${e.path}: ${fsCause(e)}`);
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Why `dir` could not be created. The nearest existing ancestor tells it better than a recursive mkdir's
 * code (ENOENT for a missing directory on a read-only file system, EEXIST for a file in the way).
 */
function cannotCreate(what: string, dir: string, error: unknown): string {
  const own = statOf(dir);
  if (own !== undefined && !own.isDirectory()) return `${what} ${dir} is not a directory`;
  let parent = dirname(dir);
  while (parent !== dirname(parent) && statOf(parent) === undefined) parent = dirname(parent);
  const stat = statOf(parent);
  if (stat !== undefined && !stat.isDirectory()) return `${what} ${dir} cannot be created: ${parent} is not a directory`;
  try {
    accessSync(parent, constants.W_OK | constants.X_OK);
  } catch (cause) {
    return `${what} ${dir} cannot be created: ${parent} is not writable (${fsCause(cause)})`;
  }
  return `${what} ${dir} cannot be created: ${fsCause(error)}`;
}

/** Creates `dir` if needed and checks that it is a directory this process can write in. */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new DataDirError(cannotCreate('data directory', dir, error));
  }
  if (statOf(dir)?.isDirectory() !== true) throw new DataDirError(`data directory ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new DataDirError(`data directory ${dir} is not writable: ${fsCause(error)}`);
  }
}

/** Checks that an existing file (the database) can be written; a missing one is created later. */
export function checkWritableFile(file: string): void {
  try {
    accessSync(file, constants.W_OK);
  } catch (error) {
    if (errno(error)?.code === 'ENOENT') return;
    throw new DataDirError(`${file} is not writable: ${fsCause(error)}`);
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    if (typeof data.pid !== 'number' || typeof data.host !== 'string') return undefined;
    return { pid: data.pid, host: data.host, startedAt: String(data.startedAt), use: data.use === 'shared' ? 'shared' : 'alone' };
  } catch {
    return undefined;
  }
}

function inUse(dir: string, use: DataDirUse, holder: Holder | undefined): string {
  const who = holder === undefined
    ? 'another Lianxin server (holder not recorded)'
    : `${holder.use === 'shared' ? 'cluster nodes (the last started: ' : 'another Lianxin server ('}pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt})`;
  const advice = use === 'alone'
    ? 'a server on SQLite without --broker must be the only one on its directory: stop the other, or give this one its own --data-dir'
    : 'cluster nodes cannot share a directory with a server running alone on it: stop that server, or give this node its own --data-dir';
  return `data directory ${dir} is in use by ${who}; ${advice}`;
}

/**
 * Locks `dir` (prepared by prepareDataDir) for this process, alone or shared. Throws DataDirError naming the
 * directory and the holder when another server holds it in a conflicting way.
 */
export function lockDataDir(dir: string, use: DataDirUse): DataDirLock {
  const lockFile = join(dir, LOCK_FILE_NAME);
  const holderFile = join(dir, LOCK_HOLDER_FILE_NAME);
  let db: Database.Database;
  try {
    db = new Database(lockFile, { timeout: LOCK_WAIT_MS });
  } catch (error) {
    throw new DataDirError(`cannot open the lock file ${lockFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    // No rollback journal on disk: nothing is ever written, and no `-journal` file is left after SIGKILL.
    db.pragma('journal_mode = MEMORY');
    if (use === 'alone') {
      db.exec('BEGIN EXCLUSIVE');
    } else {
      db.exec('BEGIN');
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    }
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') throw new DataDirError(inUse(dir, use, readHolder(holderFile)));
    throw new DataDirError(`cannot lock ${lockFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const me: Holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), use };
  try {
    writeFileSync(holderFile, `${JSON.stringify(me)}\n`);
  } catch (error) {
    db.close();
    throw new DataDirError(`cannot write ${holderFile}: ${fsCause(error)}`);
  }
  held.add(db);
  return {
    release(): void {
      if (!db.open) return;
      const current = readHolder(holderFile);
      if (use === 'alone' && current?.pid === me.pid && current.host === me.host) {
        try {
          unlinkSync(holderFile);
        } catch {
          // Already gone: nothing to tidy.
        }
      }
      held.delete(db);
      db.close();
    },
  };
}

/** Keeps every held lock's connection reachable, so it lives exactly as long as the process or release(). */
const held = new Set<Database.Database>();
