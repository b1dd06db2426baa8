/**
 * Starts the real server as a child process (`tsx server/src/main.ts`), like an operator would,
 * and resolves once it printed `listening on http://HOST:PORT`. Every e2e test uses this; nothing
 * is mocked. Each server gets its own temporary data directory unless one is passed in (restart
 * tests), and is killed if the test process exits without stopping it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface TestApp {
  readonly key: string;
  readonly secret: string;
  /** Per-app options as accepted by `--app KEY:SECRET:name=value,…` (multiDevice, retentionDays…). */
  readonly options?: Readonly<Record<string, string | number | boolean>>;
}

/** Used when `apps` is not given. */
export const DEFAULT_TEST_APP: TestApp = { key: 'lxtestapp', secret: 'lxtestsecret' };

export interface StartServerOptions {
  /** Apps passed as `--app`; default `[DEFAULT_TEST_APP]`; `[]` for none. */
  readonly apps?: readonly TestApp[];
  /** Extra environment (merged over the parent's, minus LIANXIN_* variables). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra CLI arguments, appended after the launcher's own. */
  readonly args?: readonly string[];
  /** Reuse a data directory (it is then not deleted by stop()). */
  readonly dataDir?: string;
  /** Adds `--dev-app`. */
  readonly devApp?: boolean;
  /** How long to wait for the `listening on` line (default 30 s). */
  readonly startTimeoutMs?: number;
  /**
   * A command that runs the server, e.g. `['ip', 'netns', 'exec', NS]`: it must exec its argument
   * vector in place (same pid), so signals reach the server itself.
   */
  readonly commandPrefix?: readonly string[];
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly proc: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** SIGTERM, then wait (SIGKILL after 15 s); removes a launcher-created data dir. */
  stop(): Promise<ExitInfo>;
  /** SIGKILL now (crash simulation); the data dir is kept so a restart can reuse it. */
  kill9(): void;
  stdout(): string;
  stderr(): string;
  /**
   * The first match of `pattern` in stderr, waiting for it up to `timeoutMs`: stderr is a separate pipe,
   * so a line the server wrote before its `listening on` line may arrive after it.
   */
  stderrMatch(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

const LISTENING = /^listening on (http:\/\/(\S+):(\d+))$/m;
const MAX_CAPTURE = 1_000_000;

export const REPO_ROOT: string = typeof __dirname === 'string' ? resolve(__dirname, '..', '..') : process.cwd();
// One process: node with tsx's loader, not the tsx wrapper binary (which runs the server as a
// grandchild that a SIGKILL of the wrapper would leave running).
const NODE_ARGS = ['--import', 'tsx'];
const MAIN = join(REPO_ROOT, 'server', 'src', 'main.ts');

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

export function appArg(app: TestApp): string {
  const options = Object.entries(app.options ?? {}).map(([name, value]) => `${name}=${typeof value === 'boolean' ? (value ? 1 : 0) : value}`);
  return options.length === 0 ? `${app.key}:${app.secret}` : `${app.key}:${app.secret}:${options.join(',')}`;
}

/** Spawns main.ts with the given arguments, no readiness wait (CLI tests use it for --help etc.). */
export function spawnServerProcess(args: readonly string[], env: Readonly<Record<string, string>> = {}, commandPrefix: readonly string[] = []): ChildProcess {
  const childEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    // Keep the test hermetic: the developer's own LIANXIN_* settings must not leak in.
    if (value !== undefined && !name.startsWith('LIANXIN_') && name !== 'INIT_CWD') childEnv[name] = value;
  }
  Object.assign(childEnv, env);
  const [command, ...prefixArgs] = [...commandPrefix, process.execPath];
  const child = spawn(command as string, [...prefixArgs, ...NODE_ARGS, MAIN, ...args], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  installExitHook();
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Collects a child's output (bounded) and its exit. */
export function captureProcess(child: ChildProcess): { stdout(): string; stderr(): string; exited: Promise<ExitInfo> } {
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (out.length < MAX_CAPTURE) out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (err.length < MAX_CAPTURE) err += chunk;
  });
  const exited = new Promise<ExitInfo>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
  return { stdout: () => out, stderr: () => err, exited };
}

/**
 * `LIANXIN_TEST_TOPOLOGY=cluster` (set by the `cluster-e2e` jest project) makes every `startServer`
 * without a `dataDir` start three nodes on PostgreSQL + Redis behind a balancer instead
 * (test/support/engines/cluster-launcher.ts); the returned object has the same interface. A `dataDir`
 * means a restart on the same SQLite file, which is single-node by nature: that start stays one process.
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  if (process.env.LIANXIN_TEST_TOPOLOGY === 'cluster' && options.dataDir === undefined) {
    const { startClusterServer } = await import('./engines/cluster-launcher');
    return startClusterServer(options);
  }
  return startSingleServer(options);
}

/** One server process, whatever the topology (the cluster launcher starts its nodes with it). */
export async function startSingleServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lianxin-test-'));
  const args = ['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'];
  for (const app of options.apps ?? [DEFAULT_TEST_APP]) args.push('--app', appArg(app));
  if (options.devApp === true) args.push('--dev-app');
  args.push(...(options.args ?? []));

  const proc = spawnServerProcess(args, options.env, options.commandPrefix);
  const output = captureProcess(proc);
  const timeoutMs = options.startTimeoutMs ?? 30_000;

  const started = await new Promise<{ url: string; host: string; port: number }>((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      cleanup();
      proc.kill('SIGKILL');
      rejectStart(new Error(`server did not print "listening on" within ${timeoutMs} ms\nstdout:\n${output.stdout()}\nstderr:\n${output.stderr()}`));
    }, timeoutMs);
    const onData = (): void => {
      const match = LISTENING.exec(output.stdout());
      if (match === null) return;
      cleanup();
      resolveStart({ url: match[1] as string, host: match[2] as string, port: Number(match[3]) });
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      // Let the stderr pipe drain so the error message is complete.
      setImmediate(() => rejectStart(new Error(`server exited before listening (code ${code}, signal ${signal})\nstdout:\n${output.stdout()}\nstderr:\n${output.stderr()}`)));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      proc.stdout?.off('data', onData);
      proc.off('exit', onExit);
    };
    // Registered after captureProcess's listener, so the captured text already holds this chunk.
    proc.stdout?.on('data', onData);
    proc.once('exit', onExit);
  });

  let stopping: Promise<ExitInfo> | undefined;
  const stop = (): Promise<ExitInfo> => {
    stopping ??= (async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const info = await output.exited;
      clearTimeout(timer);
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      return info;
    })();
    return stopping;
  };

  return {
    ...started,
    dataDir,
    proc,
    exited: output.exited,
    stop,
    kill9: () => {
      proc.kill('SIGKILL');
    },
    stdout: output.stdout,
    stderr: output.stderr,
    stderrMatch: async (pattern, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output.stderr());
        if (match !== null) return match;
        if (Date.now() > deadline) throw new Error(`stderr never matched ${String(pattern)} within ${timeoutMs} ms:\n${output.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
