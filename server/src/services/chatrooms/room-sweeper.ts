/**
 * The chatroom service's one timer: each tick re-notifies members who were told about room data and never
 * pulled it (room-renotify.ts), and every `idleEveryTicks` ticks a store sweep destroys rooms idle past
 * their app's `chrmIdleDestroyMs`, timed rooms (destroyType 1) past their stored deadline, and (every 10 min)
 * prunes timelines past the retention.
 *
 * Invariants: the store sweep never overlaps itself (a slow store skips ticks rather than piling sweeps
 * up); nothing runs once closed; the timer is unref'd so it never keeps the process alive.
 *
 * Backlogs: rooms becoming idle (or due) together are read in pages of SWEEP_PAGE, and a sweep keeps taking
 * pages until one comes back short, so however many rooms an app lets go idle they are destroyed in the
 * sweep that finds them (API_CHECKLIST §7.2 #19) — not SWEEP_PAGE per sweep. Bounded: the sweep yields to the
 * event loop between pages (a store answering synchronously never holds the loop for more than one page),
 * takes at most SWEEP_BUDGET rooms of one kind of one app per sweep (the other apps, the timed rooms and the
 * prune get their turn), and continues at once, on the next turn of the event loop, where a budget ran out.
 * A page whose rooms were all tried already in this sweep (refused by destroy: active again, kept alive)
 * ends the walk. Several nodes sweeping the same store read the same pages; the store's destroy has one
 * winner (RoomSweepHost.destroy*, ChatroomService.destroy), so a room's end is announced and called back once.
 */
import { chatroomOptionsOf } from '../../chatroom-options';
import type { ServerContext } from '../../context';
import type { RoomFlow } from './room-flow';
import { sweepCadence } from './room-renotify';
import type { RoomState } from './room-state';

const PRUNE_EVERY_MS = 600_000;
/** Rooms read from the store per query. */
export const SWEEP_PAGE = 100;
/** Rooms of one kind (idle, timed) of one app one sweep takes at most before the next sweep continues. */
export const SWEEP_BUDGET = 1_000;
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
  /** A sweep stopped at its budget: the next one is scheduled at once (setImmediate), not at the cadence. */
  private continuation: ReturnType<typeof setImmediate> | undefined;

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
    if (this.continuation !== undefined) clearImmediate(this.continuation);
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

  /**
   * Idle and timed destruction per app, and (every 10 min) timeline retention. Never overlaps itself. Runs on
   * the timer; tests call it to sweep at once. Resolves when this sweep is done (a continuation it scheduled
   * for a backlog runs after).
   */
  async sweep(): Promise<void> {
    if (this.closed || this.sweeping) return;
    this.sweeping = true;
    const { ctx } = this.host;
    let backlog = false;
    try {
      const now = ctx.clock.now();
      for (const app of ctx.apps.list()) {
        const opts = chatroomOptionsOf(app);
        const before = now - opts.idleDestroyMs;
        const idle = await this.drain((limit) => ctx.store.chatrooms.idle(app.appKey, before, limit), (roomId) => this.host.destroyIdle(app.appKey, roomId));
        if (idle === 'closed') return;
        // Timed rooms past their stored deadline, overdue ones left by a stopped process included.
        const timed = await this.drain((limit) => ctx.store.chatrooms.due(app.appKey, now, limit), (roomId) => this.host.destroyTimed(app.appKey, roomId));
        if (timed === 'closed') return;
        backlog ||= idle === 'budget' || timed === 'budget';
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
    if (backlog && !this.closed && this.continuation === undefined) {
      this.continuation = setImmediate(() => {
        this.continuation = undefined;
        void this.sweep();
      });
      this.continuation.unref();
    }
  }

  /**
   * Destroys the rooms `page` lists, page after page, until a page comes back short ('done'), lists only rooms
   * tried in this walk ('done': destroy refused them, nothing left to gain), SWEEP_BUDGET rooms were tried
   * ('budget': more may be waiting) or the sweeper closed ('closed'). Yields to the event loop between pages.
   */
  private async drain(page: (limit: number) => Promise<readonly string[]>, destroy: (roomId: string) => Promise<unknown>): Promise<'done' | 'budget' | 'closed'> {
    const tried = new Set<string>();
    for (;;) {
      const roomIds = await page(SWEEP_PAGE);
      let fresh = 0;
      for (const roomId of roomIds) {
        if (this.closed) return 'closed';
        if (tried.has(roomId)) continue;
        tried.add(roomId);
        fresh += 1;
        await destroy(roomId);
      }
      if (roomIds.length < SWEEP_PAGE || fresh === 0) return 'done';
      if (tried.size >= SWEEP_BUDGET) return 'budget';
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.closed) return 'closed';
    }
  }
}
