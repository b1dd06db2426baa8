/**
 * Where each user has read up to, per conversation (issue #7, a Lianxin addition: RongCloud keeps no unread
 * state on the server). Our SDK reconciles its local unread counts with these positions (`lxReadPos`,
 * docs/PROTOCOL-NOTES.md), so every device — and a fresh install — shows the same counts.
 *
 * Invariants (checked by `read-positions.contract.ts`):
 * - a read time only grows (a lower one is ignored and reported as unchanged);
 * - `version` is strictly increasing per owner over positions and the floor together, so a client that stored
 *   the last version it saw misses no change;
 * - the floor ("everything up to T is read", clearAllUnreadCount) applies to every conversation of the owner.
 */
import type { AppKey, ConversationKey, UserId } from './store';

export interface ReadPosition {
  readonly conversation: ConversationKey;
  /** ms: messages with sentTime ≤ readTime are read. */
  readonly readTime: number;
  readonly version: number;
}

export interface ReadFloor {
  readonly readTime: number;
  /** 0 while no floor was ever set. */
  readonly version: number;
}

export interface ReadPositionPage {
  /** Ascending by version. */
  readonly positions: readonly ReadPosition[];
  readonly floor: ReadFloor;
  /** True when `positions` was cut at the limit. */
  readonly hasMore: boolean;
}

export interface ReadPositionRepository {
  /** Raises the read times of the given conversations; returns the positions that moved (with their new version). */
  advance(appKey: AppKey, owner: UserId, items: readonly { readonly conversation: ConversationKey; readonly readTime: number }[], now: number): Promise<readonly ReadPosition[]>;
  /** Raises the owner's floor; returns it (unchanged when `readTime` is not above it). */
  advanceFloor(appKey: AppKey, owner: UserId, readTime: number, now: number): Promise<ReadFloor>;
  /** Positions with version > `since`, ascending, at most `limit`, plus the current floor. */
  changedSince(appKey: AppKey, owner: UserId, since: number, limit: number): Promise<ReadPositionPage>;
  /** The effective read time of one conversation (max of its position and the floor; 0 when none). */
  readTime(appKey: AppKey, owner: UserId, conversation: ConversationKey): Promise<number>;
}
