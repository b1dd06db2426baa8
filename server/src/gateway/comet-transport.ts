/**
 * ServerTransport for one comet session (PROTOCOL.md §10): frames become JSON signal objects,
 * queued until a `pullmsg.js` long-poll drains them. The PUBACK/QUERYACK answering an upstream
 * POST goes back in that POST's own response. Invariants:
 * - at most one long-poll is held; a newer poll answers the older one with `[]`;
 * - a held poll is answered after `holdMs` at the latest (clients give up at 45 s);
 * - every response body is a JSON array (E4 ignores anything else);
 * - nothing relies on client acks (E4 comet never sends PUBACK/QUERYCON);
 * - the downlink queue is bounded: only polls keep a session alive (`expired`: upstream POSTs do not), and a
 *   queue beyond `maxQueuedBytes` is dropped and the session handed to `onOverflow` to be closed. Either way
 *   the client's next request is told the session is gone (§10.5), it reconnects and pulls what it missed
 *   from the store: the queue only ever holds wake-ups (`s_ntf`, `s_cmd`), echoes, transient pushes and late
 *   answers, never the only copy of a stored message.
 */
import { cometDisconnect, encodeCometSignals, frameToSignal, type CometDialect, type CometFrame, type CometSignal, type Frame } from '../../../src/internal';
import type { Logger } from '../context';
import { pushData, queryAckData } from './comet-payloads';
import type { ServerTransport, WriteHint } from './server-transport';

/**
 * Default bound on one session's unpolled downlink, in JSON characters (≈ bytes). A polling client empties the
 * queue at every poll; a full one means the client has not polled for a long time while a lot was sent to it.
 */
export const DEFAULT_COMET_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** LIANXIN_COMET_MAX_QUEUED_BYTES overrides the default (operators, tests); anything but a positive integer is ignored. */
export function cometMaxQueuedBytesFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env['LIANXIN_COMET_MAX_QUEUED_BYTES'];
  if (raw === undefined || !/^\d+$/.test(raw)) return DEFAULT_COMET_MAX_QUEUED_BYTES;
  const value = Number(raw);
  return value > 0 && Number.isSafeInteger(value) ? value : DEFAULT_COMET_MAX_QUEUED_BYTES;
}

export interface CometTransportOptions {
  readonly dialect: CometDialect;
  /** How long a `pullmsg.js` is held before it is answered `[]`. */
  readonly holdMs: number;
  readonly now: () => number;
  readonly log: Logger;
  /** Bound on the queued signals' JSON in UTF-8 bytes, what the poll answer would carry (DEFAULT_COMET_MAX_QUEUED_BYTES). */
  readonly maxQueuedBytes?: number;
  /**
   * The queue went past `maxQueuedBytes` and was dropped: close the session (called once, from a microtask,
   * never from inside the `write` that overflowed).
   */
  readonly onOverflow?: (dropped: QueueSize) => void;
}

/** A count of queued signals and the UTF-8 bytes of their JSON. */
export interface QueueSize {
  readonly signals: number;
  readonly bytes: number;
}

type Reply = (body: string) => void;

interface HeldPoll {
  readonly reply: Reply;
  readonly timer: NodeJS.Timeout;
}

interface PendingPost {
  readonly reply: Reply;
  readonly timer: NodeJS.Timeout;
}

export class CometTransport implements ServerTransport {
  readonly kind = 'comet' as const;
  readonly dialect: CometDialect;
  /** Queued signals, each already encoded as compact JSON (an element of the next response's array). */
  private queue: string[] = [];
  private queuedBytes = 0;
  private held: HeldPoll | undefined;
  private readonly posts = new Map<number, PendingPost>();
  private closedFlag = false;
  /** Set when the queue outgrew its bound: what was dropped. Nothing is queued any more. */
  private overflowed: QueueSize | undefined;
  /**
   * ms of the last moment the downlink was pulled: a poll arrived, or a held poll was answered or given up.
   * Upstream POSTs do not count: a client that sends but never polls would keep its queue growing forever.
   */
  private lastPulled: number;
  private readonly holdMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly maxQueuedBytes: number;
  private readonly onOverflow: CometTransportOptions['onOverflow'];

  constructor(options: CometTransportOptions) {
    this.dialect = options.dialect;
    this.holdMs = options.holdMs;
    this.now = options.now;
    this.log = options.log;
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_COMET_MAX_QUEUED_BYTES;
    this.onOverflow = options.onOverflow;
    this.lastPulled = this.now();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Whether the session is gone and nothing is left for a last poll to collect. */
  get drained(): boolean {
    return this.closedFlag && this.queue.length === 0;
  }

  /** What was dropped when the queue outgrew its bound (the session is to be closed); undefined while within it. */
  get overflow(): QueueSize | undefined {
    return this.overflowed;
  }

  /** Signals waiting for a poll, and their JSON's UTF-8 bytes (diagnostics, tests). */
  get queued(): QueueSize {
    return { signals: this.queue.length, bytes: this.queuedBytes };
  }

  /**
   * Whether nobody has pulled the downlink for longer than `expiryMs` (no poll held, none since): the session is
   * to be closed like one that stopped polling, whatever it still POSTs.
   */
  expired(now: number, expiryMs: number): boolean {
    return this.held === undefined && now - this.lastPulled > expiryMs;
  }

  write(frame: Frame, hint?: WriteHint): void {
    if (this.closedFlag || this.overflowed !== undefined) return;
    let signal: CometSignal;
    try {
      const cometFrame = toCometFrame(frame, hint);
      if (cometFrame === undefined) return;
      signal = frameToSignal(cometFrame, this.dialect);
    } catch (error) {
      this.log.error('cannot encode comet signal', { kind: frame.kind, error });
      return;
    }
    if (frame.kind === 'puback' || frame.kind === 'queryack') {
      const post = this.posts.get(frame.messageId);
      if (post) {
        this.posts.delete(frame.messageId);
        clearTimeout(post.timer);
        post.reply(encodeCometSignals([signal]));
        return;
      }
    }
    let json: string;
    try {
      json = encodeCometSignals([signal]).slice(1, -1);
    } catch (error) {
      this.log.error('cannot encode comet signal', { kind: frame.kind, error });
      return;
    }
    this.queue.push(json);
    this.queuedBytes += Buffer.byteLength(json);
    if (this.held === undefined && this.queuedBytes > this.maxQueuedBytes) {
      this.dropQueue();
      return;
    }
    this.flush();
  }

  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const [id, post] of this.posts) {
      clearTimeout(post.timer);
      post.reply('[]');
      this.posts.delete(id);
    }
    this.flush(true);
  }

  /** A `pullmsg.js` request: answered now if anything is queued, else held up to `holdMs`. */
  poll(reply: Reply): void {
    this.lastPulled = this.now();
    if (this.held) this.answerHeld('[]');
    if (this.queue.length > 0 || this.closedFlag) {
      reply(this.takeQueue());
      return;
    }
    const timer = setTimeout(() => this.answerHeld('[]'), this.holdMs);
    this.held = { reply, timer };
  }

  /**
   * An upstream POST whose answer (PUBACK/QUERYACK with `messageId`) should go in its response.
   * Call before handing the frame to the session: the answer may be written synchronously.
   * After `waitMs` the POST is answered `[]` and the late answer is queued for the next poll.
   */
  expectAnswer(messageId: number, reply: Reply, waitMs: number): void {
    const previous = this.posts.get(messageId);
    if (previous) {
      clearTimeout(previous.timer);
      previous.reply('[]');
    }
    const timer = setTimeout(() => {
      if (this.posts.get(messageId)?.reply !== reply) return;
      this.posts.delete(messageId);
      reply('[]');
    }, waitMs);
    this.posts.set(messageId, { reply, timer });
  }

  /** Drops a held poll whose HTTP request has gone away (queued signals stay queued). */
  cancelPoll(reply: Reply): void {
    if (this.held?.reply !== reply) return;
    clearTimeout(this.held.timer);
    this.held = undefined;
    this.lastPulled = this.now();
  }

  /** Answers a held poll, e.g. on shutdown. */
  release(): void {
    this.answerHeld(this.takeQueue());
  }

  private flush(force = false): void {
    if (!this.held) return;
    if (this.queue.length === 0 && !force) return;
    this.answerHeld(this.takeQueue());
  }

  private answerHeld(body: string): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    this.lastPulled = this.now();
    clearTimeout(held.timer);
    held.reply(body);
  }

  private takeQueue(): string {
    if (this.queue.length === 0) return '[]';
    const body = `[${this.queue.join(',')}]`;
    this.queue = [];
    this.queuedBytes = 0;
    return body;
  }

  /**
   * The queue outgrew its bound with no poll to take it: drop it (the store keeps the messages; the client pulls
   * them after reconnecting), take nothing more, and have the session closed.
   */
  private dropQueue(): void {
    const dropped: QueueSize = { signals: this.queue.length, bytes: this.queuedBytes };
    this.queue = [];
    this.queuedBytes = 0;
    this.overflowed = dropped;
    const onOverflow = this.onOverflow;
    if (onOverflow !== undefined) queueMicrotask(() => onOverflow(dropped));
  }
}

/** Frame with protobuf payload → CometFrame with JSON `data`; undefined for frames comet never carries. */
function toCometFrame(frame: Frame, hint?: WriteHint): CometFrame | undefined {
  switch (frame.kind) {
    case 'publish': {
      const { payload, ...rest } = frame;
      return { ...rest, data: pushData(frame.topic, payload) };
    }
    case 'queryack': {
      const { payload, ...rest } = frame;
      return { ...rest, data: queryAckData(hint?.topic, payload) };
    }
    case 'query': {
      const { payload: _unused, ...rest } = frame;
      void _unused;
      return { ...rest, data: '' };
    }
    case 'pingresp':
      // Comet clients do not ping; nothing to carry.
      return undefined;
    case 'connect':
      return undefined;
    default:
      return frame;
  }
}

/** The reply for a poll/POST naming a session this server does not know (PROTOCOL.md §10.5). */
export function lostSessionBody(dialect: CometDialect): string {
  return encodeCometSignals([cometDisconnect(3, dialect)]);
}
