/**
 * A streaming `multipart/form-data` parser (RFC 7578 / RFC 2046 §5.1). Bytes are pushed as they arrive
 * and come out as events; part bodies are never collected, so a multi-gigabyte file costs the same
 * memory as a small one.
 *
 * Memory invariant: between pushes the parser keeps at most `delimiter.length - 1` bytes of a part body
 * (a possible delimiter prefix), or at most `maxHeaderBytes` of a header block, or the same bound of
 * preamble. Sizes of bodies are the caller's business (it sees every `data` event as it happens).
 */

export class MultipartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultipartError';
  }
}

export interface PartInfo {
  /** The form field name (`name=` of Content-Disposition). */
  readonly name: string;
  /** Present for file parts; any directory part a client sent is removed. */
  readonly filename: string | undefined;
  /** As declared by the client (never trusted for serving); defaulted per RFC 7578 §4.4. */
  readonly contentType: string;
}

export type MultipartEvent =
  | { readonly kind: 'part'; readonly part: PartInfo }
  | { readonly kind: 'data'; readonly chunk: Buffer }
  | { readonly kind: 'partEnd' };

export interface MultipartLimits {
  /** Largest header block of one part. */
  readonly maxHeaderBytes: number;
  /** Most parts in one body. */
  readonly maxParts: number;
  /** Most bytes before the first delimiter. */
  readonly maxPreambleBytes: number;
}

export const DEFAULT_MULTIPART_LIMITS: MultipartLimits = { maxHeaderBytes: 16 * 1024, maxParts: 32, maxPreambleBytes: 64 * 1024 };

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const DASH_DASH = Buffer.from('--');
const EMPTY = Buffer.alloc(0);
const BOUNDARY_CHARS = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/** The boundary of a `multipart/form-data` Content-Type, or undefined when it is not one. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const [type, ...params] = contentType.split(';');
  if (type?.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    let value = param.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return BOUNDARY_CHARS.test(value) ? value : undefined;
  }
  return undefined;
}

type State = 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done';

export class MultipartParser {
  private state: State = 'preamble';
  /** Unconsumed input. In the preamble it starts with a virtual CRLF so the first `--boundary` matches. */
  private buffer: Buffer = CRLF;
  private readonly delimiter: Buffer;
  private parts = 0;
  private preambleBytes = 0;

  constructor(
    boundary: string,
    private readonly limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  /** True once the closing delimiter (`--boundary--`) was read; later input is epilogue and ignored. */
  get done(): boolean {
    return this.state === 'done';
  }

  /** Feeds bytes; returns the events they complete. Throws MultipartError on malformed input or a limit. */
  push(chunk: Uint8Array): MultipartEvent[] {
    if (this.state === 'done') return [];
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.buffer = this.buffer.length === 0 ? bytes : Buffer.concat([this.buffer, bytes]);
    const events: MultipartEvent[] = [];
    while (this.step(events));
    return events;
  }

  /** The body ended: throws unless the closing delimiter was seen. */
  end(): void {
    if (this.state !== 'done') throw new MultipartError('multipart body ended before its closing boundary');
  }

  /** One transition; false when more input is needed. */
  private step(events: MultipartEvent[]): boolean {
    switch (this.state) {
      case 'preamble': {
        const at = this.buffer.indexOf(this.delimiter);
        if (at < 0) {
          this.preambleBytes += this.keepTail(this.delimiter.length - 1);
          if (this.preambleBytes > this.limits.maxPreambleBytes) throw new MultipartError('no multipart boundary found');
          return false;
        }
        this.preambleBytes += at;
        if (this.preambleBytes > this.limits.maxPreambleBytes) throw new MultipartError('no multipart boundary found');
        this.buffer = this.buffer.subarray(at + this.delimiter.length);
        this.state = 'afterDelimiter';
        return true;
      }
      case 'afterDelimiter': {
        // Transport padding (RFC 2046 §5.1.1) may follow a delimiter before its CRLF.
        let i = 0;
        while (i < this.buffer.length && (this.buffer[i] === 0x20 || this.buffer[i] === 0x09)) i++;
        if (i > 64) throw new MultipartError('malformed multipart delimiter line');
        if (this.buffer.length < i + 2) return false;
        const next = this.buffer.subarray(i, i + 2);
        if (i === 0 && next.equals(DASH_DASH)) {
          this.state = 'done';
          this.buffer = EMPTY;
          return false;
        }
        if (!next.equals(CRLF)) throw new MultipartError('malformed multipart delimiter line');
        this.buffer = this.buffer.subarray(i + 2);
        this.state = 'headers';
        return true;
      }
      case 'headers': {
        let block: Buffer;
        if (this.buffer.length >= 2 && this.buffer[0] === 0x0d && this.buffer[1] === 0x0a) {
          block = EMPTY;
          this.buffer = this.buffer.subarray(2);
        } else {
          const end = this.buffer.indexOf(HEADER_END);
          if (end < 0) {
            if (this.buffer.length > this.limits.maxHeaderBytes) throw new MultipartError('multipart part headers too large');
            return false;
          }
          if (end > this.limits.maxHeaderBytes) throw new MultipartError('multipart part headers too large');
          block = this.buffer.subarray(0, end);
          this.buffer = this.buffer.subarray(end + HEADER_END.length);
        }
        this.parts += 1;
        if (this.parts > this.limits.maxParts) throw new MultipartError('too many multipart parts');
        events.push({ kind: 'part', part: parsePartHeaders(block.toString('utf8')) });
        this.state = 'body';
        return true;
      }
      case 'body': {
        const at = this.buffer.indexOf(this.delimiter);
        if (at < 0) {
          const keep = this.delimiter.length - 1;
          if (this.buffer.length > keep) {
            events.push({ kind: 'data', chunk: this.buffer.subarray(0, this.buffer.length - keep) });
            this.buffer = this.buffer.subarray(this.buffer.length - keep);
          }
          return false;
        }
        if (at > 0) events.push({ kind: 'data', chunk: this.buffer.subarray(0, at) });
        events.push({ kind: 'partEnd' });
        this.buffer = this.buffer.subarray(at + this.delimiter.length);
        this.state = 'afterDelimiter';
        return true;
      }
      case 'done':
        return false;
    }
  }

  /** Drops all but the last `keep` bytes; returns how many were dropped. */
  private keepTail(keep: number): number {
    const drop = Math.max(0, this.buffer.length - keep);
    if (drop > 0) this.buffer = this.buffer.subarray(drop);
    return drop;
  }
}

/** Parses one part's header block (already split from the body). */
export function parsePartHeaders(block: string): PartInfo {
  let disposition: string | undefined;
  let contentType: string | undefined;
  for (const line of block.split('\r\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError('malformed multipart part header');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (disposition === undefined) throw new MultipartError('multipart part without Content-Disposition');
  const params = dispositionParams(disposition);
  const name = params.get('name');
  if (name === undefined) throw new MultipartError('multipart part without a field name');
  const extended = params.get('filename*');
  const plain = params.get('filename');
  const raw = extended !== undefined ? decodeExtendedValue(extended) ?? plain : plain;
  const filename = raw === undefined ? undefined : baseName(raw);
  return { name, filename, contentType: contentType ?? (filename === undefined ? 'text/plain' : 'application/octet-stream') };
}

function dispositionParams(value: string): Map<string, string> {
  const [type] = value.split(';', 1);
  const kind = type?.trim().toLowerCase();
  if (kind !== 'form-data' && kind !== 'attachment' && kind !== 'file') throw new MultipartError(`unexpected Content-Disposition "${type ?? ''}"`);
  const params = new Map<string, string>();
  const pattern = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (let match = pattern.exec(value); match !== null; match = pattern.exec(value)) {
    const key = (match[1] ?? '').toLowerCase();
    let text = (match[2] ?? '').trim();
    // Browsers percent-encode `"` in names (WHATWG) and send `\` literally (old IE's `C:\fakepath\…`);
    // only the `\"` escape some non-browser clients use is undone.
    if (text.startsWith('"')) text = text.slice(1, -1).replace(/\\"/g, '"');
    if (!params.has(key)) params.set(key, text);
  }
  return params;
}

/** RFC 5987 `UTF-8''%E4%BD%A0.txt`. */
function decodeExtendedValue(value: string): string | undefined {
  const match = /^([A-Za-z0-9!#$%&+^_`{}~-]+)'[^']*'(.*)$/.exec(value);
  if (match === null || (match[1] ?? '').toLowerCase() !== 'utf-8') return undefined;
  try {
    return decodeURIComponent(match[2] ?? '');
  } catch {
    return undefined;
  }
}

/** Old browsers send `C:\fakepath\a.png`; only the last segment is a name. */
function baseName(filename: string): string {
  const cut = Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'));
  return filename.slice(cut + 1);
}
