/**
 * The file service the topics (services/files.ts) and the HTTP routes (http/files.ts) share: upload
 * tokens, the store, and download URLs. Built once by main.ts and carried in ServerContext.files.
 */
import type { AppRegistry } from '../app-config';
import type { UserRepository } from '../store/store';
import type { FileOptions } from './file-options';
import type { UploadFileType } from './file-kinds';
import type { FileStore, StoredFile } from './file-store';
import type { FileSigner, GrantCheck } from './signing';
import { secretTag } from './signing';
import { cutText, wellFormed } from './text';
import { TokenlessUploads } from './tokenless-uploads';

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
  /** The enabled apps: a disabled, removed or unknown app is absent (its tokens and URLs stop working). */
  readonly apps: Pick<AppRegistry, 'get'>;
  /** Whether a token's user is blocked now (`blockedUntil`, Server API user/block). */
  readonly users: Pick<UserRepository, 'get'>;
}

/** Why a well-signed, unexpired upload token is refused now (the `upload token …` error detail). */
export type UploadCheck = GrantCheck | { readonly ok: false; readonly reason: 'of a disabled app' | 'of a rotated app secret' | 'of a blocked user' | 'of an expired login' };

/** Uploads waiting for a tokenless staging slot at once (tokenless-uploads.ts); more get 429 at once. */
const MAX_TOKENLESS_WAITING = 256;

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
  private readonly apps: Pick<AppRegistry, 'get'>;
  private readonly users: Pick<UserRepository, 'get'>;
  /** Bounds the uploads that stage a file before their token is known (one per process). */
  readonly tokenless: TokenlessUploads;

  constructor(deps: FileServiceDeps) {
    this.store = deps.store;
    this.apps = deps.apps;
    this.users = deps.users;
    this.options = deps.options;
    this.signer = deps.signer;
    this.now = deps.now;
    this.base = deps.baseUrl;
    this.tokenless = new TokenlessUploads({
      total: deps.options.tokenlessUploads,
      perAddress: deps.options.tokenlessPerAddress,
      waitMs: deps.options.tokenlessWaitMs,
      maxWaiting: MAX_TOKENLESS_WAITING,
    });
  }

  baseUrl(): string {
    return this.options.baseUrl ?? this.base();
  }

  issueUploadToken(appKey: string, userId: string, fileType: UploadFileType): { token: string; deadline: number } {
    const now = this.now();
    const deadline = now + this.options.tokenTtlMs;
    const app = this.apps.get(appKey);
    const secret = app === undefined ? {} : { secret: secretTag(app.appSecret) };
    return { token: this.signer.issueUploadToken({ appKey, userId, fileType, expiresAt: deadline, issuedAt: now, ...secret }), deadline };
  }

  /**
   * An upload token is good while its signature holds, it has not expired, its app is enabled, its
   * user is not blocked and the user's login tokens were not expired since it was issued. The signature
   * alone proved only that a connected user held it once: disabling the app (console), blocking the user
   * (Server API user/block) or expiring the user's tokens (user/token/expire: "tokens issued up to T",
   * typically after a password change) must end uploads with the token however long it has left; a
   * session still connected asks for a new upload token per upload. Called once per upload (never per
   * chunk): a registry lookup and one user read.
   */
  async checkUploadToken(token: string): Promise<UploadCheck> {
    const check = this.signer.checkUploadToken(token, this.now());
    if (!check.ok) return check;
    const { appKey, userId } = check.grant;
    const app = this.apps.get(appKey);
    if (app === undefined) return { ok: false, reason: 'of a disabled app' };
    // Rotating the app's secret (console) ends its login tokens; the upload tokens issued under the old one go too.
    if (check.grant.secret !== undefined && check.grant.secret !== secretTag(app.appSecret)) return { ok: false, reason: 'of a rotated app secret' };
    const user = await this.users.get(appKey, userId);
    if (user !== undefined && user.blockedUntil > this.now()) return { ok: false, reason: 'of a blocked user' };
    const issuedAt = check.grant.issuedAt ?? check.grant.expiresAt - this.options.tokenTtlMs;
    if (user !== undefined && issuedAt <= user.tokensValidAfter) return { ok: false, reason: 'of an expired login' };
    return check;
  }

  /** `<base>/files/<appKey>/<id>/<sig>/<name>`; `name` defaults to the uploaded file's name. */
  downloadUrl(file: StoredFile, name?: string): string {
    const sig = this.signer.downloadSignature(file.appKey, file.id);
    return `${this.baseUrl()}${DOWNLOAD_PREFIX}/${file.appKey}/${file.id}/${sig}/${urlName(name ?? file.name)}`;
  }

  /**
   * The object a download URL names, or undefined (unknown, malformed or badly signed: all alike).
   * A disabled (or removed) app's files are not served either: the app is "blocked or deleted" for
   * navi, connect and the Server API, and its content goes with it; nothing is deleted, so enabling
   * the app again brings the same links back. A blocked user's files stay downloadable: they sit in
   * messages other users already have, and a block is about what that user may do, not about them.
   */
  async resolveDownload(appKey: string, id: string, signature: string): Promise<StoredFile | undefined> {
    if (!this.signer.checkDownloadSignature(appKey, id, signature)) return undefined;
    if (this.apps.get(appKey) === undefined) return undefined;
    return this.store.get(appKey, id);
  }

  findUpload(appKey: string, ownerId: string, key: string): Promise<StoredFile | undefined> {
    return this.store.findByKey(appKey, ownerId, key);
  }
}
