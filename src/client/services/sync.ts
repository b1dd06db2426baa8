/**
 * Inbox/sendbox synchronisation (PROTOCOL.md §8): `pullMsg` right after each connect, whenever an
 * `s_ntf` announces newer data, and as a background safety net when nothing was pulled for 180 s
 * (checked every 30 s). One pull runs at a time; a notification arriving meanwhile is queued and
 * triggers another round. A round repeats while the server says `finished=false` or a queued
 * notification time is beyond the returned cursor — but never spins on a page that moves nothing.
 * Cursors only grow and are stored per appKey+user after each page, after the page was delivered
 * (so a crash re-delivers, and the receive pipeline's uid dedupe drops the repeats).
 *
 * Direct `s_msg` pushes (we connect with `directPush=1`, server/src/services/inbox-delivery.ts) are held
 * while a round is in flight — from sending `pullMsg` until its last page (`finished=false` continuations
 * included) was delivered — and delivered after it, in arrival order; the uid dedupe drops those the
 * page already brought. Without the hold, an `s_msg` read in the same TCP chunk as the pull answer
 * would reach the app before the page's older messages. Multi-device echoes (PROTOCOL.md §5.5) take the same
 * hold, in one arrival-ordered queue with the pushes: an echo is no older than a push that arrived before it,
 * and an echo delivered at once overtook the held pushes (reproduced under CI load: an expansion update pushed
 * from a peer reached the listener after the sender's own later removal, echoed from her other device).
 *
 * A push never moves the inbox cursor: only pull pages do, so the cursor always means "every entry up to
 * here was delivered". A node proves a push follows every entry IT appended, but in a cluster another node
 * may have appended an older entry to the same inbox (its `s_ntf` comes through the broker, may carry a newer
 * time than the push — one wake-up covers a burst — and can be lost with the connection). Moving the cursor
 * to the pushed time skipped that entry for good (reproduced: 2 of 3,000 messages missing on a 3-node
 * cluster, server/test/e2e/cluster/cluster-sdk-push-cursor.test.ts). So every pull starts at the cursor the
 * pulls confirmed, and re-fetches what was pushed since (dropped by the dedupe): after an `s_ntf` above the
 * cursor, after a reconnect or reload, every 180 s, and once CONFIRM_AFTER_PUSHES pushes have arrived since
 * the last finished round, which keeps a re-fetch well inside the dedupe memory (recent-uids.ts, 2,000).
 */
import { decodeByName, encodeByName } from '../../protocol/messages';
import type { Clock, TimerId } from '../../platform/platform-adapter';
import { errorCodeOf } from '../../errors';
import type { ServiceEngine } from './engine-port';
import type { ImMessage, WireContext } from './im-message';
import { Direction, fromDownStream } from './im-message';
import type { Logger } from '../logger';
import type { UserSession } from './user-session';
import { DEFAULT_RECENT_UID_CAPACITY } from './recent-uids';

export const BACKGROUND_CHECK_MS = 30_000;
export const BACKGROUND_PULL_AFTER_MS = 180_000;
/** Pages per round; a server paging forever cannot hold the client in a loop. */
export const MAX_PAGES_PER_ROUND = 100;

export interface SyncDeps {
  readonly engine: ServiceEngine;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Hands one page to the receive pipeline, in order. `finished` = no further page follows. */
  deliver(messages: readonly ImMessage[], finished: boolean): void;
  /** Hands one pushed message to the receive pipeline. */
  deliverOne(message: ImMessage): void;
  /** The first round of a connection that reached `finished` (setPullOfflineFinished). */
  onOfflineFinished(): void;
}

/** A push or echo held during a round. */
interface HeldMessage {
  readonly message: ImMessage;
  readonly echo: boolean;
}

/** Pushes and echoes held during one round; a server flooding them while we pull cannot grow it unbounded. */
export const MAX_HELD_PUSHES = 10_000;
/**
 * Stored pushes after which a pull confirms them (re-fetches them from the cursor). Half the dedupe memory
 * (DEFAULT_RECENT_UID_CAPACITY), so a re-fetch never reaches uids it has already forgotten.
 */
export const CONFIRM_AFTER_PUSHES = DEFAULT_RECENT_UID_CAPACITY / 2;

export class SyncService {
  private session: UserSession | undefined;
  private context: WireContext | undefined;
  /** Bumped by start/stop: a pull from an older connection must not touch state. */
  private generation = 0;
  private pulling = false;
  private again = false;
  private queuedTime = 0;
  private lastPullAt = 0;
  private offlineReported = false;
  private timer: TimerId | undefined;
  /** `s_msg` pushes and echoes that arrived while a round was in flight, in arrival order. */
  private held: HeldMessage[] = [];
  private inRound = false;
  /** Stored pushes above the cursor since the last finished round (CONFIRM_AFTER_PUSHES). */
  private unconfirmed = 0;

  constructor(private readonly deps: SyncDeps) {}

  /** A connection (first or automatic re-connect) is up: pull now and keep the background timer. */
  start(session: UserSession, context: WireContext): void {
    this.stop();
    this.session = session;
    this.context = context;
    this.offlineReported = false;
    this.unconfirmed = 0;
    this.scheduleBackground();
    void this.pull();
  }

  stop(): void {
    this.generation += 1;
    this.pulling = false;
    this.again = false;
    this.queuedTime = 0;
    // Held pushes of the old connection are dropped: stored ones come back with the next pull (the
    // cursor never moved past them); transient ones are stale by then.
    this.held = [];
    this.inRound = false;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** `s_ntf` (type ≠ 2): data up to `time` is waiting. */
  notify(time: number): void {
    if (!this.session) return;
    this.queuedTime = Math.max(this.queuedTime, time);
    // The inbox cursor is the server's high-water mark over inbox and sendbox (§8.3): nothing newer. Above it,
    // pull even when a push brought that time: an older entry from another node may sit below it.
    if (time > 0 && time <= this.session.inbox) return;
    void this.pull();
  }

  /** A stored or transient message pushed as `s_msg`: delivered now, or after the round in flight. */
  push(message: ImMessage): void {
    this.receive(message, false);
  }

  /**
   * Our own message from another device (a multi-device echo): like a push, delivered now or after the round in
   * flight, behind the pushes that arrived before it. It is in the sendbox, not the inbox: it never counts
   * towards CONFIRM_AFTER_PUSHES.
   */
  echo(message: ImMessage): void {
    this.receive(message, true);
  }

  private receive(message: ImMessage, echo: boolean): void {
    if (!this.session) return;
    if (this.inRound) {
      if (this.held.length < MAX_HELD_PUSHES) this.held.push({ message, echo });
      else {
        // Not held: a stored one is pulled by the next round instead (the cursors are not past it).
        this.queuedTime = Math.max(this.queuedTime, message.sentTime);
        this.again = true;
      }
      return;
    }
    this.deliverPush(this.session, message, echo);
  }

  private deliverPush(session: UserSession, message: ImMessage, echo: boolean): void {
    this.deps.deliverOne(message);
    if (echo) return;
    // The cursor stays (see the header); a stored push above it is confirmed by a later pull.
    if (!message.persisted || message.sentTime <= session.inbox) return;
    this.unconfirmed += 1;
    if (this.unconfirmed >= CONFIRM_AFTER_PUSHES) void this.pull();
  }

  private releaseHeld(generation: number): void {
    this.inRound = false;
    const held = this.held;
    this.held = [];
    const session = this.session;
    if (!session || generation !== this.generation) return;
    for (const { message, echo } of held) this.deliverPush(session, message, echo);
  }

  /** Runs pull rounds until nothing is pending. Never rejects. */
  async pull(): Promise<void> {
    if (this.pulling) {
      this.again = true;
      return;
    }
    const generation = this.generation;
    this.pulling = true;
    try {
      do {
        this.again = false;
        this.inRound = true;
        try {
          await this.round(generation);
        } finally {
          if (generation === this.generation) this.releaseHeld(generation);
        }
      } while (this.again && generation === this.generation);
    } catch (error) {
      // A failed pull must not stop later ones (seed 5.9.8): the next notify/timer retries.
      this.deps.logger.warn(`pullMsg failed (${errorCodeOf(error)})`, error);
    } finally {
      if (generation === this.generation) this.pulling = false;
    }
  }

  private async round(generation: number): Promise<void> {
    for (let page = 0; page < MAX_PAGES_PER_ROUND; page += 1) {
      const session = this.session;
      const context = this.context;
      if (!session || !context || generation !== this.generation) return;
      const request = encodeByName('SyncRequestMsg', {
        syncTime: session.inbox,
        ispolling: false,
        isPullSend: true,
        sendBoxSyncTime: session.sendbox,
      });
      const ack = await this.deps.engine.query('pullMsg', session.userId, request);
      if (generation !== this.generation) return;
      this.lastPullAt = this.deps.clock.now();
      if (ack.status !== 0) {
        this.deps.logger.warn(`pullMsg status ${ack.status}`);
        return;
      }
      const out = decodeByName('DownStreamMessages', ack.payload);
      // proto2 optional bool: absent means finished (the decoded default would read false).
      const finished = Object.prototype.hasOwnProperty.call(out, 'finished') ? out.finished : true;
      const messages = out.list.map((d) => fromDownStream(d, context));
      const inboxBefore = session.inbox;
      for (const message of messages) {
        if (message.direction === Direction.Send) session.sendbox = Math.max(session.sendbox, message.sentTime);
      }
      this.deps.deliver(messages, finished);
      session.inbox = Math.max(session.inbox, Number(out.syncTime));
      if (finished) this.unconfirmed = 0;
      session.saveCursors();
      if (finished && !this.offlineReported) {
        this.offlineReported = true;
        this.deps.onOfflineFinished();
      }
      const moved = session.inbox > inboxBefore || messages.length > 0;
      const behind = this.queuedTime > session.inbox;
      if (finished && (!behind || !moved)) {
        // Either caught up, or the server's cursor cannot reach the queued time: stop, don't spin.
        if (this.queuedTime <= session.inbox || !moved) this.queuedTime = 0;
        return;
      }
      if (!finished && !moved) return;
    }
  }

  private scheduleBackground(): void {
    const generation = this.generation;
    this.timer = this.deps.clock.setTimeout(() => {
      if (generation !== this.generation) return;
      // A negative time since the last pull: the device clock was set back since (pull now rather than wait that long).
      const sinceLastPull = this.deps.clock.now() - this.lastPullAt;
      if (sinceLastPull >= BACKGROUND_PULL_AFTER_MS || sinceLastPull < 0) void this.pull();
      this.scheduleBackground();
    }, BACKGROUND_CHECK_MS);
  }
}
