/**
 * The browser adapter's upload and thumbnail primitives against a stand-in window (host boundary):
 * the FormData they build, headers (never a hand-made multipart Content-Type), progress from
 * `xhr.upload.onprogress`, failure mapping, and the canvas drawing of thumbnails. The same code runs in
 * real Chromium in the browser suites.
 */
import { createBrowserAdapter } from '../../../platforms/browser/browser-adapter';
import type { BrowserHost } from '../../../platforms/browser/browser-host';
import type { HostCanvas, HostImage } from '../../../platforms/browser/browser-upload';
import type { UploadRequest } from '../../../src/platform/upload-request';
import { HttpRequestError } from '../../../src/platform/http-request-error';

class FakeFormData {
  readonly entries: Array<[string, unknown, string | undefined]> = [];
  append(name: string, value: unknown, filename?: string): void {
    this.entries.push([name, value, filename]);
  }
}

class FakeBlob {
  constructor(
    readonly parts: unknown[],
    readonly options?: { type?: string },
  ) {}
}

class FakeXhr {
  static last: FakeXhr | undefined;
  status = 0;
  responseText = '';
  upload = { onprogress: null as ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  opened: [string, string] | undefined;
  headers: Record<string, string> = {};
  sent: unknown;
  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string): void {
    this.opened = [method, url];
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  getAllResponseHeaders(): string {
    return 'Content-Type: application/json\r\nX-A: b\r\n';
  }
  send(body: unknown): void {
    this.sent = body;
  }
  abort(): void {
    this.onabort?.();
  }
}

const timers: Array<() => void> = [];
function host(extra: Record<string, unknown> = {}): BrowserHost {
  return {
    XMLHttpRequest: FakeXhr,
    FormData: FakeFormData,
    Blob: FakeBlob,
    setTimeout: (cb: () => void) => {
      timers.push(cb);
      return timers.length;
    },
    clearTimeout: () => undefined,
    ...extra,
  } as unknown as BrowserHost;
}

function request(overrides: Partial<UploadRequest> = {}): UploadRequest {
  return {
    url: 'http://files.example/upload',
    headers: { Authorization: 'UpToken t', 'Content-Type': 'multipart/form-data' },
    fields: { key: 'k.jpg', token: 't' },
    fileField: 'file',
    fileName: 'a.jpg',
    contentType: 'image/jpeg',
    source: { kind: 'bytes', bytes: new Uint8Array([1, 2, 3]) },
    timeoutMs: 1000,
    ...overrides,
  };
}

describe('browser upload', () => {
  it('posts a FormData (fields, then the file as a Blob), forwards progress and resolves on load', async () => {
    const adapter = createBrowserAdapter(host());
    const progress: Array<[number, number]> = [];
    const pending = adapter.upload?.(request({ onProgress: (l, t) => progress.push([l, t]) }));
    const xhr = FakeXhr.last as FakeXhr;
    expect(xhr.opened).toEqual(['POST', 'http://files.example/upload']);
    expect(xhr.headers).toEqual({ Authorization: 'UpToken t' });
    const form = xhr.sent as FakeFormData;
    expect(form.entries.map(([n, , f]) => [n, f])).toEqual([['key', undefined], ['token', undefined], ['file', 'a.jpg']]);
    const blob = form.entries[2]?.[1] as FakeBlob;
    expect(blob.options).toEqual({ type: 'image/jpeg' });
    expect(blob.parts).toEqual([new Uint8Array([1, 2, 3])]);
    xhr.upload.onprogress?.({ loaded: 100, total: 300, lengthComputable: true });
    xhr.upload.onprogress?.({ loaded: 200, total: 0, lengthComputable: false });
    xhr.status = 200;
    xhr.responseText = '{"key":"k.jpg"}';
    xhr.onload?.();
    await expect(pending?.response).resolves.toEqual({ status: 200, headers: { 'content-type': 'application/json', 'x-a': 'b' }, body: '{"key":"k.jpg"}' });
    expect(progress).toEqual([[100, 300], [200, 0]]);
  });

  it('sends a File/Blob as is, refuses paths, and maps error, abort and timeout', async () => {
    const adapter = createBrowserAdapter(host());
    const file = { name: 'f.png' };
    void adapter.upload?.(request({ source: { kind: 'host', value: file } }));
    expect((FakeXhr.last?.sent as FakeFormData).entries[2]?.[1]).toBe(file);
    await expect(adapter.upload?.(request({ source: { kind: 'path', path: '/x' } })).response).rejects.toThrow('file path');
    const failing = adapter.upload?.(request());
    FakeXhr.last?.onerror?.();
    await expect(failing?.response).rejects.toMatchObject({ reason: 'network' });
    const aborted = adapter.upload?.(request());
    aborted?.abort();
    await expect(aborted?.response).rejects.toMatchObject({ reason: 'aborted' });
    const slow = adapter.upload?.(request());
    timers[timers.length - 1]?.();
    await expect(slow?.response).rejects.toBeInstanceOf(HttpRequestError);
    await expect(slow?.response).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('rejects clearly without XHR/FormData', async () => {
    const adapter = createBrowserAdapter(host({ FormData: undefined }));
    await expect(adapter.upload?.(request()).response).rejects.toThrow('XMLHttpRequest and FormData');
  });
});

describe('browser thumbnails', () => {
  it('draws the image on a white canvas inside the box and returns base64 without prefix', async () => {
    const drawn: unknown[] = [];
    const revoked: string[] = [];
    class FakeImage implements HostImage {
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      naturalWidth = 1000;
      naturalHeight = 100;
      set src(url: string) {
        expect(url).toBe('blob:1');
        void Promise.resolve().then(() => this.onload?.());
      }
    }
    const canvas: HostCanvas = {
      width: 0,
      height: 0,
      getContext: () => ({
        fillStyle: '',
        fillRect: (...a: number[]) => drawn.push(['fill', ...a]),
        drawImage: (_img: unknown, ...a: number[]) => drawn.push(['draw', ...a]),
      }),
      toDataURL: (type: string, quality: number) => `data:${type};base64,JPEG${quality}`,
    };
    const adapter = createBrowserAdapter(
      host({
        Image: FakeImage,
        URL: { createObjectURL: () => 'blob:1', revokeObjectURL: (u: string) => revoked.push(u) },
        document: { createElement: () => canvas },
      }),
    );
    const thumb = await adapter.createThumbnail?.({ kind: 'bytes', bytes: new Uint8Array([1]) }, { maxWidth: 160, maxHeight: 160, quality: 0.5, scale: 2.4 });
    expect(thumb).toEqual({ base64: 'JPEG0.5', width: 160, height: 67 });
    expect([canvas.width, canvas.height]).toEqual([160, 67]);
    expect(drawn).toEqual([['fill', 0, 0, 160, 67], ['draw', 380, 0, 240, 100, 0, 0, 160, 67]]);
    expect(revoked).toEqual(['blob:1']);
  });

  it('rejects when the host cannot decode or has no canvas support', async () => {
    const none = createBrowserAdapter(host());
    await expect(none.createThumbnail?.({ kind: 'bytes', bytes: new Uint8Array([1]) }, { maxWidth: 1, maxHeight: 1, quality: 1 })).rejects.toThrow('thumbnails need');
    class BadImage {
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      set src(_url: string) {
        void Promise.resolve().then(() => this.onerror?.());
      }
    }
    const broken = createBrowserAdapter(host({ Image: BadImage, URL: { createObjectURL: () => 'blob:2', revokeObjectURL: () => undefined }, document: { createElement: () => ({}) } }));
    await expect(broken.createThumbnail?.({ kind: 'bytes', bytes: new Uint8Array([1]) }, { maxWidth: 1, maxHeight: 1, quality: 1 })).rejects.toThrow('could not be decoded');
  });
});
