/**
 * Live numbers for the console's charts, from what the server already tracks: local gateway
 * sessions by platform (the hub's registry), messages accepted per minute by object name (an
 * observer on the send filter chain, attached on first use so servers nobody watches pay nothing),
 * and the chatroom drop policy's counters. Node-local, like the sessions they count.
 */
import type { Services } from '../../services/index';

const MINUTES_KEPT = 30;
const ONLINE_SAMPLES_KEPT = 60;
const ONLINE_SAMPLE_MS = 10_000;

export interface StatsSnapshot {
  readonly now: number;
  readonly online: { readonly total: number; readonly byPlatform: Record<string, number>; readonly byTransport: Record<string, number> };
  /** Oldest first; `minute` is the epoch minute. */
  readonly messagesPerMinute: ReadonlyArray<{ readonly minute: number; readonly byType: Record<string, number> }>;
  readonly messagesTotal: Record<string, number>;
  readonly onlineHistory: ReadonlyArray<{ readonly at: number; readonly total: number }>;
  readonly chatrooms: ReturnType<Services['chatrooms']['service']['metrics']['snapshot']>;
  readonly countingSince: number | null;
}

export class ConsoleStats {
  private readonly minutes: Array<{ minute: number; byType: Record<string, number> }> = [];
  private readonly totals: Record<string, number> = {};
  private readonly onlineHistory: Array<{ at: number; total: number }> = [];
  private detach: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private countingSince: number | null = null;

  constructor(private readonly services: Services, private readonly now: () => number) {}

  /** Starts counting (idempotent). */
  start(): void {
    if (this.detach !== undefined) return;
    this.countingSince = this.now();
    this.detach = this.services.filters.addObserver((message) => this.count(message.objectName));
    this.sampleOnline();
    this.timer = setInterval(() => this.sampleOnline(), ONLINE_SAMPLE_MS);
    this.timer.unref();
  }

  close(): void {
    this.detach?.();
    this.detach = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private count(objectName: string): void {
    const minute = Math.floor(this.now() / 60_000);
    let bucket = this.minutes[this.minutes.length - 1];
    if (bucket?.minute !== minute) {
      bucket = { minute, byType: {} };
      this.minutes.push(bucket);
      if (this.minutes.length > MINUTES_KEPT) this.minutes.shift();
    }
    bucket.byType[objectName] = (bucket.byType[objectName] ?? 0) + 1;
    this.totals[objectName] = (this.totals[objectName] ?? 0) + 1;
  }

  private online(): StatsSnapshot['online'] {
    const byPlatform: Record<string, number> = {};
    const byTransport: Record<string, number> = {};
    const sessions = this.services.hub.registry.all();
    for (const session of sessions) {
      byPlatform[session.info.platform] = (byPlatform[session.info.platform] ?? 0) + 1;
      byTransport[session.info.transport] = (byTransport[session.info.transport] ?? 0) + 1;
    }
    return { total: sessions.length, byPlatform, byTransport };
  }

  private sampleOnline(): void {
    this.onlineHistory.push({ at: this.now(), total: this.services.hub.registry.size });
    if (this.onlineHistory.length > ONLINE_SAMPLES_KEPT) this.onlineHistory.shift();
  }

  snapshot(): StatsSnapshot {
    const now = this.now();
    const current = Math.floor(now / 60_000);
    // Minutes without traffic are zeros, so the chart's x axis is time, not "minutes with messages".
    const byMinute = new Map(this.minutes.map((m) => [m.minute, m.byType]));
    const span = this.countingSince === null ? 0 : Math.min(MINUTES_KEPT - 1, current - Math.floor(this.countingSince / 60_000));
    const messagesPerMinute = [];
    for (let m = current - span; m <= current; m++) messagesPerMinute.push({ minute: m, byType: { ...(byMinute.get(m) ?? {}) } });
    return {
      now,
      online: this.online(),
      messagesPerMinute,
      messagesTotal: { ...this.totals },
      onlineHistory: [...this.onlineHistory],
      chatrooms: this.services.chatrooms.service.metrics.snapshot(),
      countingSince: this.countingSince,
    };
  }
}
