/**
 * Runtime glue for the generated protobuf code (proto/gen/rc.js): one place that configures
 * protobufjs/minimal and turns every decode failure into a ProtocolError.
 *
 * int64 → number: protobufjs decodes int64 as Long.js objects whenever it can find Long.js at load
 * time (Node resolves `require("long")`, a browser page may carry a global `Long`), and as plain
 * numbers otherwise (most mini-program bundles). The same payload would then yield different
 * shapes per host. Every int64 on this wire is a millisecond timestamp, a cursor or a flag word,
 * all below 2^53, so we force plain numbers everywhere: clear `util.Long` and re-run configure(),
 * which re-binds Reader.prototype.int64 & co. to their number variants. The generated prototype
 * defaults are plain `0` (scripts/gen-proto.mjs strips the Long branch), so nothing else depends
 * on Long. This mutates the shared protobufjs/minimal instance of this bundle/process; the
 * official RongCloud clients bundle their own protobuf copy and are unaffected.
 */
import $protobuf from 'protobufjs/minimal.js';

import { ProtocolError } from './protocol-error';

// protobufjs types `util.Long` as always present; it tests the property for truthiness at runtime.
$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long;
$protobuf.configure();

/** A generated message class, seen as a decoder (`rc.UpStreamMessage` etc.). */
export interface MessageDecoder<T> {
  decode(reader: Uint8Array): T;
}

/** A generated message class, seen as an encoder. */
export interface MessageEncoder<T> {
  encode(message: T): { finish(): Uint8Array };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Decodes one protobuf payload. Any failure (missing required field, truncated input, invalid wire
 * type, nesting too deep, …) becomes ProtocolError('protobuf'), prefixed with `name` (the type name,
 * for logs). The result may share memory with `bytes` (`bytes` fields are sub-views), and fields
 * the payload did not carry are inherited prototype defaults, not own properties.
 */
export function decodeMessage<T>(type: MessageDecoder<T>, bytes: Uint8Array, name: string): T {
  try {
    return type.decode(bytes);
  } catch (err) {
    throw new ProtocolError('protobuf', `${name}: ${describe(err)}`);
  }
}

/**
 * Encodes one protobuf payload as a plain Uint8Array (protobufjs returns a Buffer on Node; the view
 * keeps the result type identical on every host). No validation beyond the TypeScript types: a
 * missing required scalar is written as its zero value, so callers must fill required fields.
 * A throw from the writer (e.g. a non-string in a string field) becomes ProtocolError('protobuf').
 */
export function encodeMessage<T>(type: MessageEncoder<T>, obj: T): Uint8Array {
  let out: Uint8Array;
  try {
    out = type.encode(obj).finish();
  } catch (err) {
    throw new ProtocolError('protobuf', `encode: ${describe(err)}`);
  }
  return out.constructor === Uint8Array ? out : new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
