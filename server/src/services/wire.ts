/**
 * The SDK protocol pieces the services use, imported once through the SDK's internal entry
 * (the server never reaches into src/ any other way), plus small helpers on top of them.
 */
import { newMessageUid } from '../store/message-uid';

import { decodeMessage as decodeProtobuf, ProtocolError } from '../../../src/internal';
import { normalizeText } from '../text-values';

export { rc, encodeMessage, ProtocolError, decodeUtf8, encodeUtf8, decodeDelRelationType, builtInPolicy, policyFlags } from '../../../src/internal';
export type { PublishFrame, QueryFrame } from '../../../src/internal';

/**
 * A decoded client payload's strings made fit to store (text-values.ts): lone surrogates → U+FFFD in place, and
 * the path of a string holding a raw U+0000 (PostgreSQL TEXT refuses it), or undefined. Bytes fields are left alone.
 */
export function storableStrings(message: object): string | undefined {
  return normalizeText(message, '', () => undefined);
}

/**
 * The SDK's decodeMessage for what clients send: a string field holding U+0000 is a malformed payload (ProtocolError,
 * which every handler answers with its invalid-parameter status, 33003), on every back end alike.
 */
export function decodeMessage<T>(type: Parameters<typeof decodeProtobuf<T>>[0], bytes: Uint8Array, name: string): T {
  const message = decodeProtobuf(type, bytes, name);
  const nul = storableStrings(message as object);
  if (nul !== undefined) throw new ProtocolError('protobuf', `${name}: ${nul} holds U+0000`);
  return message;
}

/** A uid for a message that is never stored (status / transient). */
export function newMessageUidFor(sentTime: number): string {
  return newMessageUid(sentTime, Math.random);
}
