/**
 * One upload, from request bytes to a committed object (or nothing). Two shapes:
 *  - multipart (`POST /upload`): the form the official upload plugin posts — `key`, `file`, `token`, in
 *    that order, so the token is only known after the file — and the form our helper posts, with the
 *    token in `Authorization: UpToken <token>` so it is checked before a byte of the body is read;
 *  - raw (`PUT /upload?key=&name=`): the body is the file; the token must come in the header or query.
 *
 * A token is checked as soon as it is known: from the header before the body is read, from a `token`
 * field that comes before the file part when that part starts, else after the form. Checked means
 * signature, expiry, an enabled app and a user not blocked now (FileService.checkUploadToken), once.
 *
 * Limits are enforced while streaming: with a known token, the file type's limit (and the GIF limit as
 * soon as the first bytes show a GIF); without one, the largest limit of any type, then the exact rule
 * once the token arrives. A file staged before any token was seen also needs a slot of the tokenless
 * bound (tokenless-uploads.ts), which caps what unauthenticated requests can stage at once.
 * Every failure path aborts the staged upload, so nothing partial remains.
 */
import { randomBytes } from 'node:crypto';
import type { FileService } from './file-service';
import { maxBytesFor, maxBytesOverall, UploadFileType } from './file-kinds';
import type { FileWriter, StoredFile } from './file-store';
import { mp4DurationSeconds } from './mp4-duration';
import { boundaryOf, MultipartError, MultipartParser } from './multipart';
import type { UploadGrant } from './signing';
import { isGif, isIsoMedia, sniffContentType } from './sniff';
import { cutText, wellFormed } from './text';
import { UploadError, UploadErrors } from './upload-errors';

const MAX_FIELD_BYTES = 8 * 1024;
const MAX_KEY_LENGTH = 512;
const MAX_NAME_LENGTH = 255;

export interface UploadInput {
  /** The request body; iteration must not destroy the socket when abandoned (so an error can be answered). */
  readonly body: AsyncIterable<Uint8Array>;
  readonly contentType: string | undefined;
  /** From `Authorization: UpToken <token>` or `?token=`. */
  readonly headerToken: string | undefined;
  /** `PUT`: the body is the file itself. */
  readonly raw: boolean;
  /** Query `key` / `name` (raw uploads; multipart form fields win). */
  readonly key: string | undefined;
  readonly name: string | undefined;
  /** The client's address, for the per-address tokenless bound. */
  readonly address: string;
}

async function grantFor(service: FileService, token: string | undefined): Promise<UploadGrant> {
  if (token === undefined || token === '') throw new UploadError(UploadErrors.unauthorized);
  const check = await service.checkUploadToken(token);
  if (!check.ok) throw new UploadError(UploadErrors.unauthorized, `upload token ${check.reason}`);
  return check.grant;
}

/** Control characters dropped, lone surrogates replaced, cut to `max` UTF-16 units at a code point boundary. */
function cleanText(value: string, max: number): string {
  return cutText(wellFormed(value.replace(/[\u0000-\u001f\u007f]/g, '')), max);
}

/** Streams file bytes into a staged upload under a size bound. */
class FileSink {
  constructor(
    readonly writer: FileWriter,
    private readonly service: FileService,
    private readonly grant: UploadGrant | undefined,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    const next = this.writer.size + chunk.byteLength;
    const limit = this.grant === undefined ? maxBytesOverall(this.service.options) : maxBytesFor(this.service.options, this.grant.fileType);
    if (next > limit) throw new UploadError(UploadErrors.tooLarge);
    await this.writer.write(chunk);
    if (this.grant?.fileType === UploadFileType.Image && next > this.service.options.maxGifBytes && isGif(this.writer.head)) {
      throw new UploadError(UploadErrors.gifTooLarge);
    }
  }
}

/** Checks the type-specific rules on the complete staged file, then commits it. */
async function finish(service: FileService, writer: FileWriter, grant: UploadGrant, key: string | undefined, name: string | undefined): Promise<StoredFile> {
  const options = service.options;
  if (writer.size > maxBytesFor(options, grant.fileType)) throw new UploadError(UploadErrors.tooLarge);
  const head = writer.head;
  if (grant.fileType === UploadFileType.Image && isGif(head) && writer.size > options.maxGifBytes) throw new UploadError(UploadErrors.gifTooLarge);
  if (grant.fileType === UploadFileType.Sight && isIsoMedia(head)) {
    const seconds = await mp4DurationSeconds((offset, length) => writer.readStaged(offset, length), writer.size);
    if (seconds !== undefined && seconds > options.maxSightSeconds) throw new UploadError(UploadErrors.sightTooLong);
  }
  let objectKey = key;
  if (objectKey !== undefined && (objectKey === '' || objectKey.length > MAX_KEY_LENGTH || /[\u0000-\u001f\u007f]/.test(objectKey))) {
    throw new UploadError(UploadErrors.badRequest, 'invalid object key');
  }
  const displayName = cleanText(name ?? '', MAX_NAME_LENGTH);
  if (objectKey === undefined) {
    const dot = displayName.lastIndexOf('.');
    const ext = dot > 0 && displayName.length - dot <= 10 ? displayName.slice(dot).replace(/[^A-Za-z0-9.]/g, '') : '';
    objectKey = `${grant.fileType}__lx_${randomBytes(16).toString('hex')}${ext}`;
  }
  return writer.commit({
    appKey: grant.appKey,
    ownerId: grant.userId,
    key: objectKey,
    fileType: grant.fileType,
    name: displayName === '' ? objectKey : displayName,
    contentType: sniffContentType(head).contentType,
  });
}

async function receiveRaw(service: FileService, input: UploadInput, grant: UploadGrant, writer: FileWriter): Promise<StoredFile> {
  const sink = new FileSink(writer, service, grant);
  for await (const chunk of input.body) await sink.write(chunk);
  return finish(service, writer, grant, input.key, input.name);
}

async function receiveMultipart(
  service: FileService,
  input: UploadInput,
  headerGrant: UploadGrant | undefined,
  begin: () => Promise<FileWriter>,
  holdTokenless: (release: () => void) => void,
): Promise<StoredFile> {
  const boundary = boundaryOf(input.contentType);
  if (boundary === undefined) throw new UploadError(UploadErrors.badRequest, 'expected multipart/form-data with a boundary');
  const parser = new MultipartParser(boundary);
  const fields = new Map<string, string>();
  let sink: FileSink | undefined;
  let grant = headerGrant;
  let fileName: string | undefined;
  let current: { kind: 'file' } | { kind: 'field'; name: string; chunks: Buffer[]; size: number } | undefined;
  const feed = async (chunk: Uint8Array): Promise<void> => {
    let events;
    try {
      events = parser.push(chunk);
    } catch (error) {
      if (error instanceof MultipartError) throw new UploadError(UploadErrors.badRequest, error.message);
      throw error;
    }
    for (const event of events) {
      if (event.kind === 'part') {
        if (event.part.filename !== undefined) {
          if (sink !== undefined) throw new UploadError(UploadErrors.badRequest, 'more than one file in the form');
          // A token field before the file is checked now; without any, a tokenless slot is needed first.
          if (grant === undefined && fields.has('token')) grant = await grantFor(service, fields.get('token'));
          if (grant === undefined) {
            const release = await service.tokenless.enter(input.address);
            if (release === undefined) throw new UploadError(UploadErrors.busy);
            holdTokenless(release);
          }
          sink = new FileSink(await begin(), service, grant);
          fileName = event.part.filename;
          current = { kind: 'file' };
        } else {
          current = { kind: 'field', name: event.part.name, chunks: [], size: 0 };
        }
      } else if (event.kind === 'data') {
        if (current?.kind === 'file') await (sink as FileSink).write(event.chunk);
        else if (current?.kind === 'field') {
          current.size += event.chunk.length;
          if (current.size > MAX_FIELD_BYTES) throw new UploadError(UploadErrors.badRequest, `form field ${current.name} is too long`);
          current.chunks.push(Buffer.from(event.chunk));
        }
      } else {
        if (current?.kind === 'field' && !fields.has(current.name)) fields.set(current.name, Buffer.concat(current.chunks).toString('utf8'));
        current = undefined;
      }
    }
  };
  for await (const chunk of input.body) {
    await feed(chunk);
    if (parser.done) break;
  }
  try {
    parser.end();
  } catch (error) {
    if (error instanceof MultipartError) throw new UploadError(UploadErrors.badRequest, error.message);
    throw error;
  }
  const finalGrant = grant ?? (await grantFor(service, fields.get('token')));
  if (sink === undefined) throw new UploadError(UploadErrors.badRequest, 'no file in the form');
  return finish(service, sink.writer, finalGrant, fields.get('key') ?? input.key, fileName ?? input.name);
}

/** Receives one upload; throws UploadError (nothing stored) or returns the committed object. */
export async function receiveUpload(service: FileService, input: UploadInput): Promise<StoredFile> {
  const headerGrant = input.headerToken === undefined ? undefined : await grantFor(service, input.headerToken);
  if (input.raw && headerGrant === undefined) throw new UploadError(UploadErrors.unauthorized);
  let writer: FileWriter | undefined;
  let releaseTokenless: (() => void) | undefined;
  const begin = async (): Promise<FileWriter> => (writer = await service.store.begin());
  try {
    if (input.raw) return await receiveRaw(service, input, headerGrant as UploadGrant, await begin());
    return await receiveMultipart(service, input, headerGrant, begin, (release) => (releaseTokenless = release));
  } catch (error) {
    await writer?.abort();
    throw error;
  } finally {
    releaseTokenless?.();
  }
}
