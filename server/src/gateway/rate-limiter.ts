/**
 * Per-connection send limit (API_CHECKLIST: ≤ 5 messages per second per client → 20604).
 * Counted: client PUBLISHes of the message-sending topics below, accepted ones only (a client
 * that keeps hammering is not locked out longer than one window). Not counted: status topics
 * (`ppMsgS`/`pgMsgS`/`chatMsgS`: typing indicators must not eat the budget), RTC PUBLISHes, and
 * every QUERY (`pullMsg`, history, …: the clients' own sync loops must never be throttled) — except a chatroom
 * KV change that posts a notification to the room (`setKV`/`delKV`/`setKVS`/`delKVS` with bNotify): that message
 * counts like a `chatMsg` (SessionPort.takeSendPermit; chatrooms/kv-notification.ts).
 */
export const RATE_LIMITED_TOPICS: ReadonlySet<string> = new Set([
  'ppMsgP',
  'pdMsgP',
  'pgMsgP',
  'chatMsg',
  'pcMsgP',
  'pcuMsgP',
  'pmcMsgN',
  'pmpMsgN',
  'prMsgP',
  'pbMsgP',
  'recallMsg',
]);

const WINDOW_MS = 1000;

export class SendRateLimiter {
  private readonly accepted: number[] = [];

  constructor(private readonly maxPerSecond: number) {}

  /** Whether a send at `now` is allowed; records it when it is. Sliding one-second window. */
  tryAcquire(now: number): boolean {
    while (this.accepted.length > 0 && (this.accepted[0] as number) <= now - WINDOW_MS) this.accepted.shift();
    if (this.accepted.length >= this.maxPerSecond) return false;
    this.accepted.push(now);
    return true;
  }
}
