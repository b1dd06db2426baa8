/**
 * The file service the topics (services/files.ts) and the HTTP routes (http/files.ts) share: upload
 * tokens, the store, and download URLs. Built once by main.ts and carried in ServerContext.files.
 */
import type { FileOptions } from './file-options';
import type { UploadFileType } from './file-kinds';
import type { FileStore, StoredFile } from './file-store';
import type { FileSigner, GrantCheck } from './signing';
import { cutText, wellFormed } from './text';

/** Routes, relative to the base URL. */
export const UPLOAD_PATH = '/upload';
export const DOWNLOAD_PREFIX = '/files';

export interface FileServiceDeps {
  readonly store: FileStore;
  readonly signer: FileSigner;
  readonly options: FileOptions;
  readonly now: () => number;
  /** Absolute base URL without trailing slash, for URLs built outside an HTTP request (qnUrl). */
  readonly baseUrl: () => string;
}

/**
 * A safe display segment for the end of a download URL (purely cosmetic: lookups ignore it). The name
 * is the stored one or whatever a client passed to `qnUrl` (its `oriName`): lone surrogates become
 * U+FFFD and the 120-unit cut keeps pairs whole, so encodeURIComponent cannot throw.
 */
function urlName(name: string): string {
  const cleaned = cutText(wellFormed(name.replace(/[\u0000-\u001f\u007f/\\]/g, '_')), 120);
  return encodeURIComponent(cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned);
}

export class FileService {
  readonly store: FileStore;
  readonly options: FileOptions;
  private readonly signer: FileSigner;
  private readonly now: () => number;
  private readonly base: () => string;

  constructor(deps: FileServiceDeps) {
    this.store = deps.store;
    this.options = deps.options;
    this.signer = deps.signer;
    this.now = deps.now;
    this.base = deps.baseUrl;
  }

  baseUrl(): string {
    return this.options.baseUrl ?? this.base();
  }

  issueUploadToken(appKey: string, userId: string, fileType: UploadFileType): { token: string; deadline: number } {
    const deadline = this.now() + this.options.tokenTtlMs;
    return { token: this.signer.issueUploadToken({ appKey, userId, fileType, expiresAt: deadline }), deadline };
  }

  checkUploadToken(token: string): GrantCheck {
    return this.signer.checkUploadToken(token, this.now());
  }

  /** `<base>/files/<appKey>/<id>/<sig>/<name>`; `name` defaults to the uploaded file's name. */
  downloadUrl(file: StoredFile, name?: string): string {
    const sig = this.signer.downloadSignature(file.appKey, file.id);
    return `${this.baseUrl()}${DOWNLOAD_PREFIX}/${file.appKey}/${file.id}/${sig}/${urlName(name ?? file.name)}`;
  }

  /** The object a download URL names, or undefined (unknown, malformed or badly signed: all alike). */
  async resolveDownload(appKey: string, id: string, signature: string): Promise<StoredFile | undefined> {
    if (!this.signer.checkDownloadSignature(appKey, id, signature)) return undefined;
    return this.store.get(appKey, id);
  }

  findUpload(appKey: string, ownerId: string, key: string): Promise<StoredFile | undefined> {
    return this.store.findByKey(appKey, ownerId, key);
  }
}
