/**
 * Re-notification of room data a member was told about and never pulled (issue #13: never lost), the
 * chatroom side of gateway/inbox-renotify.ts.
 *
 * Engine 4.4.2 with a `chrmPull` in flight on a connection that dropped keeps that request pending for its
 * 30 s timeout and ignores room `s_ntf` meanwhile. The room flow control only repeats a notification it
 * *held back* (room-flow.ts checkHeldLater), so once the room goes quiet the message it sent and the client
 * dropped would wait for the next room message. So each online member remembers the newest room time it
 * was notified of (`notifiedTo`) next to the newest finished pull answer (`pulledTo`); when the first
 * notification above `pulledTo` is older than the re-notify delay, the chatroom service sweep sends the
 * room `s_ntf` again (RoomState.takeRenotifies, RoomFlow.renotify), at most MAX_RENOTIFY times until the
 * member's next pull answer. A finished pull answer reaches the room's newest time, which is ≥ every
 * notification time sent, so a member that pulls when notified is never re-notified.
 *
 * Cost: a few number fields per member updated on each delivery; no per-member timers. The sweep walks a
 * room's online members only when its earliest unpulled notification (`RoomState.renotifyCheck`, a lower
 * bound) is older than the delay, i.e. at most once per delay per room with traffic.
 *
 * Per member, not per session: with several sessions of one user on this node, any one's pull counts.
 */
import { DEFAULT_RENOTIFY_MS } from '../../gateway/inbox-renotify';

export { DEFAULT_RENOTIFY_MS, MAX_RENOTIFY } from '../../gateway/inbox-renotify';

/** The gateway's re-notify delay (`LIANXIN_RENOTIFY_MS`, a positive integer; else DEFAULT_RENOTIFY_MS). */
export function renotifyMsFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.LIANXIN_RENOTIFY_MS;
  if (raw === undefined || !/^\d+$/.test(raw)) return DEFAULT_RENOTIFY_MS;
  const value = Number(raw);
  return value > 0 ? value : DEFAULT_RENOTIFY_MS;
}

/**
 * The chatroom service's one sweep timer: ticks often enough for idle destruction (a quarter of the
 * shortest idle delay, 20 ms..60 s) and for the re-notify delay (a re-notify lands between renotifyMs and
 * renotifyMs + tickMs after the unpulled s_ntf); the store-reading idle sweep runs every idleEveryTicks.
 */
export function sweepCadence(idleDestroyMs: number, renotifyMs: number): { readonly tickMs: number; readonly idleEveryTicks: number } {
  const idleEvery = Math.max(20, Math.min(60_000, Math.floor(idleDestroyMs / 4)));
  const tickMs = Math.max(20, Math.min(idleEvery, Math.floor(renotifyMs / 4)));
  return { tickMs, idleEveryTicks: Math.max(1, Math.round(idleEvery / tickMs)) };
}
