/**
 * Applies the signals other nodes publish on `chatroom:<appKey>:<roomId>` (gateway/room-relay.ts) to this
 * node's copy of the room: message wake-ups, mirrored joins and leaves (quit, kick, ban, eviction), KV
 * changes, whitelist reloads, recalls, history clears, destruction and re-reads.
 *
 * Invariants: the store stays the truth and the originating node already stored the change and served its
 * own members, so nothing here writes to the store or publishes again (that would echo between nodes);
 * only this node's in-memory room and its own online members are touched (`resync` re-reads the room from the
 * store, room-resync.ts). A signal for a room that is
 * neither loaded nor loading here is dropped: a later load reads the change from the store. A signal that
 * arrives while the room loads is applied once it is loaded — the load subscribes before it reads, so a
 * change is in the read, in a signal, or both (a join seen twice keeps its first join time, RoomState.addMember).
 */
import type { ServerContext } from '../../context';
import type { RoomRelay, RoomSignal } from '../../gateway/room-relay';
import type { RoomFlow } from './room-flow';
import { destroyedElsewhere, resyncRoom } from './room-resync';
import type { RoomState } from './room-state';

/** What signal handling needs of the node's chatroom service (ChatroomService provides it). */
export interface RoomSignalHost {
  readonly ctx: ServerContext;
  readonly relay: RoomRelay;
  readonly flow: RoomFlow;
  /** True once the service is closed: signals still in flight are ignored. */
  isClosed(): boolean;
  /** The room loaded on this node, if any. */
  loaded(appKey: string, roomId: string): RoomState | undefined;
  /** The load of the room in progress on this node, if any. */
  loading(appKey: string, roomId: string): Promise<RoomState | undefined> | undefined;
  /** Drops a destroyed room from the loaded rooms (the next use reloads it from the store). */
  forget(room: RoomState): void;
  /** Adds/removes the room in the user's index of loaded rooms (so presence changes reach it). */
  index(room: RoomState, userId: string): void;
  unindex(room: RoomState, userId: string): void;
  /** The user has a session on this node. */
  isOnline(appKey: string, userId: string): boolean;
  /** `s_cmd` KV-changed to the sessions here of the room's members, but `exceptSessionId`. */
  pushEntries(appKey: string, roomId: string, time: number, exceptSessionId: string): void;
}

/** A signal from another node serving the room; applied after any load in progress. */
export function receiveRoomSignal(host: RoomSignalHost, appKey: string, roomId: string, signal: RoomSignal): void {
  const loaded = host.loaded(appKey, roomId);
  if (loaded !== undefined) {
    applyRoomSignal(host, loaded, signal);
    return;
  }
  // A load that fails (the store unreachable) is reported to whoever asked for it; the signal goes with it — the
  // next load reads the change from the store. Without the handler, its rejection ended the node's process.
  void host.loading(appKey, roomId)?.then((room) => {
    if (room !== undefined) applyRoomSignal(host, room, signal);
  }, () => undefined);
}

/** Kicked, banned or quit elsewhere: no longer notified here either. */
function removeMirrored(host: RoomSignalHost, room: RoomState, userId: string): void {
  room.removeMember(userId, host.ctx.clock.now());
  host.unindex(room, userId);
}

/** A join signal of a member removed here lately, applied only if the store still has the membership (in the room's turn). */
function checkJoin(host: RoomSignalHost, room: RoomState, userId: string): void {
  const { ctx } = host;
  room.checkingJoins.set(userId, (room.checkingJoins.get(userId) ?? 0) + 1);
  void room.run(async () => {
    const joinTime = await ctx.store.chatrooms.memberJoinTime(room.appKey, room.roomId, userId);
    if (joinTime === undefined || room.destroyed || host.isClosed()) return;
    room.addMember(userId, joinTime, host.isOnline(room.appKey, userId), ctx.clock.now());
    host.index(room, userId);
  }).catch((error: unknown) => ctx.log.warn('chatroom join signal check failed', { error: String(error) })).finally(() => {
    const left = (room.checkingJoins.get(userId) ?? 1) - 1;
    if (left > 0) room.checkingJoins.set(userId, left);
    else room.checkingJoins.delete(userId);
  });
}

function applyRoomSignal(host: RoomSignalHost, room: RoomState, signal: RoomSignal): void {
  if (room.destroyed || host.isClosed()) return;
  const { ctx } = host;
  const { appKey, roomId } = room;
  const now = ctx.clock.now();
  switch (signal.k) {
    case 'notify':
      // New messages were appended elsewhere: pages cached here no longer reach the timeline's end.
      room.pages.invalidate();
      host.flow.notifyLocal(room, signal.time, new Set(signal.senders));
      return;
    case 'member':
      room.membershipVersion += 1;
      if (signal.joined) {
        // Removed here lately: this join may be older than that removal (the two crossed), so the store decides.
        if (room.removedLately(signal.userId, now)) checkJoin(host, room, signal.userId);
        else {
          room.addMember(signal.userId, signal.joinTime ?? now, host.isOnline(appKey, signal.userId), now);
          host.index(room, signal.userId);
        }
      } else if (room.checkingJoins.has(signal.userId)) {
        // After the check of an earlier join signal, which would otherwise undo this leave.
        void room.run(async () => removeMirrored(host, room, signal.userId)).catch(() => undefined);
      } else {
        removeMirrored(host, room, signal.userId);
      }
      return;
    case 'recall':
      // A message was recalled elsewhere (its RC:RcCmd is notified apart), or the room's history cleared up to a
      // time: no page cached here may still serve what went.
      room.pages.clear();
      return;
    case 'kv':
      host.pushEntries(appKey, roomId, signal.time, signal.except);
      return;
    case 'whitelist':
      void ctx.store.chatrooms.marks(appKey, 'whitelist', roomId, now).then((marks) => {
        room.protectedUsers.clear();
        for (const mark of marks) room.protectedUsers.add(mark.userId);
      }, (error: unknown) => ctx.log.warn('chatroom whitelist reload failed', { error: String(error) }));
      return;
    case 'destroy':
      destroyedElsewhere(host, room, signal.time);
      return;
    case 'resync':
      // The sender could not publish a signal of the room: what it changed is in the store.
      void resyncRoom(host, room);
      return;
  }
}
