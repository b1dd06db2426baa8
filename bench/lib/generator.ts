/**
 * The load generator runs in its own Node process (forked with tsx, pinned to the generator core),
 * never inside the server or the orchestrator. Protocol over the IPC channel:
 *   parent → child  { type: 'start', config }
 *   child → parent  { type: 'phase', phase } (measurement boundaries, so the parent can sample the
 *                   server's CPU exactly over the measured window), then { type: 'result', result }
 *                   or { type: 'error', message }.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { pinProcess } from './pin';

export type GeneratorMessage =
  | { readonly type: 'phase'; readonly phase: string }
  | { readonly type: 'result'; readonly result: unknown }
  | { readonly type: 'error'; readonly message: string };

export interface GeneratorRun<R> {
  readonly result: R;
  readonly pinned: boolean;
}

export async function runGenerator<R>(
  root: string,
  script: string,
  config: unknown,
  options: {
    readonly cpus: string | undefined;
    readonly timeoutMs: number;
    readonly onPhase?: (phase: string) => void;
    /** Writes a V8 CPU profile of the generator (`--cpu-prof`) into this directory. */
    readonly profileDir?: string | undefined;
  },
): Promise<GeneratorRun<R>> {
  const child = fork(path.join(root, 'bench', 'generators', script), [], {
    cwd: root,
    execArgv: ['--import', 'tsx', ...(options.profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pinned = pinProcess(child.pid, options.cpus);
  try {
    const result = await new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`generator ${script} did not finish within ${options.timeoutMs} ms`)), options.timeoutMs);
      child.on('message', (raw) => {
        const message = raw as GeneratorMessage;
        if (message.type === 'phase') options.onPhase?.(message.phase);
        else if (message.type === 'result') {
          clearTimeout(timer);
          resolve(message.result as R);
        } else {
          clearTimeout(timer);
          reject(new Error(`generator ${script}: ${message.message}`));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`generator ${script} exited (code ${code}, signal ${signal}) without a result`));
      });
      child.send({ type: 'start', config });
    });
    return { result, pinned };
  } finally {
    // The child exits by itself after reporting (and writes its CPU profile then); give it a moment.
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** Child side: waits for the start message, runs `main`, reports its result and exits. */
export function generatorMain<C, R>(main: (config: C, phase: (name: string) => void) => Promise<R>): void {
  const send = (message: GeneratorMessage): Promise<void> =>
    new Promise((resolve) => {
      if (process.send === undefined) resolve();
      else process.send(message, undefined, undefined, () => resolve());
    });
  process.once('message', (raw) => {
    const start = raw as { type: string; config: C };
    main(start.config, (name) => void send({ type: 'phase', phase: name }))
      .then((result) => send({ type: 'result', result }))
      .catch((error: unknown) => send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
      .finally(() => process.exit(0));
  });
}
