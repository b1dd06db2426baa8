/**
 * What an app may hand the upload helper, turned into an UploadSource plus the facts the form needs
 * (name, type, size). No host API is touched: a browser File/Blob is recognised by its plain
 * `name`/`size`/`type` properties and passed to the adapter untouched.
 *
 * Accepted: `Uint8Array` / `ArrayBuffer` (bytes), a string (a host file path: Node path, mini-program
 * temp file), `{ path, name?, type?, size? }` (mini-program `tempFiles` entries), `{ data, name?, type? }`
 * (bytes with a name), and any other object (a browser File/Blob, given to the adapter as is).
 */
import type { UploadSource } from '../platform/upload-request';

export interface UploadFileInfo {
  readonly source: UploadSource;
  /** Original name, '' when the host object has none. */
  readonly name: string;
  /** Declared MIME type, 'application/octet-stream' when unknown. */
  readonly type: string;
  /** Bytes, when known before sending. */
  readonly size: number | undefined;
}

const OCTET = 'application/octet-stream';

function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return undefined;
}

function lastSegment(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(cut + 1);
}

function stringProp(record: Record<string, unknown>, name: string): string | undefined {
  const value = record[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numberProp(record: Record<string, unknown>, name: string): number | undefined {
  const value = record[name];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The file's description, or undefined for values that cannot be a file (null, numbers…). */
export function describeUploadFile(file: unknown): UploadFileInfo | undefined {
  const bytes = asBytes(file);
  if (bytes !== undefined) return { source: { kind: 'bytes', bytes }, name: '', type: OCTET, size: bytes.byteLength };
  if (typeof file === 'string') return file === '' ? undefined : { source: { kind: 'path', path: file }, name: lastSegment(file), type: OCTET, size: undefined };
  if (typeof file !== 'object' || file === null) return undefined;
  const record = file as Record<string, unknown>;
  const name = stringProp(record, 'name');
  const type = stringProp(record, 'type') ?? OCTET;
  const data = asBytes(record['data']);
  if (data !== undefined) return { source: { kind: 'bytes', bytes: data }, name: name ?? '', type, size: data.byteLength };
  const path = stringProp(record, 'path') ?? stringProp(record, 'tempFilePath');
  if (path !== undefined) return { source: { kind: 'path', path }, name: name ?? lastSegment(path), type, size: numberProp(record, 'size') };
  return { source: { kind: 'host', value: file }, name: name ?? '', type, size: numberProp(record, 'size') };
}

/** `.jpg` of `photo.jpg`; '' without an extension. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
}
