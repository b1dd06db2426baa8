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
 * member may be online on another node). Notification flow control and pulls: room-flow.ts; applying
 * other nodes' signals: room-signals.ts. Membership changes and the user index stay here.
 */
import { chatroomOptionsOf, type ChatroomOptions } from '../../chatroom-options';
import type { ServerContext } from '../../context';
import type { Hub } from '../../gateway/hub';
import { RoomRelay } from '../../gateway/room-relay';
import type { ChatroomHistoryPage, ChatroomMember, ChatroomMessage } from '../../store/chatroom-repository';
import { encodeMessage, encodeUtf8, newMessageUidFor, rc } from '../wire';
import { ChatroomEventBus, type ChatroomEventCause } from './chatroom-events';
import { ChatroomMetrics, type KickReason } from './chatroom-metrics';
import type { MessagePriority } from './drop-policy';
import type { SharedPage } from './room-page-cache';
import { RoomFlow } from './room-flow';
import { renotifyMsFromEnv, sweepCadence } from './room-renotify';
import { receiveRoomSignal, type RoomSignalHost } from './room-signals';
import { RoomState } from './room-state';
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

export interface ChatroomServiceOptions {
  /**
   * A member notified of room data it has not pulled within this long gets the room `s_ntf` again
   * (room-renotify.ts). Default: `LIANXIN_RENOTIFY_MS` (the gateway's inbox value), else 35 s.
   */
  readonly renotifyMs?: number;
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
  private readonly flow: RoomFlow;
  /** This service as room-signals.ts sees it: other nodes' signals mirror into these rooms. */
  private readonly signals: RoomSignalHost;
  private readonly sweeper: ReturnType<typeof setInterval>;
  private readonly renotifyMs: number;
  /** Idle destruction runs every this many sweep ticks (the tick also serves the re-notify delay). */
  private readonly idleEveryTicks: number;
  private ticks = 0;
  private sweeping = false;
  private lastPrune = 0;
  private closed = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly hub: Hub,
    options: ChatroomServiceOptions = {},
  ) {
    this.renotifyMs = options.renotifyMs ?? renotifyMsFromEnv(process.env);
    this.stopPresence = hub.onLocalPresence((appKey, userId, online) => this.presenceChanged(appKey, userId, online));
    // Signals only arrive once a room is watched (load), i.e. after this constructor: `signals` is set by then.
    this.relay = new RoomRelay(hub.nodeId, hub.broker, (appKey, roomId, signal) => receiveRoomSignal(this.signals, appKey, roomId, signal), (error, context) => ctx.log.warn('chatroom relay failed', { context, error: String(error) }));
    this.flow = new RoomFlow(ctx, hub, this.metrics, this.relay);
    this.signals = {
      ctx, relay: this.relay, flow: this.flow, isClosed: () => this.closed,
      loaded: (appKey, roomId) => this.rooms.get(roomKey(appKey, roomId)),
      loading: (appKey, roomId) => this.loading.get(roomKey(appKey, roomId)),
      forget: (room) => void this.rooms.delete(roomKey(room.appKey, room.roomId)),
      index: (room, userId) => this.index(room, userId), unindex: (room, userId) => this.unindex(room, userId),
      isOnline: (appKey, userId) => this.isOnline(appKey, userId), pushEntries: (...args) => this.pushEntries(...args),
    };
    const idle = Math.min(...ctx.apps.list().map((app) => chatroomOptionsOf(app).idleDestroyMs), 3_600_000);
    const { tickMs, idleEveryTicks } = sweepCadence(idle, this.renotifyMs);
    this.idleEveryTicks = idleEveryTicks;
    this.sweeper = setInterval(() => this.tick(), tickMs);
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
    // The room's queue is held until the append is queued in the store, not until it commits: the store
    // commits in call order (both engines group-commit), so the room's next sends can join the same
    // transaction while the answer still waits for this one's COMMIT.
    const queued = await room.run(async (): Promise<SendOutcome | { readonly committed: Promise<ChatroomMessage> }> => {
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
      return this.append(room, input, now, true);
    });
    if (!('committed' in queued)) return queued;
    const stored = await queued.committed;
    return { status: 0, sentTime: stored.sentTime, messageUId: stored.uid };
  }

  /** `chrmPull`: join history when `syncTime` ≤ 0, else everything newer than it but the requester's own. */
  async pull(appKey: string, userId: string, roomId: string, syncTime: number, count: number): Promise<PullOutcome> {
    const room = await this.room(appKey, roomId);
    if (room === undefined) return { status: ChatroomStatus.NotExist };
    if (!room.members.has(userId)) return { status: ChatroomStatus.NotInRoom };
    return { status: 0, ...await this.flow.pull(room, userId, syncTime, count) };
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
      await room.appended;
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
      for (const userId of members) this.flow.pushTo(appKey, userId, 's_cmd', roomId, payload);
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
    for (const userId of room.onlineMembers()) if (userId !== exceptUserId) this.flow.pushTo(appKey, userId, 's_cmd', roomId, payload);
  }

  close(): void {
    this.closed = true;
    this.flow.close();
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

  /**
   * Call with the room's queue held. Queues the append in the store and applies the auto-kick rule;
   * `committed` resolves after the COMMIT, once the notification is scheduled.
   */
  private async append(room: RoomState, input: RoomMessageInput, now: number, countsForKick: boolean): Promise<{ readonly committed: Promise<ChatroomMessage> }> {
    const committed = this.ctx.store.chatrooms.append({ ...input, now }).then((stored) => {
      room.pages.invalidate();
      this.flow.schedule(room, stored.sentTime, stored.fromUserId);
      return stored;
    });
    room.appended = committed.then(() => undefined, () => undefined);
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
    return { committed };
  }

  private async memberChange(room: RoomState, userId: string, status: 0 | 1): Promise<void> {
    const content = encodeUtf8(JSON.stringify({ userList: [{ userId, status }], memberCount: room.members.size }));
    const input = { appKey: room.appKey, roomId: room.roomId, fromUserId: userId, objectName: MEMBER_CHANGE_OBJECT_NAME, content, flags: 0 };
    await (await this.append(room, input, this.ctx.clock.now(), false)).committed;
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

  /** One sweep tick: re-notifies (synchronous, field checks per room) and, every idleEveryTicks, the store sweep. */
  private tick(): void {
    if (this.closed) return;
    const now = this.ctx.clock.now();
    let renotified = 0;
    for (const room of this.rooms.values()) renotified += this.flow.renotify(room, now, this.renotifyMs);
    if (renotified > 0) this.ctx.log.debug('chatroom re-notified', { members: renotified });
    this.ticks += 1;
    if (this.ticks >= this.idleEveryTicks) {
      this.ticks = 0;
      void this.sweep();
    }
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
        // Kept pull pages may hold pruned messages (room-page-cache.ts keeps truncated pages across appends).
        for (const room of this.rooms.values()) room.pages.clear();
      }
    } catch (error) {
      if (!this.closed) this.ctx.log.warn('chatroom sweep failed', { error: String(error) });
    } finally {
      this.sweeping = false;
    }
  }
}
