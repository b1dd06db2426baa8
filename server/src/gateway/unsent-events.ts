/**
 * User events whose publish failed (the broker was unreachable), kept and published again, for the few events
 * whose loss is not covered by the next one: a block's kick (the session would keep working) and an inbox
 * wake-up (the official clients pull on `s_ntf` only, so a message stored while this node's broker link was
 * down would wait for the next event, even when the recipient's node already woke its sessions after its own
 * reconnect).
 *
 * One event is kept per user and slot (`kick`, `inbox`…): a later one replaces it unless its rank is lower (an
 * inbox wake-up of an older time). At most `limit` are kept (the oldest is dropped first); each is tried again
 * at most `maxAttempts` times and for at most `maxAgeMs`. The owner calls `flush` when its broker reconnects;
 * otherwise a retry runs every `retryMs` while any is kept (unref'd; `close` clears it), skipped while the
 * broker reports itself down (the reconnect flushes then).
 */
import type { UserEvent } from './user-event';

export interface UnsentOptions {
  readonly limit: number;
  readonly retryMs: number;
  readonly maxAgeMs: number;
  readonly maxAttempts: number;
}

export const UNSENT_DEFAULTS: UnsentOptions = { limit: 10_000, retryMs: 1000, maxAgeMs: 3_600_000, maxAttempts: 30 };

export interface UnsentEvent {
  readonly appKey: string;
  readonly userId: string;
  readonly event: UserEvent;
  readonly exceptSessionId: string | undefined;
  /**
   * Asked before each retry: false drops the event unpublished (a block's kick after the user was unblocked:
   * the store is the truth). A rejection counts as a failed attempt. Absent: always due.
   */
  readonly stillDue?: () => Promise<boolean>;
}

interface Entry extends UnsentEvent {
  readonly slot: string;
  readonly rank: number;
  readonly since: number;
  readonly attempts: number;
}

export interface UnsentHost {
  publish(unsent: UnsentEvent): Promise<void>;
  /** False while the broker is known to be down (no attempt is spent then). Absent: always up. */
  healthy?(): boolean;
  now(): number;
  /** An event given up (limit, age or attempts): reported, never thrown. */
  dropped(unsent: UnsentEvent, why: 'limit' | 'age' | 'attempts'): void;
}

export class UnsentEvents {
  /** By user and slot; insertion order is age order (a replaced entry moves to the end). */
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly host: UnsentHost,
    private readonly options: UnsentOptions = UNSENT_DEFAULTS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Keeps `unsent` for another publish; `slot` and `rank` decide what it replaces (see the file comment). */
  keep(unsent: UnsentEvent, slot: string, rank: number): void {
    this.put(unsent, slot, rank, this.host.now(), 0);
  }

  /** Publishes every kept event now; those that fail again stay for the next try. */
  flush(): void {
    if (this.closed) return;
    this.dropAged();
    const due = [...this.entries.values()];
    this.entries.clear();
    for (const entry of due) {
      const sent = entry.stillDue === undefined ? this.host.publish(entry) : entry.stillDue().then((still) => (still ? this.host.publish(entry) : undefined));
      sent.catch(() => {
        if (this.closed) return;
        if (entry.attempts + 1 >= this.options.maxAttempts) this.host.dropped(entry, 'attempts');
        else this.put(entry, entry.slot, entry.rank, entry.since, entry.attempts + 1);
      });
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.entries.clear();
  }

  private put(unsent: UnsentEvent, slot: string, rank: number, since: number, attempts: number): void {
    if (this.closed) return;
    const key = `${unsent.appKey}\u0000${unsent.userId}\u0000${slot}`;
    const kept = this.entries.get(key);
    if (kept !== undefined) {
      if (kept.rank > rank) return;
      this.entries.delete(key);
    }
    const exceptSessionId = kept === undefined || kept.exceptSessionId === unsent.exceptSessionId ? unsent.exceptSessionId : undefined;
    const entry: Entry = { appKey: unsent.appKey, userId: unsent.userId, event: unsent.event, exceptSessionId, slot, rank, since, attempts };
    this.entries.set(key, unsent.stillDue === undefined ? entry : { ...entry, stillDue: unsent.stillDue });
    while (this.entries.size > this.options.limit) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldest);
      this.host.dropped(entry, 'limit');
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dropAged();
      if (this.entries.size === 0) return;
      if (this.host.healthy?.() === false) this.schedule();
      else this.flush();
    }, this.options.retryMs);
    this.timer.unref();
  }

  /** Gives up the events kept longer than `maxAgeMs` (also while the broker is down, so the retry timer ends). */
  private dropAged(): void {
    const now = this.host.now();
    for (const [key, entry] of this.entries) {
      if (now - entry.since <= this.options.maxAgeMs) continue;
      this.entries.delete(key);
      this.host.dropped(entry, 'age');
    }
  }
}
