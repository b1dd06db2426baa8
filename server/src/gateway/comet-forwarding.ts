/**
 * Comet requests for a session another node owns (no sticky sessions needed, issue #11). A comet
 * session lives in the memory of the node that answered its connect, and its id starts with that
 * node's id (`<nodeId>.<random>`, SessionManager.newSessionId). When a poll or an upstream POST lands
 * on another node (a balancer without affinity), that node relays the HTTP request over the broker
 * topic `node:<owner>`; the owner replays it on its own routes (`fastify.inject`, marked as forwarded
 * so it is never relayed twice) and publishes the response on `node:<asker>`.
 *
 * Failure: the broker is at-most-once and the owner may be gone. A relay that gets no answer within
 * `timeoutMs` is answered as a lost session, so the client reconnects (through navi, to a live node)
 * and catches up by sync: a lost relay costs a reconnect, never a message.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { nodeTopic, type Broker, type Unsubscribe } from '../broker/broker';
import type { Logger } from '../context';

/** Set on replayed requests: the owner handles them itself even if the session is unknown there. */
export const FORWARDED_HEADER = 'x-lianxin-forwarded-from';
/** Relays waiting for an answer at once; beyond it requests are answered as lost sessions (clients reconnect). */
const MAX_PENDING_RELAYS = 10_000;

export interface RelayedRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly body?: string;
}

export interface RelayedResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

type NodeMessage =
  | { readonly t: 'req'; readonly id: string; readonly from: string; readonly req: RelayedRequest }
  | { readonly t: 'res'; readonly id: string; readonly res: RelayedResponse };

interface Pending {
  readonly resolve: (response: RelayedResponse | undefined) => void;
  readonly timer: NodeJS.Timeout;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class CometForwarder {
  private readonly pending = new Map<string, Pending>();
  private unsubscribe: Unsubscribe | undefined;
  private closed = false;

  constructor(
    private readonly nodeId: string,
    private readonly broker: Broker,
    private readonly fastify: FastifyInstance,
    private readonly log: Logger,
  ) {}

  /** Subscribes `node:<self>`; resolves once relayed requests and responses can arrive. */
  async start(): Promise<void> {
    this.unsubscribe = await this.broker.subscribe(nodeTopic(this.nodeId), (bytes) => this.onMessage(bytes));
  }

  /** The owning node of a session id when it is another node (undefined: ours, or not one of our ids). */
  remoteOwner(sessionId: string | undefined): string | undefined {
    if (sessionId === undefined) return undefined;
    const dot = sessionId.indexOf('.');
    if (dot <= 0) return undefined;
    const owner = sessionId.slice(0, dot);
    return owner === this.nodeId ? undefined : owner;
  }

  /** Relays `request` to `owner`; undefined when no answer came within `timeoutMs`. */
  relay(owner: string, request: RelayedRequest, timeoutMs: number): Promise<RelayedResponse | undefined> {
    if (this.closed || this.pending.size >= MAX_PENDING_RELAYS) return Promise.resolve(undefined);
    const id = randomBytes(9).toString('base64url');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, timer });
      const message: NodeMessage = { t: 'req', id, from: this.nodeId, req: request };
      this.broker.publish(nodeTopic(owner), encoder.encode(JSON.stringify(message))).then((receivers) => {
        // Nobody listens on `node:<owner>`: no such live node (or a forged session id). Answer at once
        // instead of holding the request until the timeout.
        if (receivers === 0) this.settle(id, undefined);
      }, (error: unknown) => {
        this.log.warn('comet relay publish failed', { owner, error: String(error) });
        this.settle(id, undefined);
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, undefined);
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    await unsubscribe?.().catch(() => undefined);
  }

  private settle(id: string, response: RelayedResponse | undefined): void {
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(response);
  }

  private onMessage(bytes: Uint8Array): void {
    let message: NodeMessage;
    try {
      message = JSON.parse(decoder.decode(bytes)) as NodeMessage;
    } catch (error) {
      this.log.warn('bad node message', { error: String(error) });
      return;
    }
    if (message.t === 'res') this.settle(message.id, message.res);
    else if (message.t === 'req' && !this.closed) void this.replay(message);
  }

  private async replay(message: Extract<NodeMessage, { t: 'req' }>): Promise<void> {
    let res: RelayedResponse;
    try {
      const injected = await this.fastify.inject({
        method: message.req.method,
        url: message.req.url,
        headers: { [FORWARDED_HEADER]: message.from, 'content-type': 'text/plain' },
        ...(message.req.body === undefined ? {} : { payload: message.req.body }),
      });
      const type = injected.headers['content-type'];
      res = { status: injected.statusCode, contentType: typeof type === 'string' ? type : 'text/plain; charset=utf-8', body: injected.body };
    } catch (error) {
      this.log.warn('comet relay replay failed', { error: String(error) });
      return;
    }
    const reply: NodeMessage = { t: 'res', id: message.id, res };
    await this.broker.publish(nodeTopic(message.from), encoder.encode(JSON.stringify(reply))).catch((error: unknown) => {
      this.log.warn('comet relay answer failed', { to: message.from, error: String(error) });
    });
  }
}
