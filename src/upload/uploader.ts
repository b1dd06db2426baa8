/**
 * One upload through `PlatformAdapter.upload`: builds the form (the field names the official plugin
 * uses: `key`, `file`, `token`), sends the token also as `Authorization: UpToken …` so a Lianxin
 * server can refuse a bad token before reading the body, and turns the answer into the plugin's
 * `onCompleted` data. Progress reaches the app in non-decreasing order and always ends at
 * (total, total) before completion.
 */
import { ErrorCode } from '../errors';
import { HttpRequestError } from '../platform/http-request-error';
import type { PlatformAdapter } from '../platform/platform-adapter';
import type { UploadFileInfo } from './upload-file';

export interface UploadJob {
  /** Absolute http(s) URL of the upload endpoint. */
  readonly url: string;
  readonly token: string | undefined;
  readonly file: UploadFileInfo;
  /** Object key sent as the `key` field (omitted when undefined: the server picks one). */
  readonly key: string | undefined;
  readonly fileField: string;
  readonly keyField: string;
  /** Extra form fields (the official `multi_parmas`). */
  readonly fields: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  onProgress(loaded: number, total: number): void;
}

/** The server's JSON answer plus the fields the official plugin adds. */
export interface UploadResult {
  readonly [field: string]: unknown;
  /** The object key: pass it to `getFileUrl` as `fileName`. */
  readonly filename: string;
  /** The original file name: pass it to `getFileUrl` as `oriName`. */
  readonly name: string;
  /** `UploadMethod.QINIU` (1): the built-in service speaks the Qiniu form. */
  readonly uploadMethod: number;
}

/** Why an upload failed: `code` is the server's (JSON `code`), or an SDK ErrorCode for local failures. */
export class UploadFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'UploadFailure';
  }
}

export interface RunningUpload {
  readonly result: Promise<UploadResult>;
  abort(): void;
}

const QINIU = 1;

function parseJson(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'string' || body === '') return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function failureOf(error: unknown): UploadFailure {
  if (error instanceof UploadFailure) return error;
  if (error instanceof HttpRequestError) {
    const code = error.reason === 'timeout' ? ErrorCode.RC_HTTP_REQ_TIMEOUT : ErrorCode.RC_HTTP_SEND_FAIL;
    return new UploadFailure(code, error.message);
  }
  return new UploadFailure(ErrorCode.RC_HTTP_SEND_FAIL, error instanceof Error ? error.message : String(error));
}

export function runUpload(platform: Pick<PlatformAdapter, 'upload'>, job: UploadJob): RunningUpload {
  if (platform.upload === undefined) {
    return { result: Promise.reject(new UploadFailure(ErrorCode.NOT_SUPPORT, 'this host has no upload primitive (PlatformAdapter.upload)')), abort: () => undefined };
  }
  let loaded = 0;
  let total = 0;
  const progress = (next: number, of: number): void => {
    if (of > total) total = of;
    const clamped = total > 0 ? Math.min(next, total) : next;
    if (clamped <= loaded) return;
    loaded = clamped;
    job.onProgress(loaded, total > 0 ? total : loaded);
  };
  const fields: Record<string, string> = {};
  if (job.key !== undefined) fields[job.keyField] = job.key;
  if (job.token !== undefined) fields['token'] = job.token;
  Object.assign(fields, job.fields);
  const headers: Record<string, string> = { ...job.headers };
  if (job.token !== undefined) headers['Authorization'] = `UpToken ${job.token}`;
  const pending = platform.upload({
    url: job.url,
    headers,
    fields,
    fileField: job.fileField,
    fileName: job.file.name === '' ? (job.key ?? 'file') : job.file.name,
    contentType: job.file.type,
    source: job.file.source,
    timeoutMs: job.timeoutMs,
    onProgress: progress,
  });
  const result = pending.response.then(
    (response) => {
      const json = parseJson(response.body);
      if (response.status < 200 || response.status >= 300) {
        const code = typeof json?.['code'] === 'number' ? json['code'] : response.status;
        const message = typeof json?.['error'] === 'string' ? json['error'] : `upload failed with HTTP ${response.status}`;
        throw new UploadFailure(code, message);
      }
      const end = Math.max(total, loaded, job.file.size ?? 0);
      if (end > 0 && loaded < end) {
        total = end;
        progress(end, end);
      }
      const key = typeof json?.['key'] === 'string' ? json['key'] : (job.key ?? '');
      const name = job.file.name !== '' ? job.file.name : typeof json?.['name'] === 'string' ? json['name'] : '';
      return { ...json, filename: key, name, uploadMethod: QINIU };
    },
    (error: unknown) => {
      throw failureOf(error);
    },
  );
  return { result, abort: () => pending.abort() };
}
