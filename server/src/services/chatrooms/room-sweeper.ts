/**
 * The chatroom service's one timer: each tick re-notifies members who were told about room data and never
 * pulled it (room-renotify.ts), and every `idleEveryTicks` ticks a store sweep destroys rooms idle past
 * their app's `chrmIdleDestroyMs`, timed rooms (destroyType 1) past their stored deadline, and (every 10 min)
 * prunes timelines past the retention.
 *
 * Invariants: the store sweep never overlaps itself (a slow store skips ticks rather than piling sweeps
 * up); nothing runs once closed; the timer is unref'd so it never keeps the process alive.
 */
import { chatroomOptionsOf } from '../../chatroom-options';
import type { ServerContext } from '../../context';
import type { RoomFlow } from './room-flow';
import { sweepCadence } from './room-renotify';
import type { RoomState } from './room-state';

const PRUNE_EVERY_MS = 600_000;
const DAY_MS = 86_400_000;

/** What the sweep needs of the node's chatroom service (ChatroomService provides it). */
export interface RoomSweepHost {
  readonly ctx: ServerContext;
  readonly flow: RoomFlow;
  /** Every room loaded on this node. */
  rooms(): Iterable<RoomState>;
  /** Destroys the room if it is still idle once its queue is reached. */
  destroyIdle(appKey: string, roomId: string): Promise<unknown>;
  /** Destroys the timed room if its deadline has still passed once its queue is reached. */
  destroyTimed(appKey: string, roomId: string): Promise<unknown>;
}

export class RoomSweeper {
  private readonly timer: ReturnType<typeof setInterval>;
  /** Idle destruction runs every this many ticks (the tick also serves the re-notify delay). */
  private readonly idleEveryTicks: number;
  private ticks = 0;
  private sweeping = false;
  private lastPrune = 0;
  private closed = false;

  /** Starts the timer; its cadence follows the shortest idle delay of the apps configured now. */
  constructor(
    private readonly host: RoomSweepHost,
    private readonly renotifyMs: number,
  ) {
    // A timed room is destroyed within a quarter of a destroyTime minute (15 s by default) of its deadline.
    const idle = Math.min(...host.ctx.apps.list().map((app) => Math.min(chatroomOptionsOf(app).idleDestroyMs, chatroomOptionsOf(app).destroyMinuteMs)), 3_600_000);
    const { tickMs, idleEveryTicks } = sweepCadence(idle, renotifyMs);
    this.idleEveryTicks = idleEveryTicks;
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  /** One tick: re-notifies (synchronous, field checks per room) and, every idleEveryTicks, the store sweep. */
  private tick(): void {
    if (this.closed) return;
    const { ctx, flow } = this.host;
    const now = ctx.clock.now();
    let renotified = 0;
    for (const room of this.host.rooms()) renotified += flow.renotify(room, now, this.renotifyMs);
    if (renotified > 0) ctx.log.debug('chatroom re-notified', { members: renotified });
    this.ticks += 1;
    if (this.ticks >= this.idleEveryTicks) {
      this.ticks = 0;
      void this.sweep();
    }
  }

  /** Idle destruction per app, and (every 10 min) timeline retention. Never overlaps itself. */
  private async sweep(): Promise<void> {
    if (this.closed || this.sweeping) return;
    this.sweeping = true;
    const { ctx } = this.host;
    try {
      const now = ctx.clock.now();
      for (const app of ctx.apps.list()) {
        const opts = chatroomOptionsOf(app);
        for (const roomId of await ctx.store.chatrooms.idle(app.appKey, now - opts.idleDestroyMs, 100)) {
          if (this.closed) return;
          await this.host.destroyIdle(app.appKey, roomId);
        }
        // Timed rooms past their stored deadline, overdue ones left by a stopped process included. Every node
        // sweeps; the store's destroy has one winner, so members and callbacks hear of a room's end once.
        for (const roomId of await ctx.store.chatrooms.due(app.appKey, now, 100)) {
          if (this.closed) return;
          await this.host.destroyTimed(app.appKey, roomId);
        }
      }
      if (now - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = now;
        const days = Math.max(...ctx.apps.list().map((app) => chatroomOptionsOf(app).historyRetentionDays), 1);
        await ctx.store.chatrooms.pruneMessages(now - days * DAY_MS);
        // Kept pull pages may hold pruned messages (room-page-cache.ts keeps truncated pages across appends).
        for (const room of this.host.rooms()) room.pages.clear();
      }
    } catch (error) {
      if (!this.closed) ctx.log.warn('chatroom sweep failed', { error: String(error) });
    } finally {
      this.sweeping = false;
    }
  }
}
