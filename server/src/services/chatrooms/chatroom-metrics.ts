import type { MessagePriority } from './drop-policy';

export type KickReason = 'offline' | 'missed' | 'blocked' | 'evicted';

/**
 * Chatroom counters of this node (monotonic since start). Exported as they are until the metrics endpoint
 * (issue #13) turns them into Prometheus counters: drops by priority are the drop policy's evidence.
 */
export class ChatroomMetrics {
  readonly accepted: Record<MessagePriority, number> = { high: 0, low: 0, protected: 0 };
  readonly dropped: Record<Exclude<MessagePriority, 'protected'>, number> = { high: 0, low: 0 };
  readonly kicked: Record<KickReason, number> = { offline: 0, missed: 0, blocked: 0, evicted: 0 };
  /** `s_ntf` type 2 pushes written to sessions. */
  notifications = 0;
  destroyed = 0;

  snapshot(): { accepted: Record<MessagePriority, number>; dropped: Record<'high' | 'low', number>; kicked: Record<KickReason, number>; notifications: number; destroyed: number } {
    return { accepted: { ...this.accepted }, dropped: { ...this.dropped }, kicked: { ...this.kicked }, notifications: this.notifications, destroyed: this.destroyed };
  }
}
