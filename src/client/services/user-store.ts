/**
 * Per-user persistent state on the platform's async key/value storage: sync cursors, the dedupe uid
 * list, unread counts, conversation statuses. Keys are scoped by appKey AND userId, so two apps or two
 * users on one device never read each other's state (switching users must not leak, seed 2.9.8).
 * Writes to one key are applied in call order; a failed write is logged, never thrown at callers
 * (the in-memory copy stays authoritative for the session).
 *
 * Write-behind: with a clock, a write waits `writeBehindMs` before it starts, and every later value
 * of the key until then replaces it. Host storages write synchronously to disk (localStorage,
 * `wx.setStorageSync`) and the unread/seen records grow to thousands of entries, so one write per
 * received message made receiving cost O(unread) in serialisation and storage I/O (issue #12 P6);
 * a burst now costs one serialisation and one write per interval. `flush()` starts waiting writes at
 * once (the engine calls it when the connection pauses); an app killed mid-interval loses at most
 * that interval of counters, which the next connect's sync and read-position reconciliation repair.
 */
import type { Clock, KeyValueStorage } from '../../platform/platform-adapter';
import type { Logger } from '../logger';

export type StoreKey = 'inbox' | 'sendbox' | 'seen' | 'unread' | 'conversation-status' | 'tags' | 'read-positions' | 'receipts';

/** Default write-behind interval of the SDK's sessions (UserSession.open). */
export const WRITE_BEHIND_MS = 100;

/**
 * One storage key's write queue. Receiving touches several keys per message (seen uids, unread, the
 * inbox cursor), so the common call — a write of that key is already waiting — only replaces the
 * waiting value: no key string, promise or wrapper is made per call.
 */
interface Slot {
  readonly key: string;
  /** The newest write of this key in the chain (each starts after the previous one is applied). */
  tail: Promise<void> | undefined;
  /** A write is queued and has not started: a later value replaces `value`/`text`. */
  waiting: boolean;
  value: unknown;
  /** Set instead of `value` by `writeJsonText`: the owner serialises it when the write starts. */
  text: (() => string) | undefined;
  /** How the stored record is split (see PART), once read or written: undefined = not known yet. */
  parts: Parts | undefined;
}

/**
 * Hosts cap one key (Alipay 200 KB, WeChat 1 MB, as the JSON of the value they store), and the unread,
 * receipt and tag records may be larger. A record longer than PART characters (at most 3 bytes each in
 * UTF-8, 2 for an escaped quote) is stored in parts: the key holds `~<gen><n>~` and the first part, keys
 * `<key>~<gen><i>` the others. A new split uses the other generation's keys and the head is written last,
 * so a write refused half-way leaves the previous record whole; the previous generation's parts are
 * removed after the head.
 */
const PART = 60_000;
interface Parts {
  readonly gen: string;
  readonly n: number;
}
const HEAD = /^~([ab])(\d+)~/;

function partsOf(text: string | undefined): Parts {
  const m = text === undefined ? null : HEAD.exec(text);
  return m ? { gen: m[1] as string, n: Number(m[2]) } : { gen: '', n: 1 };
}

export class UserStore {
  private readonly slots = new Map<StoreKey, Slot>();
  /** Releases of the writes waiting out the write-behind interval. */
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly appKey: string,
    readonly userId: string,
    private readonly logger: Logger,
    private readonly clock?: Clock,
    private readonly writeBehindMs = 0,
  ) {}

  /** Resolves after the write-behind interval, or at once on `flush()`. */
  private interval(): Promise<void> {
    const clock = this.clock;
    if (clock === undefined || this.writeBehindMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const release = (): void => {
        clock.clearTimeout(timer);
        this.waiting.delete(release);
        resolve();
      };
      const timer = clock.setTimeout(release, this.writeBehindMs);
      this.waiting.add(release);
    });
  }

  key(name: StoreKey): string {
    return this.slotOf(name).key;
  }

  private slotOf(name: StoreKey): Slot {
    let slot = this.slots.get(name);
    if (slot === undefined) {
      slot = { key: `lx-${name}-${this.appKey}-${this.userId}`, tail: undefined, waiting: false, value: undefined, text: undefined, parts: undefined };
      this.slots.set(name, slot);
    }
    return slot;
  }

  async readJson<T>(name: StoreKey, fallback: T, accept: (value: unknown) => value is T): Promise<T> {
    let text: string | undefined;
    try {
      text = await this.readText(this.slotOf(name));
    } catch (error) {
      this.logger.warn(`storage read failed: ${name}`, error);
      return fallback;
    }
    if (text === undefined) return fallback;
    try {
      const value: unknown = JSON.parse(text);
      return accept(value) ? value : fallback;
    } catch {
      return fallback;
    }
  }

  /** Queues a write of `value`; resolves when a write including it (and every earlier one to the key) is done. */
  writeJson(name: StoreKey, value: unknown): Promise<void> {
    const slot = this.slotOf(name);
    slot.value = value;
    slot.text = undefined;
    return this.queue(name, slot);
  }

  /** `writeJson` for a value whose owner serialises it (incrementally): `text` runs when the write starts. */
  writeJsonText(name: StoreKey, text: () => string): Promise<void> {
    const slot = this.slotOf(name);
    slot.value = undefined;
    slot.text = text;
    return this.queue(name, slot);
  }

  /**
   * Coalescing: while a write of the key is queued and not started, later values replace it, and the
   * value is serialised when the write starts. A burst of updates (a pulled page of messages each
   * touching the unread record) then costs one serialisation and one storage write, not one each.
   */
  private queue(name: StoreKey, slot: Slot): Promise<void> {
    if (slot.waiting && slot.tail !== undefined) return slot.tail;
    slot.waiting = true;
    const next = Promise.all([slot.tail, this.interval()])
      .then(() => {
        slot.waiting = false;
        const text = slot.text;
        const value = slot.value;
        slot.text = undefined;
        slot.value = undefined;
        return this.put(slot, text !== undefined ? text() : JSON.stringify(value));
      })
      .catch((error: unknown) => {
        this.logger.warn(`storage write failed: ${name}`, error);
      });
    slot.tail = next;
    return next;
  }

  /** The stored text, joined from its parts; undefined when absent or a part is missing. */
  private async readText(slot: Slot): Promise<string | undefined> {
    const head = await this.storage.get(slot.key);
    const parts = partsOf(head);
    slot.parts = parts;
    if (head === undefined || parts.gen === '') return head;
    const rest = await Promise.all(Array.from({ length: parts.n - 1 }, (_, i) => this.storage.get(`${slot.key}~${parts.gen}${i + 1}`)));
    if (rest.some((part) => part === undefined)) return undefined;
    return head.slice(head.indexOf('~', 1) + 1) + rest.join('');
  }

  private async put(slot: Slot, text: string): Promise<void> {
    const old = slot.parts ?? partsOf(await this.storage.get(slot.key).catch(() => undefined));
    // Cut points never split a surrogate pair (a host may store a lone surrogate as U+FFFD).
    const cuts = [0];
    for (let at = PART; at < text.length; at += PART) {
      const unit = text.charCodeAt(at - 1);
      if (unit >= 0xd800 && unit <= 0xdbff) at -= 1;
      cuts.push(at);
    }
    cuts.push(text.length);
    const n = cuts.length - 1;
    const gen = n > 1 ? (old.gen === 'a' ? 'b' : 'a') : '';
    try {
      for (let i = 1; i < n; i += 1) await this.storage.set(`${slot.key}~${gen}${i}`, text.slice(cuts[i], cuts[i + 1]));
      slot.parts = undefined;
      await this.storage.set(slot.key, n > 1 ? `~${gen}${n}~${text.slice(0, cuts[1])}` : text);
    } catch (error) {
      // Refused (a full store): the previous record is whole, and the parts written for this one are
      // nobody's — removed, so they do not hold space the next write needs.
      for (let i = 1; i < n; i += 1) await this.storage.remove(`${slot.key}~${gen}${i}`).catch(() => undefined);
      throw error;
    }
    slot.parts = { gen, n };
    for (let i = 1; i < old.n && old.gen !== ''; i += 1) await this.storage.remove(`${slot.key}~${old.gen}${i}`);
  }

  /** Starts the writes waiting out the interval; resolves once every queued write has been applied. */
  async flush(): Promise<void> {
    for (const release of [...this.waiting]) release();
    await Promise.all([...this.slots.values()].map((slot) => slot.tail));
  }
}

export const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
export const isArray = (value: unknown): value is unknown[] => Array.isArray(value);
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A stored server time (a cursor, a read time, a version) read back: one past `notAfter` (the server's time at the
 * connect, plus slack) was not written by this SDK for this server — a corrupted or foreign value — and reads as none,
 * since used as it is it would hide everything up to that time (UserSession.open).
 */
export const storedTime = (value: number, notAfter: number): number => (value > notAfter ? 0 : value);
