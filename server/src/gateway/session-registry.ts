/** The sessions living on THIS node, by id and by appKey+userId. Cross-node state is in Presence. */
import type { SessionInfo } from './topic-router';
import type { UserEvent } from './user-event';

/** What the hub and the gateway need from a live session. */
export interface LocalSession {
  readonly info: SessionInfo;
  /** Applies a user event (push, echo, kick) to this session's connection. */
  deliver(event: UserEvent): void;
}

export class SessionRegistry<S extends LocalSession = LocalSession> {
  private readonly byId = new Map<string, S>();
  private readonly byUser = new Map<string, Set<S>>();

  /** Returns true when this is the user's first session on this node. */
  add(session: S): boolean {
    this.byId.set(session.info.sessionId, session);
    const key = userKey(session.info.appKey, session.info.userId);
    let set = this.byUser.get(key);
    const first = !set;
    if (!set) {
      set = new Set();
      this.byUser.set(key, set);
    }
    set.add(session);
    return first;
  }

  /** Returns true when the user has no session left on this node (false if it was not registered). */
  remove(session: S): boolean {
    if (this.byId.get(session.info.sessionId) !== session) return false;
    this.byId.delete(session.info.sessionId);
    const key = userKey(session.info.appKey, session.info.userId);
    const set = this.byUser.get(key);
    if (!set) return false;
    set.delete(session);
    if (set.size > 0) return false;
    this.byUser.delete(key);
    return true;
  }

  get(sessionId: string): S | undefined {
    return this.byId.get(sessionId);
  }

  sessionsOf(appKey: string, userId: string): readonly S[] {
    const set = this.byUser.get(userKey(appKey, userId));
    return set ? [...set] : [];
  }

  all(): readonly S[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}

export function userKey(appKey: string, userId: string): string {
  return `${appKey}\u0000${userId}`;
}
