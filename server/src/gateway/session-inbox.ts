/**
 * A session's inbox side: the inbox notifications it was sent and the pulls it made (InboxMarks, inbox-renotify.ts),
 * and, for the official clients that read a pushed time as their inbox cursor, the hold of messages that are not
 * stored while they pull (TransientHold, transient-hold.ts). Created with a session's first inbox notification,
 * pull or not-stored message (an idle session carries none: P2 memory, session.ts).
 */
import { encodeMessage, rc } from '../../../src/internal';
import type { Clock } from '../context';
import { inboxNotifyTime, InboxMarks } from './inbox-renotify';
import type { SessionInfo } from './topic-router';
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

export class SessionInbox {
  private readonly marks = new InboxMarks();
  /** Not-stored messages waiting for the client's pulls; official 2.x / early 5.x clients only. */
  private transients: TransientHold | undefined;
  /** Whether not-stored messages go through a TransientHold (transient-hold.ts: holdsTransients). */
  readonly holds: boolean;

  constructor(
    private readonly host: SessionInboxHost,
    private readonly clock: Clock,
  ) {
    this.holds = holdsTransients(host.info);
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
    this.hold.sendDownstream(payload, (timed) => this.host.writePush('s_msg', targetId, timed, qos));
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

  /** SessionPort.pullMark: for the engines (4.4.2, 5.x before 5.28) whose inbox cursor an s_msg moves. */
  pullMark(): number {
    return this.holds && this.host.info.clientKind !== 'L2' ? this.marks.pulledUpTo : -1;
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

  /** The session closed: nothing held is sent any more. */
  clear(): void {
    this.transients?.clear();
  }

  private notifyAgain(): void {
    this.push('s_ntf', this.host.info.userId, encodeMessage(rc.NotifyMsg, { type: 1, time: this.marks.notifiedTo }), 1);
  }
}
