/**
 * File topics (PROTOCOL.md §6.5): `qnTkn` hands a connected user an upload token for our upload
 * endpoint; `qnUrl` / `aliUrl` / `s3Url` / `stcUrl` turn the key of a finished upload into its signed
 * download URL. Which storage provider E4 thinks it used (uploadMethod → topic) does not matter here:
 * every upload went to the same built-in service, so the four URL topics answer alike.
 *
 * Authorization: the session is the proof — tokens are issued only to connected users, bound to their
 * app and user id; URLs are resolved only for uploads the asking user made.
 */
import type { QueryFrame } from './wire';
import { decodeMessage, encodeMessage, ProtocolError, rc } from './wire';
import { WireStatus } from './wire-status';
import type { SessionPort } from '../gateway/topic-router';
import type { FileService } from '../files/file-service';
import { isUploadFileType } from '../files/file-kinds';

/** QNTKN_FILETYPE_ERROR: the file type is not one of RongIMLib's FileType values. */
export const FILE_TYPE_ERROR = 41001;

export const FILE_URL_TOPICS = ['qnUrl', 'aliUrl', 's3Url', 'stcUrl'] as const;

function read<T>(port: SessionPort, frame: QueryFrame, type: { decode(bytes: Uint8Array): T }, name: string): T | undefined {
  try {
    return decodeMessage(type, frame.payload, name);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    return undefined;
  }
}

export function createUploadTokenHandler(files: FileService) {
  return (port: SessionPort, frame: QueryFrame): void => {
    const req = read(port, frame, rc.GetQNupTokenInput, 'GetQNupTokenInput');
    if (!req) return;
    const fileType = Number(req.type);
    if (!isUploadFileType(fileType)) {
      port.queryAck(frame.messageId, FILE_TYPE_ERROR, undefined, frame.topic);
      return;
    }
    const { token, deadline } = files.issueUploadToken(port.info.appKey, port.info.userId, fileType);
    port.queryAck(frame.messageId, WireStatus.Ok, encodeMessage(rc.GetQNupTokenOutput, { deadline, token }), frame.topic);
  };
}

/**
 * `qnUrl` (GetQNdownloadUrlInput) and the E4-only `aliUrl`/`s3Url`/`stcUrl` (GetDownloadUrlInput, same
 * fields). The type must be the one the upload token was issued for (seed: "fileType 值需与
 * getFileToken 时传入的 fileType 值一致"); an unknown key or a type mismatch is 33003.
 */
export function createDownloadUrlHandler(files: FileService) {
  return async (port: SessionPort, frame: QueryFrame): Promise<void> => {
    const qiniu = frame.topic === 'qnUrl';
    const req = qiniu ? read(port, frame, rc.GetQNdownloadUrlInput, 'GetQNdownloadUrlInput') : read(port, frame, rc.GetDownloadUrlInput, 'GetDownloadUrlInput');
    if (!req) return;
    const fileType = Number(req.type);
    if (!isUploadFileType(fileType)) {
      port.queryAck(frame.messageId, FILE_TYPE_ERROR, undefined, frame.topic);
      return;
    }
    const file = req.key === '' ? undefined : await files.findUpload(port.info.appKey, port.info.userId, req.key);
    if (file === undefined || file.fileType !== fileType) {
      port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
      return;
    }
    const name = typeof req.fileName === 'string' && req.fileName !== '' ? req.fileName : undefined;
    const downloadUrl = files.downloadUrl(file, name);
    const payload = qiniu ? encodeMessage(rc.GetQNdownloadUrlOutput, { downloadUrl }) : encodeMessage(rc.GetDownloadUrlOutput, { downloadUrl });
    port.queryAck(frame.messageId, WireStatus.Ok, payload, frame.topic);
  };
}

/** The file topics as [topic, handler] pairs for the services' query table (empty when the service is off). */
export function fileQueries(files: FileService | undefined): Array<[string, (port: SessionPort, frame: QueryFrame) => Promise<void> | void]> {
  if (files === undefined || !files.options.enabled) return [];
  const url = createDownloadUrlHandler(files);
  return [['qnTkn', createUploadTokenHandler(files)], ...FILE_URL_TOPICS.map((topic): [string, typeof url] => [topic, url])];
}
