/**
 * Re-reads a room loaded on this node from the store when signals of other nodes may have been lost
 * (gateway/room-relay.ts): every loaded room once this node's broker subscriptions are back after a lost
 * connection, and one room when another node says it could not publish a signal of it (`resync`). The broker
 * is at-most-once, and without this a join, quit, kick or destruction made on another node during a broker
 * outage would stay unseen here until the room is reloaded, which only its destruction does.
 *
 * What is brought back in line: the room's subscription (a room first loaded during the outage could not
 * subscribe), its membership (joined members added, departed ones removed, as the `member` signal does), the
 * user whitelist, the kept pull pages (dropped), destruction (as the `destroy` signal), and messages appended
 * meanwhile (members online here are woken up to the room's newest time).
 *
 * Invariants: the store is read after the subscription is active, so a change committed after the read arrives
 * as a signal; the membership is applied only when no mirrored join or leave was applied during the read (else it
 * is read again, a few times at most), so a signal newer than the read is never undone; local membership changes
 * cannot interleave (the work runs in the room's queue). Nothing is written to the store or published.
 */
import { encodeMessage, rc } from '../wire';
import type { RoomSignalHost } from './room-signals';
import type { RoomState } from './room-state';
import { CommandType } from './room-wire';

/** Reads of the room's membership before giving up when mirrored joins or leaves keep racing them. */
const MAX_READS = 3;
/** Rooms re-read at once after a reconnect. */
const PARALLEL_ROOMS = 4;

/** Re-reads every room loaded on this node (after a broker reconnect); failures are logged per room. */
export async function resyncRooms(host: RoomSignalHost, rooms: Iterable<RoomState>): Promise<void> {
  const queue = [...rooms];
  const worker = async (): Promise<void> => {
    for (let room = queue.shift(); room !== undefined && !host.isClosed(); room = queue.shift()) await resyncRoom(host, room);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_ROOMS, queue.length) }, worker));
}

/** Re-reads one room loaded on this node from the store; never throws (failures are logged). */
export async function resyncRoom(host: RoomSignalHost, room: RoomState): Promise<void> {
  const { ctx } = host;
  try {
    await host.relay.watch(room.appKey, room.roomId);
    await room.run(() => reread(host, room));
  } catch (error) {
    ctx.log.warn('chatroom resync failed', { appKey: room.appKey, roomId: room.roomId, error: String(error) });
  }
}

async function reread(host: RoomSignalHost, room: RoomState): Promise<void> {
  const { ctx } = host;
  const { appKey, roomId } = room;
  const chatrooms = ctx.store.chatrooms;
  for (let read = 0; read < MAX_READS; read++) {
    if (room.destroyed || host.isClosed()) return;
    const version = room.membershipVersion;
    const record = await chatrooms.get(appKey, roomId);
    if (record === undefined) {
      if (!room.destroyed) destroyedElsewhere(host, room, ctx.clock.now());
      return;
    }
    const now = ctx.clock.now();
    const [{ members }, marks] = await Promise.all([chatrooms.members(appKey, roomId, Number.MAX_SAFE_INTEGER, 'asc'), chatrooms.marks(appKey, 'whitelist', roomId, now)]);
    if (room.destroyed || host.isClosed()) return;
    if (room.membershipVersion !== version) continue;
    const stored = new Map(members.map((member) => [member.userId, member.joinTime]));
    for (const userId of [...room.members.keys()]) {
      if (stored.has(userId)) continue;
      room.removeMember(userId);
      host.unindex(room, userId);
    }
    for (const [userId, joinTime] of stored) {
      if (room.members.has(userId)) continue;
      room.addMember(userId, joinTime, host.isOnline(appKey, userId), now);
      host.index(room, userId);
    }
    room.protectedUsers.clear();
    for (const mark of marks) room.protectedUsers.add(mark.userId);
    room.pages.clear();
    if (record.timelineTime > room.notifiedTime) host.flow.notifyLocal(room, record.timelineTime, new Set());
    return;
  }
  ctx.log.warn('chatroom resync gave up: membership kept changing during its reads', { appKey, roomId });
}

/**
 * The room was destroyed on another node (its `destroy` signal, or found gone by a re-read): it is forgotten here
 * and its members on this node get RoomDestroyed (`s_cmd` type 4).
 */
export function destroyedElsewhere(host: RoomSignalHost, room: RoomState, time: number): void {
  const { appKey, roomId } = room;
  room.destroyed = true;
  host.forget(room);
  const payload = encodeMessage(rc.NotifyMsg, { type: CommandType.RoomDestroyed, time, chrmId: roomId });
  for (const userId of room.members.keys()) {
    host.unindex(room, userId);
    host.flow.pushTo(appKey, userId, 's_cmd', roomId, payload);
  }
  void host.relay.unwatch(appKey, roomId);
}
