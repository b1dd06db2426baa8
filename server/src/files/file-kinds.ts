/**
 * The upload file types clients ask tokens for (PROTOCOL.md §7.7 FileType 1–4, plus RongIMLib's
 * `FileType.SIGHT` 5 and `COMBINE_HTML` 6 which E4 passes through unchanged) and the size limit of each.
 */
import type { FileOptions } from './file-options';

export const UploadFileType = { Image: 1, Audio: 2, Video: 3, File: 4, Sight: 5, CombineHtml: 6 } as const;
export type UploadFileType = (typeof UploadFileType)[keyof typeof UploadFileType];

export function isUploadFileType(value: unknown): value is UploadFileType {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 6;
}

/** Largest upload accepted for `type` (before content-specific rules such as the GIF limit). */
export function maxBytesFor(options: FileOptions, type: UploadFileType): number {
  switch (type) {
    case UploadFileType.Image: return options.maxImageBytes;
    case UploadFileType.Audio: return options.maxAudioBytes;
    case UploadFileType.Video:
    case UploadFileType.Sight: return options.maxVideoBytes;
    case UploadFileType.File: return options.maxFileBytes;
    case UploadFileType.CombineHtml: return options.maxHtmlBytes;
  }
}

/** The bound while the type is not known yet (the official form sends the token after the file). */
export function maxBytesOverall(options: FileOptions): number {
  return Math.max(options.maxImageBytes, options.maxAudioBytes, options.maxVideoBytes, options.maxFileBytes, options.maxHtmlBytes);
}
