/** Another process's CPU time and resident memory from /proc (Linux); zeros elsewhere. */
import { readFileSync } from 'node:fs';

export interface ProcSample {
  /** user + system CPU seconds so far. */
  readonly cpuSeconds: number;
  /** The main thread's share of `cpuSeconds` (the event loop; the rest is worker and helper threads). */
  readonly mainThreadCpuSeconds: number;
  readonly rssBytes: number;
  /** performance.now() when taken. */
  readonly at: number;
}

const CLOCK_TICKS = 100;
const PAGE_SIZE = 4096;

export function sampleProcess(pid: number | undefined): ProcSample {
  const at = performance.now();
  if (pid === undefined) return { cpuSeconds: 0, mainThreadCpuSeconds: 0, rssBytes: 0, at };
  try {
    const process = statFields(`/proc/${pid}/stat`);
    // The main thread's task has the process id; its stat counts that thread alone.
    const main = statFields(`/proc/${pid}/task/${pid}/stat`);
    return { cpuSeconds: process.cpuSeconds, mainThreadCpuSeconds: main.cpuSeconds, rssBytes: process.rssPages * PAGE_SIZE, at };
  } catch {
    return { cpuSeconds: 0, mainThreadCpuSeconds: 0, rssBytes: 0, at };
  }
}

function statFields(file: string): { cpuSeconds: number; rssPages: number } {
  const stat = readFileSync(file, 'utf8');
  // Fields after the parenthesised command name; utime/stime are fields 14/15, rss is 24.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { cpuSeconds: (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS, rssPages: Number(rest[21]) };
}

/** Share of one core used between two samples (1.0 = one core fully busy); `mainThread`: the main thread's alone. */
export function cpuShare(from: ProcSample, to: ProcSample, mainThread = false): number {
  const wallSeconds = (to.at - from.at) / 1000;
  const seconds = mainThread ? to.mainThreadCpuSeconds - from.mainThreadCpuSeconds : to.cpuSeconds - from.cpuSeconds;
  return wallSeconds > 0 ? seconds / wallSeconds : 0;
}
