import { rc, encodeMessage, newMessageUidFor } from './wire';
import type { Hub } from '../gateway/hub';
import type { UserEvent } from '../gateway/user-event';
import type { ServerContext } from '../context';
import type { StoredMessage } from '../store/store';
import { FlagBit, transientDownStream } from './message-view';

/**
 * Recipients notified in the caller's turn; the rest get theirs in slices of this size on later event-loop
 * turns, i.e. after the sender's PUBACK, so a 3000-member group send holds the loop for the store write
 * only. A notification is a hint (the data is already stored), so the slight delay costs latency, not data.
 */
export const FAN_OUT_SLICE = 256;

function inSlices<T>(items: readonly T[], each: (item: T) => void): void {
  const step = (from: number): void => {
    const end = Math.min(items.length, from + FAN_OUT_SLICE);
    for (let i = from; i < end; i++) each(items[i] as T);
    if (end < items.length) setImmediate(() => step(end));
  };
  step(0);
}

/** A message about to be dispatched, whatever its origin (client PUBLISH or Server API). */
export interface OutgoingMessage {
  readonly appKey: string;
  readonly fromUserId: string;
  readonly conversationType: number;
  /** From the sender's point of view. */
  readonly targetId: string;
  readonly objectName: string;
  readonly content: Uint8Array;
  /** UpStreamMessage.sessionId bits; bit 1 decides stored vs transient. */
  readonly flags: number;
  readonly configFlag?: number;
  readonly pushContent?: string;
  readonly pushData?: string;
  readonly pushExt?: Uint8Array;
  readonly extraContent?: string;
  /** Inbox owners other than the sender (never contains the sender). */
  readonly recipients: readonly string[];
  readonly mentionedUserIds?: readonly string[];
  /** Whether the sender's own sync (sendbox) and other sessions see it. */
  readonly senderSendbox: boolean;
}

/** Where a message came from, so the sender's own session is skipped and its other devices get an echo. */
export interface SendOrigin {
  readonly sessionId?: string;
  /** The original client PUBLISH, for the multi-device echo (PROTOCOL.md §5.5). Absent: no echo. */
  readonly echo?: { readonly topic: string; readonly upstream: Uint8Array };
}

export interface SendResult {
  readonly sentTime: number;
  readonly messageUId: string;
  readonly stored: boolean;
}

/**
 * Dispatch of one message: durable write first, then notifications (notify-then-sync, STYLE.md §9.6).
 * Persisted messages reach recipients through `s_ntf` → `pullMsg` (robust against the clients dropping
 * `s_msg` during a pull, PROTOCOL.md §5.4); transient ones (status, non-persisted commands) through `s_msg`
 * to online sessions only. A lost notification costs latency, never data.
 */
export class MessagingService {
  constructor(
    private readonly ctx: ServerContext,
    private readonly hub: Hub,
  ) {}

  async send(message: OutgoingMessage, origin: SendOrigin = {}): Promise<SendResult> {
    if (message.flags & FlagBit.Persisted) {
      const stored = await this.ctx.store.messages.append({ ...message, now: this.ctx.clock.now() });
      this.afterStored(stored, message, origin);
      return { sentTime: stored.sentTime, messageUId: stored.uid, stored: true };
    }
    const sentTime = this.ctx.clock.now();
    const messageUId = newMessageUidFor(sentTime);
    this.deliverTransient(message, sentTime, messageUId, origin);
    return { sentTime, messageUId, stored: false };
  }

  /** A server push (`s_cmd`, `s_us`, …) to every session of `userId` but `exceptSessionId`. */
  pushToUser(appKey: string, userId: string, topic: string, payload: Uint8Array, exceptSessionId?: string): void {
    this.emit(appKey, userId, { kind: 'push', topic, targetId: userId, payload, qos: 1 }, exceptSessionId);
  }

  /** Tells every session of `userId` that new data is waiting (inbox cursor target `time`). */
  notifyInbox(appKey: string, userId: string, time: number, exceptSessionId?: string): void {
    const payload = encodeMessage(rc.NotifyMsg, { type: 1, time });
    this.emit(appKey, userId, { kind: 'push', topic: 's_ntf', targetId: userId, payload, qos: 1 }, exceptSessionId);
  }

  private afterStored(stored: StoredMessage, message: OutgoingMessage, origin: SendOrigin): void {
    inSlices([...new Set(message.recipients)], (userId) => {
      if (userId !== message.fromUserId) this.notifyInbox(stored.appKey, userId, stored.sentTime);
    });
    if (!message.senderSendbox) return;
    if (origin.echo) {
      this.emit(stored.appKey, message.fromUserId, {
        kind: 'echo',
        topic: origin.echo.topic,
        targetId: message.targetId,
        upstream: origin.echo.upstream,
        sentTime: stored.sentTime,
        messageUId: stored.uid,
      }, origin.sessionId);
    }
    // The sendbox pull is what keeps the sender's other devices right even when the echo is dropped.
    this.notifyInbox(stored.appKey, message.fromUserId, stored.sentTime, origin.sessionId);
  }

  private deliverTransient(message: OutgoingMessage, sentTime: number, messageUId: string, origin: SendOrigin): void {
    const mentioned = new Set(message.mentionedUserIds ?? []);
    const base = {
      uid: messageUId,
      sentTime,
      fromUserId: message.fromUserId,
      conversationType: message.conversationType,
      targetId: message.targetId,
      objectName: message.objectName,
      content: message.content,
      flags: message.flags,
      ...(message.configFlag !== undefined ? { configFlag: message.configFlag } : {}),
      ...(message.pushContent !== undefined ? { pushContent: message.pushContent } : {}),
      ...(message.extraContent !== undefined ? { extraContent: message.extraContent } : {}),
    };
    // Two variants only (mentioned or not): encoded once, not per recipient.
    const plain = encodeMessage(rc.DownStreamMessage, transientDownStream(base, false));
    const withMention = mentioned.size > 0 ? encodeMessage(rc.DownStreamMessage, transientDownStream(base, true)) : plain;
    inSlices([...new Set(message.recipients)], (userId) => {
      if (userId === message.fromUserId) return;
      const payload = mentioned.has(userId) ? withMention : plain;
      // The real server puts the sender in s_msg's targetId (PROTOCOL.md §5.4).
      this.emit(message.appKey, userId, { kind: 'push', topic: 's_msg', targetId: message.fromUserId, payload, qos: 0 });
    });
    if (origin.echo && message.senderSendbox) {
      this.emit(message.appKey, message.fromUserId, {
        kind: 'echo', topic: origin.echo.topic, targetId: message.targetId, upstream: origin.echo.upstream, sentTime, messageUId,
      }, origin.sessionId);
    }
  }

  private emit(appKey: string, userId: string, event: UserEvent, exceptSessionId?: string): void {
    const opts = exceptSessionId !== undefined ? { exceptSessionId } : undefined;
    this.hub.toUser(appKey, userId, event, opts).catch((error: unknown) => {
      this.ctx.log.warn('notification failed', { appKey, userId, error: String(error) });
    });
  }
}
