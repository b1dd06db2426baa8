/**
 * `chrmPull` pages (PROTOCOL.md §8.7), from the store's room timeline. Pure paging rules; membership
 * is checked by the caller (ChatroomService.pull).
 */
import type { ChatroomMessage, ChatroomRepository } from '../../store/chatroom-repository';

/** Join history is at most the latest 50 messages (seed: only 50 are kept for joiners). */
export const MAX_JOIN_HISTORY = 50;
/** Messages per incremental `chrmPull` page (E4 asks for 10 but takes any number). */
export const PULL_PAGE_SIZE = 100;

export interface PullPage {
  readonly messages: readonly ChatroomMessage[];
  readonly syncTime: number;
  readonly finished: boolean;
}

/**
 * The join pull (`syncTime` ≤ 0): the latest `count` stored messages (history), plus everything that
 * arrived after the member joined (live traffic it was notified about before it could pull — skipping it
 * would lose it, since the client's cursor starts past it). `syncTime` = the room clock of the same
 * snapshot unless the live part had to be cut.
 */
export async function joinPull(rooms: ChatroomRepository, appKey: string, roomId: string, userId: string, joinTime: number, count: number): Promise<PullPage> {
  const history = await rooms.latest(appKey, roomId, Math.min(count, MAX_JOIN_HISTORY));
  const live = await rooms.since(appKey, roomId, joinTime, PULL_PAGE_SIZE, userId);
  const seen = new Set(history.messages.map((m) => m.uid));
  const messages = [...history.messages, ...live.messages.filter((m) => !seen.has(m.uid))].sort((a, b) => a.sentTime - b.sentTime);
  const lastLive = live.messages[live.messages.length - 1];
  // A cut live part continues from its last message: history newer than that (the room's latest N) would
  // arrive ahead of the messages between, so it is left to the following pages.
  if (live.hasMore && lastLive !== undefined) return { messages: messages.filter((m) => m.sentTime <= lastLive.sentTime), syncTime: lastLive.sentTime, finished: false };
  return { messages, syncTime: Math.max(history.timelineTime, live.timelineTime), finished: true };
}

/** An incremental pull: everything newer than `syncTime` but the requester's own, a page at a time. */
export async function incrementalPull(rooms: ChatroomRepository, appKey: string, roomId: string, userId: string, syncTime: number): Promise<PullPage> {
  const page = await rooms.since(appKey, roomId, syncTime, PULL_PAGE_SIZE, userId);
  const last = page.messages[page.messages.length - 1];
  if (page.hasMore && last !== undefined) return { messages: page.messages, syncTime: last.sentTime, finished: false };
  return { messages: page.messages, syncTime: Math.max(syncTime, page.timelineTime), finished: true };
}
