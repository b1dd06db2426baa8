/**
 * `PlatformAdapter.request` over node:http/node:https. Every HTTP status resolves; timeouts,
 * aborts and socket failures reject with HttpRequestError (reason 'timeout' | 'aborted' | 'network').
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { HttpRequest, HttpResponse, PendingRequest } from '../../src/platform/platform-adapter';
import { HttpRequestError } from '../../src/platform/http-request-error';

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function nodeRequest(request: HttpRequest): PendingRequest {
  let settled = false;
  let abortRequest: (error: HttpRequestError) => void = () => undefined;

  const response = new Promise<HttpResponse>((resolve, reject) => {
    const fail = (error: HttpRequestError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      settled = true;
      reject(new HttpRequestError('network', `invalid URL ${request.url}`));
      return;
    }
    const body =
      request.body === undefined ? undefined : typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body);
    const headers: Record<string, string> = { ...request.headers };
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, { method: request.method, headers });
    const timer = setTimeout(() => {
      fail(new HttpRequestError('timeout', `${request.method} ${request.url} timed out after ${request.timeoutMs} ms`));
      req.destroy();
    }, request.timeoutMs);
    abortRequest = (error) => {
      fail(error);
      req.destroy();
    };
    req.on('error', (error) => fail(new HttpRequestError('network', error.message)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => fail(new HttpRequestError('network', error.message)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const bytes = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: flattenHeaders(res.headers),
          body: request.responseType === 'text' ? bytes.toString('utf8') : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        });
      });
    });
    req.end(body);
  });

  return {
    response,
    abort(): void {
      abortRequest(new HttpRequestError('aborted', `${request.method} ${request.url} aborted`));
    },
  };
}
