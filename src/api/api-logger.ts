/**
 * The SDK logger built from `init` options: `logLevel` filters (default WARN), `logStdout(level,
 * content)` replaces the output. Without `logStdout` nothing is printed: the core has no console
 * (src/ is host-free); platform entries may pass a console-backed default.
 */
import type { Logger } from '../client/logger';
import { describeValue } from './validate';
import { LogLevel } from './enums';

export type LogStdout = (level: LogLevel, content: string) => void;

export interface LoggerConfig {
  level: LogLevel;
  stdout: LogStdout | undefined;
}

function render(message: string, data: readonly unknown[]): string {
  if (data.length === 0) return message;
  return `${message} ${data.map((d) => (d instanceof Error ? `${d.name}: ${d.message}` : describeValue(d))).join(' ')}`;
}

/** A logger reading `config` at call time, so a later `init` reconfigures loggers made earlier. */
export function createApiLogger(config: LoggerConfig, tag = 'RC:IM'): Logger {
  const write = (level: LogLevel, message: string, data: readonly unknown[]): void => {
    if (level < config.level || config.stdout === undefined) return;
    try {
      config.stdout(level, `[${tag}] ${render(message, data)}`);
    } catch {
      // The app's log sink must not break the SDK.
    }
  };
  return {
    debug: (message, ...data) => write(LogLevel.DEBUG, message, data),
    info: (message, ...data) => write(LogLevel.INFO, message, data),
    warn: (message, ...data) => write(LogLevel.WARN, message, data),
    error: (message, ...data) => write(LogLevel.ERROR, message, data),
  };
}
