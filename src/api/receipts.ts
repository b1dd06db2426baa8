/**
 * Group read receipts, v1 (API_CHECKLIST §4 RC:RRReqMsg/RC:RRRspMsg, §11): requests received from
 * other members wait here until the app calls `sendReceiptResponse`; responses to our own requests
 * are counted per messageUId (distinct responders) and shown as `message.receiptResponse`. Memory
 * only, per signed-in user (R292 keeps it in localStorage for a day; a reload forgets here).
 */
import type { ImMessage } from '../client/services/im-message';
import { conversationKey, Direction } from '../client/services/im-message';

export class ReceiptTracker {
  /** conversation → requester → requested uids. */
  private readonly pending = new Map<string, Map<string, Set<string>>>();
  /** our messageUId → responders. */
  private readonly responders = new Map<string, Set<string>>();

  constructor(private readonly me: () => string) {}

  /** Notes a request or a response; returns `receiptResponse` for a response that concerns us. */
  observe(message: ImMessage): Record<string, number> | undefined {
    if (message.direction !== Direction.Receive) return undefined;
    const content = message.content ?? {};
    if (message.objectName === 'RC:RRReqMsg') {
      const uid = content['messageUId'] ?? content['messageUid'];
      if (typeof uid !== 'string') return undefined;
      const key = conversationKey(message.conversationType, message.targetId);
      let byRequester = this.pending.get(key);
      if (!byRequester) this.pending.set(key, (byRequester = new Map()));
      let uids = byRequester.get(message.senderUserId);
      if (!uids) byRequester.set(message.senderUserId, (uids = new Set()));
      uids.add(uid);
      return undefined;
    }
    if (message.objectName === 'RC:RRRspMsg') {
      const dic = content['receiptMessageDic'];
      if (typeof dic !== 'object' || dic === null) return undefined;
      const mine = (dic as Record<string, unknown>)[this.me()];
      if (!Array.isArray(mine)) return undefined;
      const response: Record<string, number> = {};
      for (const uid of mine) {
        if (typeof uid !== 'string') continue;
        let set = this.responders.get(uid);
        if (!set) this.responders.set(uid, (set = new Set()));
        set.add(message.senderUserId);
        response[uid] = set.size;
      }
      return response;
    }
    return undefined;
  }

  /** Takes the pending requests of a conversation: `{requesterId: uids}`, or undefined when none. */
  take(conversationType: number, targetId: string): Record<string, string[]> | undefined {
    const key = conversationKey(conversationType, targetId);
    const byRequester = this.pending.get(key);
    if (!byRequester || byRequester.size === 0) return undefined;
    this.pending.delete(key);
    const dic: Record<string, string[]> = {};
    for (const [requester, uids] of byRequester) dic[requester] = [...uids];
    return dic;
  }

  clear(): void {
    this.pending.clear();
    this.responders.clear();
  }
}
