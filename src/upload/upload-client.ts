/**
 * `UploadClient`, call-compatible with RongCloud's upload plugin (seed 图片上传 / 文件上传):
 *
 *   UploadClient.initFile(config, (uploadFile) => uploadFile.upload(file, { onProgress, onCompleted, onError }))
 *   UploadClient.initImage(config, …)   // same, plus `data.thumbnail` (base64 JPEG) where the host can make one
 *
 * `config.getToken(callback)` is called first; pass it `getFileToken`'s token and, ideally, its data:
 * `callback(data.token, data)`. Where to upload, first match wins: `config.uploadUrl` (Lianxin), the
 * token data's `qiniu` (the server's navi `uploadServer`), the connected client's navi (when wired by a
 * platform entry), then `config.domain` (a host without scheme gets https://, or http:// when the
 * server advertised http). So app code written for RongCloud (with `domain: 'upload.qiniup.com'`)
 * uploads to the Lianxin server it is connected to.
 *
 * `onCompleted(data)`: the server's answer plus `filename` (object key → getFileUrl's `fileName`),
 * `name` (original name → `oriName`) and `uploadMethod` (1, QINIU). `onError(code)`: the server's code
 * (413 too large, 34003 GIF too large, 34002 sight too long, 41002 bad token…), 30004/30005 for
 * network failure/timeout, 39002 when the host cannot upload, 33003 for a bad file argument.
 */
import { ErrorCode } from '../errors';
import type { PlatformAdapter } from '../platform/platform-adapter';
import { describeUploadFile, extensionOf } from './upload-file';
import { runUpload, UploadFailure } from './uploader';
import type { RunningUpload, UploadResult } from './uploader';

export interface UploadConfig {
  /** Upload host as in the official plugin (`upload.qiniup.com`, with or without scheme). */
  domain?: string;
  /** Absolute upload URL; wins over everything else. */
  uploadUrl?: string;
  fileType?: number;
  getToken?: (callback: (token: string, data?: unknown) => void) => void;
  /** Field name of the file part (default `file`). */
  file_data_name?: string;
  /** Field name of the object key (default `key`). */
  unique_key?: string;
  /** Extra form fields. */
  multi_parmas?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Whole-upload timeout in ms (default 30 min). */
  timeout?: number;
  /** Thumbnail box for initImage (defaults 160×160, quality 0.5, crop threshold 2.4 as the plugin). */
  width?: number;
  height?: number;
  quality?: number;
  scale?: number;
}

export interface UploadCallbacks {
  onProgress?(loaded: number, total: number): void;
  onCompleted?(data: UploadResult & { thumbnail?: string }): void;
  onError?(error: number): void;
}

export interface UploadFileHandle {
  upload(file: unknown, callbacks: UploadCallbacks): void;
  /** Aborts the upload in progress (its onError gets 30004). */
  cancel(): void;
}

export interface UploadClient {
  initFile(config: UploadConfig, callback: (uploadFile: UploadFileHandle) => void): void;
  initImage(config: UploadConfig, callback: (uploadFile: UploadFileHandle) => void): void;
  /** The official plugin's body encodings; only `form` exists here (kept so `config.data = UploadClient.dataType.form` works). */
  readonly dataType: { readonly form: 'form' };
}

export interface UploadClientOptions {
  /** The connected client's navi (platform entries pass `() => RongIMClient.getInstance()?.getNavi()`); its `uploadServer` is used. */
  readonly navi?: () => Readonly<Record<string, unknown>> | undefined;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Where to POST: see the module comment for the order. */
export function resolveUploadUrl(config: UploadConfig, data: unknown, defaultServer: string | undefined): string | undefined {
  if (typeof config.uploadUrl === 'string' && config.uploadUrl !== '') return config.uploadUrl;
  const advertised = typeof data === 'object' && data !== null ? text((data as Record<string, unknown>)['qiniu']) : '';
  const server = advertised || defaultServer || text(config.domain);
  if (server === '') return undefined;
  if (/^https?:\/\//i.test(server)) return server;
  const scheme = /^http:\/\//i.test(advertised || defaultServer || '') ? 'http://' : 'https://';
  return scheme + server.replace(/^\/\//, '');
}

function randomId(): string {
  let out = '';
  for (let i = 0; i < 18; i++) out += Math.floor(Math.random() * 16).toString(16);
  return out;
}

function call<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
  if (typeof fn !== 'function') return;
  try {
    fn(...args);
  } catch {
    // An app callback that throws must not break the upload flow (seed 2.5.7 rule for SDK callbacks).
  }
}

function createHandle(platform: PlatformAdapter, config: UploadConfig, token: string | undefined, data: unknown, defaultServer: string | undefined, image: boolean): UploadFileHandle {
  let running: RunningUpload | undefined;
  return {
    upload(file, callbacks) {
      const info = describeUploadFile(file);
      if (info === undefined) {
        void Promise.resolve().then(() => call(callbacks?.onError, ErrorCode.BIZ_ERROR_INVALID_PARAMETER));
        return;
      }
      const url = resolveUploadUrl(config, data, defaultServer);
      if (url === undefined) {
        void Promise.resolve().then(() => call(callbacks?.onError, ErrorCode.BIZ_ERROR_INVALID_PARAMETER));
        return;
      }
      const tokenKey = typeof data === 'object' && data !== null ? text((data as Record<string, unknown>)['fileName']) : '';
      const fields: Record<string, string> = {};
      for (const [name, value] of Object.entries(config.multi_parmas ?? {})) {
        if (name !== 'token' && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) fields[name] = String(value);
      }
      const upload = runUpload(platform, {
        url,
        token: token ?? (typeof config.multi_parmas?.['token'] === 'string' ? config.multi_parmas['token'] : undefined),
        file: info,
        key: tokenKey !== '' ? tokenKey : `${randomId()}${extensionOf(info.name)}`,
        fileField: config.file_data_name ?? 'file',
        keyField: config.unique_key ?? 'key',
        fields,
        headers: config.headers ?? {},
        timeoutMs: typeof config.timeout === 'number' && config.timeout > 0 ? config.timeout : DEFAULT_TIMEOUT_MS,
        onProgress: (loaded, total) => call(callbacks?.onProgress, loaded, total),
      });
      running = upload;
      void upload.result.then(
        async (result) => {
          if (!image || platform.createThumbnail === undefined) {
            call(callbacks?.onCompleted, result);
            return;
          }
          let thumbnail: string | undefined;
          try {
            const made = await platform.createThumbnail(info.source, {
              maxWidth: config.width ?? 160,
              maxHeight: config.height ?? 160,
              quality: config.quality ?? 0.5,
              scale: config.scale ?? 2.4,
            });
            thumbnail = made.base64;
          } catch {
            thumbnail = undefined;
          }
          call(callbacks?.onCompleted, thumbnail === undefined ? result : { ...result, thumbnail });
        },
        (error: unknown) => call(callbacks?.onError, error instanceof UploadFailure ? error.code : ErrorCode.RC_HTTP_SEND_FAIL),
      );
    },
    cancel() {
      running?.abort();
    },
  };
}

export function createUploadClient(platform: PlatformAdapter, options: UploadClientOptions = {}): UploadClient {
  const init = (image: boolean) => (config: UploadConfig, callback: (uploadFile: UploadFileHandle) => void): void => {
    const cfg: UploadConfig = typeof config === 'object' && config !== null ? config : {};
    const ready = (token: string | undefined, data: unknown): void => {
      let server: string | undefined;
      try {
        const advertised = options.navi?.()?.['uploadServer'];
        server = typeof advertised === 'string' && advertised !== '' ? advertised : undefined;
      } catch {
        server = undefined;
      }
      call(callback, createHandle(platform, cfg, token, data, server, image));
    };
    if (typeof cfg.getToken === 'function') cfg.getToken((token, data) => ready(typeof token === 'string' ? token : undefined, data));
    else ready(undefined, undefined);
  };
  return { initFile: init(false), initImage: init(true), dataType: { form: 'form' } };
}
