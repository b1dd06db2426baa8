import type { PresenceRegistry, SessionRef } from './presence';

export interface MemoryPresenceOptions {
  /** Injectable clock (ms), so TTL expiry is testable without waiting. */
  readonly now?: () => number;
}

interface Entry {
  readonly ref: SessionRef;
  readonly expiresAt: number;
}

/** Single-process presence: expiry is evaluated lazily on read and on write of the same user. */
export class MemoryPresence implements PresenceRegistry {
  private readonly users = new Map<string, Map<string, Entry>>();
  private readonly now: () => number;
  private closed = false;

  constructor(options: MemoryPresenceOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async add(appKey: string, userId: string, session: SessionRef, ttlMs: number): Promise<void> {
    this.assertOpen();
    const key = userKey(appKey, userId);
    let sessions = this.users.get(key);
    if (!sessions) {
      sessions = new Map();
      this.users.set(key, sessions);
    }
    sessions.set(session.sessionId, { ref: { ...session }, expiresAt: this.now() + ttlMs });
  }

  async remove(appKey: string, userId: string, sessionId: string): Promise<void> {
    this.assertOpen();
    const key = userKey(appKey, userId);
    const sessions = this.users.get(key);
    if (!sessions) return;
    sessions.delete(sessionId);
    if (sessions.size === 0) this.users.delete(key);
  }

  async sessionsOf(appKey: string, userId: string): Promise<readonly SessionRef[]> {
    this.assertOpen();
    const key = userKey(appKey, userId);
    const sessions = this.users.get(key);
    if (!sessions) return [];
    const now = this.now();
    const live: SessionRef[] = [];
    for (const [id, entry] of sessions) {
      if (entry.expiresAt <= now) sessions.delete(id);
      else live.push({ ...entry.ref });
    }
    if (sessions.size === 0) this.users.delete(key);
    return live;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.users.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('presence closed');
  }
}

/** NUL cannot occur in app keys or user ids, so the composite key is unambiguous. */
function userKey(appKey: string, userId: string): string {
  return `${appKey}\u0000${userId}`;
}

export function createMemoryPresence(options?: MemoryPresenceOptions): PresenceRegistry {
  return new MemoryPresence(options);
}
