/**
 * Failure to decode (or, for `invalid-frame`/`out-of-range`, to encode) wire data. Every codec in
 * src/protocol and src/codec throws only this class for bad input, so transports can catch one
 * type and decide per `code` whether to drop the message or close the connection.
 */
export type ProtocolErrorCode =
  /** Input ended before a fixed field or a declared string/varint was complete. */
  | 'truncated'
  /** Unknown or unused frame type nibble, or a header code that cannot be mapped. */
  | 'bad-header'
  /** A length field is inconsistent with the data (beyond what `truncated` covers). */
  | 'bad-length'
  /** Malformed UTF-8 / CESU-8 where strict decoding was required. */
  | 'bad-utf8'
  /** Malformed base64 text. */
  | 'bad-base64'
  /** Bytes left after a fixed-size frame while strict decoding was requested. */
  | 'trailing-bytes'
  /** Protobuf payload could not be decoded. */
  | 'protobuf'
  /** Comet body is not valid JSON or not a valid signal object/array. */
  | 'comet-json'
  /** Comet upstream request query lacks or garbles a required parameter. */
  | 'comet-query'
  /** A decoded number cannot be represented exactly (u64 above 2^53 − 1), or a value is outside its field. */
  | 'out-of-range'
  /** A frame handed to an encoder is inconsistent (missing/extra fields for its direction, string too long). */
  | 'invalid-frame';

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
