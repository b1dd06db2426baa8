/**
 * Conversation tags (API_CHECKLIST §3.5, §6.3; seed 会话标签 L1975-2471): the bodies of the IMClient tag
 * methods. Argument rules: tagId 1–10 and tagName 1–15 characters (33003; R292 throws, we report), a
 * conversation option is `{type, targetId}` (`conversationType` accepted too), ≤ 1000 conversations per call
 * (34013), an unknown tag 33101, a conversation without the tag 33102. Reads (`getTagList`,
 * `getTagsForConversation`, `getConversationListByTag`, `getUnreadCountByTag`) answer from the synced local
 * state, after a pull in flight right after connecting has settled. After `disconnect()` every tag method but
 * `getTagList` reports 30001 as 2.9.2 does, though the local state is kept (operation.ts).
 */
import type { ConversationRef } from '../client/services/tag-service';
import { MAX_CONVERSATIONS_PER_CALL, MAX_TAG_ID_LENGTH, MAX_TAG_NAME_LENGTH } from '../client/services/tag-service';
import { ErrorCode, SdkError } from '../errors';
import type { OpContext } from './operation';
import { operate } from './operation';
import type { Runtime } from './runtime';
import { toV2Conversation } from './to-v2';
import type { V2Conversation } from './to-v2';
import { callbackCheck, check } from './validate';
import * as Rules from './rules';

/** Server conversation pages read while looking for `count` conversations of a tag. */
const MAX_LIST_PAGES = 10;
const LIST_PAGE_SIZE = 1000;

export interface TagInfoResult {
  tagId: string;
  tagName: string;
  conversationCount: number;
  createdTime: number;
}

export interface ConversationTagResult {
  tagId: string;
  tagName?: string;
  createdTime?: number;
  isTop: boolean;
}

export type V2ConversationInTag = V2Conversation & { isTopInTag: boolean };

const chars = (v: unknown): number => (typeof v === 'string' ? [...v].length : 0);
const TAG_ID = (v: unknown): boolean => Rules.STRING(v) && chars(v) <= MAX_TAG_ID_LENGTH;
const TAG_NAME = (v: unknown): boolean => Rules.STRING(v) && chars(v) <= MAX_TAG_NAME_LENGTH;

/** `{type, targetId}` (seed) or `{conversationType, targetId}`; undefined when malformed. */
function conversationOf(value: unknown): ConversationRef | undefined {
  if (!Rules.OBJECT(value)) return undefined;
  const o = value as Record<string, unknown>;
  const type = o['type'] ?? o['conversationType'];
  if (!Rules.CONVERSATION_TYPE(type) || !Rules.STRING(o['targetId'])) return undefined;
  return { type: type as number, targetId: o['targetId'] as string };
}

const CONVERSATION = (v: unknown): boolean => conversationOf(v) !== undefined;
const CONVERSATIONS = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && v.every(CONVERSATION);
const TAG_IDS = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && v.every(TAG_ID);

function tagObject(tag: unknown): Record<string, unknown> {
  return Rules.OBJECT(tag) ? (tag as Record<string, unknown>) : {};
}

/** The local tag state is complete once the pulls started by the connect have settled. */
async function settled(op: OpContext): Promise<void> {
  await Promise.all([op.services.settings.tags.settled(), op.services.conversations.statusesSettled()]);
}

export function createTag(rt: Runtime, tag: unknown, callback: unknown): void {
  const t = tagObject(tag);
  const checks = [check('tag', tag, Rules.OBJECT), check('tag.tagId', t['tagId'], TAG_ID), check('tag.tagName', t['tagName'], TAG_NAME), callbackCheck(callback, true)];
  void operate(rt, 'createTag', callback, checks, (op) => op.services.settings.tags.save(op.session, t['tagId'] as string, t['tagName'] as string));
}

export function updateTag(rt: Runtime, tag: unknown, callback: unknown): void {
  const t = tagObject(tag);
  const checks = [check('tag', tag, Rules.OBJECT), check('tag.tagId', t['tagId'], TAG_ID), check('tag.tagName', t['tagName'], TAG_NAME), callbackCheck(callback, true)];
  void operate(rt, 'updateTag', callback, checks, async (op) => {
    await settled(op);
    if (!op.session.tags.get(t['tagId'] as string)) throw new SdkError(ErrorCode.TAG_NOT_EXIST);
    await op.services.settings.tags.save(op.session, t['tagId'] as string, t['tagName'] as string);
  });
}

export function removeTag(rt: Runtime, tagId: unknown, callback: unknown): void {
  void operate(rt, 'removeTag', callback, [check('tagId', tagId, TAG_ID), callbackCheck(callback, true)], (op) =>
    op.services.settings.tags.remove(op.session, tagId as string),
  );
}

export function getTagList(rt: Runtime, callback: unknown): void {
  void operate(rt, 'getTagList', callback, [callbackCheck(callback)], async (op): Promise<TagInfoResult[]> => {
    await settled(op);
    const store = op.session.tags;
    return store.list().map((t) => ({ tagId: t.tagId, tagName: t.tagName, conversationCount: store.conversationsOf(t.tagId).length, createdTime: t.createdTime }));
  });
}

export function addTagForConversations(rt: Runtime, tagId: unknown, conversations: unknown, callback: unknown): void {
  const checks = [check('tagId', tagId, TAG_ID), check('conversations', conversations, CONVERSATIONS), callbackCheck(callback, true)];
  void operate(rt, 'addTagForConversations', callback, checks, async (op) => {
    const list = (conversations as unknown[]).map((c) => conversationOf(c) as ConversationRef);
    if (list.length > MAX_CONVERSATIONS_PER_CALL) throw new SdkError(ErrorCode.CONVER_OUT_LIMIT_ERROR);
    await settled(op);
    await op.services.settings.tags.addToConversations(op.session, tagId as string, list);
  });
}

export function removeTagForConversations(rt: Runtime, tagId: unknown, conversations: unknown, callback: unknown): void {
  const checks = [check('tagId', tagId, TAG_ID), check('conversations', conversations, CONVERSATIONS), callbackCheck(callback, true)];
  void operate(rt, 'removeTagForConversations', callback, checks, (op) =>
    op.services.settings.tags.removeFromConversations(op.session, [tagId as string], (conversations as unknown[]).map((c) => conversationOf(c) as ConversationRef)),
  );
}

export function removeTagsForConversation(rt: Runtime, conversation: unknown, tagIds: unknown, callback: unknown): void {
  const checks = [check('conversation', conversation, CONVERSATION), check('tagIds', tagIds, TAG_IDS), callbackCheck(callback, true)];
  void operate(rt, 'removeTagsForConversation', callback, checks, (op) =>
    op.services.settings.tags.removeFromConversations(op.session, tagIds as string[], [conversationOf(conversation) as ConversationRef]),
  );
}

export function getTagsForConversation(rt: Runtime, conversation: unknown, callback: unknown): void {
  const checks = [check('conversation', conversation, CONVERSATION), callbackCheck(callback)];
  void operate(rt, 'getTagsForConversation', callback, checks, async (op): Promise<ConversationTagResult[]> => {
    await settled(op);
    const c = conversationOf(conversation) as ConversationRef;
    const store = op.session.tags;
    return store.linksOf(c.type, c.targetId).map((link) => {
      const tag = store.get(link.tagId);
      return { tagId: link.tagId, isTop: link.isTop, ...(tag ? { tagName: tag.tagName, createdTime: tag.createdTime } : {}) };
    });
  });
}

export function setConversationStatusInTag(rt: Runtime, tagId: unknown, conversation: unknown, status: unknown, callback: unknown): void {
  const s = tagObject(status);
  const checks = [
    check('tagId', tagId, TAG_ID),
    check('conversation', conversation, CONVERSATION),
    check('status', status, Rules.OBJECT),
    check('status.isTop', s['isTop'], Rules.BOOLEAN),
    callbackCheck(callback, true),
  ];
  void operate(rt, 'setConversationStatusInTag', callback, checks, async (op) => {
    await settled(op);
    await op.services.settings.tags.setTopInTag(op.session, tagId as string, conversationOf(conversation) as ConversationRef, s['isTop'] as boolean);
  });
}

/**
 * Conversations carrying the tag whose latest message is older than `startTime` (0 = now), newest first and
 * those pinned in the tag ahead of the others within the page (as the official client orders them), at most
 * `count`; each adds `isTopInTag`.
 */
export function getConversationListByTag(rt: Runtime, tagId: unknown, count: unknown, startTime: unknown, callback: unknown): void {
  const checks = [
    check('tagId', tagId, TAG_ID),
    check('count', count, (v) => Rules.INTEGER(v) && (v as number) > 0),
    check('startTime', startTime, (v) => Rules.NUMBER(v) && (v as number) >= 0),
    callbackCheck(callback),
  ];
  void operate(rt, 'getConversationListByTag', callback, checks, async (op): Promise<V2ConversationInTag[]> => {
    await settled(op);
    const members = new Map(op.session.tags.conversationsOf(tagId as string).map((c) => [`${c.conversationType}_${c.targetId}`, c.isTop]));
    const wanted = count as number;
    const found: V2ConversationInTag[] = [];
    let cursor = startTime as number;
    for (let page = 0; page < MAX_LIST_PAGES && members.size > 0 && found.length < wanted; page += 1) {
      const list = await op.services.conversations.page(op.session, op.context, LIST_PAGE_SIZE, cursor);
      for (const c of list) {
        const isTopInTag = members.get(`${c.conversationType}_${c.targetId}`);
        const sentTime = c.latestMessage?.sentTime ?? 0;
        if (isTopInTag === undefined || (cursor > 0 && sentTime >= cursor)) continue;
        found.push({ ...toV2Conversation(c, (m) => rt.toMessage(m)), isTopInTag });
        members.delete(`${c.conversationType}_${c.targetId}`);
      }
      const oldest = list[list.length - 1]?.latestMessage?.sentTime ?? 0;
      if (list.length < LIST_PAGE_SIZE || oldest <= 0) break;
      cursor = oldest;
    }
    const page = found.slice(0, wanted);
    const time = (c: V2ConversationInTag): number => c.latestMessage?.sentTime ?? 0;
    return [...page.filter((c) => c.isTopInTag).sort((a, b) => time(b) - time(a)), ...page.filter((c) => !c.isTopInTag).sort((a, b) => time(b) - time(a))];
  });
}

/** Sum of the tag's conversations' unread counts; DND conversations only with `containMuted`. Unknown tag → 0. */
export function getUnreadCountByTag(rt: Runtime, tagId: unknown, containMuted: unknown, callback: unknown): void {
  // R292 asserts a boolean; the seed's table says Number: both are accepted.
  const checks = [check('tagId', tagId, TAG_ID), check('containMuted', containMuted, (v) => Rules.BOOLEAN(v) || Rules.NUMBER(v)), callbackCheck(callback)];
  const includeMuted = containMuted === true || (typeof containMuted === 'number' && containMuted !== 0);
  void operate(rt, 'getUnreadCountByTag', callback, checks, async (op) => {
    await settled(op);
    let sum = 0;
    for (const c of op.session.tags.conversationsOf(tagId as string)) {
      if (!includeMuted && op.session.statuses.isMuted(c.conversationType, c.targetId)) continue;
      sum += op.session.unread.count(c.conversationType, c.targetId);
    }
    return sum;
  });
}
