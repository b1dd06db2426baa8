/**
 * Message expansion on the server (issue #7; seed 消息扩展; PROTOCOL.md §9.8). An expansion update is an
 * ordinary, unstored message `RC:MsgExMsg {mid, put?, del?, removeAll?}` in the original message's
 * conversation; this filter (last in the chain, so only messages every other filter let through get here)
 * checks it and merges it into the original's stored expansion before it is delivered, so sync and history
 * return the current expansion as soon as any receiver hears about the change.
 *
 * Refusals: the original unknown, not expandable (sent without `canIncludeExpansion`), not private/group, or not
 * in this conversation → 34008; more than 20 keys in one update, a key over 32 or a value over 4096 characters
 * → 34010; a key outside `[A-Za-z0-9_=+-]` or a malformed command → 33003. A message never holds more than
 * 300 keys: keys beyond that are dropped (the seed's rule for concurrent updates) and the forwarded command
 * names only the applied ones; an update none of whose keys fit is refused with 34010.
 */
import { decodeUtf8, encodeUtf8 } from './wire';
import type { ServerContext } from '../context';
import { ownerConversation } from '../store/owner-conversation';
import type { CandidateMessage, FilterVerdict, MessageFilter } from './message-filter-chain';
import { PASS } from './message-filter-chain';
import { FlagBit } from './message-view';

export const EXPANSION_ORDER = 900;
export const ExpansionLimit = { keysPerUpdate: 20, keysTotal: 300, keyLength: 32, valueLength: 4096 } as const;
export const ExpansionStatus = {
  /** MESSAGE_KV_NOT_SUPPORT */
  NotExpandable: 34008,
  /** EXPANSION_LIMIT_EXCEET */
  Limit: 34010,
  InvalidParameter: 33003,
} as const;
const KEY_PATTERN = /^[A-Za-z0-9_=+-]+$/;

interface ExpansionCommand {
  readonly mid: string;
  readonly put?: Record<string, string>;
  readonly del?: string[];
  readonly removeAll: boolean;
  readonly raw: Record<string, unknown>;
}

function reject(status: number, reason: string): FilterVerdict {
  return { action: 'reject', status, reason };
}

/** The command, or the status to refuse it with. */
export function parseExpansionCommand(content: Uint8Array): ExpansionCommand | number {
  let raw: unknown;
  try {
    raw = JSON.parse(decodeUtf8(content));
  } catch {
    return ExpansionStatus.InvalidParameter;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return ExpansionStatus.InvalidParameter;
  const c = raw as Record<string, unknown>;
  if (typeof c['mid'] !== 'string' || c['mid'] === '') return ExpansionStatus.InvalidParameter;
  let put: Record<string, string> | undefined;
  if (c['put'] !== undefined && c['put'] !== null) {
    if (typeof c['put'] !== 'object' || Array.isArray(c['put'])) return ExpansionStatus.InvalidParameter;
    const entries = Object.entries(c['put'] as Record<string, unknown>);
    if (entries.length > ExpansionLimit.keysPerUpdate) return ExpansionStatus.Limit;
    put = Object.create(null) as Record<string, string>;
    for (const [key, value] of entries) {
      if (key.length > ExpansionLimit.keyLength) return ExpansionStatus.Limit;
      if (!KEY_PATTERN.test(key) || typeof value !== 'string') return ExpansionStatus.InvalidParameter;
      if (value.length > ExpansionLimit.valueLength) return ExpansionStatus.Limit;
      put[key] = value;
    }
  }
  let del: string[] | undefined;
  if (c['del'] !== undefined && c['del'] !== null) {
    if (!Array.isArray(c['del']) || c['del'].length > ExpansionLimit.keysTotal || !c['del'].every((k) => typeof k === 'string')) {
      return ExpansionStatus.InvalidParameter;
    }
    del = c['del'] as string[];
  }
  const removeAll = c['removeAll'] === 1 || c['removeAll'] === true;
  if (put === undefined && del === undefined && !removeAll) return ExpansionStatus.InvalidParameter;
  return { mid: c['mid'], removeAll, raw: c, ...(put !== undefined ? { put } : {}), ...(del !== undefined ? { del } : {}) };
}

export function expansionFilter(ctx: ServerContext): MessageFilter {
  // Not `async` for the messages it has nothing to do with (every one but an expansion command): a promise
  // here made every send's screening asynchronous (issue #12 P1).
  const check = (message: CandidateMessage): FilterVerdict | Promise<FilterVerdict> =>
    message.objectName !== 'RC:MsgExMsg' || message.status ? PASS : checkCommand(message);
  const checkCommand = async (message: CandidateMessage): Promise<FilterVerdict> => {
    const command = parseExpansionCommand(message.content);
    if (typeof command === 'number') return reject(command, 'bad expansion command');
    const { appKey, fromUserId } = message;
    if (message.conversationType !== 1 && message.conversationType !== 3) return reject(ExpansionStatus.NotExpandable, 'expansion: private and group only');
    const original = await ctx.store.messages.get(appKey, command.mid);
    if (!original || original.recalled || (original.flags & FlagBit.Expansion) === 0) return reject(ExpansionStatus.NotExpandable, 'message not expandable');
    const seen = ownerConversation(original, fromUserId);
    if (original.conversationType !== message.conversationType || seen.targetId !== message.targetId) {
      return reject(ExpansionStatus.NotExpandable, 'message not in this conversation');
    }
    if (original.conversationType === 1 && fromUserId !== original.fromUserId && fromUserId !== original.targetId) {
      return reject(ExpansionStatus.NotExpandable, 'not a participant');
    }
    // A member who may not send here is refused by the group kind after the chain: merge nothing for it.
    if (original.conversationType === 3 && (await ctx.store.groups.sendPermission(appKey, original.targetId, fromUserId, ctx.clock.now())) !== 'allowed') return PASS;
    const change = { ...(command.put ? { put: command.put } : {}), ...(command.del ? { del: command.del } : {}), removeAll: command.removeAll };
    const merged = await ctx.store.expansions.merge(appKey, command.mid, change, ExpansionLimit.keysTotal);
    if (!merged.ok) return reject(ExpansionStatus.NotExpandable, 'message not found');
    const putKeys = Object.keys(command.put ?? {});
    if (merged.accepted.length === putKeys.length) return PASS;
    if (merged.accepted.length === 0 && command.del === undefined && !command.removeAll) return reject(ExpansionStatus.Limit, 'expansion full');
    const put = Object.create(null) as Record<string, string>;
    for (const key of merged.accepted) put[key] = (command.put as Record<string, string>)[key] as string;
    const forwarded: Record<string, unknown> = { ...command.raw };
    if (merged.accepted.length > 0) forwarded['put'] = put;
    else delete forwarded['put'];
    return { action: 'replace', content: encodeUtf8(JSON.stringify(forwarded)), reason: 'expansion keys over the limit dropped' };
  };
  return { name: 'message-expansion', order: EXPANSION_ORDER, check };
}
