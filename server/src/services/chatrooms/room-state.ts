/**
 * What one node keeps in memory about a room it serves: its members (mirroring the store) with their
 * online/offline accounting for the auto-kick rule, the user whitelist, the drop-policy quota, and the
 * pending (coalesced) new-message notification. Cluster mode will have to share the online accounting
 * through Presence and the fan-out through a `chatroom:` Broker topic; the store stays the truth for
 * membership.
 */
import { IntakeQuota, type QuotaSettings } from './drop-policy';

export interface MemberState {
  readonly joinTime: number;
  online: boolean;
  /** ms when the member was last seen going offline (meaningless while online). */
  offlineSince: number;
  /** Room messages that arrived while offline. */
  missed: number;
}

export interface KickRule {
  readonly offlineMs: number;
  readonly missedMessages: number;
}

export class RoomState {
  readonly members = new Map<string, MemberState>();
  /** `chatroom/user/whitelist`: never auto-kicked, messages never dropped. */
  readonly protectedUsers = new Set<string>();
  readonly quota: IntakeQuota;
  /** Set once the room is destroyed: queued work must not touch it any more. */
  destroyed = false;
  /** Newest message time not yet announced, and who sent the messages since the last announcement. */
  pendingNotify: { time: number; readonly senders: Set<string> } | undefined;
  private readonly offline = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly appKey: string,
    readonly roomId: string,
    quota: QuotaSettings,
  ) {
    this.quota = new IntakeQuota(quota);
  }

  /**
   * Runs `work` after every earlier piece of work on this room: membership changes, sends and destruction
   * of one room never interleave (the store calls inside them are async). Never call `run` from inside
   * `work` (it would wait for itself).
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  addMember(userId: string, joinTime: number, online: boolean, now: number): void {
    const existing = this.members.get(userId);
    const member: MemberState = { joinTime: existing?.joinTime ?? joinTime, online, offlineSince: now, missed: 0 };
    this.members.set(userId, member);
    if (online) this.offline.delete(userId);
    else this.offline.add(userId);
  }

  removeMember(userId: string): boolean {
    this.offline.delete(userId);
    return this.members.delete(userId);
  }

  setOnline(userId: string, online: boolean, now: number): void {
    const member = this.members.get(userId);
    if (member === undefined || member.online === online) return;
    member.online = online;
    if (online) {
      this.offline.delete(userId);
    } else {
      member.offlineSince = now;
      member.missed = 0;
      this.offline.add(userId);
    }
  }

  /**
   * Accounts one new room message against every offline member and returns those the rule removes
   * (offline for `offlineMs` when it arrives, or `missedMessages` arrived while offline), with the reason.
   * Whitelisted users are never returned. Cost is O(offline members), not O(members).
   */
  accountMessage(now: number, rule: KickRule): Array<{ readonly userId: string; readonly reason: 'offline' | 'missed' }> {
    const kicked: Array<{ userId: string; reason: 'offline' | 'missed' }> = [];
    for (const userId of this.offline) {
      if (this.protectedUsers.has(userId)) continue;
      const member = this.members.get(userId);
      if (member === undefined) continue;
      member.missed++;
      if (now - member.offlineSince >= rule.offlineMs) kicked.push({ userId, reason: 'offline' });
      else if (member.missed >= rule.missedMessages) kicked.push({ userId, reason: 'missed' });
    }
    return kicked;
  }

  onlineMembers(): string[] {
    const out: string[] = [];
    for (const [userId, member] of this.members) if (member.online) out.push(userId);
    return out;
  }
}
