/**
 * `PlatformAdapter.request` over a host's callback-style request API (wx/tt/swan/uni `request`,
 * Alipay `my.request`). The adapter owns the timeout and abort (a host's own `timeout` option is
 * capped, e.g. 60 s, or missing on old base libraries), so their reasons never depend on how a host
 * words its failure. Every HTTP status resolves; only transport failures, timeouts and aborts
 * reject, with HttpRequestError.
 */
import type { Clock, HttpRequest, HttpResponse, PendingRequest } from '../../src/platform/platform-adapter';
import { HttpRequestError } from '../../src/platform/http-request-error';
import { encodeUtf8 } from '../../src/codec/utf8';
import { bytesOf, exactArrayBuffer, lowerCaseHeaders, textOf } from './host-data';

/** One request as every host understands it (body already a string or an ArrayBuffer). */
export interface HostRequestSpec {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string | ArrayBuffer;
  readonly responseType: 'text' | 'arraybuffer';
  readonly timeoutMs: number;
}

export type HostRequestOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly headers: unknown; readonly data: unknown }
  | { readonly kind: 'timeout' | 'network'; readonly message: string };

/** Starts the host request; `done` may be called once, at any time (even before this returns). */
export type HostRequestStarter = (spec: HostRequestSpec, done: (outcome: HostRequestOutcome) => void) => { abort(): void } | undefined;

/**
 * Settles one host task (request or upload) once: the host's outcome, the adapter's own timeout,
 * or `abort()`. `start` receives `done`; a synchronous throw counts as a network failure.
 */
export function runHostTask(
  start: (done: (outcome: HostRequestOutcome) => void) => { abort(): void } | undefined,
  clock: Clock,
  what: string,
  timeoutMs: number,
  responseType: 'text' | 'bytes',
): PendingRequest {
  let settled = false;
  let task: { abort(): void } | undefined;
  let stop: (error: HttpRequestError) => void = () => undefined;

  const response = new Promise<HttpResponse>((resolve, reject) => {
    const timer = clock.setTimeout(() => stop(new HttpRequestError('timeout', `${what} timed out after ${timeoutMs} ms`)), timeoutMs);
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clock.clearTimeout(timer);
      return true;
    };
    stop = (error) => {
      if (!settle()) return;
      reject(error);
      try {
        task?.abort();
      } catch {
        // The task is already given up; a host that cannot abort it just finishes unheard.
      }
    };
    const done = (outcome: HostRequestOutcome): void => {
      if (outcome.kind !== 'response') {
        if (settle()) reject(new HttpRequestError(outcome.kind, `${what}: ${outcome.message}`));
        return;
      }
      if (!settle()) return;
      const body = responseType === 'text' ? textOf(outcome.data) : (bytesOf(outcome.data) ?? encodeUtf8(textOf(outcome.data)));
      resolve({ status: outcome.status, headers: lowerCaseHeaders(outcome.headers), body });
    };
    try {
      task = start(done);
    } catch (error) {
      done({ kind: 'network', message: error instanceof Error ? error.message : String(error) });
    }
    if (settled) task = undefined;
  });

  return { response, abort: () => stop(new HttpRequestError('aborted', `${what} aborted`)) };
}

export function hostRequest(start: HostRequestStarter, clock: Clock, request: HttpRequest): PendingRequest {
  const spec: HostRequestSpec = {
    url: request.url,
    method: request.method,
    headers: { ...request.headers },
    responseType: request.responseType === 'bytes' ? 'arraybuffer' : 'text',
    timeoutMs: request.timeoutMs,
    ...(request.body === undefined ? {} : { body: typeof request.body === 'string' ? request.body : exactArrayBuffer(request.body) }),
  };
  return runHostTask((done) => start(spec, done), clock, `${request.method} ${request.url}`, request.timeoutMs, request.responseType);
}
