/**
 * The chatrooms loaded on this node (ChatroomService's in-memory side): one RoomState per room, loaded
 * once from the store however many callers ask at the same time, and the index of loaded rooms per user
 * so that a session attaching or detaching here updates the member's online state in each of them.
 *
 * Invariants: a room is in `rooms` only once fully loaded (members, whitelist) and subscribed to its
 * cluster signals; a user is indexed in exactly the loaded rooms that hold them as a member (callers
 * index/unindex alongside RoomState.addMember/removeMember). Destroyed rooms are forgotten, so the next
 * use reloads from the store (which no longer has them).
 */
import { chatroomOptionsOf } from '../../chatroom-options';
import type { ServerContext } from '../../context';
import type { Hub } from '../../gateway/hub';
import type { RoomRelay } from '../../gateway/room-relay';
import { RoomState } from './room-state';

function roomKey(appKey: string, id: string): string {
  return `${appKey}\u0000${id}`;
}

export class RoomRegistry {
  private readonly rooms = new Map<string, RoomState>();
  private readonly loading = new Map<string, Promise<RoomState | undefined>>();
  /** Loaded rooms each user is a member of, so presence changes reach them. */
  private readonly userRooms = new Map<string, Set<RoomState>>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly hub: Hub,
    private readonly relay: RoomRelay,
  ) {}

  /** The room, loaded from the store on first use; undefined when the store has no such room. */
  async room(appKey: string, roomId: string): Promise<RoomState | undefined> {
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

  /** The room loaded on this node, if any (never loads). */
  loaded(appKey: string, roomId: string): RoomState | undefined {
    return this.rooms.get(roomKey(appKey, roomId));
  }

  /** The load of the room in progress on this node, if any. */
  loadingOf(appKey: string, roomId: string): Promise<RoomState | undefined> | undefined {
    return this.loading.get(roomKey(appKey, roomId));
  }

  /** Every room loaded on this node. */
  all(): IterableIterator<RoomState> {
    return this.rooms.values();
  }

  /** Drops a destroyed room from the loaded rooms (its members stay indexed until the caller unindexes them). */
  forget(room: RoomState): void {
    this.rooms.delete(roomKey(room.appKey, room.roomId));
  }

  /** The user has a session on this node. */
  isOnline(appKey: string, userId: string): boolean {
    return this.hub.registry.sessionsOf(appKey, userId).length > 0;
  }

  /** A session of the user attached (`online`) or the last one detached on this node. */
  presenceChanged(appKey: string, userId: string, online: boolean): void {
    const rooms = this.userRooms.get(roomKey(appKey, userId));
    if (rooms === undefined) return;
    const now = this.ctx.clock.now();
    for (const room of rooms) room.setOnline(userId, online, now);
  }

  index(room: RoomState, userId: string): void {
    const key = roomKey(room.appKey, userId);
    let rooms = this.userRooms.get(key);
    if (rooms === undefined) {
      rooms = new Set();
      this.userRooms.set(key, rooms);
    }
    rooms.add(room);
  }

  unindex(room: RoomState, userId: string): void {
    const key = roomKey(room.appKey, userId);
    const rooms = this.userRooms.get(key);
    if (rooms === undefined) return;
    rooms.delete(room);
    if (rooms.size === 0) this.userRooms.delete(key);
  }

  private async load(appKey: string, roomId: string): Promise<RoomState | undefined> {
    const chatrooms = this.ctx.store.chatrooms;
    if ((await chatrooms.get(appKey, roomId)) === undefined) return undefined;
    // Subscribed before membership is read: a change committed after the read arrives as a signal
    // (applied once the room is loaded, room-signals.ts), one committed before is in the read.
    await this.relay.watch(appKey, roomId);
    const opts = chatroomOptionsOf(this.ctx.apps.get(appKey));
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
}
