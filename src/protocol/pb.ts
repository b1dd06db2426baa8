/**
 * Codec-neutral helpers: decode/encode through any object shaped like a pbjs class
 * (`X.decode(bytes)`, `X.encode(obj).finish()`), mapping every failure to ProtocolError('protobuf').
 * The SDK's own codec is the table codec (./table-codec, via ./messages); these helpers serve code
 * that is handed a codec object (the server's `rc.X`, tests with the pbjs oracle).
 */
import { ProtocolError } from './protocol-error';

/** A message codec seen as a decoder (`rc.UpStreamMessage` etc.). */
export interface MessageDecoder<T> {
  decode(reader: Uint8Array): T;
}

/** A message codec seen as an encoder. */
export interface MessageEncoder<T> {
  encode(message: T): { finish(): Uint8Array };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Decodes one protobuf payload. Any failure (missing required field, truncated input, invalid wire
 * type, …) becomes ProtocolError('protobuf') whose message starts with `name` (the type name, for
 * logs). The result may share memory with `bytes` (`bytes` fields are sub-views), and fields the
 * payload did not carry are inherited prototype defaults, not own properties.
 */
export function decodeMessage<T>(type: MessageDecoder<T>, bytes: Uint8Array, name: string): T {
  try {
    return type.decode(bytes);
  } catch (err) {
    if (err instanceof ProtocolError && err.code === 'protobuf' && err.message.startsWith(`${name}: `)) throw err;
    throw new ProtocolError('protobuf', `${name}: ${describe(err)}`);
  }
}

/**
 * Encodes one protobuf payload as a plain Uint8Array (protobufjs returns a Buffer on Node; the view
 * keeps the result type identical on every host). A throw from the encoder (a missing required
 * string, a non-string in a string field, …) becomes ProtocolError('protobuf').
 */
export function encodeMessage<T>(type: MessageEncoder<T>, obj: T): Uint8Array {
  let out: Uint8Array;
  try {
    out = type.encode(obj).finish();
  } catch (err) {
    if (err instanceof ProtocolError && err.code === 'protobuf') throw err;
    throw new ProtocolError('protobuf', `encode: ${describe(err)}`);
  }
  return out.constructor === Uint8Array ? out : new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
