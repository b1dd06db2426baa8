/**
 * A real HTTP request (node:http, like the host's native stack) behind a simulated request task.
 * Response headers keep the server's spelling (hosts hand them over as sent); the body is raw
 * bytes, each simulator decides what `data` becomes.
 */
import * as http from 'node:http';
import type { SimulatedDevice } from './simulated-device';

export interface RealResponse {
  readonly status: number;
  /** Header names as the server spelled them. */
  readonly headers: Record<string, string>;
  readonly headerValue: (name: string) => string | undefined;
  readonly body: Buffer;
}

export type RealOutcome = { readonly ok: true; readonly response: RealResponse } | { readonly ok: false; readonly why: 'network' | 'timeout' | 'abort' | 'interrupted'; readonly message: string };

export interface RealRequestOptions {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  readonly timeoutMs: number;
  /** Upload progress: body bytes the socket accepted so far, and the body size. */
  readonly onProgress?: (sent: number, total: number) => void;
}

const CHUNK = 16 * 1024;

export class RealRequest {
  private settled = false;
  private readonly req: http.ClientRequest | undefined;
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly untrack: () => void;

  constructor(
    device: SimulatedDevice,
    options: RealRequestOptions,
    private readonly done: (outcome: RealOutcome) => void,
  ) {
    this.untrack = device.track({ interrupt: (why) => this.fail('interrupted', `interrupted (${why})`) });
    this.timer = setTimeout(() => this.fail('timeout', 'timeout'), options.timeoutMs);
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      this.req = undefined;
      setTimeout(() => this.fail('network', `invalid url ${options.url}`), 0);
      return;
    }
    const headers = { ...options.headers, ...(options.body === undefined ? {} : { 'content-length': String(options.body.byteLength) }) };
    this.req = http.request(url, { method: options.method, headers });
    this.req.on('error', (error) => this.fail('network', error.message));
    this.req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => this.fail('network', error.message));
      res.on('end', () => {
        const spelled: Record<string, string> = {};
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i] ?? '';
          spelled[name] = spelled[name] === undefined ? (res.rawHeaders[i + 1] ?? '') : `${spelled[name]}, ${res.rawHeaders[i + 1] ?? ''}`;
        }
        const headerValue = (name: string): string | undefined => {
          const value = res.headers[name.toLowerCase()];
          return Array.isArray(value) ? value.join(', ') : value;
        };
        this.settle({ ok: true, response: { status: res.statusCode ?? 0, headers: spelled, headerValue, body: Buffer.concat(chunks) } });
      });
    });
    const { body, onProgress } = options;
    if (body === undefined || onProgress === undefined) {
      this.req.end(body);
      return;
    }
    // Written in chunks so progress grows as a host's uploader reports it.
    const req = this.req;
    let sent = 0;
    const writeNext = (): void => {
      if (this.settled) return;
      if (sent >= body.byteLength) {
        req.end();
        return;
      }
      const chunk = body.subarray(sent, sent + CHUNK);
      req.write(chunk, () => {
        sent += chunk.byteLength;
        if (!this.settled) onProgress(sent, body.byteLength);
        writeNext();
      });
    };
    writeNext();
  }

  abort(): void {
    this.fail('abort', 'abort');
  }

  private fail(why: 'network' | 'timeout' | 'abort' | 'interrupted', message: string): void {
    if (this.settled) return;
    this.req?.destroy();
    this.settle({ ok: false, why, message });
  }

  private settle(outcome: RealOutcome): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.untrack();
    // Hosts call back asynchronously, never from inside the API call or abort().
    setTimeout(() => this.done(outcome), 0);
  }
}
