/**
 * CPU pinning with `taskset`: the server and the load generator each get their own core, so the
 * generator's work is not counted against the server and the two do not migrate onto each other.
 * Pinning an already running process (`taskset -a -p`) lets the shared test launcher start the server.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { hasTaskset } from './machine';

export interface CorePlan {
  /** CPU list for `taskset -c`, or undefined when pinning is unavailable. */
  readonly server?: string;
  readonly generator?: string;
  readonly note: string;
}

export function corePlan(): CorePlan {
  const cpus = os.cpus().length;
  if (!hasTaskset()) return { note: 'unpinned (no taskset)' };
  if (cpus < 2) return { note: 'unpinned (1 CPU)' };
  return { server: '0', generator: String(cpus - 1), note: `server on CPU 0, generator on CPU ${cpus - 1}` };
}

/** Pins every thread of `pid` to `cpus`; false when taskset is missing or the process is gone. */
export function pinProcess(pid: number | undefined, cpus: string | undefined): boolean {
  if (pid === undefined || cpus === undefined) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
