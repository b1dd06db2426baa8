/**
 * Why an upload was refused: HTTP status + the `code` in the JSON body `{"code":n,"error":"…"}`.
 * Codes reuse RongCloud's where one means exactly this (34002, 34003, 41002, 33003); a plain size
 * overrun has no RongCloud code and uses 413, the HTTP status.
 */

export interface UploadErrorDef {
  readonly httpStatus: number;
  readonly code: number;
  readonly message: string;
}

export const UploadErrors = {
  badRequest: { httpStatus: 400, code: 33003, message: 'malformed upload request' },
  /** Missing, forged, expired or other-app token. */
  unauthorized: { httpStatus: 401, code: 41002, message: 'upload token is missing, invalid or expired' },
  tooLarge: { httpStatus: 413, code: 413, message: 'file exceeds the size limit for its type' },
  gifTooLarge: { httpStatus: 413, code: 34003, message: 'GIF exceeds the GIF size limit' },
  sightTooLong: { httpStatus: 422, code: 34002, message: 'sight video exceeds the duration limit' },
  /** Too many uploads stage a file before their token at once (tokenless-uploads.ts); send the token first. */
  busy: { httpStatus: 429, code: 429, message: 'too many uploads without a token before the file; retry later or send the token first' },
  storage: { httpStatus: 500, code: 500, message: 'file storage failed' },
} as const satisfies Record<string, UploadErrorDef>;

export class UploadError extends Error {
  readonly httpStatus: number;
  readonly code: number;

  constructor(def: UploadErrorDef, detail?: string) {
    super(detail ?? def.message);
    this.name = 'UploadError';
    this.httpStatus = def.httpStatus;
    this.code = def.code;
  }
}
