/**
 * Server API error catalog (SERVER_API.md §1.4) and the fastify error handler that renders every
 * error as the API's JSON envelope `{"code":<bizCode>,"errorMessage":"…"}` with a non-2xx status.
 *
 * Invariant: 5xx is only used for real server faults, because every official server SDK treats a
 * 5xx as "switch to the backup domain" (SERVER_API.md §1.4).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorDef {
  /** Business code carried in the body (`code`). */
  readonly code: number;
  readonly httpStatus: number;
  /** Default `errorMessage` when the thrower gives no detail. */
  readonly message: string;
}

export const ServerApiErrors = {
  internal: { code: 1000, httpStatus: 500, message: 'internal server error' },
  badParameter: { code: 1002, httpStatus: 400, message: 'parameter is invalid' },
  noPostData: { code: 1003, httpStatus: 400, message: 'no post data' },
  /** Also used for an unknown or missing App-Key: the caller cannot be authenticated either way. */
  signature: { code: 1004, httpStatus: 401, message: 'signature error' },
  lengthExceeded: { code: 1005, httpStatus: 400, message: 'length exceeded' },
  rateLimited: { code: 1008, httpStatus: 429, message: 'too many requests' },
  notEnabled: { code: 1009, httpStatus: 430, message: 'service not enabled' },
  bodyTooLarge: { code: 1508, httpStatus: 413, message: 'request body too large' },
  notFound: { code: 404, httpStatus: 404, message: 'not found' },
  methodNotAllowed: { code: 405, httpStatus: 405, message: 'method not allowed, use POST' },
} as const satisfies Record<string, ErrorDef>;

export class ServerApiError extends Error {
  readonly code: number;
  readonly httpStatus: number;

  constructor(def: ErrorDef, detail?: string) {
    super(detail ?? def.message);
    this.name = 'ServerApiError';
    this.code = def.code;
    this.httpStatus = def.httpStatus;
  }
}

export function apiError(def: ErrorDef, detail?: string): ServerApiError {
  return new ServerApiError(def, detail);
}

export interface ErrorEnvelope {
  readonly code: number;
  readonly errorMessage: string;
}

/** Maps anything thrown by a route (ours or fastify's) to status + envelope. */
export function toErrorEnvelope(error: unknown): { status: number; body: ErrorEnvelope } {
  if (error instanceof ServerApiError) {
    return { status: error.httpStatus, body: { code: error.code, errorMessage: error.message } };
  }
  const fastifyError = error as Partial<FastifyError> | null;
  const status = typeof fastifyError?.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (fastifyError?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
    return envelopeOf(ServerApiErrors.bodyTooLarge);
  }
  if (status === 404) return envelopeOf(ServerApiErrors.notFound);
  if (status >= 400 && status < 500) {
    // Malformed JSON, bad content length, unsupported media type…: the request is at fault.
    const message = typeof fastifyError?.message === 'string' && fastifyError.message !== '' ? fastifyError.message : ServerApiErrors.badParameter.message;
    return { status, body: { code: ServerApiErrors.badParameter.code, errorMessage: message } };
  }
  return envelopeOf(ServerApiErrors.internal);
}

function envelopeOf(def: ErrorDef): { status: number; body: ErrorEnvelope } {
  return { status: def.httpStatus, body: { code: def.code, errorMessage: def.message } };
}

export function serverApiErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorEnvelope(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
}
