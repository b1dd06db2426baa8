/**
 * Request/ack correlation for one connection (PROTOCOL.md §5.1): client messageIds run 1..65535 and
 * wrap to 1 (0 is reserved for fire-and-forget status messages); an id still waiting for its ack
 * is never handed out again, so a late ack can only ever match the request that owns the id.
 * Each request fails with code -1 (TIMEOUT) after `timeoutMs`.
 */
import type { Clock, TimerId } from '../platform/platform-adapter';

export const REQUEST_TIMEOUT_MS = 30_000;
export const TIMEOUT_CODE = -1;
export const MAX_MESSAGE_ID = 65_535;

export type Settlement<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly code: number };

interface Entry<R> {
  readonly settle: (settlement: Settlement<R>) => void;
  readonly timer: TimerId;
}

export class PendingRequests<R> {
  private readonly entries = new Map<number, Entry<R>>();
  private lastId = 0;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number = REQUEST_TIMEOUT_MS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(messageId: number): boolean {
    return this.entries.has(messageId);
  }

  /**
   * Allocates the next free messageId and starts its timeout (`timeoutMs` overrides the default,
   * e.g. for a request that already waited in a queue). `settle` is called exactly once.
   * Returns undefined (and never calls `settle`) when all 65535 ids are in flight.
   */
  add(settle: (settlement: Settlement<R>) => void, timeoutMs: number = this.timeoutMs): number | undefined {
    const id = this.nextFreeId();
    if (id === undefined) return undefined;
    const timer = this.clock.setTimeout(() => this.finish(id, { ok: false, code: TIMEOUT_CODE }), timeoutMs);
    this.entries.set(id, { settle, timer });
    return id;
  }

  /** Settles the request owning `messageId` with `value`; false when none is pending. */
  resolve(messageId: number, value: R): boolean {
    return this.finish(messageId, { ok: true, value });
  }

  /** Fails one request (e.g. its frame could not be sent). */
  reject(messageId: number, code: number): boolean {
    return this.finish(messageId, { ok: false, code });
  }

  /** Fails every pending request, e.g. when the connection that owns the ids is gone. */
  rejectAll(code: number): void {
    for (const id of [...this.entries.keys()]) this.finish(id, { ok: false, code });
  }

  private finish(messageId: number, settlement: Settlement<R>): boolean {
    const entry = this.entries.get(messageId);
    if (entry === undefined) return false;
    this.entries.delete(messageId);
    this.clock.clearTimeout(entry.timer);
    entry.settle(settlement);
    return true;
  }

  private nextFreeId(): number | undefined {
    if (this.entries.size >= MAX_MESSAGE_ID) return undefined;
    let id = this.lastId;
    for (let i = 0; i < MAX_MESSAGE_ID; i++) {
      id = id >= MAX_MESSAGE_ID ? 1 : id + 1;
      if (!this.entries.has(id)) {
        this.lastId = id;
        return id;
      }
    }
    return undefined;
  }
}
