/**
 * Per-user server events (engine 5.x `pullEventChange`, PROTOCOL-E5.md §3.4): a small log per owner that a
 * client reads from a cursor, e.g. "your message was read" for read receipts V5 (services/e5-server-events.ts).
 * Payloads are opaque bytes (the service encodes them).
 *
 * Invariants (checked by `contract/server-events.contract.ts`):
 * - `time` is strictly increasing per owner (max(now, last + 1)), never reused, also after a trim, and
 *   committed in that order, so a reader listing "after t" never skips an event;
 * - the acknowledged cursor only grows;
 * - every call is scoped by app and owner.
 */
import type { AppKey, ConversationKey, UserId } from './store';

export interface NewServerEvent {
  readonly changeType: number;
  readonly subChangeType: number;
  /** The conversation from the owner's point of view. */
  readonly conversation: ConversationKey;
  readonly data: Uint8Array;
}

export interface ServerEvent extends NewServerEvent {
  /** ms; the owner's cursor. */
  readonly time: number;
}

export interface ServerEventPage {
  /** Ascending by time. */
  readonly events: readonly ServerEvent[];
  /** True when `events` was cut at the limit. */
  readonly hasMore: boolean;
}

export interface ServerEventRepository {
  /**
   * Appends `events` to the owner's log in the given order, stamped max(now, last + 1), and drops the owner's
   * events older than `expireBefore` in the same transaction (the log stays small without a global job).
   * Returns the stored events.
   */
  append(appKey: AppKey, owner: UserId, events: readonly NewServerEvent[], now: number, expireBefore: number): Promise<readonly ServerEvent[]>;
  /** The owner's events with time > `after` and time ≥ `notBefore`, ascending, at most `limit` (≥ 1). */
  listAfter(appKey: AppKey, owner: UserId, after: number, limit: number, notBefore: number): Promise<ServerEventPage>;
  /** Raises the owner's acknowledged cursor to `time` (a lower value is ignored). */
  acknowledge(appKey: AppKey, owner: UserId, time: number): Promise<void>;
  /** The owner's acknowledged cursor (0 when never acknowledged). */
  acknowledged(appKey: AppKey, owner: UserId): Promise<number>;
}
