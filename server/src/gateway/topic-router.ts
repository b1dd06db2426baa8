/**
 * The seam between the gateway (connections, frames, transports) and the topic services
 * (messaging, sync, history…). Handlers only ever see protobuf payload bytes: comet JSON is
 * converted at the transport edge, so one handler serves WebSocket and comet alike.
 */
import type { DecodeFrameOptions, PublishFrame, QueryFrame } from '../../../src/internal';
import { RATE_LIMITED_TOPICS } from './rate-limiter';

export type PlatformClass = 'web' | 'miniprogram' | 'uniapp' | 'pc' | 'mobile';

/** E4 = imlib-v2 2.6+ on engine 4.x, L2 = legacy ≤ 2.5.x, E5 = engine 5.x (PROTOCOL.md §12, PROTOCOL-E5.md). */
export type ClientKind = 'E4' | 'L2' | 'E5';

export interface SessionInfo {
  readonly sessionId: string;
  readonly appKey: string;
  readonly userId: string;
  readonly platform: PlatformClass;
  readonly clientKind: ClientKind;
  readonly sdkVer: string;
  readonly transport: 'websocket' | 'comet';
  /** Server time (ms) of the CONNACK; clients flag messages older than this as offline. */
  readonly connectedAt: number;
  /**
   * Server time (ms) the connection request arrived (WebSocket upgrade, comet connect), before
   * authentication. Multi-device kicks order sessions by it: in a reconnect storm a slow, abandoned
   * attempt can be authenticated after the client's newer attempt and must not kick that live session.
   */
  readonly arrivedAt?: number;
  /** The client's address as seen by this server (absent when unknown). */
  readonly clientIp?: string;
  /** Our own SDK's version (connect URL `lianxin=`); absent for the official clients. */
  readonly lianxinVersion?: string;
  /** The client declared `directPush=1` (ConnectParams.directPush). */
  readonly directPush?: true;
}

export interface SessionPort {
  readonly info: SessionInfo;
  /**
   * Answers a client PUBLISH. `date`/`millisecond` are derived from `sentTime` (now if absent).
   * Ignored for messageId 0 (E4 status messages are fire-and-forget and must not be acked).
   */
  puback(messageId: number, ack: { status: number; sentTime?: number; messageUId?: string }): void;
  /**
   * Answers a client QUERY. `payload` must be the topic's complete output message (every proto2
   * `required` field present) when status is 0 and the topic has an output type. `topic` is only
   * needed when answering a messageId the session did not see as a QUERY.
   */
  queryAck(messageId: number, status: number, payload?: Uint8Array, topic?: string): void;
  /** Server-initiated PUBLISH (leading date = now) with a server-allocated messageId. */
  push(topic: string, targetId: string, payload: Uint8Array, qos?: 0 | 1): void;
  /**
   * The `pullMsg` handler is about to answer with this `syncTime`: the session has the inbox up to it
   * (the gateway re-notifies a session that was told of newer data and never pulled, inbox-renotify.ts); `more`:
   * the page is truncated (`finished=false`), so the client pulls on.
   */
  pulledTo?(syncTime: number, more?: boolean): void;
  /** The `pullMsg` handler is about to read its page: notifications from now on may be newer than the read. */
  pullAsked?(): void;
  /**
   * Where this session's pulls have reached (the newest `syncTime` answered) when the client's own cursor may have
   * been moved past it by a pushed message that is not stored (engine 4.4.2 takes an `s_msg`'s time as its inbox
   * cursor: transient-hold.ts); -1 when the client's cursor is to be taken as it is.
   */
  pullMark?(): number;
  /**
   * The least `syncTime` a finished `pullMsg` answer must say: the newest echo time written to a client that queues
   * echo times while pulling and pulls again until an answer reaches them (transient-hold.ts); 0 = none.
   */
  answerFloor?(): number;
  /**
   * The running handler of a pipelined topic (TopicRouter.pipelined) is about to wait before its
   * order-sensitive step (e.g. for an asynchronous filter verdict before the store append): the session starts
   * no later frame before every earlier one is answered.
   */
  deferOrder?(): void;
  /**
   * Counts one message send against the per-connection send limit, as a PUBLISH of a RATE_LIMITED_TOPICS topic
   * is counted on arrival; false (nothing counted) when the limit is reached: answer 20604 (SendTooFast). For
   * the QUERY topics that post a message as they go (a chatroom KV change with its notification).
   */
  takeSendPermit(): boolean;
}

/**
 * Handles one client PUBLISH or QUERY. It must answer (puback/queryAck) before its promise
 * settles; if it throws or forgets, the gateway answers with `WireStatus.HandlerFailed`.
 * Frames of one session are handled one at a time, in arrival order — except consecutive frames of
 * pipelined topics (TopicRouter.pipelined).
 */
export type TopicHandler = (port: SessionPort, frame: PublishFrame | QueryFrame) => Promise<void> | void;

/** A router's answers for a topic must not change over its life: the gateway asks once per topic (topicRoute). */
export interface TopicRouter {
  handle(topic: string): TopicHandler | undefined;
  /**
   * Whether the handler of `topic` does its order-sensitive step (a message send: the store append, whose call
   * order fixes sentTime and the order of the answers) before it first waits, unless it says otherwise through
   * `SessionPort.deferOrder`. A frame of such a topic may start while earlier frames of the same kind are still
   * waiting for their answer (the store's group commit then sees a session's whole window at once); any other
   * frame still waits for every earlier frame to be answered.
   */
  pipelined?(topic: string): boolean;
}

/** Status codes the gateway itself puts in PUBACK/QUERYACK (PROTOCOL.md §11, API_CHECKLIST.md). */
export const WireStatus = {
  Ok: 0,
  /** SEND_FREQUENCY_TOO_FAST: more than `maxSendRatePerSecond` message sends in one second. */
  SendTooFast: 20604,
  /**
   * NOT_SUPPORT (39002): no handler for the topic. It is the code RongIMLib itself uses for "this
   * API is not available here", so apps already know what it means.
   */
  UnsupportedTopic: 39002,
  /** RC_MSG_SEND_FAIL (30014): the handler threw or did not answer. Generic "the request failed". */
  HandlerFailed: 30014,
} as const;

/** A router over a plain map: the simplest way to assemble handlers (and to test). */
export function mapRouter(handlers: Readonly<Record<string, TopicHandler>>): TopicRouter {
  return { handle: (topic) => (Object.prototype.hasOwnProperty.call(handlers, topic) ? handlers[topic] : undefined) };
}

/** A metric label set of a client frame (`lianxin_frames_in_total`): one object per topic and kind, not one per frame. */
export interface FrameLabels {
  readonly kind: string;
  readonly topic: string;
}

/**
 * What the gateway needs of one topic, resolved once per router and routed topic (topicRoute) and kept with each of
 * its frames while in flight: a frame's topic is looked up once, not once per use (its handler, its place in the
 * frame order, the send limit, the metric labels of its arrival and of its answer's latency).
 */
export interface TopicRoute {
  /** The topic; for a routed ASCII topic, the string KNOWN_TOPICS keeps for it. */
  readonly topic: string;
  /** TopicRouter.handle */
  readonly handler: TopicHandler | undefined;
  /** TopicRouter.pipelined */
  readonly pipelined: boolean;
  /** A PUBLISH of it counts against the per-connection send limit (RATE_LIMITED_TOPICS). */
  readonly rateLimited: boolean;
  /**
   * Metric labels, with the topic when routed and `unsupported` otherwise (clients choose topics: the label set stays
   * bounded): a PUBLISH's and a QUERY's arrival, and the PUBACK/QUERYACK latency.
   */
  readonly publishLabels: FrameLabels;
  readonly queryLabels: FrameLabels;
  readonly latencyLabels: { readonly topic: string };
}

function kindLabels(kind: string): FrameLabels {
  return { kind, topic: '' };
}

/** `lianxin_frames_in_total` labels of the frame kinds without a topic: one object each, not one per frame. */
const KIND_LABELS: Readonly<Record<string, FrameLabels>> = {
  connect: kindLabels('connect'),
  connack: kindLabels('connack'),
  puback: kindLabels('puback'),
  queryack: kindLabels('queryack'),
  querycon: kindLabels('querycon'),
  pingreq: kindLabels('pingreq'),
  pingresp: kindLabels('pingresp'),
  disconnect: kindLabels('disconnect'),
};

/** The labels of a client frame of `kind` that has no topic (every kind but PUBLISH and QUERY). */
export function frameKindLabels(kind: string): FrameLabels {
  return KIND_LABELS[kind] ?? kindLabels(kind);
}

/** The routes of each router's routed topics (an unrouted topic, which the client chose, is resolved per frame). */
const ROUTES = new WeakMap<TopicRouter, Map<string, TopicRoute>>();

/** `router`'s route for `topic`. */
export function topicRoute(router: TopicRouter, topic: string): TopicRoute {
  let routes = ROUTES.get(router);
  const known = routes?.get(topic);
  if (known !== undefined) return known;
  const handler = router.handle(topic);
  const pipelined = router.pipelined?.(topic) === true;
  const rateLimited = RATE_LIMITED_TOPICS.has(topic);
  if (handler === undefined) return newRoute(topic, undefined, pipelined, rateLimited, 'unsupported');
  const kept = KNOWN_TOPICS.intern(topic);
  const route = newRoute(kept, handler, pipelined, rateLimited, kept);
  if (routes === undefined) {
    routes = new Map();
    ROUTES.set(router, routes);
  }
  routes.set(kept, route);
  return route;
}

function newRoute(topic: string, handler: TopicHandler | undefined, pipelined: boolean, rateLimited: boolean, label: string): TopicRoute {
  return {
    topic,
    handler,
    pipelined,
    rateLimited,
    publishLabels: { kind: 'publish', topic: label },
    queryLabels: { kind: 'query', topic: label },
    latencyLabels: { topic: label },
  };
}

/** One topic of a TopicTable: its string, the hash of its bytes, the next topic of its slot. */
interface TopicEntry {
  readonly topic: string;
  readonly hash: number;
  readonly next: TopicEntry | undefined;
}

const TOPIC_SLOTS = 256;
/** Topics a table keeps at most (only routed ones are added: a few dozen; the bound is a guard). */
const MAX_TOPICS = 1024;

function stepHash(hash: number, unit: number): number {
  return (Math.imul(hash, 31) + unit) | 0;
}

/**
 * Topic bytes → the one string kept per topic (decodeFrame's `options.topics`): a client frame of a known topic
 * builds no topic string (`decodeUtf8` char by char), and every lookup by the topic afterwards (the route, the send
 * handler's table, the metric series) is by a string whose hash V8 has already computed — an internalized one, as
 * object keys are, so a property lookup by it needs no string-table probe either.
 *
 * Only ASCII topics are kept (every topic a router knows is ASCII): their bytes are their only encoding, so a
 * match is exactly the string strict decoding would give. Any other bytes — an unknown topic, non-ASCII, CESU-8 or
 * malformed ones — find nothing, and the frame is decoded as without the table (with its 'bad-utf8' errors).
 */
export class TopicTable {
  private readonly slots: (TopicEntry | undefined)[] = new Array<TopicEntry | undefined>(TOPIC_SLOTS).fill(undefined);
  private count = 0;

  /** The kept string for `bytes[start, end)`, or undefined. */
  readonly resolve = (bytes: Uint8Array, start: number, end: number): string | undefined => {
    let hash = end - start;
    for (let i = start; i < end; i++) hash = stepHash(hash, bytes[i] as number);
    for (let entry = this.slots[hash & (TOPIC_SLOTS - 1)]; entry !== undefined; entry = entry.next) {
      if (entry.hash === hash && sameAscii(entry.topic, bytes, start, end)) return entry.topic;
    }
    return undefined;
  };

  /** The kept string equal to `topic`, kept from now on when it is ASCII and there is room; otherwise `topic`. */
  intern(topic: string): string {
    let hash = topic.length;
    for (let i = 0; i < topic.length; i++) {
      const unit = topic.charCodeAt(i);
      if (unit >= 0x80) return topic;
      hash = stepHash(hash, unit);
    }
    const slot = hash & (TOPIC_SLOTS - 1);
    for (let entry = this.slots[slot]; entry !== undefined; entry = entry.next) {
      if (entry.topic === topic) return entry.topic;
    }
    if (this.count >= MAX_TOPICS) return topic;
    const kept = internalized(topic);
    this.slots[slot] = { topic: kept, hash, next: this.slots[slot] };
    this.count++;
    return kept;
  }
}

function sameAscii(topic: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (topic.length !== end - start) return false;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}

/** `s` as V8 keeps property names: internalized (Object.keys returns the key the object holds). */
function internalized(s: string): string {
  return Object.keys({ [s]: true })[0] ?? s;
}

/** The process's known topics: routed topics are added as topicRoute first resolves them. */
export const KNOWN_TOPICS = new TopicTable();

/** decodeFrame's options for client frames (the WebSocket gateway): topics through KNOWN_TOPICS. */
export const CLIENT_FRAME_OPTIONS: DecodeFrameOptions = { topics: KNOWN_TOPICS.resolve };
