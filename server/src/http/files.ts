/**
 * The built-in file service over HTTP (same host and port as navi and the gateway):
 *
 *   POST / and /upload      multipart form: `file` + `token` (+ `key`), in any order — the official
 *                           upload plugin's form, posted to the navi `uploadServer` itself as to
 *                           Qiniu's upload host — or with `Authorization: UpToken <token>` (our helper)
 *   PUT  /upload?key=&name= raw body, `Authorization: UpToken <token>` (or `?token=`)
 *   GET|HEAD /files/<appKey>/<id>/<sig>[/<name>]   download (Range, ETag, immutable caching)
 *
 * Upload answers: 200 `{key, hash, name, size, mimeType, fileType}`; errors `{code, error}` with the
 * status of files/upload-errors.ts. Downloads answer 404 for every unknown/forged URL alike.
 *
 * Serving invariant: user bytes are never active content in this origin — the type is the sniffed
 * one, only raster images/audio/video are `inline`, and every response has `nosniff` and a
 * `sandbox` CSP.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FileService } from '../files/file-service';
import { DOWNLOAD_PREFIX, UPLOAD_PATH } from '../files/file-service';
import type { ByteRange, StoredFile } from '../files/file-store';
import { wellFormed } from '../files/text';
import { receiveUpload } from '../files/upload-receiver';
import { UploadError, UploadErrors } from '../files/upload-errors';

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cross-origin-resource-policy': 'cross-origin',
  'access-control-allow-origin': '*',
};

function queryValue(request: FastifyRequest, name: string): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** `Authorization: UpToken <t>` (Qiniu's scheme, also `Bearer`) or `?token=`. */
function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^(?:UpToken|Bearer)\s+(\S+)$/i.exec(header.trim());
    if (match) return match[1];
  }
  return queryValue(request, 'token');
}

/** RFC 6266; a lone surrogate in a stored name (older versions cut names mid-pair) is sent as U+FFFD. */
function contentDisposition(file: StoredFile, inline: boolean): string {
  const name = file.name === '' ? 'file' : wellFormed(file.name);
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function isInlineType(contentType: string): boolean {
  return /^(image\/(jpeg|png|gif|webp|bmp)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+)$/.test(contentType);
}

/** One `bytes=` range (multiple ranges are answered with the whole file, which RFC 9110 allows). */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function sendError(reply: FastifyReply, error: UploadError): { code: number; error: string } {
  // The body may be partly unread: closing the connection stops the client from streaming the rest.
  void reply.code(error.httpStatus).header('connection', 'close').header('cache-control', 'no-store');
  return { code: error.code, error: error.message };
}

async function download(files: FileService, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const params = request.params as Record<string, string | undefined>;
  void reply.headers(SECURITY_HEADERS);
  const file = await files.resolveDownload(params['app'] ?? '', params['id'] ?? '', params['sig'] ?? '');
  if (file === undefined) {
    void reply.code(404).header('cache-control', 'no-store');
    return { code: 404, error: 'not found' };
  }
  const inline = isInlineType(file.contentType);
  // `sandbox` alone for media: no script, opaque origin, yet a browser's own image/video viewer
  // (when the URL is opened directly) may still load the resource; everything else also gets
  // `default-src 'none'`.
  if (inline) void reply.header('content-security-policy', 'sandbox');
  const etag = `"${file.sha256.slice(0, 32)}"`;
  void reply.headers({
    'content-type': file.contentType,
    'content-disposition': contentDisposition(file, inline),
    'cache-control': 'public, max-age=31536000, immutable',
    etag,
    'last-modified': new Date(file.createdAt).toUTCString(),
    'accept-ranges': 'bytes',
    'access-control-expose-headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, Content-Disposition',
  });
  const ifNoneMatch = request.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    return reply.code(304).send();
  }
  const ifRange = request.headers['if-range'];
  const rangeHeader = ifRange === undefined || ifRange === etag ? request.headers.range : undefined;
  const range = parseRange(typeof rangeHeader === 'string' ? rangeHeader : undefined, file.size);
  if (range === 'unsatisfiable') {
    return reply.code(416).header('content-range', `bytes */${file.size}`).header('content-length', '0').send();
  }
  const length = range === undefined ? file.size : range.end - range.start + 1;
  void reply.header('content-length', String(length));
  if (range !== undefined) void reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
  else void reply.code(200);
  if (request.method === 'HEAD' || length === 0) return reply.send();
  return reply.send(files.store.open(file, range));
}

export function registerFileRoutes(fastify: FastifyInstance, files: FileService): void {
  void fastify.register(async (scope) => {
    // The body is streamed by receiveUpload, never buffered by fastify.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

    const upload = (raw: boolean) => async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
      void reply.header('access-control-allow-origin', '*');
      try {
        const file = await receiveUpload(files, {
          body: request.raw.iterator({ destroyOnReturn: false }),
          contentType: request.headers['content-type'],
          headerToken: tokenOf(request),
          raw,
          key: queryValue(request, 'key'),
          name: queryValue(request, 'name'),
          address: request.ip,
        });
        void reply.code(200).header('cache-control', 'no-store');
        return { key: file.key, hash: file.sha256, name: file.name, size: file.size, mimeType: file.contentType, fileType: file.fileType };
      } catch (error) {
        if (error instanceof UploadError) return sendError(reply, error);
        request.log.error({ err: error }, 'upload failed');
        return sendError(reply, new UploadError(UploadErrors.storage));
      }
    };
    for (const path of ['/', UPLOAD_PATH, `${UPLOAD_PATH}/`]) {
      scope.post(path, upload(false));
      if (path !== '/') scope.put(path, upload(true));
      scope.options(path, async (request, reply) => {
        const requested = request.headers['access-control-request-headers'];
        void reply
          .code(204)
          .header('access-control-allow-origin', '*')
          .header('access-control-allow-methods', 'POST, PUT, OPTIONS')
          .header('access-control-allow-headers', typeof requested === 'string' && requested !== '' ? requested : 'Content-Type, Authorization')
          .header('access-control-max-age', '86400');
        return reply.send();
      });
    }
    const handler = (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => download(files, request, reply);
    scope.route({ method: ['GET', 'HEAD'], url: `${DOWNLOAD_PREFIX}/:app/:id/:sig`, exposeHeadRoute: false, handler });
    scope.route({ method: ['GET', 'HEAD'], url: `${DOWNLOAD_PREFIX}/:app/:id/:sig/*`, exposeHeadRoute: false, handler });
  });
}
