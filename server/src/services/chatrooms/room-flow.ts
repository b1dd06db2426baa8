/**
 * Pull/notify flow control of the rooms loaded on this node (PROTOCOL.md §8.7): the coalesced
 * `s_ntf{type:2}` fan-out to local members, the hold-back of a notification while the member's pull of
 * an earlier one is due (RoomState.admitNotify), its release once that pull is answered or after
 * NOTIFY_HOLD_MAX_MS, and `chrmPull` answers through the room's shared page cache.
 *
 * Invariants: only members with a session on this node are written to (other nodes serve theirs from the
 * `notify` signal, gateway/room-relay.ts); nothing is sent for a destroyed room or after close();
 * `s_ntf` always carries the room's newest notified time, so a held-back or lost one is caught up by the
 * next; one sent and never pulled is repeated by the service sweep (renotify, room-renotify.ts). The
 * caller owns room membership and the room's queue; nothing here changes membership.
 */
import type { ServerContext } from '../../context';
import type { Hub } from '../../gateway/hub';
import type { RoomRelay } from '../../gateway/room-relay';
import type { LocalSession } from '../../gateway/session-registry';
import type { UserEvent } from '../../gateway/user-event';
import { hiddenFromPuller, type ChatroomMessage } from '../../store/chatroom-repository';
import { encodeMessage, rc } from '../wire';
import type { ChatroomMetrics } from './chatroom-metrics';
import { sendersOf, type SharedPage } from './room-page-cache';
import { joinPull, PULL_PAGE_SIZE, type PullPage } from './room-pull';
import { NOTIFY_HOLD_MAX_MS, type RoomState } from './room-state';

export class RoomFlow {
  private closed = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly hub: Hub,
    private readonly metrics: ChatroomMetrics,
    private readonly relay: RoomRelay,
  ) {}

  /** Stops every later notification (pending flushes and hold timers become no-ops). */
  close(): void {
    this.closed = true;
  }

  /**
   * A `chrmPull` page for a member (membership checked by the caller): join history when `syncTime` ≤ 0,
   * else everything newer than it but the requester's own.
   */
  async pull(room: RoomState, userId: string, syncTime: number, count: number): Promise<PullPage & { readonly shared?: SharedPage }> {
    const notifiedAtAsk = room.members.get(userId)?.notifiedTo ?? 0;
    const page = syncTime <= 0
      ? await joinPull(this.ctx.store.chatrooms, room.appKey, room.roomId, userId, room.members.get(userId)?.joinTime ?? 0, count)
      : await this.sharedPull(room, userId, syncTime);
    // After the answer is written (the handler writes it when this resolves): the notification held back
    // while this pull was due (RoomState.admitNotify).
    // A truncated page is continued by the client (E4) or by the handler's own s_ntf (L2): still due.
    // So is a notification written while this pull was answered from an older snapshot (RoomState.pulled).
    if (page.finished !== false && room.pulled(userId, page.syncTime, this.ctx.clock.now(), notifiedAtAsk)) setImmediate(() => this.notifyMember(room, userId));
    return page;
  }

  /**
   * Coalesces notifications: messages appended in the same turn of the event loop produce one `s_ntf` per
   * online member, carrying the newest time. A member who is the only sender of the batch is skipped (its
   * pulls leave its own messages out, PROTOCOL.md U20).
   */
  schedule(room: RoomState, time: number, sender: string): void {
    const pending = room.pendingNotify;
    if (pending !== undefined) {
      pending.time = Math.max(pending.time, time);
      pending.senders.add(sender);
      return;
    }
    room.pendingNotify = { time, senders: new Set([sender]) };
    setImmediate(() => this.flush(room));
  }

  /**
   * One `s_ntf{type:2}` to each member online on this node, but a sole sender of the batch and members
   * whose pull of an earlier notification is still due (RoomState.admitNotify).
   */
  notifyLocal(room: RoomState, time: number, senders: ReadonlySet<string>): void {
    if (time > room.notifiedTime) room.notifiedTime = time;
    // One payload and one push event for the whole flush: sessions read the event and never keep it.
    const event: UserEvent = { kind: 'push', topic: 's_ntf', targetId: room.roomId, payload: encodeMessage(rc.NotifyMsg, { type: 2, time: room.notifiedTime, chrmId: room.roomId }), qos: 1 };
    const soleSender = senders.size === 1 ? senders.values().next().value : undefined;
    const now = this.ctx.clock.now();
    const { appKey } = room;
    const { registry } = this.hub;
    let held = false;
    let written = 0;
    // A snapshot: a write may close a slow consumer, and going offline reorders `room.online`.
    for (const member of room.online.slice()) {
      if (!member.online || member.userId === soleSender) continue;
      const sessions = registry.sessionsOf(appKey, member.userId);
      if (!room.admitNotify(member, sessions.length === 1, now, room.notifiedTime)) {
        if (member.held) held = true;
        continue;
      }
      written += this.deliverAll(sessions, event, member.userId);
    }
    this.metrics.notifications += written;
    if (held) this.checkHeldLater(room);
  }

  /**
   * Called by the chatroom service sweep: sends the room `s_ntf` again to members that have not pulled up
   * to their newest one within `afterMs` (room-renotify.ts). Returns how many members were re-notified.
   */
  renotify(room: RoomState, now: number, afterMs: number): number {
    if (room.destroyed || this.closed) return 0;
    const due = room.takeRenotifies(now, afterMs);
    for (const member of due) {
      const payload = encodeMessage(rc.NotifyMsg, { type: 2, time: member.notifiedTo, chrmId: room.roomId });
      this.metrics.notifications += this.pushTo(room.appKey, member.userId, 's_ntf', room.roomId, payload);
    }
    return due.length;
  }

  /** Writes one push to every session of the user on this node but `exceptSessionId`; the number of sessions written to. */
  pushTo(appKey: string, userId: string, topic: string, targetId: string, payload: Uint8Array, exceptSessionId?: string): number {
    let sessions = this.hub.registry.sessionsOf(appKey, userId);
    if (exceptSessionId) sessions = sessions.filter((session) => session.info.sessionId !== exceptSessionId);
    return this.deliverAll(sessions, { kind: 'push', topic, targetId, payload, qos: 1 }, userId);
  }

  private deliverAll(sessions: readonly LocalSession[], event: UserEvent, userId: string): number {
    for (const session of sessions) {
      try {
        session.deliver(event);
      } catch (error) {
        this.ctx.log.warn('chatroom push failed', { appKey: session.info.appKey, userId, topic: event.kind === 'push' ? event.topic : event.kind, error: String(error) });
      }
    }
    return sessions.length;
  }

  /** One `notify` signal per flush for the other nodes, then this node's own members. */
  private flush(room: RoomState): void {
    const pending = room.pendingNotify;
    room.pendingNotify = undefined;
    if (pending === undefined || room.destroyed || this.closed) return;
    this.relay.publish(room.appKey, room.roomId, { k: 'notify', time: pending.time, senders: [...pending.senders] });
    this.notifyLocal(room, pending.time, pending.senders);
  }

  /**
   * An incremental pull through the room's page cache: one store read per (room, cursor) between two
   * appends instead of one per member, and one per cursor at all for a truncated page (more than
   * PULL_PAGE_SIZE messages behind). Same answer as incrementalPull (room-page-cache.ts invariants), except
   * that a sender's own messages are filtered out of the shared window rather than skipped by the query:
   * its page may hold fewer entries, with the same syncTime, so nothing of others' is ever skipped.
   */
  private async sharedPull(room: RoomState, userId: string, syncTime: number): Promise<PullPage & { readonly shared?: SharedPage }> {
    let page = room.pages.get(syncTime, this.ctx.clock.now());
    if (page === undefined) {
      const version = room.pages.version;
      const clearVersion = room.pages.clearVersion;
      const read = await this.ctx.store.chatrooms.since(room.appKey, room.roomId, syncTime, PULL_PAGE_SIZE);
      const now = this.ctx.clock.now();
      if (read.hasMore) page = room.pages.keepTruncated(syncTime, read.messages, now, clearVersion);
      else {
        room.pages.keep(syncTime, read.messages, read.timelineTime, version, now);
        page = room.pages.get(syncTime, now) ?? uncachedPage(read.messages, read.timelineTime, syncTime);
      }
    }
    if (page.senders.has(userId)) return { messages: page.messages.filter((m) => !hiddenFromPuller(m, userId)), syncTime: page.syncTime, finished: page.finished };
    return { messages: page.messages, syncTime: page.syncTime, finished: page.finished, shared: page };
  }

  /** Members whose pull never came get their held-back notification after NOTIFY_HOLD_MAX_MS anyway. */
  private checkHeldLater(room: RoomState): void {
    if (room.heldCheck !== undefined) return;
    room.heldCheck = setTimeout(() => {
      room.heldCheck = undefined;
      if (room.destroyed || this.closed) return;
      const now = this.ctx.clock.now();
      let pending = false;
      for (const [userId, member] of room.members) {
        if (!member.held || !member.online) continue;
        if (member.awaitingSince === undefined || now - member.awaitingSince >= NOTIFY_HOLD_MAX_MS) this.notifyMember(room, userId);
        else pending = true;
      }
      if (pending) this.checkHeldLater(room);
    }, NOTIFY_HOLD_MAX_MS);
    room.heldCheck.unref();
  }

  /** The held-back notification of one member, after its pull was answered. */
  private notifyMember(room: RoomState, userId: string): void {
    const member = room.members.get(userId);
    if (room.destroyed || this.closed || member === undefined || !member.online) return;
    if (!room.admitNotify(member, this.hub.registry.sessionsOf(room.appKey, userId).length === 1, this.ctx.clock.now(), room.notifiedTime)) return;
    const payload = encodeMessage(rc.NotifyMsg, { type: 2, time: room.notifiedTime, chrmId: room.roomId });
    this.metrics.notifications += this.pushTo(room.appKey, userId, 's_ntf', room.roomId, payload);
  }
}

/** A complete read that could not be kept (an append raced it): served to this member only. */
function uncachedPage(messages: readonly ChatroomMessage[], timelineTime: number, after: number): SharedPage {
  return { messages, timelineTime, syncTime: Math.max(after, timelineTime), finished: true, senders: sendersOf(messages) };
}
