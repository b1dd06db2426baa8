/**
 * Conversation tags (API_CHECKLIST §3.5; seed 会话标签) over E4's wire (PROTOCOL.md §6.3, §7.5):
 * - definitions: `addSeTag` (create and rename), `delSeTag`; other devices learn them through `s_us` →
 *   `pullUS` (user setting `Tag` = the whole list);
 * - conversation tags: `addTag` / `delTag` with SessionStateModifyReq items of type 3 (also the in-tag top);
 *   other devices learn them through `s_cmd` type 3 → `pullSeAtts` (conversations.ts applies them).
 * A change made here is applied to the local store when the server acknowledges it and the local settings
 * version is NOT moved: a later pull then brings exactly the other devices' changes, which is what makes the
 * tag listeners fire on the other devices only.
 * Local checks first (TAG_NOT_EXIST 33101, NO_TAG_IN_CONVER 33102, > 1000 conversations 34013); the server
 * enforces the limits too (20 tags → 26004, 1000 conversations per tag → 34013).
 */
import { decodeByName, encodeByName } from '../../protocol/messages';
import type { rc } from '../../protocol/messages';
import { ErrorCode, SdkError } from '../../errors';
import type { ServiceEngine } from './engine-port';
import type { TagInfo } from './tag-store';
import type { UserSession } from './user-session';

export const MAX_TAG_ID_LENGTH = 10;
export const MAX_TAG_NAME_LENGTH = 15;
export const MAX_CONVERSATIONS_PER_CALL = 1000;
/** SessionStateType Tags. */
const TAGS_STATE = 3;

export interface ConversationRef {
  readonly type: number;
  readonly targetId: string;
}

export class TagService {
  /** The settings pull in flight, awaited by reads right after a connect. */
  private settingsPull: Promise<unknown> | undefined;

  constructor(
    private readonly engine: ServiceEngine,
    private readonly now: () => number,
  ) {}

  /** Resolves once a settings pull in flight (if any) settled. */
  async settled(): Promise<void> {
    if (this.settingsPull) await this.settingsPull.catch(() => undefined);
  }

  /**
   * `pullUS` from the stored version: applies the `Tag` list when the server sends one. True when the list
   * differed from the local one (never on the first pull this device completes).
   */
  pullSettings(session: UserSession): Promise<boolean> {
    const pull = this.pullSettingsOnce(session);
    this.settingsPull = pull;
    const done = (): void => {
      if (this.settingsPull === pull) this.settingsPull = undefined;
    };
    void pull.then(done, done);
    return pull;
  }

  private async pullSettingsOnce(session: UserSession): Promise<boolean> {
    const store = session.tags;
    const ack = await this.engine.query('pullUS', session.userId, encodeByName('PullUserSettingInput', { version: store.version }));
    if (ack.status !== 0) throw new SdkError(ack.status);
    const out = decodeByName('PullUserSettingOutput', ack.payload);
    const item = out.items.find((i) => i.key === 'Tag');
    const initial = store.markPulled('settings');
    if (!item) return false;
    const tags: TagInfo[] = (item.tags ?? []).map((t) => ({ tagId: t.tagId, tagName: t.name ?? '', createdTime: Number(t.createdTime ?? 0) }));
    return store.replaceAll(tags, Number(out.version)) && !initial;
  }

  /** createTag / updateTag (one topic: the server creates or renames). */
  async save(session: UserSession, tagId: string, tagName: string): Promise<void> {
    const input: rc.ISessionTagAddInput = { version: session.tags.version, tags: [{ tagId, name: tagName }] };
    const ack = await this.engine.query('addSeTag', session.userId, encodeByName('SessionTagAddInput', input));
    if (ack.status !== 0) throw new SdkError(ack.status);
    const version = ack.payload.length > 0 ? Number(decodeByName('SetUserSettingOutput', ack.payload).version) : this.now();
    session.tags.upsert(tagId, tagName, version || this.now());
  }

  async remove(session: UserSession, tagId: string): Promise<void> {
    const input: rc.ISessionTagDelInput = { version: session.tags.version, tags: [{ tagId }] };
    const ack = await this.engine.query('delSeTag', session.userId, encodeByName('SessionTagDelInput', input));
    if (ack.status !== 0) throw new SdkError(ack.status);
    session.tags.remove([tagId]);
  }

  async addToConversations(session: UserSession, tagId: string, conversations: readonly ConversationRef[]): Promise<void> {
    if (!session.tags.get(tagId)) throw new SdkError(ErrorCode.TAG_NOT_EXIST);
    if (conversations.length > MAX_CONVERSATIONS_PER_CALL) throw new SdkError(ErrorCode.CONVER_OUT_LIMIT_ERROR);
    await this.modify(session, 'addTag', [{ tagId }], conversations);
    session.tags.link(tagId, conversations);
  }

  async removeFromConversations(session: UserSession, tagIds: readonly string[], conversations: readonly ConversationRef[]): Promise<void> {
    if (conversations.length > MAX_CONVERSATIONS_PER_CALL) throw new SdkError(ErrorCode.CONVER_OUT_LIMIT_ERROR);
    await this.modify(session, 'delTag', tagIds.map((tagId) => ({ tagId })), conversations);
    session.tags.unlink(tagIds, conversations);
  }

  async setTopInTag(session: UserSession, tagId: string, conversation: ConversationRef, isTop: boolean): Promise<void> {
    if (!session.tags.linksOf(conversation.type, conversation.targetId).some((l) => l.tagId === tagId)) throw new SdkError(ErrorCode.NO_TAG_IN_CONVER);
    await this.modify(session, 'addTag', [{ tagId, isTop }], [conversation]);
    session.tags.link(tagId, [conversation], isTop);
  }

  /** addTag / delTag in E4's layout: one state per conversation, one type-3 item naming the tags. */
  private async modify(session: UserSession, topic: 'addTag' | 'delTag', tags: rc.ISessionTagItem[], conversations: readonly ConversationRef[]): Promise<void> {
    const time = this.now();
    const state: rc.ISessionState[] = conversations.map((c) => ({
      type: c.type,
      channelId: c.targetId,
      time,
      stateItem: [{ sessionStateType: TAGS_STATE, value: JSON.stringify(tags), tags }],
    }));
    const ack = await this.engine.query(topic, session.userId, encodeByName('SessionStateModifyReq', { version: time, state }));
    if (ack.status !== 0) throw new SdkError(ack.status);
  }
}
