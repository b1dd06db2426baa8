import { rc, encodeMessage, newMessageUidFor } from './wire';
import type { Hub } from '../gateway/hub';
import type { LocalSession } from '../gateway/session-registry';
import type { UserEvent } from '../gateway/user-event';
import type { ServerContext } from '../context';
import type { StoredMessage } from '../store/store';
import { Direction } from '../store/store';
import { FlagBit, toDownStream, transientDownStream } from './message-view';
import { encodeDownStream } from './downstream-encode';
import { InboxDelivery } from './inbox-delivery';
import { newMessageOf, serverSendEcho } from './outgoing-message';
import type { Mutable, OutgoingMessage, SendOrigin, SendResult } from './outgoing-message';

export type { OutgoingMessage, SendOrigin, SendResult } from './outgoing-message';

/**
 * Recipients notified in the caller's turn; the rest get theirs in slices of this size on later event-loop
 * turns, i.e. after the sender's PUBACK, so a 3000-member group send holds the loop for the store write
 * only. A notification is a hint (the data is already stored), so the slight delay costs latency, not data.
 */
export const FAN_OUT_SLICE = 256;

/** The Hub's slot of an inbox wake-up kept for a retry (one per user; the newest time wins). */
export const INBOX_WAKE_SLOT = 'inbox';

function inSlices<T>(items: readonly T[], each: (item: T) => void): void {
  const step = (from: number): void => {
    const end = Math.min(items.length, from + FAN_OUT_SLICE);
    for (let i = from; i < end; i++) each(items[i] as T);
    if (end < items.length) setImmediate(() => step(end));
  };
  step(0);
}

const NO_ORIGIN: SendOrigin = Object.freeze({});

/** Typing status: not stored, and never taken as an inbox cursor. */
const TYPING_STATUS = 'RC:TypSts';

/**
 * Dispatch of one message: durable write first, then notifications (notify-then-sync, STYLE.md §9.6).
 * Persisted messages reach recipients through `s_ntf` → `pullMsg` (robust against the clients dropping
 * `s_msg` during a pull, PROTOCOL.md §5.4), or directly as `s_msg` to a session that declared it keeps
 * order (`directPush=1`) and provably has every earlier entry (inbox-delivery.ts); transient ones (status, non-persisted commands) through
 * `s_msg` to online sessions only. A lost notification costs latency, never data.
 */
export class MessagingService {
  /**
   * Inbox notifications of stored messages not yet emitted, by (app, user, skipped session): group commit
   * resolves a whole batch of appends in one microtask run, so a user who got several messages in it gets
   * one `s_ntf` carrying the newest time (one pull fetches them all) instead of one per message.
   */
  private readonly pendingNotifications = new Map<string, { appKey: string; userId: string; time: number; exceptSessionId: string | undefined }>();
  private notificationsQueued = false;
  /** Inbox wake-ups the broker did not take, for the rate-limited log line. */
  private notificationsFailed = 0;

  /** Which sessions may take a stored message as `s_msg` (inbox-delivery.ts); the pull handler feeds it. */
  readonly delivery = new InboxDelivery();

  constructor(
    private readonly ctx: ServerContext,
    private readonly hub: Hub,
  ) {
    hub.onLocalSession((info, online) => {
      if (!online) this.delivery.untrack(info.sessionId);
      else if (info.directPush === true && info.transport === 'websocket') this.delivery.track(info.sessionId);
    });
    hub.onLocalPresence((appKey, userId, online) => {
      if (!online) this.delivery.forgetUser(appKey, userId);
    });
  }

  /**
   * Not `async`, and the stored path has exactly one continuation (afterStored + the result) on the append's
   * promise: group commit settles a whole batch in one microtask run, so every layer's `await` here was a
   * promise and a tick per message (issue #12 P1). A synchronous throw (bad input to the store) still comes
   * back as a rejection.
   */
  send(message: OutgoingMessage, origin: SendOrigin = NO_ORIGIN): Promise<SendResult> {
    if (message.flags & FlagBit.Persisted) {
      let appended: Promise<StoredMessage>;
      try {
        appended = this.ctx.store.messages.append(newMessageOf(message, this.ctx.clock.now()));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return appended.then((stored) => {
        this.afterStored(stored, message, origin);
        return { status: 0, sentTime: stored.sentTime, messageUId: stored.uid, stored: true };
      });
    }
    const sentTime = this.ctx.clock.now();
    const messageUId = newMessageUidFor(sentTime);
    const result: SendResult = { status: 0, sentTime, messageUId, stored: false };
    // A client may move its inbox cursor to a not-stored message's time (gateway/transient-hold.ts), so the time is
    // reserved on the app's shared message clock before delivery: a stored message sent later through a node whose
    // wall clock is behind this one's still gets a greater time (docs/SCALING.md). The reservation is not a stored
    // message (lastSentTime stays). Not for typing status (no client moves its cursor on it; the most frequent
    // not-stored type). A failed reservation fails the send as a failed append does.
    if (message.objectName !== TYPING_STATUS) {
      let reserved: Promise<void>;
      try {
        reserved = this.ctx.store.messages.reserveTime(message.appKey, sentTime);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return reserved.then(() => {
        this.deliverTransient(message, sentTime, messageUId, origin);
        return result;
      });
    }
    try {
      this.deliverTransient(message, sentTime, messageUId, origin);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return Promise.resolve(result);
  }

  /** A server push (`s_cmd`, `s_us`, …) to every session of `userId` but `exceptSessionId`. */
  pushToUser(appKey: string, userId: string, topic: string, payload: Uint8Array, exceptSessionId?: string): void {
    this.emit(appKey, userId, { kind: 'push', topic, targetId: userId, payload, qos: 1 }, exceptSessionId);
  }

  /** Tells every session of `userId` that new data is waiting (inbox cursor target `time`). */
  notifyInbox(appKey: string, userId: string, time: number, exceptSessionId?: string): void {
    const payload = encodeMessage(rc.NotifyMsg, { type: 1, time });
    const event: UserEvent = { kind: 'push', topic: 's_ntf', targetId: userId, payload, qos: 1 };
    const publishing = this.hub.post(appKey, userId, event, exceptSessionId);
    if (publishing === undefined) return;
    publishing.catch((error: unknown) => {
      // The broker did not take it (this node's link is down): the recipient's node may already have woken its
      // sessions after its own reconnect, so the wake-up is kept and published again (one per user, newest time).
      // Logged at the 1st, 2nd, 4th… failure: a group fan-out during an outage fails once per recipient.
      this.notificationsFailed += 1;
      if ((this.notificationsFailed & (this.notificationsFailed - 1)) === 0) {
        this.ctx.log.warn('notification failed (kept for a retry)', { appKey, userId, failedSoFar: this.notificationsFailed, error: String(error) });
      }
      this.hub.keepUnsent(appKey, userId, event, { slot: INBOX_WAKE_SLOT, rank: time }, exceptSessionId);
    });
  }

  /**
   * Whether `userId` has no session anywhere but `sessionId` (this node holds it and only this node listens on
   * the user's topic: in-process broker). Then the echo and the sendbox `s_ntf` have nobody to reach.
   */
  private onlySession(appKey: string, userId: string, sessionId: string | undefined): boolean {
    return sessionId !== undefined && this.hub.soleSession(appKey, userId)?.info.sessionId === sessionId;
  }

  private afterStored(stored: StoredMessage, message: OutgoingMessage, origin: SendOrigin): void {
    const { recipients } = message;
    if (recipients.length === 1) {
      // The private-message case, without the fan-out machinery.
      if (recipients[0] !== message.fromUserId) this.toInbox(stored, recipients[0] as string, message.mentionedUserIds);
    } else if (recipients.length > 1) {
      const users = [...new Set(recipients)];
      if (users.length > FAN_OUT_SLICE) this.markLaterSlices(stored, users);
      inSlices(users, (userId) => {
        if (userId !== message.fromUserId) this.toInbox(stored, userId, message.mentionedUserIds);
      });
    }
    if (!message.senderSendbox || this.onlySession(stored.appKey, message.fromUserId, origin.sessionId)) return;
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
    this.notifySoon(stored.appKey, message.fromUserId, stored.sentTime, origin.sessionId);
  }

  /**
   * The recipients past the first slice get their entry a turn or more later; a message stored meanwhile for one of
   * them must not be pushed ahead of it (its entry is older). So their inbox marks are raised now, in commit order:
   * the later message then goes by `s_ntf` and a pull, which brings both in order, and so does this one when its
   * slice runs (its predecessor is itself). Only users with a session here have marks (a map lookup each).
   */
  private markLaterSlices(stored: StoredMessage, users: readonly string[]): void {
    const { appKey, sentTime } = stored;
    const registry = this.hub.registry;
    for (let i = FAN_OUT_SLICE; i < users.length; i++) {
      const userId = users[i] as string;
      if (userId !== stored.fromUserId && registry.sessionsOf(appKey, userId).length > 0) this.delivery.recordInbox(appKey, userId, sentTime, true);
    }
  }

  /**
   * A stored message reaches `userId`'s inbox: pushed as `s_msg` to each local session that provably has
   * every earlier entry (inbox-delivery.ts), `s_ntf` to every other session. Runs in commit order.
   */
  private toInbox(stored: StoredMessage, userId: string, mentionedUserIds: readonly string[] | undefined): void {
    const { appKey, sentTime } = stored;
    const sole = this.hub.registry.soleSessionOf(appKey, userId);
    if (sole === undefined) {
      this.toInboxOf(stored, userId, mentionedUserIds, this.hub.registry.sessionsOf(appKey, userId));
      return;
    }
    // One session here (the common case), without a list: what `toInboxOf` decides for a list of one.
    const previous = this.delivery.recordInbox(appKey, userId, sentTime, true);
    if (this.pushStored(sole, previous, stored, userId, mentionedUserIds) === undefined) {
      this.notifySoon(appKey, userId, sentTime);
      return;
    }
    if (!this.hub.onlyListener(appKey, userId)) void this.notifyRemote(appKey, userId, sentTime, [sole.info.sessionId]);
  }

  /** `toInbox` for a user with no session or several on this node (`local`, a snapshot). */
  private toInboxOf(stored: StoredMessage, userId: string, mentionedUserIds: readonly string[] | undefined, local: readonly LocalSession[]): void {
    const { appKey, sentTime } = stored;
    if (local.length === 0) {
      // Nobody to push to (recordInbox records nothing for a user without a local session).
      this.notifySoon(appKey, userId, sentTime);
      return;
    }
    const previous = this.delivery.recordInbox(appKey, userId, sentTime, true);
    let payload: Uint8Array | undefined;
    let directId: string | undefined;
    let direct = 0;
    for (const session of local) {
      const pushed = this.pushStored(session, previous, stored, userId, mentionedUserIds, payload);
      if (pushed === undefined) continue;
      payload = pushed;
      directId = session.info.sessionId;
      direct += 1;
    }
    if (direct === 0) {
      this.notifySoon(appKey, userId, sentTime);
    } else if (local.length > direct) {
      // Rare (several devices here): one skipped session at most, the others' s_ntf is harmless to them.
      this.notifySoon(appKey, userId, sentTime, direct === 1 ? directId : undefined);
    } else if (!this.hub.onlyListener(appKey, userId)) {
      void this.notifyRemote(appKey, userId, sentTime, local.map((s) => s.info.sessionId));
    }
  }

  /**
   * `s_msg` of a stored message to `session` if it may take it now (inbox-delivery.ts: it has every entry before
   * this one, whose predecessor is at `previous`), recorded as pushed. Returns the payload it sent (`payload` when
   * given: one encoding for several sessions of the user), undefined when the session must pull instead.
   */
  private pushStored(session: LocalSession, previous: number | undefined, stored: StoredMessage, userId: string,
    mentionedUserIds: readonly string[] | undefined, payload?: Uint8Array): Uint8Array | undefined {
    const state = this.delivery.pushable(session.info.sessionId, previous, stored.sentTime);
    if (state === undefined) return undefined;
    const bytes = payload ?? this.receivedPayload(stored, userId, mentionedUserIds);
    // qos 0: a push lost with its connection is pulled after the reconnect, a PUBACK would be pure cost.
    pushTo(session, 's_msg', stored.fromUserId, bytes, 0);
    this.delivery.pushedTo(state, stored.sentTime);
    return bytes;
  }

  /** The `s_msg` payload of a stored message as `userId` receives it. */
  private receivedPayload(stored: StoredMessage, userId: string, mentionedUserIds: readonly string[] | undefined): Uint8Array {
    return encodeDownStream(toDownStream({
      message: stored,
      direction: Direction.Receive,
      mentioned: mentionedUserIds?.includes(userId) ?? false,
    }));
  }

  /** `s_ntf` for sessions of the user on other nodes, if presence knows any; nothing to do on one node. */
  private async notifyRemote(appKey: string, userId: string, time: number, handled: readonly string[]): Promise<void> {
    try {
      const refs = await this.hub.sessionsOf(appKey, userId);
      if (!refs.some((ref) => !handled.includes(ref.sessionId))) return;
    } catch (error) {
      this.ctx.log.warn('presence lookup failed', { appKey, userId, error: String(error) });
    }
    this.notifySoon(appKey, userId, time, handled.length === 1 ? handled[0] : undefined);
  }

  /** `notifyInbox` after the current microtask run, coalesced per (app, user, skipped session). */
  private notifySoon(appKey: string, userId: string, time: number, exceptSessionId?: string): void {
    const key = exceptSessionId === undefined ? `${appKey}\u0000${userId}` : `${appKey}\u0000${userId}\u0000${exceptSessionId}`;
    const pending = this.pendingNotifications.get(key);
    if (pending !== undefined) {
      pending.time = Math.max(pending.time, time);
      return;
    }
    this.pendingNotifications.set(key, { appKey, userId, time, exceptSessionId });
    if (this.notificationsQueued) return;
    this.notificationsQueued = true;
    queueMicrotask(() => {
      this.notificationsQueued = false;
      const due = [...this.pendingNotifications.values()];
      this.pendingNotifications.clear();
      for (const n of due) this.notifyInbox(n.appKey, n.userId, n.time, n.exceptSessionId);
    });
  }

  private deliverTransient(message: OutgoingMessage, sentTime: number, messageUId: string, origin: SendOrigin): void {
    const { recipients, mentionedUserIds } = message;
    const base: Mutable<Omit<StoredMessage, 'appKey' | 'recalled'>> = {
      uid: messageUId,
      sentTime,
      fromUserId: message.fromUserId,
      conversationType: message.conversationType,
      targetId: message.targetId,
      objectName: message.objectName,
      content: message.content,
      flags: message.flags,
    };
    if (message.configFlag !== undefined) base.configFlag = message.configFlag;
    if (message.pushContent !== undefined) base.pushContent = message.pushContent;
    if (message.extraContent !== undefined) base.extraContent = message.extraContent;
    // Two variants only (mentioned or not): encoded once, not per recipient.
    const plain = encodeDownStream(transientDownStream(base, false));
    const withMention = mentionedUserIds !== undefined && mentionedUserIds.length > 0 ? encodeDownStream(transientDownStream(base, true)) : plain;
    // The real server puts the sender in s_msg's targetId (PROTOCOL.md §5.4).
    if (recipients.length === 1) {
      // One recipient (a private conversation): no de-duplicating set nor slices.
      const userId = recipients[0] as string;
      if (userId !== message.fromUserId) {
        const payload = mentionedUserIds?.includes(userId) === true ? withMention : plain;
        this.emit(message.appKey, userId, { kind: 'push', topic: 's_msg', targetId: message.fromUserId, payload, qos: 0 });
      }
    } else if (recipients.length > 1) {
      const mentioned = new Set(mentionedUserIds);
      inSlices([...new Set(recipients)], (userId) => {
        if (userId === message.fromUserId) return;
        const payload = mentioned.has(userId) ? withMention : plain;
        this.emit(message.appKey, userId, { kind: 'push', topic: 's_msg', targetId: message.fromUserId, payload, qos: 0 });
      });
    }
    if (!message.senderSendbox) return;
    // Nothing is stored, so the echo is the only way the sender's sessions see it: a client send's other devices
    // (its PUBLISH echoed; a status topic never is), or every session of the sender of a Server API send with
    // isIncludeSender=1 (no session of origin).
    const echo = origin.sessionId === undefined ? serverSendEcho(message) : origin.echo;
    if (echo !== undefined) {
      this.emit(message.appKey, message.fromUserId, {
        kind: 'echo', topic: echo.topic, targetId: message.targetId, upstream: echo.upstream, sentTime, messageUId,
      }, origin.sessionId);
    }
  }

  private emit(appKey: string, userId: string, event: UserEvent, exceptSessionId?: string): void {
    // Handed on in this node: nothing to wait for, no promise (Hub.post). Else the publish, which may fail.
    const publishing = this.hub.post(appKey, userId, event, exceptSessionId);
    if (publishing === undefined) return;
    publishing.catch((error: unknown) => {
      this.ctx.log.warn('notification failed', { appKey, userId, error: String(error) });
    });
  }
}

/** `session.deliver({ kind: 'push', … })`, without the event object where the session takes a push as such. */
function pushTo(session: LocalSession, topic: string, targetId: string, payload: Uint8Array, qos: 0 | 1): void {
  if (session.push !== undefined) session.push(topic, targetId, payload, qos);
  else session.deliver({ kind: 'push', topic, targetId, payload, qos });
}
