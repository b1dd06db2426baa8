/**
 * A Server API caller that signs like a real App Server (SERVER_API.md §1.2: `App-Key`, `Nonce`,
 * `Timestamp` in seconds, `Signature = hex(sha1(secret + nonce + timestamp))`) and sends form bodies
 * with repeated keys for arrays (§1.3).
 */
import { createHash, randomBytes } from 'node:crypto';

export type FormValue = string | number | boolean | readonly (string | number | boolean)[];
export type Form = Readonly<Record<string, FormValue>>;

export interface ServerApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  /** Parsed JSON body (`{}` when the body is not JSON; see `text`). */
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

export interface RequestOptions {
  /** Replaces/extends the signature headers (set a value to '' … or use `omit`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Signature header names to leave out (e.g. ['Signature']). */
  readonly omit?: readonly string[];
  /** Overrides the generated nonce/timestamp (timestamp in seconds unless you pass ms). */
  readonly nonce?: string;
  readonly timestamp?: string;
}

export interface ServerApiClient {
  post<T = Record<string, unknown>>(path: string, form?: Form, options?: RequestOptions): Promise<ServerApiResponse<T>>;
  postJson<T = Record<string, unknown>>(path: string, json: unknown, options?: RequestOptions): Promise<ServerApiResponse<T>>;
  /** The headers a real SDK would send (useful for hand-made requests). */
  signedHeaders(options?: RequestOptions): Record<string, string>;
}

export function sign(secret: string, nonce: string, timestamp: string): string {
  return createHash('sha1').update(secret + nonce + timestamp).digest('hex');
}

export function encodeForm(form: Form): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    const values: readonly (string | number | boolean)[] = Array.isArray(value) ? (value as readonly (string | number | boolean)[]) : [value as string | number | boolean];
    for (const item of values) params.append(key, String(item));
  }
  return params.toString();
}

/** `user/getToken`, `/user/getToken` and `/user/getToken.json` all mean the same endpoint. */
export function apiPath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return /\.(json|xml)$/.test(withSlash) ? withSlash : `${withSlash}.json`;
}

export function serverApi(baseUrl: string, appKey: string, secret: string): ServerApiClient {
  const base = baseUrl.replace(/\/+$/, '');

  const signedHeaders = (options: RequestOptions = {}): Record<string, string> => {
    const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE(0));
    const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'App-Key': appKey,
      Nonce: nonce,
      Timestamp: timestamp,
      Signature: sign(secret, nonce, timestamp),
      ...options.headers,
    };
    for (const name of options.omit ?? []) delete headers[name];
    return headers;
  };

  const send = async <T>(path: string, body: string, contentType: string, options: RequestOptions = {}): Promise<ServerApiResponse<T>> => {
    const response = await fetch(base + apiPath(path), {
      method: 'POST',
      headers: { 'Content-Type': contentType, ...signedHeaders(options) },
      body,
    });
    const text = await response.text();
    let parsed: unknown = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = {};
    }
    return { status: response.status, body: parsed as T, text, headers: response.headers };
  };

  return {
    post: (path, form = {}, options) => send(path, encodeForm(form), 'application/x-www-form-urlencoded', options),
    postJson: (path, json, options) => send(path, JSON.stringify(json), 'application/json', options),
    signedHeaders,
  };
}
