/**
 * Per-user fan-out across nodes. Every event for a user goes through the Broker topic
 * `user:<appKey>:<userId>` — also for sessions on this very node — so one code path serves one
 * node and many. A node subscribes a user's topic while it holds at least one of that user's
 * sessions. Presence (with TTL) answers "who is online where".
 */
import { userTopic, type Broker, type BrokerTopic, type Unsubscribe } from '../broker/broker';
import type { PresenceRegistry, SessionRef } from '../broker/presence';
import { SessionRegistry, type LocalSession } from './session-registry';
import type { SessionInfo } from './topic-router';
import { UNSENT_DEFAULTS, UnsentEvents, type UnsentOptions } from './unsent-events';
import { decodeUserEnvelope, encodeUserEnvelope, type UserEnvelope, type UserEvent } from './user-event';

export type { UserEvent } from './user-event';

export type LocalPresenceListener = (appKey: string, userId: string, online: boolean) => void;
/** Runs synchronously when a session of THIS node is attached (online) or detached (offline). */
export type LocalSessionListener = (info: SessionInfo, online: boolean) => void;

export interface HubOptions<S extends LocalSession> {
  readonly nodeId: string;
  readonly broker: Broker;
  readonly presence: PresenceRegistry;
  readonly registry: SessionRegistry<S>;
  /** Presence entries live this long without a refresh (a crashed node's sessions vanish). */
  readonly presenceTtlMs: number;
  readonly onError?: (error: unknown, context: string) => void;
  /** Bounds of the events kept after a failed publish (`keepUnsent`); UNSENT_DEFAULTS when absent. */
  readonly unsent?: UnsentOptions;
}

/** Which kept event a later one replaces (one per user and slot) and which of two wins (the higher rank). */
export interface UnsentSlot {
  readonly slot: string;
  readonly rank: number;
  /** Asked before each retry: false drops the event (UnsentEvent.stillDue). */
  readonly stillDue?: () => Promise<boolean>;
}

export class Hub<S extends LocalSession = LocalSession> {
  readonly nodeId: string;
  /**
   * The user topics this node subscribes, by appKey then userId (the keys are the sessions' own strings):
   * the topic string the broker was given and the subscription (P2 memory: no settled promise kept per user).
   */
  private readonly subscriptions = new Map<string, Map<string, UserSubscription>>();
  private readonly presenceListeners = new Set<LocalPresenceListener>();
  private readonly sessionListeners = new Set<LocalSessionListener>();
  private closed = false;
  private readonly stopReconnect: (() => void) | undefined;
  private readonly stopBrokerReconnect: (() => void) | undefined;
  /** Events whose publish failed, published again (unsent-events.ts). */
  private readonly unsent: UnsentEvents;
  private unsentDropped = 0;

  constructor(private readonly options: HubOptions<S>) {
    this.nodeId = options.nodeId;
    // Presence lost its entries (Redis restarted): re-add this node's live sessions now.
    this.stopReconnect = options.presence.onReconnect?.(() => void this.refreshAll());
    const broker = options.broker;
    this.unsent = new UnsentEvents({
      publish: ({ appKey, userId, event, exceptSessionId }) => this.publish(userTopic(appKey, userId), envelopeOf(event, exceptSessionId)),
      ...(broker.healthy !== undefined ? { healthy: () => broker.healthy?.() !== false } : {}),
      now: () => Date.now(),
      dropped: ({ event }, why) => {
        // Logged at the 1st, 2nd, 4th, 8th… drop: a long outage with many recipients must not flood the log.
        this.unsentDropped += 1;
        if ((this.unsentDropped & (this.unsentDropped - 1)) === 0) this.report(new Error(`${this.unsentDropped} unsent events given up so far (last: ${event.kind}, ${why})`), 'unsent');
      },
    }, options.unsent ?? UNSENT_DEFAULTS);
    this.stopBrokerReconnect = broker.onReconnect?.(() => this.unsent.flush());
  }

  /** Re-adds every local session to presence (after a presence engine reconnect). */
  async refreshAll(): Promise<void> {
    await Promise.all(this.options.registry.all().map((session) => this.refresh(session).catch((e: unknown) => this.report(e, 'presence.refresh'))));
  }

  get registry(): SessionRegistry<S> {
    return this.options.registry;
  }

  /** The cross-node broker, for services with their own topics (chatroom fan-out, room-relay.ts). */
  get broker(): Broker {
    return this.options.broker;
  }

  /** Sends `event` to every session of the user on every node (but `exceptSessionId`). */
  async toUser(appKey: string, userId: string, event: UserEvent, opts: { exceptSessionId?: string } = {}): Promise<void> {
    if (this.closed) return;
    const topic = this.handOn(appKey, userId, event, opts.exceptSessionId);
    if (topic !== undefined) await this.options.broker.publish(topic, encodeUserEnvelope(envelopeOf(event, opts.exceptSessionId)));
  }

  /**
   * `toUser` without its promise and options object when nothing is left to wait for (the messaging service's
   * per-message `s_ntf` and echo): the same delivery in the same microtask. Returns undefined when the event was
   * handed on in this node or the hub is closed, else the publish's promise (it may reject, as `toUser`'s).
   */
  post(appKey: string, userId: string, event: UserEvent, exceptSessionId?: string): Promise<void> | undefined {
    if (this.closed) return undefined;
    const topic = this.handOn(appKey, userId, event, exceptSessionId);
    return topic === undefined ? undefined : this.publish(topic, envelopeOf(event, exceptSessionId));
  }

  /**
   * `toUser` for an event that must not be lost with the broker (a block's kick): when the publish fails, this
   * node's sessions of the user get the event at once and the publish is kept and tried again (`keepUnsent`).
   * Never rejects; resolves true when the event was published (or handed on) now.
   */
  async toUserOrKeep(appKey: string, userId: string, event: UserEvent, slot: UnsentSlot, exceptSessionId?: string): Promise<boolean> {
    try {
      await this.toUser(appKey, userId, event, exceptSessionId === undefined ? {} : { exceptSessionId });
      return true;
    } catch (error) {
      this.report(error, 'publish (kept for a retry)');
      this.keepUnsent(appKey, userId, event, slot, exceptSessionId);
      return false;
    }
  }

  /**
   * The publish of `event` failed: this node's sessions of the user get it now, and it is published again every
   * second and when the broker reconnects until it goes through (bounded: unsent-events.ts). The other nodes' own
   * reconnect does not cover it when only this node's link was down. Delivered twice here at worst (kicks and
   * wake-ups are idempotent).
   */
  keepUnsent(appKey: string, userId: string, event: UserEvent, slot: UnsentSlot, exceptSessionId?: string): void {
    if (this.closed) return;
    this.deliverEvent(appKey, userId, event, exceptSessionId);
    this.unsent.keep(slot.stillDue === undefined ? { appKey, userId, event, exceptSessionId } : { appKey, userId, event, exceptSessionId, stillDue: slot.stillDue }, slot.slot, slot.rank);
  }

  /**
   * Whether only this node listens on the user's topic (an in-process broker, and this node has a session of the
   * user attached). False when it cannot tell: the caller then goes through the broker.
   */
  onlyListener(appKey: string, userId: string): boolean {
    const held = this.subscriptions.get(appKey)?.get(userId);
    return held !== undefined && this.options.broker.soleLocalSubscriber?.(held.topic) === true;
  }

  /**
   * The user's only session anywhere as far as this node can tell: this node holds exactly one session of the
   * user and only this node listens on the user's topic (`onlyListener`). Undefined when the user has no session
   * here, several here, or may have one elsewhere (another node, a network broker). No list is built.
   */
  soleSession(appKey: string, userId: string): S | undefined {
    const session = this.options.registry.soleSessionOf(appKey, userId);
    return session !== undefined && this.onlyListener(appKey, userId) ? session : undefined;
  }

  async isOnline(appKey: string, userId: string): Promise<boolean> {
    return (await this.sessionsOf(appKey, userId)).length > 0;
  }

  async sessionsOf(appKey: string, userId: string): Promise<readonly SessionRef[]> {
    return this.options.presence.sessionsOf(appKey, userId);
  }

  /** Registers a session that has just authenticated; resolves once it can receive user events. */
  async attach(session: S): Promise<void> {
    const { appKey, userId } = session.info;
    const first = this.options.registry.add(session);
    let users = this.subscriptions.get(appKey);
    if (users === undefined) {
      users = new Map();
      this.subscriptions.set(appKey, users);
    }
    let subscription = users.get(userId);
    if (first || subscription === undefined) {
      const topic = flatCopy(userTopic(appKey, userId));
      // A bound method, not a closure: its bound arguments are all it keeps (P2 memory).
      const pending = this.options.broker.subscribe(topic, this.dispatch.bind(this, appKey, userId));
      const held: UserSubscription = { topic, handle: pending };
      subscription = held;
      users.set(userId, held);
      void pending.then((unsubscribe) => {
        if (held.handle === pending) held.handle = unsubscribe;
      }, () => undefined);
    }
    if (first) this.emitPresence(appKey, userId, true);
    this.emitSession(session.info, true);
    await Promise.all([subscription.handle, this.refresh(session)]);
  }

  /** Unregisters a session; idempotent. */
  async detach(session: S): Promise<void> {
    const { appKey, userId, sessionId } = session.info;
    const registered = this.options.registry.get(sessionId) === session;
    const last = this.options.registry.remove(session);
    if (registered) this.emitSession(session.info, false);
    const tasks: Promise<unknown>[] = [this.options.presence.remove(appKey, userId, sessionId).catch((e: unknown) => this.report(e, 'presence.remove'))];
    if (last) {
      this.emitPresence(appKey, userId, false);
      const users = this.subscriptions.get(appKey);
      const sub = users?.get(userId);
      if (users !== undefined && sub !== undefined) {
        users.delete(userId);
        if (users.size === 0) this.subscriptions.delete(appKey);
        tasks.push(unsubscribeFrom(sub.handle).catch((e: unknown) => this.report(e, 'unsubscribe')));
      }
    }
    await Promise.all(tasks);
  }

  /**
   * `listener(appKey, userId, online)` runs synchronously when a user gets their first session on THIS node
   * (online) and when their last one here goes (offline). Node-local by design: services keeping per-node
   * state (chatroom online members) use it; cluster-wide presence is `sessionsOf`.
   */
  onLocalPresence(listener: LocalPresenceListener): () => void {
    this.presenceListeners.add(listener);
    return () => this.presenceListeners.delete(listener);
  }

  /** `listener(info, online)` for every session attached to / detached from this node (App Server status sync). */
  onLocalSession(listener: LocalSessionListener): () => void {
    this.sessionListeners.add(listener);
    return () => this.sessionListeners.delete(listener);
  }

  /** Restarts the session's presence TTL (called from heartbeats and comet polls). */
  async refresh(session: S): Promise<void> {
    const { appKey, userId, sessionId, platform, clientKind, transport, connectedAt } = session.info;
    const ref: SessionRef = { nodeId: this.nodeId, sessionId, platform, clientKind, transport, connectedAt };
    await this.options.presence.add(appKey, userId, ref, this.options.presenceTtlMs);
  }

  /**
   * Multi-device policy (single-device apps): kicks the user's other sessions of the same platform
   * class on every node with DISCONNECT reason 1 (OTHER_DEVICE_LOGIN).
   */
  async kickOtherDevices(session: S, reason = 1): Promise<void> {
    const { appKey, userId, sessionId, platform } = session.info;
    const others = (await this.sessionsOf(appKey, userId)).filter((s) => s.sessionId !== sessionId && s.platform === platform);
    const localOthers = this.options.registry.sessionsOf(appKey, userId).filter((s) => s.info.sessionId !== sessionId && s.info.platform === platform);
    // Presence may lag (refresh throttling, another node); the publish is cheap, the check saves most of them.
    if (others.length === 0 && localOthers.length === 0) return;
    await this.toUser(appKey, userId, { kind: 'kick', reason, platform, exceptSessionId: sessionId, olderThan: session.info.arrivedAt ?? session.info.connectedAt });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopReconnect?.();
    this.stopBrokerReconnect?.();
    this.unsent.close();
    const subs = [...this.subscriptions.values()].flatMap((users) => [...users.values()]);
    this.subscriptions.clear();
    await Promise.all(subs.map((s) => unsubscribeFrom(s.handle).catch((e: unknown) => this.report(e, 'unsubscribe'))));
  }

  /**
   * Only this node listens on the user's topic (in-process broker): hands the event to the user's sessions here
   * without the envelope's encode/decode, still a microtask later, like the broker, so events keep their order
   * and a publisher never re-enters a session; returns undefined. Otherwise the topic to publish on.
   */
  private handOn(appKey: string, userId: string, event: UserEvent, exceptSessionId: string | undefined): BrokerTopic | undefined {
    const held = this.subscriptions.get(appKey)?.get(userId);
    if (held !== undefined && this.options.broker.soleLocalSubscriber?.(held.topic) === true) {
      queueMicrotask(() => this.deliverEvent(appKey, userId, event, exceptSessionId));
      return undefined;
    }
    return held?.topic ?? userTopic(appKey, userId);
  }

  private async publish(topic: BrokerTopic, envelope: UserEnvelope): Promise<void> {
    await this.options.broker.publish(topic, encodeUserEnvelope(envelope));
  }

  private dispatch(appKey: string, userId: string, bytes: Uint8Array): void {
    let envelope;
    try {
      envelope = decodeUserEnvelope(bytes);
    } catch (error) {
      this.report(error, 'decode user event');
      return;
    }
    this.deliverEvent(appKey, userId, envelope.event, envelope.exceptSessionId);
  }

  private deliverEvent(appKey: string, userId: string, event: UserEvent, exceptSessionId: string | undefined): void {
    if (this.closed) return;
    const registry = this.options.registry;
    // One session here (the common case): no snapshot list. Several: a snapshot, as sessions may go meanwhile.
    const sole = registry.soleSessionOf(appKey, userId);
    if (sole !== undefined) {
      this.deliverTo(sole, event, exceptSessionId);
      return;
    }
    for (const session of registry.sessionsOf(appKey, userId)) this.deliverTo(session, event, exceptSessionId);
  }

  private deliverTo(session: S, event: UserEvent, exceptSessionId: string | undefined): void {
    if (session.info.sessionId === exceptSessionId) return;
    if (event.kind === 'kick' && !kickApplies(event, session.info)) return;
    try {
      session.deliver(event);
    } catch (error) {
      this.report(error, 'deliver');
    }
  }

  private emitPresence(appKey: string, userId: string, online: boolean): void {
    for (const listener of this.presenceListeners) {
      try {
        listener(appKey, userId, online);
      } catch (error) {
        this.report(error, 'presence listener');
      }
    }
  }

  private emitSession(info: SessionInfo, online: boolean): void {
    for (const listener of this.sessionListeners) {
      try {
        listener(info, online);
      } catch (error) {
        this.report(error, 'session listener');
      }
    }
  }

  private report(error: unknown, context: string): void {
    this.options.onError?.(error, context);
  }
}

/**
 * The same string as one flat sequence of characters. A template literal this long is a tree of
 * concatenation nodes (≈ 100 bytes for a user topic); the in-process broker keeps the topic for as long
 * as the user is online, flat it is ≈ half that (P2 memory). JSON round-trips every string exactly
 * (lone surrogates included).
 */
function flatCopy<T extends string>(text: T): T {
  return JSON.parse(JSON.stringify(text)) as T;
}

function envelopeOf(event: UserEvent, exceptSessionId: string | undefined): UserEnvelope {
  return exceptSessionId !== undefined ? { event, exceptSessionId } : { event };
}

/** A user topic subscription: pending, then its unsubscribe function. */
type Subscription = Promise<Unsubscribe> | Unsubscribe;

/**
 * One user's topic on this node. The topic is the very string the broker keys it by, so a check on it
 * (`soleLocalSubscriber`) reuses that string's cached hash: a topic built anew per message costs ≈ 0.45 µs to
 * flatten and hash (bench P1 round 21), ≈ 2 % of the event loop at one delivery per message.
 */
interface UserSubscription {
  readonly topic: BrokerTopic;
  handle: Subscription;
}

async function unsubscribeFrom(subscription: Subscription): Promise<void> {
  const unsubscribe = await subscription;
  await unsubscribe();
}

function kickApplies(event: Extract<UserEvent, { kind: 'kick' }>, info: SessionInfo): boolean {
  if (info.sessionId === event.exceptSessionId) return false;
  if (event.platform !== undefined && event.platform !== info.platform) return false;
  if (event.olderThan === undefined) return true;
  const arrived = info.arrivedAt ?? info.connectedAt;
  if (arrived !== event.olderThan) return arrived < event.olderThan;
  // Two logins in the same millisecond kick each other: (arrival, session id) orders them, so exactly one goes
  // (ms alone let both stay: 4-5 of 10 simultaneous logins on one node or two).
  return event.exceptSessionId !== undefined && info.sessionId < event.exceptSessionId;
}
