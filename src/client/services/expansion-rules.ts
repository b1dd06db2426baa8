/**
 * Message expansion limits (seed 消息扩展, API_CHECKLIST §3.7), checked before anything goes on the wire, at send
 * time (`canIncludeExpansion` + `expansion`) and for `updateMessageExpansion`: at most 20 keys per call, a key
 * of at most 32 characters of `[A-Za-z0-9_=+-]` (others: 33003), a string value of at most 4096 characters.
 * The server checks the same and keeps at most 300 keys per message.
 */
import { ErrorCode } from '../../errors';

export const MAX_KEYS_PER_UPDATE = 20;
export const MAX_KEYS_TOTAL = 300;
export const MAX_KEY_LENGTH = 32;
export const MAX_VALUE_LENGTH = 4096;
const KEY_PATTERN = /^[A-Za-z0-9_=+-]+$/;

/** The error code a set of key/values violates (per-call rules), undefined when acceptable. */
export function expansionEntriesViolation(put: Readonly<Record<string, unknown>>): number | undefined {
  const keys = Object.keys(put);
  if (keys.length > MAX_KEYS_PER_UPDATE) return ErrorCode.EXPANSION_LIMIT_EXCEET;
  for (const key of keys) {
    if (key.length > MAX_KEY_LENGTH) return ErrorCode.EXPANSION_LIMIT_EXCEET;
    if (!KEY_PATTERN.test(key)) return ErrorCode.BIZ_ERROR_INVALID_PARAMETER;
    const value = put[key];
    if (typeof value !== 'string') return ErrorCode.BIZ_ERROR_INVALID_PARAMETER;
    if (value.length > MAX_VALUE_LENGTH) return ErrorCode.EXPANSION_LIMIT_EXCEET;
  }
  return undefined;
}
