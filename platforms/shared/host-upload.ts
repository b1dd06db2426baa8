/**
 * `PlatformAdapter.upload` for mini-program hosts. A file path (what wx.chooseImage & co. hand
 * out as `tempFilePath`) goes through the host's own multipart uploader (`uploadFile`, progress
 * from `onProgressUpdate`); bytes, which no host uploader takes, become a multipart body sent with
 * `request` (progress: nothing, then everything — hosts report no upload progress for requests).
 * Host file objects are refused. Timeout, abort and settle-once come from runHostTask.
 */
import type { Clock, PendingUpload, UploadRequest } from '../../src/platform/platform-adapter';
import { encodeUtf8 } from '../../src/codec/utf8';
import { exactArrayBuffer } from './host-data';
import { runHostTask, type HostRequestOutcome, type HostRequestStarter } from './host-request';

export interface HostUploadSpec {
  readonly url: string;
  readonly filePath: string;
  readonly fileField: string;
  readonly contentType: string;
  readonly fields: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
}

/** Starts the host's file uploader; `progress(sent, total)` as the host reports it. */
export type HostUploadStarter = (
  spec: HostUploadSpec,
  done: (outcome: HostRequestOutcome) => void,
  progress: (sent: number, total: number) => void,
) => { abort(): void } | undefined;

/** WHATWG form encoding of names in Content-Disposition: `"` CR LF percent-escaped. */
function quote(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function boundary(): string {
  let out = '----lianxin';
  for (let i = 0; i < 24; i++) out += 'abcdefghijklmnopqrstuvwxyz0123456789'.charAt(Math.floor(Math.random() * 36));
  return out;
}

/** multipart/form-data: the text fields, then the file part. */
export function multipartBody(request: UploadRequest, bytes: Uint8Array): { contentType: string; body: Uint8Array } {
  const mark = boundary();
  let head = '';
  for (const [name, value] of Object.entries(request.fields)) {
    head += `--${mark}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`;
  }
  head += `--${mark}\r\nContent-Disposition: form-data; name="${quote(request.fileField)}"; filename="${quote(request.fileName)}"\r\n`;
  head += `Content-Type: ${request.contentType}\r\n\r\n`;
  const start = encodeUtf8(head);
  const end = encodeUtf8(`\r\n--${mark}--\r\n`);
  const body = new Uint8Array(start.byteLength + bytes.byteLength + end.byteLength);
  body.set(start, 0);
  body.set(bytes, start.byteLength);
  body.set(end, start.byteLength + bytes.byteLength);
  return { contentType: `multipart/form-data; boundary=${mark}`, body };
}

export function hostUpload(uploadFile: HostUploadStarter | undefined, request: HostRequestStarter, clock: Clock, upload: UploadRequest): PendingUpload {
  const what = `upload ${upload.url}`;
  const report = (sent: number, total: number): void => {
    try {
      upload.onProgress?.(sent, total);
    } catch {
      // A throwing progress listener must not break the upload.
    }
  };
  const { source } = upload;
  if (source.kind === 'bytes') {
    const { contentType, body } = multipartBody(upload, source.bytes);
    const spec = {
      url: upload.url,
      method: 'POST' as const,
      headers: { ...upload.headers, 'content-type': contentType },
      body: exactArrayBuffer(body),
      responseType: 'text' as const,
      timeoutMs: upload.timeoutMs,
    };
    report(0, body.byteLength);
    return runHostTask(
      (done) =>
        request(spec, (outcome) => {
          if (outcome.kind === 'response') report(body.byteLength, body.byteLength);
          done(outcome);
        }),
      clock,
      what,
      upload.timeoutMs,
      'text',
    );
  }
  if (source.kind === 'path' && uploadFile !== undefined) {
    let last = -1;
    const spec: HostUploadSpec = {
      url: upload.url,
      filePath: source.path,
      fileField: upload.fileField,
      contentType: upload.contentType,
      fields: { ...upload.fields },
      headers: { ...upload.headers },
      timeoutMs: upload.timeoutMs,
    };
    return runHostTask(
      (done) =>
        uploadFile(spec, done, (sent, total) => {
          // Hosts may repeat a value; the contract is non-decreasing.
          if (sent < last) return;
          last = sent;
          report(sent, total);
        }),
      clock,
      what,
      upload.timeoutMs,
      'text',
    );
  }
  const why = source.kind === 'path' ? 'this host has no uploadFile' : 'mini-program uploads take bytes or a file path (tempFilePath)';
  return { response: Promise.reject(new Error(why)), abort: () => undefined };
}
