/**
 * The optional upload seam of PlatformAdapter (`upload`, `createThumbnail`): one multipart POST with
 * progress, shaped so every host maps it directly — browser XHR + FormData (`xhr.upload.onprogress`),
 * Node http(s) streaming, mini-programs `wx.uploadFile({ url, filePath, name, formData, header })`
 * with `onProgressUpdate`. Hosts without it simply leave the members out; the upload helper then
 * fails with NOT_SUPPORT (39002) instead of guessing.
 */
import type { HttpResponse } from './platform-adapter';

/**
 * What to send. `bytes` works everywhere; `path` is a host file path (Node, mini-program temp files);
 * `host` is a host file object (a browser File/Blob). Adapters reject kinds they cannot send.
 */
export type UploadSource =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'host'; readonly value: unknown };

export type UploadSourceKind = UploadSource['kind'];

export interface UploadRequest {
  /** Absolute http(s) URL; always POSTed as `multipart/form-data`. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Text fields, sent before the file part (mini-programs: `formData`). */
  readonly fields: Readonly<Record<string, string>>;
  /** Field name of the file part (mini-programs: `name`). */
  readonly fileField: string;
  /** `filename` of the file part. */
  readonly fileName: string;
  /** Content-Type of the file part (a claim only: servers sniff). */
  readonly contentType: string;
  readonly source: UploadSource;
  readonly timeoutMs: number;
  /**
   * Bytes sent so far and the total when known (0 when not). Adapters call it in non-decreasing
   * order of `loaded`; the helper still guards, because some hosts report the same value twice.
   */
  readonly onProgress?: (loaded: number, total: number) => void;
}

/**
 * Any HTTP status resolves `response` (body as text); transport failures, timeouts and `abort()`
 * reject with HttpRequestError, and a source kind the host cannot send rejects with an Error.
 */
export interface PendingUpload {
  readonly response: Promise<HttpResponse>;
  abort(): void;
}

export interface ThumbnailOptions {
  readonly maxWidth: number;
  readonly maxHeight: number;
  /** JPEG quality 0..1. */
  readonly quality: number;
  /**
   * Aspect-ratio threshold of the official plugin: an image longer than `scale` times its width (or
   * the reverse) is center-cropped instead of shrunk whole. Absent = always shrink whole.
   */
  readonly scale?: number;
}

export interface Thumbnail {
  /** JPEG as base64 WITHOUT a `data:` prefix (the ImageMessage `content` format). */
  readonly base64: string;
  readonly width: number;
  readonly height: number;
}
