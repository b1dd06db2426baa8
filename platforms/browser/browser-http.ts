/**
 * `request` for browsers: fetch + AbortController when both exist, XMLHttpRequest otherwise.
 * Every HTTP status resolves; timeout/abort/network failures reject with HttpRequestError.
 */
import type { HttpRequest, HttpResponse, PendingRequest } from '../../src/platform/platform-adapter';
import { HttpRequestError } from '../../src/platform/http-request-error';
import type { BrowserHost } from './browser-host';

/** `getAllResponseHeaders()` text as lower-cased name → value. */
export function parseHeaderBlock(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

/** A copy whose buffer is exactly the bytes (some hosts send the whole underlying buffer). */
function exactBytes(body: Uint8Array): Uint8Array {
  return body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : body.slice();
}

export function browserRequest(host: BrowserHost, request: HttpRequest): PendingRequest {
  if (host.fetch !== undefined && host.AbortController !== undefined) return fetchRequest(host, new host.AbortController(), request);
  return xhrRequest(host, request);
}

function fetchRequest(
  host: BrowserHost,
  controller: InstanceType<NonNullable<BrowserHost['AbortController']>>,
  request: HttpRequest,
): PendingRequest {
  let failure: HttpRequestError | undefined;
  let settled = false;
  const stop = (error: HttpRequestError): void => {
    if (settled || failure !== undefined) return;
    failure = error;
    controller.abort();
  };
  const timer = host.setTimeout(
    () => stop(new HttpRequestError('timeout', `${request.method} ${request.url} timed out after ${request.timeoutMs} ms`)),
    request.timeoutMs,
  );
  const run = async (): Promise<HttpResponse> => {
    const init = {
      method: request.method,
      headers: { ...request.headers },
      signal: controller.signal,
      cache: 'no-store',
      ...(request.body === undefined ? {} : { body: typeof request.body === 'string' ? request.body : exactBytes(request.body) }),
    };
    // Called as a method of the host: a detached `fetch` throws "Illegal invocation" in browsers.
    if (host.fetch === undefined) throw new Error('fetch is not available');
    const res = await host.fetch(request.url, init);
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const body = request.responseType === 'text' ? await res.text() : new Uint8Array(await res.arrayBuffer());
    return { status: res.status, headers, body };
  };
  const response = run().then(
    (res) => {
      host.clearTimeout(timer);
      if (failure !== undefined) throw failure;
      settled = true;
      return res;
    },
    (error: unknown) => {
      host.clearTimeout(timer);
      settled = true;
      throw failure ?? new HttpRequestError('network', error instanceof Error ? error.message : String(error));
    },
  );
  return { response, abort: () => stop(new HttpRequestError('aborted', `${request.method} ${request.url} aborted`)) };
}

/** The XMLHttpRequest members one exchange uses (requests and uploads type the rest themselves). */
export interface XhrExchange {
  readonly status: number;
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  getAllResponseHeaders(): string;
  send(body: unknown): void;
  abort(): void;
}

/**
 * One XMLHttpRequest, settled once. `prepare` creates and opens it (a throw rejects with that
 * error) and returns it with the body to send; load resolves with `bodyOf(xhr)`, error/abort/
 * timeout/`abort()` reject with an HttpRequestError whose message starts with `what`.
 * (`xhr.timeout` is never set: the timeout is ours, so the host's `ontimeout` never fires.)
 */
export function xhrExchange<X extends XhrExchange>(
  host: BrowserHost,
  what: string,
  timeoutMs: number,
  prepare: (settled: () => boolean) => readonly [X, unknown],
  bodyOf: (xhr: X) => string | Uint8Array,
): PendingRequest {
  let settled = false;
  let timer: unknown;
  let xhr: X | undefined;
  let stop: (error: Error) => void = () => undefined;
  const response = new Promise<HttpResponse>((resolve, reject) => {
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      host.clearTimeout(timer);
      reject(error);
    };
    stop = (error) => {
      fail(error);
      xhr?.abort();
    };
    let prepared: readonly [X, unknown];
    try {
      prepared = prepare(() => settled);
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const [x, body] = prepared;
    xhr = x;
    x.onload = () => {
      if (settled) return;
      settled = true;
      host.clearTimeout(timer);
      resolve({ status: x.status, headers: parseHeaderBlock(x.getAllResponseHeaders()), body: bodyOf(x) });
    };
    x.onerror = () => fail(new HttpRequestError('network', `${what} failed`));
    x.onabort = () => fail(new HttpRequestError('aborted', `${what} aborted`));
    timer = host.setTimeout(() => stop(new HttpRequestError('timeout', `${what} timed out after ${timeoutMs} ms`)), timeoutMs);
    x.send(body);
  });
  return { response, abort: () => stop(new HttpRequestError('aborted', `${what} aborted`)) };
}

function xhrRequest(host: BrowserHost, request: HttpRequest): PendingRequest {
  const Xhr = host.XMLHttpRequest;
  if (Xhr === undefined) {
    return {
      response: Promise.reject(new HttpRequestError('network', 'neither fetch nor XMLHttpRequest is available')),
      abort: () => undefined,
    };
  }
  return xhrExchange(
    host,
    `${request.method} ${request.url}`,
    request.timeoutMs,
    () => {
      const xhr = new Xhr();
      xhr.open(request.method, request.url, true);
      xhr.responseType = request.responseType === 'bytes' ? 'arraybuffer' : 'text';
      for (const [name, value] of Object.entries(request.headers ?? {})) xhr.setRequestHeader(name, value);
      const body = request.body;
      return [xhr, body === undefined ? null : typeof body === 'string' ? body : exactBytes(body)];
    },
    (xhr) => {
      const raw = xhr.response;
      return request.responseType === 'text' ? xhr.responseText : raw instanceof ArrayBuffer ? new Uint8Array(raw) : new Uint8Array(0);
    },
  );
}
