/**
 * Edits of a room's stored history, made under the room's queue so they order with its sends: the recall of one
 * message and the clear of everything up to a time. Either drops the room's kept pull pages (room-page-cache.ts)
 * here and, through the `recall` room signal (room-signals.ts), on every other node.
 */
import type { ServerContext } from '../../context';
import type { RoomRelay } from '../../gateway/room-relay';
import { ROOM_FLAG_INCLUDE_SENDER, type ChatroomMessage } from '../../store/chatroom-repository';
import { WireStatus } from '../wire-status';
import type { RoomMessageInput } from './chatroom-service';
import { outcomeOf, type SendOutcome } from './room-wire';
import type { RoomState } from './room-state';

const RECALL_OBJECT_NAME = 'RC:RcCmd';

/** A recall of a room message (`recallMsg` naming a room, Server API `message/recall` with conversationType 4). */
export interface RoomRecallInput {
  readonly appKey: string;
  readonly roomId: string;
  readonly uid: string;
  /** Who recalls: must be the sender unless `asAdmin`. */
  readonly by: string;
  readonly asAdmin: boolean;
  /** The `RC:RcCmd` content appended to the room. */
  readonly content: Uint8Array;
  /** The sender's own pulls include the `RC:RcCmd` too. */
  readonly includeSender: boolean;
  /** A client recall must come within this long of the message (ms); not checked for an admin. */
  readonly recallWindowMs?: number;
}

/** What the edits need of the chatroom service. */
export interface RoomEditHost {
  readonly ctx: ServerContext;
  readonly relay: RoomRelay;
  /** The loaded (or loaded now) room; undefined when it does not exist. */
  room(appKey: string, roomId: string): Promise<RoomState | undefined>;
  /** Appends a message to the room (call with its queue held); `committed` once stored. */
  append(room: RoomState, input: RoomMessageInput, now: number, countsForKick: boolean): Promise<{ readonly committed: Promise<ChatroomMessage> }>;
}

/**
 * Recalls a room message: refused (RecallRefused) when the room or the message in it is unknown, already
 * recalled, not sent by `by` or older than the recall window (the last two not for an admin). Otherwise the
 * message is marked recalled in the store — later pulls, join history and `qryCHMsg` leave it out — the room's
 * cached pages are dropped here and on other nodes, and the `RC:RcCmd` is appended to the room as the original
 * sender's, flagged persisted and notified like any room message.
 */
export async function recallRoomMessage(host: RoomEditHost, input: RoomRecallInput): Promise<SendOutcome> {
  const refused: SendOutcome = { status: WireStatus.RecallRefused };
  const { appKey, roomId, uid } = input;
  const room = await host.room(appKey, roomId);
  if (room === undefined) return refused;
  const queued = await room.run(async (): Promise<SendOutcome | { readonly committed: Promise<ChatroomMessage> }> => {
    if (room.destroyed) return refused;
    const now = host.ctx.clock.now();
    if (!input.asAdmin) {
      const original = await host.ctx.store.chatrooms.message(appKey, uid);
      if (original === undefined || original.roomId !== roomId || original.fromUserId !== input.by) return refused;
      if (input.recallWindowMs !== undefined && now - original.sentTime > input.recallWindowMs) return refused;
    }
    const result = await host.ctx.store.chatrooms.recall(appKey, roomId, uid, input.asAdmin ? undefined : input.by);
    if (!result.ok) return refused;
    room.pages.clear();
    host.relay.publish(appKey, roomId, { k: 'recall', uid });
    const flags = 1 | (input.includeSender ? ROOM_FLAG_INCLUDE_SENDER : 0);
    return host.append(room, { appKey, roomId, fromUserId: result.message.fromUserId, objectName: RECALL_OBJECT_NAME, content: input.content, flags }, now, false);
  });
  return outcomeOf(queued);
}

/**
 * Clears the room's stored history up to `upTo` (Server API `conversation/message/history/clean` with
 * conversationType 4): every message with sentTime ≤ `upTo` leaves every later pull, the join history,
 * `qryCHMsg` and the v3 chatroom query, for every member. False when the room does not exist.
 *
 * The messages are deleted (the store's retention delete, scoped to one room: a range of the timeline's primary
 * key) rather than marked like a recall: one statement whatever their number, no column or migration, and the
 * reads need no new filter. A recall mark would also report them as recalled in the message log; deleted, they
 * leave it as retention's do. Appends this node queued before are committed first (the clear covers what was
 * sent before it); the room clock stays, so later messages keep coming after every time handed out. The room's
 * kept pull pages are dropped here and, through the `recall` room signal (it carries no uid here: the whole
 * cache goes either way), on every other node.
 */
export async function clearRoomHistory(host: RoomEditHost, appKey: string, roomId: string, upTo: number): Promise<boolean> {
  const room = await host.room(appKey, roomId);
  if (room === undefined) return false;
  return room.run(async () => {
    await room.appended;
    if (room.destroyed) return false;
    await host.ctx.store.chatrooms.clearMessages(appKey, roomId, upTo);
    room.pages.clear();
    host.relay.publish(appKey, roomId, { k: 'recall' });
    return true;
  });
}
