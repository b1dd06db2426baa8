/**
 * Chatrooms on this node: membership (durable in the store, mirrored in RoomState), only-online delivery,
 * the drop policy, auto-kick, idle destruction and the join/quit notifications.
 *
 * Delivery model: a room message is appended to the room timeline (store) first, then every member with a
 * session on this node gets one coalesced `s_ntf{type:2, chrmId, time}` and pulls with `chrmPull`
 * (PROTOCOL.md §8.7). Members without a session receive nothing and are accounted by the auto-kick rule.
 * The fan-out writes to local sessions directly (one pass over the room's online members per flush, no
 * per-member broker publish). Across nodes (gateway/room-relay.ts) every node with the room loaded
 * subscribes `chatroom:<appKey>:<roomId>`; the node that appends publishes one `notify` per flush and
 * every other node serves its own members the same way. Joins, leaves, KV changes and destruction are
 * mirrored the same way, so kicked or banned members stop receiving on every node. Auto-kick accounting
 * runs on the appending node, which asks cluster presence before kicking a member it sees offline (the
 * member may be online on another node).
 */
import { chatroomOptionsOf, type ChatroomOptions } from '../../chatroom-options';
import type { ServerContext } from '../../context';
import type { Hub } from '../../gateway/hub';
import { RoomRelay, type RoomSignal } from '../../gateway/room-relay';
import type { ChatroomHistoryPage, ChatroomMember, ChatroomMessage } from '../../store/chatroom-repository';
import { encodeMessage, encodeUtf8, newMessageUidFor, rc } from '../wire';
import { ChatroomEventBus, type ChatroomEventCause } from './chatroom-events';
import { ChatroomMetrics, type KickReason } from './chatroom-metrics';
import type { MessagePriority } from './drop-policy';
import type { SharedPage } from './room-page-cache';
import { NOTIFY_HOLD_MAX_MS, RoomState } from './room-state';
import { incrementalPull, joinPull, PULL_PAGE_SIZE, type PullPage } from './room-pull';
import { ChatroomStatus, CommandType, MEMBER_CHANGE_OBJECT_NAME } from './room-wire';

export interface RoomMessageInput {
  readonly appKey: string;
  readonly roomId: string;
  readonly fromUserId: string;
  readonly objectName: string;
  readonly content: Uint8Array;
  readonly flags: number;
  readonly configFlag?: number;
  readonly pushContent?: string;
  readonly extraContent?: string;
}

export interface SendOutcome {
  readonly status: number;
  readonly sentTime?: number;
  readonly messageUId?: string;
}

export interface PullOutcome {
  readonly status: number;
  readonly messages?: readonly ChatroomMessage[];
  readonly syncTime?: number;
  readonly finished?: boolean;
  /** The room's shared page this answer is (room-page-cache.ts): the handler memoises its encoding there. */
  readonly shared?: SharedPage;
}

export { MAX_JOIN_HISTORY, PULL_PAGE_SIZE } from './room-pull';
const PRUNE_EVERY_MS = 600_000;
const DAY_MS = 86_400_000;

function roomKey(appKey: string, roomId: string): string {
  return `${appKey}\u0000${roomId}`;
}

export class ChatroomService {
  readonly metrics = new ChatroomMetrics();
  /** Create/join/quit/destroy, after the change is stored (App Server chatroom status sync). */
  readonly events = new ChatroomEventBus((error) => this.ctx.log.warn('chatroom event listener failed', { error: String(error) }));
  private readonly rooms = new Map<string, RoomState>();
  private readonly loading = new Map<string, Promise<RoomState | undefined>>();
  /** Loaded rooms each user is a member of, so presence changes reach them. */
  private readonly userRooms = new Map<string, Set<RoomState>>();
  private readonly stopPresence: () => void;
  private readonly relay: RoomRelay;
  private readonly sweeper: ReturnType<typeof setInterval>;
  private sweeping = false;
  private lastPrune = 0;
  private closed = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly hub: Hub,
  ) {
    this.stopPresence = hub.onLocalPresence((appKey, userId, online) => this.presenceChanged(appKey, userId, online));
    this.relay = new RoomRelay(hub.nodeId, hub.broker, (appKey, roomId, signal) => this.remoteSignal(appKey, roomId, signal), (error, context) => ctx.log.warn('chatroom relay failed', { context, error: String(error) }));
    const idle = Math.min(...ctx.apps.list().map((app) => chatroomOptionsOf(app).idleDestroyMs), 3_600_000);
    this.sweeper = setInterval(() => void this.sweep(), Math.max(20, Math.min(60_000, Math.floor(idle / 4))));
    this.sweeper.unref();
  }

  options(appKey: string): ChatroomOptions {
    return chatroomOptionsOf(this.ctx.apps.get(appKey));
  }

  /** `joinChrm` (mode 'join': creates the room when the app allows) or `joinChrmR` ('rejoin': existing rooms only). */
  async join(appKey: string, userId: string, roomId: string, mode: 'join' | 'rejoin'): Promise<{ readonly status: number; readonly joinTime?: number }> {
    const opts = this.options(appKey);
    let found = await this.room(appKey, roomId);
    if (found === undefined) {
      if (mode === 'rejoin' || !opts.autoCreate) return { status: ChatroomStatus.NotExist };
      const { created } = await this.ctx.store.chatrooms.create(appKey, roomId, '', this.ctx.clock.now());
      if (created) this.announceCreated(appKey, roomId);
      found = await this.room(appKey, roomId);
      if (found === undefined) return { status: ChatroomStatus.NotExist };
    }
    const room = found;
    if (await this.ctx.store.chatrooms.isMarked(appKey, 'block', roomId, userId, this.ctx.clock.now())) return { status: ChatroomStatus.Blocked };
    if (!opts.multiRoom) {
      // One room per user (PROTOCOL.md U21): joining another room leaves the previous ones.
      for (const other of await this.ctx.store.chatrooms.roomsOf(appKey, userId)) {
        if (other !== roomId) await this.leave(appKey, other, userId, 'evicted');
      }
    }
    return room.run(async () => {
      if (room.destroyed) return { status: ChatroomStatus.NotExist };
      if (!room.members.has(userId) && opts.maxMembers > 0 && room.members.size >= opts.maxMembers) return { status: ChatroomStatus.Full };
      const now = this.ctx.clock.now();
      const { joinTime, added } = await this.ctx.store.chatrooms.join(appKey, roomId, userId, now);
      room.addMember(userId, joinTime, this.isOnline(appKey, userId), now);
      this.index(room, userId);
      if (added) this.relay.publish(appKey, roomId, { k: 'member', userId, joined: true, joinTime });
      if (added) this.events.emit({ appKey, roomId, type: 'join', cause: 'explicit', userIds: [userId], time: now });
      if (added && opts.memberNotify) await this.memberChange(room, userId, 1);
      return { status: 0, joinTime };
    });
  }

  /** Removes a member (quit, eviction by another join, kick); false when the user was not in the room. */
  async leave(appKey: string, roomId: string, userId: string, reason: 'quit' | KickReason): Promise<boolean> {
    const room = await this.room(appKey, roomId);
    if (room === undefined) return false;
    return room.run(() => this.removeMember(room, userId, reason));
  }

  /** Whether `userId` is in the room; undefined when the room does not exist. */
  async isMember(appKey: string, roomId: string, userId: string): Promise<boolean | undefined> {
    const room = await this.room(appKey, roomId);
    return room === undefined ? undefined : room.members.has(userId);
  }

  /**
   * A room message. From a client (`source` 'client'): the sender must be a member, not gagged, banned or
   * muted, and the drop policy applies — a dropped message is still acknowledged as sent (the sender cannot
   * tell; the real service behaves so) and counted in `metrics.dropped`. From the Server API: none of that.
   */
  async send(input: RoomMessageInput, source: 'client' | 'server'): Promise<SendOutcome> {
    const room = await this.room(input.appKey, input.roomId);
    if (room === undefined) return { status: ChatroomStatus.NotExist };
    return room.run(async () => {
      if (room.destroyed) return { status: ChatroomStatus.NotExist };
      const now = this.ctx.clock.now();
      if (source === 'client') {
        if (!room.members.has(input.fromUserId)) return { status: ChatroomStatus.NotInRoom };
        const standing = await this.ctx.store.chatrooms.standing(input.appKey, input.roomId, input.fromUserId, input.objectName, now);
        if (standing.silenced || standing.roomMuted) return { status: ChatroomStatus.Muted };
        const priority: MessagePriority = room.protectedUsers.has(input.fromUserId) || standing.whitelistedType ? 'protected' : standing.lowPriority ? 'low' : 'high';
        if (!room.quota.admit(priority, now)) {
          if (priority !== 'protected') this.metrics.dropped[priority]++;
          return { status: 0, sentTime: now, messageUId: newMessageUidFor(now) };
        }
        this.metrics.accepted[priority]++;
      }
      const stored = await this.append(room, input, now, true);
      return { status: 0, sentTime: stored.sentTime, messageUId: stored.uid };
    });
  }

  /** `chrmPull`: join history when `syncTime` ≤ 0, else everything newer than it but the requester's own. */
  async pull(appKey: string, userId: string, roomId: string, syncTime: number, count: number): Promise<PullOutcome> {
    const room = await this.room(appKey, roomId);
    if (room === undefined) return { status: ChatroomStatus.NotExist };
    if (!room.members.has(userId)) return { status: ChatroomStatus.NotInRoom };
    const page = syncTime <= 0
      ? await joinPull(this.ctx.store.chatrooms, appKey, roomId, userId, room.members.get(userId)?.joinTime ?? 0, count)
      : await this.sharedPull(room, userId, syncTime);
    // After the answer is written (the handler writes it when this resolves): the notification held back
    // while this pull was due (RoomState.admitNotify).
    // A truncated page is continued by the client (E4) or by the handler's own s_ntf (L2): still due.
    if (page.finished !== false && room.pulled(userId, page.syncTime)) setImmediate(() => this.notifyMember(room, userId));
    return { status: 0, ...page };
  }

  /**
   * An incremental pull through the room's page cache: one store read per (room, cursor) between two
   * appends instead of one per member. Same answer as incrementalPull (room-page-cache.ts invariants).
   */
  private async sharedPull(room: RoomState, userId: string, syncTime: number): Promise<PullPage & { readonly shared?: SharedPage }> {
    let page = room.pages.get(syncTime);
    if (page === undefined) {
      const version = room.pages.version;
      const read = await this.ctx.store.chatrooms.since(room.appKey, room.roomId, syncTime, PULL_PAGE_SIZE);
      if (read.hasMore) return incrementalPull(this.ctx.store.chatrooms, room.appKey, room.roomId, userId, syncTime);
      room.pages.keep(syncTime, read.messages, read.timelineTime, version);
      page = room.pages.get(syncTime) ?? { messages: read.messages, timelineTime: read.timelineTime, senders: new Set(read.messages.map((m) => m.fromUserId)) };
    }
    const synced = Math.max(syncTime, page.timelineTime);
    if (page.senders.has(userId)) return { messages: page.messages.filter((m) => m.fromUserId !== userId), syncTime: synced, finished: true };
    return { messages: page.messages, syncTime: synced, finished: true, shared: page };
  }

  /** Member total and up to `limit` members by join time (the store's view: durable membership). */
  members(appKey: string, roomId: string, limit: number, order: 'asc' | 'desc'): Promise<{ readonly total: number; readonly members: readonly ChatroomMember[] }> {
    return this.ctx.store.chatrooms.members(appKey, roomId, limit, order);
  }

  /** Persisted room messages, newest first (`qryCHMsg`). */
  history(appKey: string, roomId: string, time: number, count: number, order: 0 | 1): Promise<ChatroomHistoryPage> {
    return this.ctx.store.chatrooms.history(appKey, roomId, time, count, order);
  }

  /** Destroys a room (Server API or idle sweep); members online here get `s_cmd{type:4}`. */
  async destroy(appKey: string, roomId: string, reason: 'api' | 'idle'): Promise<boolean> {
    const room = await this.room(appKey, roomId);
    if (room === undefined) return false;
    return room.run(async () => {
      if (room.destroyed) return false;
      const now = this.ctx.clock.now();
      if (reason === 'idle') {
        const record = await this.ctx.store.chatrooms.get(appKey, roomId);
        if (record === undefined || record.keepalive || record.activeTime >= now - this.options(appKey).idleDestroyMs) return false;
      }
      const members = await this.ctx.store.chatrooms.destroy(appKey, roomId);
      room.destroyed = true;
      this.rooms.delete(roomKey(appKey, roomId));
      for (const userId of room.members.keys()) this.unindex(room, userId);
      void this.relay.unwatch(appKey, roomId);
      if (members === undefined) return false;
      this.relay.publish(appKey, roomId, { k: 'destroy', time: now });
      const payload = encodeMessage(rc.NotifyMsg, { type: CommandType.RoomDestroyed, time: now, chrmId: roomId });
      for (const userId of members) this.pushTo(appKey, userId, 's_cmd', roomId, payload);
      this.metrics.destroyed++;
      this.events.emit({ appKey, roomId, type: 'destroy', cause: reason === 'idle' ? 'auto-destroy' : 'explicit', userIds: [], time: now });
      return true;
    });
  }

  /** Reports a room the Server API created in the store (`chatroom/create`, `create_new`) to event listeners. */
  announceCreated(appKey: string, roomId: string): void {
    this.events.emit({ appKey, roomId, type: 'create', cause: 'explicit', userIds: [], time: this.ctx.clock.now() });
  }

  /** Applies a user-whitelist change (already stored) to the loaded room. */
  async refreshProtected(appKey: string, roomId: string): Promise<void> {
    const room = this.rooms.get(roomKey(appKey, roomId));
    if (room === undefined) return;
    const marks = await this.ctx.store.chatrooms.marks(appKey, 'whitelist', roomId, this.ctx.clock.now());
    room.protectedUsers.clear();
    for (const mark of marks) room.protectedUsers.add(mark.userId);
    this.relay.publish(appKey, roomId, { k: 'whitelist' });
  }

  /** Tells the room's members online here (but `exceptUserId`) that KV entries changed up to `time`. */
  announceEntries(appKey: string, roomId: string, time: number, exceptUserId: string): void {
    this.relay.publish(appKey, roomId, { k: 'kv', time, except: exceptUserId });
    this.pushEntries(appKey, roomId, time, exceptUserId);
  }

  private pushEntries(appKey: string, roomId: string, time: number, exceptUserId: string): void {
    const room = this.rooms.get(roomKey(appKey, roomId));
    if (room === undefined) return;
    const payload = encodeMessage(rc.NotifyMsg, { type: CommandType.KvChanged, time, chrmId: roomId });
    for (const userId of room.onlineMembers()) if (userId !== exceptUserId) this.pushTo(appKey, userId, 's_cmd', roomId, payload);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    this.stopPresence();
    void this.relay.close();
  }

  private async room(appKey: string, roomId: string): Promise<RoomState | undefined> {
    const key = roomKey(appKey, roomId);
    const loaded = this.rooms.get(key);
    if (loaded !== undefined) return loaded;
    let pending = this.loading.get(key);
    if (pending === undefined) {
      pending = this.load(appKey, roomId).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async load(appKey: string, roomId: string): Promise<RoomState | undefined> {
    const chatrooms = this.ctx.store.chatrooms;
    if ((await chatrooms.get(appKey, roomId)) === undefined) return undefined;
    // Subscribed before membership is read: a change committed after the read arrives as a signal
    // (applied once the room is loaded, see remoteSignal), one committed before is in the read.
    await this.relay.watch(appKey, roomId);
    const opts = this.options(appKey);
    const room = new RoomState(appKey, roomId, { windowMs: opts.quotaWindowMs, high: opts.quotaHigh, shared: opts.quotaShared });
    const now = this.ctx.clock.now();
    const { members } = await chatrooms.members(appKey, roomId, Number.MAX_SAFE_INTEGER, 'asc');
    // Members without a session here count as offline from now (e.g. after a restart).
    for (const member of members) {
      room.addMember(member.userId, member.joinTime, this.isOnline(appKey, member.userId), now);
      this.index(room, member.userId);
    }
    for (const mark of await chatrooms.marks(appKey, 'whitelist', roomId, now)) room.protectedUsers.add(mark.userId);
    this.rooms.set(roomKey(appKey, roomId), room);
    return room;
  }

  /** Call with the room's queue held. */
  private async removeMember(room: RoomState, userId: string, reason: 'quit' | KickReason): Promise<boolean> {
    if (room.destroyed) return false;
    const { appKey, roomId } = room;
    const was = await this.ctx.store.chatrooms.leave(appKey, roomId, userId);
    room.removeMember(userId);
    this.unindex(room, userId);
    if (!was) return false;
    this.relay.publish(appKey, roomId, { k: 'member', userId, joined: false });
    const cause: ChatroomEventCause = reason === 'offline' || reason === 'missed' ? 'auto-kick' : reason === 'blocked' ? 'blocked' : 'explicit';
    this.events.emit({ appKey, roomId, type: 'quit', cause, userIds: [userId], time: this.ctx.clock.now() });
    if (reason !== 'quit') this.metrics.kicked[reason]++;
    const removed = await this.ctx.store.chatrooms.removeAutoDeleteEntries(appKey, roomId, userId, this.ctx.clock.now());
    const newest = removed[removed.length - 1];
    if (newest !== undefined) this.announceEntries(appKey, roomId, newest.updatedTime, userId);
    if (this.options(appKey).memberNotify) await this.memberChange(room, userId, 0);
    return true;
  }

  /** Call with the room's queue held. Appends, schedules the notification, applies the auto-kick rule. */
  private async append(room: RoomState, input: RoomMessageInput, now: number, countsForKick: boolean): Promise<ChatroomMessage> {
    const stored = await this.ctx.store.chatrooms.append({ ...input, now });
    room.pages.invalidate();
    this.scheduleNotify(room, stored.sentTime, stored.fromUserId);
    if (countsForKick) {
      const opts = this.options(room.appKey);
      for (const { userId, reason } of room.accountMessage(now, { offlineMs: opts.kickOfflineMs, missedMessages: opts.kickMissedMessages })) {
        if (await this.onlineElsewhere(room.appKey, userId)) {
          // Online on another node: this node's offline accounting does not apply; start it over.
          room.setOnline(userId, true, now);
          room.setOnline(userId, false, now);
          continue;
        }
        await this.removeMember(room, userId, reason);
      }
    }
    return stored;
  }

  private async memberChange(room: RoomState, userId: string, status: 0 | 1): Promise<void> {
    const content = encodeUtf8(JSON.stringify({ userList: [{ userId, status }], memberCount: room.members.size }));
    const input = { appKey: room.appKey, roomId: room.roomId, fromUserId: userId, objectName: MEMBER_CHANGE_OBJECT_NAME, content, flags: 0 };
    await this.append(room, input, this.ctx.clock.now(), false);
  }

  /**
   * Coalesces notifications: messages appended in the same turn of the event loop produce one `s_ntf` per
   * online member, carrying the newest time. A member who is the only sender of the batch is skipped (its
   * pulls leave its own messages out, PROTOCOL.md U20).
   */
  private scheduleNotify(room: RoomState, time: number, sender: string): void {
    const pending = room.pendingNotify;
    if (pending !== undefined) {
      pending.time = Math.max(pending.time, time);
      pending.senders.add(sender);
      return;
    }
    room.pendingNotify = { time, senders: new Set([sender]) };
    setImmediate(() => this.flushNotify(room));
  }

  private flushNotify(room: RoomState): void {
    const pending = room.pendingNotify;
    room.pendingNotify = undefined;
    if (pending === undefined || room.destroyed || this.closed) return;
    this.relay.publish(room.appKey, room.roomId, { k: 'notify', time: pending.time, senders: [...pending.senders] });
    this.notifyLocal(room, pending.time, pending.senders);
  }

  /**
   * One `s_ntf{type:2}` to each member online on this node, but a sole sender of the batch and members
   * whose pull of an earlier notification is still due (RoomState.admitNotify).
   */
  private notifyLocal(room: RoomState, time: number, senders: ReadonlySet<string>): void {
    if (time > room.notifiedTime) room.notifiedTime = time;
    const payload = encodeMessage(rc.NotifyMsg, { type: 2, time: room.notifiedTime, chrmId: room.roomId });
    const soleSender = senders.size === 1 ? senders.values().next().value : undefined;
    const now = this.ctx.clock.now();
    let held = false;
    for (const [userId, member] of room.members) {
      if (!member.online || userId === soleSender) continue;
      if (!room.admitNotify(member, this.hub.registry.sessionsOf(room.appKey, userId).length === 1, now, room.notifiedTime)) {
        if (member.held) held = true;
        continue;
      }
      this.metrics.notifications += this.pushTo(room.appKey, userId, 's_ntf', room.roomId, payload);
    }
    if (held) this.checkHeldLater(room);
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

  private pushTo(appKey: string, userId: string, topic: string, targetId: string, payload: Uint8Array): number {
    const sessions = this.hub.registry.sessionsOf(appKey, userId);
    for (const session of sessions) {
      try {
        session.deliver({ kind: 'push', topic, targetId, payload, qos: 1 });
      } catch (error) {
        this.ctx.log.warn('chatroom push failed', { appKey, userId, topic, error: String(error) });
      }
    }
    return sessions.length;
  }

  /** Cluster presence says the user has a session on another node (never true on a single node). */
  private async onlineElsewhere(appKey: string, userId: string): Promise<boolean> {
    try {
      return (await this.hub.sessionsOf(appKey, userId)).some((s) => s.nodeId !== this.hub.nodeId);
    } catch (error) {
      // Presence unreachable: do not kick on a guess.
      this.ctx.log.warn('chatroom presence check failed', { appKey, userId, error: String(error) });
      return true;
    }
  }

  /** A signal from another node serving the room (room-relay.ts); applied after any load in progress. */
  private remoteSignal(appKey: string, roomId: string, signal: RoomSignal): void {
    const key = roomKey(appKey, roomId);
    const loaded = this.rooms.get(key);
    if (loaded !== undefined) {
      this.applySignal(loaded, signal);
      return;
    }
    void this.loading.get(key)?.then((room) => {
      if (room !== undefined) this.applySignal(room, signal);
    });
  }

  private applySignal(room: RoomState, signal: RoomSignal): void {
    if (room.destroyed || this.closed) return;
    const { appKey, roomId } = room;
    const now = this.ctx.clock.now();
    switch (signal.k) {
      case 'notify':
        room.pages.invalidate();
        this.notifyLocal(room, signal.time, new Set(signal.senders));
        return;
      case 'member':
        if (signal.joined) {
          room.addMember(signal.userId, signal.joinTime ?? now, this.isOnline(appKey, signal.userId), now);
          this.index(room, signal.userId);
        } else {
          room.removeMember(signal.userId);
          this.unindex(room, signal.userId);
        }
        return;
      case 'kv':
        this.pushEntries(appKey, roomId, signal.time, signal.except);
        return;
      case 'whitelist':
        void this.ctx.store.chatrooms.marks(appKey, 'whitelist', roomId, now).then((marks) => {
          room.protectedUsers.clear();
          for (const mark of marks) room.protectedUsers.add(mark.userId);
        }, (error: unknown) => this.ctx.log.warn('chatroom whitelist reload failed', { error: String(error) }));
        return;
      case 'destroy': {
        room.destroyed = true;
        this.rooms.delete(roomKey(appKey, roomId));
        const payload = encodeMessage(rc.NotifyMsg, { type: CommandType.RoomDestroyed, time: signal.time, chrmId: roomId });
        for (const userId of room.members.keys()) {
          this.unindex(room, userId);
          this.pushTo(appKey, userId, 's_cmd', roomId, payload);
        }
        void this.relay.unwatch(appKey, roomId);
        return;
      }
    }
  }

  private isOnline(appKey: string, userId: string): boolean {
    return this.hub.registry.sessionsOf(appKey, userId).length > 0;
  }

  private presenceChanged(appKey: string, userId: string, online: boolean): void {
    const rooms = this.userRooms.get(roomKey(appKey, userId));
    if (rooms === undefined) return;
    const now = this.ctx.clock.now();
    for (const room of rooms) room.setOnline(userId, online, now);
  }

  private index(room: RoomState, userId: string): void {
    const key = roomKey(room.appKey, userId);
    let rooms = this.userRooms.get(key);
    if (rooms === undefined) {
      rooms = new Set();
      this.userRooms.set(key, rooms);
    }
    rooms.add(room);
  }

  private unindex(room: RoomState, userId: string): void {
    const key = roomKey(room.appKey, userId);
    const rooms = this.userRooms.get(key);
    if (rooms === undefined) return;
    rooms.delete(room);
    if (rooms.size === 0) this.userRooms.delete(key);
  }

  /** Idle destruction per app, and (every 10 min) timeline retention. Never overlaps itself. */
  private async sweep(): Promise<void> {
    if (this.closed || this.sweeping) return;
    this.sweeping = true;
    try {
      const now = this.ctx.clock.now();
      for (const app of this.ctx.apps.list()) {
        const opts = chatroomOptionsOf(app);
        for (const roomId of await this.ctx.store.chatrooms.idle(app.appKey, now - opts.idleDestroyMs, 100)) {
          if (this.closed) return;
          await this.destroy(app.appKey, roomId, 'idle');
        }
      }
      if (now - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = now;
        const days = Math.max(...this.ctx.apps.list().map((app) => chatroomOptionsOf(app).historyRetentionDays), 1);
        await this.ctx.store.chatrooms.pruneMessages(now - days * DAY_MS);
      }
    } catch (error) {
      if (!this.closed) this.ctx.log.warn('chatroom sweep failed', { error: String(error) });
    } finally {
      this.sweeping = false;
    }
  }
}
