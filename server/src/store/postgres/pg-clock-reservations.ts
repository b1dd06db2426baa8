/**
 * The reservations of the app message clock a node makes for not-stored messages (MessageRepository.reserveTime,
 * PostgreSQL): each waits for a round trip unless the node already knows the clock is there, and a send is
 * delivered when its reservation resolves. Reservations of one app therefore resolve in the order they were made
 * (so two not-stored messages of an app are delivered in the order sent, as on SQLite, where a reservation needs no
 * I/O), with at most one statement of the app in flight: the ones made meanwhile wait together and are sent as one,
 * with their greatest time — under load a round trip covers many messages, not one each.
 */
import type { AppKey } from '../store';

/** Raises `known`'s value for the app (the clock never goes back). */
export function noteClock(known: Map<AppKey, number>, appKey: AppKey, time: number): void {
  if ((known.get(appKey) ?? Number.NEGATIVE_INFINITY) < time) known.set(appKey, time);
}

interface Waiting {
  time: number;
  done: Promise<void>;
}

interface AppReservations {
  /** The reservation in flight (its statement, or nothing when the clock was known to be there). */
  current: Promise<void>;
  /** Made while `current` runs: sent after it, once, with the greatest time. */
  waiting: Waiting | undefined;
}

const ignore = (): void => undefined;

export class ClockReservations {
  private readonly apps = new Map<AppKey, AppReservations>();

  /**
   * `known`: per app, a value the shared clock is known to have reached (shared with the append writer, which notes
   * its committed times); `write`: raises the shared clock to at least the time, resolving to its value after.
   */
  constructor(
    private readonly known: Map<AppKey, number>,
    private readonly write: (appKey: AppKey, time: number) => Promise<number>,
  ) {}

  /** Apps with a reservation in flight (tests). */
  get busy(): number {
    return this.apps.size;
  }

  reserve(appKey: AppKey, time: number): Promise<void> {
    const t = Math.ceil(time);
    const app = this.apps.get(appKey);
    if (app === undefined) {
      if (this.covered(appKey, t)) return Promise.resolve();
      const created: AppReservations = { current: Promise.resolve(), waiting: undefined };
      this.apps.set(appKey, created);
      return this.run(appKey, created, t);
    }
    if (app.waiting !== undefined) {
      app.waiting.time = Math.max(app.waiting.time, t);
      return app.waiting.done;
    }
    const waiting: Waiting = { time: t, done: Promise.resolve() };
    app.waiting = waiting;
    waiting.done = app.current.then(ignore, ignore).then(() => {
      app.waiting = undefined;
      return this.run(appKey, app, waiting.time);
    });
    return waiting.done;
  }

  private covered(appKey: AppKey, time: number): boolean {
    return (this.known.get(appKey) ?? Number.NEGATIVE_INFINITY) >= time;
  }

  private run(appKey: AppKey, app: AppReservations, time: number): Promise<void> {
    const done = this.covered(appKey, time) ? Promise.resolve() : this.write(appKey, time).then((value) => noteClock(this.known, appKey, value));
    app.current = done;
    // Registered before any waiter's continuation on `done`, so it runs first: the app stays listed while one waits.
    void done.then(ignore, ignore).then(() => {
      if (app.current === done && app.waiting === undefined && this.apps.get(appKey) === app) this.apps.delete(appKey);
    });
    return done;
  }
}
