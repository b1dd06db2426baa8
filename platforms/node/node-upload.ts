/**
 * `PlatformAdapter.upload` for Node.js: one multipart POST over node:http(s), streamed from memory
 * (`bytes`, or a Buffer given as `host`) or from a file (`path`) with a known Content-Length, in 64 KiB
 * writes that respect backpressure. Progress counts body bytes the socket accepted (write callbacks),
 * so it only grows and ends at the body length. A server that answers before the body is complete
 * (a refused token, a size limit) is heard: its response resolves the upload and the rest is not sent.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { randomBytes } from 'node:crypto';
import type { HttpResponse } from '../../src/platform/platform-adapter';
import type { PendingUpload, UploadRequest } from '../../src/platform/upload-request';
import { HttpRequestError } from '../../src/platform/http-request-error';

const CHUNK = 64 * 1024;

/** WHATWG form encoding of names in Content-Disposition: `"` CR LF percent-escaped. */
function quote(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

type Body = { readonly size: number; chunks(): AsyncIterable<Uint8Array> };

async function bodyOf(request: UploadRequest): Promise<Body> {
  const source = request.source;
  const bytes = source.kind === 'bytes' ? source.bytes : source.kind === 'host' && source.value instanceof Uint8Array ? source.value : undefined;
  if (bytes !== undefined) {
    return {
      size: bytes.byteLength,
      async *chunks() {
        for (let at = 0; at < bytes.byteLength; at += CHUNK) yield bytes.subarray(at, at + CHUNK);
      },
    };
  }
  if (source.kind === 'path') {
    const info = await stat(source.path);
    if (!info.isFile()) throw new Error(`not a file: ${source.path}`);
    return { size: info.size, chunks: () => createReadStream(source.path, { highWaterMark: CHUNK }) };
  }
  throw new Error('Node uploads take bytes, a Buffer or a file path');
}

export function nodeUpload(request: UploadRequest): PendingUpload {
  let settled = false;
  let stop: (error: HttpRequestError) => void = () => undefined;
  const response = new Promise<HttpResponse>((resolve, reject) => {
    let req: http.ClientRequest | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let responded = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      reject(error);
    };
    stop = (error) => {
      fail(error);
      req?.destroy();
    };
    timer = setTimeout(() => stop(new HttpRequestError('timeout', `upload to ${request.url} timed out after ${request.timeoutMs} ms`)), request.timeoutMs);
    const start = async (): Promise<void> => {
      const url = new URL(request.url);
      const body = await bodyOf(request);
      if (settled) return;
      const boundary = `----lianxin${randomBytes(12).toString('hex')}`;
      let head = '';
      for (const [name, value] of Object.entries(request.fields)) {
        head += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`;
      }
      head += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(request.fileField)}"; filename="${quote(request.fileName)}"\r\nContent-Type: ${request.contentType.replace(/[\r\n]/g, '')}\r\n\r\n`;
      const preamble = Buffer.from(head, 'utf8');
      const trailer = Buffer.from(`\r\n--${boundary}--\r\n`);
      const total = preamble.length + body.size + trailer.length;
      const transport = url.protocol === 'https:' ? https : http;
      const r = transport.request(url, {
        method: 'POST',
        headers: { ...request.headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(total) },
      });
      req = r;
      r.on('error', (error) => {
        // After the server answered, a reset of the unsent rest is expected, not a failure.
        if (!responded) fail(new HttpRequestError('network', error.message));
      });
      r.on('response', (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => fail(new HttpRequestError('network', error.message)));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          if (timer !== undefined) clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      let sent = 0;
      const write = (chunk: Uint8Array): Promise<void> =>
        new Promise((done) => {
          const more = r.write(chunk, () => {
            sent += chunk.byteLength;
            if (!settled && !responded) request.onProgress?.(sent, total);
          });
          if (more || r.destroyed) {
            done();
            return;
          }
          // Also released by 'close', so a destroyed request never leaves this waiting.
          const release = (): void => {
            r.off('drain', release);
            r.off('close', release);
            done();
          };
          r.on('drain', release);
          r.on('close', release);
        });
      await write(preamble);
      for await (const chunk of body.chunks()) {
        if (settled || responded || r.destroyed) return;
        await write(chunk);
      }
      if (settled || responded || r.destroyed) return;
      r.end(trailer, () => {
        if (!settled && !responded) request.onProgress?.(total, total);
      });
    };
    start().catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))));
  });
  return { response, abort: () => stop(new HttpRequestError('aborted', `upload to ${request.url} aborted`)) };
}
