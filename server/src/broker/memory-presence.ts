import type { PresenceRegistry, SessionRef } from './presence';
import { unboxed } from '../small-int';

export interface MemoryPresenceOptions {
  /** Injectable clock (ms), so TTL expiry is testable without waiting. */
  readonly now?: () => number;
}

/**
 * One session's entry: the ref's fields copied flat, with the expiry (one object instead of two). The
 * expiry is kept as ms after `connectedAt`: a small integer stays unboxed, where a second epoch-ms
 * field would cost a 16-byte heap number per entry.
 */
class Entry {
  private readonly expiresAfter: number;

  constructor(
    readonly nodeId: string,
    readonly sessionId: string,
    readonly platform: string,
    readonly clientKind: string,
    readonly transport: string,
    readonly connectedAt: number,
    expiresAt: number,
  ) {
    this.expiresAfter = unboxed(expiresAt - connectedAt);
  }

  get expiresAt(): number {
    return this.connectedAt + this.expiresAfter;
  }

  toRef(): SessionRef {
    return { nodeId: this.nodeId, sessionId: this.sessionId, platform: this.platform, clientKind: this.clientKind, transport: this.transport, connectedAt: this.connectedAt };
  }
}

/** A user's sessions: the entry itself while there is one (the common case), a Map by session id from the second on. */
type UserEntries = Entry | Map<string, Entry>;

/**
 * Single-process presence: expiry is evaluated lazily on read and on write of the same user.
 * Memory (P2, bench/analysis/p2-connections.md): keyed appKey → userId → entries, so no composite key
 * string is built per user (the userId key is the caller's own string), and a user with one session
 * holds one flat entry instead of a Map (≈ 150 bytes when empty) plus two objects.
 */
export class MemoryPresence implements PresenceRegistry {
  private readonly apps = new Map<string, Map<string, UserEntries>>();
  private readonly now: () => number;
  private closed = false;

  constructor(options: MemoryPresenceOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async add(appKey: string, userId: string, session: SessionRef, ttlMs: number): Promise<void> {
    this.assertOpen();
    const entry = new Entry(session.nodeId, session.sessionId, session.platform, session.clientKind, session.transport, session.connectedAt, this.now() + ttlMs);
    let users = this.apps.get(appKey);
    if (users === undefined) {
      users = new Map();
      this.apps.set(appKey, users);
    }
    const held = users.get(userId);
    if (held === undefined || (held instanceof Entry && held.sessionId === entry.sessionId)) {
      users.set(userId, entry);
    } else if (held instanceof Entry) {
      users.set(userId, new Map([[held.sessionId, held], [entry.sessionId, entry]]));
    } else {
      held.set(entry.sessionId, entry);
    }
  }

  async remove(appKey: string, userId: string, sessionId: string): Promise<void> {
    this.assertOpen();
    const users = this.apps.get(appKey);
    const held = users?.get(userId);
    if (users === undefined || held === undefined) return;
    if (held instanceof Entry) {
      if (held.sessionId === sessionId) this.drop(appKey, users, userId);
      return;
    }
    held.delete(sessionId);
    this.settle(appKey, users, userId, held);
  }

  async sessionsOf(appKey: string, userId: string): Promise<readonly SessionRef[]> {
    this.assertOpen();
    const users = this.apps.get(appKey);
    const held = users?.get(userId);
    if (users === undefined || held === undefined) return [];
    const now = this.now();
    if (held instanceof Entry) {
      if (held.expiresAt > now) return [held.toRef()];
      this.drop(appKey, users, userId);
      return [];
    }
    const live: SessionRef[] = [];
    for (const [id, entry] of held) {
      if (entry.expiresAt <= now) held.delete(id);
      else live.push(entry.toRef());
    }
    this.settle(appKey, users, userId, held);
    return live;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.apps.clear();
  }

  /** A user's Map after deletions: back to the single entry (or nothing) when one (or none) is left. */
  private settle(appKey: string, users: Map<string, UserEntries>, userId: string, held: Map<string, Entry>): void {
    if (held.size > 1) return;
    const [last] = held.values();
    if (last !== undefined) users.set(userId, last);
    else this.drop(appKey, users, userId);
  }

  private drop(appKey: string, users: Map<string, UserEntries>, userId: string): void {
    users.delete(userId);
    if (users.size === 0) this.apps.delete(appKey);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('presence closed');
  }
}
