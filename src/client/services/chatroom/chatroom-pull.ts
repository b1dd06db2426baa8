/**
 * Room message pulls (PROTOCOL.md §8.7), one loop per joined room with the official engine's rules:
 *  - the join pull asks `ChrmPullMsg{syncTime: cursor, count: N}` (cursor 0 on a first join → the latest
 *    N messages; a re-join keeps the cursor and catches up instead); later pulls ask 10;
 *  - after each page the cursor becomes the returned `syncTime`; it never goes back;
 *  - except after the first pull of a fresh join, where it becomes the join time: that pull's
 *    `syncTime` is the room's clock when the server ran it, which can be past messages sent after
 *    the join (another member joining or talking meanwhile) — E4 would skip them. When `syncTime` is
 *    ahead of the join time another page follows from the join time; uids already delivered (the
 *    latest N) are not delivered twice;
 *  - pulled messages older than the cursor the page was asked from are dropped, and each uid is
 *    delivered once;
 *  - another page follows while the server says `finished=false` or a notified time (`s_ntf` type 2)
 *    is still ahead of the cursor — but a page that moves nothing ends the round (no spinning), unless
 *    a notification arrived while that page was asked: the server may have built the answer from a
 *    snapshot older than the message it then announced (a pull read in flight on one node while another
 *    commits, seen in the cluster e2e), and E4-style waiting for the server's re-notify costs 35 s.
 */
import { decodeByName, encodeByName } from '../../../protocol/messages';
import { RecentUids } from '../recent-uids';
import type { ServiceEngine } from '../engine-port';
import type { ImMessage } from '../im-message';
import { fromDownStream } from '../im-message';
import type { Logger } from '../../logger';

/** Page size of pulls after the join pull (E4's value; the server may return more). */
export const ROOM_PULL_COUNT = 10;
/** Pages per round: a server that pages forever cannot hold the client. */
export const MAX_ROOM_PAGES = 100;
const RECENT_ROOM_UIDS = 200;

export interface RoomPullState {
  readonly roomId: string;
  /** Count asked at join; re-used when re-joining after a reconnect. */
  count: number;
  joinTime: number;
  cursor: number;
  pulling: boolean;
  /** A join pull asked for while a round was running: it runs when that round ends. */
  joinPull?: { readonly count: number; readonly joinTime: number } | undefined;
  /** The newest notified time (or a join pull's `syncTime`) the cursor has not reached yet; 0 = none. */
  queued: number;
  /** Notifications queued so far (a page asked before the latest one may predate its message). */
  notices: number;
  readonly seen: RecentUids;
}

export function newRoomState(roomId: string, count: number): RoomPullState {
  return { roomId, count, joinTime: 0, cursor: 0, pulling: false, queued: 0, notices: 0, seen: new RecentUids(RECENT_ROOM_UIDS) };
}

export interface RoomPullDeps {
  readonly engine: ServiceEngine;
  readonly logger: Logger;
  /** Whether `room` is still the live state of its room (a quit or re-join replaces it). */
  isCurrent(room: RoomPullState): boolean;
  /** One page's fresh messages, in order; `finished` = no page follows. */
  deliver(room: RoomPullState, messages: readonly ImMessage[], finished: boolean): void;
}

/** Wire bits decide persisted/counted for room messages (E4 does not re-classify them by name). */
const NO_POLICY = (): undefined => undefined;

export class RoomPuller {
  constructor(private readonly deps: RoomPullDeps) {}

  /** `s_ntf{type: 2}` for a joined room: data up to `time` is waiting. */
  notify(room: RoomPullState, time: number): void {
    if (time > 0 && time <= room.cursor) return;
    room.queued = Math.max(room.queued, time);
    room.notices += 1;
    // A join whose first pull never finished (the connection dropped right after the join answer) is
    // still at cursor 0: its next pull is that join pull again, with the join's count and time — a plain
    // page of 10 from 0 would hand over up to 10 messages older than the join.
    if (room.cursor === 0 && room.joinTime > 0) void this.pull(room, room.count, room.joinTime);
    else void this.pull(room);
  }

  /**
   * Runs a pull round unless one is running (a running round picks up queued times itself).
   * `count` is the join count for the first page. Never rejects.
   */
  async pull(room: RoomPullState, count = ROOM_PULL_COUNT, joinTime = 0): Promise<void> {
    if (room.pulling) {
      // A running round picks up notified times itself, but not a (re-)join: the round may have been
      // asked before the join reached the server (a notification right after a reconnect) and end with
      // an error or a page from before the join; the join pull then runs after it instead of being lost.
      if (joinTime > 0) room.joinPull = { count, joinTime };
      return;
    }
    room.pulling = true;
    try {
      await this.round(room, count, joinTime);
    } catch (error) {
      this.deps.logger.warn(`chrmPull ${room.roomId} failed`, error);
    } finally {
      room.pulling = false;
    }
    const next = room.joinPull;
    room.joinPull = undefined;
    if (next !== undefined && this.deps.isCurrent(room)) await this.pull(room, next.count, next.joinTime);
  }

  private async round(room: RoomPullState, firstCount: number, joinTime: number): Promise<void> {
    const { engine } = this.deps;
    for (let page = 0; page < MAX_ROOM_PAGES; page += 1) {
      const from = room.cursor;
      const count = page === 0 ? firstCount : ROOM_PULL_COUNT;
      const notices = room.notices;
      const ack = await engine.query('chrmPull', room.roomId, encodeByName('ChrmPullMsg', { syncTime: from, count }));
      if (!this.deps.isCurrent(room)) return;
      if (ack.status !== 0) {
        this.deps.logger.warn(`chrmPull ${room.roomId} status ${ack.status}`);
        return;
      }
      const out = decodeByName('DownStreamMessages', ack.payload);
      // proto2 optional bool: absent means finished (PROTOCOL-E5.md §3.3 keeps it absent on complete pages).
      const finished = Object.prototype.hasOwnProperty.call(out, 'finished') ? out.finished : true;
      const syncTime = Number(out.syncTime ?? 0);
      if (page === 0 && from === 0 && joinTime > 0) {
        room.cursor = joinTime;
        if (syncTime > joinTime) room.queued = Math.max(room.queued, syncTime);
      } else {
        room.cursor = Math.max(from, syncTime, page === 0 ? joinTime : 0);
      }
      if (room.queued <= room.cursor) room.queued = 0;
      const context = { me: engine.userId, connectedAt: engine.connectedAt, policyOf: NO_POLICY };
      const fresh = out.list
        .map((d) => fromDownStream(d, context))
        .filter((m) => m.sentTime >= from && room.seen.add(m.messageUId));
      const more = !finished || room.queued > 0;
      this.deps.deliver(room, fresh, !more);
      if (!more) return;
      if (room.cursor === from && out.list.length === 0 && room.notices === notices) {
        // The server cannot reach the notified time: stop rather than spin; the next notification retries.
        room.queued = 0;
        return;
      }
    }
  }
}
