/**
 * The SDK protocol pieces the services use, imported once through the SDK's internal entry
 * (the server never reaches into src/ any other way), plus small helpers on top of them.
 */
import { newMessageUid } from '../store/message-uid';

export { rc, encodeMessage, decodeMessage, ProtocolError, decodeUtf8, encodeUtf8, decodeDelRelationType, builtInPolicy, policyFlags } from '../../../src/internal';
export type { PublishFrame, QueryFrame } from '../../../src/internal';

/** A uid for a message that is never stored (status / transient). */
export function newMessageUidFor(sentTime: number): string {
  return newMessageUid(sentTime, Math.random);
}
