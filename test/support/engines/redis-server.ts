/**
 * Starts a throwaway `redis-server` on 127.0.0.1 (random free port, temp dir, no persistence)
 * for cluster tests. `redisAvailable()` lets suites skip LOUDLY when the binary is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningRedis {
  readonly url: string;
  readonly port: number;
  /** Kills and starts again on the same port (fault tests); data is not kept. */
  restart(): Promise<void>;
  /** Kills the server (an outage); `resume` starts it again on the same port, empty. */
  halt(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const BINARY = process.env.LIANXIN_REDIS_SERVER ?? 'redis-server';

export function redisAvailable(): boolean {
  const probe = spawnSync(BINARY, ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

/** Prints a banner that stands out in jest output; call from a suite that skips itself. */
export function warnSkipped(what: string, reason: string): void {
  const line = '!'.repeat(78);
  process.stderr.write(`\n${line}\n!! SKIPPED: ${what}\n!! ${reason}\n${line}\n\n`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface RedisOptions {
  /** Addresses to listen on besides 127.0.0.1 (a namespace link's root end, for the partition test). */
  readonly alsoBind?: readonly string[];
}

export async function startRedis(options: RedisOptions = {}): Promise<RunningRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'lianxin-redis-'));
  const port = await freePort();
  let proc: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', ...(options.alsoBind ?? []), '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no'];
    const child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    child.once('exit', () => live.delete(child));
    proc = child;
    let out = '';
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`redis-server did not start: ${out}`)), 10_000);
      const onData = (chunk: Buffer): void => {
        out += chunk.toString('utf8');
        if (/Ready to accept connections/i.test(out)) {
          clearTimeout(timer);
          ready();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`redis-server exited (${String(code)}): ${out}`));
      });
    });
  };

  const kill = async (): Promise<void> => {
    const child = proc;
    proc = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGKILL');
    await exited;
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restart: async () => {
      await kill();
      await launch();
    },
    halt: kill,
    resume: async () => {
      if (proc === undefined) await launch();
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
