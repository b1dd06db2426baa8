/**
 * The chatroom drop policy exactly as the seed states it (聊天室 "消息量大时的丢弃策略"): per room, an intake of
 * `high + shared` upstream messages per window (40 per 200 ms by default):
 * - a low-priority message may only take a shared slot; without one it is dropped;
 * - a high-priority message (the default) takes a reserved high slot, else a shared slot, else it is dropped;
 * - a protected message (whitelisted sender or whitelisted type) is never dropped but still consumes quota:
 *   a shared slot first, then a high slot, nothing when both are gone.
 * Messages are judged in arrival order, so it is always the newest excess that goes. The window opens with
 * the first message after the previous one closed (a burst shorter than the window lands in one window).
 */
export type MessagePriority = 'high' | 'low' | 'protected';

export interface QuotaSettings {
  readonly windowMs: number;
  readonly high: number;
  readonly shared: number;
}

export class IntakeQuota {
  private windowStart = Number.NEGATIVE_INFINITY;
  private highUsed = 0;
  private sharedUsed = 0;

  constructor(private readonly settings: QuotaSettings) {}

  /** Whether a message of `priority` arriving at `now` (ms) is accepted; accepted messages consume quota. */
  admit(priority: MessagePriority, now: number): boolean {
    if (now - this.windowStart >= this.settings.windowMs || now < this.windowStart) {
      this.windowStart = now;
      this.highUsed = 0;
      this.sharedUsed = 0;
    }
    const highFree = this.highUsed < this.settings.high;
    const sharedFree = this.sharedUsed < this.settings.shared;
    switch (priority) {
      case 'low':
        if (!sharedFree) return false;
        this.sharedUsed++;
        return true;
      case 'high':
        if (highFree) this.highUsed++;
        else if (sharedFree) this.sharedUsed++;
        else return false;
        return true;
      case 'protected':
        if (sharedFree) this.sharedUsed++;
        else if (highFree) this.highUsed++;
        return true;
    }
  }
}
