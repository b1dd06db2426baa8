/**
 * The seam between the gateway (connections, frames, transports) and the topic services
 * (messaging, sync, history…). Handlers only ever see protobuf payload bytes: comet JSON is
 * converted at the transport edge, so one handler serves WebSocket and comet alike.
 */
import type { PublishFrame, QueryFrame } from '../../../src/internal';

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
   * (the gateway re-notifies a session that was told of newer data and never pulled, inbox-renotify.ts).
   */
  pulledTo?(syncTime: number): void;
  /** The `pullMsg` handler is about to read its page: notifications from now on may be newer than the read. */
  pullAsked?(): void;
  /**
   * The running handler of a pipelined topic (TopicRouter.pipelined) is about to wait before its
   * order-sensitive step (e.g. for an asynchronous filter verdict before the store append): the session starts
   * no later frame before every earlier one is answered.
   */
  deferOrder?(): void;
}

/**
 * Handles one client PUBLISH or QUERY. It must answer (puback/queryAck) before its promise
 * settles; if it throws or forgets, the gateway answers with `WireStatus.HandlerFailed`.
 * Frames of one session are handled one at a time, in arrival order — except consecutive frames of
 * pipelined topics (TopicRouter.pipelined).
 */
export type TopicHandler = (port: SessionPort, frame: PublishFrame | QueryFrame) => Promise<void> | void;

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
