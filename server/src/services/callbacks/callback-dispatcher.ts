/**
 * At-least-once delivery of App Server callbacks through the durable queue (store/callback-queue-repository.ts).
 *
 * - `enqueue` never waits: items are buffered and written in one transaction on the next event-loop turn, so
 *   messaging pays one buffered insert per turn, whatever the App Server does. (An item is durable from that
 *   write on; a crash inside the same turn can lose it — the window is one turn, not a network round trip.)
 * - Each stream (app + kind) has at most one request in flight and is delivered in enqueue order: a failing
 *   head is retried with exponential back-off (`callbackRetryMs` doubling up to `callbackRetryMaxMs`) and holds
 *   its own stream only. Nothing is ever dropped for failing; only the per-app bound drops (oldest first).
 * - A 2xx answer is a delivery; anything else (status, timeout, refused connection) is retried.
 * - Items still queued at shutdown are delivered after the next start.
 */
import { appServerOptionsOf } from '../../app-server-options';
import type { AppConfig } from '../../config';
import type { ServerContext } from '../../context';
import type { CallbackKind, NewCallback, QueuedCallback } from '../../store/callback-queue-repository';
import { postCallback, type CallbackPost } from './callback-http';

const HEADS_PER_PUMP = 100;
/** Graceful shutdown waits this long for requests in flight (their items stay queued otherwise). */
const CLOSE_GRACE_MS = 500;

export function callbackUrlOf(app: AppConfig, kind: CallbackKind): string | undefined {
  const options = appServerOptionsOf(app);
  switch (kind) {
    case 'route': return options.messageRouteUrl;
    case 'userStatus': return options.userStatusUrl;
    case 'chatroomStatus': return options.chatroomStatusUrl;
  }
}

export interface CallbackStats {
  delivered: number;
  failedAttempts: number;
  /** Dropped by the per-app bound or because the app no longer has a URL for the stream. */
  dropped: number;
}

export class CallbackDispatcher {
  readonly stats: CallbackStats = { delivered: 0, failedAttempts: 0, dropped: 0 };
  private buffer: NewCallback[] = [];
  private flushing: Promise<void> | undefined;
  private readonly inFlight = new Map<string, Promise<void>>();
  /**
   * Per stream, the id of the item last delivered and removed. A `heads` read that started before that
   * item's removal committed (PostgreSQL: the read and the DELETE run on different pool connections) can
   * still return it as the head after its delivery left `inFlight`; posting it again would be a duplicate.
   * Only that item can come back so: every earlier one was removed before it became the head.
   */
  private readonly finished = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private pumping = false;
  private pumpAgain = false;
  private closed = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly post: CallbackPost = postCallback,
  ) {}

  /** Queues one callback; returns at once. Ignored after `close`. */
  enqueue(item: NewCallback): void {
    if (this.closed) return;
    this.buffer.push(item);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Starts delivering what is queued (including what a previous run left). */
  start(): void {
    this.pump();
  }

  /** Writes buffered items, stops the timers and gives requests in flight a short grace period. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flushing;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const pending = [...this.inFlight.values()];
    if (pending.length === 0) return;
    let grace: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(pending), new Promise<void>((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    if (grace !== undefined) clearTimeout(grace);
  }

  private async flush(): Promise<void> {
    const items = this.buffer;
    this.buffer = [];
    this.flushing = undefined;
    const byApp = new Map<string, NewCallback[]>();
    for (const item of items) {
      const list = byApp.get(item.appKey);
      if (list === undefined) byApp.set(item.appKey, [item]);
      else list.push(item);
    }
    for (const [appKey, list] of byApp) {
      const max = appServerOptionsOf(this.ctx.apps.get(appKey)).callbackQueueMax;
      try {
        const dropped = await this.ctx.store.callbackQueue.enqueue(list, this.ctx.clock.now(), max);
        if (dropped > 0) {
          this.stats.dropped += dropped;
          this.ctx.log.warn('callback queue full: oldest callbacks dropped', { appKey, dropped, max });
        }
      } catch (error) {
        this.ctx.log.error('callback enqueue failed', { appKey, count: list.length, error: String(error) });
      }
    }
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pumpOnce().finally(() => {
      this.pumping = false;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.pump();
      }
    });
  }

  private async pumpOnce(): Promise<void> {
    const queue = this.ctx.store.callbackQueue;
    try {
      const now = this.ctx.clock.now();
      for (const head of await queue.heads(now, HEADS_PER_PUMP)) {
        const key = `${head.appKey}\u0000${head.kind}`;
        if (this.inFlight.has(key) || this.finished.get(key) === head.id || this.closed) continue;
        const delivery = this.deliver(head).then((removed) => {
          if (removed) this.finished.set(key, head.id);
        }).finally(() => {
          this.inFlight.delete(key);
          this.pump();
        });
        this.inFlight.set(key, delivery);
      }
      // Heads due now are in flight (their completion pumps again); only a later head needs the timer.
      const next = await queue.nextDue();
      if (next !== undefined && next > now) this.wakeAt(next);
    } catch (error) {
      if (!this.closed) {
        this.ctx.log.error('callback queue read failed', { error: String(error) });
        this.wakeAt(this.ctx.clock.now() + 1000);
      }
    }
  }

  private wakeAt(at: number): void {
    if (this.closed || (this.timer !== undefined && this.timerAt <= at)) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pump();
    }, Math.max(0, at - this.ctx.clock.now()));
    this.timer.unref();
  }

  /** Resolves true when the item left the queue (delivered, or its stream dropped); never rejects. */
  private async deliver(head: QueuedCallback): Promise<boolean> {
    const queue = this.ctx.store.callbackQueue;
    try {
      const app = this.ctx.apps.get(head.appKey);
      const url = app === undefined ? undefined : callbackUrlOf(app, head.kind);
      if (app === undefined || url === undefined) {
        const dropped = await queue.dropStream(head.appKey, head.kind);
        this.stats.dropped += dropped;
        this.ctx.log.warn('queued callbacks dropped: no URL configured for them any more', { appKey: head.appKey, kind: head.kind, dropped });
        return true;
      }
      const options = appServerOptionsOf(app);
      const result = await this.post(app, { url, contentType: head.contentType, body: head.body, timeoutMs: options.callbackTimeoutMs }, this.ctx.clock.now());
      if (result.ok) {
        this.stats.delivered++;
        await queue.remove(head.id);
        return true;
      }
      this.stats.failedAttempts++;
      const delay = Math.min(options.callbackRetryMaxMs, options.callbackRetryMs * 2 ** Math.min(head.attempts, 30));
      this.ctx.log.debug('callback failed, will retry', { appKey: head.appKey, kind: head.kind, attempts: head.attempts + 1, delay, error: result.error });
      if (!this.closed) await queue.postpone(head.id, this.ctx.clock.now() + delay);
      return false;
    } catch (error) {
      // After close the store may be gone: the item simply stays queued for the next start.
      if (!this.closed) this.ctx.log.error('callback delivery failed', { appKey: head.appKey, kind: head.kind, error: String(error) });
      return false;
    }
  }
}
