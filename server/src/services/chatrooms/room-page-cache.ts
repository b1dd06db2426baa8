/**
 * Shared `chrmPull` pages of one room (bench/analysis/p3-chatroom.md). After a notification every online
 * member pulls, from one of a few cursors (members pulled at different moments), so the room keeps the
 * tail of its timeline — every message after `base` up to `timelineTime`, as one store read returned it —
 * and serves any cursor ≥ `base` from it; the page of each cursor (its slice and its protobuf encoding)
 * is built once and shared by every member pulling from that cursor.
 *
 * Invariants:
 * - the tail is a consistent, complete snapshot: only reads the store returned without `hasMore` are
 *   kept, so a slice is exactly what `incrementalPull` would have answered at that moment;
 * - every append on this node and every remote `notify` signal calls `invalidate()` before any member
 *   is notified, so a pull caused by a notification never gets a page older than what it announced;
 *   a read during which an invalidation happened is not kept (`version`);
 * - a requester who sent a message of the page gets a filtered copy (its own messages are left out,
 *   PROTOCOL.md U20), never the shared encoding (the caller checks `senders`);
 * - a truncated read (`hasMore`: the first PULL_PAGE_SIZE messages after a cursor) is kept too, by exact
 *   cursor, and survives appends: sentTime is strictly increasing per room (`timelineTime + 1`, assigned
 *   under the room row's lock in both engines), so a later append can never land inside it. Without this, a
 *   room whose notify → pull cycle spans more than a page fell back to one store query and one encoding
 *   per member, and collapsed (256 msg/s into 5,000 members: 36% of the server in SQLite, completion 0.14).
 *   Only `clear()` (messages deleted: retention; a message recalled) drops them, and a truncated read that
 *   started before a `clear()` is not kept (`clearVersion`).
 * - the signals that invalidate and clear the caches of other nodes go through the broker, which is at-most-once
 *   (Redis pub/sub drops what is published while a node's subscriber reconnects): nothing kept is served after
 *   MAX_AGE_MS, which bounds how long a lost `clear` (a recall, retention) or `notify` leaves a node serving an
 *   old snapshot. Rebuilding costs one store read per cursor and MAX_AGE_MS, nothing under load.
 */
import { ROOM_FLAG_INCLUDE_SENDER, type ChatroomMessage } from '../../store/chatroom-repository';

export interface SharedPage {
  readonly messages: readonly ChatroomMessage[];
  /** The room clock of the snapshot (truncated pages: the last message's sentTime). */
  readonly timelineTime: number;
  /** The answer's syncTime: max(cursor, timelineTime) when complete, the last message's sentTime when truncated. */
  readonly syncTime: number;
  /** False for a truncated page (the client pulls again from `syncTime`). */
  readonly finished: boolean;
  /** Members with a message of the page their own pulls leave out (not flagged ROOM_FLAG_INCLUDE_SENDER). */
  readonly senders: ReadonlySet<string>;
  /** The `DownStreamMessages` encoding of `messages` (memoised by the pull handler). */
  encoded?: Uint8Array;
}

interface Tail {
  readonly base: number;
  /** When the read was kept (ms). */
  readonly keptAt: number;
  /** Ascending by sentTime: every message after `base`. */
  readonly messages: readonly ChatroomMessage[];
  readonly timelineTime: number;
}

/** Truncated pages kept (by cursor); a room's members converge on a few cursors, so this is plenty. */
const MAX_TRUNCATED = 32;
/** The longest a kept read is served (ms): the bound on a lost cross-node signal (invariants above). */
export const MAX_AGE_MS = 30_000;

export class RoomPageCache {
  private tail: Tail | undefined;
  private readonly pages = new Map<number, SharedPage>();
  /** Truncated pages by cursor, with the time each was kept (ms). */
  private readonly truncated = new Map<number, { readonly page: SharedPage; readonly keptAt: number }>();
  private generation = 0;
  private clears = 0;

  get version(): number {
    return this.generation;
  }

  /** Changes with every `clear()`: a truncated read taken before one is not kept. */
  get clearVersion(): number {
    return this.clears;
  }

  /** The page after cursor `after`, when a read kept less than MAX_AGE_MS before `now` covers it. */
  get(after: number, now: number): SharedPage | undefined {
    const cut = this.truncated.get(after);
    if (cut !== undefined) {
      if (now - cut.keptAt < MAX_AGE_MS) return cut.page;
      this.truncated.delete(after);
    }
    if (this.tail !== undefined && now - this.tail.keptAt >= MAX_AGE_MS) {
      this.tail = undefined;
      this.pages.clear();
    }
    const tail = this.tail;
    if (tail === undefined || after < tail.base) return undefined;
    let page = this.pages.get(after);
    if (page === undefined) {
      page = sharedPage(tail.messages.slice(firstAfter(tail.messages, after)), tail.timelineTime, Math.max(after, tail.timelineTime), true);
      this.pages.set(after, page);
    }
    return page;
  }

  /**
   * Keeps a truncated read (the first messages after `after`, more exist) and returns its page. The oldest
   * cursor goes beyond MAX_TRUNCATED. Not kept (only returned) when the cache was cleared since `clearVersion`.
   */
  keepTruncated(after: number, messages: readonly ChatroomMessage[], now: number, clearVersion = this.clears): SharedPage {
    const last = messages[messages.length - 1];
    const end = last === undefined ? after : last.sentTime;
    const page = sharedPage(messages, end, end, false);
    if (last === undefined || clearVersion !== this.clears) return page;
    if (this.truncated.size >= MAX_TRUNCATED) {
      const oldest = this.truncated.keys().next();
      if (oldest.done !== true) this.truncated.delete(oldest.value);
    }
    this.truncated.set(after, { page, keptAt: now });
    return page;
  }

  /** Keeps a complete read of everything after `after` unless the room changed since `version`. */
  keep(after: number, messages: readonly ChatroomMessage[], timelineTime: number, version: number, now: number): void {
    if (version !== this.generation) return;
    if (this.tail !== undefined && this.tail.base <= after) return;
    this.tail = { base: after, keptAt: now, messages, timelineTime };
    this.pages.clear();
  }

  /** New messages were appended: complete pages no longer reach the timeline's end (truncated ones stay). */
  invalidate(): void {
    this.generation++;
    this.tail = undefined;
    this.pages.clear();
  }

  /** Messages were deleted (retention) or recalled: nothing kept is a snapshot of the store any more. */
  clear(): void {
    this.clears++;
    this.invalidate();
    this.truncated.clear();
  }
}

function sharedPage(messages: readonly ChatroomMessage[], timelineTime: number, syncTime: number, finished: boolean): SharedPage {
  return { messages, timelineTime, syncTime, finished, senders: sendersOf(messages) };
}

/** The members whose pulls must leave out some of `messages` (their own, unless flagged to include them). */
export function sendersOf(messages: readonly ChatroomMessage[]): Set<string> {
  const senders = new Set<string>();
  for (const m of messages) if ((m.flags & ROOM_FLAG_INCLUDE_SENDER) === 0) senders.add(m.fromUserId);
  return senders;
}

/** Index of the first message with sentTime > `after` (messages ascending). */
function firstAfter(messages: readonly ChatroomMessage[], after: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((messages[mid] as ChatroomMessage).sentTime > after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
