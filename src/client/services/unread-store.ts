/**
 * Local unread bookkeeping (API_CHECKLIST §3.3, §11; PROTOCOL.md §8.6). The server keeps no unread
 * counts: each client counts what it receives. Rules:
 *  - only PRIVATE, GROUP and SYSTEM conversations count;
 *  - only RECEIVED messages from someone else, of a counted, non-status type, newer than the last clear;
 *  - a recall of a message still counted as unread decrements (it is found by uid);
 *  - a received SyncReadStatusMessage clears up to its `lastMessageSendTime`;
 *  - a group message that @-mentions me (or ALL) sets `hasMentioned`; the flag follows the mentioning
 *    messages still unread (`m`, their uids), so recalling or reading the last of them clears it.
 * Each conversation keeps its unread messages as `[uid, sentTime]` pairs, so the count is exact for
 * recalls and partial clears. State is persisted per appKey+user through UserStore, as one record that
 * must fit a host's per-key limit (WeChat: 1 MB): past MAX_TRACKED_UNREAD pairs in a conversation, or
 * when the record's text would exceed MAX_UNREAD_TEXT, the oldest pairs are folded into a plain count
 * (`o`, newest folded time `ot`) — still counted and cleared, no longer recallable one by one (a recall
 * is only allowed minutes after sending, so it always finds its message among the newest pairs). A partial
 * clear drops the folded count only when it reaches `ot` (one that stops among the folded messages, which
 * no read position or read-status sync does in practice, leaves them counted).
 * Our SDK also reconciles with the server-kept read positions (read-position-sync.ts): `clear(…, upTo)`
 * per conversation and `clearUpTo` (the floor: read up to T everywhere) only ever lower the counts.
 */
import type { ImMessage } from './im-message';
import { conversationKey, Direction } from './im-message';
import type { UserStore } from './user-store';
import { isRecord, storedTime } from './user-store';

export const COUNTED_CONVERSATION_TYPES: ReadonlySet<number> = new Set([1, 3, 6]);
/** `getTotalUnreadCount` without types (engine default: PRIVATE, GROUP, SYSTEM, PUBLIC_SERVICE). */
export const DEFAULT_TOTAL_TYPES: readonly number[] = [1, 3, 6, 8];
/** Per-conversation bound of tracked pairs: beyond it the oldest are folded into the plain count. */
export const MAX_TRACKED_UNREAD = 5000;
/**
 * Bound of the stored record's text (characters): WeChat refuses a value over 1 MB per key and browsers
 * cap an origin near 5 MB, so past it the oldest pairs are folded (and, failing that, conversations with
 * nothing unread are dropped). A record over the limit would never be written again.
 */
export const MAX_UNREAD_TEXT = 512 * 1024;
/** Storage key of the floor inside the persisted record (conversation keys are `${type}_${id}`). */
const FLOOR_KEY = '*';

interface Entry {
  /** Unread messages, oldest first: [messageUId, sentTime]. */
  u: Array<[string, number]>;
  /** @-mentioned since the last clear. */
  hm: boolean;
  /**
   * With `hm`: the uids of the unread messages that mentioned me (a subset of `u`); the flag clears when
   * none is left. Absent while `hm` (a record from before it, a mention without uid or folded into `o`):
   * the flag then stays until nothing is unread, as before.
   */
  m?: string[];
  /** Messages at or before this time are read. */
  t: number;
  /** Older unread messages folded into a count (no uids kept), and the newest of their sent times. */
  o?: number;
  ot?: number;
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

  /** `notAfter`: read times past it are read as none (user-store.ts storedTime). */
  async load(notAfter = Number.POSITIVE_INFINITY): Promise<void> {
    const raw = await this.store.readJson<Record<string, unknown>>('unread', {}, isRecord);
    this.entries = new Map();
    this.listTexts = new Map();
    this.floor = 0;
    for (const [key, value] of Object.entries(raw)) {
      if (!isEntry(value)) continue;
      if (key === FLOOR_KEY) this.floor = storedTime(value.t, notAfter);
      else {
        const entry: Entry = { u: value.u.filter(isPair), hm: value.hm === true, t: storedTime(value.t, notAfter) };
        if (entry.hm && Array.isArray(value.m)) entry.m = value.m.filter((uid) => typeof uid === 'string');
        if (typeof value.o === 'number' && value.o > 0) {
          entry.o = value.o;
          entry.ot = typeof value.ot === 'number' ? value.ot : value.t;
        }
        this.entries.set(key, entry);
      }
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

  /** The record's text, compacted first when it would exceed MAX_UNREAD_TEXT (see `compact`). */
  private readonly serialize = (): string => {
    let text = this.text();
    for (let pass = 0; pass < 2 && text.length > MAX_UNREAD_TEXT; pass++) {
      this.compact(text.length, pass === 1);
      text = this.text();
    }
    return text;
  };

  /** Exactly `JSON.stringify({ ...entries, [FLOOR_KEY]: floor entry })`, built from cached list texts. */
  private text(): string {
    const parts: string[] = [];
    for (const [key, entry] of this.entries) {
      const folded = entry.o ? `,"o":${JSON.stringify(entry.o)},"ot":${JSON.stringify(entry.ot ?? entry.t)}` : '';
      const mentions = entry.m ? `,"m":${JSON.stringify(entry.m)}` : '';
      parts.push(`${JSON.stringify(key)}:{"u":[${this.listText(key, entry.u)}],"hm":${JSON.stringify(entry.hm)}${mentions},"t":${JSON.stringify(entry.t)}${folded}}`);
    }
    if (this.floor > 0) parts.push(`${JSON.stringify(FLOOR_KEY)}:{"u":[],"hm":false,"t":${JSON.stringify(this.floor)}}`);
    return `{${parts.join(',')}}`;
  }

  /**
   * Shrinks the record toward MAX_UNREAD_TEXT: folds the oldest pairs so that every conversation keeps at
   * most the same number of its newest ones (the largest lists shrink first), sized from the text's length
   * per pair; with `dropIdle`, also forgets conversations with nothing unread and no @ (only their read
   * time goes, which the floor and the seen uids mostly cover).
   */
  private compact(length: number, dropIdle: boolean): void {
    if (dropIdle) {
      for (const [key, entry] of this.entries) {
        if (entry.u.length === 0 && !entry.o && !entry.hm) {
          this.entries.delete(key);
          this.listTexts.delete(key);
        }
      }
    }
    const lengths = [...this.entries.values()].map((e) => e.u.length);
    const pairs = lengths.reduce((a, b) => a + b, 0);
    const keep = Math.floor((pairs * MAX_UNREAD_TEXT * 0.8) / length);
    let low = 0;
    let high = Math.max(0, ...lengths);
    while (low < high) {
      const cap = Math.ceil((low + high) / 2);
      if (lengths.reduce((sum, n) => sum + Math.min(n, cap), 0) <= keep) low = cap;
      else high = cap - 1;
    }
    for (const [key, entry] of this.entries) if (entry.u.length > low) this.fold(key, entry, entry.u.length - low);
  }

  /** Moves the `n` oldest pairs of `entry` into its plain count. */
  private fold(key: string, entry: Entry, n: number): void {
    const folded = entry.u.splice(0, n);
    const last = folded[folded.length - 1];
    if (last === undefined) return;
    entry.o = (entry.o ?? 0) + folded.length;
    entry.ot = Math.max(entry.ot ?? 0, last[1]);
    // A mentioning message folded away can no longer be tracked: the flag stays until nothing is unread.
    // (`m` keeps the order of `u`, so its first uid is the oldest.)
    if (entry.m && folded.some(([uid]) => uid === entry.m?.[0])) delete entry.m;
    this.listTexts.delete(key);
  }

  /** Sets or clears the @ flag after unread messages went away: it follows the tracked mentions, else the count. */
  private settleMention(entry: Entry): void {
    if (entry.m) {
      const uids = this.uidsOf(entry.u);
      entry.m = entry.m.filter((uid) => uids.has(uid));
    }
    if ((entry.u.length === 0 && !entry.o) || entry.m?.length === 0) {
      entry.hm = false;
      delete entry.m;
    }
  }

  /** Drops the folded count when everything up to `upTo` is read and it holds nothing newer. */
  private static clearFolded(entry: Entry, upTo: number): void {
    if (entry.o && upTo >= (entry.ot ?? 0)) {
      delete entry.o;
      delete entry.ot;
    }
  }

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
      const excess = entry.u.length - MAX_TRACKED_UNREAD;
      for (let i = 0; i < excess; i++) uids.delete((entry.u[i] as [string, number])[0]);
      this.fold(key, entry, excess);
    }
    if (mentionsMe(message, me)) {
      // Tracked only from a clear flag on: one set by an untracked mention stays untracked.
      if (!entry.hm) entry.m = [];
      entry.hm = true;
      if (message.messageUId === '') delete entry.m;
      else entry.m?.push(message.messageUId);
    }
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
    this.settleMention(entry);
    this.persist();
    return true;
  }

  /**
   * Marks read everything up to `upTo` (default: all); clears the @ flag when no mention is left. Returns the
   * time the conversation is now read up to (0: it never held a counted message).
   */
  clear(conversationType: number, targetId: string, upTo?: number): number {
    const entry = this.entry(conversationKey(conversationType, targetId));
    if (upTo === undefined) {
      // Later arrivals older than what was cleared (a late offline pull) stay read.
      for (const [, sentTime] of entry.u) entry.t = Math.max(entry.t, sentTime);
      entry.t = Math.max(entry.t, entry.ot ?? 0);
      UnreadStore.clearFolded(entry, entry.t);
      entry.u = [];
      entry.hm = false;
      delete entry.m;
    } else {
      entry.u = entry.u.filter(([, sentTime]) => sentTime > upTo);
      entry.t = Math.max(entry.t, upTo);
      UnreadStore.clearFolded(entry, upTo);
      this.settleMention(entry);
    }
    this.persist();
    return entry.t;
  }

  /**
   * A read-status sync from one of the user's own devices, "read up to `upTo`": marks read only the messages this
   * device counted up to it, and later arrivals no older than the newest of them. `upTo` is a time the other
   * device chose — engine 5.x sends its estimate of the server's now —, so it may be ahead of messages stored
   * after it; the server's read position (lxReadPos, capped at what was stored) lowers the rest exactly.
   */
  clearCounted(conversationType: number, targetId: string, upTo: number): void {
    const entry = this.entries.get(conversationKey(conversationType, targetId));
    if (entry === undefined) return;
    let newest = 0;
    for (const [, sentTime] of entry.u) if (sentTime <= upTo) newest = Math.max(newest, sentTime);
    if (entry.o && upTo >= (entry.ot ?? 0)) newest = Math.max(newest, entry.ot ?? 0);
    if (newest > 0) this.clear(conversationType, targetId, newest);
  }

  /** Marks everything read; returns the newest time that was read (0 when nothing ever counted). */
  clearAll(): number {
    let newest = this.floor;
    for (const entry of this.entries.values()) {
      // As clear(): later arrivals older than what was cleared stay read.
      for (const [, sentTime] of entry.u) entry.t = Math.max(entry.t, sentTime);
      entry.t = Math.max(entry.t, entry.ot ?? 0);
      newest = Math.max(newest, entry.t);
      entry.u = [];
      entry.hm = false;
      delete entry.m;
      UnreadStore.clearFolded(entry, Infinity);
    }
    this.persist();
    return newest;
  }

  /** Everything sent at or before `upTo` is read in every conversation, including ones not seen yet. */
  clearUpTo(upTo: number): void {
    if (upTo <= this.floor) return;
    this.floor = upTo;
    for (const entry of this.entries.values()) {
      entry.u = entry.u.filter(([, sentTime]) => sentTime > upTo);
      entry.t = Math.max(entry.t, upTo);
      UnreadStore.clearFolded(entry, upTo);
      this.settleMention(entry);
    }
    this.persist();
  }

  count(conversationType: number, targetId: string): number {
    const entry = this.entries.get(conversationKey(conversationType, targetId));
    return entry === undefined ? 0 : entry.u.length + (entry.o ?? 0);
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
      sum += entry.u.length + (entry.o ?? 0);
    }
    return sum;
  }
}

function isPair(value: unknown): value is [string, number] {
  return Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'number';
}
