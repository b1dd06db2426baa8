/**
 * Browser uploads and thumbnails for PlatformAdapter:
 *  - `upload`: XMLHttpRequest + FormData, progress from `xhr.upload.onprogress` (fetch has no upload
 *    progress). Sources: bytes (wrapped in a Blob) or a File/Blob (`host`); paths do not exist here.
 *  - `createThumbnail`: decode with an <img> over an object URL, draw on a <canvas>, JPEG via
 *    `toDataURL` (white background, since JPEG has no alpha).
 * Host objects are typed structurally (as in browser-host.ts) so tests can pass stand-ins.
 */
import type { HttpResponse } from '../../src/platform/platform-adapter';
import type { PendingUpload, Thumbnail, ThumbnailOptions, UploadRequest, UploadSource } from '../../src/platform/upload-request';
import { HttpRequestError } from '../../src/platform/http-request-error';
import { stripDataUrl, thumbnailGeometry } from '../../src/upload/thumbnail-geometry';
import type { BrowserHost } from './browser-host';

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

function parseHeaderBlock(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
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
  if (Xhr === undefined || host.FormData === undefined) {
    return { response: Promise.reject(new Error('uploads need XMLHttpRequest and FormData')), abort: () => undefined };
  }
  let settled = false;
  let timer: unknown;
  let xhr: HostUploadXhr | undefined;
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
    let form: HostFormData;
    try {
      form = new (host.FormData as new () => HostFormData)();
      for (const [name, value] of Object.entries(request.fields)) form.append(name, value);
      form.append(request.fileField, blobOf(host, request.source, request.contentType), request.fileName);
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const x = new Xhr();
    xhr = x;
    x.open('POST', request.url, true);
    // Content-Type is left to the browser: it adds the multipart boundary.
    for (const [name, value] of Object.entries(request.headers ?? {})) if (name.toLowerCase() !== 'content-type') x.setRequestHeader(name, value);
    if (x.upload !== undefined && request.onProgress !== undefined) {
      const report = request.onProgress;
      x.upload.onprogress = (event) => {
        if (!settled) report(event.loaded, event.lengthComputable ? event.total : 0);
      };
    }
    x.onload = () => {
      if (settled) return;
      settled = true;
      host.clearTimeout(timer);
      resolve({ status: x.status, headers: parseHeaderBlock(x.getAllResponseHeaders()), body: x.responseText });
    };
    x.onerror = () => fail(new HttpRequestError('network', `upload to ${request.url} failed`));
    x.onabort = () => fail(new HttpRequestError('aborted', `upload to ${request.url} aborted`));
    timer = host.setTimeout(() => stop(new HttpRequestError('timeout', `upload to ${request.url} timed out after ${request.timeoutMs} ms`)), request.timeoutMs);
    x.send(form);
  });
  return { response, abort: () => stop(new HttpRequestError('aborted', `upload to ${request.url} aborted`)) };
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
