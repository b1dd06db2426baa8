/**
 * A session's inbox side: the inbox notifications it was sent and the pulls it made (InboxMarks, inbox-renotify.ts),
 * and, for the official clients that read a pushed time as their inbox cursor, the hold of messages that are not
 * stored while they pull (TransientHold, transient-hold.ts). Created with a session's first inbox notification,
 * pull or not-stored message (an idle session carries none: P2 memory, session.ts). The pull mark of such a client's
 * session outlives it for the device's next session (PullMarkHandover, pull-mark-handover.ts).
 */
import { encodeMessage, rc } from '../../../src/internal';
import type { Clock } from '../context';
import { inboxNotifyTime, InboxMarks } from './inbox-renotify';
import type { SessionInfo } from './topic-router';
import { deviceKey, downStreamTime, type HandoverMember, type PullMarkHandover, type PullState } from './pull-mark-handover';
import { holdsTransients, TransientHold } from './transient-hold';

/** What the inbox side needs of its session. */
export interface SessionInboxHost {
  readonly info: SessionInfo;
  readonly closed: boolean;
  /** Writes a server PUBLISH now (no inbox bookkeeping: SessionInbox.push does that). */
  writePush(topic: string, targetId: string, payload: Uint8Array, qos: 0 | 1): void;
  /** Writes a multi-device echo now (PROTOCOL.md §5.5). */
  writeEcho(topic: string, targetId: string, upstream: Uint8Array, sentTime: number, messageUId: string): void;
}

export class SessionInbox implements HandoverMember {
  private readonly marks = new InboxMarks();
  /** Not-stored messages waiting for the client's pulls; official 2.x / early 5.x clients only. */
  private transients: TransientHold | undefined;
  /** Whether not-stored messages go through a TransientHold (transient-hold.ts: holdsTransients). */
  readonly holds: boolean;
  /** The device's key when its pull mark is handed over to its next session (pull-mark-handover.ts). */
  private readonly device: string | undefined;
  /** Whether the first `pullMsg` was asked about (HandoverMember.pulled). */
  pulled = false;
  /** Taken over from the device's earlier session at the first pull; its mark stands until this one's first answer. */
  private inherited: PullState | undefined;
  /** The newest `s_msg` time written (the client's cursor moves to it), or taken over (0 = none). */
  private pushedTo = 0;

  constructor(
    private readonly host: SessionInboxHost,
    private readonly clock: Clock,
    private readonly handover?: PullMarkHandover,
  ) {
    this.holds = holdsTransients(host.info);
    // Not for a session already closed (a handler finishing late): it would never leave.
    this.device = this.holds && host.info.clientKind !== 'L2' && handover !== undefined && !host.closed ? deviceKey(host.info) : undefined;
    if (this.device !== undefined) handover?.joined(this.device, this);
  }

  get info(): SessionInfo {
    return this.host.info;
  }

  private get hold(): TransientHold {
    const port = {
      pulledTo: () => this.marks.pulledUpTo,
      notifiedUnpulled: () => this.marks.unpulled(),
      isOpen: () => !this.host.closed,
      // Monotonic: a wall clock stepped back would hold messages (and queued s_ntf) for the length of the step.
      now: () => performance.now(),
      age: () => this.clock.now() - this.host.info.connectedAt,
    };
    return (this.transients ??= new TransientHold(port, this.host.info.clientKind === 'L2'));
  }

  /** A server push: an inbox `s_ntf` is recorded, and waits when right behind a not-stored message (TransientHold.notify). */
  push(topic: string, targetId: string, payload: Uint8Array, qos: 0 | 1): void {
    if (topic !== 's_ntf') {
      this.host.writePush(topic, targetId, payload, qos);
      return;
    }
    const write = (): void => {
      if (this.host.closed) return;
      const time = inboxNotifyTime(payload);
      if (time !== undefined) this.marks.notified(time, this.clock.now());
      this.host.writePush(topic, targetId, payload, qos);
    };
    if (this.transients !== undefined) this.transients.notify(write);
    else write();
  }

  /**
   * An `s_msg` to a session that holds not-stored messages (every `s_msg` an official client gets is one: stored
   * messages go by `s_ntf` and pull): written once the client is done pulling.
   */
  holdDownstream(targetId: string, payload: Uint8Array, qos: 0 | 1): void {
    this.hold.sendDownstream(payload, (timed) => {
      if (this.device !== undefined) this.pushedTo = Math.max(this.pushedTo, downStreamTime(timed));
      this.host.writePush('s_msg', targetId, timed, qos);
    });
  }

  /** An echo of a not-stored message to a session that holds them: written once the client is done pulling. */
  holdEcho(topic: string, targetId: string, upstream: Uint8Array, sentTime: number, messageUId: string): void {
    this.hold.sendEcho(sentTime, upstream.length, (time) => this.host.writeEcho(topic, targetId, upstream, time, messageUId));
  }

  /** A `pullMsg` QUERY arrived. */
  pullArrived(): void {
    if (this.holds) this.hold.pullArrived();
  }

  /** A `pullMsg` QUERYACK is being written. */
  pullAnswered(): void {
    this.transients?.pullAnswered();
  }

  /**
   * SessionPort.pullMark: for the engines (4.4.2, 5.x before 5.28) whose inbox cursor an s_msg moves. Asked once per
   * pull; at the first, the device's earlier session's mark is taken over (pull-mark-handover.ts).
   */
  pullMark(): number {
    if (!this.holds || this.host.info.clientKind === 'L2') return -1;
    // A closed session takes nothing over: it has left, and what it took would be lost with it.
    if (!this.pulled && !this.host.closed) {
      this.pulled = true;
      this.inherited = this.device !== undefined ? this.handover?.firstPull(this.device, this) : undefined;
      if (this.inherited !== undefined) this.pushedTo = Math.max(this.pushedTo, this.inherited.movedTo);
    }
    const own = this.marks.pulledUpTo;
    return own >= 0 ? own : (this.inherited?.mark ?? -1);
  }

  /** HandoverMember.pushedPast: where the pulls reached, when the client's cursor was pushed (or answered) past it. */
  pushedPast(): PullState | undefined {
    const own = this.marks.pulledUpTo;
    const mark = own >= 0 ? own : (this.inherited?.mark ?? -1);
    const movedTo = Math.max(this.pushedTo, this.transients?.echoedTo ?? 0);
    return mark >= 0 && movedTo > mark ? { mark, movedTo } : undefined;
  }

  /** SessionPort.answerFloor: the newest echo time written to an official client that queues it while pulling. */
  answerFloor(): number {
    return this.transients?.echoedTo ?? 0;
  }

  /** The `pullMsg` handler starts reading its page. */
  pullAsked(): void {
    this.marks.pullAsked();
  }

  /** A `pullMsg` answer reaching `syncTime` is about to be written; `more`: a truncated page (the client pulls on). */
  pulledTo(syncTime: number, more: boolean): void {
    if (more) this.transients?.pullContinues();
    if (!this.marks.pulledTo(syncTime, this.clock.now())) return;
    // A notification the answer's read missed: again right after the answer (InboxMarks.pulledTo).
    setImmediate(() => {
      if (!this.host.closed && this.marks.unpulled()) this.notifyAgain();
    });
  }

  /** The gateway sweep: the newest inbox `s_ntf` again when not pulled up to within `afterMs` (inbox-renotify.ts). */
  renotifyIfDue(now: number, afterMs: number): boolean {
    if (!this.marks.takeDue(now, afterMs)) return false;
    this.notifyAgain();
    return true;
  }

  /** The newest inbox `s_ntf` time this session was told of and never pulled up to; undefined when none. */
  unpulledTime(): number | undefined {
    return this.marks.unpulled() ? this.marks.notifiedTo : undefined;
  }

  /** Another session of the user ended with inbox data it never pulled: tell this one (recorded like any `s_ntf`). */
  takeOver(time: number): void {
    if (this.marks.pulledPast(time)) return;
    this.push('s_ntf', this.host.info.userId, encodeMessage(rc.NotifyMsg, { type: 1, time }), 1);
  }

  /** The session closed: nothing held is sent any more; its pull mark is left to the device's next session. */
  clear(): void {
    this.transients?.clear();
    if (this.device !== undefined) this.handover?.left(this.device, this);
  }

  private notifyAgain(): void {
    this.push('s_ntf', this.host.info.userId, encodeMessage(rc.NotifyMsg, { type: 1, time: this.marks.notifiedTo }), 1);
  }
}
