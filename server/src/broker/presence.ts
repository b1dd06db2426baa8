/**
 * Which sessions a user has, across nodes (Centrifuge PresenceManager analogue, STYLE.md §9.6).
 * Entries expire `ttlMs` after their last `add`, so a crashed node's sessions disappear on their
 * own; live sessions refresh their entry from the heartbeat. Multi-tenant: keyed by appKey+userId.
 */
export interface SessionRef {
  readonly nodeId: string;
  readonly sessionId: string;
  /** Platform class used for multi-device kicks: 'web' | 'miniprogram' | 'uniapp' | 'pc' | 'mobile'. */
  readonly platform: string;
  readonly clientKind: string;
  readonly transport: string;
  readonly connectedAt: number;
}

export interface PresenceRegistry {
  /** Adds or refreshes (same sessionId replaces the entry and restarts its TTL). */
  add(appKey: string, userId: string, session: SessionRef, ttlMs: number): Promise<void>;
  remove(appKey: string, userId: string, sessionId: string): Promise<void>;
  /** Live (unexpired) sessions, in no particular order. */
  sessionsOf(appKey: string, userId: string): Promise<readonly SessionRef[]>;
  close(): Promise<void>;
  /**
   * Engines that can lose their entries while nodes keep running (a Redis restart without persistence)
   * call `listener` after reconnecting, so nodes re-add their live sessions at once instead of waiting
   * for the next heartbeat refresh. Absent for engines that cannot lose entries (in-memory).
   */
  onReconnect?(listener: () => void): () => void;
}
