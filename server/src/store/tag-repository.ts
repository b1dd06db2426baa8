/**
 * Conversation tags per owner (issue #7; seed 会话标签, PROTOCOL.md §6.3/§7.5): the owner's tag definitions
 * (synced to devices as the user setting `Tag` through `pullUS`, versioned by the owner's settings version) and
 * which of the owner's conversations carry which tag, with a per-tag "top" flag (synced as the type-3 item of
 * the conversation's state through `pullSeAtts`).
 *
 * Invariants (checked by `tags.contract.ts`):
 * - the settings version is strictly increasing per owner and moves on every change of the definitions;
 * - every change of a conversation's tags also stamps that conversation's state (`ConversationStateRepository`,
 *   same owner clock: updatedTime = max(now, owner's last + 1)) in the same transaction, so `pullSeAtts` after
 *   the returned `stateVersion` brings the change; top/DND of the state are kept;
 * - removing a tag removes its links; a link never names a tag that does not exist;
 * - limits are checked atomically with the write (a refused call changes nothing).
 */
import type { AppKey, ConversationKey, UserId } from './store';

export interface TagDefinition {
  readonly tagId: string;
  readonly name: string;
}

export interface TagRecord extends TagDefinition {
  /** ms: the settings version of the change that created the tag (≥ its `now`); kept by renames. */
  readonly createdTime: number;
  /** How many conversations carry the tag. */
  readonly conversationCount: number;
}

/** One tag of one conversation. */
export interface ConversationTagLink {
  readonly tagId: string;
  /** Pinned inside this tag (not the conversation's global top). */
  readonly isTop: boolean;
}

export interface TagLimits {
  /** Tags per owner (seed: 20). */
  readonly maxTags: number;
  /** Conversations per tag (seed: 1000). */
  readonly maxConversationsPerTag: number;
}

export type SaveTagsResult = { readonly ok: true; readonly version: number } | { readonly ok: false; readonly reason: 'limit' };

export interface RemoveTagsResult {
  /** The new settings version (unchanged when no tag existed). */
  readonly version: number;
  readonly removed: number;
  /** The newest conversation-state time stamped for conversations that lost a tag (0 = none). */
  readonly stateVersion: number;
}

export type LinkResult =
  | { readonly ok: true; readonly stateVersion: number }
  | { readonly ok: false; readonly reason: 'no-tag' | 'limit' };

export interface LinkChange {
  readonly tagId: string;
  readonly conversations: readonly ConversationKey[];
  /** Set the in-tag top flag; absent keeps it (false for a new link). */
  readonly isTop?: boolean;
}

export interface TagRepository {
  /** Creates tags or renames existing ones (createdTime kept). More than `limits.maxTags` tags in total → 'limit'. */
  save(appKey: AppKey, owner: UserId, tags: readonly TagDefinition[], limits: TagLimits, now: number): Promise<SaveTagsResult>;
  /** Deletes tags and their links; unknown ids are ignored (`removed` counts the existing ones). */
  remove(appKey: AppKey, owner: UserId, tagIds: readonly string[], now: number): Promise<RemoveTagsResult>;
  /** The owner's tags, oldest first (createdTime, then tagId). */
  list(appKey: AppKey, owner: UserId): Promise<readonly TagRecord[]>;
  /** The owner's settings version (0 before any change). */
  settingsVersion(appKey: AppKey, owner: UserId): Promise<number>;
  /**
   * Adds conversations to tags (or re-adds them, changing `isTop` when given). An unknown tag → 'no-tag'; a tag
   * that would carry more than `limits.maxConversationsPerTag` conversations → 'limit'. Nothing is written then.
   */
  link(appKey: AppKey, owner: UserId, changes: readonly LinkChange[], limits: TagLimits, now: number): Promise<LinkResult>;
  /** Removes the given tags from the given conversations (every pair); missing links are ignored. */
  unlink(appKey: AppKey, owner: UserId, tagIds: readonly string[], conversations: readonly ConversationKey[], now: number): Promise<{ readonly stateVersion: number }>;
  /** The tags of each given conversation (key `conversationTagKey`), only conversations that have some. */
  tagsOf(appKey: AppKey, owner: UserId, conversations: readonly ConversationKey[]): Promise<ReadonlyMap<string, readonly ConversationTagLink[]>>;
}

export function conversationTagKey(conversation: ConversationKey): string {
  return `${conversation.type}:${conversation.targetId}`;
}
