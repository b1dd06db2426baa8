/**
 * The durable outbox of callbacks to App Servers (SERVER_API.md §5): message routing and status syncs are
 * written here first and delivered later, so a slow or dead App Server never holds up messaging, and a
 * server restart loses nothing that was queued. Items of one stream (app + kind) are delivered in `id`
 * order; the queue is bounded per app by dropping the oldest items.
 */
import type { AppKey } from './store';

/** What a queued item is for; each kind goes to its own configured URL. */
export type CallbackKind = 'route' | 'userStatus' | 'chatroomStatus';

export interface NewCallback {
  readonly appKey: AppKey;
  readonly kind: CallbackKind;
  readonly contentType: string;
  /** The request body, exactly as it will be sent. */
  readonly body: string;
}

export interface QueuedCallback extends NewCallback {
  /** Increasing in enqueue order (the delivery order of a stream). */
  readonly id: number;
  readonly attempts: number;
  /** ms; not to be sent before it. */
  readonly notBefore: number;
  readonly createdTime: number;
}

export interface CallbackQueueRepository {
  /**
   * Appends the items (one transaction, in order) and then trims each touched app to `maxPerApp` items by
   * deleting its oldest. Returns how many items were dropped by the trim.
   */
  enqueue(items: readonly NewCallback[], now: number, maxPerApp: number): Promise<number>;
  /** The oldest item of every stream (app + kind) whose `notBefore` ≤ now, ascending by id. */
  heads(now: number, limit: number): Promise<readonly QueuedCallback[]>;
  /** The earliest `notBefore` of any item, or undefined when the queue is empty. */
  nextDue(): Promise<number | undefined>;
  /** Deletes a delivered (or abandoned) item; unknown ids are ignored. */
  remove(id: number): Promise<void>;
  /** Records a failed attempt: `attempts` + 1 and the next allowed time. */
  postpone(id: number, notBefore: number): Promise<void>;
  /** Deletes every item of an app's stream (its URL is no longer configured). Returns how many went. */
  dropStream(appKey: AppKey, kind: CallbackKind): Promise<number>;
  size(appKey?: AppKey): Promise<number>;
}
