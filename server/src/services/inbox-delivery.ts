/**
 * When a stored message may go to a session as `s_msg` instead of `s_ntf` → `pullMsg` (issue #12).
 *
 * The official clients drop an `s_msg` that arrives while their pull runs, and E4 moves its inbox cursor
 * to the pushed `dataTime` (PROTOCOL.md §5.4, §8.1). In Node the `ws` client emits the frames of one TCP
 * read synchronously, so a client sees an `s_msg` right behind the pull answer before the answer's promise
 * continuation has run: E4 drops it (its "pulling" flag is still set), and our SDK 2.x, which delivers
 * pushes at once, emits it before the pull page's older messages (reproduced: one message out of order in
 * test/e2e/sdk-direct-delivery.test.ts when it was enabled for the SDK). No server-side rule can prove such
 * a push is kept in order, so direct delivery is only for sessions over WebSocket that declare
 * `directPush=1` — clients that hold pushes while a pull round is in flight and deliver them after the
 * page, dropping repeats (bench/lib/thin-client.ts does; the SDK needs that change before it may send
 * the parameter). Everyone else keeps `s_ntf`.
 *
 * Even then a push is sent only when the session provably already has every earlier inbox entry, so
 * direct delivery never reorders nor leaves a gap the session would not know to pull:
 *   - no `pullMsg` of the session is outstanding and its last one answered `finished=true`;
 *   - `delivered` (the session's high-water mark: the last finished pull's `syncTime`, raised by every
 *     `s_msg` sent) is ≥ the user's previous inbox entry time, and < the new entry's time.
 * The previous entry time comes from `lastInbox`, raised in commit order by every stored message for the
 * user (appends resolve in call order, MessageAppendBatcher; a large fan-out raises its later slices' marks
 * before handing them over, messaging.ts) and by pull answers (the owner's high-water mark at read time). It is only kept while the user has a session on this node; unknown = not eligible.
 * In a cluster another node may append to the same inbox; it announces that entry with `s_ntf` (whose time
 * may be newer than a push this node sent meanwhile), which the client pulls, so the worst case there is order,
 * never loss — as long as the client does not take a pushed time as its pull cursor (our SDK never does:
 * src/client/services/sync.ts; server/test/e2e/cluster/cluster-sdk-push-cursor.test.ts).
 */
export interface SessionDeliveryState {
  /** `pullMsg` QUERYs received, not yet answered. */
  outstanding: number;
  lastPullFinished: boolean;
  /** Every inbox entry with a time ≤ this has been delivered to the session (pull or s_msg); -1 = none. */
  delivered: number;
}

/**
 * What this node knows of one user's inbox: the time of its newest entry. Held in the map and raised in place, so a
 * stored message costs the map one lookup and no `set`, and no fresh heap number (times are above 2^31).
 */
interface InboxMark {
  last: number;
}

export class InboxDelivery {
  private readonly sessions = new Map<string, SessionDeliveryState>();
  /** By app, then user: two lookups without building a key string per stored message (issue #12 P1). */
  private readonly lastInbox = new Map<string, Map<string, InboxMark>>();

  /** A session that takes direct delivery has connected (`directPush=1` over WebSocket). */
  track(sessionId: string): void {
    if (!this.sessions.has(sessionId)) this.sessions.set(sessionId, { outstanding: 0, lastPullFinished: false, delivered: -1 });
  }

  /** The session is gone. */
  untrack(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  /** The user's last session on this node is gone: what we knew about the inbox goes stale. */
  forgetUser(appKey: string, userId: string): void {
    const users = this.lastInbox.get(appKey);
    if (users === undefined) return;
    users.delete(userId);
    if (users.size === 0) this.lastInbox.delete(appKey);
  }

  /** A `pullMsg` of the session arrived (before reading the store). */
  pullStarted(sessionId: string): void {
    const state = this.sessions.get(sessionId);
    if (state) state.outstanding += 1;
  }

  /**
   * The pull answer is about to be written. `syncTime` is the page's cursor; on a finished page it is the
   * owner's high-water mark over inbox and sendbox at read time. `failed`: no answer with data (error).
   */
  pullAnswered(appKey: string, userId: string, sessionId: string, answer: { syncTime: number; finished: boolean } | 'failed'): void {
    const state = this.sessions.get(sessionId);
    if (!state) return;
    state.outstanding = Math.max(0, state.outstanding - 1);
    if (answer === 'failed') {
      state.lastPullFinished = false;
      return;
    }
    state.lastPullFinished = answer.finished;
    if (!answer.finished) return;
    state.delivered = Math.max(state.delivered, answer.syncTime);
    // Every entry ≤ syncTime was committed before the read; later ones raise lastInbox as they resolve.
    const users = this.usersOf(appKey);
    const mark = users.get(userId);
    if (mark === undefined) users.set(userId, { last: answer.syncTime });
    else mark.last = Math.max(mark.last, answer.syncTime);
  }

  /**
   * A stored message for `userId`'s inbox (in commit order). Returns the time of the user's previous
   * inbox entry as far as this node knows (undefined = unknown), and records this one.
   */
  recordInbox(appKey: string, userId: string, time: number, userHasLocalSessions: boolean): number | undefined {
    const users = this.lastInbox.get(appKey);
    const mark = users?.get(userId);
    if (!userHasLocalSessions) return mark?.last;
    if (mark === undefined) {
      (users ?? this.usersOf(appKey)).set(userId, { last: time });
      return undefined;
    }
    const previous = mark.last;
    mark.last = Math.max(previous, time);
    return previous;
  }

  /**
   * The session's state when the entry at `time`, preceded by one at `previous`, may be pushed to it now (give it to
   * `pushedTo` once the push is written), else undefined.
   */
  pushable(sessionId: string, previous: number | undefined, time: number): SessionDeliveryState | undefined {
    const state = this.sessions.get(sessionId);
    if (!state || previous === undefined) return undefined;
    return state.outstanding === 0 && state.lastPullFinished && state.delivered >= previous && state.delivered < time ? state : undefined;
  }

  /** The entry at `time` was pushed to the session whose state `pushable` gave. */
  pushedTo(state: SessionDeliveryState, time: number): void {
    state.delivered = Math.max(state.delivered, time);
  }

  private usersOf(appKey: string): Map<string, InboxMark> {
    let users = this.lastInbox.get(appKey);
    if (users === undefined) {
      users = new Map();
      this.lastInbox.set(appKey, users);
    }
    return users;
  }

  /** Test/diagnostic view. */
  stateOf(sessionId: string): Readonly<SessionDeliveryState> | undefined {
    return this.sessions.get(sessionId);
  }
}
