/**
 * `request` over my.request. Differences from the wx family: `headers` instead of `header`, the
 * response's `status`, failures as `{ error, errorMessage }`, and an HTTP error status (≥ 400)
 * arriving through `fail` as error 19. Bytes come back through `dataType: 'arraybuffer'` (client ≥
 * 10.1.70); a base64 data URI (`dataType: 'base64'` on older clients) is decoded too. Uploads of a
 * file path use my.uploadFile.
 *
 * Error 19 is typed (@mini-types/my) as `{ error: 19, errorMessage: 'http status error' }`: no status,
 * headers or body. Alipay's my.request FAQ shows clients that add `status` (and `headers`/`data`);
 * such a failure is resolved as that response. Without them the answer is lost, and the SDK needs
 * it: a navigator answers a rejected token with HTTP 401 and `getServerEndpoint({"code":401})`,
 * which must end in onTokenIncorrect, not in "navi unreachable" (30007). So every my.request asks
 * the server to keep error statuses out of the status line: request header
 * `x-lianxin-status-in-header: 1`. A server that honours it (the Lianxin navigator does) answers
 * HTTP 200 with the real status in the response header `x-lianxin-status` and the body unchanged;
 * the adapter hands the SDK that status and body — what a host that sees error statuses would.
 * The official clients never send the header, so their answers do not change, and a server that
 * ignores it answers as before. Preferred to a navi answer form with the code in a 200 body: the
 * SDK's navi reading, like every other caller of `request`, stays host-agnostic, and the fix sits
 * where the host's limitation is. A status-less error 19 from a server that does not honour the
 * header still rejects as a network failure, and its message says it was an HTTP error status.
 */
import type { HostRequestOutcome, HostRequestStarter } from '../shared/host-request';
import type { HostUploadStarter } from '../shared/host-upload';
import { bytesFromBase64 } from '../shared/host-data';
import type { AlipayFailResult, AlipayHost } from './alipay-host';

export const ALIPAY_ERROR = { abort: 9, timeout: 13, httpStatus: 19 } as const;

/** Request header: "answer an HTTP error as 200 with the status in STATUS_HEADER". */
export const STATUS_IN_HEADER = 'x-lianxin-status-in-header';
/** Response header carrying the real status when STATUS_IN_HEADER was honoured. */
export const STATUS_HEADER = 'x-lianxin-status';

/** The status a server moved into STATUS_HEADER, else the HTTP status. */
function statusOf(status: number, headers: unknown): number {
  if (status !== 200 || headers === null || typeof headers !== 'object') return status;
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (name.toLowerCase() !== STATUS_HEADER) continue;
    const text = String(Array.isArray(value) ? value[0] : value).trim();
    return /^[1-5]\d\d$/.test(text) ? Number(text) : status;
  }
  return status;
}

function bodyOf(data: unknown): unknown {
  return typeof data === 'string' && data.startsWith('data:') && data.includes(';base64,') ? (bytesFromBase64(data) ?? data) : data;
}

export function alipayFailure(result: AlipayFailResult | undefined): HostRequestOutcome {
  const status = result?.status;
  if (result?.error === ALIPAY_ERROR.httpStatus && typeof status === 'number' && status >= 100) {
    return { kind: 'response', status, headers: result.headers, data: bodyOf(result.data) };
  }
  const httpError = result?.error === ALIPAY_ERROR.httpStatus ? ' (an HTTP error status; this client does not say which)' : '';
  const message = `error ${result?.error ?? '?'}: ${result?.errorMessage ?? 'request failed'}${httpError}`;
  return { kind: result?.error === ALIPAY_ERROR.timeout ? 'timeout' : 'network', message };
}

export function alipayRequest(my: AlipayHost): HostRequestStarter {
  return (spec, done) =>
    my.request({
      url: spec.url,
      method: spec.method,
      headers: { ...spec.headers, [STATUS_IN_HEADER]: '1' },
      ...(spec.body === undefined ? {} : { data: spec.body }),
      timeout: spec.timeoutMs,
      dataType: spec.responseType === 'arraybuffer' ? 'arraybuffer' : 'text',
      success: (result) => done({ kind: 'response', status: statusOf(result.status, result.headers), headers: result.headers, data: bodyOf(result.data) }),
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
