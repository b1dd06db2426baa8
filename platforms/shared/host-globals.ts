/**
 * The few globals every mini-program host provides besides its API object (`wx`, `my`, …):
 * timers, `Date` and `console`. They are declared here, module-local, because the mini-program
 * tsconfigs have neither the DOM nor the Node lib; every use is at call time, never at import, so
 * loading a bundle touches no host global (the hygiene test loads it with all of them hidden).
 */
import type { Clock } from '../../src/platform/platform-adapter';
import { LogLevel } from '../../src/api/enums';

declare function setTimeout(callback: () => void, ms: number): unknown;
declare function clearTimeout(id: unknown): void;

interface HostConsole {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
}
declare const console: HostConsole | undefined;

/** The host's own timers and wall clock. */
export const hostClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (id) => clearTimeout(id),
};

/** `logStdout` for the pre-wired entries: the host console when it has one, else nothing. */
export function consoleLog(level: LogLevel, content: string): void {
  if (typeof console === 'undefined') return;
  if (level >= LogLevel.ERROR) console.error(content);
  else if (level >= LogLevel.WARN) console.warn(content);
  else console.log(content);
}
