/**
 * One authenticated client session, written once against ServerTransport (WebSocket or comet).
 * Invariants:
 * - every client PUBLISH with messageId ≠ 0 and every QUERY gets exactly one answer (the handler's,
 *   or a gateway error status when there is no handler, it throws, or it forgets);
 * - client PUBLISH/QUERY frames are handled one at a time in arrival order (a send is stored
 *   before the next one is looked at); PINGREQ, acks and pushes bypass that queue;
 * - server-initiated messageIds never collide with the client's in-flight ids (ServerIdAllocator);
 * - nothing is written after close.
 */
import type { Frame, PublishFrame, QueryFrame } from '../../../src/internal';
import type { Clock, Logger } from '../context';
import { encodeMessage, rc } from '../../../src/internal';
import { disconnectReasonFor } from './client-info';
import { SendRateLimiter } from './rate-limiter';
import { ServerIdAllocator } from './server-ids';
import type { ServerTransport, WriteHint } from './server-transport';
import type { LocalSession } from './session-registry';
import { FrameOrder, type FrameRunner } from './frame-order';
import { frameKindLabels, topicRoute, WireStatus, type SessionInfo, type SessionPort, type TopicRoute, type TopicRouter } from './topic-router';
import type { UserEvent } from './user-event';
import { logFields } from './log-fields';
import { isEchoable, NO_FLAGS, pubackFrame, publishFrame } from './session-frames';
import { SessionInbox } from './session-inbox';
import type { PullMarkHandover } from './pull-mark-handover';
import { holdsTransients as clientHoldsTransients, isTransientUpstream } from './transient-hold';
import { unboxed } from '../small-int';
import { secondsSince, serverMetrics } from '../ops/server-metrics';

/** DISCONNECT REDIRECT_NEW: reconnect through navi (every client generation but L2 reads it so). */
const DISCONNECT_REDIRECT = 6;

export interface SessionDeps {
  readonly router: TopicRouter;
  readonly clock: Clock;
  readonly log: Logger;
  readonly maxSendRatePerSecond: number;
  /** Client activity that proves liveness (PINGREQ, comet poll): refresh presence. */
  readonly onHeartbeat?: (session: Session) => void;
  /** Called once, after the session is closed for whatever reason. */
  readonly onClosed: (session: Session) => void;
  /** The node's pull marks handed between sessions of a device (pull-mark-handover.ts). */
  readonly pullMarks?: PullMarkHandover;
}

/**
 * A client PUBLISH/QUERY from its arrival until its handler is done: the frame order's item and, when the client
 * waits for an answer, the session's request in flight under its messageId (ServerIdAllocator) until answered.
 */
interface Request {
  readonly frame: PublishFrame | QueryFrame;
  /** The frame's topic, resolved once (topic-router.ts). */
  readonly route: TopicRoute;
  /** performance.now() at arrival (PUBACK/QUERYACK latency metrics); 0 when the client waits for no answer. */
  readonly startedAt: number;
  /**
   * The request in flight under the frame's messageId when its handler started (normally itself): a handler that
   * failed or did not answer is answered for only while that one is still in flight.
   */
  seen: Request | undefined;
}

/** Whether the client waits for an answer: every QUERY, and a PUBLISH unless its messageId is 0 (fire-and-forget). */
function isAnswerable(frame: PublishFrame | QueryFrame): boolean {
  return frame.kind === 'query' || frame.messageId !== 0;
}

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Memory: an idle session holds only `info`, its transport and a few scalars. The id allocator (which keeps
 * the requests in flight), the rate limiter and the request queue are created on first use and the queue is dropped again when it
 * drains; `deps` is shared by every session of an app (session-manager.ts). This is what keeps a
 * connected-but-idle client within the P2 budget (≤ 6 KB RSS per connection, bench/analysis/p2-connections.md).
 */
export class Session implements SessionPort, LocalSession, FrameRunner<Request> {
  private idAllocator: ServerIdAllocator<Request> | undefined;
  private limiter: SendRateLimiter | undefined;
  /** Set only while `whenActive` waits (the first seconds of a single-device session). */
  private activityWaiter: (() => void) | undefined;
  /** The order of PUBLISH/QUERY frames (frame-order.ts); created with the first one (idle sessions stay small). */
  private order: FrameOrder<Request> | undefined;
  private closedFlag = false;
  /**
   * `lastSeen` and `presenceRefreshedAt` are kept as ms after `info.connectedAt`: small integers stay
   * unboxed, where an epoch-ms field costs a 16-byte heap number per session (P2 memory). Presence is
   * refreshed at the connection (SessionManager.open).
   */
  private seenAfter: number;
  private refreshedAfter = 0;
  /** Whether the client has sent a frame (or polled) since the session was created. */
  spoke = false;
  /** QUERYCONs received (acks of qos-1 QUERYACKs); accepted, never required. */
  queryConCount = 0;
  /** Inbox notifications, pulls and the hold of not-stored messages (session-inbox.ts), from the first one on. */
  private inboxState: SessionInbox | undefined;

  constructor(
    readonly info: SessionInfo,
    private readonly transport: ServerTransport,
    private readonly deps: SessionDeps,
  ) {
    this.seenAfter = unboxed(deps.clock.now() - info.connectedAt);
  }

  /** ms of the last frame (or comet poll) from the client. */
  get lastSeen(): number {
    return this.info.connectedAt + this.seenAfter;
  }
  set lastSeen(ms: number) {
    this.seenAfter = unboxed(ms - this.info.connectedAt);
  }

  /** ms of the last presence refresh (SessionManager throttles refreshes with it). */
  get presenceRefreshedAt(): number {
    return this.info.connectedAt + this.refreshedAfter;
  }
  set presenceRefreshedAt(ms: number) {
    this.refreshedAfter = unboxed(ms - this.info.connectedAt);
  }

  private get inbox(): SessionInbox {
    return (this.inboxState ??= new SessionInbox(this, this.deps.clock, this.deps.pullMarks));
  }

  /** Whether messages that are not stored wait while the client pulls (transient-hold.ts: holdsTransients). */
  private get holdsTransients(): boolean {
    return this.inboxState?.holds ?? clientHoldsTransients(this.info);
  }

  private get ids(): ServerIdAllocator<Request> {
    return (this.idAllocator ??= new ServerIdAllocator());
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Whether a server push with this id still awaits the client's PUBACK. */
  isAwaitingAck(messageId: number): boolean {
    return this.idAllocator?.isOutstanding(messageId) === true;
  }

  /** Resolves when every queued PUBLISH/QUERY has been handled (tests, graceful shutdown). */
  idle(): Promise<void> {
    return this.order?.pending ?? RESOLVED;
  }

  /** Liveness without a frame (comet polls). */
  touch(): void {
    this.lastSeen = this.deps.clock.now();
    this.spoke = true;
    this.activityWaiter?.();
    this.deps.onHeartbeat?.(this);
  }

  /**
   * Resolves at the client's first frame (or comet poll) from now on, when the session closes, or
   * after `maxWaitMs`, whichever comes first. Live clients speak right after their CONNACK (E4, E5
   * and L2 ping at once); an abandoned connection attempt never does.
   */
  whenActive(maxWaitMs: number): Promise<void> {
    if (this.closedFlag) return RESOLVED;
    this.activityWaiter?.();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.activityWaiter === done) this.activityWaiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.activityWaiter = done;
    });
  }

  receive(frame: Frame): void {
    if (this.closedFlag) return;
    this.lastSeen = this.deps.clock.now();
    this.spoke = true;
    this.activityWaiter?.();
    if (frame.kind === 'publish' || frame.kind === 'query') {
      const route = topicRoute(this.deps.router, frame.topic);
      serverMetrics.framesIn.inc(frame.kind === 'publish' ? route.publishLabels : route.queryLabels);
      this.accept(frame, route);
      return;
    }
    serverMetrics.framesIn.inc(frameKindLabels(frame.kind));
    switch (frame.kind) {
      case 'pingreq':
        this.transport.write({ kind: 'pingresp', ...NO_FLAGS });
        this.deps.onHeartbeat?.(this);
        return;
      case 'puback':
        this.idAllocator?.serverAcked(frame.messageId);
        return;
      case 'querycon':
        this.queryConCount++;
        return;
      case 'disconnect':
        // Engine 5 may say goodbye with E0 00 04 before closing its socket.
        this.close();
        return;
      default:
        this.deps.log.debug('ignored client frame', logFields(this.info, { kind: frame.kind }));
    }
  }

  puback(messageId: number, ack: { status: number; sentTime?: number; messageUId?: string }): void {
    if (messageId === 0) return;
    const request = this.answered(messageId);
    if (request !== undefined) serverMetrics.pubackLatency.observe(request.route.latencyLabels, secondsSince(request.startedAt));
    this.write(pubackFrame(messageId, ack.status, ack.sentTime ?? this.deps.clock.now(), ack.messageUId ?? ''));
  }

  queryAck(messageId: number, status: number, payload: Uint8Array = new Uint8Array(0), topic?: string): void {
    const request = this.answered(messageId);
    if (request !== undefined) serverMetrics.queryLatency.observe(request.route.latencyLabels, secondsSince(request.startedAt));
    const hintTopic = topic ?? request?.route.topic;
    const hint: WriteHint | undefined = hintTopic !== undefined ? { topic: hintTopic } : undefined;
    if (hintTopic === 'pullMsg') this.inboxState?.pullAnswered();
    this.write(
      {
        kind: 'queryack',
        dup: false,
        // Mirror the query's qos: L2 asks qos 1 for pullMsg/chrmPull and then QUERYCONs.
        qos: request?.frame.qos === 1 ? 1 : 0,
        retain: false,
        messageId,
        date: Math.floor(this.deps.clock.now() / 1000),
        status,
        payload,
      },
      hint,
    );
  }

  push(topic: string, targetId: string, payload: Uint8Array, qos: 0 | 1 = 1): void {
    if (this.closedFlag) return;
    // An inbox s_ntf is recorded (re-notification) and waits right behind a not-stored message (session-inbox.ts).
    if (topic === 's_ntf') this.inbox.push(topic, targetId, payload, qos);
    else this.writePush(topic, targetId, payload, qos);
  }

  /** SessionInboxHost.writePush: a server PUBLISH, now. */
  writePush(topic: string, targetId: string, payload: Uint8Array, qos: 0 | 1): void {
    if (this.closedFlag) return;
    this.write(publishFrame(topic, targetId, this.ids.next(qos === 1), payload, qos, this.deps.clock.now()));
  }

  /** SessionPort.takeSendPermit: the limiter rate-limited PUBLISHes are counted by. */
  takeSendPermit(): boolean {
    return (this.limiter ??= new SendRateLimiter(this.deps.maxSendRatePerSecond)).tryAcquire(this.deps.clock.now());
  }

  /** The running handler waits before its order-sensitive step (SessionPort.deferOrder): later frames queue. */
  deferOrder(): void {
    this.order?.deferOrder();
  }

  /** SessionPort.pullMark: for the engines (4.4.2, 5.x before 5.28) whose inbox cursor an s_msg moves. */
  pullMark(): number {
    return this.inboxState?.pullMark() ?? -1;
  }

  /** SessionPort.answerFloor: the newest echo time written to an official client that queues it while pulling. */
  answerFloor(): number {
    return this.inboxState?.answerFloor() ?? 0;
  }

  /** The `pullMsg` handler starts reading its page (SessionPort.pullAsked). */
  pullAsked(): void {
    this.inbox.pullAsked();
  }

  /** A `pullMsg` answer with this `syncTime` is about to be written (SessionPort.pulledTo). */
  pulledTo(syncTime: number, more = false): void {
    this.inbox.pulledTo(syncTime, more);
  }

  /**
   * Called by the gateway sweep: sends the newest inbox `s_ntf` again when the session has not pulled up to
   * it within `afterMs` (inbox-renotify.ts); at most MAX_RENOTIFY times until its next pull answer.
   * Returns whether it sent one.
   */
  renotifyIfDue(now: number, afterMs: number): boolean {
    return !this.closedFlag && this.inboxState?.renotifyIfDue(now, afterMs) === true;
  }

  /**
   * An inbox `s_ntf` of now, so the client pulls whatever it may have missed (wake-ups were lost: the broker
   * reconnected). Not recorded for re-notification: nothing is known to be unpulled.
   */
  wakeInbox(): void {
    if (this.closedFlag) return;
    const now = this.deps.clock.now();
    this.write(publishFrame('s_ntf', this.info.userId, this.ids.next(true), encodeMessage(rc.NotifyMsg, { type: 1, time: now }), 1, now));
  }

  /** The newest inbox `s_ntf` time this session was told of and never pulled up to; undefined when none. */
  unpulledInboxTime(): number | undefined {
    return this.inboxState?.unpulledTime();
  }

  /**
   * Another session of the user ended with inbox data it was told of and never pulled (a tab that lost its
   * network, replaced by this one): tell this one, recorded for re-notification like any inbox `s_ntf`.
   */
  takeOverInbox(time: number): void {
    if (!this.closedFlag) this.inbox.takeOver(time);
  }

  deliver(event: UserEvent): void {
    switch (event.kind) {
      case 'push':
        if (event.topic === 's_msg' && this.holdsTransients) {
          this.inbox.holdDownstream(event.targetId, event.payload, event.qos);
          return;
        }
        this.push(event.topic, event.targetId, event.payload, event.qos);
        return;
      case 'echo':
        this.echo(event.topic, event.targetId, event.upstream, event.sentTime, event.messageUId);
        return;
      case 'kick':
        this.disconnect(event.reason);
        return;
    }
  }

  /** DISCONNECT(reason) (clamped for L2), then close. */
  disconnect(reason: number): void {
    if (this.closedFlag) return;
    const wireReason = disconnectReasonFor(this.info.clientKind, reason);
    this.write({ kind: 'disconnect', ...NO_FLAGS, reason: wireReason });
    this.close(wireReason);
  }

  /**
   * Graceful drain (node shutdown): lets every PUBLISH/QUERY received so far be handled and answered
   * (their store writes commit and their PUBACKs go out), then tells the client to reconnect elsewhere:
   * DISCONNECT 6 (REDIRECT_NEW) and close. Engine 4 and our SDK read 0 and 6 alike (re-request navi and
   * reconnect; PROTOCOL.md §3.4), but engine 5.x maps only 6 (to RC_CONN_REDIRECTED, the one reason it
   * reconnects after; 0 leaves it DISCONNECTED with no code: PROTOCOL-E5.md, "avoid reasons 0, 3, 4").
   * L2 maps neither to a reconnect, so it gets a plain close, which its reconnect logic treats as a
   * network loss.
   */
  async drain(maxRounds = 50): Promise<void> {
    for (let round = 0; round < maxRounds && !this.closedFlag; round++) {
      const queued = this.order?.pending;
      await queued;
      if (queued === this.order?.pending) break;
    }
    if (this.closedFlag) return;
    if (this.info.clientKind === 'L2') this.close();
    else this.disconnect(DISCONNECT_REDIRECT);
  }

  /** Closes the connection (without DISCONNECT unless `disconnect` sent one) and unregisters. */
  close(reason?: number): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.idAllocator?.clientGone();
    this.inboxState?.clear();
    this.activityWaiter?.();
    this.transport.close(reason);
    this.deps.onClosed(this);
  }

  /** PROTOCOL.md §5.5: DUP PUBLISH (date 0) with server id N, then a PUBACK N with uid/time. */
  private echo(topic: string, targetId: string, upstream: Uint8Array, sentTime: number, messageUId: string): void {
    if (this.closedFlag || !isEchoable(topic)) return;
    // L2 in comet mode does not pair echoes; it would show the message with a wrong time.
    if (this.info.transport === 'comet' && this.info.clientKind === 'L2') return;
    if (this.holdsTransients && isTransientUpstream(upstream)) this.inbox.holdEcho(topic, targetId, upstream, sentTime, messageUId);
    else this.writeEcho(topic, targetId, upstream, sentTime, messageUId);
  }

  /** SessionInboxHost.writeEcho: the DUP PUBLISH and its PUBACK, now. */
  writeEcho(topic: string, targetId: string, upstream: Uint8Array, sentTime: number, messageUId: string): void {
    if (this.closedFlag) return;
    const messageId = this.ids.next(false);
    this.write(publishFrame(topic, targetId, messageId, upstream, 1, 0, true));
    this.write(pubackFrame(messageId, WireStatus.Ok, sentTime, messageUId));
  }

  private accept(frame: PublishFrame | QueryFrame, route: TopicRoute): void {
    const { messageId } = frame;
    const answerable = isAnswerable(frame);
    const request: Request = { frame, route, startedAt: answerable ? performance.now() : 0, seen: undefined };
    if (answerable) this.ids.clientSent(messageId, request);
    if (frame.kind === 'query' && route.topic === 'pullMsg' && this.holdsTransients) this.inbox.pullArrived();
    if (frame.kind === 'publish' && route.rateLimited && !this.takeSendPermit()) {
      this.puback(messageId, { status: WireStatus.SendTooFast });
      return;
    }
    (this.order ??= new FrameOrder()).admit(route.pipelined, request, this);
  }

  /**
   * FrameRunner (FrameOrder calls it when the frame's turn comes): runs the frame's handler. Not `async`: a
   * handler that answers synchronously costs no promise, and its answer is checked here; an asynchronous one's
   * promise is returned as it is, and FrameOrder's one continuation on it calls frameSettled (a client send's
   * PUBACK comes from the store append's settlement, issue #12 P1).
   */
  runFrame(request: Request): Promise<unknown> | undefined {
    if (this.closedFlag) return undefined;
    const { frame, route } = request;
    request.seen = this.idAllocator?.clientRequest(frame.messageId);
    const handler = route.handler;
    if (!handler) {
      this.deps.log.info('unsupported topic', logFields(this.info, { topic: frame.topic, kind: frame.kind }));
      if (isAnswerable(frame)) this.fail(frame, WireStatus.UnsupportedTopic);
      return undefined;
    }
    let result: Promise<void> | void;
    try {
      result = handler(this, frame);
    } catch (error) {
      this.handlerFailed(request, error);
      return undefined;
    }
    if (!(result instanceof Promise)) {
      this.checkAnswered(request);
      return undefined;
    }
    return result;
  }

  /** FrameRunner: the handler's promise settled; makes sure it answered. */
  frameSettled(request: Request, failed: boolean, error: unknown): void {
    if (failed) this.handlerFailed(request, error);
    else this.checkAnswered(request);
  }

  private handlerFailed(request: Request, error: unknown): void {
    const { frame } = request;
    this.deps.log.error('topic handler failed', logFields(this.info, { topic: frame.topic, error }));
    if (isAnswerable(frame) && this.idAllocator?.clientRequest(frame.messageId) === request.seen) this.fail(frame, WireStatus.HandlerFailed);
  }

  private checkAnswered(request: Request): void {
    const { frame, seen } = request;
    if (isAnswerable(frame) && !this.closedFlag && seen !== undefined && this.idAllocator?.clientRequest(frame.messageId) === seen) {
      this.deps.log.warn('topic handler did not answer', logFields(this.info, { topic: frame.topic }));
      this.fail(frame, WireStatus.HandlerFailed);
    }
  }

  private fail(frame: PublishFrame | QueryFrame, status: number): void {
    if (frame.kind === 'publish') this.puback(frame.messageId, { status });
    else this.queryAck(frame.messageId, status, new Uint8Array(0), frame.topic);
  }

  private answered(messageId: number): Request | undefined {
    return this.idAllocator?.clientAnswered(messageId);
  }

  private write(frame: Frame, hint?: WriteHint): void {
    if (this.closedFlag) return;
    serverMetrics.framesOut.inc({ kind: frame.kind, topic: frame.kind === 'publish' ? frame.topic : '' });
    this.transport.write(frame, hint);
  }
}
