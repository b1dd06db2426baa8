/**
 * The server's application logger, on pino: one JSON object per line on stderr (`level` as pino's
 * number, `time` in epoch ms, `pid`, `hostname`, the fields, `msg`). fastify's request logger is a
 * child of the same pino instance (`pinoFor`), so both streams share one format, one redaction list
 * and one level. stdout is kept for the few machine-readable lines main.ts prints (`listening on …`).
 */
import type { FastifyBaseLogger } from 'fastify';
import { pino, type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Deliberately tiny so that any logger (fastify's pino included) satisfies it.
 * Field conventions (so one `grep`/`jq` follows a client): `connId` = the connection's session id
 * (WebSocket or comet; assigned before authentication, so refusals carry it too), `appKey`,
 * `userId`; HTTP request lines written by fastify carry `reqId` (also sent back as `x-request-id`).
 * Never log tokens, secrets or message contents (the fields in `REDACTED_FIELDS` are censored anyway).
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Changes the threshold at runtime (config reload); loggers that cannot simply omit it. */
  setLevel?(level: LogLevel): void;
}

/** Field names whose values never reach a log line, at the top level or one object down (`req.token`). */
export const REDACTED_FIELDS: readonly string[] = ['token', 'secret', 'appSecret', 'password', 'signature', 'nonce', 'authorization', 'cookie', 'content'];
export const REDACTED = '[redacted]';

/** Query parameters masked in logged request URLs (comet and navi carry the token in the query). */
const SECRET_QUERY = /([?&](?:token|signature|secret|appSecret|password|nonce)=)[^&#]*/gi;

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** A request URL with the values of secret-bearing query parameters replaced. */
export function maskUrl(url: string): string {
  return url.replace(SECRET_QUERY, `$1${REDACTED}`);
}

interface RequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly host?: string;
  readonly hostname?: string;
  readonly ip?: string;
  readonly socket?: { readonly remotePort?: number };
}

/** fastify's request serializer, with the URL masked; headers (Signature, Authorization) are left out. */
function serializeRequest(request: RequestLike): Record<string, unknown> {
  const version = request.headers?.['accept-version'];
  return {
    method: request.method,
    url: request.url === undefined ? undefined : maskUrl(request.url),
    ...(typeof version === 'string' ? { version } : {}),
    host: request.host ?? request.hostname,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Errors are not JSON-serialisable as they are; keep what helps reading a log. */
function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return { type: value.name, message: value.message, stack: value.stack };
}

/** The pino options shared by the application and request loggers. */
export function pinoOptions(level: LogLevel, clock: () => number = Date.now): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`]), censor: REDACTED },
    serializers: { req: serializeRequest, err: pino.stdSerializers.err },
    timestamp: () => `,"time":${clock()}`,
  };
}

const pinos = new WeakMap<Logger, PinoLogger>();

/**
 * The pino instance for fastify's `loggerInstance`: the one behind `log` when `createLogger` made it
 * (so request lines follow its level and format), else a new one on stderr at `fallbackLevel`.
 */
export function pinoFor(log: Logger, fallbackLevel: LogLevel): FastifyBaseLogger {
  return pinos.get(log) ?? pino(pinoOptions(fallbackLevel), process.stderr);
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => {
    process.stderr.write(line);
  },
  clock: () => number = Date.now,
): Logger {
  const destination: DestinationStream = { write };
  const base = pino(pinoOptions(level, clock), destination);
  const emit = (at: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: LogFields): void => {
    if (!base.isLevelEnabled(at)) return;
    if (fields === undefined) {
      base[at](msg);
      return;
    }
    const record: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(fields)) record[key] = serializeError(field);
    base[at](record, msg);
  };
  const log: Logger = {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    setLevel: (next) => {
      base.level = next;
    },
  };
  pinos.set(log, base);
  return log;
}
