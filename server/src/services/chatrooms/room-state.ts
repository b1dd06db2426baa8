/**
 * What one node keeps in memory about a room it serves: its members (mirroring the store) with their
 * online/offline accounting for the auto-kick rule, the user whitelist, the drop-policy quota, and the
 * pending (coalesced) new-message notification. Cluster mode will have to share the online accounting
 * through Presence and the fan-out through a `chatroom:` Broker topic; the store stays the truth for
 * membership.
 */
import { IntakeQuota, type QuotaSettings } from './drop-policy';
import { RoomPageCache } from './room-page-cache';
import { MAX_RENOTIFY } from './room-renotify';

export interface MemberState {
  readonly userId: string;
  readonly joinTime: number;
  online: boolean;
  /** ms when the member was last seen going offline (meaningless while online). */
  offlineSince: number;
  /** Room messages that arrived while offline. */
  missed: number;
  /** ms when a notification was sent that this member has not pulled since (flow control); undefined when none. */
  awaitingSince: number | undefined;
  /** A notification was held back while `awaitingSince` was set. */
  held: boolean;
  /** syncTime of the last pull answered since the member came online (what its client has). */
  pulledTo: number;
  /** Newest room `s_ntf` time sent to this member since it came online; 0 = none (room-renotify.ts). */
  notifiedTo: number;
  /** ms since when `notifiedTo > pulledTo` (restarted by each re-notify); 0 = nothing to re-notify. */
  unpulledSince: number;
  /** Re-notifications since the last finished pull answer (at most MAX_RENOTIFY). */
  renotified: number;
  /** Index in RoomState.online while online, -1 otherwise. */
  slot: number;
}

/**
 * A member who was notified and has not pulled yet is not notified again: the pull it is about to make
 * covers every message up to its snapshot, and a newer held-back notification is sent when that pull is
 * answered (`pulled`). This keeps a busy room at one s_ntf + one chrmPull per member per round trip
 * instead of one s_ntf (+ PUBACK) per flush. A member that has not pulled within this long is notified
 * again regardless (a client may ignore a notification, e.g. E4 for a room it does not think it is in).
 */
export const NOTIFY_HOLD_MAX_MS = 2000;

export interface KickRule {
  readonly offlineMs: number;
  readonly missedMessages: number;
}

/** How long a removal makes this node check a join signal of the same member on the store. */
export const REMOVED_KEPT_MS = 60_000;
const REMOVED_KEPT = 10_000;

export class RoomState {
  readonly members = new Map<string, MemberState>();
  /**
   * The online members as a flat array (order irrelevant; swap-remove keeps changes O(1)): the fan-out of
   * every flush walks this instead of the map. Invariant: `online[m.slot] === m` exactly for the members
   * with `m.online`.
   */
  readonly online: MemberState[] = [];
  /** `chatroom/user/whitelist`: never auto-kicked, messages never dropped. */
  readonly protectedUsers = new Set<string>();
  readonly quota: IntakeQuota;
  /** `chrmPull` pages shared by the members (room-page-cache.ts). */
  readonly pages = new RoomPageCache();
  /** Counts the joins and leaves mirrored from other nodes (room-resync.ts re-reads when one raced its read). */
  membershipVersion = 0;
  /** Set once the room is destroyed: queued work must not touch it any more. */
  destroyed = false;
  /** Newest message time not yet announced, and who sent the messages since the last announcement. */
  pendingNotify: { time: number; readonly senders: Set<string> } | undefined;
  /** Newest `s_ntf{type:2}` time announced on this node. */
  notifiedTime = 0;
  /** Settles once the last append queued for this room is committed (or failed): destruction waits for it. */
  appended: Promise<void> = Promise.resolve();
  /** Pending re-check of held-back notifications whose pull never came (NOTIFY_HOLD_MAX_MS). */
  heldCheck: ReturnType<typeof setTimeout> | undefined;
  /**
   * ≤ the `unpulledSince` of every online member with one set; 0 when none may be set. The re-notify sweep
   * skips the room until this is older than the delay (room-renotify.ts).
   */
  renotifyCheck = 0;
  private readonly offline = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Members removed here lately (user → when, by `removeMember`'s `now`): a join signal of one of them may have been
   * sent before that removal and crossed it on the way (signals of different nodes are not ordered), so it is checked
   * on the store instead of applied (room-signals.ts). Kept REMOVED_KEPT_MS; at most REMOVED_KEPT entries.
   */
  private readonly removedAt = new Map<string, number>();
  /** Join signals being checked on the store, per user: a leave signal of that user waits behind them. */
  readonly checkingJoins = new Map<string, number>();

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
    if (existing !== undefined) this.unlist(existing);
    const member: MemberState = {
      userId, joinTime: existing?.joinTime ?? joinTime, online, offlineSince: now, missed: 0,
      awaitingSince: undefined, held: false, pulledTo: 0, notifiedTo: 0, unpulledSince: 0, renotified: 0, slot: -1,
    };
    this.members.set(userId, member);
    if (online) {
      this.list(member);
      this.offline.delete(userId);
    } else this.offline.add(userId);
  }

  /** Whether `userId` was removed here within REMOVED_KEPT_MS of `now`. */
  removedLately(userId: string, now: number): boolean {
    const at = this.removedAt.get(userId);
    return at !== undefined && now - at < REMOVED_KEPT_MS;
  }

  removeMember(userId: string, now?: number): boolean {
    if (now !== undefined) {
      if (this.removedAt.size >= REMOVED_KEPT) {
        for (const [user, at] of this.removedAt) if (now - at >= REMOVED_KEPT_MS || this.removedAt.size >= REMOVED_KEPT) this.removedAt.delete(user);
      }
      this.removedAt.delete(userId);
      this.removedAt.set(userId, now);
    }
    this.offline.delete(userId);
    const member = this.members.get(userId);
    if (member !== undefined) this.unlist(member);
    return this.members.delete(userId);
  }

  setOnline(userId: string, online: boolean, now: number): void {
    const member = this.members.get(userId);
    if (member === undefined || member.online === online) return;
    member.online = online;
    member.awaitingSince = undefined;
    member.held = false;
    member.pulledTo = 0;
    member.notifiedTo = 0;
    member.unpulledSince = 0;
    member.renotified = 0;
    if (online) {
      this.list(member);
      this.offline.delete(userId);
    } else {
      this.unlist(member);
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

  /**
   * Whether to send the notification of `time` to `member` now; records it. Flow control applies to members
   * with a single session on this node only: with several, one device's pull says nothing about the others'.
   * A member whose last pull already reached `time` (it pulled between the append and this notification)
   * needs none: its client would not pull for it, so waiting for that pull would stall it.
   * An admitted notification is written by the caller: it is recorded for the re-notify sweep.
   */
  admitNotify(member: MemberState, singleSession: boolean, now: number, time: number): boolean {
    if (!singleSession) {
      member.awaitingSince = undefined;
      this.notified(member, now, time);
      return true;
    }
    if (member.pulledTo >= time) return false;
    if (member.awaitingSince !== undefined && now - member.awaitingSince < NOTIFY_HOLD_MAX_MS) {
      member.held = true;
      return false;
    }
    member.awaitingSince = now;
    member.held = false;
    this.notified(member, now, time);
    return true;
  }

  /**
   * A finished pull by `userId` was answered up to `syncTime` at `now`: true when a notification is due
   * now — one held back that is newer than the answer, or one written while this pull was being answered
   * (`notifiedAtAsk`: the member's `notifiedTo` when the pull was asked) that the answer does not reach.
   * The latter happens when the answer's store read predates a message committed meanwhile (another
   * cluster node, or a PostgreSQL read in flight); E4 ignores an `s_ntf` while its pull is pending, so
   * without this the message would wait for the re-notify sweep (35 s). Restarts the re-notify count.
   */
  pulled(userId: string, syncTime: number, now: number, notifiedAtAsk: number): boolean {
    const member = this.members.get(userId);
    if (member === undefined) return false;
    if (syncTime > member.pulledTo) member.pulledTo = syncTime;
    member.renotified = 0;
    if (member.pulledTo >= member.notifiedTo) member.unpulledSince = 0;
    else if (member.unpulledSince === 0) this.watchUnpulled(member, now);
    const raced = member.notifiedTo > notifiedAtAsk && member.notifiedTo > member.pulledTo;
    if (member.awaitingSince === undefined) return raced;
    member.awaitingSince = undefined;
    const due = raced || (member.held && this.notifiedTime > syncTime);
    member.held = false;
    return due;
  }

  /**
   * The online members whose first unpulled notification is at least `afterMs` old (room-renotify.ts), each
   * counted as re-notified now; the caller sends each its room `s_ntf` again with `notifiedTo`. Walks the
   * online members only when `renotifyCheck` says one may be due.
   */
  takeRenotifies(now: number, afterMs: number): MemberState[] {
    if (this.renotifyCheck === 0 || now - this.renotifyCheck < afterMs) return [];
    const due: MemberState[] = [];
    let next = 0;
    for (const member of this.online) {
      if (member.unpulledSince === 0) continue;
      if (now - member.unpulledSince >= afterMs) {
        due.push(member);
        member.renotified += 1;
        member.unpulledSince = member.renotified < MAX_RENOTIFY ? Math.max(1, now) : 0;
      }
      if (member.unpulledSince !== 0 && (next === 0 || member.unpulledSince < next)) next = member.unpulledSince;
    }
    this.renotifyCheck = next;
    return due;
  }

  onlineMembers(): string[] {
    return this.online.map((member) => member.userId);
  }

  /** A notification of `time` is being written to `member`. */
  private notified(member: MemberState, now: number, time: number): void {
    if (time > member.notifiedTo) member.notifiedTo = time;
    if (member.unpulledSince === 0 && member.notifiedTo > member.pulledTo && member.renotified < MAX_RENOTIFY) this.watchUnpulled(member, now);
  }

  private watchUnpulled(member: MemberState, now: number): void {
    member.unpulledSince = Math.max(1, now);
    if (this.renotifyCheck === 0 || member.unpulledSince < this.renotifyCheck) this.renotifyCheck = member.unpulledSince;
  }

  private list(member: MemberState): void {
    if (member.slot >= 0) return;
    member.slot = this.online.length;
    this.online.push(member);
  }

  private unlist(member: MemberState): void {
    const { slot } = member;
    if (slot < 0) return;
    const last = this.online.pop() as MemberState;
    if (last !== member) {
      this.online[slot] = last;
      last.slot = slot;
    }
    member.slot = -1;
  }
}
