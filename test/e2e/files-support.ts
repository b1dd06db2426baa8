/**
 * Helpers for the file-service tests: synthetic media (JPEG/GIF/MP4/AAC headers with deterministic
 * bodies), a multipart form builder that puts parts in any order (the official plugin sends the token
 * last), and raw HTTP calls that tolerate a server closing the connection on an early refusal.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import type { FileTokenResult } from '../../src/index';
import { call } from './sdk-api-support';
import type { SdkUser } from './sdk-api-support';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function noise(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function jpeg(length: number, seed = 2): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), noise(Math.max(0, length - 4), seed)]);
}

export function gif(length: number, seed = 3): Buffer {
  return Buffer.concat([Buffer.from('GIF89a'), noise(Math.max(0, length - 6), seed)]);
}

/** ADTS AAC header + noise. */
export function aac(length: number, seed = 4): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xf1, 0x50, 0x80]), noise(Math.max(0, length - 4), seed)]);
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}

/** A minimal MP4: ftyp, then (moovFirst) moov/mvhd v0 with the duration, and an mdat of `mdatBytes`. */
export function mp4(seconds: number, mdatBytes: number, moovFirst = true, seed = 5): Buffer {
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(Math.round(seconds * 1000), 16); // duration
  const ftyp = box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2mp41', 'latin1'));
  const moov = box('moov', box('mvhd', mvhd));
  const mdat = box('mdat', noise(mdatBytes, seed));
  return moovFirst ? Buffer.concat([ftyp, moov, mdat]) : Buffer.concat([ftyp, mdat, moov]);
}

export interface FormPart {
  readonly name: string;
  readonly value: string | Buffer;
  readonly filename?: string;
  readonly contentType?: string;
}

export function multipart(parts: readonly FormPart[], boundary = `----lxtest${Date.now().toString(16)}`): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    // Quotes percent-encoded as browsers do (WHATWG multipart/form-data encoding).
    if (part.filename !== undefined) head += `; filename="${part.filename.replace(/"/g, '%22')}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`), typeof part.value === 'string' ? Buffer.from(part.value) : part.value, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

/**
 * One HTTP request. A refusal can arrive while the body is still being sent and the server then
 * closes the connection: that response is returned; a reset with no response resolves `undefined`.
 */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<RawResponse | undefined> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method: options.method ?? 'GET', headers: { ...options.headers, ...(options.body ? { 'content-length': String(options.body.length) } : {}) } });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body.toString('utf8')) as T });
      });
      res.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(undefined);
      else reject(error);
    });
    if (options.body) {
      // Chunked writes so a large body really streams (and an early answer can cut it short).
      const body = options.body;
      let at = 0;
      const pump = (): void => {
        while (at < body.length) {
          const more = req.write(body.subarray(at, at + 64 * 1024));
          at += 64 * 1024;
          if (!more) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    } else {
      req.end();
    }
  });
}

export async function postForm(url: string, parts: readonly FormPart[], headers: Record<string, string> = {}): Promise<RawResponse | undefined> {
  const form = multipart(parts);
  return rawRequest(url, { method: 'POST', headers: { ...headers, 'content-type': form.contentType }, body: form.body });
}

/** Every regular file under `dir` (relative paths), for "nothing partial left behind" checks. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(at);
    } catch {
      return;
    }
    for (const name of names) {
      const full = join(at, name);
      const relative = rel === '' ? name : `${rel}/${name}`;
      if (statSync(full).isDirectory()) walk(full, relative);
      else out.push(relative);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** An upload token through the SDK's `getFileToken`; throws when it fails. */
export async function tokenFor(user: SdkUser, fileType: number, fileName?: string): Promise<FileTokenResult> {
  const result = await call<FileTokenResult>((cb) => user.im.getFileToken(fileType, cb, fileName));
  if (!result.ok) throw new Error(`getFileToken failed: ${result.code}`);
  return result.value;
}
