/**
 * The orchestrator's side of the P3 generators (p3-chatroom.ts): forks one process per slice of members,
 * pins it to the generator core, and exchanges the start / step / stop messages with it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pinProcess } from '../lib/pin';
import type { P3GeneratorConfig, P3Ready, P3Step, P3StepReport } from './p3-chatroom';

export class P3Generator {
  private readonly child: ChildProcess;
  private readonly queued: unknown[] = [];
  private readonly waiters: ((message: unknown) => void)[] = [];
  private readonly exited: Promise<void>;
  readonly pinned: boolean;

  constructor(root: string, cpus: string | undefined) {
    this.child = fork(path.join(root, 'bench', 'generators', 'p3-chatroom.ts'), [], {
      cwd: root,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.pinned = pinProcess(this.child.pid, cpus);
    this.child.on('message', (message) => {
      const waiter = this.waiters.shift();
      if (waiter !== undefined) waiter(message);
      else this.queued.push(message);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  async start(config: P3GeneratorConfig, timeoutMs: number): Promise<P3Ready> {
    this.child.send({ type: 'start', config });
    return this.next<P3Ready>(timeoutMs);
  }

  async step(step: P3Step, timeoutMs: number): Promise<P3StepReport> {
    this.child.send({ type: 'step', step });
    return this.next<P3StepReport>(timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.send({ type: 'stop' });
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 8000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private next<T>(timeoutMs: number): Promise<T> {
    const queued = this.queued.shift();
    const settle = (message: unknown): T => {
      const typed = message as { type: string; message?: string };
      if (typed.type === 'error') throw new Error(`p3 generator: ${typed.message}`);
      return message as T;
    };
    if (queued !== undefined) return Promise.resolve().then(() => settle(queued));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('p3 generator did not answer in time')), timeoutMs);
      void this.exited.then(() => reject(new Error('p3 generator exited')));
      this.waiters.push((message) => {
        clearTimeout(timer);
        try {
          resolve(settle(message));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }
}
