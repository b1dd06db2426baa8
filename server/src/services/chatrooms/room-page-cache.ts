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
 *   PROTOCOL.md U20), never the shared encoding (the caller checks `senders`).
 */
import type { ChatroomMessage } from '../../store/chatroom-repository';

export interface SharedPage {
  readonly messages: readonly ChatroomMessage[];
  /** The room clock of the snapshot. */
  readonly timelineTime: number;
  readonly senders: ReadonlySet<string>;
  /** The `DownStreamMessages` encoding of `messages` (memoised by the pull handler). */
  encoded?: Uint8Array;
}

interface Tail {
  readonly base: number;
  /** Ascending by sentTime: every message after `base`. */
  readonly messages: readonly ChatroomMessage[];
  readonly timelineTime: number;
}

export class RoomPageCache {
  private tail: Tail | undefined;
  private readonly pages = new Map<number, SharedPage>();
  private generation = 0;

  get version(): number {
    return this.generation;
  }

  /** The page after cursor `after`, when the tail covers it. */
  get(after: number): SharedPage | undefined {
    const tail = this.tail;
    if (tail === undefined || after < tail.base) return undefined;
    let page = this.pages.get(after);
    if (page === undefined) {
      const messages = tail.messages.slice(firstAfter(tail.messages, after));
      page = { messages, timelineTime: tail.timelineTime, senders: new Set(messages.map((m) => m.fromUserId)) };
      this.pages.set(after, page);
    }
    return page;
  }

  /** Keeps a complete read of everything after `after` unless the room changed since `version`. */
  keep(after: number, messages: readonly ChatroomMessage[], timelineTime: number, version: number): void {
    if (version !== this.generation) return;
    if (this.tail !== undefined && this.tail.base <= after) return;
    this.tail = { base: after, messages, timelineTime };
    this.pages.clear();
  }

  invalidate(): void {
    this.generation++;
    this.tail = undefined;
    this.pages.clear();
  }
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
