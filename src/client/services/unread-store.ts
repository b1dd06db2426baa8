/**
 * Local unread bookkeeping (API_CHECKLIST §3.3, §11; PROTOCOL.md §8.6). The server keeps no unread
 * counts: each client counts what it receives. Rules:
 *  - only PRIVATE, GROUP and SYSTEM conversations count;
 *  - only RECEIVED messages from someone else, of a counted, non-status type, newer than the last clear;
 *  - a recall of a message still counted as unread decrements (it is found by uid);
 *  - a received SyncReadStatusMessage clears up to its `lastMessageSendTime`;
 *  - a group message that @-mentions me (or ALL) sets `hasMentioned` until the count is cleared.
 * Each conversation keeps its unread messages as `[uid, sentTime]` pairs (bounded), so the count is
 * exact for recalls and partial clears. State is persisted per appKey+user through UserStore.
 * Our SDK also reconciles with the server-kept read positions (read-position-sync.ts): `clear(…, upTo)`
 * per conversation and `clearUpTo` (the floor: read up to T everywhere) only ever lower the counts.
 */
import type { ImMessage } from './im-message';
import { conversationKey, Direction } from './im-message';
import type { UserStore } from './user-store';
import { isRecord } from './user-store';

export const COUNTED_CONVERSATION_TYPES: ReadonlySet<number> = new Set([1, 3, 6]);
/** `getTotalUnreadCount` without types (engine default: PRIVATE, GROUP, SYSTEM, PUBLIC_SERVICE). */
export const DEFAULT_TOTAL_TYPES: readonly number[] = [1, 3, 6, 8];
/** Per-conversation bound: beyond it the oldest unread entries are forgotten (count saturates here). */
export const MAX_TRACKED_UNREAD = 5000;
/** Storage key of the floor inside the persisted record (conversation keys are `${type}_${id}`). */
const FLOOR_KEY = '*';

interface Entry {
  /** Unread messages, oldest first: [messageUId, sentTime]. */
  u: Array<[string, number]>;
  /** @-mentioned since the last clear. */
  hm: boolean;
  /** Messages at or before this time are read. */
  t: number;
}

function isEntry(value: unknown): value is Entry {
  return isRecord(value) && Array.isArray(value['u']) && typeof value['t'] === 'number';
}

function mentionsMe(message: ImMessage, me: string): boolean {
  if (message.conversationType !== 3 || !message.mentioned) return false;
  const info = message.content?.['mentionedInfo'];
  // E4 marks hasMentioned only when the content carries mentionedInfo too (PROTOCOL.md §9.3).
  if (!isRecord(info)) return false;
  if (Number(info['type']) === 1) return true;
  const list = info['userIdList'];
  return Array.isArray(list) && list.includes(me);
}

/** JSON text of one entry's `u` list (no brackets) and what it was computed from. */
interface ListText {
  readonly list: Array<[string, number]>;
  readonly length: number;
  readonly first: [string, number] | undefined;
  readonly text: string;
}

export class UnreadStore {
  private entries = new Map<string, Entry>();
  /**
   * Re-serialising a conversation with thousands of unread pairs on every write made receiving
   * O(unread). The text of each list is extended when the only changes since the last
   * serialisation are appended pairs (see `listText`).
   */
  private listTexts = new Map<string, ListText>();
  /**
   * The uids of each unread list, so the duplicate check per received message is O(1) rather than a
   * scan of up to MAX_TRACKED_UNREAD pairs. Keyed by the list itself: a list replaced by filter/clear
   * simply has no index yet; one changed in place (splice) no longer matches its size and is rebuilt.
   */
  private readonly uidIndex = new WeakMap<Array<[string, number]>, Set<string>>();

  private uidsOf(list: Array<[string, number]>): Set<string> {
    let uids = this.uidIndex.get(list);
    if (uids === undefined || uids.size !== list.length) {
      uids = new Set(list.map(([uid]) => uid));
      this.uidIndex.set(list, uids);
    }
    return uids;
  }
  /** Everything sent at or before it is read, in every conversation. */
  private floor = 0;

  constructor(private readonly store: UserStore) {}

  async load(): Promise<void> {
    const raw = await this.store.readJson<Record<string, unknown>>('unread', {}, isRecord);
    this.entries = new Map();
    this.listTexts = new Map();
    this.floor = 0;
    for (const [key, value] of Object.entries(raw)) {
      if (!isEntry(value)) continue;
      if (key === FLOOR_KEY) this.floor = value.t;
      else this.entries.set(key, { u: value.u.filter(isPair), hm: value.hm === true, t: value.t });
    }
  }

  /**
   * `JSON.stringify(list).slice(1, -1)`, reused or extended from the last serialisation. Lists change
   * by push, by replacement (filter/clear: a new array) or by splice, and every splice drops the
   * cached text (onRecalled, the MAX_TRACKED_UNREAD trim); so "same array, same first pair, more
   * elements" can only be pushes, and anything else is serialised afresh.
   */
  private listText(key: string, list: Array<[string, number]>): string {
    const cached = this.listTexts.get(key);
    let text: string;
    if (cached !== undefined && cached.list === list && cached.first === list[0] && list.length === cached.length) {
      text = cached.text;
    } else if (cached !== undefined && cached.list === list && cached.length > 0 && cached.first === list[0] && list.length > cached.length) {
      text = `${cached.text},${JSON.stringify(list.slice(cached.length)).slice(1, -1)}`;
    } else {
      text = JSON.stringify(list).slice(1, -1);
    }
    this.listTexts.set(key, { list, length: list.length, first: list[0], text });
    return text;
  }

  /** Queues a write of the record; it is serialised (`serialize`) when the write starts (write-behind). */
  private persist(): void {
    void this.store.writeJsonText('unread', this.serialize);
  }

  /** Exactly `JSON.stringify({ ...entries, [FLOOR_KEY]: floor entry })`, built from cached list texts. */
  private readonly serialize = (): string => {
    const parts: string[] = [];
    for (const [key, entry] of this.entries) {
      parts.push(`${JSON.stringify(key)}:{"u":[${this.listText(key, entry.u)}],"hm":${JSON.stringify(entry.hm)},"t":${JSON.stringify(entry.t)}}`);
    }
    if (this.floor > 0) parts.push(`${JSON.stringify(FLOOR_KEY)}:{"u":[],"hm":false,"t":${JSON.stringify(this.floor)}}`);
    return `{${parts.join(',')}}`;
  };

  private entry(key: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { u: [], hm: false, t: this.floor };
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Counts `message` if it is an unread-worthy received message; true when the count changed. `conversation`: its conversationKey, when the caller has it. */
  onReceived(message: ImMessage, conversation?: string): boolean {
    const me = this.store.userId;
    if (!COUNTED_CONVERSATION_TYPES.has(message.conversationType)) return false;
    if (message.direction !== Direction.Receive || message.senderUserId === me) return false;
    if (!message.counted || message.status) return false;
    if (message.sentTime <= this.floor) return false;
    const key = conversation ?? conversationKey(message.conversationType, message.targetId);
    const entry = this.entry(key);
    if (message.sentTime <= entry.t) return false;
    const uids = this.uidsOf(entry.u);
    if (message.messageUId !== '' && uids.has(message.messageUId)) return false;
    entry.u.push([message.messageUId, message.sentTime]);
    uids.add(message.messageUId);
    if (entry.u.length > MAX_TRACKED_UNREAD) {
      for (const [uid] of entry.u.splice(0, entry.u.length - MAX_TRACKED_UNREAD)) uids.delete(uid);
      this.listTexts.delete(key);
    }
    if (mentionsMe(message, me)) entry.hm = true;
    this.persist();
    return true;
  }

  /** A recall of `messageUId` in the conversation: removes it from the unread list if it is there. */
  onRecalled(conversationType: number, targetId: string, messageUId: string): boolean {
    const key = conversationKey(conversationType, targetId);
    const entry = this.entries.get(key);
    if (!entry) return false;
    const index = entry.u.findIndex(([uid]) => uid === messageUId);
    if (index < 0) return false;
    entry.u.splice(index, 1);
    this.listTexts.delete(key);
    if (entry.u.length === 0) entry.hm = false;
    this.persist();
    return true;
  }

  /** Marks read everything up to `upTo` (default: all); clears the @ flag when nothing is left. */
  clear(conversationType: number, targetId: string, upTo?: number): void {
    const entry = this.entry(conversationKey(conversationType, targetId));
    if (upTo === undefined) {
      // Later arrivals older than what was cleared (a late offline pull) stay read.
      for (const [, sentTime] of entry.u) entry.t = Math.max(entry.t, sentTime);
      entry.u = [];
      entry.hm = false;
    } else {
      entry.u = entry.u.filter(([, sentTime]) => sentTime > upTo);
      entry.t = Math.max(entry.t, upTo);
      if (entry.u.length === 0) entry.hm = false;
    }
    this.persist();
  }

  clearAll(): void {
    for (const entry of this.entries.values()) {
      entry.u = [];
      entry.hm = false;
    }
    this.persist();
  }

  /** Everything sent at or before `upTo` is read in every conversation, including ones not seen yet. */
  clearUpTo(upTo: number): void {
    if (upTo <= this.floor) return;
    this.floor = upTo;
    for (const entry of this.entries.values()) {
      entry.u = entry.u.filter(([, sentTime]) => sentTime > upTo);
      entry.t = Math.max(entry.t, upTo);
      if (entry.u.length === 0) entry.hm = false;
    }
    this.persist();
  }

  count(conversationType: number, targetId: string): number {
    return this.entries.get(conversationKey(conversationType, targetId))?.u.length ?? 0;
  }

  hasMentioned(conversationType: number, targetId: string): boolean {
    return this.entries.get(conversationKey(conversationType, targetId))?.hm ?? false;
  }

  /** Sum over conversations of `types`; `isMuted(type, targetId)` excludes DND conversations unless `includeMuted`. */
  total(types: readonly number[], includeMuted: boolean, isMuted: (type: number, targetId: string) => boolean): number {
    const wanted = new Set(types.length > 0 ? types : DEFAULT_TOTAL_TYPES);
    let sum = 0;
    for (const [key, entry] of this.entries) {
      const split = key.indexOf('_');
      const type = Number(key.slice(0, split));
      const targetId = key.slice(split + 1);
      if (!wanted.has(type)) continue;
      if (!includeMuted && isMuted(type, targetId)) continue;
      sum += entry.u.length;
    }
    return sum;
  }
}

function isPair(value: unknown): value is [string, number] {
  return Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'number';
}
