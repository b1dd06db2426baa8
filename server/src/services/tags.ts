/**
 * Conversation tags (issue #7; seed 会话标签; PROTOCOL.md §6.3, §7.5), E4's wire:
 * - `addSeTag` / `delSeTag` (SessionTagAddInput / SessionTagDelInput → SetUserSettingOutput): create or
 *   rename / delete tag definitions. E4 sends create and rename on the same topic, so `addSeTag` upserts.
 *   The owner's other sessions get `s_us` and pull the whole list with `pullUS` (user setting key `Tag`).
 * - `addTag` / `delTag` (SessionStateModifyReq whose items have type 3 and carry SessionTagItems): add or
 *   remove conversations to/from tags, and set a conversation's top inside a tag. Each change stamps the
 *   conversation's state, so other sessions get `s_cmd` type 3 and see it in `pullSeAtts`.
 * Limits (seed): 20 tags per user (26004 RC_TAG_LIMIT_EXCEED), tagId ≤ 10 and name ≤ 15 characters (33003),
 * 1000 conversations per tag and per call (34013), unknown tag 33101 (E4 TAG_NOT_EXIST), tags only on
 * private, group and system conversations (34012).
 */
import { rc, decodeMessage, encodeMessage, encodeUtf8, ProtocolError, type QueryFrame } from './wire';
import type { SessionPort } from '../gateway/topic-router';
import type { ServerContext } from '../context';
import type { ConversationKey } from '../store/store';
import type { ConversationTagLink, LinkChange, TagLimits } from '../store/tag-repository';
import type { MessagingService } from './messaging';
import { isValidId, WireStatus } from './wire-status';

export const TAG_LIMITS: TagLimits = { maxTags: 20, maxConversationsPerTag: 1000 };
export const MAX_TAG_ID_LENGTH = 10;
export const MAX_TAG_NAME_LENGTH = 15;

export const TagStatus = {
  /** RC_TAG_LIMIT_EXCEED: more than 20 tags. */
  TagLimit: 26004,
  /** E4 TAG_NOT_EXIST. */
  TagNotExist: 33101,
  /** RC_CONVERSATION_TAG_INVALID_CONVERSATION_TYPE. */
  BadConversationType: 34012,
  /** E4 CONVER_OUT_LIMIT_ERROR: more than 1000 conversations in a tag or a call. */
  ConversationLimit: 34013,
} as const;

/** Conversation types a tag may hold (RongCloud: private, group, system). */
const TAGGABLE_TYPES: ReadonlySet<number> = new Set([1, 3, 6]);
/** SessionStateType Tags (PROTOCOL.md §7.5). */
const TAGS_STATE = 3;
/** s_cmd NotifyMsg type "conversation status changed, pullSeAtts" (§5.4). */
const CONVERSATION_STATUS_CHANGED = 3;

type Decoder<T> = { decode(bytes: Uint8Array): T };

function read<T>(port: SessionPort, frame: QueryFrame, type: Decoder<T>, name: string): T | undefined {
  try {
    return decodeMessage(type, frame.payload, name);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    port.queryAck(frame.messageId, WireStatus.InvalidParameter, undefined, frame.topic);
    return undefined;
  }
}

function chars(text: string): number {
  return [...text].length;
}

function validTagId(tagId: string | null | undefined): tagId is string {
  return typeof tagId === 'string' && tagId.length > 0 && chars(tagId) <= MAX_TAG_ID_LENGTH;
}

/** The type-3 SessionStateItem of a conversation's state: JSON value plus the tag list (E4 reads `tags`). */
export function tagsStateItem(links: readonly ConversationTagLink[]): rc.ISessionStateItem {
  const tags = links.map((l) => ({ tagId: l.tagId, isTop: l.isTop }));
  return { sessionStateType: TAGS_STATE, value: JSON.stringify(tags), tags };
}

/** Tag ids (and in-tag top) named by one state item: its `tags`, else its JSON `value` (comet clients may send only that). */
function tagsOfItem(item: rc.ISessionStateItem): Array<{ tagId: string; isTop?: boolean }> | undefined {
  let source: unknown = item.tags && item.tags.length > 0 ? item.tags : undefined;
  if (source === undefined && item.value) {
    try {
      source = JSON.parse(item.value);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(source)) return [];
  const out: Array<{ tagId: string; isTop?: boolean }> = [];
  for (const raw of source as Array<Record<string, unknown>>) {
    if (typeof raw !== 'object' || raw === null || !validTagId(raw['tagId'] as string)) return undefined;
    const isTop = raw['isTop'];
    // proto2 optional bool decodes to false when absent: only an own property is a real value.
    const given = Object.prototype.hasOwnProperty.call(raw, 'isTop') && typeof isTop === 'boolean';
    out.push(given ? { tagId: raw['tagId'] as string, isTop } : { tagId: raw['tagId'] as string });
  }
  return out;
}

interface TagStateChange {
  readonly conversation: ConversationKey;
  readonly tags: ReadonlyArray<{ tagId: string; isTop?: boolean }>;
}

/** The (conversation, tags) pairs of an addTag/delTag request, or a status to refuse it with. */
function readTagStates(req: rc.SessionStateModifyReq): TagStateChange[] | number {
  const out: TagStateChange[] = [];
  for (const state of req.state ?? []) {
    if (!isValidId(state.channelId)) return WireStatus.InvalidParameter;
    const type = Number(state.type);
    if (!TAGGABLE_TYPES.has(type)) return TagStatus.BadConversationType;
    for (const item of state.stateItem ?? []) {
      if (item.sessionStateType !== TAGS_STATE) continue;
      const tags = tagsOfItem(item);
      if (tags === undefined) return WireStatus.InvalidParameter;
      out.push({ conversation: { type, targetId: state.channelId }, tags });
    }
  }
  return out.length > 0 ? out : WireStatus.InvalidParameter;
}

export interface TagHandlers {
  readonly addSeTag: (port: SessionPort, frame: QueryFrame) => Promise<void>;
  readonly delSeTag: (port: SessionPort, frame: QueryFrame) => Promise<void>;
  readonly addTag: (port: SessionPort, frame: QueryFrame) => Promise<void>;
  readonly delTag: (port: SessionPort, frame: QueryFrame) => Promise<void>;
  readonly pullUS: (port: SessionPort, frame: QueryFrame) => Promise<void>;
}

export function createTagHandlers(ctx: ServerContext, messaging: MessagingService): TagHandlers {
  const settingsChanged = (port: SessionPort, version: number): void => {
    messaging.pushToUser(port.info.appKey, port.info.userId, 's_us', encodeMessage(rc.UserSettingNotification, { version, reserve: false }), port.info.sessionId);
  };
  const statesChanged = (port: SessionPort, version: number, includeSelf = false): void => {
    if (version <= 0) return;
    const payload = encodeMessage(rc.NotifyMsg, { type: CONVERSATION_STATUS_CHANGED, time: version });
    messaging.pushToUser(port.info.appKey, port.info.userId, 's_cmd', payload, includeSelf ? undefined : port.info.sessionId);
  };
  const ack = (port: SessionPort, frame: QueryFrame, status: number, payload?: Uint8Array): void => port.queryAck(frame.messageId, status, payload, frame.topic);
  const settingOutput = (version: number): Uint8Array => encodeMessage(rc.SetUserSettingOutput, { version, reserve: false });
  // E4 ignores the addTag/delTag payload; engine 5.38 decodes it and requires `version` (PROTOCOL-E5.md §3.3-2).
  const stateModified = (version: number): Uint8Array => encodeMessage(rc.SessionStateModifyResp, { version });

  return {
    async addSeTag(port, frame) {
      const req = read(port, frame, rc.SessionTagAddInput, 'SessionTagAddInput');
      if (!req) return;
      const tags = (req.tags ?? []).map((t) => ({ tagId: t.tagId, name: t.name ?? '' }));
      if (tags.length === 0 || tags.some((t) => !validTagId(t.tagId) || t.name === '' || chars(t.name) > MAX_TAG_NAME_LENGTH)) {
        return ack(port, frame, WireStatus.InvalidParameter);
      }
      const result = await ctx.store.tags.save(port.info.appKey, port.info.userId, tags, TAG_LIMITS, ctx.clock.now());
      if (!result.ok) return ack(port, frame, TagStatus.TagLimit);
      ack(port, frame, WireStatus.Ok, settingOutput(result.version));
      settingsChanged(port, result.version);
    },

    async delSeTag(port, frame) {
      const req = read(port, frame, rc.SessionTagDelInput, 'SessionTagDelInput');
      if (!req) return;
      const tagIds = (req.tags ?? []).map((t) => t.tagId);
      if (tagIds.length === 0 || !tagIds.every(validTagId)) return ack(port, frame, WireStatus.InvalidParameter);
      const result = await ctx.store.tags.remove(port.info.appKey, port.info.userId, tagIds, ctx.clock.now());
      if (result.removed === 0) return ack(port, frame, TagStatus.TagNotExist);
      ack(port, frame, WireStatus.Ok, settingOutput(result.version));
      settingsChanged(port, result.version);
      // E4 keeps a deleted tag's links until it pulls states again, the originating session included.
      statesChanged(port, result.stateVersion, true);
    },

    async addTag(port, frame) {
      const req = read(port, frame, rc.SessionStateModifyReq, 'SessionStateModifyReq');
      if (!req) return;
      const states = readTagStates(req);
      if (typeof states === 'number') return ack(port, frame, states);
      // One LinkChange per (tag, isTop): E4 sends one tag for many conversations or one per conversation.
      const grouped = new Map<string, { tagId: string; isTop?: boolean; conversations: ConversationKey[] }>();
      for (const { conversation, tags } of states) {
        for (const tag of tags) {
          const key = `${tag.tagId}\u0000${tag.isTop === undefined ? '' : String(tag.isTop)}`;
          let group = grouped.get(key);
          if (!group) {
            group = { tagId: tag.tagId, conversations: [], ...(tag.isTop !== undefined ? { isTop: tag.isTop } : {}) };
            grouped.set(key, group);
          }
          group.conversations.push(conversation);
        }
      }
      if (grouped.size === 0) return ack(port, frame, WireStatus.InvalidParameter);
      const changes: LinkChange[] = [...grouped.values()];
      if (changes.some((c) => c.conversations.length > TAG_LIMITS.maxConversationsPerTag)) return ack(port, frame, TagStatus.ConversationLimit);
      const result = await ctx.store.tags.link(port.info.appKey, port.info.userId, changes, TAG_LIMITS, ctx.clock.now());
      if (!result.ok) return ack(port, frame, result.reason === 'no-tag' ? TagStatus.TagNotExist : TagStatus.ConversationLimit);
      ack(port, frame, WireStatus.Ok, stateModified(result.stateVersion));
      statesChanged(port, result.stateVersion);
    },

    async delTag(port, frame) {
      const req = read(port, frame, rc.SessionStateModifyReq, 'SessionStateModifyReq');
      if (!req) return;
      const states = readTagStates(req);
      if (typeof states === 'number') return ack(port, frame, states);
      if (states.length > TAG_LIMITS.maxConversationsPerTag) return ack(port, frame, TagStatus.ConversationLimit);
      // One write per distinct tag set: E4 names the same tags for every conversation of a call.
      const bySet = new Map<string, { tagIds: string[]; conversations: ConversationKey[] }>();
      for (const { conversation, tags } of states) {
        const tagIds = [...new Set(tags.map((t) => t.tagId))].sort();
        const key = tagIds.join('\u0000');
        const group = bySet.get(key) ?? { tagIds, conversations: [] };
        group.conversations.push(conversation);
        bySet.set(key, group);
      }
      let version = 0;
      for (const { tagIds, conversations } of bySet.values()) {
        const result = await ctx.store.tags.unlink(port.info.appKey, port.info.userId, tagIds, conversations, ctx.clock.now());
        version = Math.max(version, result.stateVersion);
      }
      ack(port, frame, WireStatus.Ok, stateModified(version));
      statesChanged(port, version);
    },

    /**
     * `pullUS`: the `Tag` setting (the whole tag list) when the owner's settings version differs from the
     * client's, else no item; `version` is the owner's settings version (E4 stores it as its cursor).
     */
    async pullUS(port, frame) {
      const req = read(port, frame, rc.PullUserSettingInput, 'PullUserSettingInput');
      if (!req) return;
      const { appKey, userId } = port.info;
      const version = await ctx.store.tags.settingsVersion(appKey, userId);
      const items: rc.IUserSettingItem[] = [];
      if (version !== Number(req.version)) {
        const tags = await ctx.store.tags.list(appKey, userId);
        items.push({
          targetId: userId,
          type: 1,
          key: 'Tag',
          value: encodeUtf8(JSON.stringify(tags.map((t) => ({ tagId: t.tagId, tagName: t.name, createdTime: t.createdTime })))),
          version,
          status: 0,
          tags: tags.map((t) => ({ tagId: t.tagId, name: t.name, createdTime: t.createdTime })),
        });
      }
      ack(port, frame, WireStatus.Ok, encodeMessage(rc.PullUserSettingOutput, { items, version }));
    },
  };
}
