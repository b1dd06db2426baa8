/**
 * Instance methods about conversations: list, lookup, removal, top/DND, local unread counts and
 * drafts (API_CHECKLIST §3.2–§3.4). Each function is the body of the IMClient method of that name.
 */
import { LOOKUP_LIST_COUNT } from '../client/services/conversations';
import { conversationKey } from '../client/services/im-message';
import type { ReadChange } from '../client/services/read-position-sync';
import { operate } from './operation';
import type { OpContext } from './operation';
import type { Runtime } from './runtime';
import { toV2Conversation } from './to-v2';
import type { V2Conversation } from './to-v2';
import type { Check } from './validate';
import { callbackCheck, check, describeValue, firstInvalid } from './validate';
import * as Rules from './rules';

const TYPES = (v: unknown): boolean => Array.isArray(v) && v.every((t) => Rules.CONVERSATION_TYPE(t));

function conversationChecks(conversationType: unknown, targetId: unknown, callback: unknown, callbackOptional = true): Check[] {
  return [
    check('conversationType', conversationType, Rules.CONVERSATION_TYPE),
    check('targetId', targetId, Rules.STRING),
    callbackCheck(callback, callbackOptional),
  ];
}

export function getConversationList(rt: Runtime, callback: unknown, conversationTypes: unknown, count: unknown): void {
  const checks = [
    callbackCheck(callback),
    check('conversationTypes', conversationTypes, TYPES, true),
    check('count', count, (v) => Rules.INTEGER(v) && (v as number) > 0, true),
  ];
  void operate(
    rt,
    'getConversationList',
    callback,
    checks,
    (op) => op.services.conversations.list(op.session, op.context, (conversationTypes as number[] | null | undefined) ?? null, typeof count === 'number' ? count : undefined),
    (list) => [list.map((c) => toV2Conversation(c, (m) => rt.toMessage(m)))],
  );
}

export function getConversation(rt: Runtime, conversationType: unknown, targetId: unknown, callback: unknown): void {
  void operate(
    rt,
    'getConversation',
    callback,
    conversationChecks(conversationType, targetId, callback, false),
    (op) => op.services.conversations.get(op.session, op.context, conversationType as number, targetId as string),
    (c): [V2Conversation | null] => [c ? toV2Conversation(c, (m) => rt.toMessage(m)) : null],
  );
}

export function removeConversation(rt: Runtime, conversationType: unknown, targetId: unknown, callback: unknown): void {
  void operate(rt, 'removeConversation', callback, conversationChecks(conversationType, targetId, callback), (op) =>
    op.services.conversations.remove(op.session, conversationType as number, targetId as string),
  );
}

/** Deprecated on Web (R292 never answers); here it does what the seed's compat snippet means to do. */
export function clearConversations(rt: Runtime, callback: unknown, conversationTypes: unknown): void {
  void operate(
    rt,
    'clearConversations',
    callback,
    [callbackCheck(callback, true), check('conversationTypes', conversationTypes, TYPES, true)],
    async (op) => {
      const types = (conversationTypes as number[] | null | undefined) ?? null;
      const list = await op.services.conversations.list(op.session, op.context, types, LOOKUP_LIST_COUNT);
      for (const c of list) await op.services.conversations.remove(op.session, c.conversationType, c.targetId);
      return true;
    },
  );
}

export function setConversationStatus(rt: Runtime, conversationType: unknown, targetId: unknown, status: unknown, callback: unknown): void {
  const s = (typeof status === 'object' && status !== null ? status : {}) as Record<string, unknown>;
  const checks = [
    ...conversationChecks(conversationType, targetId, callback),
    check('status', status, (v) => Rules.OBJECT(v) && (s['isTop'] !== undefined || s['notificationStatus'] !== undefined)),
    check('status.isTop', s['isTop'], Rules.BOOLEAN, true),
    check('status.notificationStatus', s['notificationStatus'], (v) => v === 1 || v === 2, true),
  ];
  void operate(
    rt,
    'setConversationStatus',
    callback,
    checks,
    async (op) => {
      const change: { isTop?: boolean; notificationStatus?: 1 | 2 } = {};
      if (typeof s['isTop'] === 'boolean') change.isTop = s['isTop'];
      if (s['notificationStatus'] === 1 || s['notificationStatus'] === 2) change.notificationStatus = s['notificationStatus'];
      await op.services.conversations.setStatus(op.session, conversationType as number, targetId as string, change);
    },
  );
}

export function getTotalUnreadCount(rt: Runtime, callback: unknown, conversationTypes: unknown, includeMuted: unknown): void {
  const checks = [
    callbackCheck(callback),
    check('conversationTypes', conversationTypes, TYPES, true),
    check('includeMuted', includeMuted, Rules.BOOLEAN, true),
  ];
  void operate(rt, 'getTotalUnreadCount', callback, checks, (op) =>
    op.session.unread.total((conversationTypes as number[] | null | undefined) ?? [], includeMuted === true, (type, id) => op.session.statuses.isMuted(type, id)),
  );
}

export function getUnreadCount(rt: Runtime, conversationType: unknown, targetId: unknown, callback: unknown): void {
  void operate(rt, 'getUnreadCount', callback, conversationChecks(conversationType, targetId, callback, false), (op) =>
    op.session.unread.count(conversationType as number, targetId as string),
  );
}

/** Deprecated since 2.6.0 (R292 never answers); sums the local counts of the given type(s). */
export function getConversationUnreadCount(rt: Runtime, conversationTypes: unknown, callback: unknown): void {
  const types = typeof conversationTypes === 'number' ? [conversationTypes] : conversationTypes;
  void operate(rt, 'getConversationUnreadCount', callback, [check('conversationTypes', types, TYPES), callbackCheck(callback)], (op) =>
    (types as number[]).length === 0 ? 0 : op.session.unread.total(types as number[], true, () => false),
  );
}

/**
 * Clears locally, then records the read position on the server (read-position-sync.ts) so every device of the
 * user, and a fresh install, count the same. A server that cannot be reached does not fail the call: the clear
 * is kept and sent with the next reconcile.
 */
export function clearUnreadCount(rt: Runtime, conversationType: unknown, targetId: unknown, callback: unknown): void {
  void operate(rt, 'clearUnreadCount', callback, conversationChecks(conversationType, targetId, callback), async (op) => {
    const upTo = op.session.unread.clear(conversationType as number, targetId as string);
    await syncReads(rt, op, { items: [{ type: conversationType as number, targetId: targetId as string, upTo }] });
    return true;
  });
}

export function clearAllUnreadCount(rt: Runtime, method: string, callback: unknown): void {
  void operate(rt, method, callback, [callbackCheck(callback, true)], async (op) => {
    await syncReads(rt, op, { clearAll: { upTo: op.session.unread.clearAll() } });
    return true;
  });
}

async function syncReads(rt: Runtime, op: OpContext, change: ReadChange): Promise<void> {
  try {
    await op.services.settings.reads.sync(op.session, change);
  } catch (error) {
    rt.logger.warn('read position not synced yet (kept for the next connect)', error);
  }
}

function draftKey(rt: Runtime, method: string, conversationType: unknown, targetId: unknown, extra: Check[] = []): string | undefined {
  const bad = firstInvalid([check('conversationType', conversationType, Rules.CONVERSATION_TYPE), check('targetId', targetId, Rules.STRING), ...extra]);
  if (bad) {
    rt.logger.warn(`${method}: '${bad.name}' is invalid: ${describeValue(bad.value)}`);
    return undefined;
  }
  return conversationKey(conversationType as number, targetId as string);
}

/** Synchronous; false without a signed-in user or with bad arguments. */
export function saveTextMessageDraft(rt: Runtime, conversationType: unknown, targetId: unknown, draftText: unknown): boolean {
  const key = draftKey(rt, 'saveTextMessageDraft', conversationType, targetId, [check('draftText', draftText, Rules.ONLY_STRING)]);
  const session = rt.session;
  if (key === undefined || !session) return false;
  session.drafts.set(key, draftText as string);
  return true;
}

export function getTextMessageDraft(rt: Runtime, conversationType: unknown, targetId: unknown): string | undefined {
  const key = draftKey(rt, 'getTextMessageDraft', conversationType, targetId);
  if (key === undefined) return undefined;
  return rt.session?.drafts.get(key);
}

export function clearTextMessageDraft(rt: Runtime, conversationType: unknown, targetId: unknown): boolean {
  const key = draftKey(rt, 'clearTextMessageDraft', conversationType, targetId);
  const session = rt.session;
  if (key === undefined || !session) return false;
  session.drafts.delete(key);
  return true;
}

