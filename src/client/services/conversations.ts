/**
 * Conversation list, single conversation, removal and top/DND status (API_CHECKLIST §3.2, §7.4).
 * Web has no local conversation database: the list comes from the server (`qryRelationR`, count
 * default 300, all types, filtered here AFTER the fetch so the result never exceeds `count`), merged
 * with local knowledge — the newer of the server's and the locally seen latest message, local unread
 * counts and @ state, and the synced top/DND status (a list waits for a status pull in flight, so a fresh
 * device lists the stored top/DND). `pullSeAtts` also carries each conversation's tags (type-3 items).
 * `getConversation` answers from what the lists cached, which each list answer corrects for the range it
 * covers (a conversation removed on another device leaves it), else asks the server.
 */
import { decodeByName, encodeByName } from '../../protocol/messages';
import { SdkError } from '../../errors';
import type { ServiceEngine } from './engine-port';
import type { ConversationStatus } from './conversation-status-store';
import { sessionStateChange } from './conversation-status-store';
import type { ImMessage, WireContext } from './im-message';
import { conversationKey, fromDownStream } from './im-message';
import type { UserSession } from './user-session';

export const DEFAULT_LIST_COUNT = 300;
/** How many conversations `getConversation` fetches per page when the conversation is not cached (the server's page cap). */
export const LOOKUP_LIST_COUNT = 1000;
/** At most this many pages for one lookup (the newest 20,000 conversations). */
const MAX_LOOKUP_PAGES = 20;
const MAX_STATUS_PAGES = 20;
/** SessionStateType Tags (PROTOCOL.md §7.5). */
const TAGS_STATE = 3;
const CHATROOM = 4;

export interface StatusPullResult {
  /** Conversations whose top/DND changed. */
  readonly changed: ConversationStatus[];
  /** Some conversation's tags changed (never on the first pull this device completes). */
  readonly tagsChanged: boolean;
}

export interface Conversation {
  readonly conversationType: number;
  readonly targetId: string;
  readonly latestMessage: ImMessage | null;
  readonly unreadMessageCount: number;
  readonly hasMentioned: boolean;
  readonly isTop: boolean;
  readonly notificationStatus: 1 | 2;
}

/** A conversation as the server listed it. */
interface CachedConversation {
  readonly conversationType: number;
  readonly targetId: string;
  readonly latest: ImMessage | null;
}

export class ConversationService {
  /** Conversations the server listed, minus those a later list showed gone (see `fetch`). */
  private readonly known = new Map<string, CachedConversation>();
  /** The status pull in flight, awaited by list/get so they show pulled top/DND. */
  private statusPull: Promise<unknown> | undefined;

  constructor(
    private readonly engine: ServiceEngine,
    private readonly now: () => number,
  ) {}

  /**
   * One `qryRelationR` page. The answer is the truth for the range it covers: a cached conversation in that
   * range that the server no longer lists was removed (another device of this user removed it; nothing tells
   * this device, R292 neither) or emptied, so it leaves the cache and the latest-message cache, and
   * `getConversation` asks the server again instead of answering with the stale entry. A new message in it
   * brings it back (the server lists it again and the receive pipeline remembers it).
   */
  private async fetch(session: UserSession, context: WireContext, count: number, startTime = 0): Promise<CachedConversation[]> {
    const payload = encodeByName('RelationQryInput', { type: 1, count, startTime, order: 0 });
    // What was cached when the query left: an entry that changed while it was in flight (a message came in,
    // another fetch listed it) is newer than the answer and stays.
    const sent = { known: new Map(this.known), latest: new Map(session.latest) };
    const ack = await this.engine.query('qryRelationR', session.userId, payload);
    if (ack.status !== 0) throw new SdkError(ack.status);
    const out = decodeByName('RelationsOutput', ack.payload);
    const list = out.info.map((info) => ({
      conversationType: Number(info.type),
      targetId: info.userId,
      latest: info.msg ? { ...fromDownStream(info.msg, context), targetId: info.userId } : null,
    }));
    this.forgetUnlisted(session, sent, list, count, startTime);
    for (const item of list) this.known.set(conversationKey(item.conversationType, item.targetId), item);
    return list;
  }

  /**
   * Drops what a page answer shows is gone. The page covers conversations updated before `startTime` (0 =
   * now), newest first: all of them when it came back short, else only those newer than its last (oldest)
   * entry's latest message — a conversation not newer than that may simply be past `count` (the 11th of a
   * 10-conversation list) and stays. A cached conversation whose time is unknown is only dropped by a short
   * page. Chatrooms are never listed, so the answer says nothing about them. Dropping one that still exists
   * (the server orders by its own update time) only costs `getConversation` a server lookup.
   */
  private forgetUnlisted(
    session: UserSession,
    sent: { known: ReadonlyMap<string, CachedConversation>; latest: ReadonlyMap<string, ImMessage> },
    list: readonly CachedConversation[],
    count: number,
    startTime: number,
  ): void {
    let newerThan = -1;
    // Short only below the server's page cap: a list of 5000 answered with 1000 is a full page.
    if (list.length >= Math.min(count, LOOKUP_LIST_COUNT)) {
      const oldest = list[list.length - 1]?.latest?.sentTime;
      if (oldest === undefined) return;
      newerThan = oldest;
    }
    const listed = new Set(list.map((item) => conversationKey(item.conversationType, item.targetId)));
    const candidates = new Set([...sent.known.keys(), ...sent.latest.keys()]);
    for (const key of candidates) {
      if (listed.has(key)) continue;
      const cached = sent.known.get(key);
      const local = sent.latest.get(key);
      if (this.known.get(key) !== cached || session.latest.get(key) !== local) continue;
      if ((cached?.conversationType ?? local?.conversationType) === CHATROOM) continue;
      const time = Math.max(cached?.latest?.sentTime ?? 0, local?.sentTime ?? 0);
      if (startTime > 0 && time >= startTime) continue;
      if (time <= newerThan) continue;
      this.known.delete(key);
      session.latest.delete(key);
    }
  }

  private view(session: UserSession, item: CachedConversation): Conversation {
    const { conversationType, targetId } = item;
    const key = conversationKey(conversationType, targetId);
    const local = session.latest.get(key);
    let latest = item.latest;
    if (local && (!latest || local.sentTime >= latest.sentTime)) latest = local;
    const status: ConversationStatus | undefined = session.statuses.get(conversationType, targetId);
    return {
      conversationType,
      targetId,
      latestMessage: latest,
      unreadMessageCount: session.unread.count(conversationType, targetId),
      hasMentioned: session.unread.hasMentioned(conversationType, targetId),
      isTop: status?.isTop ?? false,
      notificationStatus: status?.notificationStatus ?? 2,
    };
  }

  /** Resolves once a status pull in flight (if any) settled. */
  async statusesSettled(): Promise<void> {
    if (this.statusPull) await this.statusPull.catch(() => undefined);
  }

  /** `types` null/empty = all. The result never holds more than `count` entries. */
  async list(session: UserSession, context: WireContext, types: readonly number[] | null, count: number = DEFAULT_LIST_COUNT): Promise<Conversation[]> {
    await this.statusesSettled();
    const fetched = await this.fetch(session, context, count);
    const wanted = types && types.length > 0 ? new Set(types.map(Number)) : undefined;
    return fetched.filter((item) => !wanted || wanted.has(item.conversationType)).slice(0, count).map((item) => this.view(session, item));
  }

  /** Any time: from the cache, else from the server; null when the conversation does not exist. */
  async get(session: UserSession, context: WireContext, conversationType: number, targetId: string): Promise<Conversation | null> {
    const key = conversationKey(conversationType, targetId);
    let item = this.known.get(key);
    if (!item && session.latest.has(key)) item = { conversationType, targetId, latest: null };
    // Not cached: the list newest first, a page at a time from the last one's oldest latest message (its
    // millisecond again: a conversation tied with it may have missed the page), until found or a short page.
    for (let page = 0, startTime = 0; !item && page < MAX_LOOKUP_PAGES; page += 1) {
      const list = await this.fetch(session, context, LOOKUP_LIST_COUNT, startTime);
      item = this.known.get(key);
      const next = (list[list.length - 1]?.latest?.sentTime ?? 0) + 1;
      if (list.length < LOOKUP_LIST_COUNT || next <= 1 || (startTime > 0 && next >= startTime)) break;
      startTime = next;
    }
    await this.statusesSettled();
    return item ? this.view(session, item) : null;
  }

  /** One server page of every type: conversations updated before `startTime` (0 = now), newest first. */
  async page(session: UserSession, context: WireContext, count: number, startTime: number): Promise<Conversation[]> {
    await this.statusesSettled();
    const fetched = await this.fetch(session, context, count, startTime);
    return fetched.map((item) => this.view(session, item));
  }

  async remove(session: UserSession, conversationType: number, targetId: string): Promise<void> {
    const payload = encodeByName('RelationQryInput', { type: conversationType, count: 0, startTime: 0, order: 0 });
    const ack = await this.engine.query('delRelation', targetId, payload);
    if (ack.status !== 0) throw new SdkError(ack.status);
    const key = conversationKey(conversationType, targetId);
    this.known.delete(key);
    session.latest.delete(key);
  }

  /** Sets top and/or DND (`setSeAtt`); other devices learn it through `pullSeAtts`. */
  async setStatus(session: UserSession, conversationType: number, targetId: string, change: { isTop?: boolean; notificationStatus?: 1 | 2 }): Promise<ConversationStatus> {
    const now = this.now();
    const payload = encodeByName('SessionStateModifyReq', sessionStateChange(conversationType, targetId, change, now));
    const ack = await this.engine.query('setSeAtt', session.userId, payload);
    if (ack.status !== 0) throw new SdkError(ack.status);
    let version = now;
    if (ack.payload.length > 0) version = Number(decodeByName('SessionStateModifyResp', ack.payload).version) || now;
    return session.statuses.set(conversationType, targetId, change, version);
  }

  /**
   * `pullSeAtts` from the stored version, page after page while the version moves (the server pages
   * its answer): top/DND into the status store, tags into the tag store.
   */
  pullStatuses(session: UserSession): Promise<StatusPullResult> {
    const pull = this.pullStatusPages(session);
    this.statusPull = pull;
    void pull.then(
      () => {
        if (this.statusPull === pull) this.statusPull = undefined;
      },
      () => {
        if (this.statusPull === pull) this.statusPull = undefined;
      },
    );
    return pull;
  }

  private async pullStatusPages(session: UserSession): Promise<StatusPullResult> {
    const changed: ConversationStatus[] = [];
    let tagsChanged = false;
    for (let page = 0; page < MAX_STATUS_PAGES; page += 1) {
      const before = session.statuses.version;
      const ack = await this.engine.query('pullSeAtts', session.userId, encodeByName('SessionReq', { time: before }));
      if (ack.status !== 0) throw new SdkError(ack.status);
      if (ack.payload.length === 0) break;
      const states = decodeByName('SessionStates', ack.payload);
      changed.push(...session.statuses.applyPulled(states));
      for (const state of states.state) {
        const item = (state.stateItem ?? []).find((i) => i.sessionStateType === TAGS_STATE);
        // A state without a tags item says nothing about tags (a server that does not keep them).
        if (!item) continue;
        const links = (item.tags ?? []).map((t) => ({ tagId: t.tagId, isTop: t.isTop === true }));
        if (session.tags.setLinks(Number(state.type), state.channelId, links)) tagsChanged = true;
      }
      if (states.state.length === 0 || session.statuses.version <= before) break;
    }
    const initial = session.tags.markPulled('states');
    return { changed, tagsChanged: tagsChanged && !initial };
  }

  /** Forgets cached conversations (clearCache, user switch). */
  reset(): void {
    this.known.clear();
  }
}
