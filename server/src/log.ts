/**
 * The server's application logger: one JSON object per line on stderr, in the same shape pino
 * (fastify's request logger) writes, so both streams can be read by the same tools. stdout is kept
 * for the few machine-readable lines main.ts prints (`listening on …`).
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Deliberately tiny so that any logger (fastify's pino included) satisfies it.
 * Field conventions (so one `grep`/`jq` follows a client): `connId` = the connection's session id
 * (WebSocket or comet; assigned before authentication, so refusals carry it too), `appKey`,
 * `userId`; HTTP request lines written by fastify carry `reqId` (also sent back as `x-request-id`).
 * Never log tokens, secrets or message contents.
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Changes the threshold at runtime (config reload); loggers that cannot simply omit it. */
  setLevel?(level: LogLevel): void;
}

/** pino's numeric levels. */
const LEVEL_VALUE: Readonly<Record<LogLevel, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** Errors are not JSON-serialisable as they are; keep what helps reading a log. */
function toSerializable(value: unknown): unknown {
  if (value instanceof Error) {
    return { type: value.name, message: value.message, stack: value.stack };
  }
  return value;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => {
    process.stderr.write(line);
  },
  clock: () => number = Date.now,
): Logger {
  let threshold = LEVEL_VALUE[level];
  const emit = (at: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
    const value = LEVEL_VALUE[at];
    if (value < threshold) return;
    const record: Record<string, unknown> = { level: value, time: clock() };
    if (fields !== undefined) {
      for (const [key, field] of Object.entries(fields)) record[key] = toSerializable(field);
    }
    record['msg'] = msg;
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      // Circular or BigInt fields: never let logging throw into the caller.
      line = JSON.stringify({ level: value, time: record['time'], msg, fieldsError: 'unserializable fields' });
    }
    write(line + '\n');
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    setLevel: (next) => {
      threshold = LEVEL_VALUE[next];
    },
  };
}
