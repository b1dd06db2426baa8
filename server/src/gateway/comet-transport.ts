/**
 * ServerTransport for one comet session (PROTOCOL.md §10): frames become JSON signal objects,
 * queued until a `pullmsg.js` long-poll drains them. The PUBACK/QUERYACK answering an upstream
 * POST goes back in that POST's own response. Invariants:
 * - at most one long-poll is held; a newer poll answers the older one with `[]`;
 * - a held poll is answered after `holdMs` at the latest (clients give up at 45 s);
 * - every response body is a JSON array (E4 ignores anything else);
 * - nothing relies on client acks (E4 comet never sends PUBACK/QUERYCON).
 */
import { cometDisconnect, encodeCometSignals, frameToSignal, type CometDialect, type CometFrame, type CometSignal, type Frame } from '../../../src/internal';
import type { Logger } from '../context';
import { pushData, queryAckData } from './comet-payloads';
import type { ServerTransport, WriteHint } from './server-transport';

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
  private queue: CometSignal[] = [];
  private held: HeldPoll | undefined;
  private readonly posts = new Map<number, PendingPost>();
  private closedFlag = false;
  /** ms of the last poll or POST: the comet gateway expires sessions on it. */
  lastActivity: number;

  constructor(
    readonly dialect: CometDialect,
    private readonly holdMs: number,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    this.lastActivity = now();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Whether the session is gone and nothing is left for a last poll to collect. */
  get drained(): boolean {
    return this.closedFlag && this.queue.length === 0;
  }

  write(frame: Frame, hint?: WriteHint): void {
    if (this.closedFlag) return;
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
    this.queue.push(signal);
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
    this.lastActivity = this.now();
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
    this.lastActivity = this.now();
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
  }

  /** Activity without a poll (a POST that needs no answer). */
  touch(): void {
    this.lastActivity = this.now();
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
    clearTimeout(held.timer);
    held.reply(body);
  }

  private takeQueue(): string {
    const body = encodeCometSignals(this.queue);
    this.queue = [];
    return body;
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
