import { Direction } from './store';
import type { SyncEntry, SyncPage } from './store';

/**
 * Engine-independent part of `MessageRepository.sync`: engines read inbox and sendbox separately (each an
 * index range scan of at most `limit + 1` rows), and this decides where the page ends.
 */

/** Ascending by sentTime; inbox before sendbox on equal times so the order is deterministic. */
export function mergeByTime(inbox: readonly SyncEntry[], sendbox: readonly SyncEntry[]): SyncEntry[] {
  return [...inbox, ...sendbox].sort(
    (a, b) => a.message.sentTime - b.message.sentTime || b.direction - a.direction || compareText(a.message.uid, b.message.uid),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Where a merged, ascending list of candidates must be cut so that at most `limit` entries are returned
 * but no run of equal sentTime is split: the sentTime of the `limit`-th entry, or null when everything
 * fits. When the returned value is not null the caller must make sure it holds *every* entry with
 * sentTime ≤ cutoff (a direction that came back full may have more equal-time rows).
 */
export function syncCutoff(merged: readonly SyncEntry[], limit: number): number | null {
  if (merged.length <= limit) return null;
  const last = merged[Math.max(0, limit - 1)];
  return last === undefined ? null : last.message.sentTime;
}

/** Builds the page and its cursors once the entries are final (see SyncPage for the cursor rules). */
export function syncPage(
  entries: readonly SyncEntry[],
  hasMore: boolean,
  inboxAfter: number,
  sendboxAfter: number | null,
  highWater: number,
): SyncPage {
  let lastInbox = inboxAfter;
  let lastSendbox = sendboxAfter ?? 0;
  for (const entry of entries) {
    if (entry.direction === Direction.Receive) lastInbox = entry.message.sentTime;
    else lastSendbox = Math.max(lastSendbox, entry.message.sentTime);
  }
  return { entries, hasMore, syncTime: hasMore ? lastInbox : highWater, sendboxTime: lastSendbox };
}
