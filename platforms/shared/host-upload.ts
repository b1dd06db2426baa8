/**
 * `PlatformAdapter.upload` for mini-program hosts. A file path (what wx.chooseImage & co. hand
 * out as `tempFilePath`) goes through the host's own multipart uploader (`uploadFile`, progress
 * from `onProgressUpdate`); bytes, which no host uploader takes, become a multipart body sent with
 * `request` (progress: nothing, then everything — hosts report no upload progress for requests).
 * A host whose `request` cannot send bytes (Baidu) passes `viaBytes` instead (temp-file-upload.ts:
 * a file of their own, uploaded by path like a picked file, then removed). Host file objects are
 * refused. Timeout, abort and settle-once come from
 * runHostTask.
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

/** Starts the host's uploadFile for a file path (progress and fields as for a picked file). */
export type HostPathSend = (filePath: string, done: (outcome: HostRequestOutcome) => void) => { abort(): void } | undefined;

/**
 * Another way to send an upload's bytes than a multipart `request` (./temp-file-upload.ts): the
 * task's starter, or why the host cannot send them.
 */
export type HostBytesUpload = (
  fileName: string,
  bytes: Uint8Array,
  send: HostPathSend,
) => ((done: (outcome: HostRequestOutcome) => void) => { abort(): void }) | string;

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

function refused(why: string): PendingUpload {
  return { response: Promise.reject(new Error(why)), abort: () => undefined };
}

export function hostUpload(
  uploadFile: HostUploadStarter | undefined,
  request: HostRequestStarter,
  clock: Clock,
  upload: UploadRequest,
  viaBytes?: HostBytesUpload,
): PendingUpload {
  const what = `upload ${upload.url}`;
  const report = (sent: number, total: number): void => {
    try {
      upload.onProgress?.(sent, total);
    } catch {
      // A throwing progress listener must not break the upload.
    }
  };
  const { source } = upload;
  if (source.kind === 'bytes' && viaBytes === undefined) {
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
  if (source.kind === 'host' || uploadFile === undefined) {
    return refused(source.kind === 'host' ? 'mini-program uploads take bytes or a file path (tempFilePath)' : 'this host has no uploadFile');
  }
  let last = -1;
  const send: HostPathSend = (filePath, done) =>
    uploadFile(
      {
        url: upload.url,
        filePath,
        fileField: upload.fileField,
        contentType: upload.contentType,
        fields: { ...upload.fields },
        headers: { ...upload.headers },
        timeoutMs: upload.timeoutMs,
      },
      done,
      (sent, total) => {
        // Hosts may repeat a value; the contract is non-decreasing.
        if (sent < last) return;
        last = sent;
        report(sent, total);
      },
    );
  if (source.kind === 'path') return runHostTask((done) => send(source.path, done), clock, what, upload.timeoutMs, 'text');
  const start = (viaBytes as HostBytesUpload)(upload.fileName, source.bytes, send);
  return typeof start === 'string' ? refused(start) : runHostTask(start, clock, what, upload.timeoutMs, 'text');
}
