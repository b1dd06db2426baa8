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
 * other nodes' signals: room-signals.ts, and re-reading rooms when some may have been lost: room-resync.ts; the loaded rooms and the per-user index: room-registry.ts; the
 * re-notify and idle/retention timer: room-sweeper.ts; recalls and history clears: room-history-edits.ts.
 * Membership changes and message intake stay here.
 */
import { chatroomOptionsOf, type ChatroomOptions } from '../../chatroom-options';
import type { ServerContext } from '../../context';
import type { Hub } from '../../gateway/hub';
import { RoomRelay } from '../../gateway/room-relay';
import { ROOM_FLAG_INCLUDE_SENDER, type ChatroomHistoryPage, type ChatroomMember, type ChatroomMessage, type SenderStanding } from '../../store/chatroom-repository';
import { encodeMessage, encodeUtf8, newMessageUidFor, rc } from '../wire';
import { ChatroomEventBus, type ChatroomEventCause } from './chatroom-events';
import { ChatroomMetrics, type KickReason } from './chatroom-metrics';
import type { MessagePriority } from './drop-policy';
import type { SharedPage } from './room-page-cache';
import { RoomFlow } from './room-flow';
import { clearRoomHistory, recallRoomMessage, type RoomEditHost, type RoomRecallInput } from './room-history-edits';
import { RoomRegistry } from './room-registry';
import { renotifyMsFromEnv } from './room-renotify';
import { resyncRooms } from './room-resync';
import { receiveRoomSignal, type RoomSignalHost } from './room-signals';
import { keepNewestRoom } from './one-room-per-user';
import type { RoomState } from './room-state';
import { RoomSweeper } from './room-sweeper';
import { encodeDownStream } from '../downstream-encode';
import { ChatroomStatus, CommandType, MEMBER_CHANGE_OBJECT_NAME, NOTICE_SENDER, outcomeOf, roomDownStream, type SendOutcome } from './room-wire';

/** The "sender" of an appended message no member is to be spared the notification of ('' is no user id). */
const NO_SENDER = '';

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
  /**
   * The sender's own pulls include the message (Server API `isIncludeSender=1`); stored as
   * ROOM_FLAG_INCLUDE_SENDER, a bit `flags` can never set by itself (send() clears it).
   */
  readonly includeSender?: boolean;
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
export type { RoomRecallInput } from './room-history-edits';
export type { SendOutcome } from './room-wire';

export class ChatroomService {
  readonly metrics = new ChatroomMetrics();
  /** Create/join/quit/destroy, after the change is stored (App Server chatroom status sync). */
  readonly events = new ChatroomEventBus((error) => this.ctx.log.warn('chatroom event listener failed', { error: String(error) }));
  private readonly stopPresence: () => void;
  private readonly relay: RoomRelay;
  private readonly rooms: RoomRegistry;
  private readonly flow: RoomFlow;
  /** This service as room-signals.ts sees it: other nodes' signals mirror into these rooms. */
  private readonly signals: RoomSignalHost;
  private readonly sweeper: RoomSweeper;
  /** This service as room-history-edits.ts sees it. */
  private readonly editHost: RoomEditHost;
  private closed = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly hub: Hub,
    options: ChatroomServiceOptions = {},
  ) {
    const renotifyMs = options.renotifyMs ?? renotifyMsFromEnv(process.env);
    // Signals only arrive once a room is watched (load), i.e. after this constructor: `signals` is set by then.
    this.relay = new RoomRelay(
      hub.nodeId, hub.broker, (appKey, roomId, signal) => receiveRoomSignal(this.signals, appKey, roomId, signal),
      (error, context) => ctx.log.warn('chatroom relay failed', { context, error: String(error) }),
      // Signals of other nodes may have been lost while the broker was unreachable: re-read every room loaded here.
      () => void resyncRooms(this.signals, [...this.rooms.all()]),
    );
    const rooms = new RoomRegistry(ctx, hub, this.relay);
    this.rooms = rooms;
    this.stopPresence = hub.onLocalPresence((appKey, userId, online) => rooms.presenceChanged(appKey, userId, online));
    this.flow = new RoomFlow(ctx, hub, this.metrics, this.relay);
    this.signals = {
      ctx, relay: this.relay, flow: this.flow, isClosed: () => this.closed,
      loaded: (appKey, roomId) => rooms.loaded(appKey, roomId),
      loading: (appKey, roomId) => rooms.loadingOf(appKey, roomId),
      forget: (room) => rooms.forget(room),
      index: (room, userId) => rooms.index(room, userId), unindex: (room, userId) => rooms.unindex(room, userId),
      isOnline: (appKey, userId) => rooms.isOnline(appKey, userId), pushEntries: (...args) => this.pushEntries(...args),
    };
    this.editHost = { ctx, relay: this.relay, room: (appKey, roomId) => rooms.room(appKey, roomId), append: (...args) => this.append(...args) };
    this.sweeper = new RoomSweeper({ ctx, flow: this.flow, rooms: () => rooms.all(), destroyIdle: (appKey, roomId) => this.destroy(appKey, roomId, 'idle'), destroyTimed: (appKey, roomId) => this.destroy(appKey, roomId, 'timed') }, renotifyMs);
  }

  options(appKey: string): ChatroomOptions {
    return chatroomOptionsOf(this.ctx.apps.get(appKey));
  }

  /** `joinChrm` (mode 'join': creates the room when the app allows) or `joinChrmR` ('rejoin': existing rooms only). */
  async join(appKey: string, userId: string, roomId: string, mode: 'join' | 'rejoin'): Promise<{ readonly status: number; readonly joinTime?: number }> {
    const opts = this.options(appKey);
    let found = await this.rooms.room(appKey, roomId);
    if (found === undefined) {
      if (mode === 'rejoin' || !opts.autoCreate) return { status: ChatroomStatus.NotExist };
      const { created } = await this.ctx.store.chatrooms.create(appKey, roomId, '', this.ctx.clock.now());
      if (created) this.announceCreated(appKey, roomId);
      found = await this.rooms.room(appKey, roomId);
      if (found === undefined) return { status: ChatroomStatus.NotExist };
    }
    const room = found;
    if (await this.ctx.store.chatrooms.isMarked(appKey, 'block', roomId, userId, this.ctx.clock.now())) return { status: ChatroomStatus.Blocked };
    const joined = await room.run(async () => {
      if (room.destroyed) return { status: ChatroomStatus.NotExist };
      if (!room.members.has(userId) && opts.maxMembers > 0 && room.members.size >= opts.maxMembers) return { status: ChatroomStatus.Full };
      const now = this.ctx.clock.now();
      // The store checks the cap again in the write: another node's joins are not in this node's copy of the room.
      const { joinTime, added, full } = await this.ctx.store.chatrooms.join(appKey, roomId, userId, now, opts.maxMembers);
      if (full === true) return { status: ChatroomStatus.Full };
      room.addMember(userId, joinTime, this.rooms.isOnline(appKey, userId), now);
      this.rooms.index(room, userId);
      if (added) this.relay.publish(appKey, roomId, { k: 'member', userId, joined: true, joinTime });
      if (added) this.events.emit({ appKey, roomId, type: 'join', cause: 'explicit', userIds: [userId], time: now });
      if (added && opts.memberNotify) await this.memberChange(room, userId, 1);
      return { status: 0, joinTime };
    });
    if (joined.status !== 0 || joined.joinTime === undefined) return joined;
    // The block is checked again once the join is in: one written meanwhile on another node may have removed the
    // members before this join's write (its check came first), which would then stay a member.
    if (await this.ctx.store.chatrooms.isMarked(appKey, 'block', roomId, userId, this.ctx.clock.now())) {
      await this.leave(appKey, roomId, userId, 'blocked');
      return { status: ChatroomStatus.Blocked };
    }
    if (!opts.multiRoom) await keepNewestRoom(this.ctx.store.chatrooms, (other) => this.leave(appKey, other, userId, 'evicted'), appKey, roomId, userId, joined.joinTime);
    return { status: 0, joinTime: joined.joinTime };
  }

  /**
   * A client's `exitChrm`. Membership is per user, as the real service keeps it: while another session of the
   * user is logged in (on any node), quitting on one device leaves the user in the room — the other devices keep
   * receiving it, and the one that quit ignores it (API_CHECKLIST §3.10 `quitChatRoom`, rule 62; seed L7473-7479:
   * "如在一端退出聊天室，其他端不会同步退出"). The last device's quit removes the member.
   */
  async quit(appKey: string, roomId: string, userId: string, sessionId: string): Promise<void> {
    if (await this.loggedInElsewhere(appKey, userId, sessionId)) return;
    await this.leave(appKey, roomId, userId, 'quit');
  }

  /** Removes a member (quit, eviction by another join, kick); false when the user was not in the room. */
  async leave(appKey: string, roomId: string, userId: string, reason: 'quit' | KickReason): Promise<boolean> {
    const room = await this.rooms.room(appKey, roomId);
    if (room === undefined) return false;
    return room.run(() => this.removeMember(room, userId, reason));
  }

  /**
   * Whether `userId` is a member by the store, the truth in a cluster (this node's copy of the room may still hold a
   * member another node removed while its join's signal was on the way); undefined when the room does not exist.
   */
  async isStoredMember(appKey: string, roomId: string, userId: string): Promise<boolean | undefined> {
    if ((await this.rooms.room(appKey, roomId)) === undefined) return undefined;
    return (await this.ctx.store.chatrooms.memberJoinTime(appKey, roomId, userId)) !== undefined;
  }

  /** Whether `userId` is in the room; undefined when the room does not exist. */
  async isMember(appKey: string, roomId: string, userId: string): Promise<boolean | undefined> {
    const room = await this.rooms.room(appKey, roomId);
    return room === undefined ? undefined : room.members.has(userId);
  }

  /**
   * A room message. From a client (`source` 'client'): the sender must be a member, not gagged, banned or
   * muted, and the drop policy applies — a dropped message is still acknowledged as sent (the sender cannot
   * tell; the real service behaves so) and counted in `metrics.dropped`. From the Server API: none of that.
   */
  async send(request: RoomMessageInput, source: 'client' | 'server'): Promise<SendOutcome> {
    // Client flags (sessionId, KV notification flags) are passed through as they come: the server-only bit is
    // cleared, and set only when asked for explicitly.
    const { includeSender, ...fields } = request;
    const input = { ...fields, flags: (request.flags & ~ROOM_FLAG_INCLUDE_SENDER) | (includeSender === true ? ROOM_FLAG_INCLUDE_SENDER : 0) };
    const room = await this.rooms.room(input.appKey, input.roomId);
    if (room === undefined) return { status: ChatroomStatus.NotExist };
    // The room's queue is held until the append is queued in the store, not until it commits: the store
    // commits in call order (both engines group-commit), so the room's next sends can join the same
    // transaction while the answer still waits for this one's COMMIT.
    const queued = await room.run(async (): Promise<SendOutcome | { readonly committed: Promise<ChatroomMessage> }> => {
      if (room.destroyed) return { status: ChatroomStatus.NotExist };
      const now = this.ctx.clock.now();
      if (source === 'client') {
        const standing = await this.clientStanding(room, input.appKey, input.roomId, input.fromUserId, input.objectName, now);
        if (typeof standing === 'number') return { status: standing };
        const priority: MessagePriority = room.protectedUsers.has(input.fromUserId) || standing.whitelistedType ? 'protected' : standing.lowPriority ? 'low' : 'high';
        if (!room.quota.admit(priority, now)) {
          if (priority !== 'protected') this.metrics.dropped[priority]++;
          return { status: 0, sentTime: now, messageUId: newMessageUidFor(now) };
        }
        this.metrics.accepted[priority]++;
      }
      return this.append(room, input, now, true);
    });
    return outcomeOf(queued);
  }

  /**
   * Why `userId` may not post `objectName` to the room now, with the status send(…, 'client') would answer
   * (23410 no room, 23406 not a member, 23408 gagged, banned or the room muted), or 0. Appends nothing: for a
   * change that must be refused before it is applied when its message may not be posted (a KV notification).
   */
  async clientRefusal(appKey: string, roomId: string, userId: string, objectName: string): Promise<number> {
    const room = await this.rooms.room(appKey, roomId);
    if (room === undefined || room.destroyed) return ChatroomStatus.NotExist;
    const standing = await this.clientStanding(room, appKey, roomId, userId, objectName, this.ctx.clock.now());
    return typeof standing === 'number' ? standing : 0;
  }

  /** A member's standing in `room` for posting `objectName`, or the status refusing it (23406 not a member, 23408 gagged, banned or the room muted). */
  private async clientStanding(room: RoomState, appKey: string, roomId: string, userId: string, objectName: string, now: number): Promise<SenderStanding | number> {
    if (!room.members.has(userId)) return ChatroomStatus.NotInRoom;
    const standing = await this.ctx.store.chatrooms.standing(appKey, roomId, userId, objectName, now);
    return standing.silenced || standing.roomMuted ? ChatroomStatus.Muted : standing;
  }

  /** Recalls a room message (room-history-edits.ts). */
  recall(input: RoomRecallInput): Promise<SendOutcome> {
    return recallRoomMessage(this.editHost, input);
  }

  /** Clears the room's stored history up to `upTo` (room-history-edits.ts); false when the room does not exist. */
  clearHistory(appKey: string, roomId: string, upTo: number): Promise<boolean> {
    return clearRoomHistory(this.editHost, appKey, roomId, upTo);
  }

  /** `chrmPull`: join history when `syncTime` ≤ 0, else everything newer than it but the requester's own. */
  async pull(appKey: string, userId: string, roomId: string, syncTime: number, count: number): Promise<PullOutcome> {
    const room = await this.rooms.room(appKey, roomId);
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

  /**
   * Destroys a room (Server API, idle sweep, or a timed room's deadline); members online here get `s_cmd{type:4}`.
   * The sweeps' reasons are checked again against the stored room once its queue is reached.
   */
  async destroy(appKey: string, roomId: string, reason: 'api' | 'idle' | 'timed'): Promise<boolean> {
    const room = await this.rooms.room(appKey, roomId);
    if (room === undefined) return false;
    return room.run(async () => {
      await room.appended;
      if (room.destroyed) return false;
      const now = this.ctx.clock.now();
      if (reason === 'idle') {
        const record = await this.ctx.store.chatrooms.get(appKey, roomId);
        if (record === undefined || record.keepalive || record.destroy.type !== 0 || record.activeTime >= now - this.options(appKey).idleDestroyMs) return false;
      } else if (reason === 'timed') {
        const record = await this.ctx.store.chatrooms.get(appKey, roomId);
        if (record === undefined || record.destroy.type !== 1 || record.destroy.at <= 0 || record.destroy.at > now) return false;
      }
      const members = await this.ctx.store.chatrooms.destroy(appKey, roomId);
      room.destroyed = true;
      this.rooms.forget(room);
      for (const userId of room.members.keys()) this.rooms.unindex(room, userId);
      void this.relay.unwatch(appKey, roomId);
      if (members === undefined) return false;
      this.relay.publish(appKey, roomId, { k: 'destroy', time: now });
      const payload = encodeMessage(rc.NotifyMsg, { type: CommandType.RoomDestroyed, time: now, chrmId: roomId });
      for (const userId of members) this.flow.pushTo(appKey, userId, 's_cmd', roomId, payload);
      this.metrics.destroyed++;
      this.events.emit({ appKey, roomId, type: 'destroy', cause: reason === 'api' ? 'explicit' : 'auto-destroy', userIds: [], time: now });
      return true;
    });
  }

  /**
   * A moderation notice of the Server API (`needNotify`, chatroom-notices.ts): appended to the room's timeline as
   * a message from NOTICE_SENDER that is neither stored in history nor counted (flags 0), so every member on
   * every node is told and pulls it like the join/quit notices; and pushed as an `s_msg` of type CHATROOM
   * (`groupId` the room), the same message, to every user of `directTo` who is not a member now (blocked users,
   * removed before, on whatever node they are: Hub.post). False when the room does not exist.
   */
  async notice(appKey: string, roomId: string, objectName: string, content: Uint8Array, directTo: readonly string[] = []): Promise<boolean> {
    const room = await this.rooms.room(appKey, roomId);
    if (room === undefined) return false;
    const queued = await room.run(async () => {
      if (room.destroyed) return undefined;
      const outsiders = directTo.filter((userId) => !room.members.has(userId));
      // The sender is no member: ROOM_FLAG_INCLUDE_SENDER keeps a user of that id from missing it in pulls.
      const input = { appKey, roomId, fromUserId: NOTICE_SENDER, objectName, content, flags: ROOM_FLAG_INCLUDE_SENDER };
      return { outsiders, ...await this.append(room, input, this.ctx.clock.now(), false) };
    });
    if (queued === undefined) return false;
    const stored = await queued.committed;
    if (queued.outsiders.length === 0) return true;
    const payload = encodeDownStream(roomDownStream(stored));
    for (const userId of new Set(queued.outsiders)) {
      this.hub.post(appKey, userId, { kind: 'push', topic: 's_msg', targetId: roomId, payload, qos: 0 })?.catch((error: unknown) => {
        this.ctx.log.warn('chatroom notice push failed', { appKey, roomId, userId, error: String(error) });
      });
    }
    return true;
  }

  /** Reports a room the Server API created in the store (`chatroom/create`, `create_new`) to event listeners. */
  announceCreated(appKey: string, roomId: string): void {
    this.events.emit({ appKey, roomId, type: 'create', cause: 'explicit', userIds: [], time: this.ctx.clock.now() });
  }

  /** Applies a user-whitelist change (already stored) to the loaded room. */
  async refreshProtected(appKey: string, roomId: string): Promise<void> {
    const room = this.rooms.loaded(appKey, roomId);
    if (room === undefined) return;
    const marks = await this.ctx.store.chatrooms.marks(appKey, 'whitelist', roomId, this.ctx.clock.now());
    room.protectedUsers.clear();
    for (const mark of marks) room.protectedUsers.add(mark.userId);
    this.relay.publish(appKey, roomId, { k: 'whitelist' });
  }

  /**
   * Tells the room's members, on every node, that KV entries changed up to `time`: every session of theirs but
   * `exceptSessionId`, the client session that made the change and applied it already ('' for none: a Server API
   * change reaches the user it names as owner too, and a change from one device reaches the user's others).
   */
  announceEntries(appKey: string, roomId: string, time: number, exceptSessionId = ''): void {
    this.relay.publish(appKey, roomId, { k: 'kv', time, except: exceptSessionId });
    this.pushEntries(appKey, roomId, time, exceptSessionId);
  }

  private pushEntries(appKey: string, roomId: string, time: number, exceptSessionId: string): void {
    const room = this.rooms.loaded(appKey, roomId);
    if (room === undefined) return;
    const payload = encodeMessage(rc.NotifyMsg, { type: CommandType.KvChanged, time, chrmId: roomId });
    for (const userId of room.onlineMembers()) this.flow.pushTo(appKey, userId, 's_cmd', roomId, payload, exceptSessionId);
  }

  close(): void {
    this.closed = true;
    this.flow.close();
    this.sweeper.close();
    this.stopPresence();
    void this.relay.close();
  }

  /** Call with the room's queue held. */
  private async removeMember(room: RoomState, userId: string, reason: 'quit' | KickReason): Promise<boolean> {
    if (room.destroyed) return false;
    const { appKey, roomId } = room;
    const was = await this.ctx.store.chatrooms.leave(appKey, roomId, userId);
    room.removeMember(userId, this.ctx.clock.now());
    this.rooms.unindex(room, userId);
    if (!was) return false;
    this.relay.publish(appKey, roomId, { k: 'member', userId, joined: false });
    const cause: ChatroomEventCause = reason === 'offline' || reason === 'missed' ? 'auto-kick' : reason === 'blocked' ? 'blocked' : 'explicit';
    this.events.emit({ appKey, roomId, type: 'quit', cause, userIds: [userId], time: this.ctx.clock.now() });
    if (reason !== 'quit') this.metrics.kicked[reason]++;
    const removed = await this.ctx.store.chatrooms.removeAutoDeleteEntries(appKey, roomId, userId, this.ctx.clock.now());
    const newest = removed[removed.length - 1];
    if (newest !== undefined) this.announceEntries(appKey, roomId, newest.updatedTime);
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
      // A message the sender also pulls wakes the sender too (no sole sender to skip).
      this.flow.schedule(room, stored.sentTime, (stored.flags & ROOM_FLAG_INCLUDE_SENDER) !== 0 ? NO_SENDER : stored.fromUserId);
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

  /** The user has a session other than `sessionId`, on any node. Presence unreachable: no (the quit goes through). */
  private async loggedInElsewhere(appKey: string, userId: string, sessionId: string): Promise<boolean> {
    try {
      return (await this.hub.sessionsOf(appKey, userId)).some((s) => s.sessionId !== sessionId);
    } catch (error) {
      this.ctx.log.warn('chatroom presence check failed', { appKey, userId, error: String(error) });
      return false;
    }
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
}
