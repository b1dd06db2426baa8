/**
 * Messages that are not stored, on their way to an official client that reads pushed times as inbox positions
 * (engine 4.4.2, RongIMLib 2.5.x, imlib-next before 5.28 — 5.7.3 does as 4.4.2; 5.38 sets its cursor from pull
 * answers only): held while the client pulls.
 *
 * Those clients keep one inbox cursor and read pushed times as positions in it (PROTOCOL.md §5.4, §5.5, §8.3):
 * - an `s_msg` (a message that is not stored, pushed to its recipients) moves the inbox cursor to its `dataTime`
 *   (E4 for every type but RC:TypSts — receipts, read syncs and custom not-stored types alike —, L2 for all): a
 *   stored message timed before it and not yet pulled was then never pulled (reproduced with 2.9.2: 12–22 of 30
 *   stored messages lost when not-stored ones were published beside them); and one that arrives while the client
 *   pulls is dropped;
 * - an echo (the sender's other devices, §5.5) that arrives while the client pulls has its PUBACK time queued, and
 *   E4 pulls again for as long as a queued time is above the answer's `syncTime`: a message that is not stored never
 *   raises it, so the client pulled in a tight loop until the next stored message (thousands of pulls a second).
 * So such a message waits while the client pulls or is about to — a `pullMsg` not yet answered (the official
 * clients pull right after connecting, so the first second of a session that has not pulled yet counts too: an
 * `s_msg` before the first pull would move the cursor past the offline messages), a truncated page answered (`finished=false`: E4 pulls on at once), an inbox
 * `s_ntf` newer than every answer (the client pulls on it), or less
 * than `FLUSH_DELAY_MS` since the last answer (a client reading the answer and the push in one chunk, as Node's `ws`
 * does, would still be pulling) — so that it is shown instead of dropped or queued; after `MAX_HOLD_MS` it goes
 * anyway. An inbox `s_ntf` right behind such a message waits `FLUSH_DELAY_MS` too (`notify`). Then:
 * - an echo keeps its time, and every finished pull answer of the session says `syncTime` at least the newest echo
 *   time written to it (Session.answerFloor; the session's pull mark stays the real high-water): one queued after
 *   all is reached by the next answer, so the client pulls once more, never in a loop. (2.9.2 registers an echoed
 *   read receipt request only if it is from today, so an echo cannot be timed back at the mark);
 * - an `s_msg` to E4 (and 5.7.x) keeps its time, and the next pull is answered from the pull mark when its cursor is past it
 *   (Session.pullMark, sync.ts), so what the message overtook is pulled and nothing twice — its time matters to
 *   the app (2.9.2 counts a read receipt response only if it is from today). The mark outlives the session: a socket
 *   lost or a page reloaded before that pull, the device's next session is answered from it at its first pull
 *   (pull-mark-handover.ts: same node only; a device is known by app, user, client version, platform and address);
 * - an `s_msg` to L2, which also drops pulled entries at or below its cursor, is timed at most at the pull mark.
 * A session that has never been answered a pull has no mark: its messages keep their time. Our SDK (`lianxin=` in
 * its URL), `directPush=1` clients and imlib-next ≥ 5.28 do not go through this (Session.clampsTransients).
 */

import { decodeMessage, encodeMessage, rc } from '../../../src/internal';
import type { SessionInfo } from './topic-router';

/** After the answer that ends the pulling, before held messages go out. */
export const FLUSH_DELAY_MS = 20;
/** The longest a message waits (a client that is told of new messages and does not pull within it is not pulling). */
export const MAX_HOLD_MS = 1_000;
/** Held at most, in count and payload bytes; past it the oldest go (these messages are not stored: best effort). */
const MAX_HELD = 100;
const MAX_HELD_BYTES = 256 * 1024;

/**
 * Whether an UpStreamMessage says "not stored": its field 1 (`sessionId`, the flag bits) comes first, as every
 * client and our Server API encode it, without the persisted bit. Anything else reads as stored.
 */
export function isTransientUpstream(upstream: Uint8Array): boolean {
  if (upstream[0] !== 0x08) return false;
  const flags = upstream[1];
  return flags !== undefined && (flags & 1) === 0;
}

/** An `s_msg` payload (DownStreamMessage) with its `dataTime` lowered to `cap` when above it. */
export function downStreamTimedAtMost(payload: Uint8Array, cap: number): Uint8Array {
  if (cap === Number.POSITIVE_INFINITY) return payload;
  const message = decodeMessage(rc.DownStreamMessage, payload, 'DownStreamMessage');
  if (Number(message.dataTime) <= cap) return payload;
  message.dataTime = cap;
  return encodeMessage(rc.DownStreamMessage, message);
}

/** Whether the client generation moves its inbox cursor to a pushed message's time: 2.x, and 5.x before 5.28. */
function pushMovesCursor(info: SessionInfo): boolean {
  if (info.clientKind !== 'E5') return true;
  const minor = /^5\.(\d+)/.exec(info.sdkVer);
  return minor !== null && Number(minor[1]) < 28;
}

/**
 * Whether a session's messages that are not stored go through a TransientHold: the official clients that read a
 * pushed time as their inbox cursor — 2.x (E4, L2) and imlib-next before 5.28 (5.7.3 lost 25 of 30 stored messages;
 * 5.38 sets its cursor from pull answers only). Our SDK says `lianxin=`, and a `directPush=1` client keeps pushes
 * apart from its cursor by contract (inbox-delivery.ts).
 */
export function holdsTransients(info: SessionInfo): boolean {
  return info.lianxinVersion === undefined && info.directPush !== true && pushMovesCursor(info);
}

/** What the session tells the hold. */
export interface TransientHoldPort {
  /** The newest `syncTime` a pull answer of the session reached; -1 before the first answer. */
  pulledTo(): number;
  /** An inbox `s_ntf` is newer than every pull answer of the session. */
  notifiedUnpulled(): boolean;
  isOpen(): boolean;
  /** A monotonic clock (ms). */
  now(): number;
  /** ms since the session was opened. */
  age(): number;
}

/**
 * Writes one held message, timed at most at `cap` (+Infinity: as it is); returns the time of an echo's PUBACK it
 * wrote (a time the client may queue while pulling), else 0.
 */
export type TransientWrite = (cap: number) => number;

export class TransientHold {
  /** `pullMsg` QUERYs received and not yet answered. */
  private pending = 0;
  /** A `pullMsg` has arrived (official clients pull right after connecting: until then they are about to). */
  private pulled = false;
  /** The last answer was a truncated page and the client's next pull has not arrived yet. */
  private continuing = false;
  private held: Array<{ readonly write: TransientWrite; readonly bytes: number }> = [];
  private heldBytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private heldSince = 0;
  /** When the last pull answer was written (ms of `port.now`, a monotonic clock; 0 = none). */
  private answeredAt = 0;
  /** When the last held-back kind of message was written (ms; 0 = none). */
  private wroteAt = 0;
  /** The newest echo time written (0 = none): a finished pull answer reaches at least it (Session.answerFloor). */
  echoedTo = 0;
  /** Inbox `s_ntf`s waiting for `FLUSH_DELAY_MS` after it. */
  private notifications: Array<() => void> = [];
  private notifyTimer: ReturnType<typeof setTimeout> | undefined;

  /** `l2`: the client is RongIMLib 2.5.x (L2), which also drops pulled entries at or below its cursor. */
  constructor(
    private readonly port: TransientHoldPort,
    private readonly l2 = false,
  ) {}

  /**
   * An `s_msg` (every one an official client gets is a message that is not stored; stored ones go by s_ntf and
   * pull): E4 keeps its time (the session's pull mark puts its pulls back where they were); L2's is timed at most
   * at the mark, as it filters by its cursor itself.
   */
  sendDownstream(payload: Uint8Array, write: (payload: Uint8Array) => void): void {
    this.send((cap) => {
      write(this.l2 ? downStreamTimedAtMost(payload, cap) : payload);
      return 0;
    }, payload.length);
  }

  /** An echo of a message that is not stored (`bytes`: its upstream payload): L2's timed at most at the mark, the others' as it is. */
  sendEcho(sentTime: number, bytes: number, write: (time: number) => void): void {
    this.send((cap) => {
      const time = this.l2 ? Math.min(sentTime, cap) : sentTime;
      write(time);
      return this.l2 ? 0 : time;
    }, bytes);
  }

  pullArrived(): void {
    this.pending += 1;
    this.pulled = true;
    this.continuing = false;
  }

  /** The answer about to be written is a truncated page (`finished=false`): the client pulls on (E4 at once). */
  pullContinues(): void {
    this.continuing = true;
  }

  /** A `pullMsg` was answered (after the session noted the answer's `syncTime`). */
  pullAnswered(): void {
    if (this.pending > 0) this.pending -= 1;
    this.answeredAt = this.port.now();
    if (this.held.length > 0 && !this.pulling()) this.schedule(FLUSH_DELAY_MS);
  }

  /** Writes `write` (a message of `bytes` payload bytes) now, or once the client is done pulling. */
  send(write: TransientWrite, bytes: number): void {
    if (this.held.length === 0 && !this.waiting(this.port.now())) {
      this.wrote(write);
      return;
    }
    if (this.held.length === 0) this.heldSince = this.port.now();
    this.held.push({ write, bytes });
    this.heldBytes += bytes;
    while (this.held.length > MAX_HELD || (this.heldBytes > MAX_HELD_BYTES && this.held.length > 1)) this.heldBytes -= this.held.shift()?.bytes ?? 0;
    if (this.timer === undefined) this.schedule(this.pulling() ? MAX_HOLD_MS : FLUSH_DELAY_MS);
  }

  /** The session closed: nothing is sent any more. */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.notifyTimer !== undefined) clearTimeout(this.notifyTimer);
    this.timer = undefined;
    this.notifyTimer = undefined;
    this.held = [];
    this.heldBytes = 0;
    this.notifications = [];
  }

  private pulling(): boolean {
    return this.pending > 0 || this.continuing || this.port.notifiedUnpulled() || (!this.pulled && this.port.age() < MAX_HOLD_MS);
  }

  private waiting(now: number): boolean {
    return this.pulling() || now - this.answeredAt < FLUSH_DELAY_MS;
  }

  private schedule(ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), Math.max(1, ms));
    this.timer.unref?.();
  }

  private flush(): void {
    this.timer = undefined;
    const now = this.port.now();
    const left = this.heldSince + MAX_HOLD_MS - now;
    if (left > 0 && this.waiting(now)) {
      this.schedule(this.pulling() ? left : Math.min(left, FLUSH_DELAY_MS - (now - this.answeredAt)));
      return;
    }
    const due = this.held;
    this.held = [];
    this.heldBytes = 0;
    if (this.port.isOpen()) for (const { write } of due) this.wrote(write);
  }

  /**
   * An inbox `s_ntf` to write. Right after a not-stored message it waits `FLUSH_DELAY_MS`: E4 takes an echo only
   * once its PUBACK's promise settles, and an `s_ntf` read in the same chunk starts a pull before that — the echo
   * is then queued instead of shown.
   */
  notify(write: () => void): void {
    const left = this.wroteAt + FLUSH_DELAY_MS - this.port.now();
    if (left <= 0 && this.notifications.length === 0) {
      write();
      return;
    }
    this.notifications.push(write);
    if (this.notifyTimer !== undefined) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      const due = this.notifications;
      this.notifications = [];
      if (this.port.isOpen()) for (const send of due) send();
    }, Math.max(1, left));
    this.notifyTimer.unref?.();
  }

  private wrote(write: TransientWrite): void {
    const mark = this.port.pulledTo();
    this.echoedTo = Math.max(this.echoedTo, write(mark < 0 ? Number.POSITIVE_INFINITY : mark));
    this.wroteAt = this.port.now();
  }
}
