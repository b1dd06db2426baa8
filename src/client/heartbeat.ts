/**
 * Keep-alive for one connection (PROTOCOL.md §3.3): PINGREQ right after CONNACK, the next one
 * `intervalMs` after each PINGRESP; a ping unanswered for `timeoutMs` is a miss and is retried at
 * once; `maxMisses` consecutive misses declare the link dead. Time comes from the injected Clock.
 */
import type { Clock, TimerId } from '../platform/platform-adapter';

export interface HeartbeatOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly maxMisses: number;
}

export const DEFAULT_HEARTBEAT: HeartbeatOptions = { intervalMs: 15_000, timeoutMs: 15_000, maxMisses: 2 };

export interface HeartbeatDeps {
  sendPing(): void;
  /** Called once; the heartbeat is stopped when it fires. */
  onDead(): void;
}

export class Heartbeat {
  private timer: TimerId | undefined;
  private outstanding = false;
  private misses = 0;
  private running = false;

  constructor(
    private readonly deps: HeartbeatDeps,
    private readonly clock: Clock,
    private readonly options: HeartbeatOptions = DEFAULT_HEARTBEAT,
  ) {}

  /** Sends the first ping now. Restarting resets the miss count. */
  start(): void {
    this.stop();
    this.running = true;
    this.ping();
  }

  /** A PINGRESP arrived. Ignored when no ping is outstanding. */
  pong(): void {
    if (!this.running || !this.outstanding) return;
    this.outstanding = false;
    this.misses = 0;
    this.schedule(() => this.ping(), this.options.intervalMs);
  }

  stop(): void {
    this.running = false;
    this.outstanding = false;
    this.misses = 0;
    this.cancelTimer();
  }

  private ping(): void {
    if (!this.running) return;
    this.outstanding = true;
    this.schedule(() => this.missed(), this.options.timeoutMs);
    this.deps.sendPing();
  }

  private missed(): void {
    if (!this.running) return;
    this.misses += 1;
    if (this.misses >= this.options.maxMisses) {
      this.stop();
      this.deps.onDead();
      return;
    }
    this.ping();
  }

  private schedule(callback: () => void, ms: number): void {
    this.cancelTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      callback();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
