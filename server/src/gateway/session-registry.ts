/** The sessions living on THIS node, by id and by appKey+userId. Cross-node state is in Presence. */
import type { SessionInfo } from './topic-router';
import type { UserEvent } from './user-event';

/** What the hub and the gateway need from a live session. */
export interface LocalSession {
  readonly info: SessionInfo;
  /** Applies a user event (push, echo, kick) to this session's connection. */
  deliver(event: UserEvent): void;
  /**
   * When present: exactly `deliver({ kind: 'push', topic, targetId, payload, qos })`, without the event object
   * (the per-message delivery path calls it, bench P1). Sessions without it get the event.
   */
  push?(topic: string, targetId: string, payload: Uint8Array, qos: 0 | 1): void;
}

/** `sessionsOf` for a user without a session here: one shared empty list, nothing allocated per call. */
const NO_SESSIONS: readonly never[] = Object.freeze([]);

export class SessionRegistry<S extends LocalSession = LocalSession> {
  private readonly byId = new Map<string, S>();
  /**
   * A user's sessions by appKey then userId (the keys are the sessions' own strings: no composite key
   * is built per user): the session itself while there is one (the common case), a Set from the
   * second on. An empty Set costs ≈ 190 bytes, which matters at 100,000 idle connections (P2).
   */
  private readonly byUser = new Map<string, Map<string, S | Set<S>>>();

  /** Returns true when this is the user's first session on this node. */
  add(session: S): boolean {
    const { sessionId, appKey, userId } = session.info;
    this.byId.set(sessionId, session);
    let users = this.byUser.get(appKey);
    if (users === undefined) {
      users = new Map();
      this.byUser.set(appKey, users);
    }
    const held = users.get(userId);
    if (held === undefined) {
      users.set(userId, session);
      return true;
    }
    if (held instanceof Set) held.add(session);
    else if (held !== session) users.set(userId, new Set([held, session]));
    return false;
  }

  /** Returns true when the user has no session left on this node (false if it was not registered). */
  remove(session: S): boolean {
    const { sessionId, appKey, userId } = session.info;
    if (this.byId.get(sessionId) !== session) return false;
    this.byId.delete(sessionId);
    const users = this.byUser.get(appKey);
    const held = users?.get(userId);
    if (users === undefined || held === undefined) return false;
    if (held instanceof Set) {
      held.delete(session);
      if (held.size > 1) return false;
      const [last] = held;
      if (last !== undefined) {
        users.set(userId, last);
        return false;
      }
    } else if (held !== session) {
      return false;
    }
    users.delete(userId);
    if (users.size === 0) this.byUser.delete(appKey);
    return true;
  }

  get(sessionId: string): S | undefined {
    return this.byId.get(sessionId);
  }

  /** A snapshot of the user's sessions on this node (a copy: it stays as it is while sessions come and go). */
  sessionsOf(appKey: string, userId: string): readonly S[] {
    const held = this.byUser.get(appKey)?.get(userId);
    if (held === undefined) return NO_SESSIONS;
    return held instanceof Set ? [...held] : [held];
  }

  /**
   * The user's session on this node when it is the only one; undefined when the user has none here or several
   * (then `sessionsOf`). Two lookups and no list: the per-message delivery path's common case (bench P1).
   */
  soleSessionOf(appKey: string, userId: string): S | undefined {
    const held = this.byUser.get(appKey)?.get(userId);
    if (!(held instanceof Set)) return held;
    // Never in practice (a Set holds two sessions or more), but the answer is then the one `sessionsOf` gives.
    if (held.size !== 1) return undefined;
    const [only] = held;
    return only;
  }

  all(): readonly S[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}
