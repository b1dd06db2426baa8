/**
 * Browser uploads and thumbnails for PlatformAdapter:
 *  - `upload`: XMLHttpRequest + FormData, progress from `xhr.upload.onprogress` (fetch has no upload
 *    progress). Sources: bytes (wrapped in a Blob) or a File/Blob (`host`); paths do not exist here.
 *  - `createThumbnail`: decode with an <img> over an object URL, draw on a <canvas>, JPEG via
 *    `toDataURL` (white background, since JPEG has no alpha).
 * Host objects are typed structurally (as in browser-host.ts) so tests can pass stand-ins.
 */
import type { PendingUpload, Thumbnail, ThumbnailOptions, UploadRequest, UploadSource } from '../../src/platform/upload-request';
import { stripDataUrl, thumbnailGeometry } from '../../src/upload/thumbnail-geometry';
import type { BrowserHost } from './browser-host';
import { xhrExchange } from './browser-http';

export interface HostFormData {
  append(name: string, value: unknown, filename?: string): void;
}

export interface HostUploadXhr {
  readonly status: number;
  readonly responseText: string;
  readonly upload?: { onprogress: ((event: { readonly loaded: number; readonly total: number; readonly lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  open(method: string, url: string, async: boolean): void;
  setRequestHeader(name: string, value: string): void;
  getAllResponseHeaders(): string;
  send(body: unknown): void;
  abort(): void;
}

export interface HostCanvasContext {
  fillStyle: unknown;
  fillRect(x: number, y: number, w: number, h: number): void;
  drawImage(image: unknown, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number): void;
}

export interface HostCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): HostCanvasContext | null;
  toDataURL(type: string, quality: number): string;
}

export interface HostImage {
  onload: (() => void) | null;
  onerror: (() => void) | null;
  src: string;
  readonly naturalWidth: number;
  readonly naturalHeight: number;
}

/** The parts of `window` uploads and thumbnails use, on top of BrowserHost. */
export interface UploadHost extends BrowserHost {
  readonly FormData?: new () => HostFormData;
  readonly Blob?: new (parts: unknown[], options?: { type?: string }) => unknown;
  readonly Image?: new () => HostImage;
  readonly URL?: { createObjectURL(blob: unknown): string; revokeObjectURL(url: string): void };
}

function blobOf(host: UploadHost, source: UploadSource, type: string): unknown {
  if (source.kind === 'host') return source.value;
  if (source.kind === 'bytes') {
    if (host.Blob === undefined) throw new Error('Blob is not available');
    return new host.Blob([source.bytes], { type });
  }
  throw new Error('browsers cannot upload from a file path; pass a File, a Blob or bytes');
}

export function browserUpload(host: UploadHost, request: UploadRequest): PendingUpload {
  const Xhr = host.XMLHttpRequest as unknown as (new () => HostUploadXhr) | undefined;
  const Form = host.FormData;
  if (Xhr === undefined || Form === undefined) {
    return { response: Promise.reject(new Error('uploads need XMLHttpRequest and FormData')), abort: () => undefined };
  }
  return xhrExchange(
    host,
    `upload to ${request.url}`,
    request.timeoutMs,
    (settled) => {
      const form = new Form();
      for (const [name, value] of Object.entries(request.fields)) form.append(name, value);
      form.append(request.fileField, blobOf(host, request.source, request.contentType), request.fileName);
      const xhr = new Xhr();
      xhr.open('POST', request.url, true);
      // Content-Type is left to the browser: it adds the multipart boundary.
      for (const [name, value] of Object.entries(request.headers ?? {})) if (name.toLowerCase() !== 'content-type') xhr.setRequestHeader(name, value);
      if (xhr.upload !== undefined && request.onProgress !== undefined) {
        const report = request.onProgress;
        xhr.upload.onprogress = (event) => {
          if (!settled()) report(event.loaded, event.lengthComputable ? event.total : 0);
        };
      }
      return [xhr, form];
    },
    (xhr) => xhr.responseText,
  );
}

/** JPEG thumbnail drawn on a canvas; rejects when the host cannot decode or draw. */
export function browserThumbnail(host: UploadHost, source: UploadSource, options: ThumbnailOptions): Promise<Thumbnail> {
  return new Promise<Thumbnail>((resolve, reject) => {
    const doc = host.document as ({ createElement?(tag: string): unknown } & object) | undefined;
    if (host.Image === undefined || host.URL === undefined || doc?.createElement === undefined) {
      reject(new Error('thumbnails need Image, URL.createObjectURL and a document'));
      return;
    }
    let url: string;
    try {
      url = host.URL.createObjectURL(blobOf(host, source, 'application/octet-stream'));
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const objectUrls = host.URL;
    const image = new host.Image();
    image.onerror = () => {
      objectUrls.revokeObjectURL(url);
      reject(new Error('the image could not be decoded'));
    };
    image.onload = () => {
      objectUrls.revokeObjectURL(url);
      try {
        const g = thumbnailGeometry(image.naturalWidth, image.naturalHeight, options);
        const canvas = doc.createElement?.('canvas') as HostCanvas;
        canvas.width = g.width;
        canvas.height = g.height;
        const context = canvas.getContext('2d');
        if (context === null) throw new Error('no 2d canvas context');
        context.fillStyle = '#fff';
        context.fillRect(0, 0, g.width, g.height);
        context.drawImage(image, g.sx, g.sy, g.sw, g.sh, 0, 0, g.width, g.height);
        resolve({ base64: stripDataUrl(canvas.toDataURL('image/jpeg', options.quality)), width: g.width, height: g.height });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    image.src = url;
  });
}
