/** Facts recorded next to every figure: the same code measures differently on another machine or load. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface MachineFacts {
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly openFileLimit: string;
  /** 1/5/15-minute load averages when the run started: > 0.5 on an idle-looking box means others were busy. */
  readonly loadAverage: readonly number[];
  readonly taskset: boolean;
}

export interface CommitFacts {
  readonly commit: string;
  /** Files that differ from the commit (uncommitted work is part of what was measured). */
  readonly dirtyFiles: number;
}

/** The repository root: the nearest ancestor of the working directory holding the lianxin package.json. */
export function repoRoot(start: string = process.cwd()): string {
  let dir = path.resolve(start);
  for (let depth = 0; depth < 12; depth++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'server', 'src', 'main.ts'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`run the benchmarks from inside the repository (no lianxin root above ${start})`);
}

function run(file: string, args: readonly string[], cwd?: string): string | undefined {
  try {
    return execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function hasTaskset(): boolean {
  return run('taskset', ['-p', String(process.pid)]) !== undefined;
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    openFileLimit: run('sh', ['-c', 'ulimit -n']) ?? 'unknown',
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
    taskset: hasTaskset(),
  };
}

export function commitFacts(root: string): CommitFacts {
  const commit = run('git', ['rev-parse', '--short=12', 'HEAD'], root) ?? 'uncommitted';
  const status = run('git', ['status', '--porcelain'], root);
  return { commit, dirtyFiles: status === undefined || status === '' ? 0 : status.split('\n').length };
}
