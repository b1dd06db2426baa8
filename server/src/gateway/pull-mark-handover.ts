/**
 * The pull mark of the transient hold (transient-hold.ts), handed from one session of a client device to its next.
 *
 * Engine 4.4.2 and imlib-next before 5.28 take a pushed `s_msg`'s time as their inbox cursor; a session answers a
 * pull whose cursor went past where its pulls reached (its pull mark) from that mark, so a stored message the
 * `s_msg` overtook (committed late, or notified from another node) is still pulled. That mark dies with the
 * session: a socket lost (or a page reloaded) between such an `s_msg` and the pull of what it overtook, and the
 * client's next session pulled from the pushed time (E4 keeps it in memory and in localStorage) — the message was
 * never delivered to that device. So a session that ends while its client's cursor was pushed past its mark leaves
 * that mark here, and the first pull of the device's next session is answered from it when its cursor is above it
 * (sync.ts, through SessionInbox.pullMark). Answering a device from where its own pulls reached pulls nothing twice
 * for it: every inbox entry above the mark reached it by no pull (stored messages go to these clients by pull only).
 *
 * What is a device: these clients send no device id (E4's WebSocket URL says `pid=undefined`, 5.7.3 `pid=`, the
 * comet pid changes with every page), so the key is what the connection says of itself: app, user, client
 * generation and version, platform class and address. Two devices of one user with the same SDK on one address
 * (one NAT) share a key: the second to pull after the first's session ended may pull (mark, cursor] again.
 * A device on a new address (Wi-Fi to mobile) is not recognised: as before, it may miss what the push overtook.
 * Also a live session counts: a lost socket is often noticed only at the idle timeout (45 s), after the client has
 * reconnected, so the first pull also looks at the older sessions of the same key still open on this node.
 * A session connected later that has already pulled is the device's continuation: an older one ending then leaves
 * nothing (that pull already took it over, or the device pulled past it meanwhile).
 *
 * Same node only: a reconnect that lands on another node of a cluster finds nothing here (and pulls from its
 * cursor, as before). Memory: at most MAX_ENDED entries of ended sessions (a key string and three numbers, a few
 * hundred bytes: ~6 MB at the cap), each kept HANDOVER_TTL_MS at most (a page reopened later than that pulls from its
 * stored cursor, as before), the oldest dropped first; live sessions are listed only while open, and only those of
 * clients that hold transients (not our SDK, `directPush=1`, imlib-next ≥ 5.28, nor L2, whose pushes are timed at
 * most at the mark).
 */
import { decodeMessage, rc } from '../../../src/internal';
import type { SessionInfo } from './topic-router';

/** Ended sessions' marks kept at most (the oldest go first). */
export const MAX_ENDED = 20_000;
/** How long an ended session's mark is kept. */
export const HANDOVER_TTL_MS = 6 * 3_600_000;

/** Where a session's pulls reached (`mark`) and the newest time its client's cursor was pushed to above it. */
export interface PullState {
  readonly mark: number;
  readonly movedTo: number;
}

/** A live session of a device (SessionInbox). */
export interface HandoverMember {
  readonly info: SessionInfo;
  /** The session's state when its client's cursor was moved past its pull mark; undefined otherwise. */
  pushedPast(): PullState | undefined;
  /** Whether the session's first pull has arrived. */
  readonly pulled: boolean;
}

/** The device a session is of (see the header); sdkVer is cut, as the URL may say anything. */
export function deviceKey(info: SessionInfo): string {
  return `${info.appKey}\n${info.userId}\n${info.clientKind}\n${info.sdkVer.slice(0, 32)}\n${info.platform}\n${info.clientIp ?? ''}`;
}

/** An `s_msg` payload's `dataTime` (0 when unreadable). */
export function downStreamTime(payload: Uint8Array): number {
  try {
    return Number(decodeMessage(rc.DownStreamMessage, payload, 'DownStreamMessage').dataTime);
  } catch {
    return 0;
  }
}

/** Lower mark, higher cursor: losing nothing of either. */
function merged(a: PullState | undefined, b: PullState): PullState {
  return a === undefined ? b : { mark: Math.min(a.mark, b.mark), movedTo: Math.max(a.movedTo, b.movedTo) };
}

/** One per node (SessionManager). */
export class PullMarkHandover {
  private readonly ended = new Map<string, PullState & { readonly at: number }>();
  private readonly live = new Map<string, Set<HandoverMember>>();

  constructor(
    private readonly now: () => number,
    private readonly maxEnded = MAX_ENDED,
    private readonly ttlMs = HANDOVER_TTL_MS,
  ) {}

  /** Ended sessions' marks kept (tests). */
  get size(): number {
    return this.ended.size;
  }

  joined(key: string, member: HandoverMember): void {
    let members = this.live.get(key);
    if (members === undefined) this.live.set(key, (members = new Set()));
    members.add(member);
  }

  /**
   * The member's first pull: the state it takes over (the lowest mark of an ended session of the device and of its
   * older live sessions whose client was pushed past their mark), or undefined. An ended one is taken only once.
   */
  firstPull(key: string, member: HandoverMember): PullState | undefined {
    let state: PullState | undefined;
    const ended = this.ended.get(key);
    if (ended !== undefined) {
      this.ended.delete(key);
      if (this.now() - ended.at <= this.ttlMs) state = { mark: ended.mark, movedTo: ended.movedTo };
    }
    for (const other of this.live.get(key) ?? []) {
      if (other === member || other.info.connectedAt > member.info.connectedAt) continue;
      const pushed = other.pushedPast();
      if (pushed !== undefined) state = merged(state, pushed);
    }
    return state;
  }

  /** The member's session ended: its mark is kept when its client was pushed past it (see the header). */
  left(key: string, member: HandoverMember): void {
    const members = this.live.get(key);
    members?.delete(member);
    if (members !== undefined && members.size === 0) this.live.delete(key);
    const state = member.pushedPast();
    if (state === undefined) return;
    for (const other of members ?? []) if (other.pulled && other.info.connectedAt >= member.info.connectedAt) return;
    const now = this.now();
    const kept = this.ended.get(key);
    const next = merged(kept !== undefined && now - kept.at <= this.ttlMs ? kept : undefined, state);
    this.ended.delete(key);
    this.ended.set(key, { ...next, at: now });
    for (const [oldKey, oldest] of this.ended) {
      if (this.ended.size <= this.maxEnded && now - oldest.at <= this.ttlMs) break;
      this.ended.delete(oldKey);
    }
  }
}
