/**
 * Message expansion (API_CHECKLIST §3.7, §13.13): key/value data attached to a message sent with
 * `canIncludeExpansion`. Updates travel as `RC:MsgExMsg {mid, put|del}` in the message's conversation;
 * receivers get them through the expansion listener, never as messages. Limits are checked locally:
 * 34008 not expandable (or not a private/group message), 34010 too many keys / key too long / value too
 * long, 33003 bad key characters (the key-count limit is for setting; deleting takes any number of keys); the server checks them again and stores the merged expansion with the
 * message, so history returns it.
 */
import { expansionEntriesViolation, MAX_KEYS_TOTAL } from '../client/services/expansion-rules';
import { ErrorCode, SdkError } from '../errors';
import { operate } from './operation';
import type { Runtime } from './runtime';
import { callbackCheck, check } from './validate';
import * as Rules from './rules';

export { MAX_KEY_LENGTH, MAX_KEYS_PER_UPDATE, MAX_KEYS_TOTAL, MAX_VALUE_LENGTH } from '../client/services/expansion-rules';

interface ExpandableMessage {
  conversationType: number;
  targetId: string;
  messageUId: string;
  canIncludeExpansion: boolean;
  expansion: Record<string, string> | null;
}

function asExpandable(value: unknown): ExpandableMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const uid = m['messageUId'] ?? m['messageUid'];
  if (typeof m['conversationType'] !== 'number' || typeof m['targetId'] !== 'string' || typeof uid !== 'string' || uid === '') return undefined;
  const expansion = typeof m['expansion'] === 'object' && m['expansion'] !== null ? (m['expansion'] as Record<string, string>) : null;
  return { conversationType: m['conversationType'], targetId: m['targetId'], messageUId: uid, canIncludeExpansion: m['canIncludeExpansion'] === true, expansion };
}

/** The local limit a change violates, as an error code; undefined when it is acceptable. */
export function expansionViolation(message: ExpandableMessage, put: Readonly<Record<string, unknown>>): number | undefined {
  if (!message.canIncludeExpansion) return ErrorCode.MESSAGE_KV_NOT_SUPPORT;
  const keys = Object.keys(put);
  if (keys.length === 0) return ErrorCode.BIZ_ERROR_INVALID_PARAMETER;
  const entries = expansionEntriesViolation(put);
  if (entries !== undefined) return entries;
  const total = new Set([...Object.keys(message.expansion ?? {}), ...keys]).size;
  if (total > MAX_KEYS_TOTAL) return ErrorCode.EXPANSION_LIMIT_EXCEET;
  return undefined;
}

function sendExpansionCommand(rt: Runtime, method: string, callback: unknown, message: unknown, arg: { name: string; value: unknown; ok: (v: unknown) => boolean }, build: (m: ExpandableMessage) => Record<string, unknown>, violation: (m: ExpandableMessage) => number | undefined): void {
  void operate(
    rt,
    method,
    callback,
    [check(arg.name, arg.value, arg.ok), check('message', message, (v) => asExpandable(v) !== undefined), callbackCheck(callback, true)],
    async (op) => {
      const m = asExpandable(message) as ExpandableMessage;
      // Only private and group messages can be expanded (RongCloud: 34008 for any other conversation).
      if (m.conversationType !== 1 && m.conversationType !== 3) throw new SdkError(ErrorCode.MESSAGE_KV_NOT_SUPPORT, 'expansion: private and group conversations only');
      const code = violation(m);
      if (code !== undefined) throw new SdkError(code);
      const outcome = await op.services.send.send(op.session, {
        conversationType: m.conversationType,
        targetId: m.targetId,
        objectName: 'RC:MsgExMsg',
        content: build(m),
        isPersited: false,
        isCounted: false,
      });
      if (!outcome.ok) throw new SdkError(outcome.code);
    },
  );
}

export function updateMessageExpansion(rt: Runtime, expansion: unknown, message: unknown, callback: unknown): void {
  const put = (typeof expansion === 'object' && expansion !== null ? expansion : {}) as Record<string, unknown>;
  sendExpansionCommand(
    rt,
    'updateMessageExpansion',
    callback,
    message,
    { name: 'expansion', value: expansion, ok: Rules.OBJECT },
    (m) => ({ mid: m.messageUId, put }),
    (m) => expansionViolation(m, put),
  );
}

export function removeMessageExpansionForKey(rt: Runtime, keys: unknown, message: unknown, callback: unknown): void {
  sendExpansionCommand(
    rt,
    'removeMessageExpansionForKey',
    callback,
    message,
    { name: 'keys', value: keys, ok: (v) => Array.isArray(v) && v.length > 0 && v.every((k) => typeof k === 'string') },
    (m) => ({ mid: m.messageUId, del: keys }),
    // No key-count limit for deleting: 20 per call is the rule for setting (2.9.2 sends any number). The server
    // refuses more keys than a message can hold (300) as a malformed command.
    (m) => (m.canIncludeExpansion ? undefined : ErrorCode.MESSAGE_KV_NOT_SUPPORT),
  );
}
