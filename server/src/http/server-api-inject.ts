/**
 * Calls this server's own signed Server API in-process (fastify.inject): the web demo's dev token
 * endpoint and the admin console use the same public `POST /<path>.json` an App Server uses — no
 * private shortcut — so they double as its reference client. The app secret never leaves the server.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config';
import { computeSignature } from './server-api/auth';

/** Form fields (or a JSON body with `json`); an array value repeats the field (`userId=a&userId=b`), as the Server API expects. */
export type ServerApiParams = Readonly<Record<string, string | number | boolean | readonly (string | number)[]>>;

export interface ServerApiAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** `user/getToken`, `/user/getToken.json`: letters, digits, `/`, `_` only (never a query or `..`). */
const PATH = /^\/?([a-zA-Z][a-zA-Z0-9_]*(?:\/[a-zA-Z][a-zA-Z0-9_]*)*)(?:\.json)?$/;

export function normalizeServerApiPath(path: string): string | undefined {
  const match = PATH.exec(path);
  return match?.[1] === undefined ? undefined : `/${match[1]}.json`;
}

export function encodeServerApiParams(params: ServerApiParams): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) for (const item of value as readonly (string | number)[]) form.append(name, String(item));
    else form.append(name, String(value));
  }
  return form.toString();
}

export async function callServerApi(fastify: FastifyInstance, app: AppConfig, path: string, params: ServerApiParams, now: number, json = false): Promise<ServerApiAnswer> {
  const url = normalizeServerApiPath(path);
  if (url === undefined) return { status: 400, body: { code: 1002, errorMessage: `not a Server API path: ${path}` } };
  const nonce = randomBytes(8).toString('hex');
  const timestamp = String(Math.floor(now / 1000));
  const response = await fastify.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
      'App-Key': app.appKey,
      Nonce: nonce,
      Timestamp: timestamp,
      Signature: computeSignature(app.appSecret, nonce, timestamp),
    },
    payload: json ? JSON.stringify(params) : encodeServerApiParams(params),
  });
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(response.body);
    body = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    body = { text: response.body };
  }
  return { status: response.statusCode, body };
}
