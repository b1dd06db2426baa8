/**
 * `request` over my.request. Differences from the wx family: `headers` instead of `header`, the
 * response's `status`, failures as `{ error, errorMessage }`, and an HTTP error status (≥ 400)
 * arriving through `fail` as error 19 with `status`/`headers`/`data`: that is still a response.
 * Bytes come back through `dataType: 'arraybuffer'` (client ≥ 10.1.70); a base64 data URI
 * (`dataType: 'base64'` on older clients) is decoded too. Uploads of a file path use my.uploadFile.
 */
import type { HostRequestOutcome, HostRequestStarter } from '../shared/host-request';
import type { HostUploadStarter } from '../shared/host-upload';
import { bytesFromBase64 } from '../shared/host-data';
import type { AlipayFailResult, AlipayHost } from './alipay-host';

export const ALIPAY_ERROR = { abort: 9, timeout: 13, httpStatus: 19 } as const;

function bodyOf(data: unknown): unknown {
  return typeof data === 'string' && data.startsWith('data:') && data.includes(';base64,') ? (bytesFromBase64(data) ?? data) : data;
}

export function alipayFailure(result: AlipayFailResult | undefined): HostRequestOutcome {
  const status = result?.status;
  if (result?.error === ALIPAY_ERROR.httpStatus && typeof status === 'number' && status >= 100) {
    return { kind: 'response', status, headers: result.headers, data: bodyOf(result.data) };
  }
  const message = `error ${result?.error ?? '?'}: ${result?.errorMessage ?? 'request failed'}`;
  return { kind: result?.error === ALIPAY_ERROR.timeout ? 'timeout' : 'network', message };
}

export function alipayRequest(my: AlipayHost): HostRequestStarter {
  return (spec, done) =>
    my.request({
      url: spec.url,
      method: spec.method,
      headers: spec.headers,
      ...(spec.body === undefined ? {} : { data: spec.body }),
      timeout: spec.timeoutMs,
      dataType: spec.responseType === 'arraybuffer' ? 'arraybuffer' : 'text',
      success: (result) => done({ kind: 'response', status: result.status, headers: result.headers, data: bodyOf(result.data) }),
      fail: (result) => done(alipayFailure(result)),
      complete: () => undefined,
    });
}

/** my.uploadFile wants a media kind; anything that is not video or audio is sent as 'image'. */
function fileTypeOf(contentType: string): 'image' | 'video' | 'audio' {
  if (contentType.startsWith('video/')) return 'video';
  if (contentType.startsWith('audio/')) return 'audio';
  return 'image';
}

export function alipayUpload(my: AlipayHost): HostUploadStarter | undefined {
  if (typeof my.uploadFile !== 'function') return undefined;
  return (spec, done, progress) => {
    const task = my.uploadFile?.({
      url: spec.url,
      filePath: spec.filePath,
      fileName: spec.fileField,
      fileType: fileTypeOf(spec.contentType),
      header: spec.headers,
      formData: spec.fields,
      success: (result) => done({ kind: 'response', status: result.statusCode, headers: result.header, data: result.data }),
      fail: (result) => done(alipayFailure(result)),
      complete: () => undefined,
    });
    task?.onProgressUpdate?.((result) => progress(result.totalBytesSent, result.totalBytesExpectedToSend));
    return task;
  };
}
