/** Another process's CPU time and resident memory from /proc (Linux); zeros elsewhere. */
import { readFileSync } from 'node:fs';

export interface ProcSample {
  /** user + system CPU seconds so far. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  /** performance.now() when taken. */
  readonly at: number;
}

const CLOCK_TICKS = 100;
const PAGE_SIZE = 4096;

export function sampleProcess(pid: number | undefined): ProcSample {
  const at = performance.now();
  if (pid === undefined) return { cpuSeconds: 0, rssBytes: 0, at };
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime/stime are fields 14/15, rss is 24.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    const rssPages = Number(rest[21]);
    return { cpuSeconds: (utime + stime) / CLOCK_TICKS, rssBytes: rssPages * PAGE_SIZE, at };
  } catch {
    return { cpuSeconds: 0, rssBytes: 0, at };
  }
}

/** Share of one core used between two samples (1.0 = one core fully busy). */
export function cpuShare(from: ProcSample, to: ProcSample): number {
  const wallSeconds = (to.at - from.at) / 1000;
  return wallSeconds > 0 ? (to.cpuSeconds - from.cpuSeconds) / wallSeconds : 0;
}
