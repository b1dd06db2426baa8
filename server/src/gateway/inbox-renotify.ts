/**
 * Re-notification of inbox data a session was told about and never pulled (issue #13: never lost).
 *
 * `s_ntf` is a hint; a client that drops it only catches up with the next unrelated traffic. Engine 4.4.2
 * does drop it in one reproducible case: right after a reconnect it may send `pullMsg` on the socket it has
 * just closed, wait its own 30 s request timeout for that answer, and ignore every `s_ntf` meanwhile
 * (test/interop/official-client-delivery-race.test.ts). So each session remembers the newest inbox time it
 * was notified of (`notifiedTo`) and the newest `syncTime` its pull answers reached (`pulledTo`); when the
 * first notification above `pulledTo` is older than the re-notify delay, the gateway sweep sends `s_ntf`
 * again with `notifiedTo` (Session.renotifyIfDue). A finished pull answer carries the owner's high-water mark,
 * which is ≥ every notification time already sent (PROTOCOL.md §8.3), so a client that pulls normally is
 * never re-notified. No per-message or per-session timers: a few number fields per session and the
 * existing gateway sweep (session-manager.ts), so a message costs field updates only.
 */

/** Longer than engine 4.4.2's 30 s request timeout, so the stuck pull has given up when the re-notify comes. */
export const DEFAULT_RENOTIFY_MS = 35_000;

/** Re-notifications between two pull answers at most; a client that ignores them all is left to its own timer pull. */
export const MAX_RENOTIFY = 3;

/**
 * `NotifyMsg.time` of an inbox `s_ntf` payload; undefined for a chatroom one (`type` 2, answered by
 * `chrmPull`, which room-flow.ts re-notifies itself) or bytes that are not a NotifyMsg. A hand-rolled
 * read of fields 1 (type, varint) and 2 (time, varint) (PROTOCOL.md, NotifyMsg): it runs for every
 * `s_ntf` written, and a protobuf decode would allocate an object there.
 */
export function inboxNotifyTime(payload: Uint8Array): number | undefined {
  let type = 0;
  let time: number | undefined;
  let i = 0;
  while (i < payload.length) {
    const key = payload[i++] as number;
    if (key > 0x7f) return undefined; // field numbers ≥ 16: not a NotifyMsg
    const wireType = key & 7;
    if (wireType === 0) {
      let value = 0;
      let scale = 1;
      let byte: number;
      do {
        if (i >= payload.length || scale > 2 ** 63) return undefined;
        byte = payload[i++] as number;
        value += (byte & 0x7f) * scale;
        scale *= 128;
      } while (byte & 0x80);
      if (key >> 3 === 1) type = value;
      else if (key >> 3 === 2) time = value;
    } else if (wireType === 2) {
      const length = payload[i++];
      if (length === undefined || length > 0x7f) return undefined; // chrmId: short, one-byte length
      i += length;
    } else {
      return undefined;
    }
  }
  return type === 2 ? undefined : time;
}

/**
 * One session's inbox notification bookkeeping, created on its first inbox `s_ntf` or pull (an idle
 * connection that does neither carries none: P2 memory).
 */
export class InboxMarks {
  /** Newest inbox `s_ntf` time written to the session; -1 = none. */
  notifiedTo = -1;
  /** Newest `syncTime` of a pull answer written to the session; -1 = none. */
  private pulledMark = -1;
  /** `notifiedTo` when the pull being answered started its read; -1 = none. */
  private notifiedAtPull = -1;
  /** ms since when `notifiedTo > pulledUpTo` (restarted by each re-notify); 0 = nothing unpulled. */
  private unpulledSince = 0;
  /** Re-notifications since the last pull answer (≤ MAX_RENOTIFY). */
  private renotified = 0;

  /** An inbox `s_ntf` of `time` is being written. */
  notified(time: number, now: number): void {
    if (time > this.notifiedTo) this.notifiedTo = time;
    if (this.unpulledSince === 0 && this.notifiedTo > this.pulledMark && this.renotified < MAX_RENOTIFY) this.unpulledSince = Math.max(1, now);
  }

  /** A pull starts reading its page. */
  pullAsked(): void {
    this.notifiedAtPull = this.notifiedTo;
  }

  /**
   * A pull answer reaching `syncTime` is about to be written. True when a notification was written while
   * that page was read and the page does not reach it (the read's snapshot predates a commit on another
   * node): the caller repeats it right after the answer, since E4 ignores `s_ntf` while its pull is pending.
   */
  pulledTo(syncTime: number, now: number): boolean {
    if (syncTime > this.pulledMark) this.pulledMark = syncTime;
    this.renotified = 0;
    if (this.pulledMark >= this.notifiedTo) this.unpulledSince = 0;
    else if (this.unpulledSince === 0) this.unpulledSince = Math.max(1, now);
    return this.notifiedTo > this.notifiedAtPull && this.unpulled();
  }

  /** Newest `syncTime` of a pull answer written to the session; -1 = none. */
  get pulledUpTo(): number {
    return this.pulledMark;
  }

  /** Whether a pull answer already reached `time`. */
  pulledPast(time: number): boolean {
    return this.pulledMark >= time;
  }

  /** Whether a notification is newer than every pull answer. */
  unpulled(): boolean {
    return this.notifiedTo > this.pulledMark;
  }

  /**
   * The gateway sweep: true (and counted) when the first unpulled notification is at least `afterMs` old;
   * at most MAX_RENOTIFY times until the next pull answer.
   */
  takeDue(now: number, afterMs: number): boolean {
    if (this.unpulledSince === 0 || now - this.unpulledSince < afterMs) return false;
    this.renotified += 1;
    this.unpulledSince = this.renotified < MAX_RENOTIFY ? now : 0;
    return true;
  }
}
