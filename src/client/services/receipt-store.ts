/**
 * Group read receipts, v1 (API_CHECKLIST §4 RC:RRReqMsg/RC:RRRspMsg, rule 37): requests received from other
 * members wait here until the app calls `sendReceiptResponse`; responses to our own requests are counted per
 * messageUId (distinct responders) and shown as `message.receiptResponse`. Kept in the user's storage as
 * R292 keeps them in localStorage (seed L7099), so a reload neither forgets a request nor restarts a count;
 * an entry expires `readReceiptTimeout` days after it was last touched (init option, default 1, 1–15,
 * API_CHECKLIST §2), and at most MAX_RECEIPT_ENTRIES of each kind are kept, the oldest going first. The
 * responders of every counted message are stored too (the count is of distinct users), so the responses
 * are also bounded by their text, MAX_RESPONDED_TEXT: 1000 messages answered by a large group would
 * otherwise exceed the 1 MB a WeChat storage key holds, and the record would never be written again.
 */
import type { ImMessage } from './im-message';
import { conversationKey, Direction } from './im-message';
import type { UserStore } from './user-store';
import { isRecord } from './user-store';

export const MAX_RECEIPT_ENTRIES = 1000;
export const DAY_MS = 86_400_000;
/** Bound of the stored responses' text (characters), oldest entries going first past it. */
export const MAX_RESPONDED_TEXT = 384 * 1024;

/** `readReceiptTimeout` (days) as a lifetime: default 1 day, clamped to 1–15. */
export function receiptTtlMs(days: unknown): number {
  const n = typeof days === 'number' && Number.isFinite(days) ? Math.round(days) : 1;
  return Math.min(15, Math.max(1, n)) * DAY_MS;
}

/** A request waiting for our response: conversation, requester, requested uid, when it arrived. */
type Pending = [conversation: string, requester: string, uid: string, at: number];
/** Responses to one of our messages: its uid, when the last came, who responded. */
type Responded = [uid: string, at: number, responders: string[]];

interface Persisted {
  pending: Pending[];
  responded: Responded[];
}

function isPersisted(value: unknown): value is Persisted {
  return isRecord(value) && Array.isArray(value['pending']) && Array.isArray(value['responded']);
}

export class ReceiptStore {
  /** `conversation \n requester \n uid` → arrival time; Map order = oldest first. */
  private pending = new Map<string, Pending>();
  /** our messageUId → responders; Map order = least recently answered first. */
  private responded = new Map<string, Responded>();

  constructor(
    private readonly store: UserStore,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  async load(): Promise<void> {
    const saved = await this.store.readJson<Persisted>('receipts', { pending: [], responded: [] }, isPersisted);
    const fresh = this.now() - this.ttlMs;
    for (const p of saved.pending) {
      if (Array.isArray(p) && p.length === 4 && p.slice(0, 3).every((s) => typeof s === 'string') && typeof p[3] === 'number' && p[3] > fresh) {
        this.pending.set(`${p[0]}\n${p[1]}\n${p[2]}`, p);
      }
    }
    for (const r of saved.responded) {
      if (Array.isArray(r) && typeof r[0] === 'string' && typeof r[1] === 'number' && r[1] > fresh && Array.isArray(r[2])) {
        this.responded.set(r[0], [r[0], r[1], r[2].filter((u): u is string => typeof u === 'string')]);
      }
    }
  }

  /** Notes a request or a response addressed to `me`; returns `receiptResponse` for a response. */
  observe(message: ImMessage, me: string): Record<string, number> | undefined {
    if (message.direction !== Direction.Receive) return undefined;
    const content = message.content ?? {};
    const at = this.now();
    if (message.objectName === 'RC:RRReqMsg') {
      const uid = content['messageUId'] ?? content['messageUid'];
      if (typeof uid !== 'string') return undefined;
      const conversation = conversationKey(message.conversationType, message.targetId);
      const key = `${conversation}\n${message.senderUserId}\n${uid}`;
      this.pending.delete(key);
      this.pending.set(key, [conversation, message.senderUserId, uid, at]);
      this.save();
      return undefined;
    }
    if (message.objectName !== 'RC:RRRspMsg') return undefined;
    const dic = content['receiptMessageDic'];
    const mine = isRecord(dic) ? dic[me] : undefined;
    if (!Array.isArray(mine)) return undefined;
    const response: Record<string, number> = {};
    for (const uid of mine) {
      if (typeof uid !== 'string') continue;
      const responders = this.responded.get(uid)?.[2] ?? [];
      if (!responders.includes(message.senderUserId)) responders.push(message.senderUserId);
      this.responded.delete(uid);
      this.responded.set(uid, [uid, at, responders]);
      response[uid] = responders.length;
    }
    this.save();
    return response;
  }

  /** The requests of a conversation waiting for our response: `{requesterId: uids}`, undefined when none. */
  pendingOf(conversationType: number, targetId: string): Record<string, string[]> | undefined {
    const conversation = conversationKey(conversationType, targetId);
    const fresh = this.now() - this.ttlMs;
    let dic: Record<string, string[]> | undefined;
    for (const [c, requester, uid, at] of this.pending.values()) {
      if (c !== conversation || at <= fresh) continue;
      if (dic === undefined) dic = {};
      (dic[requester] ??= []).push(uid);
    }
    return dic;
  }

  /** The conversation's requests were answered. */
  answered(conversationType: number, targetId: string): void {
    const conversation = conversationKey(conversationType, targetId);
    for (const [key, p] of this.pending) if (p[0] === conversation) this.pending.delete(key);
    this.save();
  }

  private save(): void {
    const fresh = this.now() - this.ttlMs;
    prune(this.pending, (p) => p[3] > fresh);
    prune(this.responded, (r) => r[1] > fresh);
    let text = 0;
    for (const [uid, , responders] of this.responded.values()) text += uid.length + 24 + responders.reduce((sum, u) => sum + u.length + 3, 0);
    for (const [key, [uid, , responders]] of this.responded) {
      if (text <= MAX_RESPONDED_TEXT) break;
      text -= uid.length + 24 + responders.reduce((sum, u) => sum + u.length + 3, 0);
      this.responded.delete(key);
    }
    void this.store.writeJson('receipts', { pending: [...this.pending.values()], responded: [...this.responded.values()] });
  }
}

/** Drops expired entries and, past MAX_RECEIPT_ENTRIES, the oldest (Map order). */
function prune<T>(map: Map<string, T>, live: (value: T) => boolean): void {
  for (const [key, value] of map) if (!live(value)) map.delete(key);
  for (const key of map.keys()) {
    if (map.size <= MAX_RECEIPT_ENTRIES) break;
    map.delete(key);
  }
}
