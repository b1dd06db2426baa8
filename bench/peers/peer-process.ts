/**
 * A peer server (aedes, the raw `ws` relay, …) in its own Node process, started like our server: one
 * process pinned to the server core, ready when it prints `listening <port>`, stopped with SIGTERM.
 * Peers are measured in the same run as our server so that ratios hold while absolute numbers drift.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pinProcess } from '../lib/pin';

export interface PeerProcess {
  readonly port: number;
  readonly pid: number | undefined;
  readonly pinned: boolean;
  stop(): Promise<void>;
}

const READY = /^listening (\d+)$/m;

export async function startPeer(root: string, script: string, args: readonly string[], cpus: string | undefined): Promise<PeerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'peers', script), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peer ${script} did not print "listening <port>" within 30 s`)), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = READY.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`peer ${script} exited (code ${code}, signal ${signal}) before listening`));
    });
  });
  const pinned = pinProcess(child.pid, cpus);
  return {
    port,
    pid: child.pid,
    pinned,
    stop: async () => {
      process.off('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
