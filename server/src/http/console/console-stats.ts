/**
 * Live numbers for the console's charts, from what the server already tracks: local gateway
 * sessions by platform (the hub's registry), messages accepted per minute by object name (an
 * observer on the send filter chain, attached on first use so servers nobody watches pay nothing),
 * and the chatroom drop policy's counters. Node-local, like the sessions they count.
 */
import type { Services } from '../../services/index';

const MINUTES_KEPT = 30;
/**
 * Object names counted by name, the first ones seen since counting started; messages of any other name count
 * under OTHER_TYPES. Clients choose object names (any string up to 32 characters), so without a bound the
 * totals would hold one entry per name ever sent for as long as the process runs.
 */
export const MAX_COUNTED_TYPES = 50;
export const OTHER_TYPES = '(other)';
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
  private readonly minutes: Array<{ minute: number; byType: Map<string, number> }> = [];
  /** By object name: a Map, as names are the clients' own strings (`__proto__`, `constructor`…). */
  private readonly totals = new Map<string, number>();
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

  private count(name: string): void {
    const objectName = this.totals.has(name) || this.totals.size < MAX_COUNTED_TYPES ? name : OTHER_TYPES;
    const minute = Math.floor(this.now() / 60_000);
    let bucket = this.minutes[this.minutes.length - 1];
    if (bucket?.minute !== minute) {
      bucket = { minute, byType: new Map() };
      this.minutes.push(bucket);
      if (this.minutes.length > MINUTES_KEPT) this.minutes.shift();
    }
    bucket.byType.set(objectName, (bucket.byType.get(objectName) ?? 0) + 1);
    this.totals.set(objectName, (this.totals.get(objectName) ?? 0) + 1);
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
    for (let m = current - span; m <= current; m++) messagesPerMinute.push({ minute: m, byType: recordOf(byMinute.get(m)) });
    return {
      now,
      online: this.online(),
      messagesPerMinute,
      messagesTotal: recordOf(this.totals),
      onlineHistory: [...this.onlineHistory],
      chatrooms: this.services.chatrooms.service.metrics.snapshot(),
      countingSince: this.countingSince,
    };
  }
}

/** Counts as a plain JSON object; every name an own property (a `__proto__` name included). */
function recordOf(counts: ReadonlyMap<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of counts ?? []) Object.defineProperty(out, name, { value: n, enumerable: true, writable: true, configurable: true });
  return out;
}
