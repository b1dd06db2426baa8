/**
 * Upload tokens and download URLs over the IM connection (PROTOCOL.md §6.5 / §7.7), as E4 does them:
 * `qnTkn` with an object key generated here (unless a STC multipart step passes its own), and the
 * URL topic chosen by the upload method (QINIU → `qnUrl`, AWS → `s3Url`, STC → `stcUrl`, others →
 * `aliUrl`). The navi's `uploadServer` / `bosAddr` / `ossConfig` are merged into the token result
 * under the names apps read (`qiniu`, `bos`, `ossConfig`).
 */
import { decodeByName, encodeByName } from '../../protocol/messages';
import { SdkError } from '../../errors';

export interface FilesEngine {
  query(topic: string, targetId: string, payload: Uint8Array): Promise<{ status: number; payload: Uint8Array }>;
  readonly navi: Readonly<Record<string, unknown>> | undefined;
}

/** `getFileToken`'s onSuccess data (API_CHECKLIST §3.11). Absent provider fields are ''. */
export interface FileTokenResult {
  token: string;
  /** Epoch ms after which the token is refused. */
  deadline: number;
  /** The object key to upload under (E4 format unless a STC step passed its own). */
  fileName: string;
  bosToken: string;
  bosDate: string;
  path: string;
  osskeyId: string;
  ossPolicy: string;
  ossSign: string;
  ossBucketName: string;
  s3Credential: string;
  s3Algorithm: string;
  s3Date: string;
  s3Policy: string;
  s3Signature: string;
  s3BucketName: string;
  stcAuthorization: string;
  stcContentSha256: string;
  stcDate: string;
  stcBucketName: string;
  /** navi `bosAddr`. */
  bos: string;
  /** navi `uploadServer`: where to POST the upload form. */
  qiniu: string;
  /** navi `ossConfig`. */
  ossConfig: string;
}

export interface FileTokenRequest {
  readonly fileType: number;
  readonly fileName?: string | undefined;
  readonly httpMethod?: string | undefined;
  readonly queryString?: string | undefined;
}

/** RongIMLib UploadMethod values. */
export const UploadMethodValue = { QINIU: 1, ALI: 2, AWS: 3, STC: 4 } as const;

function uuidV4(random: () => number): string {
  const hex = (n: number): string => {
    let out = '';
    for (let i = 0; i < n; i++) out += Math.floor(random() * 16).toString(16);
    return out;
  };
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

/**
 * E4's object key: `{fileType}__RC-{yyyy}-{m}-{d}_{0..999}_{ms}{uuid v4}{.ext}` (local date, month and
 * day not padded; ext from the original name's last dot).
 */
export function uploadKey(fileType: number, fileName: string | undefined, now: number, random: () => number): string {
  const date = new Date(now);
  const day = `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
  const dot = fileName === undefined ? -1 : fileName.lastIndexOf('.');
  const ext = fileName !== undefined && dot >= 0 ? `.${fileName.slice(dot + 1)}` : '';
  return `${fileType}__RC-${day}_${Math.floor(random() * 1000)}_${now}${uuidV4(random)}${ext}`;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export async function requestFileToken(engine: FilesEngine, userId: string, req: FileTokenRequest, now: number, random: () => number): Promise<FileTokenResult> {
  // E4: a STC multipart step (queryString other than "uploads") signs the key it already has.
  const key = req.queryString !== undefined && req.queryString !== '' && req.queryString !== 'uploads' ? req.fileName ?? '' : uploadKey(req.fileType, req.fileName, now, random);
  const payload = encodeByName('GetQNupTokenInput', { type: req.fileType, key, httpMethod: req.httpMethod ?? '', queryString: req.queryString ?? '' });
  const ack = await engine.query('qnTkn', userId, payload);
  if (ack.status !== 0) throw new SdkError(ack.status);
  const out = decodeByName('GetQNupTokenOutput', ack.payload);
  const navi = engine.navi ?? {};
  return {
    token: out.token,
    deadline: Number(out.deadline),
    fileName: key,
    bosToken: text(out.bosToken),
    bosDate: text(out.bosDate),
    path: text(out.path),
    osskeyId: text(out.osskeyId),
    ossPolicy: text(out.ossPolicy),
    ossSign: text(out.ossSign),
    ossBucketName: text(out.ossBucketName),
    s3Credential: text(out.s3Credential),
    s3Algorithm: text(out.s3Algorithm),
    s3Date: text(out.s3Date),
    s3Policy: text(out.s3Policy),
    s3Signature: text(out.s3Signature),
    s3BucketName: text(out.s3BucketName),
    stcAuthorization: text(out.stcAuthorization),
    stcContentSha256: text(out.stcContentSha256),
    stcDate: text(out.stcDate),
    stcBucketName: text(out.stcBucketName),
    bos: text(navi['bosAddr']),
    qiniu: text(navi['uploadServer']),
    ossConfig: text(navi['ossConfig']),
  };
}

export interface FileUrlRequest {
  readonly fileType: number;
  /** The object key (`data.filename` of the upload). */
  readonly key: string;
  /** The original name (`data.name`); optional. */
  readonly oriName?: string | undefined;
  readonly uploadMethod?: number | undefined;
}

/** `getFileUrl`'s onSuccess data (given a BOS `uploadRes`, that object itself, which carries `downloadUrl`). */
export interface FileUrlResult {
  downloadUrl: string;
}

export async function requestFileUrl(engine: FilesEngine, userId: string, req: FileUrlRequest): Promise<FileUrlResult> {
  const method = req.uploadMethod ?? UploadMethodValue.QINIU;
  const fields = { type: req.fileType, key: req.key, ...(req.oriName !== undefined && req.oriName !== '' ? { fileName: req.oriName } : {}) };
  if (method === UploadMethodValue.QINIU) {
    const ack = await engine.query('qnUrl', userId, encodeByName('GetQNdownloadUrlInput', fields));
    if (ack.status !== 0) throw new SdkError(ack.status);
    return { downloadUrl: decodeByName('GetQNdownloadUrlOutput', ack.payload).downloadUrl };
  }
  const topic = method === UploadMethodValue.AWS ? 's3Url' : method === UploadMethodValue.STC ? 'stcUrl' : 'aliUrl';
  const ack = await engine.query(topic, userId, encodeByName('GetDownloadUrlInput', fields));
  if (ack.status !== 0) throw new SdkError(ack.status);
  return { downloadUrl: decodeByName('GetDownloadUrlOutput', ack.payload).downloadUrl };
}
