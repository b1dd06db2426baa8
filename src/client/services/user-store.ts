/**
 * Per-user persistent state on the platform's async key/value storage: sync cursors, the dedupe uid
 * list, unread counts, conversation statuses. Keys are scoped by appKey AND userId, so two apps or two
 * users on one device never read each other's state (switching users must not leak, seed 2.9.8).
 * Writes to one key are applied in call order; a failed write is logged, never thrown at callers
 * (the in-memory copy stays authoritative for the session).
 */
import type { KeyValueStorage } from '../../platform/platform-adapter';
import type { Logger } from '../logger';

export type StoreKey = 'inbox' | 'sendbox' | 'seen' | 'unread' | 'conversation-status' | 'tags' | 'read-positions';

/** A value already serialised by its owner (see `writeJsonText`). */
class JsonText {
  constructor(readonly text: string) {}
}

export class UserStore {
  private readonly queues = new Map<string, Promise<void>>();
  /** Values waiting for a queued write that has not started yet, by storage key. */
  private readonly unwritten = new Map<string, unknown>();

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly appKey: string,
    readonly userId: string,
    private readonly logger: Logger,
  ) {}

  key(name: StoreKey): string {
    return `lx-${name}-${this.appKey}-${this.userId}`;
  }

  async readJson<T>(name: StoreKey, fallback: T, accept: (value: unknown) => value is T): Promise<T> {
    let text: string | undefined;
    try {
      text = await this.storage.get(this.key(name));
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
    const key = this.key(name);
    // Coalescing: while a write of this key is queued and not started, later values replace it, and the
    // value is serialised when the write starts. A burst of updates (a pulled page of messages each
    // touching the unread record) then costs one serialisation and one storage write, not one each.
    const queued = this.unwritten.has(key);
    this.unwritten.set(key, value);
    const pending = this.queues.get(key);
    if (queued && pending !== undefined) return pending;
    const next = (pending ?? Promise.resolve())
      .then(() => {
        const latest = this.unwritten.get(key);
        this.unwritten.delete(key);
        return this.storage.set(key, latest instanceof JsonText ? latest.text : JSON.stringify(latest));
      })
      .catch((error: unknown) => {
        this.logger.warn(`storage write failed: ${name}`, error);
      });
    this.queues.set(key, next);
    return next;
  }

  /** `writeJson` for a value whose JSON text the caller already has (kept incrementally). */
  writeJsonText(name: StoreKey, text: string): Promise<void> {
    return this.writeJson(name, new JsonText(text));
  }

  /** Resolves once every queued write has been applied (tests, logout). */
  async flush(): Promise<void> {
    await Promise.all([...this.queues.values()]);
  }
}

export const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
export const isArray = (value: unknown): value is unknown[] => Array.isArray(value);
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
